"""An architecture compiled once into its failure model: parts that can fail, and gates over them.

The model is a fault tree whose gates say when something is *down*:

- parts: `host:<name>`, `vm:<name>` (the VM itself fails) and `service:<id>` (a service fails on every
  VM at once); the constant `TRUE` stands for a service the design does not deploy;
- `vm-down:<vm>` = its host or the VM itself failed; the one place where what keeps a VM running
  enters (the platform's parts, later, also come in here and nowhere else);
- `own:<service>`: the service's own members, by its HA model: quorum services are down when enough
  votes are lost (`atleast`, arbitrators' votes included) or no data member runs; every other model
  is down when no instance runs (`and` over its instances);
- `service:<id>` up needs its own members and every service it requires (`or` of downs);
- `op:<operation>` is down when a service it requires is down; a data-plane operation reads the
  services' own gates only, never the control plane they depend on.

Everything that asks "what stops" reads this one structure: scenario evaluation (vectorised with
numpy over many scenarios), exact minimal cut sets (top-down expansion with absorption), the margin
left in a state, the exact unavailability (`generator.availability`), and the Open-PSA export.
Degradation (`uses`, lost shards, failovers) is about how well something works, not whether it does,
so it stays in `generator.impact`, which reads the gates' values and this model's metadata.
"""

from __future__ import annotations

import dataclasses
import heapq
from collections.abc import Iterable, Mapping
from itertools import combinations
from typing import Literal

import numpy as np

from generator.catalog import Catalog, majority
from generator.model import Architecture

TRUE = "TRUE"
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
class Member:
    """One vote or instance of a service: the VM it runs on, and whether it is an arbitrator's vote."""

    vm: str
    arbitrator: str | None = None  # the arbitrator service whose instance this vote is


@dataclasses.dataclass(frozen=True)
class ServiceGates:
    """What a service's own gate is made of, for the reasons and the margin."""

    service: str
    ha_model: str
    members: tuple[Member, ...]  # data members first, then arbitrators' votes (quorum services)
    votes_needed: int  # quorum: the majority; otherwise 1 instance


@dataclasses.dataclass(frozen=True)
class FailureModel:
    arch_id: str
    hosts: tuple[str, ...]
    vms: tuple[str, ...]
    services: tuple[str, ...]  # deployed services, each after those it depends on
    vm_host: Mapping[str, str]  # where each VM runs with nothing failed
    gates: Mapping[str, Gate]  # in an order where every input comes before the gate
    own: Mapping[str, ServiceGates]
    operations: Mapping[str, str]  # operation id -> its gate name

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
            if gate.name.startswith("vm-down:"):
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
            if gate.name.startswith("vm-down:"):
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
                 failed_services: Iterable[str] = ()) -> list[frozenset[str]]:
        """The minimal sets of hosts whose failure brings `gate` down, from the state `where` (VM -> host,
        None when down; default: every VM on its host) with `failed_services` down, smallest first.
        `[frozenset()]`: it is down already; `[]`: no set of host failures brings it down."""
        return self.cut_set_family(gate, where, failed_services)[0]

    def cut_set_family(self, gate: str, where: Mapping[str, str | None] | None = None,
                       failed_services: Iterable[str] = ()) -> tuple[list[frozenset[str]], bool]:
        """`cut_sets`, and whether the family was cut short: a quorum of many members over many hosts
        has more minimal cut sets than can be listed (k of n: n choose k), so each gate keeps at most
        `CUT_SET_LIMIT`, the smallest first."""
        expansion = _CutSets(self, where if where is not None else self.vm_host, frozenset(failed_services))
        masks = expansion.of(gate)
        found = sorted((self._hosts_of(mask) for mask in masks), key=lambda s: (len(s), sorted(s)))
        return found, expansion.truncated

    def min_cut(self, gate: str, where: Mapping[str, str | None], failed_services: Iterable[str] = ()) -> int | None:
        """The fewest further host failures that bring `gate` down from that state (0: down already;
        None: no host failures can). Exact: every gate below an operation is a threshold over the hosts
        its members run on, so the fewest hosts are the heaviest ones, and an `or` takes its cheapest
        input."""
        return self.min_cuts(where, failed_services).of(gate)

    def min_cuts(self, where: Mapping[str, str | None], failed_services: Iterable[str] = ()) -> _MinCut:
        """`min_cut` for many gates of one state, sharing the work: `.of(gate)`."""
        return _MinCut(self, where, frozenset(failed_services))

    def _hosts_of(self, mask: int) -> frozenset[str]:
        return frozenset(host for index, host in enumerate(self.hosts) if mask >> index & 1)


