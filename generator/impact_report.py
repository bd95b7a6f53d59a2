"""Impact and tolerance results as JSON data and as readable text."""

from __future__ import annotations

from typing import Any

from generator.impact import PHASES, Impact, Phase, PhaseImpact
from generator.tolerance import Tolerance


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
        "services": {sid: {"state": s.state, "reason": f"{sid} {s.cause}" if s.cause else None}
                     for sid, s in sorted(phase.services.items())},
        "operations": {oid: {"state": o.state, "reason": o.reason, "recovery_seconds": impact.recovery_seconds[oid]}
                       for oid, o in phase.operations.items()},
    }


def tolerance_data(arch_id: str, result: Tolerance) -> dict[str, Any]:
    return {
        "architecture": arch_id,
        "max_order": result.max_order,
        "exhaustive": result.exhaustive,
        "tolerates": result.tolerates,
        "operations": {oid: {"tolerates": op.tolerates, "minimal_cut_sets": op.minimal_cut_sets,
                             **({"unavailable": op.unavailable_reason} if op.tolerates is None else {})}
                       for oid, op in result.operations.items()},
    }


def impact_text(arch_id: str, impact: Impact, phases: tuple[Phase, ...]) -> str:
    operations = list(impact.immediate.operations)
    width = max(len(oid) for oid in operations)
    lines = [f"{arch_id}: {impact.scenario.describe()}", ""]
    lines.append(f"{'operation':<{width}}  " + "  ".join(f"{p:<13}" for p in phases) + "  recovers in")
    for oid in operations:
        states = "  ".join(f"{impact.phase(p).operations[oid].state:<13}" for p in phases)
        lines.append(f"{oid:<{width}}  {states}  {_seconds(impact.recovery_seconds[oid])}")
    reasons = [(oid, p, impact.phase(p).operations[oid]) for oid in operations for p in phases
               if impact.phase(p).operations[oid].reason]
    if reasons:
        lines += ["", "Why:"]
        for oid, p, op in reasons:
            lines.append(f"  {oid} ({p}): {op.state}, because it {op.reason}")
    else:
        lines += ["", "Every operation keeps working."]
    return "\n".join(lines) + "\n"


def tolerance_text(arch_id: str, result: Tolerance) -> str:
    bound = "" if result.exhaustive else " (at least: sets of up to {result.max_order} hosts examined)"
    lines = [f"{arch_id} tolerates {result.tolerates} simultaneous host failure"
             f"{'s' if result.tolerates != 1 else ''}{bound.format(result=result)}", ""]
    width = max(len(oid) for oid in result.operations)
    lines.append(f"{'operation':<{width}}  tolerates  minimal sets of hosts whose failure stops it")
    for oid, op in result.operations.items():
        if op.tolerates is None:
            lines.append(f"{oid:<{width}}  {'-':<9}  not available in this design: it {op.unavailable_reason}")
            continue
        sets = ", ".join("{" + ", ".join(cut) + "}" for cut in op.minimal_cut_sets) or "none"
        lines.append(f"{oid:<{width}}  {op.tolerates:<9}  {sets}")
    return "\n".join(lines) + "\n"


def _seconds(value: int | None) -> str:
    if value is None:
        return "not until the failed parts return"
    return "-" if value == 0 else f"{value} s"
