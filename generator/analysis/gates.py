"""An architecture compiled once into its failure model: parts that can fail, and gates over them.

The model is a fault tree whose gates say when something is *down*:

- parts: `host:<name>`, the platform's own `witness:`, `storage:` and `switch:<name>`, `vm:<name>`
  (the VM itself fails) and `service:<id>` (a service fails on every VM at once); the constant `TRUE`
  stands for a service the design does not deploy;
- the platform's gates over them: `isolated:<host>` (every switch of the host failed), `host-lost:`,
  `storage-down:<name>` (failed as a whole, or for vSAN and Ceph more hosts lost than it tolerates)
  and `cluster-down` (the management cluster's quorum over host votes and the witness);
- `vm-down:<vm>` = its host, the VM itself, its host cut off, its storage, or (Hyper-V, Pacemaker)
  the cluster's quorum. Evaluations take these values from a placement (which VMs run where in a
  phase, which the engine builds from the platform gates), so this is the one place where what keeps
  a VM running enters;
- `own:<service>`: the service's own members, by its HA model: quorum services are down when enough
  votes are lost (`atleast`, arbitrators' votes included) or no data member runs; every other model
  is down when no instance runs (`and` over its instances);
- `service-down:<id>` is down when its own gate is or a service it requires is (`or` of downs);
- `op:<operation>` is down when a service it requires is down; a data-plane operation reads the
  services' own gates only, never the control plane they depend on.

Everything that asks "what stops" reads this one structure: scenario evaluation (vectorised with
numpy over many scenarios), exact minimal cut sets (top-down expansion with absorption), the margin
left in a state, the exact unavailability (`generator.availability`), and the Open-PSA export.
Degradation (`uses`, lost shards, failovers) is about how well something works, not whether it does:
`generator.impact` says it in words, and `degradation_gates` says the same as gates for each phase,
which the what-if explorer walks in the browser (a property test holds the two equal).
"""

from __future__ import annotations

import dataclasses
import heapq
from collections.abc import Iterable, Iterator, Mapping
from itertools import combinations
from typing import Any, Literal

import numpy as np

from generator.catalog import Catalog, majority
from generator.model.architecture import Architecture

