"""Impact and tolerance results as JSON data and as readable text."""

from __future__ import annotations

from typing import Any

from generator.analysis import availability
from generator.analysis.engine import PHASES, Cause, Impact, OperationState, Phase, PhaseImpact, join_and
from generator.analysis.tolerance import Tolerance


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
        "vms": {vm: {"host": host, "down_reason": None if host is not None else phase.why_down.get(vm)}
                for vm, host in phase.where.items()},
        "services": {sid: {"state": s.state, "reason": f"{sid} {s.cause}" if s.cause else None}
                     for sid, s in sorted(phase.services.items())},
        "operations": {oid: _operation_data(o, impact.recovery_seconds[oid]) for oid, o in phase.operations.items()},
    }


def _operation_data(op: OperationState, recovery: int | None) -> dict[str, Any]:
    data: dict[str, Any] = {"state": op.state, "reason": op.reason, "recovery_seconds": recovery, "margin": op.margin,
                            "root_causes": [_cause_data(c) for c in op.root_causes]}
    if op.margin == 0:
        data["at_risk"] = list(op.at_risk)
    if op.state == "down":
        data["repair"] = list(op.repair) if op.repair is not None else None
    return data


def _cause_data(cause: Cause) -> dict[str, Any]:
    return {"service": cause.service, "state": cause.state, "cause": cause.cause, "via": list(cause.via),
            "uses": cause.uses}


def tolerance_data(arch_id: str, result: Tolerance) -> dict[str, Any]:
    return {
        "architecture": arch_id,
        "max_order": result.max_order,
        "exhaustive": result.exhaustive,
        "tolerates": result.tolerates,
        "operations": {oid: {"tolerates": op.tolerates, "minimal_cut_sets": op.minimal_cut_sets,
                             "cut_sets_total": op.cut_sets_total, "truncated": op.truncated,
                             "cut_sets_exact": op.cut_sets_exact,
                             "unavailability": _unavailability_data(op.unavailability),
                             **({"unavailable": op.unavailable_reason} if op.tolerates is None else {})}
                       for oid, op in result.operations.items()},
    }


def _unavailability_data(probability: float | None) -> dict[str, float] | None:
    if probability is None:
        return None
    return {"probability": probability, "nines": round(availability.nines(probability), 3),
            "minutes_per_year": round(availability.minutes_per_year(probability), 3)}


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
            back = (f"; works again once {join_and(list(op.repair))} {'return' if len(op.repair) > 1 else 'returns'}"
                    if op.repair else "")
            lines.append(f"  {oid} ({p}): {op.state}, because it {op.reason}{back}")
    else:
        lines += ["", "Every operation keeps working."]
    lines += ["", "Margin (more simultaneous failures of hosts or platform parts each survives):"]
    for oid in operations:
        lines.append(f"  {oid}: " + "; ".join(f"{p}: {margin_words(impact.phase(p).operations[oid])}" for p in phases))
    return "\n".join(lines) + "\n"


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
                         f"it {op.unavailable_reason}")
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
