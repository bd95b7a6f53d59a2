"""Everything refarch computes about one valid architecture: every scenario set, the tolerance, and the
longest outage a single host failure causes. Shared by the site and `refarch diff`.

The sets a page shows scenario by scenario (hosts, VMs, failure domains, services) are evaluated in
full, reasons and margins included; the large ones it summarises (pairs of hosts, maintenance then a
failure: quadratic in the hosts) only as the operations each stops, by the compiled model over all of
their scenarios at once."""

from __future__ import annotations

import dataclasses

from generator.analysis import scenarios
from generator.analysis.engine import DOWN, Engine, Impact, Phase, Scenario
from generator.analysis.tolerance import Tolerance, tolerance
from generator.catalog import Catalog
from generator.model.architecture import Architecture

SUMMARISED = ("pairs of hosts", "maintenance then a failure")


@dataclasses.dataclass(frozen=True)
class Summary:
    """A scenario with only what it stops: operation ids down in each phase."""

    scenario: Scenario
    stopped: dict[Phase, frozenset[str]]


@dataclasses.dataclass(frozen=True)
class Analysis:
    arch: Architecture
    engine: Engine
    sets: dict[str, list[Impact]]  # the sets shown scenario by scenario
    summaries: dict[str, list[Summary]]  # the sets shown as what they stop (SUMMARISED)
    tolerance: Tolerance
    # The longest a control-plane operation it offers stays stopped after one host fails, and which one when
    # which host fails; None when no single host stops any (a cache stall or a failover degrades, it stops nothing).
    longest_outage: Outage | None

    def evaluate(self, scenario: Scenario) -> Impact:
        """The impact of a scenario: the one evaluated already when a set holds it, else the engine's."""
        for impact in (impact for listed in self.sets.values() for impact in listed):
            if impact.scenario == scenario:
                return impact
        return self.engine.evaluate(scenario)

    @property
    def worst_recovery(self) -> int | None:
        """The longest outage in seconds: 0 when there is none, None when it lasts until a repair."""
        return 0 if self.longest_outage is None else self.longest_outage.seconds


@dataclasses.dataclass(frozen=True)
class Outage:
    seconds: int | None  # None: until the host is repaired
    operation: str
    host: str


def analyse(arch: Architecture, facts: Catalog) -> Analysis:
    engine = Engine(arch, facts)
    found = scenarios.all_sets(arch, set(facts.for_architecture(arch).services))
    sets = {name: [engine.evaluate(s) for s in listed] for name, listed in found.items() if name not in SUMMARISED}
    summaries = {name: [Summary(s, stopped) for s, stopped in zip(found[name], engine.stopped(found[name]),
                                                                  strict=True)]
                 for name in SUMMARISED}
    control = engine.facts.control_operations
    baseline = engine.phase(Scenario(), "immediate").operations
    offered = [oid for oid in control if baseline[oid].state != DOWN]
    stopped = [Outage(impact.recovery_seconds[oid], oid, ", ".join(impact.scenario.failed))
               for impact in sets["single hosts"] for oid in offered if impact.immediate.operations[oid].state == DOWN]
    forever = [outage for outage in stopped if outage.seconds is None]
    longest = forever[0] if forever else max(stopped, key=lambda o: (o.seconds, o.operation), default=None)
    return Analysis(arch, engine, sets, summaries, tolerance(engine), longest)