TRUE = "TRUE"
PART_EVENTS = ("host:", "witness:", "storage:", "switch:")
# Gates over the platform's parts, evaluated from the failed parts; the VM and service layers above
# them are evaluated from a placement (which VMs run where), which the platform gates feed.
PLATFORM_GATES = ("isolated:", "host-lost:", "storage-hosts:", "storage-down:", "cluster-down")
# Gates above the VMs: each is down when every VM is, so a cause that stops every VM at once
# (`cluster-down`) can be taken out of the expansion and added back at the end.
ABOVE_VMS = ("vm-down:", "no-member:", "vote:", "quorum:", "own:", "service-down:", "backend-down:", "any-down:",
             "op:")
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
    # platform_state per set of failed events: margins ask for the same few sets thousands of times
    _states: dict[frozenset[str], Mapping[str, bool]] = dataclasses.field(
        default_factory=dict, compare=False, repr=False)
    # per gate, a bit for each failed service or VM and each moved VM (`vm-down:`) below it (`cone`)
    _cones: dict[str, int] = dataclasses.field(default_factory=dict, compare=False, repr=False)
    _bits: dict[str, int] = dataclasses.field(default_factory=dict, compare=False, repr=False)

    # ---- the platform's own parts -------------------------------------------------------------------

    def platform_state(self, failed_parts: Iterable[str]) -> Mapping[str, bool]:
        """The platform gates (`isolated:`, `host-lost:`, `storage-down:`, `cluster-down`, ...) for a set
        of failed part names (hosts, witness, storage, switches) or their events (`host:kvm-01`);
        memoised, so callers must not change what it returns."""
        failed = frozenset(self.part_events.get(name, name) for name in failed_parts)
        if failed not in self._states:
            self._states[failed] = self._platform_state(failed)
        return self._states[failed]

    def _platform_state(self, failed: frozenset[str]) -> dict[str, bool]:
        values: dict[str, bool] = {TRUE: True}
        for gate in self.gates.values():
            if not gate.name.startswith(PLATFORM_GATES):
                continue
            inputs = [values[name] if name in values else name in failed for name in gate.inputs]
            if gate.kind == "or":
                values[gate.name] = any(inputs)
            elif gate.kind == "and":
                values[gate.name] = all(inputs)
            else:
                values[gate.name] = sum(w for w, v in zip(gate.weights, inputs, strict=True) if v) >= gate.k
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

    # ---- evaluation ---------------------------------------------------------------------------------

    def evaluate(self, vm_down: np.ndarray, service_failed: np.ndarray) -> dict[str, np.ndarray]:
        """Every gate's value for many scenarios at once.

        `vm_down` is a (scenarios x VMs) boolean array in the order of `self.vms` (which VMs do not run,
        for whatever reason: a failed host, the VM failing, no room after a restart), `service_failed`
        (scenarios x services) in the order of `self.services`.
        """
        count = vm_down.shape[0]
        values: dict[str, np.ndarray] = {TRUE: np.ones(count, dtype=bool)}
        for index, name in enumerate(self.vms):
            values[f"vm-down:{name}"] = vm_down[:, index]
        for index, sid in enumerate(self.services):
            values[f"service:{sid}"] = service_failed[:, index]
        for gate in self.gates.values():
            if gate.name.startswith(("vm-down:", *PLATFORM_GATES)):
                continue
            inputs = [values[name] for name in gate.inputs]
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
                            failed_services: Iterable[Iterable[str]]) -> dict[str, np.ndarray]:
        """`evaluate` for one placement (VM -> host it runs on, None when down) and one set of failed
        services per scenario."""
        return self.evaluate(self.vm_down_matrix(placements), self.service_matrix(failed_services))

    def vm_down_matrix(self, placements: Iterable[Mapping[str, str | None]]) -> np.ndarray:
        """The `vm_down` array of `evaluate` for placements (VM -> host it runs on, None when down)."""
        return np.array([[where[vm] is None for vm in self.vms] for where in placements], dtype=bool).reshape(
            -1, len(self.vms))

    def service_matrix(self, failed: Iterable[Iterable[str]]) -> np.ndarray:
        rows = [set(names) for names in failed]
        return np.array([[sid in row for sid in self.services] for row in rows], dtype=bool).reshape(
            -1, len(self.services))

    def evaluate_one(self, where: Mapping[str, str | None], failed_services: Iterable[str]) -> dict[str, bool]:
        """`evaluate` for one scenario, in plain Python (cheaper than arrays of one)."""
        failed = set(failed_services)
        values: dict[str, bool] = {TRUE: True}
        values |= {f"vm-down:{vm}": where[vm] is None for vm in self.vms}
        values |= {f"service:{sid}": sid in failed for sid in self.services}
        for gate in self.gates.values():
            if gate.name.startswith(("vm-down:", *PLATFORM_GATES)):
                continue
            if gate.kind == "or":
                values[gate.name] = any(values[name] for name in gate.inputs)
            elif gate.kind == "and":
                values[gate.name] = all(values[name] for name in gate.inputs)
            else:
                lost = sum(w for w, name in zip(gate.weights, gate.inputs, strict=True) if values[name])
                values[gate.name] = lost >= gate.k
        return values

    # ---- cut sets -----------------------------------------------------------------------------------

    def cut_sets(self, gate: str, where: Mapping[str, str | None] | None = None,
                 failed: Iterable[str] = ()) -> list[frozenset[str]]:
        """The minimal sets of parts (hosts, witness, storage, switches) whose failure brings `gate` down,
        from the state `where` (VM -> host, None when down; default: every VM on its host) with the
        parts and services named in `failed` down, smallest first. `[frozenset()]`: it is down already;
        `[]`: no set of part failures brings it down."""
        return self.cut_set_family(gate, where, failed)[0]

    def cut_set_family(self, gate: str, where: Mapping[str, str | None] | None = None,
                       failed: Iterable[str] = ()) -> tuple[list[frozenset[str]], bool]:
        """`cut_sets`, and whether the family was cut short: a quorum of many members over many hosts
        has more minimal cut sets than can be listed (k of n: n choose k), so each gate keeps at most
        `CUT_SET_LIMIT`, the smallest first."""
        return self.cut_set_families([gate], where, failed)[gate]

    def cut_set_families(self, gates: Iterable[str], where: Mapping[str, str | None] | None = None,
                         failed: Iterable[str] = ()) -> dict[str, tuple[list[frozenset[str]], bool]]:
        """`cut_set_family` for many gates of one state, expanding the gates they share once."""
        expansion = _CutSets(self, where if where is not None else self.vm_host, frozenset(failed))
        result = {}
        for gate in gates:
            masks = expansion.top(gate)
            found = sorted((self._parts_of(mask) for mask in masks), key=lambda s: (len(s), sorted(s)))
            result[gate] = (found, expansion.top_short)
        return result

    def min_cut(self, gate: str, where: Mapping[str, str | None], failed: Iterable[str] = ()) -> int | None:
        """The fewest further part failures that bring `gate` down from that state (0: down already;
        None: no part failures can). Exact: every gate below an operation is a threshold over the hosts
        its members run on, so the fewest hosts are the heaviest ones, and an `or` takes its cheapest
        input; where a member also depends on switches or storage, the exact cut sets decide."""
        return self.min_cuts(where, failed).of(gate)

    def min_cuts(self, where: Mapping[str, str | None], failed: Iterable[str] = (),
                 hosts_only: bool = False, base: MinCuts | None = None) -> MinCuts:
        """`min_cut` for many gates of one state, sharing the work: `.of(gate)`; with `hosts_only`, the
        fewest host failures (the platform's other parts do not fail). With `base`, the min cuts of a
        state that differs from this one in failed services and VMs alone, every gate below none of
        the differences takes base's answer (one base serves many such states)."""
        return MinCuts(self, where, frozenset(failed), hosts_only, base=base)

    def cone(self, name: str) -> int:
        """The failed services, failed VMs and moved VMs that `name` reads, as bits (`changes`). The
        cluster's quorum, which MinCuts adds above the VMs, reads the platform's parts alone: no bits."""
        if not self._cones:
            bits = self._change_bits()
            for gate in self.gates.values():
                mask = bits.get(gate.name, 0)
                for child in gate.inputs:
                    mask |= self._cones.get(child, bits.get(child, 0))
                self._cones[gate.name] = mask
        return self._cones.get(name, self._change_bits().get(name, 0))

    def changes(self, names: Iterable[str]) -> int:
        """`cone`'s bits for these events (`service:x`, `vm:y`) and moved VMs' gates (`vm-down:y`)."""
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
                      if name.startswith(("service:", "vm:", "vm-down:"))]
            self._bits.update({name: 1 << index for index, name in enumerate(dict.fromkeys(names))})
        return self._bits

    def failed_events(self, failed: Iterable[str]) -> frozenset[str]:
        """Failed parts (by name) and services (`service:<id>`, or a bare id) as the gates' events:
        `host:x`, `service:y`, ... A name that is neither a part nor prefixed is taken as a service."""
        return frozenset(self.part_events.get(name) or (name if ":" in name else f"service:{name}")
                         for name in failed)

    def _parts_of(self, mask: int) -> frozenset[str]:
        return frozenset(part for index, part in enumerate(self.parts) if mask >> index & 1)


