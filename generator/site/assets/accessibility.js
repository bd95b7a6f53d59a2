/* Names the theme's search dialog for screen readers: MkDocs Material gives the element role="dialog"
 * but no name (axe-core: aria-dialog-name). Self-hosted; without it the site works, less accessibly. */
(function () {
  "use strict";
  function name() {
    Array.prototype.forEach.call(document.querySelectorAll(".md-search[role='dialog']:not([aria-label])"),
      function (dialog) { dialog.setAttribute("aria-label", "Search"); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", name); } else { name(); }
})();
