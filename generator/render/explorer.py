"""The what-if explorer's data: an architecture's compiled failure model, as the page's script reads it.

The explorer on each architecture page answers any combination of failed hosts, VMs, failure domains,
services and platform parts without a server: this module exports the engine's compiled failure model
(`generator.failure_model`: the gates over parts, with the degradation gates of each phase) as data,
and `docs/javascripts/whatif.js` walks it for the states. The few rules the script repeats (which
services latch, which platform gates stop a VM, the words of reasons, margins) are listed in its header.

- Right after the failure, every gate follows from the failed parts, so every combination is exact.
- After the platform restarts VMs, where each VM runs comes from the engine's placement (capacity,
  anti-affinity, fencing, quorum), which is no gate: it is exported for every set of failed hosts and
  platform parts within `coverage` (every set of up to a few of them, each failure domain with one
  more, pairs of failure domains, and all host sets of small designs). Beyond that the script says so
  instead of guessing.
- A VM that fails alone is restarted where it was; the export says for each set whether that happens.
- Galera-like services that lost every member at once stay down (`Engine.latched`): the export names
  them and what brings them back by themselves, which is the engine's own test.

The test `tests/test_explorer.py` holds the script's answers equal to the engine's, in Chromium.
"""

from __future__ import annotations

import json
from itertools import combinations
from math import comb
from typing import Any

from generator.analysis import scenarios
from generator.analysis.engine import PHASES, Engine, Scenario
from generator.analysis.gates import PLATFORM_GATES, TRUE, Gate, degradation_gates

KINDS = {"or": 0, "and": 1, "atleast": 2}
# Sets of failed hosts and parts whose after-restart placement is exported: at most this many sets,
# as many parts per set as that allows (and every set of hosts when there are few hosts).
PLACEMENT_BUDGET = 1500
ALL_HOST_SETS_UP_TO = 8  # hosts: 2**8 = 256 sets
HOST_SETS_OF_AT_MOST = 4  # and, for more hosts, every set of up to 4 of them, as the budget allows


