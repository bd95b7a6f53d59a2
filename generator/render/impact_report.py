"""Impact and tolerance results as JSON data and as readable text.

Each scenario opens with its root causes, once per phase (`phrases.summary`); each operation then has a
short `why` naming them; `--explain` prints every operation's whole explanation tree. The JSON has all
of it: the summary, and per operation its state, `why`, full `reason`, root causes and explanation.
"""

from __future__ import annotations

import dataclasses
import math
import textwrap
from collections.abc import Mapping
from typing import Any

from generator.analysis import availability
from generator.analysis.engine import PHASES, Impact, OperationState, Phase, PhaseImpact
from generator.analysis.explanation import Cause
from generator.analysis.tolerance import Tolerance
from generator.render import phrases

LONGEST = 300  # no text line is longer: one that would be is wrapped at WIDTH
WIDTH = 160
PHASE_WORDS = {"immediate": "Right after the failure", "after-restart": "After the platform restarts VMs"}


def impact_data(arch_id: str, impact: Impact, phase: Phase | None) -> dict[str, Any]:
    """The JSON contract: one phase as asked, or both under "phases"."""
    head = {"architecture": arch_id, "failed": impact.scenario.failed}
    if impact.scenario.maintenance:
        head["maintenance"] = sorted(impact.scenario.maintenance)
    if phase is not None:
        return {**head, "phase": phase, **_phase_data(impact, impact.phase(phase))}
    return {**head, "phases": {name: _phase_data(impact, impact.phase(name)) for name in PHASES}}


def _phase_data(impact: Impact, phase: PhaseImpact) -> dict[str, Any]:
    return {
        "summary": phrases.summary(impact.scenario, phase),
        "vms": {vm: {"host": host, "down_reason": None if host is not None else phrases.vm_reason(phase.vms[vm])}
                for vm, host in phase.where.items()},
        "services": {sid: {"state": s.state,
                           "reason": f"{sid} {phrases.service_cause(s)}" if s.explanation else None}
                     for sid, s in sorted(phase.services.items())},
        "operations": {oid: _operation_data(o, impact.recovery_seconds[oid])
                       for oid, o in phase.operations.items()},
    }


def _operation_data(op: OperationState, recovery: int | None) -> dict[str, Any]:
    data: dict[str, Any] = {"state": op.state, "reason": phrases.reason(op), "why": phrases.why(op),
                            "recovery_seconds": recovery, "margin": op.margin,
                            "root_causes": [_cause_data(c) for c in op.root_causes],
                            "explanation": phrases.tree(op.explanation) if op.explanation else None}
    if op.margin == 0:
        data["at_risk"] = list(op.at_risk)
    if op.state == "down":
        data["repair"] = list(op.repair) if op.repair is not None else None
    return data


def _cause_data(cause: Cause) -> dict[str, Any]:
    return {"service": cause.service, "state": cause.state, "cause": phrases.cause_phrase(cause.node),
            "via": list(cause.via), "uses": cause.uses}


def tolerance_data(arch_id: str, result: Tolerance) -> dict[str, Any]:
    return {
        "architecture": arch_id,
        "max_order": result.max_order,
        "exhaustive": result.exhaustive,
        "tolerates": result.tolerates,
        "operations": {oid: {"tolerates": op.tolerates, "minimal_cut_sets": op.minimal_cut_sets,
                             "cut_sets_total": op.cut_sets_total, "truncated": op.truncated,
                             "unavailability": _unavailability_data(op.unavailability, op.by_cause),
                             "importance": {name: _finite(dataclasses.asdict(measures))
                                            for name, measures in (op.importance or {}).items()},
                             **({"unavailable": phrases.unavailable(op)} if op.tolerates is None else {})}
                       for oid, op in result.operations.items()},
    }


def _finite(measures: dict[str, float]) -> dict[str, float | None]:
    """JSON has no infinity: a measure that is infinite (RRW of an event every failure needs) is null."""
    return {key: None if math.isinf(value) else value for key, value in measures.items()}


def _unavailability_data(probability: float | None, by_cause: Mapping[str, float] | None = None
                         ) -> dict[str, Any] | None:
    if probability is None:
        return None
    return {"probability": probability, "nines": round(availability.nines(probability), 3),
            "minutes_per_year": round(availability.minutes_per_year(probability), 3),
            "by_cause": dict(by_cause or {})}


