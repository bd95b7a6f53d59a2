"""Everything refarch computes about one valid architecture: every scenario set, the tolerance, and the
longest outage a single host failure causes. Shared by the site and `refarch diff`."""

from __future__ import annotations

import dataclasses

from generator import scenarios
from generator.catalog import Catalog
from generator.impact import DOWN, Engine, Impact, Scenario
from generator.model import Architecture
from generator.tolerance import Tolerance, tolerance


@dataclasses.dataclass(frozen=True)
class Analysis:
    arch: Architecture
    engine: Engine
    sets: dict[str, list[Impact]]
    tolerance: Tolerance
    worst_recovery: int | None  # the longest time an operation is down after a single host failure


def analyse(arch: Architecture, facts: Catalog) -> Analysis:
    engine = Engine(arch, facts)
    sets = {name: [engine.evaluate(s) for s in found]
            for name, found in scenarios.all_sets(arch, set(facts.services)).items()}
    control = [oid for oid, op in facts.operations.items() if op.plane == "control"]
    baseline = engine.phase(Scenario(), "immediate").operations
    offered = [oid for oid in control if baseline[oid].state != DOWN]
    worst: int | None = 0
    for impact in sets["single hosts"]:
        for oid in offered:
            value = impact.recovery_seconds[oid]
            if value is None:
                worst = None
            elif worst is not None:
                worst = max(worst, value)
    return Analysis(arch, engine, sets, tolerance(engine), worst)