def compile_model(arch: Architecture, facts: Catalog) -> FailureModel:
    """The failure model of a validated architecture."""
    networking = arch.openstack.networking
    deployed = list(dict.fromkeys(s for vm in arch.vms for s in vm.services if s in facts.services))
    order = _dependency_order(facts, deployed)
    gates: dict[str, Gate] = {}
    for vm in arch.vms:
        gates[f"vm-down:{vm.name}"] = Gate(f"vm-down:{vm.name}", "or", (f"host:{vm.host}", f"vm:{vm.name}"))
    own: dict[str, ServiceGates] = {}
    for sid in order:
        facts_of = facts.services[sid]
        data = tuple(Member(vm.name) for vm in arch.vms if sid in vm.services)
        failed = f"service:{sid}"
        if facts_of.ha_model == "quorum":
            arbitrator = facts_of.arbitrator
            votes = data + tuple(Member(vm.name, arbitrator) for vm in arch.vms
                                 if arbitrator is not None and arbitrator in vm.services)
            inputs = []
            for member in votes:
                if member.arbitrator is None:
                    inputs.append(f"vm-down:{member.vm}")
                else:  # an arbitrator's vote is lost with its VM or with the arbitrator service as a whole
                    name = f"vote:{member.arbitrator}@{member.vm}"
                    gates[name] = Gate(name, "or", (f"vm-down:{member.vm}", f"service:{member.arbitrator}"))
                    inputs.append(name)
            needed = majority(len(votes))
            quorum = Gate(f"quorum:{sid}", "atleast", tuple(inputs), (1,) * len(inputs), len(votes) - needed + 1)
            no_data = Gate(f"no-member:{sid}", "and", tuple(f"vm-down:{m.vm}" for m in data))
            gates[quorum.name], gates[no_data.name] = quorum, no_data
            gates[f"own:{sid}"] = Gate(f"own:{sid}", "or", (failed, quorum.name, no_data.name))
            own[sid] = ServiceGates(sid, facts_of.ha_model, votes, needed)
        else:
            none_running = Gate(f"no-member:{sid}", "and", tuple(f"vm-down:{m.vm}" for m in data))
            gates[none_running.name] = none_running
            gates[f"own:{sid}"] = Gate(f"own:{sid}", "or", (failed, none_running.name))
            own[sid] = ServiceGates(sid, facts_of.ha_model, data, 1)
        requires = [f"service-down:{dep}" if dep in own else TRUE for dep in facts_of.requires]
        gates[f"service-down:{sid}"] = Gate(f"service-down:{sid}", "or", (f"own:{sid}", *requires))
    operations = {}
    for oid, operation in facts.operations.items():
        prefix = "own:" if operation.plane == "data" else "service-down:"
        inputs = [f"{prefix}{sid}" if sid in own else TRUE for sid in operation.needs(networking).requires]
        gates[f"op:{oid}"] = Gate(f"op:{oid}", "or", tuple(dict.fromkeys(inputs)))
        operations[oid] = f"op:{oid}"
    return FailureModel(arch.id, tuple(h.name for h in arch.hosts), tuple(vm.name for vm in arch.vms), tuple(order),
                        {vm.name: vm.host for vm in arch.vms}, gates, own, operations)


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
    """Top-down expansion of the gates into minimal sets of hosts (MOCUS), memoised per gate."""

    def __init__(self, model: FailureModel, where: Mapping[str, str | None], failed: frozenset[str]) -> None:
        self.model = model
        self.where = where
        self.failed = failed
        self.bit = {host: 1 << index for index, host in enumerate(model.hosts)}
        self.memo: dict[str, Family] = {}
        self.truncated = False  # some family had more sets than CUT_SET_LIMIT

    def keep(self, family: Iterable[int]) -> Family:
        kept = minimise(family)
        if len(kept) > CUT_SET_LIMIT:
            self.truncated = True
            del kept[CUT_SET_LIMIT:]
        return kept

    def product(self, left: Family, right: Family) -> Family:
        return self.keep(a | b for a in left for b in right)

    def of(self, name: str) -> Family:
        if name in self.memo:
            return self.memo[name]
        if name == TRUE:
            found = [0]
        elif name.startswith("vm-down:"):
            host = self.where.get(name[len("vm-down:"):])
            found = [0] if host is None else [self.bit[host]]
        elif name.startswith("service:"):
            found = [0] if name[len("service:"):] in self.failed else []
        else:
            gate = self.model.gates[name]
            children = [self.of(child) for child in gate.inputs]
            if gate.kind == "or":
                found = self.keep(mask for family in children for mask in family)
            elif gate.kind == "and":
                found = [0]
                for family in children:
                    found = self.product(found, family)
            else:
                found = self._at_least(gate, children)
        self.memo[name] = found
        return found

    def _at_least(self, gate: Gate, children: list[Family]) -> Family:
        """Minimal combinations of inputs whose weights reach k, each expanded into its own sets, by
        increasing size, until CUT_SET_LIMIT sets are found."""
        already = sum(w for w, family in zip(gate.weights, children, strict=True) if family == [0])
        need = gate.k - already
        if need <= 0:
            return [0]
        open_inputs = [(w, family) for w, family in zip(gate.weights, children, strict=True)
                       if family and family != [0]]
        found: Family = []
        if all(len(family) == 1 and family[0].bit_count() == 1 for _, family in open_inputs):
            return self._at_least_of_hosts(open_inputs, need)
        for size in range(1, len(open_inputs) + 1):
            for combo in combinations(open_inputs, size):
                weight = sum(w for w, _ in combo)
                if weight < need or weight - min(w for w, _ in combo) >= need:
                    continue  # too light, or not minimal: a lighter sub-combination reaches k already
                product: Family = [0]
                for _, family in combo:
                    product = self.product(product, family)
                found.extend(product)
                if len(found) > 2 * CUT_SET_LIMIT:
                    self.truncated = True
                    return self.keep(found)
        return self.keep(found)


    def _at_least_of_hosts(self, inputs: list[tuple[int, Family]], need: int) -> Family:
        """The common case: every input is one host. Votes on one host fall together, so they are one
        input of their summed weight; the minimal combinations of distinct hosts are then minimal as
        sets already, and come out by increasing size."""
        weight_of: dict[int, int] = {}
        for weight, (mask,) in inputs:
            weight_of[mask] = weight_of.get(mask, 0) + weight
        hosts = sorted(weight_of, key=lambda m: -weight_of[m])
        weights = [weight_of[m] for m in hosts]  # heaviest first
        if sum(weights) < need:
            return []
        # A minimal combination is at least as large as the heaviest hosts that reach `need`, and its
        # weight minus its lightest member stays below `need`, which bounds it by the lightest hosts.
        fewest = next(n for n in range(1, len(weights) + 1) if sum(weights[:n]) >= need)
        lightest = weights[::-1]
        most = max(n for n in range(1, len(weights) + 1) if sum(lightest[:n]) - lightest[0] < need)
        found: Family = []
        for size in range(fewest, most + 1):
            for combo in combinations(hosts, size):
                weight = sum(weight_of[m] for m in combo)
                if weight >= need and weight - min(weight_of[m] for m in combo) < need:
                    found.append(sum(combo))
                    if len(found) >= CUT_SET_LIMIT:
                        self.truncated = True
                        return minimise(found)
        return minimise(found)


