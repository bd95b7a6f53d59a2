"""Failure impact as a page shows it: operations by scenarios, one answer per cell, reasons listed once.

Reads the analysis (`generator.analysis`); decides nothing itself. A matrix has a column per scenario
of the sets it is given (each host, each failure domain, each platform part; or each service), a row
per operation, and per phase a cell with the state, the margin (further failures it survives) and a
reference to its `why` (the short text naming the root causes), numbered once per matrix however many
cells share it; each scenario's root causes are said once per phase, in its column's summary. "Works
again in" is given only where an operation stopped.
"""

from __future__ import annotations

from typing import Any

from generator.analysis.design import Analysis, Summary
from generator.analysis.engine import DOWN, PHASES, Impact
from generator.catalog import Catalog
from generator.render import phrases

SUMMARY_EXAMPLES = 2
SET_GROUPS = {"single hosts": "Hosts", "failure domains": "Failure domains", "platform parts": "Platform parts",
              "whole services": "Services", "cells": "Nova cells", "single VMs": "VMs"}


def of(analysis: Analysis, set_names: list[str], facts: Catalog) -> dict[str, Any]:
    """The matrix of the scenario sets named, in that order (empty sets are left out)."""
    columns: list[dict[str, str]] = []
    impacts: list[Impact] = []
    groups = []
    for name in set_names:
        listed = analysis.sets.get(name, [])
        if not listed:
            continue
        groups.append({"label": SET_GROUPS[name], "span": len(listed)})
        for index, impact in enumerate(listed):
            columns.append({"label": _label(analysis, name, index, impact), "title": phrases.describe(impact.scenario)})
            impacts.append(impact)
    reasons: dict[str, int] = {}

    def ref(text: str | None) -> int | None:
        if not text:
            return None
        return reasons.setdefault(text, len(reasons) + 1)

    phases = {}
    summaries = {}
    for phase in PHASES:
        summaries[phase] = [{"text": phrases.summary(impact.scenario, impact.phase(phase))} for impact in impacts]
        rows = []
        for oid, operation in facts.operations.items():
            cells = []
            for impact in impacts:
                op = impact.phase(phase).operations[oid]
                back = impact.recovery_seconds[oid] if phase == "immediate" and op.state == DOWN else 0
                cells.append({"state": op.state, "margin": op.margin, "ref": ref(phrases.why(op)),
                              "back": back, "stopped": phase == "immediate" and op.state == DOWN})
            rows.append({"oid": oid, "name": operation.name, "plane": operation.plane, "cells": cells})
        phases[phase] = rows
    return {"columns": columns, "groups": groups, "phases": phases, "summaries": summaries,
            "reasons": [{"number": n, "text": text} for text, n in reasons.items()]}


def _label(analysis: Analysis, set_name: str, index: int, impact: Impact) -> str:
    scenario = impact.scenario
    if set_name == "cells":
        return analysis.arch.openstack.cells[index]
    if set_name == "failure domains":
        return ", ".join(sorted(scenario.domains))
    return ", ".join(scenario.failed)


def summary(found: list[Summary], facts: Catalog, noun: str) -> dict[str, Any]:
    """Many scenarios in a few lines: control-plane operations grouped by how many of the scenarios stop
    them right after the failure and after the restarts ("3 of 6 host pairs stop boot-instance, ..."),
    with the full list for a collapsed table."""
    control = facts.control_operations
    grouped: dict[tuple[int, int], list[str]] = {}
    examples: dict[tuple[int, int], list[str]] = {}
    for oid in control:
        now = [phrases.describe(s.scenario) for s in found if oid in s.stopped["immediate"]]
        after = sum(oid in s.stopped["after-restart"] for s in found)
        if now or after:
            key = (len(now), after)
            grouped.setdefault(key, []).append(oid)
            examples.setdefault(key, now[:SUMMARY_EXAMPLES])
    groups = [{"immediate": now, "after": after, "names": grouped[(now, after)],
               "examples": examples[(now, after)] if now < len(found) else []}
              for now, after in sorted(grouped, reverse=True)]
    rows = [{"label": phrases.describe(s.scenario),
             "immediate": [oid for oid in control if oid in s.stopped["immediate"]],
             "after": [oid for oid in control if oid in s.stopped["after-restart"]]} for s in found]
    return {"total": len(found), "noun": noun, "groups": groups, "rows": rows}
