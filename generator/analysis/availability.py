"""How often each operation is down, what it comes from, and which events matter most.

The reliability model (`generator.analysis.reliability`: every basic event with its class and probability,
the failure model's gates refined for them) is built into binary decision diagrams with `dd` (CUDD's when its
compiled module is there, the pure-Python one otherwise). From each operation's diagram:

- the exact probability that it is down at a random moment (one pass over the nodes; exact, unlike the
  rare-event sum over cut sets, which only bounds it);
- importance measures per basic event, as SCRAM defines them: Birnbaum's (SCRAM's MIF, P(down | e) -
  P(down | not e)), criticality (CIF, MIF * p / P), diagnosis (DIF, p * P(down | e) / P), risk achievement
  (RAW, P(down | e) / P) and risk reduction worth (RRW, P / P(down | not e)); all from one more pass, since
  the probability is linear in each event's;
- the share of each cause class (`by_cause`): each minimal cut set's probability divided equally among its
  events and added to their classes, so the four add up to the rare-event sum of every minimal cut set
  (summed over their ZDD, `generator.analysis.zdd`, never listed; within 1 % of the exact probability on
  the shipped designs).
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Mapping
from typing import Any

from generator.analysis import zdd
from generator.analysis.gates import TRUE
from generator.analysis.reliability import CAUSES, ReliabilityModel

MEMORY_PER_ORDER = 32 << 20  # bytes of CUDD's memory an order may take before the next is tried
_UNBOUNDED = (1 << 64) - 1
SMALL_ENOUGH = 50_000  # nodes: a diagram this small is read in a blink, so no other order is tried
MINUTES_PER_YEAR = 525_960  # 365.25 days


@dataclasses.dataclass(frozen=True)
class Importance:
    birnbaum: float  # SCRAM's MIF
    criticality: float  # CIF
    diagnosis: float  # DIF
    raw: float
    rrw: float


@dataclasses.dataclass(frozen=True)
class Availability:
    """One operation's probability of being down, what it comes from, and each event's importance (by its
    name in the Open-PSA export)."""

    probability: float
    by_cause: Mapping[str, float]
    importance: Mapping[str, Importance]


def unavailability(tree: ReliabilityModel, q: Mapping[str, float] | None = None) -> dict[str, float | None]:
    """Each operation's probability of being down with nothing else known (None: never works); `q`
    replaces events' probabilities (by model event name; the others' are 0 when it is given)."""
    diagram = Diagram(tree)
    chances = _chances(tree, q)
    return {oid: diagram.probability(gate, chances) for oid, gate in tree.operations.items()}


def analyse(tree: ReliabilityModel) -> dict[str, Availability | None]:
    """Each operation's `Availability` (None: it never works)."""
    diagram = Diagram(tree)
    chances = _chances(tree, None)
    found: dict[str, Availability | None] = {}
    for oid, gate in tree.operations.items():
        probability = diagram.probability(gate, chances)
        if probability is None:
            found[oid] = None
            continue
        found[oid] = Availability(probability, diagram.by_cause(gate, chances),
                                  diagram.importance(gate, chances, probability))
    return found


def _chances(tree: ReliabilityModel, q: Mapping[str, float] | None) -> dict[str, float]:
    if q is None:
        return {event.event: event.probability for event in tree.events}
    return {event.event: q.get(event.event, 0.0) for event in tree.events}


def nines(probability: float) -> float:
    """-log10 of the unavailability: 3.0 for 99.9 % available."""
    return math.inf if probability <= 0 else -math.log10(probability)


def minutes_per_year(probability: float) -> float:
    return probability * MINUTES_PER_YEAR


def in_words(probability: float) -> tuple[str, str]:
    """Downtime per year and availability as a page shows them: ("0.018 min", "7.5 nines")."""
    nine_count = nines(probability)
    return (f"{minutes_per_year(probability):.3g} min",
            "never down" if nine_count == math.inf else f"{nine_count:.1f} nines")


