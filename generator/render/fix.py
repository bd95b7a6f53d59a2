"""`refarch fix` in words and as JSON: the changes, the diff and the certificate."""

from __future__ import annotations

from typing import Any

from generator.analysis.fix import Measures, Outcome, Target


def to_data(outcome: Outcome, diff: str) -> dict[str, Any]:
    return {"met": outcome.met,
            "changes": [{"kind": c.kind, "what": c.what, "path": list(c.path), "value": c.value}
                        for c in outcome.changes],
            "diff": diff, "before": _measures(outcome.before), "after": _measures(outcome.after),
            "tried": outcome.tried,
            "closest": None if outcome.closest is None else {
                "changes": [{"kind": c.kind, "what": c.what, "path": list(c.path), "value": c.value}
                            for c in outcome.closest[0]], "after": _measures(outcome.closest[1])}}


def _measures(found: Measures) -> dict[str, Any]:
    return {"tolerates": found.tolerates, "nines": {oid: round(n, 3) for oid, n in found.nines.items()},
            "domains_lost": list(found.domains_lost)}


def to_text(outcome: Outcome, targets: list[Target], diff: str) -> str:
    wanted = ", ".join(t.text for t in targets)
    lines = []
    if outcome.met and not outcome.changes:
        lines.append(f"The design already meets {wanted}: nothing to change.")
    elif outcome.met:
        count = len(outcome.changes)
        lines.append(f"{count} change{'s' if count != 1 else ''} meet{'s' if count == 1 else ''} {wanted} "
                     f"({outcome.tried} candidate designs checked; none with fewer changes meets them):")
        lines += [f"  - {change.what}" for change in outcome.changes]
    else:
        lines.append(f"No set of up to two changes within {outcome.tried} candidate designs meets {wanted}. "
                     "Try more hosts, or targets closer to the design's own.")
        if outcome.closest is not None:
            changes, found = outcome.closest
            lines.append(f"Closest: {'; '.join(c.what for c in changes)}, which tolerates {found.tolerates} host "
                         f"failure(s)" + "".join(f", {oid} {n:.2f} nines" for oid, n in found.nines.items())
                         + (f", loses control-plane operations with {', '.join(found.domains_lost)}"
                            if found.domains_lost else "") + ".")
    lines.append("")
    lines.append(f"Certificate, recomputed on the {'changed' if outcome.changes else ''} design:".replace("  ", " "))
    lines.append(f"  tolerates {outcome.before.tolerates} host failure(s) -> {outcome.after.tolerates}")
    if any(t.domains for t in targets):
        before, after = (", ".join(found.domains_lost) or "none" for found in (outcome.before, outcome.after))
        lines.append(f"  failure domains whose loss stops a control-plane operation: {before} -> {after}")
    for oid, nines in outcome.after.nines.items():
        lines.append(f"  {oid}: {outcome.before.nines[oid]:.2f} nines -> {nines:.2f}")
    if diff:
        lines += ["", diff.rstrip("\n")]
    return "\n".join(lines) + "\n"
