"""A change's effect on failure behaviour (`generator.analysis.diff`) as JSON data and as Markdown for a
pull-request comment."""

from __future__ import annotations

from typing import Any

from generator.analysis.diff import Diff
from generator.render import phrases


def to_data(diff: Diff) -> dict[str, Any]:
    problem = lambda p: {"rule": p.rule, "severity": str(p.severity), "message": p.message}  # noqa: E731
    return {
        "architecture": diff.architecture,
        "behaviour_changed": diff.behaviour_changed,
        "tolerates": {"before": diff.tolerates[0], "after": diff.tolerates[1]},
        "findings": {"added": [problem(p) for p in diff.added], "removed": [problem(p) for p in diff.removed]},
        "operations": [{"operation": o, "before": b, "after": a} for o, b, a in diff.operations],
        "scenarios": [{"host": c.host, "phase": c.phase, "operation": c.operation, "before": c.before,
                       "after": c.after, "reason": phrases.why(c.now) or None} for c in diff.scenarios],
        "figures": [{"name": n, "before": b, "after": a} for n, b, a in diff.figures],
    }


def to_markdown(diff: Diff) -> str:
    def cell(value: object) -> str:
        return "none" if value is None else " ".join(str(value).split()).replace("|", "\\|")

    lines = [f"## refarch: what this change does to `{diff.architecture}`", ""]
    then, now = diff.tolerates
    if not diff.behaviour_changed:
        lines.append("No change in failure behaviour.")
    else:
        verb = "new architecture" if then is None else ("drops" if now < then else "rises" if now > then else "stays")
        lines.append(f"**Host failures tolerated**: {cell(then)} → {now} ({verb}).")
    if diff.operations:
        lines += ["", "### Operations whose tolerance changed", "", "| Operation | Tolerated before | After |",
                  "| --- | --- | --- |"]
        lines += [f"| {o} | {cell(b)} | {cell(a)} |" for o, b, a in diff.operations]
    if diff.scenarios:
        lines += ["", "### Host failures that now behave differently", "",
                  "| Host fails | Phase | Operation | Before | After | Why, now |",
                  "| --- | --- | --- | --- | --- | --- |"]
        lines += [f"| {c.host} | {c.phase} | {c.operation} | {c.before} | {c.after} | "
                  f"{cell(phrases.why(c.now) or None)} |"
                  for c in diff.scenarios]
    if diff.added or diff.removed:
        lines += ["", "### Findings", ""]
        lines += [f"- added: `{p.rule}` {cell(p.message)}" for p in diff.added]
        lines += [f"- removed: `{p.rule}` {cell(p.message)}" for p in diff.removed]
    if diff.figures:
        lines += ["", "### Capacity and recovery", "", "| | Before | After |", "| --- | --- | --- |"]
        lines += [f"| {n} | {cell(b)} | {cell(a)} |" for n, b, a in diff.figures]
    return "\n".join(lines) + "\n"
