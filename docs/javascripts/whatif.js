/* The what-if explorer of an architecture page: toggle failed hosts, VMs, failure domains, services and
 * platform parts, and read what every operation does, right after the failure or after the platform's
 * restarts. It walks the architecture's compiled failure model, which the page embeds as JSON
 * (generator/explorer.py): gates over parts, the degradation gates of each phase, and the engine's
 * placements after restarts. The states come from the gates alone. A few rules are repeated here, and
 * change with their Python side: which services stay down after a total loss (Engine.latched), which
 * platform gates stop a VM on its host (FailureModel.stopping), the words of a reason (Engine._place and
 * _own_state), and margins, found by trying further failures rather than by MinCuts. Tests hold the
 * states, margins and the services each reason names equal to the Python engine's, in Chromium.
 * Self-hosted, no libraries; the page works without it (a <noscript> note says so). */
(function () {
  "use strict";

  var KIND_OR = 0, KIND_AND = 1;
  // Sets of further failures tried per phase for margins, for a model of 100 gates (fewer for larger
  // models); beyond, a margin reads "at least".
  var MARGIN_BUDGET = 6000;
  var STATE_MARK = { ok: "\u2714", degraded: "\u25B2", down: "\u2716" };
  var PHASE_WORDS = { immediate: "Right after the failure", "after-restart": "After the platform restarts VMs" };
  var KIND_WORDS = { host: "Hosts", domain: "Failure domains", vm: "VMs", service: "Services (every instance)",
                     part: "Platform parts" };

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") { node.textContent = attrs[key]; } else { node.setAttribute(key, attrs[key]); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  /* A map keyed by names from architecture files: no prototype, so a host named "constructor" or a
   * ?fail=__proto__ in the address is just a key. */
  function dict() { return Object.create(null); }

  function join(words) {
    if (words.length < 2) { return words.join(""); }
    return words.slice(0, -1).join(", ") + " and " + words[words.length - 1];
  }

  // ---- the model -------------------------------------------------------------------------------------

  function Model(data) {
    this.data = data;
    this.index = dict();
    var self = this;
    data.names.forEach(function (name, i) { self.index[name] = i; });
    this.platform = dict();
    data.platformGates.forEach(function (name) { self.platform[name] = true; });
    this.components = dict();
    data.components.forEach(function (c, i) { c.position = i; self.components[c.id] = c; });
    this.vmIndex = dict();
    data.vms.forEach(function (vm, i) { self.vmIndex[vm.name] = i; });
    this.isolating = dict();
    data.isolating.forEach(function (h) { self.isolating[h] = true; });
  }

  Model.prototype.run = function (gates, values, skip) {
    for (var g = 0; g < gates.length; g++) {
      var gate = gates[g], name = this.data.names[gate[0]];
      if (skip && skip(name)) { continue; }
      var inputs = gate[2], kind = gate[1], result;
      if (kind === KIND_OR) {
        result = 0;
        for (var i = 0; i < inputs.length && !result; i++) { result = values[inputs[i]]; }
      } else if (kind === KIND_AND) {
        result = 1;
        for (var j = 0; j < inputs.length && result; j++) { result = values[inputs[j]]; }
      } else {
        var lost = 0;
        for (var k = 0; k < inputs.length; k++) { if (values[inputs[k]]) { lost += gate[3][k]; } }
        result = lost >= gate[4] ? 1 : 0;
      }
      values[gate[0]] = result ? 1 : 0;
    }
    return values;
  };

  Model.prototype.set = function (values, name, value) {
    var i = this.index[name];
    if (i !== undefined) { values[i] = value ? 1 : 0; }
  };

  Model.prototype.get = function (values, name) {
    var i = this.index[name];
    return i !== undefined && values[i] === 1;
  };

  /* What the selection fails: hosts, parts and domains (a domain brings its hosts and parts), VMs, services. */
  Model.prototype.failed = function (selection) {
    var hosts = dict(), parts = dict(), domains = dict(), vms = dict(), services = dict(), data = this.data;
    selection.forEach(function (id) {
      var kind = id.slice(0, id.indexOf(":")), name = id.slice(id.indexOf(":") + 1);
      if (kind === "host") { hosts[name] = true; }
      if (kind === "part") { parts[name] = true; }
      if (kind === "vm") { vms[name] = true; }
      if (kind === "service") { services[name] = true; }
      if (kind === "domain") {
        domains[name] = true;
        data.domains[name].hosts.forEach(function (h) { hosts[h] = true; });
        data.domains[name].parts.forEach(function (p) { parts[p] = true; });
      }
    });
    return { hosts: hosts, parts: parts, domains: domains, vms: vms, services: services };
  };

  Model.prototype.partEvents = function (failed, values) {
    var self = this;
    Object.keys(failed.hosts).forEach(function (h) { self.set(values, "host:" + h, true); });
    Object.keys(failed.parts).forEach(function (p) {
      if (self.data.events[p]) { self.set(values, self.data.events[p], true); }
    });
  };

  Model.prototype.stopping = function (vm, host, values) {
    var storage = this.data.vms[this.vmIndex[vm]].storage;
    return (this.isolating[host] && this.get(values, "isolated:" + host)) ||
      (storage && this.get(values, "storage-down:" + storage)) ||
      (this.data.clusterStopsVms && this.get(values, "cluster-down"));
  };

  Model.prototype.placementKey = function (failed) {
    var positions = [], self = this;
    [["host", failed.hosts], ["part", failed.parts], ["domain", failed.domains]].forEach(function (pair) {
      Object.keys(pair[1]).forEach(function (name) { positions.push(self.components[pair[0] + ":" + name].position); });
    });
    return positions.sort(function (a, b) { return a - b; }).join(".");
  };

  /* Where each VM serves in a phase (a host, or null), or undefined when the restarts are not exported. */
  Model.prototype.where = function (failed, phase, values) {
    var data = this.data, self = this;
    if (phase === "immediate" || data.haNone) {
      return data.vms.map(function (vm) { return self.get(values, "vm-down:" + vm.name) ? null : vm.host; });
    }
    var rows = data.placements[this.placementKey(failed)], width = data.slotWidth;
    if (!rows) { return undefined; }
    // A VM failed on a cut-off host leaves the others more room than the exported restarts assume.
    if (data.vms.some(function (vm) { return failed.vms[vm.name] && self.get(values, "isolated:" + vm.host); })) {
      return undefined;
    }
    return data.vms.map(function (vm, i) {
      var row = failed.vms[vm.name] && !failed.hosts[vm.host] ? rows[1] : rows[0];
      var slot = row.substr(i * width, width);
      return slot.charAt(0) === "-" ? null : data.hosts[parseInt(slot, 36)];
    });
  };

  /* Every gate's value in one phase; null when the phase is beyond what the page exports. */
  Model.prototype.evaluate = function (selection, phase) {
    var data = this.data, self = this, failed = this.failed(selection);
    var values = new Uint8Array(data.names.length);
    values[this.index.TRUE] = 1;
    this.partEvents(failed, values);
    Object.keys(failed.vms).forEach(function (v) { self.set(values, "vm:" + v, true); });
    Object.keys(failed.services).forEach(function (s) { self.set(values, "service:" + s, true); });
    this.run(data.gates, values);
    var now = this.where(failed, "immediate", values);
    if (phase === "immediate" || data.haNone) {
      this.run(data.phaseGates.immediate, values);
      return { values: values, where: now, failed: failed, latched: dict(), phase: phase };
    }
    var after = this.where(failed, phase, values);
    if (after === undefined) { return null; }
    var latched = dict();
    Object.keys(data.services).forEach(function (sid) {
      var s = data.services[sid];
      if (!s.latches || failed.services[sid]) { return; }
      var members = s.members.map(function (vm) { return self.vmIndex[vm]; });
      if (!members.every(function (i) { return now[i] === null; })) { return; }
      if (members.some(function (i) { return after[i] === null; }) || !s.selfRecovers) { latched[sid] = true; }
    });
    var next = new Uint8Array(data.names.length);
    next[this.index.TRUE] = 1;
    this.partEvents(failed, next);
    this.run(data.gates, next, function (name) { return !self.platform[name]; });  // the platform gates only
    data.vms.forEach(function (vm, i) { self.set(next, "vm-down:" + vm.name, after[i] === null); });
    Object.keys(data.services).forEach(function (sid) {
      self.set(next, "service:" + sid, failed.services[sid] || latched[sid]);
    });
    this.run(data.gates, next, function (name) { return self.platform[name] || name.indexOf("vm-down:") === 0; });
    this.run(data.phaseGates[phase], next);
    return { values: next, where: after, failed: failed, latched: latched, phase: phase, before: now };
  };

  /* How many more simultaneous part failures each working operation survives from this state. */
  Model.prototype.margins = function (result) {
    var data = this.data, self = this, failed = result.failed;
    var candidates = data.marginParts.filter(function (p) { return !failed.hosts[p] && !failed.parts[p]; });
    var hostsUp = data.hosts.filter(function (h) { return !failed.hosts[h]; }).length;
    var open = dict(), found = dict();
    data.operations.forEach(function (op) {
      if (!self.get(result.values, op.gate)) { open[op.id] = true; }
    });
    // Gates only go down as more fails: what survives every remaining part failing has no cut at all,
    // and then survives losing every host still up (the engine's convention).
    var everything = this.further(result, candidates);
    Object.keys(open).forEach(function (oid) {
      if (!self.get(everything, self.operation(oid).gate)) { found[oid] = { exact: hostsUp }; delete open[oid]; }
    });
    var evaluations = 0, budget = Math.max(1, Math.floor(MARGIN_BUDGET / Math.max(1, data.gates.length / 100)));
    var exhausted = true;
    for (var size = 1; size <= candidates.length && Object.keys(open).length; size++) {
      var combos = choose(candidates.length, size);
      if (evaluations + combos > budget) { exhausted = false; break; }
      forEachSubset(candidates.length, size, function (subset) {
        evaluations++;
        var values = self.further(result, subset.map(function (i) { return candidates[i]; }));
        Object.keys(open).forEach(function (oid) {
          if (self.get(values, self.operation(oid).gate)) { found[oid] = size - 1; delete open[oid]; }
        });
      });
    }
    Object.keys(open).forEach(function (oid) {
      found[oid] = exhausted ? { exact: hostsUp } : { atLeast: size - 1 };
    });
    return found;
  };

  /* The gates once `parts` (hosts, witness, storage, switches) fail too, every VM staying where it is. */
  Model.prototype.further = function (result, parts) {
    var data = this.data, self = this, extra = dict();
    parts.forEach(function (p) { extra[p] = true; });
    var values = new Uint8Array(data.names.length);
    values[this.index.TRUE] = 1;
    this.partEvents(result.failed, values);
    parts.forEach(function (p) { self.set(values, data.events[p] || "host:" + p, true); });
    this.run(data.gates, values, function (name) { return !self.platform[name]; });
    data.vms.forEach(function (vm, i) {
      var host = result.where[i];
      self.set(values, "vm-down:" + vm.name, host === null || extra[host] || self.stopping(vm.name, host, values));
    });
    Object.keys(data.services).forEach(function (sid) {
      self.set(values, "service:" + sid, result.failed.services[sid] || result.latched[sid]);
    });
    this.run(data.gates, values, function (name) { return self.platform[name] || name.indexOf("vm-down:") === 0; });
    return values;
  };

  Model.prototype.operation = function (oid) {
    if (!this.operationsById) {
      var byId = dict();
      this.data.operations.forEach(function (op) { byId[op.id] = op; });
      this.operationsById = byId;
    }
    return this.operationsById[oid];
  };

  function choose(n, k) {
    var result = 1;
    for (var i = 0; i < k; i++) { result = result * (n - i) / (i + 1); }
    return Math.round(result);
  }

  function forEachSubset(n, k, visit) {
    var subset = [];
    for (var i = 0; i < k; i++) { subset.push(i); }
    while (true) {
      visit(subset);
      var j = k - 1;
      while (j >= 0 && subset[j] === n - k + j) { j--; }
      if (j < 0) { return; }
      subset[j]++;
      for (var m = j + 1; m < k; m++) { subset[m] = subset[m - 1] + 1; }
    }
  }

  // ---- reasons: the model's down and impaired gates, walked to the services whose members fail them --

  Model.prototype.gateInputs = function (name, phase) {
    if (!this.gateByName) {
      var byPhase = dict(), data = this.data;
      ["immediate", "after-restart"].forEach(function (p) {
        var byName = dict();
        data.gates.concat(data.phaseGates[p]).forEach(function (gate) {
          byName[data.names[gate[0]]] = gate[2].map(function (i) { return data.names[i]; });
        });
        byPhase[p] = byName;
      });
      this.gateByName = byPhase;
    }
    return this.gateByName[this.data.haNone ? "immediate" : phase][name] || [];
  };

  /* The services under a down gate whose own members are down, with the chain that reaches them. */
  Model.prototype.rootCauses = function (start, values, phase, also) {
    var found = dict(), order = [], queue = [[start, []]], seen = dict(), self = this;
    seen[start] = true;
    (also || []).forEach(function (name) { if (!seen[name]) { seen[name] = true; queue.push([name, []]); } });
    while (queue.length) {
      var item = queue.shift(), name = item[0], via = item[1];
      if (name === "TRUE") { if (!found.TRUE) { found.TRUE = via; order.push("TRUE"); } continue; }
      if (name.indexOf("own:") === 0 || name.indexOf("impaired-own:") === 0) {
        var sid = name.slice(name.indexOf(":") + 1), key = name.indexOf("own:") === 0 ? "down:" + sid : "impaired:" + sid;
        if (!found[key]) { found[key] = via; order.push(key); }
        continue;
      }
      this.gateInputs(name, phase).forEach(function (input) {
        if (!seen[input] && (input === "TRUE" || self.get(values, input))) {
          seen[input] = true;
          var step = input.indexOf("service-down:") === 0 || input.indexOf("backend-down:") === 0
            ? via.concat([input.slice(input.indexOf(":") + 1)]) : via;
          queue.push([input, step]);
        }
      });
    }
    return order.map(function (key) { return { key: key, via: found[key] }; });
  };

  /* Why a VM does not serve, as a phrase without the VM: "kvm-01 failed", "its storage ceph-mgmt is down". */
  Model.prototype.vmCause = function (vm, result) {
    var info = this.data.vms[this.vmIndex[vm]], failed = result.failed, values = result.values;
    var origin = info.host;
    if (failed.vms[vm] && !failed.hosts[origin]) { return "failed" + (result.phase === "immediate" ? "" : ", not restarted"); }
    if (failed.hosts[origin]) {
      return origin + " failed" + (result.phase === "immediate" || this.data.haNone ? "" : ", not restarted elsewhere");
    }
    if (this.isolating[origin] && this.get(values, "isolated:" + origin)) { return origin + " is cut off"; }
    if (info.storage && this.get(values, "storage-down:" + info.storage)) { return "storage " + info.storage + " is down"; }
    if (this.data.clusterStopsVms && this.get(values, "cluster-down")) { return "the cluster lost quorum"; }
    return "down";
  };

  /* A service's own state in a few words: "no instance running", "lost quorum: 1 of 3 votes up". */
  Model.prototype.serviceState = function (sid, result, vms) {
    var s = this.data.services[sid], self = this;
    if (result.failed.services[sid]) { return "down on every VM"; }
    if (result.latched[sid]) { return "lost every member at once, stays down until bootstrapped"; }
    var down = function (vm) { return result.where[self.vmIndex[vm]] === null; };
    var arbitratorFailed = s.arbitrator && result.failed.services[s.arbitrator];
    var lost = s.members.filter(down);
    var lostArbiters = s.arbiters.filter(function (vm) { return arbitratorFailed || down(vm); });
    lost.concat(lostArbiters).forEach(function (vm) { vms[vm] = true; });
    if (s.model === "quorum") {
      var votes = s.members.length + s.arbiters.length;
      return "lost quorum: " + (votes - lost.length - lostArbiters.length) + " of " + votes + " votes up";
    }
    return "no instance running";
  };

  Model.prototype.reason = function (op, state, result, causes) {
    if (state === "ok") { return ""; }
    var self = this, vms = dict();
    var words = causes.map(function (cause) {
      if (cause.key === "TRUE") { return "a service this design does not deploy"; }
      var sid = cause.key.slice(cause.key.indexOf(":") + 1), s = self.data.services[sid];
      if (cause.key.indexOf("down:") === 0) { return sid + " (" + self.serviceState(sid, result, vms) + ")"; }
      s.members.forEach(function (vm) { if (result.where[self.vmIndex[vm]] === null) { vms[vm] = true; } });
      var holds = self.gateInputs("impaired-own:" + sid, result.phase).filter(function (name) {
        return self.get(result.values, name);
      });
      return sid + " (" + (holds.length ? s.impairments[holds[0]] : "works less well") + ")";
    });
    var byCause = dict(), order = [];
    Object.keys(vms).forEach(function (vm) {
      var cause = self.vmCause(vm, result);
      if (!byCause[cause]) { byCause[cause] = []; order.push(cause); }
      byCause[cause].push(vm);
    });
    var down = order.map(function (cause) { return join(byCause[cause]) + ": " + cause; });
    return (state === "down" ? "Stops: needs " : "Works less well: ") + join(words) + "." +
      (down.length ? " Down: " + down.join("; ") + "." : "");
  };

  /* The explorer's answer for a selection and a phase: each operation's state, reason and margin. */
  Model.prototype.answer = function (selection, phase, options) {
    var result = this.evaluate(selection, phase), self = this;
    if (!result) { return null; }
    var margins = options && options.margins === false ? {} : this.margins(result);
    return {
      result: result,
      operations: this.data.operations.map(function (op) {
        var state = self.get(result.values, op.gate) ? "down"
          : self.get(result.values, "degraded:" + op.id) ? "degraded" : "ok";
        var margin = state === "down" ? null : margins[op.id];
        // Every alternative of a group down: each one's causes count (the engine's reading of requires_any).
        var also = [];
        if (state === "down") {
          op.anyOf.forEach(function (group) {
            if (group.every(function (g) { return g === "TRUE" || self.get(result.values, g); })) {
              also = also.concat(group);
            }
          });
        }
        var causes = state === "ok" ? [] : self.rootCauses(state === "down" ? op.gate : "degraded:" + op.id,
                                                          result.values, result.phase, also);
        return { id: op.id, name: op.name, plane: op.plane, state: state, margin: margin,
                 reason: self.reason(op, state, result, causes),
                 causes: causes.map(function (c) { return c.key.slice(c.key.indexOf(":") + 1); }) };
      }),
    };
  };

  // ---- the page --------------------------------------------------------------------------------------

  function marginWords(margin) {
    if (margin === null || margin === undefined) { return "\u2013"; }
    if (typeof margin === "number") { return String(margin); }
    if (margin.exact !== undefined) { return String(margin.exact); }
    return "\u2265 " + margin.atLeast;
  }

  function readUrl(model) {
    var params = new URLSearchParams(window.location.search);
    var selection = (params.get("fail") || "").split(",").filter(function (id) { return model.components[id]; });
    var phase = params.get("phase") === "after-restart" ? "after-restart" : "immediate";
    return { selection: selection, phase: phase };
  }

  function writeUrl(selection, phase) {
    var params = new URLSearchParams(window.location.search);
    if (selection.length) { params.set("fail", selection.join(",")); } else { params.delete("fail"); }
    if (phase !== "immediate") { params.set("phase", phase); } else { params.delete("phase"); }
    var query = params.toString();
    window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
  }

  function start(root) {
    var source = root.querySelector("script[type='application/json']");
    var app = root.querySelector(".refarch-whatif-app");
    if (!source || !app) { return; }
    var model = new Model(JSON.parse(source.textContent));
    var state = readUrl(model);
    var boxes = dict(), folds = [];

    var groups = el("div", { class: "refarch-whatif-groups" });
    ["host", "domain", "vm", "service", "part"].forEach(function (kind) {
      var members = model.data.components.filter(function (c) { return c.kind === kind; });
      if (!members.length) { return; }
      var fieldset = el("fieldset", { class: "refarch-whatif-group" }, [el("legend", { text: KIND_WORDS[kind] })]);
      members.forEach(function (c) {
        var input = el("input", { type: "checkbox", "data-whatif-component": c.name, "data-whatif-kind": c.kind,
                                  id: "whatif-" + c.id.replace(/[^a-z0-9-]/g, "-") });
        boxes[c.id] = input;
        var label = el("label", { for: input.id, title: c.detail }, [input, document.createTextNode(" " + c.name)]);
        if (c.detail) { input.setAttribute("aria-description", c.detail); }
        fieldset.appendChild(label);
      });
      if (kind === "vm" || kind === "service") {  // long lists: folded until opened or used
        var fold = el("details", { class: "refarch-whatif-fold", "data-whatif-fold": kind },
                      [el("summary", { text: KIND_WORDS[kind] + " (" + members.length + ")" }), fieldset]);
        folds.push([fold, members]);
        groups.appendChild(fold);
      } else {
        groups.appendChild(fieldset);
      }
    });

    var phaseSwitch = el("fieldset", { class: "refarch-whatif-phase", "data-whatif-phase": state.phase },
                         [el("legend", { text: "Phase" })]);
    var radios = dict();
    ["immediate", "after-restart"].forEach(function (phase) {
      var input = el("input", { type: "radio", name: "whatif-phase-" + model.data.id, value: phase,
                                id: "whatif-phase-" + phase });
      radios[phase] = input;
      phaseSwitch.appendChild(el("label", { for: input.id }, [input, document.createTextNode(" " + PHASE_WORDS[phase])]));
    });
    var reset = el("button", { type: "button", class: "md-button", "data-whatif-reset": "", text: "Reset" });
    var showAll = el("input", { type: "checkbox", id: "whatif-show-all-" + model.data.id, "data-whatif-show-all": "" });
    var showAllLabel = el("label", { for: showAll.id, class: "refarch-whatif-show-all" },
                          [showAll, document.createTextNode(" Show the operations that work, too")]);
    var summary = el("p", { class: "refarch-whatif-summary", "aria-live": "polite", "data-whatif-summary": "" });
    var tbody = el("tbody");
    var table = el("table", {}, [
      el("thead", {}, [el("tr", {}, [el("th", { text: "Operation" }), el("th", { text: "State" }),
                                       el("th", { text: "Margin", title: "How many more part failures it survives from here" }), el("th", { text: "Why" })])]),
      tbody]);
    var rows = dict();
    model.data.operations.forEach(function (op) {
      var stateCell = el("td"), marginCell = el("td"), reasonCell = el("td");
      var row = el("tr", { "data-whatif-operation": op.id, "data-state": "ok" },
                   [el("td", { text: op.name }),
                    stateCell, marginCell, reasonCell]);
      rows[op.id] = { row: row, state: stateCell, margin: marginCell, reason: reasonCell };
      tbody.appendChild(row);
    });
    var controls = el("div", { class: "refarch-whatif-controls" }, [phaseSwitch, reset, showAllLabel]);
    app.appendChild(groups);
    app.appendChild(controls);
    app.appendChild(summary);
    app.appendChild(el("div", { class: "md-typeset__scrollwrap" }, [el("div", { class: "md-typeset__table refarch-whatif-table" }, [table])]));
    app.hidden = false;
    var diagram = document.querySelector("[data-whatif-diagram]");

    function selection() {
      return model.data.components.filter(function (c) { return boxes[c.id].checked; }).map(function (c) { return c.id; });
    }

    function render() {
      var chosen = selection(), phase = radios["after-restart"].checked ? "after-restart" : "immediate";
      phaseSwitch.setAttribute("data-whatif-phase", phase);
      writeUrl(chosen, phase);
      var answer = model.answer(chosen, phase);
      if (!answer) {
        summary.textContent = "After the restarts, this combination is beyond what this page precomputes (where " +
          "the platform restarts VMs depends on capacity and anti-affinity): see \u201cRight after the failure\u201d, or run ";
        summary.appendChild(el("code", { text: "refarch impact architectures/" + model.data.id + ".yaml " +
          chosen.map(function (id) { return "--fail " + id.slice(id.indexOf(":") + 1); }).join(" ") }));
        summary.appendChild(document.createTextNode("."));
        root.setAttribute("data-whatif-beyond", "true");
        Object.keys(rows).forEach(function (oid) {
          rows[oid].row.setAttribute("data-state", "unknown");
          rows[oid].state.textContent = "? not computed";
          rows[oid].margin.textContent = "";
          rows[oid].reason.textContent = "";
        });
        overlay(null, chosen);
        return;
      }
      root.removeAttribute("data-whatif-beyond");
      var counts = { ok: 0, degraded: 0, down: 0 };
      answer.operations.forEach(function (op) {
        counts[op.state]++;
        var cells = rows[op.id];
        cells.row.setAttribute("data-state", op.state);
        cells.state.textContent = "";
        cells.state.appendChild(el("span", { class: "refarch-state refarch-" + op.state,
                                             text: STATE_MARK[op.state] + " " + op.state }));
        cells.margin.textContent = marginWords(op.margin);
        cells.reason.textContent = op.reason;
      });
      var what = chosen.length ? join(chosen.map(function (id) { return model.components[id].name; })) +
        (chosen.length > 1 ? " fail" : " fails") : "Nothing fails";
      summary.textContent = what + " (" + PHASE_WORDS[phase].toLowerCase() + "): " + counts.down + " operations stop, " +
        counts.degraded + " work less well, " + counts.ok + " work." +
        (model.data.haNone && phase === "after-restart" ? " The platform has no HA here: nothing restarts." : "");
      overlay(answer.result, chosen);
    }

    function overlay(result, chosen) {
      if (!diagram) { return; }
      var svg = diagram.querySelector("svg");
      if (!svg) { return; }
      Array.prototype.forEach.call(svg.querySelectorAll(".refarch-failed, .refarch-down"), function (node) {
        node.classList.remove("refarch-failed", "refarch-down");
      });
      var failedIds = [];
      if (result) {
        Object.keys(result.failed.hosts).forEach(function (h) { failedIds.push("refarch-host-" + h); });
        Object.keys(result.failed.parts).forEach(function (p) { failedIds.push("refarch-part-" + p); });
        Object.keys(result.failed.vms).forEach(function (v) { failedIds.push("refarch-vm-" + v); });
        Object.keys(model.data.events).forEach(function (part) {  // storage lost as a whole or with its hosts
          var node = svg.getElementById ? svg.getElementById("refarch-part-" + part) : null;
          if (node && model.get(result.values, "storage-down:" + part)) { node.classList.add("refarch-down"); }
        });
        model.data.vms.forEach(function (vm, i) {
          if (result.where[i] === null) {
            var node = svg.getElementById ? svg.getElementById("refarch-vm-" + vm.name) : null;
            if (node) { node.classList.add("refarch-down"); }
          }
        });
      } else {
        chosen.forEach(function (id) { failedIds.push("refarch-" + id.replace(":", "-")); });
      }
      failedIds.forEach(function (id) {
        var node = svg.getElementById ? svg.getElementById(id) : null;
        if (node) { node.classList.add("refarch-failed"); }
      });
    }

    state.selection.forEach(function (id) { boxes[id].checked = true; });
    folds.forEach(function (pair) {
      if (pair[1].some(function (c) { return boxes[c.id].checked; })) { pair[0].open = true; }
    });
    showAll.addEventListener("change", function () { app.classList.toggle("refarch-whatif-all", showAll.checked); });
    radios[state.phase].checked = true;
    Object.keys(boxes).forEach(function (id) { boxes[id].addEventListener("change", render); });
    Object.keys(radios).forEach(function (phase) { radios[phase].addEventListener("change", render); });
    reset.addEventListener("click", function () {
      Object.keys(boxes).forEach(function (id) { boxes[id].checked = false; });
      radios.immediate.checked = true;
      render();
    });
    root.refarchWhatIf = model;  // for tests: the same evaluator the page uses
    if (diagram) { inlineDiagram(diagram, render); } else { render(); }
  }

  /* Replace the diagram's <img> by the SVG itself (same origin), so that failed parts can be marked. */
  function inlineDiagram(figure, then) {
    var img = figure.querySelector("img");
    if (!img || !window.fetch || !window.DOMParser) { then(); return; }
    fetch(img.getAttribute("src")).then(function (response) {
      if (!response.ok) { throw new Error(response.status); }
      return response.text();
    }).then(function (text) {
      var doc = new DOMParser().parseFromString(text, "image/svg+xml");
      var svg = doc.documentElement;
      if (svg.nodeName.toLowerCase() !== "svg") { return; }
      // Ours and checked when drawn (no links, no images); cleaned again before it joins the page.
      Array.prototype.forEach.call(svg.querySelectorAll("script, foreignObject, style, a, animate, set, image, use"),
        function (node) { node.remove(); });
      Array.prototype.forEach.call(svg.querySelectorAll("*"), function (node) {
        Array.prototype.slice.call(node.attributes).forEach(function (attr) {
          var name = attr.name.toLowerCase();
          if (name.indexOf("on") === 0 || name === "href" || name === "xlink:href" || name === "style") {
            node.removeAttribute(attr.name);
          }
        });
      });
      var imported = document.importNode(svg, true);
      imported.setAttribute("role", "img");
      imported.setAttribute("aria-label", img.getAttribute("alt") || "");
      img.replaceWith(imported);
    }).catch(function () { /* the <img> stays: nothing is marked on it */ }).then(then);
  }

  function startAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-refarch-whatif]"), start);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startAll);
  } else {
    startAll();
  }
})();
