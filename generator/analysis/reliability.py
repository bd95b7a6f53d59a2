"""How often an operation is down, not only whether: every basic event that can stop it, with its cause
class and probability, and the model's gates refined for them.

The compiled model (`generator.analysis.compile`) says what stops when parts fail. For how often, more fails
than parts, in four classes:

- `hardware`: the parts (`host:`, `witness:`, `switch:`, and `storage:` for a SAN, NFS or CSV array), each
  with its own unavailability or the catalog's (`hosts[].unavailability`, platforms.yaml, reliability.yaml);
- `software`: a guest's own failure (`vm:<vm>`), one member's process (`process:<service>@<vm>`) and a Ceph
  pool or vSAN datastore as a whole (`storage:<name>`);
- `common_cause`: every member of a quorum or active-active service at once (`service:<service>`, the
  model's event for it), with the beta-factor model: beta times a member's process unavailability, and
  the members' own process events keep the rest;
- `maintenance`: a host emptied for planned work (`maintenance:<host>`). Its VMs run, while it lasts,
  where the restart procedure's live migration puts them (`restarts.place` with that host in
  maintenance), so they go down only with the host they moved to, or (no room, a local disk) at once.

The refined gates are the model's, with two changes, so that every reader of probabilities (the exact
unavailability, importance measures, the Open-PSA export) reads one tree:

- `vm-down:<vm>` reads `on-host:<vm>` = its host failed, or in maintenance while the host it moved to failed
  (or it could not move), instead of its host's event;
- a service's members (`no-member:`, `quorum:`, `vote:`, `latched-until:`) read `member-down:<service>@<vm>`
  = the VM down or that member's process failed, instead of `vm-down:<vm>`.

Tolerance, minimal cut sets and margins stay over parts: with every non-hardware event false the refined
tree is the model's, so its minimal cut sets of hardware events alone are the model's cut sets.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Literal

from generator.analysis import restarts
from generator.analysis.gates import TRUE, FailureModel, Gate, gate_value
from generator.catalog import Catalog
from generator.model.architecture import Architecture

Cause = Literal["hardware", "software", "common_cause", "maintenance"]
CAUSES: tuple[Cause, ...] = ("hardware", "software", "common_cause", "maintenance")
COMMON_CAUSE_MODELS = ("quorum", "active-active")
POOLS = ("ceph", "vsan")  # storage spread over hosts: the part is the pool as a whole, a software failure
MEMBER_GATES = ("no-member:", "quorum:", "latched-until:")


@dataclasses.dataclass(frozen=True)
class BasicEvent:
    """One thing that fails by itself: its model event name (`host:kvm-01`, `process:galera@db-01`), its
    name in the Open-PSA export, its class, probability and what it is in words."""

    event: str
    name: str
    cause: Cause
    probability: float
    what: str


@dataclasses.dataclass(frozen=True)
class ReliabilityModel:
    events: tuple[BasicEvent, ...]  # hardware first (the parts, in the model's order), then the others
    gates: Mapping[str, Gate]  # the model's gates, refined as the module says, inputs before each gate
    operations: Mapping[str, str]  # operation id -> its top gate (the model's)
    vm_host: Mapping[str, str]  # where each VM runs with nothing failed

    by_event: Mapping[str, BasicEvent] = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_event", {event.event: event for event in self.events})


def export_name(event: str) -> str:
    """A basic event's name in the Open-PSA export (MEF names take no `:`, `@` or `.`): a part by its name,
    the others `vm__db-01`, `process__galera__db-01`, `ccf__galera`, `maintenance__kvm-01`."""
    kind, _, rest = event.partition(":")
    if kind in ("host", "witness", "storage", "switch"):
        return rest
    if kind == "process":
        service, _, vm = rest.rpartition("@")
        return f"process__{service.replace('@', '-in-')}__{vm}"
    prefix = {"vm": "vm", "service": "ccf", "maintenance": "maintenance"}[kind]
    return f"{prefix}__{rest.replace('@', '-in-')}"


def build(model: FailureModel, arch: Architecture, facts: Catalog) -> ReliabilityModel:
    """The basic events of a design with their probabilities, and the model's gates refined for them."""
    figures = facts.reliability
    own = arch.reliability
    platform = facts.platforms[arch.platform.hypervisor]
    beta = own.common_cause_beta if own.common_cause_beta is not None else figures.common_cause.beta
    guest = own.guest_unavailability if own.guest_unavailability is not None else figures.guest.unavailability
    process = (own.process_unavailability if own.process_unavailability is not None
               else figures.process.unavailability)
    per_year = own.maintenance_per_year if own.maintenance_per_year is not None else figures.maintenance.per_year
    hours = own.maintenance_hours or figures.maintenance.hours
    maintenance = per_year * hours / 8_760

    events: list[BasicEvent] = []
    hosts = {host.name: host for host in arch.hosts}
    for part in model.parts:
        event = model.part_events[part]
        kind = event.split(":", 1)[0]
        if kind == "host":
            q = hosts[part].unavailability or platform.host_reliability.unavailability
            events.append(BasicEvent(event, part, "hardware", q, f"{part}'s hardware"))
        elif kind == "switch":
            switch = next(s for s in arch.switches if s.name == part)
            events.append(BasicEvent(event, part, "hardware", switch.unavailability or figures.switch.unavailability,
                                     f"switch {part}"))
        elif kind == "storage":
            storage = next(s for s in arch.storage if s.name == part)
            pool = storage.kind in POOLS
            q = storage.unavailability or (figures.storage_pool if pool else figures.storage_array).unavailability
            events.append(BasicEvent(event, part, "software" if pool else "hardware", q,
                                     f"storage {part} as a whole" if pool else f"storage {part}'s array"))
        else:
            witness = arch.platform.witness
            q = (witness.unavailability if witness else None) or platform.part_reliability.unavailability
            events.append(BasicEvent(event, part, "hardware", q, f"witness {part}"))

    gates: dict[str, Gate] = {}
    closed = model.offline | (model.restarts.standby if model.restarts else frozenset())
    away = _where_in_maintenance(model, closed) if maintenance > 0 else {}
    for host in model.hosts:
        if host in away:
            events.append(BasicEvent(f"maintenance:{host}", export_name(f"maintenance:{host}"), "maintenance",
                                     maintenance, f"maintenance of {host}"))
    for vm in model.vms:
        events.append(BasicEvent(f"vm:{vm}", export_name(f"vm:{vm}"), "software", guest, f"{vm}'s guest"))
    shared = {sid for sid in model.services
              if facts.for_architecture(arch).services[sid].ha_model in COMMON_CAUSE_MODELS and beta > 0
              and len(model.members[sid]) > 1}
    for sid in model.services:
        q = process * (1 - beta) if sid in shared else process
        for vm in model.members[sid]:
            event = f"process:{sid}@{vm}"
            events.append(BasicEvent(event, export_name(event), "software", q, f"{sid} on {vm}"))
    for sid in sorted(shared):
        event = f"service:{sid}"
        events.append(BasicEvent(event, export_name(event), "common_cause", beta * process,
                                 f"every {sid} member at once"))

    members = {(sid, vm) for sid in model.services for vm in model.members[sid]}
    for name, gate in model.gates.items():
        inputs = list(gate.inputs)
        if name.startswith("vm-down:"):
            vm = name.removeprefix("vm-down:")
            host = model.vm_host[vm]
            if host in away and f"host:{host}" in inputs:
                moved = away[host].get(vm)
                during = Gate(f"maintenance-lost:{vm}", "and", (f"maintenance:{host}", moved or TRUE))
                on_host = Gate(f"on-host:{vm}", "or", (f"host:{host}", during.name))
                gates[during.name] = during
                gates[on_host.name] = on_host
                inputs[inputs.index(f"host:{host}")] = on_host.name
        elif name.startswith((*MEMBER_GATES, "vote:")):
            sid = name.split(":", 1)[1].rsplit("@", 1)[0] if name.startswith("vote:") else name.split(":", 1)[1]
            for index, child in enumerate(inputs):
                vm = child.removeprefix("vm-down:")
                if child.startswith("vm-down:") and (sid, vm) in members:
                    member = f"member-down:{sid}@{vm}"
                    gates.setdefault(member, Gate(member, "or", (child, f"process:{sid}@{vm}")))
                    inputs[index] = member
        gates[name] = dataclasses.replace(gate, inputs=tuple(inputs)) if inputs != list(gate.inputs) else gate
    return ReliabilityModel(tuple(events), gates, model.operations, model.vm_host)


