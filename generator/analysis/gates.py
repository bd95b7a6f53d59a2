"""The failure model's data: parts that can fail, gates over them, and their evaluation.

The model is a fault tree whose gates say when something is *down* (`generator.analysis.compile`
builds it from a design and the catalog):

- events (what fails): `host:<name>`, the platform's `witness:`, `storage:` and `switch:<name>` (the
  parts of minimal cut sets), `vm:<name>` (the VM itself), `service:<id>` (every instance of a service
  at once), `fencing:<level>`, `management:<name>` and `power:<failure domain>` (which decide restarts,
  not whether a VM runs), and `before:<gate>` (the gate's value right after the failure, read after the
  restarts); `TRUE` is always down;
- the platform's gates over them: `isolated:<host>` (every switch of the host failed), `host-lost:`,
  storage spread over hosts (`storage-hosts:`, more of its hosts lost than it tolerates) or over failure
  domains (`copies-lost:<storage>@<domain>`, `storage-domains:`), its monitors' majority
  (`storage-monitors:`), `storage-down:<name>`, `cluster-down` (the management cluster's quorum over
  host votes and the witness), and for restarts `level-down:<level>@<host>`, `unfenced:<host>`,
  `management-down:<name>` and `migration-blocked`;
- `vm-down:<vm>` = its host, the VM itself, its host cut off, its storage, or (Hyper-V, Pacemaker
  with `stop`) the cluster's quorum. Evaluations take these values from a placement (which VMs run where
  in a phase: `generator.analysis.restarts`), so this is the one place where what keeps a VM running
  enters;
- `own:<service>`: the service's own members by its HA model (`quorum:`, `no-member:`), failed as a
  whole, or (after the restarts) `latched:` (lost every member at once and not back by itself);
- `service-down:<id>` (`backend-down:` for callers over RPC) is down when its own gate is or a service
  it requires is; `missing:<id>` stands for a required service the design does not deploy;
- `op:<operation>` is down when a service it requires is down; a data-plane operation reads the
  services' own gates only, never the control plane they depend on.

Each phase adds `phase_gates` (evaluated after these): when a working service or operation works less
well (`impaired:`, `degraded:`, one gate per way members impair a service) and when a service lost
members (`thinned:`). Everything that asks what stops or degrades reads this one structure: scenario
evaluation (vectorised with numpy), minimal cut sets and min cuts (`generator.analysis.cut_sets`), the
explanation of a state (`generator.analysis.explanation`), the exact unavailability, the Open-PSA
export and the what-if explorer, which evaluates the same gates in the browser.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from generator.analysis.placement import AntiAffinity, Demands

if TYPE_CHECKING:
    from generator.analysis.cut_sets import CutSets, MinCuts

TRUE = "TRUE"
# The events of the parts that minimal cut sets are made of.
PART_EVENTS = ("host:", "witness:", "storage:", "switch:")
# Events that are no part of a cut set: they fail only when a scenario says so.
STATE_EVENTS = ("service:", "vm:", "before:")
# Events that decide restarts alone (fencing, live migration, a failure domain's power).
RESTART_EVENTS = ("fencing:", "management:", "power:")
# Gates over the platform's parts, evaluated from the failed parts alone; the VM and service layers
# above them are evaluated from a placement (which VMs run where), which these gates feed.
PLATFORM_GATES = ("offline:", "split:", "isolated:", "alone:", "unreachable:", "witness-lost:", "host-lost:",
                  "copies-lost:", "storage-hosts:", "storage-domains:", "storage-monitors:", "storage-down:",
                  "cluster-votes", "cluster-split", "cluster-down", "level-down:", "unfenced:", "management-down:",
                  "migration-blocked")
# Gates above the VMs: each is down when every VM is, so a cause that stops every VM at once
# (`cluster-down`) can be taken out of the expansion and added back at the end.
ABOVE_VMS = ("vm-down:", "no-member:", "vote:", "quorum:", "latched:", "own:", "service-down:", "backend-down:",
             "any-down:", "op:")
# The gates under `impaired-own:<service>`, one per way a service's own members impair it.
IMPAIRMENTS = ("writer-lost:", "active-lost:", "shard-lost:", "every-copy-lost:", "copy-lost:")
Phase = Literal["immediate", "after-restart"]
PHASES: tuple[Phase, ...] = ("immediate", "after-restart")
GateKind = Literal["or", "and", "atleast"]


@dataclasses.dataclass(frozen=True)
class Gate:
    """`or`: down when any input is down; `and`: when all are; `atleast`: when the weights of the inputs
    that are down add up to `k` or more."""

    name: str
    kind: GateKind
    inputs: tuple[str, ...]
    weights: tuple[int, ...] = ()
    k: int = 1


@dataclasses.dataclass(frozen=True)
class Needs:
    """What an operation needs, as gates: each of `requires`, one of each group of `any_of`, and (to
    work as well as it should) each of `uses`. Data-plane operations name `own:` gates, the others
    `service-down:` gates; `missing:<id>` is a required service the design does not deploy."""

    plane: str
    requires: tuple[str, ...]
    any_of: tuple[tuple[str, ...], ...]
    uses: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Restarts:
    """What the platform does once a VM's host is lost: the data of the restart procedure
    (`generator.analysis.restarts`), which the explorer's script runs on the same values."""

    enabled: bool  # the platform restarts VMs at all (ha is not `none`)
    anti_affinity: AntiAffinity
    capacity: bool  # restarts need free CPU and memory
    demands: Demands
    priority: Mapping[str, int]  # per VM: its restart wave (an index of placement.PRIORITIES)
    local_disk: frozenset[str]  # VMs whose disk is their host's own: they never restart elsewhere
    # VMs restarted elsewhere when their host lost every switch (`alone`), and when a split left it on a side
    # that does not carry on; the others stay there, unreachable
    alone_restart: frozenset[str]
    cut_off_restart: frozenset[str]
    blocked_by: str | None  # the gate that stops every restart (`cluster-down`), None when none does
    fenced: bool  # a lost host's VMs restart once a fencing level fenced it (`unfenced:<host>`)
    restart_seconds: int
    boot_seconds: int
    isolation_seconds: int  # before VMs of a cut-off host restart elsewhere
    standby: frozenset[str] = frozenset()  # hosts that run no VM and take no restarts (`state: standby`)