class Diagram:
    """The reliability model's gates as BDDs over its basic events (each event one variable; an event the
    model names but no basic event is, such as a `before:` or an unshared service's, is never true).

    Every operation's diagram is built when the diagram is made, in a fixed variable order: CUDD's dynamic
    reordering finds a good order too, but spends seconds on it for a large region (six of 6.2 s on the
    32-host Pacemaker region). Two orders are tried, each within `MEMORY_PER_ORDER` of CUDD's memory, before
    reordering is left to CUDD: one role by role, one host by host (`_orders`), the second only when the
    first made more than `SMALL_ENOUGH` nodes, and kept when smaller. Levels then stay fixed, so a
    node's level names its variable for as long as the diagram lives."""

    def __init__(self, tree: ReliabilityModel) -> None:
        self.tree = tree
        module = _bdd_module()
        best: tuple[int, tuple] | None = None
        if module.__name__ == "dd.cudd":  # the pure-Python BDDs have no memory bound to try orders with
            memory = MEMORY_PER_ORDER
            for order in _orders(tree):
                if best is not None and best[0] < SMALL_ENOUGH:
                    break
                if self._build(module, order, memory):
                    if best is None or len(self.bdd) < best[0]:
                        best = (len(self.bdd), self._state())
                    memory = min(memory, _memory(self.bdd))  # the next must do better
            if best is not None:
                self.bdd, self.order, self.event_var, self.memo = best[1]
            self.bdd.configure(reordering=False, max_memory=_UNBOUNDED)
        if best is None:  # CUDD's reordering, then fixed: the order is the one it left
            self._build(module, _orders(tree)[-1], None)
            self.bdd.configure(reordering=False)
            self.order = sorted(self.order, key=lambda event: self.bdd.level_of_var(self.event_var[event]))
        self.var_event = {var: event for event, var in self.event_var.items()}
        self.position = {self.event_var[event]: i for i, event in enumerate(self.order)}
        self.family = zdd.Family()  # every gate's minimal cut sets, once asked for (`by_cause`)
        # what is kept for the chances last asked with: each node's probability, each ZDD node's class sums
        self._chance_key: tuple | None = None
        self._chance_memo: dict[int, float] = {}
        self._shares_memo: dict[int, dict[int, list[float]]] = {}

    def _state(self) -> tuple:
        return self.bdd, self.order, self.event_var, self.memo

    def _build(self, module: Any, order: list[str], memory: int | None) -> bool:
        """Every operation's diagram in that order, within `memory` bytes of CUDD's (None: any, with
        reordering); False when it ran out."""
        self.bdd = module.BDD()
        self.order = order
        self.bdd.declare(*(_var(i) for i in range(len(order))))
        self.event_var = {event: _var(i) for i, event in enumerate(order)}
        self.memo: dict[str, Any] = {}
        if memory is not None:
            self.bdd.configure(reordering=False, max_memory=memory)
        try:
            for gate in self.tree.operations.values():
                self.of(gate)
        except ValueError:  # CUDD ran out of the memory given: the order is a poor one for the design
            self.memo.clear()
            return False
        return True

    def of(self, name: str) -> Any:
        if name in self.memo:
            return self.memo[name]
        bdd = self.bdd
        if name == TRUE:
            found = bdd.true
        elif name in self.event_var:
            found = bdd.var(self.event_var[name])
        elif name not in self.tree.gates:
            found = bdd.false
        else:
            gate = self.tree.gates[name]
            children = [self.of(child) for child in gate.inputs]
            if gate.kind == "or":
                found = bdd.false
                for child in children:
                    found |= child
            elif gate.kind == "and":
                found = bdd.true
                for child in children:
                    found &= child
            else:
                found = self._at_least(children, list(gate.weights), gate.k)
        self.memo[name] = found
        return found

    def level(self, node: Any) -> int:
        """The level of a (non-constant) node's variable: its index in `order`."""
        return self.position[node.var]

    def minimal_cut_sets(self, family: zdd.Family, gate: str) -> int:
        """The gate's minimal cut sets as a node of `family`, each variable by its level in `order`."""
        return family.minimal_solutions(self.of(gate), lambda node: node == self.bdd.true,
                                        lambda node: node == self.bdd.false, self.level)

    def _at_least(self, children: list[Any], weights: list[int], k: int) -> Any:
        """True when the weights of the true children add up to k: built from the last input back, for
        each weight still needed. (No recursive closure: one would keep the BDD's nodes in a reference
        cycle that may outlive the BDD at exit, which CUDD reports.)"""
        bdd = self.bdd
        after = [sum(weights[i:]) for i in range(len(children) + 1)]
        row = {need: bdd.true if need <= 0 else bdd.false for need in range(k + 1)}  # past the last input
        for i in range(len(children) - 1, -1, -1):
            child, weight = children[i], weights[i]
            row = {need: bdd.true if need <= 0 else bdd.false if after[i] < need else
                   (child & row[max(need - weight, 0)]) | (~child & row[need]) for need in range(k + 1)}
        return row[k]

    def probability(self, gate: str, q: Mapping[str, float]) -> float | None:
        root = self.of(gate)
        if root == self.bdd.true:
            return None
        by_var, memo = self._chances(q)
        return self._chance(root, by_var, memo)

    def _chances(self, q: Mapping[str, float]) -> tuple[dict[str, float], dict[int, float]]:
        """Each variable's chance, and the nodes' probabilities under them so far: kept for the next gate
        asked with the same chances, since operations share most of their nodes."""
        by_var = {var: q.get(event, 0.0) for event, var in self.event_var.items()}
        key = tuple(by_var.values())
        if self._chance_key != key:
            self._chance_key, self._chance_memo, self._shares_memo = key, {}, {}
        return by_var, self._chance_memo

    def _chance(self, node: Any, by_var: Mapping[str, float], memo: dict[int, float]) -> float:
        """The probability that a BDD node is true, each variable true with its chance."""
        if node == self.bdd.true:
            return 1.0
        if node == self.bdd.false:
            return 0.0
        if node.negated:
            return 1.0 - self._chance(~node, by_var, memo)
        key = int(node)
        if key not in memo:
            chance = by_var[node.var]
            memo[key] = chance * self._chance(node.high, by_var, memo) + (1.0 - chance) * self._chance(
                node.low, by_var, memo)
        return memo[key]

    def importance(self, gate: str, q: Mapping[str, float], probability: float) -> dict[str, Importance]:
        """SCRAM's importance measures of every event the operation's diagram reads, by export name."""
        by_var, memo = self._chances(q)
        birnbaum = self._birnbaum(self.of(gate), by_var, memo)
        found = {}
        for var, derivative in sorted(birnbaum.items(), key=lambda item: self.position[item[0]]):
            p = by_var[var]
            when_failed = probability + (1 - p) * derivative  # P(down | e), the probability being linear in p
            when_working = probability - p * derivative  # P(down | not e)
            name = self.tree.by_event[self.var_event[var]].name
            found[name] = Importance(
                birnbaum=derivative, criticality=derivative * p / probability if probability else 0.0,
                diagnosis=p * when_failed / probability if probability else 0.0,
                raw=when_failed / probability if probability else math.inf,
                rrw=probability / when_working if when_working > 0 else math.inf)
        return found

    def _birnbaum(self, root: Any, by_var: Mapping[str, float], memo: dict[int, float]) -> dict[str, float]:
        """The derivative of the root's probability by each variable's, in one pass: each node's signed
        weight (the chance of reaching it, negative through a complemented edge) times the difference of
        its cofactors' probabilities, summed per variable."""
        weight: dict[int, float] = {}
        nodes: dict[int, Any] = {}

        def regular(node: Any) -> tuple[Any, float]:
            return (~node, -1.0) if node.negated else (node, 1.0)

        def constant(node: Any) -> bool:
            return node == self.bdd.true or node == self.bdd.false

        derivative: dict[str, float] = {}
        if constant(root):
            return derivative
        start, sign = regular(root)
        weight[int(start)] = sign
        nodes[int(start)] = start
        frontier = [start]
        while frontier:  # every reachable regular node, by level
            node = frontier.pop()
            for child in (node.high, node.low):
                if not constant(child):
                    plain, _ = regular(child)
                    if int(plain) not in nodes:
                        nodes[int(plain)] = plain
                        frontier.append(plain)
        for key in sorted(nodes, key=lambda k: nodes[k].level):
            node = nodes[key]
            w = weight.get(key, 0.0)
            if w == 0.0:
                continue
            p = by_var[node.var]
            high = self._chance(node.high, by_var, memo)
            low = self._chance(node.low, by_var, memo)
            derivative[node.var] = derivative.get(node.var, 0.0) + w * (high - low)
            for child, branch in ((node.high, p), (node.low, 1.0 - p)):
                if not constant(child):
                    plain, flip = regular(child)
                    weight[int(plain)] = weight.get(int(plain), 0.0) + w * branch * flip
        return derivative

    def by_cause(self, gate: str, q: Mapping[str, float]) -> dict[str, float]:
        """Each cause class's share of the rare-event sum over the gate's minimal cut sets: every set's
        probability divided equally among its events' classes, summed over the ZDD of the sets without
        listing them. The sets and the sums are kept for the next gate asked with the same chances."""
        self._chances(q)  # resets the sums kept when the chances differ
        node = self.minimal_cut_sets(self.family, gate)
        classes = {cause: index for index, cause in enumerate(CAUSES)}
        totals = self.family.shares(node, lambda level: q.get(self.order[level], 0.0),
                                    lambda level: classes[self.tree.by_event[self.order[level]].cause],
                                    len(CAUSES), self._shares_memo)
        return dict(zip(CAUSES, totals, strict=True))