def compile_model(arch: Architecture, facts: Catalog) -> FailureModel:
    """The failure model of a validated architecture (with the catalog as it holds for its settings)."""
    facts = facts.for_architecture(arch)
    networking = arch.openstack.networking
    deployed = list(dict.fromkeys(s for vm in arch.vms for s in vm.service_ids if s in facts.services))
    order = _dependency_order(facts, deployed)
    deployed_set = set(order)

    def present(sid: str) -> bool:
        """Whether a needed service counts: deployed, or not one that may run outside the cluster."""
        return sid in deployed_set or not facts.services[sid].external

    platform = _platform_gates(arch, facts)
    gates: dict[str, Gate] = dict(platform.gates)
    for vm in arch.vms:
        inputs = [f"host:{vm.host}", f"vm:{vm.name}"]
        if vm.host in platform.isolating:
            inputs.append(f"isolated:{vm.host}")
        if vm.name in platform.vm_storage:
            inputs.append(f"storage-down:{platform.vm_storage[vm.name]}")
        if platform.cluster_stops_vms:
            inputs.append("cluster-down")
        gates[f"vm-down:{vm.name}"] = Gate(f"vm-down:{vm.name}", "or", tuple(inputs))
    for sid in order:
        facts_of = facts.services[sid]
        members = [vm.name for vm in arch.vms if sid in vm.service_ids]
        no_member = Gate(f"no-member:{sid}", "and", tuple(f"vm-down:{vm}" for vm in members))
        gates[no_member.name] = no_member
        inputs = [f"service:{sid}", no_member.name]
        if facts_of.ha_model == "quorum":
            votes = [f"vm-down:{vm}" for vm in members]
            arbitrator = facts_of.arbitrator
            for vm in arch.vms:
                if arbitrator is not None and arbitrator in vm.service_ids:
                    # An arbitrator's vote is lost with its VM or with the arbitrator service as a whole.
                    vote = Gate(f"vote:{arbitrator}@{vm.name}", "or", (f"vm-down:{vm.name}", f"service:{arbitrator}"))
                    gates[vote.name] = vote
                    votes.append(vote.name)
            lost = len(votes) - majority(len(votes)) + 1
            quorum = Gate(f"quorum:{sid}", "atleast", tuple(votes), (1,) * len(votes), lost)
            gates[quorum.name] = quorum
            inputs.append(quorum.name)
        gates[f"own:{sid}"] = Gate(f"own:{sid}", "or", tuple(inputs))

        def down(dep: str, over_rpc: bool = False) -> str:
            if dep not in deployed_set:
                return TRUE
            # A caller over RPC reaches the service's workers, not its API's front (load balancer, tokens).
            return f"backend-down:{dep}" if over_rpc and facts.services[dep].front else f"service-down:{dep}"

        requires = [down(dep, dep in facts_of.rpc) for dep in facts_of.requires if present(dep)]
        gates[f"service-down:{sid}"] = Gate(f"service-down:{sid}", "or", (f"own:{sid}", *requires))
        if facts_of.front:
            backend = [down(dep, dep in facts_of.rpc) for dep in facts_of.requires
                       if dep not in facts_of.front and present(dep)]
            gates[f"backend-down:{sid}"] = Gate(f"backend-down:{sid}", "or", (f"own:{sid}", *backend))
    operations = {}
    for oid, operation in facts.operations.items():
        prefix = "own:" if operation.plane == "data" else "service-down:"
        needs = operation.needs(networking)
        inputs = [f"{prefix}{sid}" if sid in deployed_set else TRUE for sid in needs.requires if present(sid)]
        for index, group in enumerate(needs.requires_any):
            # Down when every alternative is (an alternative the design does not deploy is down).
            alternatives = [f"{prefix}{sid}" if sid in deployed_set else TRUE for sid in group]
            inputs += _any_down(gates, f"any-down:{oid}:{index}", alternatives)
        gates[f"op:{oid}"] = Gate(f"op:{oid}", "or", tuple(dict.fromkeys(inputs)))
        operations[oid] = f"op:{oid}"
    hosts = tuple(h.name for h in arch.hosts)
    return FailureModel(arch.id, hosts, (*hosts, *platform.part_events), {h: f"host:{h}" for h in hosts}
                        | platform.part_events, tuple(vm.name for vm in arch.vms), tuple(order),
                        {vm.name: vm.host for vm in arch.vms}, gates, operations, platform.vm_storage,
                        platform.isolating, platform.cluster_stops_vms, platform.spread_everywhere)