@dataclasses.dataclass(frozen=True)
class FailureModel:
    arch_id: str
    hosts: tuple[str, ...]
    parts: tuple[str, ...]  # what cut sets are made of: the hosts first, then witness, storage, switches
    part_events: Mapping[str, str]  # part name -> its basic event ("host:kvm-01", "witness:qnetd", ...)
    vms: tuple[str, ...]
    services: tuple[str, ...]  # deployed services, each after those it depends on
    vm_host: Mapping[str, str]  # where each VM runs with nothing failed
    gates: Mapping[str, Gate]  # in an order where every input comes before the gate
    operations: Mapping[str, str]  # operation id -> its gate name
    vm_storage: Mapping[str, str] = dataclasses.field(default_factory=dict)  # VM -> its storage (not local)
    isolating: frozenset[str] = frozenset()  # hosts that have an `isolated:<host>` gate (their switches)
    cluster_stops_vms: bool = False  # `cluster-down` stops every VM (Hyper-V; Pacemaker with stop)
    spread_everywhere: tuple[str, ...] = ()  # storage with a `storage-hosts:` gate over every host
    # The gates each phase evaluates after `gates`: impairments, degradation, thinned services.
    phase_gates: Mapping[str, tuple[Gate, ...]] = dataclasses.field(default_factory=dict)
    needs: Mapping[str, Needs] = dataclasses.field(default_factory=dict)  # operation id -> what it needs
    members: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)  # service -> its VMs
    # The events that decide restarts alone, by the name a scenario gives (fencing levels, management
    # servers, failure domains' power): "ipmi" -> "fencing:ipmi".
    restart_events: Mapping[str, str] = dataclasses.field(default_factory=dict)
    restarts: Restarts | None = None
    host_domain: Mapping[str, str | None] = dataclasses.field(default_factory=dict)  # host -> its failure domain
    # What a phrase needs to say a gate or event in words, beyond the values of a scenario (seconds,
    # nouns, the catalog's basis): by gate or event name; `service:<id>` holds a service's own.
    notes: Mapping[str, Mapping[str, Any]] = dataclasses.field(default_factory=dict)
    offline: frozenset[str] = frozenset()  # hosts already failed (`state: offline`): no parts, their events TRUE
    # platform_state per set of failed events: margins ask for the same few sets thousands of times
    _states: dict[frozenset[str], Mapping[str, bool]] = dataclasses.field(
        default_factory=dict, compare=False, repr=False)
    # per gate, a bit for each failed service or VM and each moved VM (`vm-down:`) below it (`cone`)
    _cones: dict[str, int] = dataclasses.field(default_factory=dict, compare=False, repr=False)
    _bits: dict[str, int] = dataclasses.field(default_factory=dict, compare=False, repr=False)

    # ---- events -------------------------------------------------------------------------------------

    def failed_events(self, failed: Iterable[str]) -> frozenset[str]:
        """Failed parts (by name) and services (`service:<id>`, or a bare id) as the gates' events:
        `host:x`, `service:y`, ... A name that is neither a part nor prefixed is taken as a service."""
        events = {**self.restart_events, **self.part_events}
        return frozenset(events.get(name) or (name if ":" in name else f"service:{name}") for name in failed)

    # ---- the platform's own parts -------------------------------------------------------------------

    def platform_state(self, failed: Iterable[str]) -> Mapping[str, bool]:
        """The platform gates (`isolated:`, `host-lost:`, `storage-down:`, `cluster-down`, `unfenced:`,
        ...) for a set of failed events (`host:kvm-01`, `vm:db-01`, `power:rack-a`, ...) or part names;
        memoised, so callers must not change what it returns."""
        key = frozenset(self.part_events.get(name, self.restart_events.get(name, name)) for name in failed)
        if key not in self._states:
            self._states[key] = self._platform_state(key)
        return self._states[key]

    def _platform_state(self, failed: frozenset[str]) -> dict[str, bool]:
        values: dict[str, bool] = {TRUE: True}
        for gate in self.gates.values():
            if not gate.name.startswith(PLATFORM_GATES):
                continue
            inputs = [values[name] if name in values else name in failed for name in gate.inputs]
            values[gate.name] = gate_value(gate, inputs)
        return values

    def stopping(self, vm: str, host: str, state: Mapping[str, bool]) -> list[str]:
        """The platform gates that stop `vm` running on `host` in that platform state, in the order a
        person reads them: the host cut off, the storage lost, the cluster without quorum."""
        found = []
        if host in self.isolating and state.get(f"isolated:{host}"):
            found.append(f"isolated:{host}")
        storage = self.vm_storage.get(vm)
        if storage is not None and state.get(f"storage-down:{storage}"):
            found.append(f"storage-down:{storage}")
        if self.cluster_stops_vms and state.get("cluster-down"):
            found.append("cluster-down")
        return found

    def taken_by_hosts(self, storage: str) -> bool:
        """Whether host failures alone can take a storage down: its copies spread over hosts or failure
        domains, or its monitors' majority."""
        kinds = ("storage-hosts", "storage-domains", "storage-monitors")
        return any(f"{kind}:{storage}" in self.gates for kind in kinds)

    # ---- evaluation ---------------------------------------------------------------------------------

    def evaluate(self, vm_down: np.ndarray, service_failed: np.ndarray,
                 before: Mapping[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
        """Every gate above the VMs for many scenarios at once.

        `vm_down` is a (scenarios x VMs) boolean array in the order of `self.vms` (which VMs do not run,
        for whatever reason: a failed host, the VM failing, no room after a restart), `service_failed`
        (scenarios x services) in the order of `self.services`; `before`, the `before:` events that hold
        (after the restarts: gates' values right after the failure), by event name.
        """
        count = vm_down.shape[0]
        values: dict[str, np.ndarray] = {TRUE: np.ones(count, dtype=bool)}
        for index, name in enumerate(self.vms):
            values[f"vm-down:{name}"] = vm_down[:, index]
        for index, sid in enumerate(self.services):
            values[f"service:{sid}"] = service_failed[:, index]
        nothing = np.zeros(count, dtype=bool)
        for gate in self.gates.values():
            if gate.name.startswith(("vm-down:", *PLATFORM_GATES)):
                continue
            inputs = [values[name] if name in values else (before or {}).get(name, nothing) for name in gate.inputs]
            if gate.kind == "or":
                values[gate.name] = np.logical_or.reduce(inputs) if inputs else np.zeros(count, dtype=bool)
            elif gate.kind == "and":
                values[gate.name] = np.logical_and.reduce(inputs)
            else:
                lost = np.zeros(count, dtype=np.int32)
                for weight, value in zip(gate.weights, inputs, strict=True):
                    lost += weight * value
                values[gate.name] = lost >= gate.k
        return values

    def evaluate_placements(self, placements: Iterable[Mapping[str, str | None]],
                            failed_services: Iterable[Iterable[str]],
                            before: Iterable[Iterable[str]] | None = None) -> dict[str, np.ndarray]:
        """`evaluate` for one placement (VM -> host it runs on, None when down), one set of failed
        services and one set of `before:` events per scenario."""
        placements = list(placements)
        rows = [set(names) for names in before] if before is not None else [set() for _ in placements]
        names = sorted({name for row in rows for name in row})
        events = {name: np.array([name in row for row in rows], dtype=bool) for name in names}
        return self.evaluate(self.vm_down_matrix(placements), self.service_matrix(failed_services), events)

    def vm_down_matrix(self, placements: Iterable[Mapping[str, str | None]]) -> np.ndarray:
        """The `vm_down` array of `evaluate` for placements (VM -> host it runs on, None when down)."""
        return np.array([[where[vm] is None for vm in self.vms] for where in placements], dtype=bool).reshape(
            -1, len(self.vms))

    def service_matrix(self, failed: Iterable[Iterable[str]]) -> np.ndarray:
        rows = [set(names) for names in failed]
        return np.array([[sid in row for sid in self.services] for row in rows], dtype=bool).reshape(
            -1, len(self.services))

    def evaluate_one(self, where: Mapping[str, str | None], failed_services: Iterable[str],
                     before: Iterable[str] = (), phase: Phase | None = None) -> dict[str, bool]:
        """Every gate above the VMs for one scenario, in plain Python (cheaper than arrays of one); with
        `phase`, that phase's gates too."""
        failed = set(failed_services)
        values: dict[str, bool] = {TRUE: True}
        values |= {f"vm-down:{vm}": where[vm] is None for vm in self.vms}
        values |= {f"service:{sid}": sid in failed for sid in self.services}
        values |= dict.fromkeys(before, True)
        for gate in self.gates.values():
            if gate.name.startswith(("vm-down:", *PLATFORM_GATES)):
                continue
            values[gate.name] = gate_value(gate, [values.get(name, False) for name in gate.inputs])
        for gate in self.phase_gates.get(phase, ()) if phase else ():
            values[gate.name] = gate_value(gate, [values.get(name, False) for name in gate.inputs])
        return values

    # ---- cut sets (generator.analysis.cut_sets) ------------------------------------------------------

    def cut_sets(self, gate: str) -> list[frozenset[str]]:
        """The minimal sets of parts (hosts, witness, storage, switches) whose failure brings `gate` down,
        with every VM where the design puts it, smallest first. `[frozenset()]`: it is down already; `[]`:
        no set of part failures brings it down."""
        return self.cut_set_families([gate])[gate].smallest

    def cut_set_families(self, gates: Iterable[str], limit: int | None = None) -> dict[str, CutSets]:
        """Each gate's minimal cut sets, counted and listed up to `limit` (`cut_sets.families`)."""
        from generator.analysis.cut_sets import families

        return families(self, gates, limit)

    def min_cut(self, gate: str, where: Mapping[str, str | None], failed: Iterable[str] = ()) -> int | None:
        """The fewest further part failures that bring `gate` down from that state (0: down already;
        None: no part failures can)."""
        return self.min_cuts(where, failed).of(gate)

    def min_cuts(self, where: Mapping[str, str | None], failed: Iterable[str] = (),
                 hosts_only: bool = False, base: MinCuts | None = None) -> MinCuts:
        """`min_cut` for many gates of one state, sharing the work: `.of(gate)`; with `hosts_only`, the
        fewest host failures (the platform's other parts do not fail). With `base`, the min cuts of a
        state that differs from this one in failed services and VMs alone, every gate below none of
        the differences takes base's answer (one base serves many such states)."""
        from generator.analysis.cut_sets import MinCuts

        return MinCuts(self, where, frozenset(failed), hosts_only, base=base)

    def cone(self, name: str) -> int:
        """The failed services, failed VMs, `before:` events and moved VMs that `name` reads, as bits
        (`changes`). The cluster's quorum, which MinCuts adds above the VMs, reads the platform's parts
        alone: no bits."""
        if not self._cones:
            bits = self._change_bits()
            for gate in self.gates.values():
                mask = bits.get(gate.name, 0)
                for child in gate.inputs:
                    mask |= self._cones.get(child, bits.get(child, 0))
                self._cones[gate.name] = mask
        return self._cones.get(name, self._change_bits().get(name, 0))

    def changes(self, names: Iterable[str]) -> int:
        """`cone`'s bits for these events (`service:x`, `vm:y`, `before:z`) and moved VMs' gates."""
        bits = self._change_bits()
        mask = 0
        for name in names:
            mask |= bits.get(name, 0)  # no gate reads it
        return mask

    def _change_bits(self) -> dict[str, int]:
        if not self._bits:
            names = [f"service:{sid}" for sid in self.services]
            names += [name for vm in self.vms for name in (f"vm:{vm}", f"vm-down:{vm}")]
            names += [name for gate in self.gates.values() for name in gate.inputs
                      if name.startswith((*STATE_EVENTS, "vm-down:"))]
            self._bits.update({name: 1 << index for index, name in enumerate(dict.fromkeys(names))})
        return self._bits

    def parts_of(self, mask: int) -> frozenset[str]:
        """The parts whose bits (in the order of `parts`) are set in `mask`."""
        return frozenset(part for index, part in enumerate(self.parts) if mask >> index & 1)


def gate_value(gate: Gate, inputs: list[bool]) -> bool:
    if gate.kind == "or":
        return any(inputs)
    if gate.kind == "and":
        return all(inputs)
    return sum(w for w, v in zip(gate.weights, inputs, strict=True) if v) >= gate.k