def _orders(tree: ReliabilityModel) -> list[list[str]]:
    """Two variable orders, each with the events shared by many gates first (common causes, switches,
    storage, the witness). Role by role: for each set of VMs running the same services, their hosts (with
    their maintenance and the host each VM moves to for it) and guests, then each service's processes on
    them side by side, so a role's gates are closed before the next one's open (the shipped large region:
    three members per role, several roles per host). Host by host: each host, its maintenance, and its VMs'
    events (a 48-host region with about one VM per host, where roles share no hosts)."""
    names = [event.event for event in tree.events]
    shared = [e for e in names if e.startswith(("service:", "switch:", "storage:", "witness:"))]
    processes: dict[str, dict[str, str]] = {}  # vm -> service -> its process event
    for event in names:
        if event.startswith("process:"):
            sid, _, vm = event.removeprefix("process:").rpartition("@")
            processes.setdefault(vm, {})[sid] = event

    def ordered(groups: list[tuple[list[str], list[str]]]) -> list[str]:
        """`shared`, then each group's hosts and VMs' events, then the rest, each event once."""
        found = dict.fromkeys(shared)
        for hosts, events in groups:
            for host in hosts:
                found.update(dict.fromkeys(e for e in (f"host:{host}", f"maintenance:{host}") if e in tree.by_event))
            found.update(dict.fromkeys(e for e in events if e in tree.by_event))
        found.update(dict.fromkeys(names))
        return list(found)

    roles: dict[tuple[str, ...], list[str]] = {}
    for vm in tree.vm_host:
        roles.setdefault(tuple(sorted(processes.get(vm, {}))), []).append(vm)
    by_role = []
    for services, vms in roles.items():
        for vm in vms:
            hosts = [tree.vm_host[vm]]
            during = tree.gates.get(f"maintenance-lost:{vm}")
            if during is not None and during.inputs[1].startswith("host:"):
                hosts.append(during.inputs[1].removeprefix("host:"))
            by_role.append((hosts, [f"vm:{vm}"]))
        by_role.append(([], [processes[vm][sid] for sid in services for vm in vms]))
    by_host = [([host], [e for vm, on in tree.vm_host.items() if on == host
                         for e in (f"vm:{vm}", *processes.get(vm, {}).values())])
               for host in dict.fromkeys(e.removeprefix("host:") for e in names if e.startswith("host:"))]
    return [ordered(by_role), ordered(by_host)]


def _memory(bdd: Any) -> int:
    """The bytes CUDD holds for a diagram."""
    with warnings.catch_warnings():  # `dd` warns that it counts bytes since 0.5.7, which is what is read
        warnings.simplefilter("ignore", UserWarning)
        return int(bdd.statistics()["mem"])


def _var(index: int) -> str:
    return f"h{index}"


def _bdd_module() -> Any:
    """CUDD's BDDs through `dd`, or its pure-Python ones where no compiled CUDD exists for this Python (the
    same API). Imported when first needed: `dd` brings networkx, which checking a file does not need."""
    try:
        from dd import cudd
    except ImportError:
        from dd import autoref

        return autoref
    return cudd
