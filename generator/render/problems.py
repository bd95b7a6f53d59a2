"""Print problems as text, JSON or GitHub workflow annotations."""

from __future__ import annotations

import json

from generator.model.problem import Problem, Severity

FORMATS = ("text", "json", "github")


def render(problems: list[Problem], files: int, fmt: str) -> str:
    if fmt == "json":
        return _json(problems)
    if fmt == "github":
        return "".join(_annotation(problem) + "\n" for problem in problems)
    return _text(problems, files)


def _text(problems: list[Problem], files: int) -> str:
    lines = []
    for problem in problems:
        lines.append(str(problem) + (" (expected: the architecture is a counterexample)" if problem.expected else ""))
        if problem.hint:
            lines.append(f"    hint: {problem.hint}")
    errors = sum(problem.severity is Severity.ERROR and not problem.expected for problem in problems)
    expected = sum(problem.expected for problem in problems)
    warnings = len(problems) - errors - expected
    checked = f"{_count(files, 'file')} checked"
    counts = f"{_count(errors, 'error')}, {_count(warnings, 'warning')}"
    if expected:
        counts += f", {expected} expected in counterexamples and as-built files"
    lines.append(f"{checked}: {counts}" if problems else f"{checked}: no problems")
    return "\n".join(lines) + "\n"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _json(problems: list[Problem]) -> str:
    items = [
        {"path": p.path, "line": p.line, "col": p.col, "severity": str(p.severity), "rule": p.rule,
         "message": p.message, "hint": p.hint, "expected": p.expected}
        for p in problems
    ]
    return json.dumps({"problems": items}, indent=2, ensure_ascii=False) + "\n"


def _annotation(problem: Problem) -> str:
    # https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions#setting-an-error-message
    message = problem.message + (f"\nhint: {problem.hint}" if problem.hint else "")
    return (f"::{problem.severity} file={_property(problem.path)},line={problem.line},col={problem.col},"
            f"title={_property(problem.rule)}::{_data(message)}")


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
