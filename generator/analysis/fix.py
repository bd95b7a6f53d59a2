"""`refarch fix`: the fewest changes to a design that meet its targets, with the proof recomputed.

Targets: `hosts=N` (every control-plane operation tolerates N host failures), `domains` (the loss of any one
failure domain stops no control-plane operation) and `<operation>=<nines>` (that operation at least so many
nines, from every failure class: `generator.analysis.availability`); several are met together. The changes
tried, cheapest first: move a VM to another host, then set anti-affinity to mandatory. The search is
breadth-first over sets of changes, so the first size at which any set meets every target is the fewest;
among sets of that size, the first in that order of kinds, and in the file's order, is taken. Each
candidate is the design's own text with the changed values (`generator.model.edit`), checked by the same
loader, schema and rules as any file, so what it proposes validates; the certificate (tolerance, lost
failure domains and nines) is recomputed on the changed design.
"""

from __future__ import annotations

import dataclasses
import itertools
import re

from generator.analysis import availability, reliability, scenarios
from generator.analysis.engine import Engine
from generator.analysis.tolerance import hosts_tolerated, least_tolerated
from generator.catalog import Catalog
from generator.model import edit
from generator.model.architecture import Architecture
from generator.model.loader import Path
from generator.model.problem import Severity
from generator.rules.validate import check_bytes

BUDGET = 2_000  # candidate designs checked at most


class TargetError(ValueError):
    """A target that is not `hosts=N` or `<operation>=<nines>`."""


@dataclasses.dataclass(frozen=True)
class Target:
    text: str
    hosts: int | None = None
    operation: str | None = None
    nines: float | None = None
    domains: bool = False  # every failure domain's loss leaves every control-plane operation working


@dataclasses.dataclass(frozen=True)
class Change:
    kind: str  # "move", "anti-affinity"
    what: str
    path: Path
    value: str


@dataclasses.dataclass(frozen=True)
class Measures:
    tolerates: int  # host failures every control-plane operation survives
    nines: dict[str, float]  # per targeted operation
    domains_lost: tuple[str, ...] = ()  # failure domains whose loss stops a control-plane operation (asked for)


@dataclasses.dataclass(frozen=True)
class Outcome:
    met: bool
    changes: tuple[Change, ...]
    text: str  # the changed file (the original when nothing was found)
    before: Measures
    after: Measures
    tried: int
    # when not met: the candidate that came closest (most targets met, then most host failures tolerated,
    # then fewest failure domains lost, then the most nines), its changes and measures
    closest: tuple[tuple[Change, ...], Measures] | None = None


def parse_target(text: str, facts: Catalog) -> Target:
    if found := re.fullmatch(r"hosts=(\d+)", text):
        return Target(text, hosts=int(found.group(1)))
    if text == "domains":
        return Target(text, domains=True)
    if (found := re.fullmatch(r"([a-z0-9@-]+)=(\d+(?:\.\d+)?)", text)) and found.group(1) in facts.operations:
        return Target(text, operation=found.group(1), nines=float(found.group(2)))
    raise TargetError(f"target {text!r}: write hosts=N, domains or <operation>=<nines> (an operation id of the "
                      "catalog, e.g. boot-instance=4.5)")


def measure(arch: Architecture, facts: Catalog, targets: list[Target]) -> Measures:
    engine = Engine(arch, facts)
    model = engine.model
    tolerated = hosts_tolerated(engine)
    wanted = [t.operation for t in targets if t.operation]
    nines: dict[str, float] = {}
    if wanted:
        tree = reliability.build(model, arch, facts)
        diagram = availability.Diagram(tree)
        chances = {event.event: event.probability for event in tree.events}
        for oid in wanted:
            probability = diagram.probability(tree.operations[oid], chances) if oid in tree.operations else None
            nines[oid] = -1.0 if probability is None else availability.nines(probability)
    lost: list[str] = []
    if any(t.domains for t in targets):
        working = [oid for oid in facts.control_operations if tolerated.get(oid) is not None]
        for scenario in scenarios.failure_domains(arch):
            states = engine.evaluate(scenario).immediate.operations
            if any(states[oid].state == "down" for oid in working):
                lost += sorted(scenario.domains)
    return Measures(least_tolerated(engine, tolerated), nines, tuple(lost))


def meets(found: Measures, targets: list[Target]) -> bool:
    return all((t.hosts is None or found.tolerates >= t.hosts)
               and (t.operation is None or found.nines.get(t.operation, -1.0) >= (t.nines or 0.0))
               and (not t.domains or not found.domains_lost) for t in targets)


def _score(found: Measures, targets: list[Target]) -> tuple:
    return (sum(meets(found, [t]) for t in targets), found.tolerates, -len(found.domains_lost),
            sum(found.nines.values()))


def candidates(arch: Architecture) -> list[Change]:
    """Every single change, cheapest kind first, in the file's order."""
    found = [Change("move", f"move {vm.name} from {vm.host} to {host.name}", ("vms", i, "host"), host.name)
             for i, vm in enumerate(arch.vms) for host in arch.hosts
             if host.name != vm.host and host.state == "online"]
    if arch.platform.anti_affinity != "mandatory":
        found.append(Change("anti-affinity", f"set anti-affinity from {arch.platform.anti_affinity} to mandatory",
                            ("platform", "anti_affinity"), "mandatory"))
    return found


def search(raw: bytes, name: str, stem: str, facts: Catalog, targets: list[Target],
           budget: int = BUDGET, max_changes: int = 2) -> Outcome:
    """The fewest changes (up to `max_changes`) that meet every target, or the original when none within
    `budget` candidate designs does."""
    checked = check_bytes(raw, name, stem)
    arch = checked.architecture
    assert arch is not None
    text = raw.decode("utf-8")
    before = measure(arch, facts, targets)
    if meets(before, targets):
        return Outcome(True, (), text, before, before, 0)
    singles = candidates(arch)
    tried = 0
    closest: tuple[tuple, tuple[Change, ...], Measures] | None = None
    for size in range(1, max_changes + 1):
        for combo in itertools.combinations(singles, size):
            if len({change.path for change in combo}) < size:
                continue  # two values for one place
            if tried >= budget:
                return Outcome(False, (), text, before, before, tried, closest and closest[1:])
            tried += 1
            try:
                changed = edit.apply(text, checked.source, [(c.path, c.value) for c in combo])
            except edit.EditError:
                continue
            result = check_bytes(changed.encode(), name, stem)
            if result.architecture is None or any(p.severity is Severity.ERROR and not p.rule.startswith("RED")
                                                  for p in result.problems):
                continue  # the change breaks the file itself (a capacity or reference check)
            after = measure(result.architecture, facts, targets)
            if meets(after, targets):
                return Outcome(True, combo, changed, before, after, tried)
            score = _score(after, targets)
            if score > (closest[0] if closest else _score(before, targets)):  # better than the design itself
                closest = (score, combo, after)
    return Outcome(False, (), text, before, before, tried, closest and closest[1:])