def data(engine: Engine) -> dict[str, Any]:
    """Everything the explorer needs for one architecture, as plain JSON-ready values."""
    arch, model, facts = engine.arch, engine.model, engine.facts
    gates = list(model.gates.values())
    phase_gates = {phase: list(degradation_gates(model, facts, arch.openstack.networking,
                                                 settled=phase == "after-restart").values()) for phase in PHASES}
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
    encoded = [encode(g) for g in gates]
    by_phase = {phase: [encode(g) for g in listed] for phase, listed in phase_gates.items()}
    hosts = list(model.hosts)
    parts = scenarios.part_names(arch)
    domains = {domain: scenarios.in_domains(arch, frozenset([domain])) for domain in arch.failure_domains}
    components = _components(engine, parts)
    return {
        "version": 1,
        "id": arch.id,
        "haNone": arch.platform.ha == "none",
        "names": list(names),
        "gates": encoded,
        "phaseGates": by_phase,
        "platformGates": [g.name for g in gates if g.name.startswith(PLATFORM_GATES)],
        "hosts": hosts,
        "vms": [{"name": vm, "host": model.vm_host[vm], "storage": model.vm_storage.get(vm)} for vm in model.vms],
        "isolating": sorted(model.isolating),
        "clusterStopsVms": model.cluster_stops_vms,
        "events": dict(model.part_events),
        "marginParts": list(model.parts),
        "components": components,
        # a domain's local disks are no toggle: they fail with its hosts
        "domains": {name: {"hosts": sorted(s.hosts), "parts": sorted(s.parts & set(parts))}
                    for name, s in domains.items()},
        "placements": _placements(engine, hosts, parts, domains, [c["id"] for c in components]),
        "slotWidth": 1 if len(hosts) <= 36 else 2,
        "services": _services(engine),
        "operations": [{"id": oid, "name": op.name, "plane": op.plane, "gate": model.operations[oid],
                        "anyOf": _alternatives(engine, oid)} for oid, op in facts.operations.items()],
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
    arch = engine.arch
    kinds = {arch.platform.witness.name: "witness"} if arch.platform.witness else {}
    kinds |= {level.name: f"fencing ({level.kind})" for level in arch.platform.fencing or []}
    kinds |= {s.name: f"{s.kind} storage" for s in arch.storage if s.kind != "local"}
    kinds |= {s.name: "switch" for s in arch.switches}
    kinds |= {m.name: m.kind for m in arch.management}
    return kinds


def placement_key(components: list[str], hosts: frozenset[str], parts: frozenset[str],
                  domains: frozenset[str]) -> str:
    """The key of one exported placement: what decides where VMs run after the restarts (failed VMs
    do not: the platform restarts them where they were, or nothing restarts at all), as the sorted
    indices of those components in `components` (the toggles' ids)."""
    failed = {*(f"host:{h}" for h in hosts), *(f"part:{p}" for p in parts), *(f"domain:{d}" for d in domains)}
    return ".".join(str(i) for i, cid in enumerate(components) if cid in failed)


def coverage(hosts: list[str], parts: list[str], domains: dict[str, Scenario]) -> list[Scenario]:
    """The sets of failed hosts and platform parts whose after-restart placement is exported."""
    found: dict[tuple[frozenset[str], ...], Scenario] = {}

    def add(scenario: Scenario) -> None:
        found.setdefault((scenario.hosts, scenario.parts, scenario.domains), scenario)

    # Every set of hosts of a small design; for more hosts, every set of as many as the budget allows.
    most = len(hosts) if len(hosts) <= ALL_HOST_SETS_UP_TO else 0
    while most < min(len(hosts), HOST_SETS_OF_AT_MOST) and \
            sum(comb(len(hosts), k) for k in range(most + 2)) <= PLACEMENT_BUDGET:
        most += 1
    for size in range(most + 1):
        for chosen in combinations(hosts, size):
            add(Scenario(hosts=frozenset(chosen)))
    elements = [("host", h) for h in hosts] + [("part", p) for p in parts]
    size = 1
    while size <= len(elements):
        batch = list(combinations(elements, size))
        if len(found) + len(batch) > PLACEMENT_BUDGET and size > 1:
            break
        for chosen in batch:
            add(Scenario(hosts=frozenset(n for k, n in chosen if k == "host"),
                         parts=frozenset(n for k, n in chosen if k == "part")))
        size += 1
    for name, domain in domains.items():
        add(domain)
        for kind, element in elements:
            add(Scenario(hosts=domain.hosts | ({element} if kind == "host" else set()),
                         parts=domain.parts | ({element} if kind == "part" else set()),
                         domains=domain.domains))
        for other in domains:
            if other > name:
                both = domains[other]
                add(Scenario(hosts=domain.hosts | both.hosts, parts=domain.parts | both.parts,
                             domains=domain.domains | both.domains))
    return list(found.values())


def _placements(engine: Engine, hosts: list[str], parts: list[str], domains: dict[str, Scenario],
                components: list[str]) -> dict[str, list[str]]:
    """For each covered set: where each VM runs after the restarts (a host's index in `hosts` in base 36,
    `slotWidth` digits, or dashes when it does not), and the same for each VM that failed on its own
    (restarted in place or not)."""
    width = 1 if len(hosts) <= 36 else 2  # base-36 digits per VM
    slot = {host: _base36(i).rjust(width, "0") for i, host in enumerate(hosts)}
    every_vm = frozenset(engine.model.vms)

    def row(where: dict[str, str | None]) -> str:
        return "".join("-" * width if where[vm] is None else slot[where[vm]] for vm in engine.model.vms)

    found = {}
    for scenario in coverage(hosts, parts, domains):
        key = placement_key(components, scenario.hosts, scenario.parts, scenario.domains)
        alone = engine.where(scenario, "after-restart")
        failed = engine.where(Scenario(hosts=scenario.hosts, parts=scenario.parts, domains=scenario.domains,
                                       vms=every_vm), "after-restart")
        found[key] = [row(alone), row(failed)]
    return found


def _alternatives(engine: Engine, oid: str) -> list[list[str]]:
    """The gates of each `requires_any` group of an operation: when all are down, each one's causes are
    the operation's (the compiled gate factors out what they share, so its inputs alone would not say)."""
    operation = engine.facts.operations[oid]
    prefix = "own:" if operation.plane == "data" else "service-down:"
    return [[f"{prefix}{sid}" if sid in engine.model.services else TRUE for sid in group]
            for group in operation.needs(engine.arch.openstack.networking).requires_any]


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    return digits[number] if number < 36 else _base36(number // 36) + digits[number % 36]


def _services(engine: Engine) -> dict[str, dict[str, Any]]:
    """Per deployed service: its members, its quorum (with the arbitrator whose instances vote in it),
    what it needs after losing them all, and what each way its members impair it means, in words."""
    found = {}
    for sid in engine.model.services:
        service = engine.facts.services[sid]
        members = [vm.name for vm in engine.instances[sid]]
        total_loss = service.total_loss
        quorum_arbitrator = service.arbitrator if service.ha_model == "quorum" else None
        found[sid] = {
            "name": service.name, "model": service.ha_model, "members": members,
            "arbitrator": quorum_arbitrator,
            "arbiters": [vm.name for vm in engine.instances.get(quorum_arbitrator, [])] if quorum_arbitrator else [],
            "latches": bool(total_loss and total_loss.recovery == "manual"),
            "selfRecovers": bool(total_loss and total_loss.automatic_when_all_return),
            "impairments": _impairment_words(engine, sid),
        }
    return found


def _impairment_words(engine: Engine, sid: str) -> dict[str, str]:
    """What each impairment gate of a service (`failure_model.IMPAIRMENTS`) means, as a phrase without
    its subject, by gate name."""
    service = engine.facts.services[sid]
    members = [vm.name for vm in engine.instances[sid]]
    first = members[0] if members else ""
    failover = service.failover_seconds or 0
    noun = service.resource or "resource"
    until = (f"until Neutron moves them to a live agent, about {service.reschedule_seconds} s"
             if service.reschedule_seconds is not None else "until their agents return")
    return {
        f"writer-lost:{sid}": f"moves writes from {first} to the next member in about {failover} s",
        f"active-lost:{sid}": (f"moves the virtual IP from {first} in about {failover} s" if service.ha_model == "vip"
                               else f"fails over from {first} to a standby in about {failover} s"),
        f"shard-lost:{sid}": "lost shards: " + (service.partial_loss or "their part of the cache is gone"),
        f"every-copy-lost:{sid}": (f"lost every agent some {noun}s live on: "
                                   f"{service.partial_loss or f'the {noun}s that lived only there stop'}, {until}"),
        f"copy-lost:{sid}": f"lost agents: the {noun}s active there fail over to a standby in about {failover} s",
    }