# The gates under `impaired-own:<service>`, one per way a service's own members impair it.
IMPAIRMENTS = ("writer-lost:", "active-lost:", "shard-lost:", "every-copy-lost:", "copy-lost:")


def degradation_gates(model: FailureModel, facts: Catalog, networking: str, settled: bool) -> dict[str, Gate]:
    """Gates that say when a working operation works less well (the engine's `degraded`), for one phase:
    right after the failure, or `settled` (after the platform's restarts, minutes later: failovers,
    cache stalls and reschedules are over). `facts` is the catalog as it holds for the design.

    - `impaired-own:<service>`: its own members impair it, by HA model (one gate of IMPAIRMENTS each):
      a writer's first member lost (Galera moves writes), an active-passive or virtual-IP service's
      active member lost, a cache that lost shards, a scheduled service that lost every agent some
      resource lives on, or (with a standby) one whose active copies fail over;
    - `impaired:<service>`: it, a service it requires, or a service it uses is impaired, or one it
      uses is down;
    - `degraded:<operation>`: a service it requires is impaired, an alternative of its `requires_any`
      is down, or a service it uses is down or impaired (a data-plane operation reads the services'
      own members only).

    Down wins: an operation is degraded when this gate is up and its `op:` gate is not. Losing a spare
    is no degradation, so a quorum that keeps its majority, or an active-active service that keeps an
    instance, impairs nothing. These gates read the model's `vm-down:`, `own:` and `service-down:`
    gates and are evaluated after them."""
    gates: dict[str, Gate] = {}
    deployed = set(model.services)

    def gate(name: str, kind: GateKind, inputs: list[str], weights: tuple[int, ...] = (), k: int = 1) -> str:
        gates[name] = Gate(name, kind, tuple(dict.fromkeys(inputs)), weights, k)
        return name

    for sid in model.services:
        service = facts.services[sid]
        members = list(model.gates[f"no-member:{sid}"].inputs)  # vm-down gates, in the order of the file
        # One gate per way its members impair it (IMPAIRMENTS), so that a reason can name the one that holds.
        own: list[str] = []
        if service.ha_model == "quorum" and service.writer and not settled:
            own.append(gate(f"writer-lost:{sid}", "or", members[:1]))
        elif service.ha_model in ("active-passive", "vip") and not settled:
            own.append(gate(f"active-lost:{sid}", "or", members[:1]))
        elif service.ha_model == "shards" and not settled:
            own.append(gate(f"shard-lost:{sid}", "or", members))
        elif service.ha_model == "scheduled":
            copies = min(service.per_resource, len(members))
            if not (settled and service.reschedule_seconds is not None):
                own.append(gate(f"every-copy-lost:{sid}", "atleast", members, (1,) * len(members), copies))
            if service.failover_seconds and not settled:
                own.append(gate(f"copy-lost:{sid}", "or", members))
        gate(f"impaired-own:{sid}", "or", own)
        spread = [f"impaired:{dep}" for dep in service.requires if dep in deployed]
        spread += [name for dep in service.uses if dep in deployed
                   for name in (f"service-down:{dep}", f"impaired:{dep}")]
        gate(f"impaired:{sid}", "or", [f"impaired-own:{sid}", *spread])
    for oid, operation in facts.operations.items():
        needs = operation.needs(networking)
        data = operation.plane == "data"
        inputs = [f"impaired-own:{sid}" if data else f"impaired:{sid}" for sid in needs.requires if sid in deployed]
        for group in needs.requires_any:
            for sid in group:  # some alternatives down: only the others' share works
                if sid in deployed:
                    inputs.append(f"own:{sid}" if data else f"service-down:{sid}")
                elif not facts.services[sid].external:
                    inputs.append(TRUE)
        for sid in needs.uses:
            if sid in deployed:
                inputs += [f"own:{sid}", f"impaired-own:{sid}"] if data else [f"service-down:{sid}", f"impaired:{sid}"]
        gate(f"degraded:{oid}", "or", inputs)
    return gates


def _any_down(gates: dict[str, Gate], name: str, alternatives: list[str]) -> list[str]:
    """The gates that say every alternative is down, added to `gates`. What all alternatives require
    alike (the agents' shared message queue) is factored out: and(or(a, c), or(b, c)) = or(c, and(a, b)),
    so cut sets and min cuts never multiply the large families of what they share."""
    inputs = {alt: gates[alt].inputs if alt in gates and alt.startswith("service-down:") else (alt,)
              for alt in alternatives}
    common = [g for g in inputs[alternatives[0]] if all(g in rest for rest in inputs.values())]
    rest = []
    for alt in alternatives:
        own = [g for g in inputs[alt] if g not in common]
        if len(own) == 1:
            rest.append(own[0])
        else:
            gates[f"{name}@{alt}"] = Gate(f"{name}@{alt}", "or", tuple(own))
            rest.append(f"{name}@{alt}")
    gates[name] = Gate(name, "and", tuple(rest))
    return [*common, name]


