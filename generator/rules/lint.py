"""Run the redundancy rules over one validated architecture: findings, waivers, counterexamples."""

from __future__ import annotations

import dataclasses
from types import ModuleType

from generator import rules
from generator.catalog import Catalog
from generator.model.architecture import Architecture, Waiver
from generator.model.loader import SourceMap
from generator.model.problem import Problem, Severity
from generator.rules.context import Finding, RuleContext


@dataclasses.dataclass(frozen=True)
class Waived:
    """A finding silenced by a waiver, kept for the record (the site lists them with their reasons)."""

    problem: Problem
    waiver: Waiver


@dataclasses.dataclass(frozen=True)
class Outcome:
    problems: list[Problem]
    waived: list[Waived]


def run(arch: Architecture, source: SourceMap, path: str, facts: Catalog) -> Outcome:
    ctx = RuleContext(arch, source, facts.for_architecture(arch))

    def problem(rule: ModuleType, finding: Finding, expected: bool = False) -> Problem:
        where = source.locate(finding.at)
        return Problem(path, where.line, where.col, rule.SEVERITY, rule.ID, finding.message, finding.hint, expected)

    kept: list[tuple[ModuleType, Finding]] = []
    waived: list[Waived] = []
    used: set[int] = set()
    for rule in rules.CHECKS:
        for finding in rule.check(ctx):
            match = next((i for i, w in enumerate(arch.waivers) if (w.rule, w.target) == (rule.ID, finding.target)),
                         None)
            if match is None:
                kept.append((rule, finding))
            else:
                used.add(match)
                waived.append(Waived(problem(rule, finding), arch.waivers[match]))

    # A waiver of a retired rule matches nothing: say that the rule is retired, and why.
    retired = [(i, w) for i, w in enumerate(arch.waivers) if w.rule in rules.RETIRED]
    kept += [(rules.UNUSED_WAIVER, Finding(("waivers", i, "rule"), f"waivers[{i}]: {w.rule} is a retired rule: "
                                           f"{rules.RETIRED[w.rule].rstrip('.')}", w.target, "remove the waiver"))
             for i, w in retired]
    done = used | {i for i, _ in retired}
    kept += [(rules.UNUSED_WAIVER, f) for f in rules.UNUSED_WAIVER.review(ctx, done, list(rules.BY_ID))]
    errors = sum(rule.SEVERITY is Severity.ERROR for rule, _ in kept)
    kept += [(rules.COUNTEREXAMPLE, f) for f in rules.COUNTEREXAMPLE.review(ctx, errors)]
    # A counterexample's errors are what it is there to show, and an as-built file's are what the running
    # cloud lost (`refarch drift` judges that against its design): reported, but expected.
    expected = (arch.status == "counterexample" or arch.as_built_of is not None) and errors > 0
    problems = [problem(rule, finding, expected and rule.SEVERITY is Severity.ERROR) for rule, finding in kept]
    return Outcome(problems, waived)
