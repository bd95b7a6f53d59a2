"""The one problem type every check reports: YAML syntax, schema, cross-checks and redundancy rules."""

from __future__ import annotations

import dataclasses
import enum


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclasses.dataclass(frozen=True)
class Location:
    """A 1-based line and column in a source file."""

    line: int
    col: int


START = Location(1, 1)


@dataclasses.dataclass(frozen=True)
class Problem:
    """One finding at one place: `path:line:col: severity [rule] message`, with an optional hint."""

    path: str
    line: int
    col: int
    severity: Severity
    rule: str
    message: str
    hint: str | None = None
    # An error a counterexample exists to show: reported, but it does not fail the check.
    expected: bool = False

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.col, self.rule, self.message)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.severity} [{self.rule}] {self.message}"


@dataclasses.dataclass(frozen=True)
class Check:
    """The identity of a kind of problem: a stable id, a kebab-case name, a severity and a summary."""

    id: str
    name: str
    severity: Severity
    summary: str

    def at(self, path: str, where: Location, message: str, hint: str | None = None) -> Problem:
        return Problem(path, where.line, where.col, self.severity, self.id, message, hint)


def sorted_problems(problems: list[Problem]) -> list[Problem]:
    """Problems in a stable order, each reported once."""
    return sorted(set(problems), key=lambda p: p.sort_key)


def has_errors(problems: list[Problem]) -> bool:
    """Whether any problem is an error that fails the check (a counterexample's expected errors do not)."""
    return any(p.severity is Severity.ERROR and not p.expected for p in problems)