@dataclasses.dataclass
class _Platform:
    gates: dict[str, Gate]
    part_events: dict[str, str]  # the parts other than hosts
    vm_storage: dict[str, str]
    isolating: frozenset[str]
    cluster_stops_vms: bool
    spread_everywhere: tuple[str, ...] = ()


def cluster_votes(arch: Architecture) -> tuple[int, bool]:
    """The management cluster's votes (hosts, and the witness when it has a vote), and whether the
    witness has one: Hyper-V's dynamic witness votes only when the number of nodes is even."""
    witness = arch.platform.witness is not None
    if witness and arch.platform.ha == "failover-cluster" and len(arch.hosts) % 2:
        witness = False
    return len(arch.hosts) + witness, witness


def cluster_has_quorum(arch: Architecture) -> bool:
    """Whether the platform has a cluster quorum that decides which hosts may run VMs."""
    return arch.platform.ha in ("failover-cluster", "pacemaker") and arch.platform.no_quorum_policy != "ignore"


def vm_storage(arch: Architecture) -> dict[str, str | None]:
    """Each VM's storage: its own, or the design's one shared storage (local disks aside); None when
    none is declared."""
    shared = [s.name for s in arch.storage if s.kind != "local"]
    default = shared[0] if len(shared) == 1 else arch.storage[0].name if len(arch.storage) == 1 else None
    return {vm.name: vm.storage or default for vm in arch.vms}


def _platform_gates(arch: Architecture, facts: Catalog) -> _Platform:
    """The gates over the management cluster's own parts: isolation by switches, storage, quorum."""
    gates: dict[str, Gate] = {}
    events: dict[str, str] = {}
    host_names = [h.name for h in arch.hosts]
    switches_of: dict[str, list[str]] = {}
    for switch in arch.switches:
        events[switch.name] = f"switch:{switch.name}"
        for host in switch.hosts:
            switches_of.setdefault(host, []).append(switch.name)
    lost: dict[str, str] = {}  # host -> the gate or event that says it is gone for the others
    for host in host_names:
        if host in switches_of:
            isolated = Gate(f"isolated:{host}", "and", tuple(f"switch:{s}" for s in switches_of[host]))
            gates[isolated.name] = isolated
            gates[f"host-lost:{host}"] = Gate(f"host-lost:{host}", "or", (f"host:{host}", isolated.name))
            lost[host] = f"host-lost:{host}"
        else:
            lost[host] = f"host:{host}"
    kinds = {}
    for store in arch.storage:
        kinds[store.name] = store.kind
        if store.kind == "local":
            continue
        events[store.name] = f"storage:{store.name}"
        inputs = [f"storage:{store.name}"]
        if store.kind in ("vsan", "ceph"):
            members = store.hosts or host_names
            tolerated = 1 if store.failures_to_tolerate is None else store.failures_to_tolerate
            if tolerated < len(members):
                spread = Gate(f"storage-hosts:{store.name}", "atleast", tuple(lost[h] for h in members),
                              (1,) * len(members), tolerated + 1)
                gates[spread.name] = spread
                inputs.append(spread.name)
        gates[f"storage-down:{store.name}"] = Gate(f"storage-down:{store.name}", "or", tuple(inputs))
    stored = {vm: name for vm, name in vm_storage(arch).items() if name is not None and kinds[name] != "local"}
    stops = False
    if cluster_has_quorum(arch):
        total, witness_votes = cluster_votes(arch)
        votes = [lost[h] for h in host_names]
        if arch.platform.witness is not None:
            events[arch.platform.witness.name] = f"witness:{arch.platform.witness.name}"
            if witness_votes:
                votes.append(f"witness:{arch.platform.witness.name}")
        # Pacemaker sets two_node for a two-node cluster: one node keeps quorum (wait_for_all aside).
        two_node = arch.platform.ha == "pacemaker" and total == 2 and len(host_names) == 2
        k = total if two_node else total - majority(total) + 1
        gates["cluster-down"] = Gate("cluster-down", "atleast", tuple(votes), (1,) * len(votes), k)
        stops = facts.platforms[arch.platform.hypervisor].quorum_loss.stops_vms and (
            arch.platform.no_quorum_policy in (None, "stop"))
    elif arch.platform.witness is not None:
        events[arch.platform.witness.name] = f"witness:{arch.platform.witness.name}"
    everywhere = tuple(name[len("storage-hosts:"):] for name, gate in gates.items()
                       if name.startswith("storage-hosts:") and len(gate.inputs) == len(host_names))
    return _Platform(gates, events, stored, frozenset(switches_of), stops, everywhere)


def _dependency_order(facts: Catalog, deployed: list[str]) -> list[str]:
    """Deployed services, each after the services it requires or uses (the catalog has no cycle)."""
    order: list[str] = []

    def visit(sid: str) -> None:
        if sid in order or sid not in deployed:
            return
        for dep in (*facts.services[sid].requires, *facts.services[sid].uses):
            visit(dep)
        order.append(sid)

    for sid in deployed:
        visit(sid)
    return order


# ---- minimal cut sets ---------------------------------------------------------------------------------

# Sets of hosts are bit masks over FailureModel.hosts; a family of sets is a list of masks, kept minimal.
Family = list[int]
CUT_SET_LIMIT = 5_000  # sets kept per gate; beyond it a family is cut short, smallest sets first