def _where_in_maintenance(model: FailureModel, closed: frozenset[str]) -> dict[str, dict[str, str | None]]:
    """For each host that can be emptied, where its VMs run while it is in maintenance: the host event of
    the host each moved to, or None where it could not move (no room, only siblings, a local disk)."""
    found: dict[str, dict[str, str | None]] = {}
    for host in model.hosts:
        if host in closed:
            continue
        placed = restarts.place(model, (), (), (), "immediate", maintenance=[host])
        found[host] = {vm: (f"host:{placed.where[vm]}" if placed.where[vm] is not None else None)
                       for vm, origin in model.vm_host.items() if origin == host}
    return found


def down(tree: ReliabilityModel, failed: set[str] | frozenset[str]) -> dict[str, bool]:
    """Which operations are down when exactly the basic events `failed` (model event names) have failed."""
    value = values(tree, failed)
    return {oid: value(gate) for oid, gate in tree.operations.items()}


def values(tree: ReliabilityModel, failed: set[str] | frozenset[str]) -> Callable[[str], bool]:
    """Each gate's and event's value when exactly the basic events `failed` have failed, asked by name."""
    known: dict[str, bool] = {TRUE: True}

    def value(name: str) -> bool:
        if name not in known:
            gate = tree.gates.get(name)
            if gate is None:
                known[name] = name in failed
            else:
                known[name] = gate_value(gate, [value(child) for child in gate.inputs])
        return known[name]

    return value
