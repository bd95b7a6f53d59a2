/* An "Open full size" button under every diagram (figure.refarch-diagram): a modal dialog shows the SVG
   at its natural size, to move by dragging or with the arrow keys and to zoom with the wheel, + and -
   or the buttons. Escape or Close closes it and gives focus back to the button. When the what-if
   explorer has put the SVG inline to mark failures on it, the dialog shows a copy with the marks.
   Without this script, the figure shows the image as it is. Plain ES2017, no library, nothing loaded
   but the image itself. */
(() => {
  "use strict";

  const STEP = 1.25; // zoom factor of one wheel notch, key press or button press
  const MIN_SCALE = 0.05;
  const MAX_SCALE = 8;
  const PAN = 60; // pixels an arrow key moves (four times with Shift)

  let viewer = null; // built on first use, then reused for every diagram of the page

  function element(tag, attributes, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    if (text) node.textContent = text;
    return node;
  }

  function buildViewer() {
    const dialog = element("dialog", {class: "refarch-zoom", "aria-labelledby": "refarch-zoom-title",
                                      "aria-describedby": "refarch-zoom-help"});
    const bar = element("div", {class: "refarch-zoom__bar"});
    const title = element("h2", {class: "refarch-zoom__title", id: "refarch-zoom-title"});
    const zoomOut = element("button", {type: "button", "aria-label": "Zoom out"}, "\u2212");
    const level = element("output", {class: "refarch-zoom__level", "aria-live": "polite"}, "100%");
    const zoomIn = element("button", {type: "button", "aria-label": "Zoom in"}, "+");
    const actual = element("button", {type: "button"}, "Actual size");
    const fit = element("button", {type: "button"}, "Fit");
    const close = element("button", {type: "button"}, "Close");
    bar.append(title, zoomOut, level, zoomIn, actual, fit, close);
    const help = element("p", {class: "refarch-zoom__help", id: "refarch-zoom-help"},
      "Drag or use the arrow keys to move, the wheel or the + and \u2212 keys to zoom, 0 for the actual size, " +
      "Escape to close.");
    const view = element("div", {class: "refarch-zoom__view", tabindex: "0", role: "img"});
    let content = element("img", {alt: ""});
    view.append(content);
    dialog.append(bar, help, view);
    document.body.append(dialog);

    const state = {scale: 1, x: 0, y: 0, width: 0, height: 0, opener: null, drag: null};

    function draw() {
      content.style.transform = `translate(${state.x}px, ${state.y}px) scale(${state.scale})`;
      const percent = `${Math.round(state.scale * 100)}%`;
      if (level.textContent !== percent) level.textContent = percent; // announced only when it changes
    }

    // Zoom by `factor`, keeping the point (px, py) of the view where it is.
    function zoom(factor, px = view.clientWidth / 2, py = view.clientHeight / 2) {
      const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, state.scale * factor));
      state.x = px - (px - state.x) * (scale / state.scale);
      state.y = py - (py - state.y) * (scale / state.scale);
      state.scale = scale;
      draw();
    }

    // A scale, with the diagram centred when it is smaller than the view and at its top left otherwise.
    function place(scale) {
      state.scale = scale;
      const width = state.width * scale;
      const height = state.height * scale;
      state.x = Math.max(0, (view.clientWidth - width) / 2);
      state.y = Math.max(0, (view.clientHeight - height) / 2);
      draw();
    }

    function fitScale() {
      if (!state.width || !state.height) return 1;
      return Math.min(view.clientWidth / state.width, view.clientHeight / state.height, 1);
    }

    // What the dialog shows: a copy of the inline SVG (with its marks, without ids that would clash with
    // the page's), or the image file itself.
    function show(figure) {
      const inline = figure.querySelector("svg");
      if (inline) {
        const copy = inline.cloneNode(true);
        copy.querySelectorAll("[id]").forEach((node) => node.removeAttribute("id"));
        state.width = inline.width.baseVal.value;
        state.height = inline.height.baseVal.value;
        copy.style.width = `${state.width}px`;
        copy.style.height = `${state.height}px`;
        content.replaceWith(copy);
        content = copy;
        place(1);
        return;
      }
      const source = figure.querySelector("img");
      const image = element("img", {alt: source.alt, draggable: "false"});
      image.addEventListener("load", () => {
        state.width = image.naturalWidth;
        state.height = image.naturalHeight;
        place(1);
      });
      content.replaceWith(image);
      content = image;
      image.src = source.currentSrc || source.src; // same origin
    }

    zoomIn.addEventListener("click", () => zoom(STEP));
    zoomOut.addEventListener("click", () => zoom(1 / STEP));
    actual.addEventListener("click", () => place(1));
    fit.addEventListener("click", () => place(fitScale()));
    close.addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => {
      if (state.opener) state.opener.focus();
    });

    view.addEventListener("wheel", (event) => {
      event.preventDefault();
      const box = view.getBoundingClientRect();
      zoom(event.deltaY < 0 ? STEP : 1 / STEP, event.clientX - box.left, event.clientY - box.top);
    }, {passive: false});

    view.addEventListener("pointerdown", (event) => {
      if (event.button !== 0) return;
      state.drag = {id: event.pointerId, x: event.clientX - state.x, y: event.clientY - state.y};
      view.setPointerCapture(event.pointerId);
      view.classList.add("is-dragging");
    });
    view.addEventListener("pointermove", (event) => {
      if (!state.drag || state.drag.id !== event.pointerId) return;
      state.x = event.clientX - state.drag.x;
      state.y = event.clientY - state.drag.y;
      draw();
    });
    const stopDrag = (event) => {
      if (!state.drag || state.drag.id !== event.pointerId) return;
      state.drag = null;
      view.classList.remove("is-dragging");
    };
    view.addEventListener("pointerup", stopDrag);
    view.addEventListener("pointercancel", stopDrag);

    // Keys work wherever focus is in the dialog, except that a focused button keeps Enter and Space.
    dialog.addEventListener("keydown", (event) => {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      const step = event.shiftKey ? PAN * 4 : PAN;
      const moves = {ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step]};
      if (moves[event.key]) {
        state.x += moves[event.key][0];
        state.y += moves[event.key][1];
        draw();
      } else if (event.key === "+" || event.key === "=") {
        zoom(STEP);
      } else if (event.key === "-" || event.key === "_") {
        zoom(1 / STEP);
      } else if (event.key === "0") {
        place(1);
      } else {
        return;
      }
      event.preventDefault();
    });

    return {
      dialog,
      open(figure, name, opener) {
        state.opener = opener;
        title.textContent = name;
        view.setAttribute("aria-label", name);
        dialog.showModal();
        view.focus();
        state.scale = 1;
        state.x = 0;
        state.y = 0;
        show(figure);
      },
    };
  }

  function enhance(figure) {
    const picture = figure.querySelector("img, svg");
    if (!picture || figure.querySelector(".refarch-diagram__open")) return;
    const name = picture.getAttribute("alt") || picture.getAttribute("aria-label") || "Diagram";
    const button = element("button", {type: "button", class: "md-button refarch-diagram__open",
                                      "aria-haspopup": "dialog", "aria-label": `Open full size: ${name}`},
                           "Open full size");
    button.addEventListener("click", () => {
      if (!viewer || !viewer.dialog.isConnected) viewer = buildViewer();
      viewer.open(figure, name, button);
    });
    figure.append(button);
  }

  function start() {
    document.querySelectorAll("figure.refarch-diagram").forEach(enhance);
  }

  // Material's instant navigation, when it is on, replaces the page without loading scripts again.
  if (typeof window.document$ !== "undefined" && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(start);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