def minimise(family: Iterable[int]) -> Family:
    """Absorption: drop every set that contains another one of the family, smallest sets first. Sets of
    one size cannot contain each other, so each is checked against the smaller ones only."""
    smaller: Family = []
    same: Family = []
    size = -1
    for mask in sorted(set(family), key=lambda m: (m.bit_count(), m)):
        if mask.bit_count() != size:
            smaller += same
            same, size = [], mask.bit_count()
        if not any(mask & kept == kept for kept in smaller):
            same.append(mask)
    return smaller + same


class _CutSets:
    """Top-down expansion of the gates into minimal sets of parts (MOCUS), memoised per gate."""

    def __init__(self, model: FailureModel, where: Mapping[str, str | None], failed: frozenset[str],
                 hosts_only: bool = False, spread_down: frozenset[str] = frozenset(), view: bool = False) -> None:
        self.model = model
        self.where = where
        self.failed = model.failed_events(failed)
        # As a hosts-only view of `MinCuts` sees it: no other part fails (beyond `failed`), storage spread
        # over every host is down (`spread_down`) or, in a view, ignored.
        self.hosts_only = hosts_only
        self.spread_down = spread_down
        self.view = view
        self.bit = {model.part_events[part]: 1 << index for index, part in enumerate(model.parts)}
        self.memo: dict[str, Family] = {}
        self.truncated = False  # some family had more sets than CUT_SET_LIMIT
        self.short: dict[str, bool] = {}  # per gate: its family was cut short
        self.top_short = False  # the last `top` family was cut short

    def keep(self, family: Iterable[int]) -> Family:
        kept = minimise(family)
        if len(kept) > CUT_SET_LIMIT:
            self.truncated = True
            del kept[CUT_SET_LIMIT:]
        return kept

    def product(self, left: Family, right: Family) -> Family:
        return self.keep(a | b for a in left for b in right)

    def top(self, name: str) -> Family:
        """`of`, with the cluster's quorum added back above the VMs (it is left out of `vm-down` gates,
        where it would multiply every product by its own n-choose-k family)."""
        found = self.of(name)
        self.top_short = self.short[name]
        # A gate no part can stop (`[]`) reads no VM: the cluster's quorum does not stop it either.
        if self.model.cluster_stops_vms and name.startswith(ABOVE_VMS) and found not in ([0], []):
            quorum = self.of("cluster-down")
            before, self.truncated = self.truncated, False
            found = self.keep([*found, *quorum])
            self.top_short = self.top_short or self.short["cluster-down"] or self.truncated
            self.truncated = before or self.truncated
        return found

    def of(self, name: str) -> Family:
        if name in self.memo:
            return self.memo[name]
        inputs: tuple[str, ...] | list[str] = ()
        before, self.truncated = self.truncated, False  # whether this gate's own expansion is cut short
        if name == TRUE:
            found = [0]
        elif name.startswith(PART_EVENTS):
            found = [0] if name in self.failed else [] if self.hosts_only and not name.startswith("host:") else (
                [self.bit[name]] if name in self.bit else [])
        elif name.startswith(("service:", "vm:")):
            found = [0] if name in self.failed else []  # a VM or a service failing is no part of a cut set
        elif name.startswith("vm-down:"):
            vm = name[len("vm-down:"):]
            host = self.where.get(vm)
            if host is None:
                found = [0]
            else:  # where the VM runs in this state, not where the design put it
                inputs = [f"host:{host}"]
                if host in self.model.isolating:
                    inputs.append(f"isolated:{host}")
                storage = self.model.vm_storage.get(vm)
                if storage in self.spread_down:
                    inputs = [TRUE]
                elif storage is not None and not (self.view and storage in self.model.spread_everywhere):
                    inputs.append(f"storage-down:{storage}")
                found = self.keep(mask for child in inputs for mask in self.of(child))
        else:
            gate = self.model.gates[name]
            inputs = gate.inputs
            children = [self.of(child) for child in gate.inputs]
            if gate.kind == "or":
                found = self.keep(mask for family in children for mask in family)
            elif gate.kind == "and":
                found = [0]
                for family in children:
                    found = self.product(found, family)
            else:
                found = self._at_least(gate, children)
        # A family is cut short when its own expansion was, or one it was built from.
        self.short[name] = self.truncated or any(self.short.get(child, False) for child in inputs)
        self.truncated = before or self.truncated
        self.memo[name] = found
        return found

    def _at_least(self, gate: Gate, children: list[Family]) -> Family:
        """Minimal combinations of inputs whose weights reach k, each expanded into its own sets, by
        increasing size, until CUT_SET_LIMIT sets are found."""
        need = gate.k - sum(w for w, family in zip(gate.weights, children, strict=True) if family == [0])
        if need <= 0:
            return [0]
        weight_of: dict[int, int] = {}  # input (an index, or in the common case its one host) -> weight
        families: dict[int, Family] = {}
        single_hosts = all(len(f) == 1 and f[0].bit_count() == 1 for f in children if f and f != [0])
        keys: dict[tuple[int, ...], int] = {}
        for index, (weight, family) in enumerate(zip(gate.weights, children, strict=True)):
            if family and family != [0]:
                # Votes on one host fall together: one input of their summed weight, whose minimal
                # combinations are then minimal as sets of hosts already. Inputs with the same family
                # (VMs on one host behind the same switches) merge the same way.
                key = family[0] if single_hosts else keys.setdefault(tuple(family), index)
                weight_of[key] = weight_of.get(key, 0) + weight
                families[key] = family
        found: Family = []
        for combo in minimal_combinations(weight_of, need):
            if single_hosts:  # distinct one-host inputs: the combination is its own set of hosts
                found.append(sum(combo))
            else:
                product: Family = [0]
                for key in combo:
                    product = self.product(product, families[key])
                found.extend(product)
            if len(found) > CUT_SET_LIMIT:
                # Combinations are left untried: the family is cut short even if absorption then
                # leaves fewer sets than the limit.
                self.truncated = True
                break
        return self.keep(found)


