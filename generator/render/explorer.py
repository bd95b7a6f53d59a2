"""The what-if explorer's data: an architecture's compiled failure model, as the page's script reads it.

The explorer on each architecture page answers any combination of failed hosts, VMs, failure domains,
services and platform parts, in both phases, without a server. This module exports the compiled model
(`generator.analysis.gates`) as data: the gates and each phase's gates, the restart procedure's data
(capacities, demands, anti-affinity, priorities, local disks, which gates block or keep VMs from
restarting), the notes the phrases need, and the phrase table itself (`generator.render.phrases`).
`generator/site/assets/whatif.js` evaluates the gates, runs the restart procedure (`generator.analysis.
restarts`) and builds each operation's explanation and `why` and each phase's summary by the same steps
as the Python side; it repeats no rule of OpenStack or the platforms, which all live in the gates. The
margins it finds by trying further part failures on the same gates (at least N beyond a budget).

The tests (`tests/test_explorer.py`) hold its states, `why` texts and summaries equal to the command
line's, in Chromium.
"""

from __future__ import annotations

import json
from typing import Any

from generator.analysis import scenarios
from generator.analysis.engine import Engine
from generator.analysis.gates import PLATFORM_GATES, TRUE, Gate
from generator.render.phrases import PHRASES

KINDS = {"or": 0, "and": 1, "atleast": 2}
SERVICE_NOTES = ("unit", "failover", "noun", "copies", "reschedule", "partial", "model")


def data(engine: Engine) -> dict[str, Any]:
    """Everything the explorer needs for one architecture, as plain JSON-ready values."""
    arch, model = engine.arch, engine.model
    restarts = model.restarts
    assert restarts is not None
    names: dict[str, int] = {}

    def index(name: str) -> int:
        return names.setdefault(name, len(names))

    def encode(gate: Gate) -> list[Any]:
        return [index(gate.name), KINDS[gate.kind], [index(n) for n in gate.inputs], list(gate.weights), gate.k]

    index(TRUE)
    for vm in model.vms:
        index(f"vm-down:{vm}")
    for sid in model.services:
        index(f"service:{sid}")
    gates = list(model.gates.values())
    encoded = [encode(g) for g in gates]
    by_phase = {phase: [encode(g) for g in listed] for phase, listed in model.phase_gates.items()}
    hosts = list(model.hosts)
    parts = scenarios.part_names(arch)
    domains = {domain: scenarios.in_domains(arch, frozenset([domain])) for domain in arch.failure_domains}
    need = restarts.demands
    return {
        "version": 2,
        "id": arch.id,
        "haNone": arch.platform.ha == "none",
        "names": list(names),
        "gates": encoded,
        "phaseGates": by_phase,
        "platformGates": [g.name for g in gates if g.name.startswith(PLATFORM_GATES)],
        "before": sorted({n for g in gates for n in g.inputs if n.startswith("before:")}),
        "hosts": hosts,
        "vms": [{"name": vm, "host": model.vm_host[vm], "storage": model.vm_storage.get(vm),
                 "cpus": need.vm_cpus[vm], "memory": need.vm_memory[vm], "services": list(need.vm_services[vm]),
                 "local": vm in restarts.local_disk} for vm in model.vms],
        "restarts": {"enabled": restarts.enabled, "antiAffinity": restarts.anti_affinity,
                     "capacity": restarts.capacity, "cutOffRestart": sorted(restarts.cut_off_restart),
                     "aloneRestart": sorted(restarts.alone_restart), "standby": sorted(restarts.standby),
                     "blockedBy": restarts.blocked_by, "fenced": restarts.fenced,
                     "hostOrder": list(need.hosts),
                     "hostCpus": {h: need.host_cpus[h] for h in hosts},
                     "hostMemory": {h: need.host_memory[h] for h in hosts}},
        "isolating": sorted(model.isolating),
        "offline": sorted(model.offline),
        "clusterStopsVms": model.cluster_stops_vms,
        "events": {**model.restart_events, **model.part_events},
        "marginParts": list(model.parts),
        "storages": [p for p, e in model.part_events.items() if e.startswith("storage:")],
        "components": _components(engine, parts),
        # a domain's local disks are no toggle: they fail with its hosts
        "domains": {name: {"hosts": sorted(s.hosts), "parts": sorted(s.parts & set(parts))}
                    for name, s in domains.items()},
        "serviceOrder": list(model.services),
        "services": {sid: {"members": list(model.members[sid]), "uses": model.notes[f"service:{sid}"]["uses"],
                           **{key: model.notes[f"service:{sid}"][key] for key in SERVICE_NOTES}}
                     for sid in model.services},
        "notes": {name: dict(notes) for name, notes in model.notes.items() if not name.startswith("service:")},
        "needs": {oid: {"plane": n.plane, "requires": list(n.requires), "anyOf": [list(g) for g in n.any_of],
                        "uses": list(n.uses)} for oid, n in model.needs.items()},
        "operations": [{"id": oid, "name": engine.facts.operations[oid].name, "plane": need_.plane,
                        "gate": model.operations[oid]} for oid, need_ in model.needs.items()],
        "phrases": PHRASES,
    }


def to_json(value: dict[str, Any]) -> str:
    """Compact, stable JSON that is safe inside a `<script type="application/json">` element."""
    text = json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _components(engine: Engine, parts: list[str]) -> list[dict[str, str]]:
    """Every toggle, in the order a reader scans them: hosts, failure domains, VMs, services, parts."""
    arch = engine.arch
    found = [{"id": f"host:{h.name}", "kind": "host", "name": h.name,
              "detail": h.failure_domain or ""} for h in arch.hosts]
    found += [{"id": f"domain:{d}", "kind": "domain", "name": d, "detail": ""} for d in arch.failure_domains]
    found += [{"id": f"vm:{vm.name}", "kind": "vm", "name": vm.name, "detail": vm.host} for vm in arch.vms]
    found += [{"id": f"service:{sid}", "kind": "service", "name": sid,
               "detail": engine.facts.services[sid].name} for sid in engine.model.services]
    kinds = _part_kinds(engine)
    found += [{"id": f"part:{name}", "kind": "part", "name": name, "detail": kinds.get(name, "")} for name in parts]
    return found


def _part_kinds(engine: Engine) -> dict[str, str]:
    """What each of the platform's parts is, by name: "witness", "switch", "fencing (ipmi)", ..."""
    words = {"witness": "witness", "fencing": "fencing ({kind})", "storage": "{kind} storage", "switch": "switch",
             "management": "{kind}"}
    return {p.name: words[p.what].format(kind=p.kind) for p in engine.arch.platform_parts()}
