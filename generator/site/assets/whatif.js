/* The what-if explorer of an architecture page: toggle failed hosts, VMs, failure domains, services and
 * platform parts, and read what every operation does, right after the failure or after the platform's
 * restarts, and why. It runs on the architecture's compiled failure model, which the page embeds as JSON
 * (generator/render/explorer.py): the gates and each phase's gates, the data of the restart procedure,
 * and the phrase table. The script repeats no rule of OpenStack or of the platforms (they all live in
 * the gates); it evaluates them, runs the same restart procedure as generator/analysis/restarts.py and
 * placement.py on the exported data, builds each operation's explanation by the same walk as
 * generator/analysis/explanation.py, and joins `why` texts and summaries by the same steps as
 * generator/render/phrases.py. Margins it finds by trying further part failures on the same gates
 * (beyond a budget it says "at least"). Tests hold its states, margins, `why` texts and summaries equal
 * to the command line's, in Chromium. Self-hosted, no libraries; the page works without it (a
 * <noscript> note says so). */
(function () {
  "use strict";

  var KIND_OR = 0, KIND_AND = 1;
  // Sets of further failures tried per phase for margins, for a model of 100 gates (fewer for larger
  // models); beyond, a margin reads "at least".
  var MARGIN_BUDGET = 6000;
  var WHY_LIMIT = 200, NAMES_LISTED = 3;
  var STATE_MARK = { ok: "\u2714", degraded: "\u25B2", down: "\u2716" };
  var PHASE_WORDS = { immediate: "Right after the failure", "after-restart": "After the platform restarts VMs" };
  var KIND_WORDS = { host: "Hosts", domain: "Failure domains", vm: "VMs", service: "Services (every instance)",
                     part: "Platform parts" };
  var IMPAIRMENTS = ["writer-lost", "active-lost", "shard-lost", "every-copy-lost", "copy-lost"];
  var FAILED_PARTS = ["host", "vm", "service", "witness", "storage", "switch", "fencing", "management", "domain"];
  var LEAF_OF_EVENT = [["host:", "host"], ["witness:", "witness"], ["storage:", "storage"], ["switch:", "switch"],
                       ["fencing:", "fencing"], ["management:", "management"], ["power:", "domain"]];
  var CAUSE_ORDER = ["failed", "offline", "maintenance", "quorum-lost", "storage-down", "isolated", "unfenced", "local-disk",
                     "no-room", "siblings", "migration-blocked"];
  var LINK_ORDER = ["needs", "one of", "only", "uses"];

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
  function set(names) { var d = dict(); names.forEach(function (n) { d[n] = true; }); return d; }

  function starts(text, prefix) { return text.slice(0, prefix.length) === prefix; }
  function after(text, sep) { return text.slice(text.indexOf(sep) + sep.length); }
  function compare(a, b) { return a < b ? -1 : a > b ? 1 : 0; }
  function sorted(names) { return names.slice().sort(compare); }

  // ---- words (generator/render/phrases.py) ------------------------------------------------------------

  function joinAnd(words) {
    if (words.length < 2) { return words.join(""); }
    return words.slice(0, -1).join(", ") + " and " + words[words.length - 1];
  }

  function joinListed(names, limit) {
    if (names.length <= limit) { return joinAnd(names); }
    return names.slice(0, limit).join(", ") + " and " + (names.length - limit) + " more";
  }

  function fill(template, facts) {
    var out = "", rest = template;
    while (rest.indexOf("{") >= 0) {
      var head = rest.slice(0, rest.indexOf("{")), tail = rest.slice(rest.indexOf("{") + 1);
      var key = tail.slice(0, tail.indexOf("}"));
      out += head + String(facts[key]);
      rest = tail.slice(tail.indexOf("}") + 1);
    }
    return out + rest;
  }

  function extend(target, source) {
    Object.keys(source || {}).forEach(function (key) { target[key] = source[key]; });
    return target;
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
    this.byPhase = dict();
    ["immediate", "after-restart"].forEach(function (phase) {
      var byName = dict();
      data.gates.concat(data.phaseGates[phase]).forEach(function (gate) {
        byName[data.names[gate[0]]] = gate[2].map(function (i) { return data.names[i]; });
      });
      self.byPhase[phase] = byName;
    });
    this.operationsById = dict();
    data.operations.forEach(function (op) { self.operationsById[op.id] = op; });
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

  /* A gate's value; `absent`, what a gate the model does not have counts as (false unless given). */
  Model.prototype.get = function (values, name, absent) {
    var i = this.index[name];
    return i === undefined ? absent === true : values[i] === 1;
  };

  /* What the selection fails: hosts, parts and domains (a domain brings its hosts and parts, and fails
   * its power), VMs, services; `named`: the hosts and parts chosen one by one. */
  Model.prototype.failed = function (selection) {
    var hosts = dict(), parts = dict(), domains = dict(), vms = dict(), services = dict(), named = [];
    var data = this.data;
    selection.forEach(function (id) {
      var kind = id.slice(0, id.indexOf(":")), name = after(id, ":");
      if (kind === "host") { hosts[name] = true; named.push(name); }
      if (kind === "part") { parts[name] = true; named.push(name); }
      if (kind === "vm") { vms[name] = true; }
      if (kind === "service") { services[name] = true; }
      if (kind === "domain") {
        domains[name] = true;
        data.domains[name].hosts.forEach(function (h) { hosts[h] = true; });
        data.domains[name].parts.forEach(function (p) { parts[p] = true; });
      }
    });
    return { hosts: hosts, parts: parts, domains: domains, vms: vms, services: services, named: named };
  };

  /* What failed, by the names a reader gave (generator.analysis.scenarios.Scenario.failed). */
  Model.prototype.failedNames = function (failed) {
    var domains = sorted(Object.keys(failed.domains));
    var first = domains.length ? domains.concat(sorted(failed.named))
      : sorted(Object.keys(failed.hosts)).concat(sorted(Object.keys(failed.parts)));
    return first.concat(sorted(Object.keys(failed.vms))).concat(sorted(Object.keys(failed.services)));
  };

  /* The values of the platform's gates, with the failed parts', VMs', fencing, management and power
   * events set. */
  Model.prototype.platformValues = function (failed) {
    var self = this, data = this.data, values = new Uint8Array(data.names.length);
    values[this.index.TRUE] = 1;
    Object.keys(failed.hosts).forEach(function (h) { self.set(values, "host:" + h, true); });
    Object.keys(failed.vms).forEach(function (v) { self.set(values, "vm:" + v, true); });
    Object.keys(failed.parts).concat(Object.keys(failed.domains)).forEach(function (name) {
      if (data.events[name]) { self.set(values, data.events[name], true); }
    });
    this.run(data.gates, values, function (name) { return !self.platform[name]; });
    return values;
  };

  Model.prototype.stopping = function (vm, host, values) {
    var storage = this.data.vms[this.vmIndex[vm]].storage, found = [];
    if (this.isolating[host] && this.get(values, "isolated:" + host)) { found.push("isolated:" + host); }
    if (storage && this.get(values, "storage-down:" + storage)) { found.push("storage-down:" + storage); }
    if (this.data.clusterStopsVms && this.get(values, "cluster-down")) { found.push("cluster-down"); }
    return found;
  };

  // ---- the restart procedure (generator/analysis/restarts.py, placement.py) ----------------------------

  /* Where the platform puts VMs it must move: largest first, each on the available host with the most
   * free memory that has room and that anti-affinity allows. */
  Model.prototype.move = function (where, moving, unavailable) {
    var data = this.data, r = data.restarts, self = this;
    var hosts = r.hostOrder.filter(function (h) { return !unavailable[h]; });
    var free = dict(), serving = dict(), placed = where.slice(), movingSet = dict(), stranded = dict();
    r.hostOrder.forEach(function (h) {
      free[h] = [r.capacity && r.hostCpus[h] !== null ? r.hostCpus[h] : Infinity,
                 r.capacity && r.hostMemory[h] !== null ? r.hostMemory[h] : Infinity];
    });
    hosts.forEach(function (h) { serving[h] = dict(); });
    moving.forEach(function (v) { movingSet[v] = true; });
    data.vms.forEach(function (vm, i) {
      var host = where[i];
      if (host !== null && !movingSet[vm.name]) {
        free[host][0] -= vm.cpus;
        free[host][1] -= vm.memory;
        if (serving[host]) { vm.services.forEach(function (s) { serving[host][s] = true; }); }
      }
    });
    var info = function (v) { return data.vms[self.vmIndex[v]]; };
    var order = moving.slice().sort(function (a, b) {
      var x = info(a), y = info(b);
      return compare(-x.memory, -y.memory) || compare(-x.cpus, -y.cpus) || compare(a, b);
    });
    order.forEach(function (v) {
      var vm = info(v);
      var fits = hosts.filter(function (h) { return free[h][0] >= vm.cpus && free[h][1] >= vm.memory; });
      var apart = fits.filter(function (h) { return !vm.services.some(function (s) { return serving[h][s]; }); });
      var choices = r.antiAffinity === null ? fits
        : (r.antiAffinity === "mandatory" || apart.length) ? apart : fits;
      if (!choices.length) {
        placed[self.vmIndex[v]] = null;
        stranded[v] = fits.length ? "siblings" : "no-room";
        return;
      }
      var target = choices.reduce(function (best, h) {
        return (compare(-free[h][1], -free[best][1]) || compare(-free[h][0], -free[best][0]) || compare(h, best)) < 0
          ? h : best;
      });
      placed[self.vmIndex[v]] = target;
      vm.services.forEach(function (s) { serving[target][s] = true; });
      free[target][0] -= vm.cpus;
      free[target][1] -= vm.memory;
    });
    return { where: placed, stranded: stranded };
  };

  /* Where each VM serves in a phase, and why the others do not: `down` maps a VM to the events and gates
   * that stopped it (`causes`) and those that kept it from restarting (`blockers`). */
  Model.prototype.place = function (failed, phase, values) {
    var data = this.data, r = data.restarts, self = this;
    var where = data.vms.map(function (vm) { return vm.host; });
    var before = where.slice(), down = new Map(), lost = [];
    var gone = extend(extend(dict(), failed.hosts), set(data.offline));  // an offline host has failed already
    data.vms.forEach(function (vm, i) {
      if (gone[where[i]]) {
        lost.push(vm.name);
        where[i] = null;
        down.set(vm.name, { host: before[i], causes: ["host:" + before[i]], blockers: [] });
      }
    });
    var failedVms = sorted(Object.keys(failed.vms));
    failedVms.forEach(function (v) {
      var i = self.vmIndex[v];
      if (where[i] !== null) {
        where[i] = null;
        down.set(v, { host: before[i], causes: ["vm:" + v], blockers: [] });
      }
    });
    var cutOff = dict();
    data.isolating.forEach(function (h) {
      if (self.get(values, "isolated:" + h) && !gone[h]) { cutOff[h] = true; }
    });
    if (phase === "after-restart" && r.enabled) {
      if (r.blockedBy && this.get(values, r.blockedBy)) {
        var seen = dict();
        lost.concat(failedVms).forEach(function (v) {
          if (seen[v] || !down.has(v)) { return; }
          seen[v] = true;
          down.get(v).blockers.push(r.blockedBy);
        });
      } else {
        failedVms.forEach(function (v) {
          var host = before[self.vmIndex[v]];
          if (host !== null && !gone[host] && !cutOff[host]) {
            where[self.vmIndex[v]] = host;
            down.delete(v);
          }
        });
        var movers = [], leaving = [], alone = set(r.aloneRestart), split = set(r.cutOffRestart);
        data.vms.forEach(function (vm, i) {
          // a host whose every switch failed (`alone:`; without uplinks, every cut-off host), or one on the other side
          var restartable = self.get(values, "alone:" + where[i], true) ? alone : split;
          if (cutOff[where[i]] && restartable[vm.name]) { leaving.push(vm.name); }
        });
        lost.concat(leaving).forEach(function (v) {
          var i = self.vmIndex[v], origin = before[i];
          var cause = down.has(v) ? down.get(v).causes : ["isolated:" + origin];
          var kept = self.keptDown(v, origin, values);
          if (kept) {
            where[i] = null;
            down.set(v, { host: origin, causes: cause, blockers: [kept] });
            return;
          }
          movers.push(v);
          down.set(v, { host: origin, causes: cause, blockers: [] });
        });
        var unavailable = extend(extend(extend(dict(), gone), cutOff), set(r.standby));
        var moved = this.move(where, movers, unavailable);
        where = moved.where;
        movers.forEach(function (v) {
          if (moved.stranded[v]) { down.get(v).blockers = [moved.stranded[v]]; } else { down.delete(v); }
        });
      }
    }
    data.vms.forEach(function (vm, i) {
      var host = where[i];
      if (host === null) { return; }
      var stops = self.stopping(vm.name, host, values);
      if (stops.length) {
        where[i] = null;
        down.set(vm.name, { host: host, causes: stops, blockers: [] });
      }
    });
    return { where: where, down: down };
  };

  /* What keeps a VM whose host failed or is cut off from restarting elsewhere, if anything. */
  Model.prototype.keptDown = function (v, origin, values) {
    var vm = this.data.vms[this.vmIndex[v]];
    if (vm.local) { return "local-disk"; }
    if (vm.storage && this.get(values, "storage-down:" + vm.storage)) { return "storage-down:" + vm.storage; }
    if (this.data.restarts.fenced && this.get(values, "unfenced:" + origin)) { return "unfenced:" + origin; }
    return null;
  };

  /* Every gate's value in one phase, with the placement that gave the VMs' values. */
  Model.prototype.evaluate = function (selection, phase) {
    var data = this.data, failed = this.failed(selection);
    var platform = this.platformValues(failed);
    var now = this.place(failed, "immediate", platform);
    var values = this.layers(platform, now.where, failed, []);
    if (phase === "immediate" || data.haNone) {
      this.run(data.phaseGates.immediate, values);
      return { values: values, placement: now, failed: failed, phase: phase, gatesPhase: "immediate", before: [] };
    }
    var self = this;
    var before = data.before.filter(function (name) { return self.get(values, name.slice("before:".length)); });
    var later = this.place(failed, phase, platform);
    var next = this.layers(platform, later.where, failed, before);
    this.run(data.phaseGates[phase], next);
    return { values: next, placement: later, failed: failed, phase: phase, gatesPhase: phase, before: before };
  };

  /* The gates above the VMs on a placement, over the platform's values. */
  Model.prototype.layers = function (platform, where, failed, before) {
    var self = this, data = this.data, values = platform.slice();
    data.vms.forEach(function (vm, i) { self.set(values, "vm-down:" + vm.name, where[i] === null); });
    Object.keys(data.services).forEach(function (sid) { self.set(values, "service:" + sid, failed.services[sid]); });
    before.forEach(function (name) { self.set(values, name, true); });
    this.run(data.gates, values, function (name) { return self.platform[name] || starts(name, "vm-down:"); });
    return values;
  };

  // ---- margins: further part failures on the same gates ----------------------------------------------

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
      if (!self.get(everything, self.operationsById[oid].gate)) { found[oid] = { exact: hostsUp }; delete open[oid]; }
    });
    var evaluations = 0, budget = Math.max(1, Math.floor(MARGIN_BUDGET / Math.max(1, data.gates.length / 100)));
    var exhausted = true, size;
    for (size = 1; size <= candidates.length && Object.keys(open).length; size++) {
      var combos = choose(candidates.length, size);
      if (evaluations + combos > budget) { exhausted = false; break; }
      forEachSubset(candidates.length, size, function (subset) {
        evaluations++;
        var values = self.further(result, subset.map(function (i) { return candidates[i]; }));
        Object.keys(open).forEach(function (oid) {
          if (self.get(values, self.operationsById[oid].gate)) { found[oid] = size - 1; delete open[oid]; }
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
    Object.keys(result.failed.hosts).forEach(function (h) { self.set(values, "host:" + h, true); });
    Object.keys(result.failed.parts).forEach(function (p) {
      if (data.events[p]) { self.set(values, data.events[p], true); }
    });
    parts.forEach(function (p) { self.set(values, data.events[p] || "host:" + p, true); });
    this.run(data.gates, values, function (name) { return !self.platform[name]; });
    data.vms.forEach(function (vm, i) {
      var host = result.placement.where[i];
      self.set(values, "vm-down:" + vm.name, host === null || extra[host] || self.stopping(vm.name, host, values).length);
    });
    Object.keys(data.services).forEach(function (sid) { self.set(values, "service:" + sid, result.failed.services[sid]); });
    result.before.forEach(function (name) { self.set(values, name, true); });
    this.run(data.gates, values, function (name) { return self.platform[name] || starts(name, "vm-down:"); });
    return values;
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

  // ---- explanations (generator/analysis/explanation.py) ------------------------------------------------

  function node(kind, name, facts, children, link) {
    return { kind: kind, name: name, facts: facts || {}, children: children || [], link: link || "" };
  }

  function reached(n, link, facts) {
    if (!link && !facts) { return n; }
    return { kind: n.kind, name: n.name, facts: extend(extend({}, n.facts), facts), children: n.children, link: link };
  }

  function distinct(nodes) {
    var seen = dict(), out = [];
    nodes.forEach(function (n) {
      var key = n.kind + "\u0000" + n.name + "\u0000" + n.link;
      if (!seen[key]) { seen[key] = true; out.push(n); }
    });
    return out;
  }

  function Explainer(model, result) {
    this.model = model;
    this.data = model.data;
    this.values = result.values;
    this.placement = result.placement;
    this.gates = model.byPhase[result.gatesPhase];
    this.offline = set(model.data.offline);
    this.memo = dict();
  }

  Explainer.prototype.holds = function (name) { return this.model.get(this.values, name); };

  Explainer.prototype.members = function (sid) {
    return this.data.services[sid].members.map(function (vm) { return "vm-down:" + vm; });
  };

  Explainer.prototype.operation = function (op) {
    var self = this, need = this.data.needs[op.id], children = [];
    if (this.holds(op.gate)) {
      need.requires.forEach(function (g) { if (self.holds(g)) { children.push(reached(self.node(g), "needs")); } });
      need.anyOf.forEach(function (group) {
        if (group.every(function (g) { return self.holds(g); })) {
          group.forEach(function (g) { children.push(reached(self.node(g), "one of")); });
        }
      });
      return node("operation", op.id, { state: "down" }, distinct(children));
    }
    if (!this.holds("degraded:" + op.id)) { return null; }
    var data = need.plane === "data";
    need.requires.forEach(function (g) {
      var impaired = (data ? "impaired-own:" : "impaired:") + after(g, ":");
      if (self.holds(impaired)) { children.push(reached(self.node(impaired), "needs")); }
    });
    need.anyOf.forEach(function (group) {
      var serving = group.filter(function (g) { return !self.holds(g); }).map(function (g) { return after(g, ":"); });
      group.forEach(function (g) {
        if (self.holds(g)) { children.push(reached(self.node(g), "only", { serving: serving })); }
      });
    });
    need.uses.forEach(function (g) {
      var impaired = (data ? "impaired-own:" : "impaired:") + after(g, ":");
      if (self.holds(g)) { children.push(reached(self.node(g), "uses")); }
      else if (self.holds(impaired)) { children.push(reached(self.node(impaired), "uses")); }
    });
    return node("operation", op.id, { state: "degraded" }, distinct(children));
  };

  /* The services whose own gates make an operation's state, each by its shortest chain (needs before
   * uses), in the order met. */
  Explainer.prototype.rootCauses = function (op) {
    var found = new Map(), queue = op.children.map(function (c) { return [c, [], [c.link], c]; });
    while (queue.length) {
      var item = queue.shift(), current = item[0], via = item[1], links = item[2], first = item[3];
      if (current.kind !== "service") { continue; }
      if (current.facts.how !== "needs") {
        var cause = { service: current.name, node: current, via: via, links: links, first: first,
                      uses: links.indexOf("uses") >= 0 };
        var known = found.get(current.name);
        if (!known || (cause.uses ? 1 : 0) < (known.uses ? 1 : 0) ||
            ((cause.uses === known.uses) && cause.via.length < known.via.length)) {
          found.set(current.name, cause);
        }
      }
      current.children.forEach(function (c) {
        if (c.kind === "service") { queue.push([c, via.concat([current.name]), links.concat([c.link]), first]); }
      });
    }
    return Array.from(found.values());
  };

  Explainer.prototype.node = function (name) {
    if (!(name in this.memo)) { this.memo[name] = this.make(name); }
    return this.memo[name];
  };

  Explainer.prototype.make = function (name) {
    var self = this, kind = name.indexOf(":") >= 0 ? name.slice(0, name.indexOf(":")) : name;
    var rest = name.indexOf(":") >= 0 ? after(name, ":") : "";
    if (["service-down", "backend-down", "own", "missing"].indexOf(kind) >= 0) { return this.serviceDown(name); }
    if (kind === "impaired" || kind === "impaired-own") { return this.serviceImpaired(name); }
    if (kind === "service") { return node("service", rest, { how: "failed" }); }
    if (kind === "vm-down") { return this.vm(rest); }
    if (kind === "vm") { return node("vm", rest, { failed: true }); }
    if (kind === "offline" || (kind === "host" && this.offline[rest])) { return node("offline", rest); }  // failed before anything
    for (var i = 0; i < LEAF_OF_EVENT.length; i++) {
      if (starts(name, LEAF_OF_EVENT[i][0])) { return node(LEAF_OF_EVENT[i][1], rest); }
    }
    if (kind === "vote") {
      var arbitrator = rest.slice(0, rest.indexOf("@")), vm = after(rest, "@");
      return this.holds("vm-down:" + vm) ? this.node("vm-down:" + vm) : this.node("service:" + arbitrator);
    }
    if (kind === "host-lost") {
      return this.holds("host:" + rest) ? this.node("host:" + rest) : this.node("isolated:" + rest);
    }
    if (kind === "isolated" || kind === "unreachable") {  // a host, or a switch, a split left outside the main side
      var switches = this.cut(name);
      return node(kind, rest, { switches: switches.map(function (n) { return n.name; }) }, switches);
    }
    if (kind === "witness-lost") {  // failed, or behind a switch outside the main side
      return this.node(this.gates[name].filter(function (i) { return self.holds(i); })[0]);
    }
    if (kind === "storage-down") { return this.storageDown(rest); }
    if (kind === "copies-lost") {
      var lostHere = this.gates[name].filter(function (i) { return self.holds(i); }).map(function (i) { return self.node(i); });
      return node("copies-lost", after(rest, "@"), { storage: rest.slice(0, rest.indexOf("@")) }, lostHere);
    }
    if (name === "cluster-down") {
      // Its votes (with no-quorum-policy=ignore, `cluster-votes`, and a split: live hosts cut off).
      var votes = this.data.notes[name] && this.data.notes[name].split ? this.gates["cluster-votes"] : this.gates[name];
      var lost = votes.filter(function (i) { return self.holds(i); }).map(function (i) { return self.node(i); });
      var quorum = this.data.notes[name] || {};
      return node("quorum-lost", "cluster", { up: votes.length - lost.length, total: votes.length,
                                              stops: !!quorum.stops, freeze: !!quorum.freeze, split: !!quorum.split },
                  lost);
    }
    if (kind === "unfenced") {
      var levels = this.gates[name].filter(function (i) { return starts(i, "level-down:"); });
      return node("unfenced", rest, { levels: levels.length }, levels.map(function (l) { return self.node(l); }));
    }
    if (kind === "level-down") {
      var why = this.gates[name].filter(function (i) { return self.holds(i); }).map(function (i) { return self.node(i); });
      return node("level-down", rest.split("@")[0], { host: rest.split("@")[1] }, why);
    }
    throw new Error("no explanation for " + name);
  };

  /* Storage down: failed as a whole, more of its hosts or failure domains lost than it tolerates, or its
   * monitors without a majority. */
  /* The failed switches that hold a cut-off gate: its own inputs, or those of its first term that holds. */
  Explainer.prototype.cut = function (name) {
    var self = this, inputs = this.gates[name];
    if (inputs.length && starts(inputs[0], "split:")) {
      inputs = this.gates[inputs.filter(function (t) { return self.holds(t); })[0]];
    }
    return inputs.map(function (i) { return self.node(i); });
  };

  Explainer.prototype.storageDown = function (storage) {
    var self = this;
    if (this.holds("storage:" + storage)) { return this.node("storage:" + storage); }
    var notes = this.data.notes["storage-down:" + storage] || {};
    var facts = { tolerates: notes.tolerates, storage: notes.kind, lost: 0, total: 0, unit: "hosts" }, children = [];
    var reach = this.gates["storage-down:" + storage].filter(function (i) {
      return (starts(i, "switch:") || starts(i, "unreachable:")) && self.holds(i);
    });
    if (reach.length) {
      return node("storage-down", storage, extend(facts, { unreachable: after(reach[0], ":") }), [this.node(reach[0])]);
    }
    [["storage-hosts:", "hosts"], ["storage-domains:", "failure domains"]].forEach(function (pair) {
      var spread = pair[0] + storage;
      if (self.holds(spread)) {
        var lost = self.gates[spread].filter(function (i) { return self.holds(i); }).map(function (i) { return self.node(i); });
        extend(facts, { lost: lost.length, total: self.gates[spread].length, unit: pair[1] });
        children = children.concat(lost);
      }
    });
    var monitors = "storage-monitors:" + storage;
    if (this.gates[monitors] && this.holds(monitors)) {
      var gone = this.gates[monitors].filter(function (i) { return self.holds(i); }).map(function (i) { return self.node(i); });
      children.push(node("monitors-lost", storage, { up: this.gates[monitors].length - gone.length,
                                                      total: this.gates[monitors].length }, gone));
    }
    return node("storage-down", storage, facts, children);
  };

  Explainer.prototype.latched = function (sid) {
    var self = this;
    var still = this.members(sid).filter(function (g) { return self.holds(g); }).map(function (g) { return self.node(g); });
    return node("latched", sid, { down: still.map(function (n) { return n.name; }) }, still);
  };

  Explainer.prototype.serviceDown = function (name) {
    var self = this, kind = name.slice(0, name.indexOf(":")), sid = after(name, ":");
    if (kind === "missing") { return node("service", sid, { how: "missing" }); }
    var facts = {}, children = [], how = "needs";
    if (this.holds("own:" + sid)) {
      if (this.holds("service:" + sid)) {
        how = "failed";
      } else if (this.holds("latched:" + sid)) {
        how = "latched";
        children.push(this.latched(sid));
      } else if (this.holds("quorum:" + sid)) {
        how = "quorum";
        var gate = this.gates["quorum:" + sid];
        var lost = gate.filter(function (i) { return self.holds(i); }).map(function (i) { return self.node(i); });
        facts = { up: gate.length - lost.length, total: gate.length };
        children = children.concat(lost);
      } else {
        how = "no-member";
        this.members(sid).forEach(function (g) { if (self.holds(g)) { children.push(self.node(g)); } });
      }
    }
    if (kind === "service-down" || kind === "backend-down") {
      this.gates[name].slice(1).forEach(function (dep) {
        if (self.holds(dep)) { children.push(reached(self.node(dep), "needs")); }
      });
    }
    return node("service", sid, extend({ how: how }, facts), distinct(children));
  };

  Explainer.prototype.serviceImpaired = function (name) {
    var self = this, kind = name.slice(0, name.indexOf(":")), sid = after(name, ":");
    var children = [], how = "needs", facts = {};
    var own = this.gates["impaired-own:" + sid] || [];
    for (var i = 0; i < own.length; i++) {
      if (this.holds(own[i])) {
        how = own[i].slice(0, own[i].indexOf(":"));
        var lost = this.gates[own[i]].filter(function (g) { return self.holds(g); });
        var members = this.data.services[sid].members;
        var running = members.filter(function (vm) { return !self.holds("vm-down:" + vm); });
        facts = { lost: lost.length, total: members.length, first: members[0], next: running.length ? running[0] : "" };
        lost.forEach(function (g) { children.push(self.node(g)); });
        break;
      }
    }
    if (kind === "impaired") {
      var uses = this.data.services[sid].uses;
      this.gates[name].slice(1).forEach(function (dep) {
        if (!self.holds(dep)) { return; }
        var depSid = after(dep, ":"), used = uses.indexOf(depSid) >= 0;
        if (starts(dep, "service-down:")) {
          children.push(reached(self.node(dep), "uses"));
        } else if (!(used && self.holds("service-down:" + depSid))) {
          children.push(reached(self.node(dep), used ? "uses" : "needs"));
        }
      });
    }
    return node("service", sid, extend({ how: how }, facts), distinct(children));
  };

  Explainer.prototype.vm = function (vm) {
    var self = this, down = this.placement.down.get(vm);
    if (!down) { throw new Error(vm + " is down by the gates but the placement runs it"); }
    var failed = down.causes.indexOf("vm:" + vm) >= 0;
    var children = down.causes.filter(function (c) { return c !== "vm:" + vm; }).map(function (c) { return self.node(c); });
    if (down.blockers.length) {
      var blockers = down.blockers.map(function (b) {
        return self.gates[b] ? self.node(b) : node(b, vm, { host: down.host });
      });
      children.push(node("no-restart", vm, { move: "restart" }, blockers));
    }
    return node("vm", vm, { host: down.host, failed: failed }, children);
  };

  /* What the failed parts did to the platform in this phase, once each. */
  Explainer.prototype.effects = function () {
    var self = this, data = this.data, down = this.placement.down;
    var found = sorted(data.offline).map(function (h) { return node("offline", h); });
    if (this.holds("cluster-down")) { found.push(this.node("cluster-down")); }
    // hosts cut off, and (where the cluster counts votes and keeps quorum) the votes the others keep
    var votes = this.gates["cluster-votes"] || this.gates["cluster-down"], kept = null;
    if (votes && !this.holds("cluster-down")) {
      kept = { up: votes.filter(function (i) { return !self.holds(i); }).length, total: votes.length };
    }
    sorted(data.isolating).forEach(function (h) {
      if (self.holds("isolated:" + h) && !self.holds("host:" + h)) {
        found.push(kept ? reached(self.node("isolated:" + h), "", { kept: kept }) : self.node("isolated:" + h));
      }
    });
    data.storages.forEach(function (s) {
      if (self.holds("storage-down:" + s) && !self.holds("storage:" + s)) { found.push(self.node("storage-down:" + s)); }
    });
    var blocked = data.vms.map(function (vm) { return vm.name; }).filter(function (v) {
      return down.has(v) && down.get(v).blockers.length;
    });
    var fences = [];
    blocked.forEach(function (v) {
      down.get(v).blockers.forEach(function (b) { if (starts(b, "unfenced:") && fences.indexOf(b) < 0) { fences.push(b); } });
    });
    fences.forEach(function (b) { found.push(self.node(b)); });
    ["local-disk", "no-room", "siblings"].forEach(function (word) {
      var vms = blocked.filter(function (v) { return down.get(v).blockers.indexOf(word) >= 0; });
      if (vms.length) { found.push(node(word, vms.join(", "), { vms: vms })); }
    });
    data.serviceOrder.forEach(function (sid) {
      if (self.holds("latched:" + sid) && !self.holds("service:" + sid)) { found.push(self.latched(sid)); }
    });
    return found;
  };

  // ---- words: why and summary (generator/render/phrases.py) -------------------------------------------

  function Words(model) {
    this.model = model;
    this.data = model.data;
    this.phrases = model.data.phrases;
  }

  Words.prototype.serviceFacts = function (n) {
    var s = this.data.services[n.name] || {}, noun = s.noun || "resource";
    var facts = extend({ name: n.name, unit: s.unit || "instance", failover: s.failover || 0, noun: noun,
                         copies: s.copies || 1,
                         until: s.reschedule !== null && s.reschedule !== undefined
                           ? "until Neutron moves them to a live agent, about " + s.reschedule + " s"
                           : "until their agents return" }, n.facts);
    facts.partial = s.partial || (n.facts.how === "shard-lost" ? "their part of the cache is gone"
      : "the " + noun + "s that lived only there stop");
    return facts;
  };

  Words.prototype.serviceKey = function (n) {
    var how = n.facts.how, s = this.data.services[n.name] || {};
    if (how === "active-lost" && s.model === "vip") { return "active-lost-vip"; }
    if (how === "thinned" && n.facts.quorum) { return "thinned-quorum"; }
    return how;
  };

  Words.prototype.predicate = function (n) {
    var words = fill(this.phrases.predicate[this.serviceKey(n)], this.serviceFacts(n));
    if (n.link === "only") {
      var serving = n.facts.serving || [];
      words = fill(this.phrases.predicate.only, { predicate: words, serving: joinAnd(serving),
                                                  serve: serving.length === 1 ? "serves" : "serve" });
    }
    return words;
  };

  /* What made the roots so: (group, subjects, first node) per group of failed parts or effect. */
  Words.prototype.causes = function (roots) {
    var self = this, groups = new Map();
    function add(n) {
      var group, subject;
      if (FAILED_PARTS.indexOf(n.kind) >= 0 && !(n.kind === "vm" && !n.facts.failed) &&
          !(n.kind === "service" && n.facts.how !== "failed")) {
        group = "failed";
        subject = fill(self.phrases.subject[n.kind], { name: n.name });
      } else if (["offline", "isolated", "unfenced", "maintenance", "local-disk", "no-room", "siblings"].indexOf(n.kind) >= 0) {
        group = n.kind;
        subject = n.name;
      } else if (n.kind === "quorum-lost" || n.kind === "migration-blocked") {
        group = n.kind;
        subject = "";
      } else if (n.kind === "storage-down") {
        group = "storage-down:" + n.name;
        subject = n.name;
      } else {
        n.children.forEach(function (c) { if (c.kind !== "service" || c.facts.how === "failed") { add(c); } });
        return;
      }
      if (!groups.has(group)) { groups.set(group, { names: [], first: n }); }
      var entry = groups.get(group);
      if (subject && entry.names.indexOf(subject) < 0) { entry.names.push(subject); }
    }
    roots.forEach(function (root) {
      root.children.forEach(function (c) { if (c.kind !== "service" || c.facts.how === "failed") { add(c); } });
    });
    var found = [];
    groups.forEach(function (entry, group) { found.push({ group: group, names: entry.names, first: entry.first }); });
    var rank = function (item) { return CAUSE_ORDER.indexOf(item.group.split(":")[0]); };
    return found.map(function (item, i) { return [rank(item), i, item]; })
      .sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; }).map(function (x) { return x[2]; });
  };

  /* A node's key in the phrase table: its kind, or for storage down by its monitors alone, that. */
  function effectKey(n) {
    if (n.kind === "storage-down" && n.facts.unreachable) { return "storage-down-unreachable"; }
    return n.kind === "storage-down" && !n.facts.lost ? "storage-down-monitors" : n.kind;
  }

  Words.prototype.causeWords = function (item, limit) {
    var key = starts(item.group, "storage-down:") ? effectKey(item.first) : item.group.split(":")[0];
    return fill(this.phrases.cause[key], extend({ names: joinListed(item.names, limit), name: item.first.name },
                                                 item.first.facts));
  };

  Words.prototype.needs = function (roots, limit) {
    var self = this, groups = new Map();
    var order = roots.map(function (r, i) { return [LINK_ORDER.indexOf(r.link || "needs"), i, r]; })
      .sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; }).map(function (x) { return x[2]; });
    order.forEach(function (root) {
      var link = self.phrases.link[root.link || "needs"], key = link + "\u0000" + self.predicate(root);
      if (!groups.has(key)) { groups.set(key, { link: link, words: self.predicate(root), names: [] }); }
      groups.get(key).names.push(root.name);
    });
    var parts = [], verb = "";
    groups.forEach(function (g) {
      var listed = limit || g.names.length === 1 ? joinListed(g.names, Math.max(limit, 1)) : g.names.length + " services";
      parts.push((g.link !== verb ? g.link + " " : "") + listed + " (" + g.words + ")");
      verb = g.link;
    });
    return parts.join(", ");
  };

  Words.prototype.why = function (roots) {
    var found = this.causes(roots), words = "", self = this;
    for (var kept = found.length; kept >= 0; kept--) {
      var limits = [NAMES_LISTED, 2, 1];
      for (var c = 0; c < limits.length; c++) {
        var said = found.slice(0, kept).map(function (item) { return self.causeWords(item, limits[c]); });
        if (kept < found.length) { said.push((found.length - kept) + " more"); }
        var serviceLimits = [NAMES_LISTED, 2, 1, 0];
        for (var s = 0; s < serviceLimits.length; s++) {
          words = this.needs(roots, serviceLimits[s]) + (said.length ? ": " + said.join("; ") : "");
          if (words.length <= WHY_LIMIT) { return words; }
        }
      }
    }
    return words.slice(0, WHY_LIMIT - 1) + "\u2026";
  };

  /* A root service as the operation reaches it: its first link (with the alternatives that still serve),
   * or uses anywhere on the way. */
  function asReached(cause) {
    var link = cause.uses ? "uses" : cause.links[0];
    return reached(cause.node, link, link === "only" ? { serving: cause.first.facts.serving || [] } : undefined);
  }

  Words.prototype.summary = function (failed, phase, effects, where) {
    var table = this.phrases.summary, self = this, names = this.model.failedNames(failed);
    var first = names.length ? fill(table.failed, { names: joinAnd(names) }) : table.nothing;
    var said = [], cutOff = effects.filter(function (n) { return n.kind === "isolated"; }).map(function (n) { return n.name; });
    var offline = effects.filter(function (n) { return n.kind === "offline"; }).map(function (n) { return n.name; });
    if (offline.length) { said.push(fill(table[offline.length === 1 ? "offline-one" : "offline-many"], { names: joinAnd(offline) })); }
    effects.forEach(function (n) {
      if (n.kind === "offline") { return; }
      if (n.kind === "quorum-lost") {
        var restarts = phase === "after-restart" && self.data.restarts.enabled && !self.data.haNone;
        var key = n.facts.split ? "quorum-lost-split"
          : "quorum-lost" + (n.facts.stops ? "-stops" : "") + (restarts ? "-restarts" : "");
        said.push(fill(table[key], n.facts));
      } else if (n.kind === "isolated") {
        if (n.name === cutOff[0]) {
          said.push(fill(table[cutOff.length === 1 ? "isolated-one" : "isolated-many"], { names: joinAnd(cutOff) }) +
                    (n.facts.kept ? fill(table["isolated-kept"], n.facts.kept) : ""));
        }
      } else if (["local-disk", "no-room", "siblings"].indexOf(n.kind) >= 0) {
        said.push(fill(table[n.kind], { names: joinAnd(n.facts.vms) }));
      } else if (n.kind === "unfenced") {
        said.push(fill(table.unfenced, { names: n.name }));
      } else {
        var names = joinListed(n.children.filter(function (c) { return c.kind !== "monitors-lost"; })
          .map(function (c) { return c.name; }), NAMES_LISTED);
        said.push(fill(table[effectKey(n)], extend({ name: n.name, names: names }, n.facts)));
      }
    });
    var down = where.filter(function (h) { return h === null; }).length;
    said.push(!down ? table["vms-none"] : fill(table[down === 1 ? "vms-one" : "vms-many"], { down: down, total: where.length }));
    var second = said.join("; ");
    return first + " " + second.charAt(0).toUpperCase() + second.slice(1) + ".";
  };

  /* The explorer's answer for a selection and a phase: each operation's state, margin and why, and the
   * phase's summary. */
  Model.prototype.answer = function (selection, phase, options) {
    var result = this.evaluate(selection, phase), self = this;
    var explainer = new Explainer(this, result), words = new Words(this);
    var margins = options && options.margins === false ? {} : this.margins(result);
    var summary = words.summary(result.failed, phase, explainer.effects(), result.placement.where);
    return {
      result: result,
      summary: summary,
      operations: this.data.operations.map(function (op) {
        var state = self.get(result.values, op.gate) ? "down"
          : self.get(result.values, "degraded:" + op.id) ? "degraded" : "ok";
        var why = "";
        if (state !== "ok") {
          var tree = explainer.operation(op);
          why = words.why(explainer.rootCauses(tree).map(asReached));
        }
        return { id: op.id, name: op.name, plane: op.plane, state: state,
                 margin: state === "down" ? null : margins[op.id], why: why };
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
    var causes = el("p", { class: "refarch-whatif-causes", "data-whatif-causes": "" });
    var tbody = el("tbody");
    var table = el("table", {}, [
      el("thead", {}, [el("tr", {}, [el("th", { text: "Operation" }), el("th", { text: "State" }),
                                       el("th", { text: "Margin", title: "How many more part failures it survives from here" }), el("th", { text: "Why" })])]),
      tbody]);
    var rows = dict();
    model.data.operations.forEach(function (op) {
      var stateCell = el("td"), marginCell = el("td"), reasonCell = el("td", { "data-whatif-why": "" });
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
    app.appendChild(causes);
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
      var counts = { ok: 0, degraded: 0, down: 0 };
      answer.operations.forEach(function (op) {
        counts[op.state]++;
        var cells = rows[op.id];
        cells.row.setAttribute("data-state", op.state);
        cells.state.textContent = "";
        cells.state.appendChild(el("span", { class: "refarch-state refarch-" + op.state,
                                             text: STATE_MARK[op.state] + " " + op.state }));
        cells.margin.textContent = marginWords(op.margin);
        cells.reason.textContent = op.why;
      });
      var what = chosen.length ? joinAnd(chosen.map(function (id) { return model.components[id].name; })) +
        (chosen.length > 1 ? " fail" : " fails") : "Nothing fails";
      summary.textContent = what + " (" + PHASE_WORDS[phase].toLowerCase() + "): " + counts.down + " operations stop, " +
        counts.degraded + " work less well, " + counts.ok + " work." +
        (model.data.haNone && phase === "after-restart" ? " The platform has no HA here: nothing restarts." : "");
      causes.textContent = answer.summary;
      overlay(answer.result);
    }

    function overlay(result) {
      if (!diagram) { return; }
      var svg = diagram.querySelector("svg");
      if (!svg) { return; }
      Array.prototype.forEach.call(svg.querySelectorAll(".refarch-failed, .refarch-down"), function (node) {
        node.classList.remove("refarch-failed", "refarch-down");
      });
      var mark = function (id, name) {
        var node = svg.getElementById ? svg.getElementById(id) : null;
        if (node) { node.classList.add(name); }
      };
      Object.keys(result.failed.hosts).forEach(function (h) { mark("refarch-host-" + h, "refarch-failed"); });
      Object.keys(result.failed.parts).forEach(function (p) { mark("refarch-part-" + p, "refarch-failed"); });
      Object.keys(result.failed.vms).forEach(function (v) { mark("refarch-vm-" + v, "refarch-failed"); });
      model.data.storages.forEach(function (part) {  // storage lost as a whole or with its hosts
        if (model.get(result.values, "storage-down:" + part)) { mark("refarch-part-" + part, "refarch-down"); }
      });
      model.data.vms.forEach(function (vm, i) {
        if (result.placement.where[i] === null) { mark("refarch-vm-" + vm.name, "refarch-down"); }
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