def minimal_combinations(weight_of: Mapping[Any, int], need: int) -> Iterator[tuple[Any, ...]]:
    """The minimal combinations of keys whose weights add up to `need` or more (leaving out any one key
    falls short), by increasing size, heavier keys first."""
    keys = sorted(weight_of, key=lambda key: -weight_of[key])
    heaviest = [weight_of[key] for key in keys]
    if sum(heaviest) < need:
        return
    # A minimal combination is at least as large as the heaviest keys that reach `need`, and its weight
    # less its lightest key stays below `need`, which bounds its size by the lightest keys.
    fewest = next(n for n in range(1, len(keys) + 1) if sum(heaviest[:n]) >= need)
    lightest = heaviest[::-1]
    most = max(n for n in range(1, len(keys) + 1) if sum(lightest[:n]) - lightest[0] < need)
    for size in range(fewest, most + 1):
        for combo in combinations(keys, size):
            total = sum(weight_of[key] for key in combo)
            if total >= need and total - min(weight_of[key] for key in combo) < need:
                yield combo


ENUMERATED_PARTS = 12  # up to this many parts besides hosts, min cuts try each subset of them (see MinCuts.of)


class MinCuts:
    """The fewest further part failures that bring a gate down, memoised per gate.

    With hosts alone, every gate under an operation is a threshold over hosts, so the fewest are the
    heaviest. Switches and storage break that (one switch cuts off many hosts), so a cut is split into
    its other parts S and its hosts: the fewest is the minimum over S of |S| plus the fewest hosts with
    S failed, where every VM is down or stands on its host alone again. S is tried by increasing size,
    and only while it can still beat the best found.
    """

    def __init__(self, model: FailureModel, where: Mapping[str, str | None], failed: frozenset[str],
                 hosts_only: bool = False, spread_down: frozenset[str] = frozenset(), view: bool = False,
                 base: MinCuts | None = None) -> None:
        self.model = model
        self.where = where
        self.failed = failed
        self.events = model.failed_events(failed)
        self.hosts_only = hosts_only
        self.spread_down = spread_down  # storage spread over every host, taken down by host failures
        self.view = view  # one branch of `of`'s enumeration: its spread storage is down or ignored
        self.memo: dict[str, int | None] = {}
        self._expansion: _CutSets | None = None  # shared by every gate that needs exact cut sets
        self.state = model.platform_state(failed)  # the platform gates with what has failed
        self._with: dict[tuple[str, ...], MinCuts] = {}  # hosts-only views with some other parts failed
        self.base, self.changed = self._shared_with(base)

    def _shared_with(self, base: MinCuts | None) -> tuple[MinCuts | None, int]:
        """`base` and how this state differs from it (`FailureModel.changes`), when it differs in failed
        services and VMs and where VMs run alone; else no base. A gate whose cone holds none of the
        differences has base's answer: everything it reads is the same."""
        if base is None or (base.hosts_only, base.spread_down, base.view) != (
                self.hosts_only, self.spread_down, self.view):
            return None, 0
        differ = self.events ^ base.events
        if not all(event.startswith(("service:", "vm:")) for event in differ):
            return None, 0
        moved = [f"vm-down:{vm}" for vm in self.model.vms if self.where.get(vm) != base.where.get(vm)]
        return base, self.model.changes([*differ, *moved])

    def literal(self, name: str) -> str | bool | None:
        """A single-part input: its part; True when down already, False when part failures cannot."""
        if name == TRUE:
            return True
        if name.startswith(PART_EVENTS):
            if name in self.events:
                return True
            return False if self.hosts_only and not name.startswith("host:") else name
        if name.startswith(("service:", "vm:")):
            return name in self.events
        if name.startswith("vm-down:"):
            vm = name[len("vm-down:"):]
            host = self.where.get(vm)
            storage = self.model.vm_storage.get(vm)
            if host is None or f"host:{host}" in self.events or self.state.get(f"isolated:{host}") or (
                    storage is not None and self.state.get(f"storage-down:{storage}")) or storage in self.spread_down:
                return True
            if self.hosts_only and (storage is None or (self.view and storage in self.model.spread_everywhere)
                                    or f"storage-hosts:{storage}" not in self.model.gates):
                # Its switches and storage do not fail any more (storage spread over every host is
                # handled by `of`, which takes it down on purpose or not at all): its host alone.
                return f"host:{host}"
            if host in self.model.isolating or storage is not None:
                return None  # its switches or storage stop it too: not a single part
            return f"host:{host}"
        if name.startswith("host-lost:"):
            host = name[len("host-lost:"):]
            if f"host:{host}" in self.events or self.state.get(f"isolated:{host}"):
                return True
            return f"host:{host}" if self.hosts_only else None
        gate = self.model.gates[name]
        if gate.kind == "or" and name.startswith("vote:"):  # an arbitrator's vote: its VM, or its service
            values = [self.literal(child) for child in gate.inputs]
            if True in values:
                return True
            parts = {v for v in values if isinstance(v, str)}
            return parts.pop() if len(parts) == 1 and None not in values else None
        return None  # not a single-part input

    def of(self, name: str) -> int | None:
        if self.base is not None and not self.model.cone(name) & self.changed:
            return self.base.of(name)
        others = [] if self.hosts_only else [
            p for p in self.model.parts[len(self.model.hosts):] if self.model.part_events[p] not in self.events]
        if self.view or not (others or self.model.spread_everywhere) or len(others) > ENUMERATED_PARTS:
            return self._of(name)
        if name in self.memo:
            return self.memo[name]
        # Storage spread over every host (vSAN, Ceph) goes down once more than `failures_to_tolerate`
        # hosts are: a cut either takes it down, and then has at least that many hosts, or does not.
        spread = [s for s in self.model.spread_everywhere if not self.state.get(f"storage-down:{s}")]
        # Failing more never brings a gate up: if hosts cannot stop it with every other part failed too,
        # nothing can, and the subsets need not be tried.
        if self._view(tuple(others), tuple(spread))._of(name) is None:
            self.memo[name] = None
            return None
        best: int | None = None
        for size in range(len(others) + 1):
            if best is not None and size >= best:
                break
            for subset in combinations(others, size):
                for count in range(len(spread) + 1):
                    for down in combinations(spread, count):
                        view = self._view(subset, down)
                        hosts = view._of(name)
                        if hosts is None:
                            continue
                        needed = [self.model.gates[f"storage-hosts:{s}"].k - view._lost_hosts() for s in down]
                        total = size + max([hosts, *needed])
                        if best is None or total < best:
                            best = total
        self.memo[name] = best
        return best

    def _view(self, subset: tuple[str, ...], down: tuple[str, ...]) -> MinCuts:
        """The hosts-only view with the parts in `subset` failed and the spread storage in `down` taken
        down (memoised)."""
        key = (*subset, "|", *down)
        if key not in self._with:
            self._with[key] = MinCuts(self.model, self.where, self.failed | set(subset), hosts_only=True,
                                      spread_down=frozenset(down), view=True,
                                      base=None if self.base is None else self.base._view(subset, down))
        return self._with[key]

    def _lost_hosts(self) -> int:
        return sum(1 for host in self.model.hosts
                   if f"host:{host}" in self.events or self.state.get(f"isolated:{host}"))

    def _of(self, name: str) -> int | None:
        if name in self.memo:
            return self.memo[name]
        if self.base is not None and not self.model.cone(name) & self.changed:
            found = self.memo[name] = self.base._of(name)
            return found
        gate = self.model.gates.get(name)
        literal = (self.literal(name) if gate is None or name.startswith(("vm-down:", "vote:", "host-lost:"))
                   else None)
        if literal is True:
            found: int | None = 0
        elif literal is False:
            found = None
        elif isinstance(literal, str):
            found = 1
        elif name.startswith("vm-down:"):
            found = self._exact(name)
        elif gate is None:
            raise ValueError(f"unknown gate {name}")
        elif gate.kind == "or":
            costs = [c for c in (self._of(child) for child in gate.inputs) if c is not None]
            found = min(costs, default=None)
        else:
            found = self._threshold(gate)
        if self.model.cluster_stops_vms and name.startswith(ABOVE_VMS) and found not in (0, None):
            quorum = self._of("cluster-down")  # every VM stops with it: see `_CutSets.top`
            found = found if quorum is None else min(found, quorum)
        self.memo[name] = found
        return found

    def _exact(self, name: str) -> int | None:
        if self._expansion is None:
            # Hosts-only, the expansion leaves out every other part: the minimal sets of hosts alone are the
            # minimal ones when nothing else fails, and the families stay small.
            self._expansion = _CutSets(self.model, self.where, self.failed, self.hosts_only, self.spread_down,
                                       self.view)
        sets = self._expansion.of(name)
        return min((m.bit_count() for m in sets), default=None)

    def _threshold(self, gate: Gate) -> int | None:
        weights = gate.weights or (1,) * len(gate.inputs)
        need = gate.k if gate.kind == "atleast" else len(gate.inputs)
        by_part: dict[str, int] = {}
        for weight, child in zip(weights, gate.inputs, strict=True):
            value = self.literal(child)
            if value is True:
                need -= weight
            elif isinstance(value, str):
                by_part[value] = by_part.get(value, 0) + weight
            elif value is None:  # not a single-part input: the exact cut sets decide
                return self._exact(gate.name)
        if need <= 0:
            return 0
        heaviest = heapq.nlargest(len(by_part), by_part.values())
        total = 0
        for count, weight in enumerate(heaviest, start=1):
            total += weight
            if total >= need:
                return count
        return None
