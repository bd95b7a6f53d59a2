"""An architecture compiled once into its failure model: parts that can fail, and gates over them.

The model is a fault tree whose gates say when something is *down*:

- parts: `host:<name>`, `vm:<name>` (the VM itself fails) and `service:<id>` (a service fails on every
  VM at once); the constant `TRUE` stands for a service the design does not deploy;
- `vm-down:<vm>` = its host or the VM itself failed. Evaluations take these values from a placement
  (which VMs run where in a phase), so this is the one place where what keeps a VM running enters
  (the platform's parts, later, also come in here and nowhere else);
- `own:<service>`: the service's own members, by its HA model: quorum services are down when enough
  votes are lost (`atleast`, arbitrators' votes included) or no data member runs; every other model
  is down when no instance runs (`and` over its instances);
- `service-down:<id>` is down when its own gate is or a service it requires is (`or` of downs);
- `op:<operation>` is down when a service it requires is down; a data-plane operation reads the
  services' own gates only, never the control plane they depend on.

Everything that asks "what stops" reads this one structure: scenario evaluation (vectorised with
numpy over many scenarios), exact minimal cut sets (top-down expansion with absorption), the margin
left in a state, the exact unavailability (`generator.availability`), and the Open-PSA export.
Degradation (`uses`, lost shards, failovers) is about how well something works, not whether it does,
so it stays in `generator.impact`, which reads the gates' values.
"""

from __future__ import annotations

import dataclasses
import heapq
from collections.abc import Iterable, Iterator, Mapping
from itertools import combinations
from typing import Any, Literal

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
class FailureModel:
    arch_id: str
    hosts: tuple[str, ...]
    vms: tuple[str, ...]
    services: tuple[str, ...]  # deployed services, each after those it depends on
    vm_host: Mapping[str, str]  # where each VM runs with nothing failed
    gates: Mapping[str, Gate]  # in an order where every input comes before the gate
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

    def min_cuts(self, where: Mapping[str, str | None], failed_services: Iterable[str] = ()) -> MinCuts:
        """`min_cut` for many gates of one state, sharing the work: `.of(gate)`."""
        return MinCuts(self, where, frozenset(failed_services))

    def _hosts_of(self, mask: int) -> frozenset[str]:
        return frozenset(host for index, host in enumerate(self.hosts) if mask >> index & 1)


def compile_model(arch: Architecture, facts: Catalog) -> FailureModel:
    """The failure model of a validated architecture."""
    networking = arch.openstack.networking
    deployed = list(dict.fromkeys(s for vm in arch.vms for s in vm.services if s in facts.services))
    order = _dependency_order(facts, deployed)
    deployed_set = set(order)
    gates: dict[str, Gate] = {}
    for vm in arch.vms:
        gates[f"vm-down:{vm.name}"] = Gate(f"vm-down:{vm.name}", "or", (f"host:{vm.host}", f"vm:{vm.name}"))
    for sid in order:
        facts_of = facts.services[sid]
        members = [vm.name for vm in arch.vms if sid in vm.services]
        no_member = Gate(f"no-member:{sid}", "and", tuple(f"vm-down:{vm}" for vm in members))
        gates[no_member.name] = no_member
        inputs = [f"service:{sid}", no_member.name]
        if facts_of.ha_model == "quorum":
            votes = [f"vm-down:{vm}" for vm in members]
            arbitrator = facts_of.arbitrator
            for vm in arch.vms:
                if arbitrator is not None and arbitrator in vm.services:
                    # An arbitrator's vote is lost with its VM or with the arbitrator service as a whole.
                    vote = Gate(f"vote:{arbitrator}@{vm.name}", "or", (f"vm-down:{vm.name}", f"service:{arbitrator}"))
                    gates[vote.name] = vote
                    votes.append(vote.name)
            lost = len(votes) - majority(len(votes)) + 1
            quorum = Gate(f"quorum:{sid}", "atleast", tuple(votes), (1,) * len(votes), lost)
            gates[quorum.name] = quorum
            inputs.append(quorum.name)
        gates[f"own:{sid}"] = Gate(f"own:{sid}", "or", tuple(inputs))
        requires = [f"service-down:{dep}" if dep in deployed_set else TRUE for dep in facts_of.requires]
        gates[f"service-down:{sid}"] = Gate(f"service-down:{sid}", "or", (f"own:{sid}", *requires))
    operations = {}
    for oid, operation in facts.operations.items():
        prefix = "own:" if operation.plane == "data" else "service-down:"
        inputs = [f"{prefix}{sid}" if sid in deployed_set else TRUE for sid in operation.needs(networking).requires]
        gates[f"op:{oid}"] = Gate(f"op:{oid}", "or", tuple(dict.fromkeys(inputs)))
        operations[oid] = f"op:{oid}"
    return FailureModel(arch.id, tuple(h.name for h in arch.hosts), tuple(vm.name for vm in arch.vms), tuple(order),
                        {vm.name: vm.host for vm in arch.vms}, gates, operations)


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
        need = gate.k - sum(w for w, family in zip(gate.weights, children, strict=True) if family == [0])
        if need <= 0:
            return [0]
        weight_of: dict[int, int] = {}  # input (an index, or in the common case its one host) -> weight
        families: dict[int, Family] = {}
        single_hosts = all(len(f) == 1 and f[0].bit_count() == 1 for f in children if f and f != [0])
        for index, (weight, family) in enumerate(zip(gate.weights, children, strict=True)):
            if family and family != [0]:
                # Votes on one host fall together: one input of their summed weight, whose minimal
                # combinations are then minimal as sets of hosts already.
                key = family[0] if single_hosts else index
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
                break  # `keep` marks the family cut short
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


class MinCuts:
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
