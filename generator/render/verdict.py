"""The verdict at the top of an architecture page: what it tolerates, its availability, its weakest
points and the rule findings, each linked to its detail further down. Reads the analysis; decides
nothing itself."""

from __future__ import annotations

from typing import Any

from generator.analysis import availability
from generator.analysis.design import Analysis
from generator.analysis.engine import DOWN
from generator.catalog import Catalog

WEAKEST_LISTED = 4


def of(analysis: Analysis, findings: list[dict], waived: list, facts: Catalog) -> dict[str, Any]:
    tolerance = analysis.tolerance
    control = facts.control_operations
    domains = []
    for impact in analysis.sets.get("failure domains", []):
        stops = [oid for oid in control if impact.after_restart.operations[oid].state == DOWN]
        now = [oid for oid in control if impact.immediate.operations[oid].state == DOWN]
        domains.append({"name": ", ".join(sorted(impact.scenario.domains)), "after": stops, "immediate": now})
    return {"tolerates": tolerance.tolerates, "hosts": len(analysis.arch.hosts), "domains": domains,
            "outage": analysis.longest_outage,
            "worst": least_available(analysis, facts), "weakest": _weakest(analysis, control),
            "errors": [f for f in findings if f["kind"] == "error"],
            "warnings": [f for f in findings if f["kind"] == "warning"],
            "expected": [f for f in findings if f["kind"] == "expected"], "waived": len(waived)}


def least_available(analysis: Analysis, facts: Catalog) -> dict[str, str] | None:
    """The control-plane operation host failures stop most often, with its yearly downtime and nines
    (None when none has a figure)."""
    values = [(op.unavailability, oid) for oid, op in analysis.tolerance.operations.items()
              if op.unavailability is not None and oid in facts.control_operations]
    if not values:
        return None
    probability, oid = max(values)
    minutes, nines = availability.in_words(probability)
    return {"oid": oid, "minutes": minutes, "nines": nines}


def _weakest(analysis: Analysis, control: list[str]) -> list[dict[str, Any]]:
    """The smallest minimal cut sets of the control-plane operations, each with what it stops."""
    stops: dict[tuple[str, ...], list[str]] = {}
    for oid in control:
        op = analysis.tolerance.operations[oid]
        if op.tolerates is None:
            continue
        for cut in op.minimal_cut_sets:
            stops.setdefault(tuple(cut), []).append(oid)
    if not stops:
        return []
    smallest = min(len(cut) for cut in stops)
    listed = sorted((cut for cut in stops if len(cut) == smallest), key=lambda cut: (-len(stops[cut]), cut))
    every = set(oid for oid in control if analysis.tolerance.operations[oid].tolerates is not None)
    return [{"parts": list(cut), "stops": stops[cut] if set(stops[cut]) != every else ["every control-plane operation"]}
            for cut in listed[:WEAKEST_LISTED]] + (
        [{"more": len(listed) - WEAKEST_LISTED}] if len(listed) > WEAKEST_LISTED else [])