class _MinCut:
    """The fewest further host failures that bring a gate down, memoised per gate."""

    def __init__(self, model: FailureModel, where: Mapping[str, str | None], failed: frozenset[str]) -> None:
        self.model = model
        self.where = where
        self.failed = failed
        self.memo: dict[str, int | None] = {}

    def literal(self, name: str) -> str | bool | None:
        """A single-host input: its host; True when down already, False when host failures cannot."""
        if name == TRUE:
            return True
        if name.startswith("vm-down:"):
            host = self.where.get(name[len("vm-down:"):])
            return True if host is None else host
        if name.startswith("service:"):
            return name[len("service:"):] in self.failed
        gate = self.model.gates[name]
        if gate.kind == "or" and name.startswith("vote:"):  # an arbitrator's vote: its VM, or its service
            values = [self.literal(child) for child in gate.inputs]
            if True in values:
                return True
            hosts = {v for v in values if isinstance(v, str)}
            return hosts.pop() if len(hosts) == 1 else None
        return None  # not a single-host input

    def of(self, name: str) -> int | None:
        if name in self.memo:
            return self.memo[name]
        gate = self.model.gates.get(name)
        literal = self.literal(name) if gate is None or name.startswith(("vm-down:", "vote:")) else None
        if literal is True:
            found: int | None = 0
        elif literal is False:
            found = None
        elif isinstance(literal, str):
            found = 1
        elif gate is None:
            raise ValueError(f"unknown gate {name}")
        elif gate.kind == "or":
            costs = [c for c in (self.of(child) for child in gate.inputs) if c is not None]
            found = min(costs, default=None)
        else:
            found = self._threshold(gate)
        self.memo[name] = found
        return found

    def _threshold(self, gate: Gate) -> int | None:
        weights = gate.weights or (1,) * len(gate.inputs)
        need = gate.k if gate.kind == "atleast" else len(gate.inputs)
        by_host: dict[str, int] = {}
        for weight, child in zip(weights, gate.inputs, strict=True):
            value = self.literal(child)
            if value is True:
                need -= weight
            elif isinstance(value, str):
                by_host[value] = by_host.get(value, 0) + weight
            elif value is None:  # not a single-host input: the exact cut sets decide
                sets = _CutSets(self.model, self.where, self.failed).of(gate.name)
                return min((m.bit_count() for m in sets), default=None)
        if need <= 0:
            return 0
        heaviest = heapq.nlargest(len(by_host), by_host.values())
        total = 0
        for count, weight in enumerate(heaviest, start=1):
            total += weight
            if total >= need:
                return count
        return None
