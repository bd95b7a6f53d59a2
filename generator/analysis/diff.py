"""What a change to an architecture does to its failure behaviour, for a pull-request review.

Compares two checked versions of one architecture: findings added and removed, the tolerance of every
operation, every single-host failure whose operation states changed (with the new explanation), and
the capacity and the longest outage after one host failure. Pure: the caller reads the two versions;
`generator.render.diff` words the result.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from generator.analysis.design import Analysis, analyse
from generator.analysis.engine import PHASES, OperationState
from generator.catalog import Catalog
from generator.model.problem import Problem
from generator.rules.validate import Checked


@dataclasses.dataclass(frozen=True)
class StateChange:
    host: str
    phase: str
    operation: str
    before: str
    after: str
    now: OperationState  # the operation after the change, with its explanation


@dataclasses.dataclass(frozen=True)
class Diff:
    architecture: str
    added: list[Problem]
    removed: list[Problem]
    tolerates: tuple[int | None, int]
    operations: list[tuple[str, int | None, int | None]]  # operation, tolerated before, after (changed only)
    scenarios: list[StateChange]
    figures: list[tuple[str, Any, Any]]  # capacity and recovery figures that changed

    @property
    def behaviour_changed(self) -> bool:
        return bool(self.operations or self.scenarios or self.tolerates[0] != self.tolerates[1])


def compare(old: Checked | None, new: Checked, facts: Catalog) -> Diff:
    """`old` is None for an architecture the change adds."""
    after = analyse(new.architecture, facts)
    before = analyse(old.architecture, facts) if old is not None else None
    key = lambda p: (p.rule, p.message)  # noqa: E731 (positions move with every edit)
    old_keys = {key(p) for p in old.problems} if old else set()
    new_keys = {key(p) for p in new.problems}
    added = [p for p in new.problems if key(p) not in old_keys]
    removed = [p for p in (old.problems if old else []) if key(p) not in new_keys]
    operations = []
    for oid, now in after.tolerance.operations.items():
        then = before.tolerance.operations[oid].tolerates if before else None
        if before is None or then != now.tolerates:
            operations.append((oid, then, now.tolerates))
    return Diff(new.architecture.id, added, removed,
                (before.tolerance.tolerates if before else None, after.tolerance.tolerates),
                operations, _scenario_changes(before, after) if before else [], _figures(before, after))


def _scenario_changes(before: Analysis, after: Analysis) -> list[StateChange]:
    old = {next(iter(i.scenario.hosts)): i for i in before.sets["single hosts"]}
    changes = []
    for impact in after.sets["single hosts"]:
        [host] = impact.scenario.hosts
        if host not in old:
            continue
        for phase in PHASES:
            then, now = old[host].phase(phase).operations, impact.phase(phase).operations
            changes += [StateChange(host, phase, oid, then[oid].state, op.state, op)
                        for oid, op in now.items() if then[oid].state != op.state]
    return changes


def _figures(before: Analysis | None, after: Analysis) -> list[tuple[str, Any, Any]]:
    def figures(a: Analysis) -> dict[str, Any]:
        return {"hosts": len(a.arch.hosts), "VMs": len(a.arch.vms),
                "vCPUs of the VMs": sum(vm.vcpus or 0 for vm in a.arch.vms),
                "GiB of the VMs": sum(vm.memory_gib or 0 for vm in a.arch.vms),
                "longest outage after one host failure (s)": a.worst_recovery}
    now = figures(after)
    then = figures(before) if before else dict.fromkeys(now)
    return [(name, then[name], now[name]) for name in now if then[name] != now[name]]
