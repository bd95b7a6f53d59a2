"""How many host failures each operation tolerates, from its exact minimal cut sets, and how often it is down.

A cut set of an operation is a set of parts (hosts, and the witness, storage and switches a design
declares) whose simultaneous failure stops it in the immediate phase (before the platform restarts
anything); a minimal one has no smaller cut set inside it. They come from the compiled failure model's
BDD over the parts, as a ZDD (`cut_sets.families`), for any number of hosts; `tolerates` (host failures,
the other parts intact) comes from its min cuts and is always exact. Where there are many, the smallest
are listed first, up to `LISTED`, and `truncated` says so; `cut_sets_total` counts them all, exactly, however many. An
operation that does not work with every host up (it needs a service the design does not deploy) is
reported as unavailable, not as tolerating nothing. `unavailability` is the exact probability that
the operation is down at a random moment, from every failure event (hardware, software, common causes and
maintenance: `generator.analysis.availability`), with its cause classes and each event's importance.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from generator.analysis import availability, reliability
from generator.analysis.engine import Engine, OperationState, Scenario

LISTED = 50


@dataclasses.dataclass(frozen=True)
class OperationTolerance:
    tolerates: int | None  # None: the operation does not work even with every host up
    minimal_cut_sets: list[list[str]]  # [[]] for an operation that does not work at all
    unavailable: OperationState | None = None  # with nothing failed, when it does not work: why
    cut_sets_total: int = 0  # every minimal cut set
    truncated: bool = False  # more cut sets exist than are listed
    unavailability: float | None = None  # probability that it is down (None: not available at all)
    # the unavailability's cause classes (hardware, software, common_cause, maintenance) and each basic
    # event's importance, by its Open-PSA name (`availability`)
    by_cause: Mapping[str, float] | None = None
    importance: Mapping[str, availability.Importance] | None = None


@dataclasses.dataclass(frozen=True)
class Tolerance:
    max_order: int | None  # the largest cut set listed, when limited by the caller
    exhaustive: bool  # always true: the cut sets are exact for any number of hosts
    tolerates: int  # the minimum over control-plane operations
    operations: dict[str, OperationTolerance]
    # the basic events the probabilities count, by their Open-PSA name (what each is, its class)
    events: Mapping[str, reliability.BasicEvent] = dataclasses.field(default_factory=dict)


def hosts_tolerated(engine: Engine) -> dict[str, int | None]:
    """Per operation, how many host failures it survives with the other parts intact (None: it does not
    work with every host up)."""
    model = engine.model
    baseline = engine.phase(Scenario(), "immediate").operations
    cuts = model.min_cuts(model.vm_host, hosts_only=True)
    return {oid: None if baseline[oid].state == "down" else
            len(model.hosts) if (fewest := cuts.of(gate)) is None else fewest - 1
            for oid, gate in model.operations.items()}


def least_tolerated(engine: Engine, per_operation: Mapping[str, int | None]) -> int:
    """The architecture's tolerance: the minimum over the control-plane operations that work."""
    control = [per_operation[oid] for oid in engine.facts.control_operations if per_operation.get(oid) is not None]
    return min(control, default=len(engine.model.hosts))


def tolerance(engine: Engine, max_order: int | None = None) -> Tolerance:
    model = engine.model
    baseline = engine.phase(Scenario(), "immediate").operations
    tolerated = hosts_tolerated(engine)
    tree = reliability.build(model, engine.arch, engine.facts)
    figures = availability.analyse(tree)
    result: dict[str, OperationTolerance] = {}
    families = model.cut_set_families((gate for oid, gate in model.operations.items()
                                       if baseline[oid].state != "down"), LISTED + 1)
    for oid, gate in model.operations.items():
        if baseline[oid].state == "down":
            result[oid] = OperationTolerance(None, [[]], baseline[oid])
            continue
        cuts = families[gate]
        listed = [cut for cut in cuts.smallest if max_order is None or len(cut) <= max_order]
        result[oid] = OperationTolerance(
            tolerates=tolerated[oid], minimal_cut_sets=[sorted(cut) for cut in listed[:LISTED]],
            cut_sets_total=cuts.total, truncated=len(listed) > LISTED or len(listed) < cuts.total,
            **_figures(figures[oid]))
    return Tolerance(max_order, True, least_tolerated(engine, tolerated), result, {e.name: e for e in tree.events})



def _figures(found: availability.Availability | None) -> dict[str, object]:
    if found is None:
        return {}
    return {"unavailability": found.probability, "by_cause": found.by_cause, "importance": found.importance}
