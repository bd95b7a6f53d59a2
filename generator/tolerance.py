"""How many host failures each operation tolerates, from its minimal cut sets.

A cut set of an operation is a set of hosts whose simultaneous failure stops it (in the immediate
phase, before the platform restarts anything); a minimal one has no smaller cut set inside it. The
sets are enumerated by size, up to `max_order` (all sizes when there are at most 12 hosts), skipping
supersets of cut sets already found: failing more never makes an operation work again. An operation
that does not work with every host up (it needs a service the design does not deploy) is reported as
unavailable, not as tolerating nothing.
"""

from __future__ import annotations

import dataclasses
from itertools import combinations

from generator.impact import DOWN, Engine, Scenario

EXHAUSTIVE_UP_TO = 12
DEFAULT_ORDER = 3


@dataclasses.dataclass(frozen=True)
class OperationTolerance:
    tolerates: int | None  # None: the operation does not work even with every host up
    minimal_cut_sets: list[list[str]]  # [[]] for an operation that does not work at all
    unavailable_reason: str | None = None


@dataclasses.dataclass(frozen=True)
class Tolerance:
    max_order: int
    exhaustive: bool  # every size was examined, so `tolerates` is exact, not a lower bound
    tolerates: int  # the minimum over control-plane operations
    operations: dict[str, OperationTolerance]


def tolerance(engine: Engine, max_order: int | None = None) -> Tolerance:
    hosts = sorted(host.name for host in engine.arch.hosts)
    order = max_order or (len(hosts) if len(hosts) <= EXHAUSTIVE_UP_TO else DEFAULT_ORDER)
    order = min(order, len(hosts))
    baseline = engine.phase(Scenario(), "immediate").operations
    operations = [oid for oid in engine.facts.operations if baseline[oid].state != DOWN]
    cuts: dict[str, list[frozenset[str]]] = {oid: [] for oid in operations}
    for size in range(1, order + 1):
        for combo in map(frozenset, combinations(hosts, size)):
            pending = [oid for oid in operations if not any(cut <= combo for cut in cuts[oid])]
            if not pending:
                continue
            phase = engine.phase(Scenario(hosts=combo), "immediate")
            for oid in pending:
                if phase.operations[oid].state == DOWN:
                    cuts[oid].append(combo)
    result = {
        oid: OperationTolerance(None, [[]], baseline[oid].reason) if oid not in cuts else OperationTolerance(
            min(len(cut) for cut in cuts[oid]) - 1 if cuts[oid] else order,
            sorted((sorted(cut) for cut in cuts[oid]), key=lambda cut: (len(cut), cut)),
        )
        for oid in engine.facts.operations
    }
    control = [result[oid].tolerates for oid in operations if engine.facts.operations[oid].plane == "control"]
    return Tolerance(order, order == len(hosts), min(control, default=order), result)