def impact_text(arch_id: str, impact: Impact, phases: tuple[Phase, ...],
                explain: bool = False) -> str:
    """The root causes of each phase said once, a table of states, each operation's short why (or with
    `explain`, its whole explanation), and the margins."""
    operations = list(impact.immediate.operations)
    width = max(len(oid) for oid in operations)
    lines = [f"{arch_id}: {phrases.describe(impact.scenario)}", ""]
    for p in phases:
        lines += _wrapped(f"{PHASE_WORDS[p]}: {phrases.summary(impact.scenario, impact.phase(p))}")
    lines.append("")
    lines.append(f"{'operation':<{width}}  " + "  ".join(f"{p:<13}" for p in phases) + "  recovers in")
    for oid in operations:
        states = "  ".join(f"{impact.phase(p).operations[oid].state:<13}" for p in phases)
        lines.append(f"{oid:<{width}}  {states}  {_seconds(impact.recovery_seconds[oid])}")
    said = False
    for p in phases:
        stated = [(oid, op) for oid, op in impact.phase(p).operations.items() if op.explanation is not None]
        if not stated:
            continue
        said = True
        lines += ["", f"Why, {PHASE_WORDS[p][0].lower()}{PHASE_WORDS[p][1:]}:"]
        for oid, op in stated:
            back = (f"; works again once {phrases.join_and(list(op.repair))} "
                    f"{'return' if len(op.repair) > 1 else 'returns'}" if op.repair else "")
            if explain:
                lines.append(f"  {oid}: {op.state}{back}")
                assert op.explanation is not None
                lines += ["    " + line for line in phrases.tree_lines(op.explanation)[1:]]
            else:
                lines += _wrapped(f"{oid}: {op.state}, {phrases.why(op)}{back}", "  ")
    if not said:
        lines += ["", "Every operation keeps working."]
    lines += ["", "Margin (more simultaneous failures of hosts or platform parts each survives):"]
    for oid in operations:
        lines += _wrapped(f"{oid}: " + "; ".join(f"{p}: {margin_words(impact.phase(p).operations[oid])}"
                                                 for p in phases), "  ")
    return "\n".join(lines) + "\n"


def _wrapped(text: str, indent: str = "") -> list[str]:
    """One line, or (longer than LONGEST) several, the later ones indented."""
    if len(indent + text) <= LONGEST:
        return [indent + text]
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "    ",
                         break_long_words=True, break_on_hyphens=False)


def margin_words(op: OperationState) -> str:
    """The margin as a person says it."""
    if op.margin is None:
        return "stopped"
    works = "works" if op.state == "ok" else "works, degraded"
    if op.margin == 0:
        if not op.at_risk:
            return f"{works}; no failure of hosts or platform parts can stop it"
        return f"{works}; one more failure can stop it ({' or '.join(op.at_risk)})"
    return f"{works}; survives {op.margin} more failure{'s' if op.margin != 1 else ''}"


def tolerance_text(arch_id: str, result: Tolerance) -> str:
    lines = [f"{arch_id} tolerates {result.tolerates} simultaneous host failure"
             f"{'s' if result.tolerates != 1 else ''} (exact: every set of hosts is accounted for)", ""]
    width = max(len(oid) for oid in result.operations)
    limit = f" (up to {result.max_order} parts listed)" if result.max_order else ""
    lines.append(f"{'operation':<{width}}  tolerates  down per year   "
                 "minimal sets of hosts and parts whose failure stops it"
                 + limit)
    for oid, op in result.operations.items():
        if op.tolerates is None:
            lines.append(f"{oid:<{width}}  {'-':<9}  {'-':<14}  not available in this design: "
                         f"it {phrases.unavailable(op)}")
            continue
        sets = ", ".join("{" + ", ".join(cut) + "}" for cut in op.minimal_cut_sets) or "none"
        if op.truncated:
            sets += f" ... ({op.cut_sets_total} in all)"
        yearly = f"{availability.minutes_per_year(op.unavailability):.2f} min" if op.unavailability is not None else "-"
        lines.append(f"{oid:<{width}}  {op.tolerates:<9}  {yearly:<14}  {sets}")
    return "\n".join(lines) + "\n"


def _seconds(value: int | None) -> str:
    if value is None:
        return "not until the failed parts return"
    return "-" if value == 0 else f"{value} s"
