"""How often each operation is down: the exact probability from a binary decision diagram of its gate.

Hosts fail independently, each down a fraction `q` of the time (the host's `unavailability`, or the
platform's estimate from MTBF and MTTR in the catalog). The failure model's gate of an operation, as
a function of the hosts, is built into a BDD with `dd` (CUDD's when its compiled module is there, the
pure-Python one otherwise); the probability that it is true is then one pass over the diagram's
nodes. Exact, unlike the rare-event sum over cut sets, which only bounds it from above.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from generator.analysis.gates import PART_EVENTS, STATE_EVENTS, TRUE, FailureModel
from generator.catalog import Catalog
from generator.model.architecture import Architecture

MINUTES_PER_YEAR = 525_960  # 365.25 days


def host_unavailability(arch: Architecture, facts: Catalog) -> dict[str, float]:
    """Each part's unavailability (hosts, witness, storage, switches): its own, or its platform's default."""
    platform = facts.platforms[arch.platform.hypervisor]
    default = platform.host_reliability.unavailability
    found = {host.name: host.unavailability if host.unavailability is not None else default for host in arch.hosts}
    others = [*arch.storage, *arch.switches, *([arch.platform.witness] if arch.platform.witness else [])]
    part_default = platform.part_reliability.unavailability
    return found | {part.name: part.unavailability if part.unavailability is not None else part_default
                    for part in others}


def unavailability(model: FailureModel, q: Mapping[str, float]) -> dict[str, float | None]:
    """Each operation's probability of being down with nothing else known (None: never works)."""
    diagram = Diagram(model)
    return {oid: diagram.probability(gate, q) for oid, gate in model.operations.items()}


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
    """The model's gates as BDDs over the hosts (with every VM on its host and no service failed)."""

    def __init__(self, model: FailureModel) -> None:
        self.model = model
        self.bdd = _bdd_module().BDD()
        self.bdd.declare(*(_var(i) for i in range(len(model.parts))))
        self.index = {part: i for i, part in enumerate(model.parts)}
        self.event_index = {model.part_events[part]: i for part, i in self.index.items()}
        self.memo: dict[str, Any] = {}

    def of(self, name: str) -> Any:
        if name in self.memo:
            return self.memo[name]
        bdd = self.bdd
        if name == TRUE:
            found = bdd.true
        elif name.startswith(STATE_EVENTS):
            found = bdd.false
        elif name.startswith(PART_EVENTS):
            found = bdd.var(_var(self.event_index[name]))
        else:
            gate = self.model.gates[name]
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
        by_var = {_var(i): q[host] for host, i in self.index.items()}
        return self._chance(root, by_var, {})

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
