"""Minimal cut sets and min cuts of the failure model's gates, exact for any number of hosts.

A cut set of a gate is a set of parts (hosts, witness, storage, switches) whose failure brings it
down from a state (where each VM runs, what failed already); a minimal one has no smaller cut set
inside it. `families` finds the design's from the gates' BDD over the parts, as a ZDD that counts them
and lists the smallest; `MinCuts` finds the size of the smallest cut from any state without listing
them, which is what margins and tolerance need, expanding gates top-down (MOCUS, with absorption, sets
of parts as bit masks) where a threshold over single parts does not settle it.
"""

from __future__ import annotations

import dataclasses
import heapq
from collections.abc import Iterable, Iterator, Mapping
from itertools import combinations
from typing import Any

from generator.analysis import availability, zdd
from generator.analysis.gates import ABOVE_VMS, PART_EVENTS, RESTART_EVENTS, STATE_EVENTS, TRUE, FailureModel, Gate
from generator.analysis.reliability import BasicEvent, ReliabilityModel


@dataclasses.dataclass(frozen=True)
class CutSets:
    """A gate's minimal cut sets: how many there are, and the smallest ones (by size, then by their sorted
    part names) as far as they were asked for."""

    total: int
    smallest: list[frozenset[str]]


def families(model: FailureModel, gates: Iterable[str], limit: int | None = None) -> dict[str, CutSets]:
    """Each gate's minimal cut sets with every VM where the design puts it and nothing failed: counted
    exactly and listed up to `limit` (None: all). From the gates' BDD over the parts, whose minimal
    solutions form a ZDD (`generator.analysis.zdd`): the count and the smallest sets come from it without
    expanding the family, which for a quorum of many members over many hosts runs to millions of sets."""
    parts = tuple(BasicEvent(model.part_events[part], part, "hardware", 0.0, part) for part in model.parts)
    diagram = availability.Diagram(ReliabilityModel(parts, model.gates, model.operations, model.vm_host))
    names = [diagram.tree.by_event[event].name for event in diagram.order]
    family = zdd.Family()

    def by_names(levels: tuple[int, ...]) -> list[str]:
        return sorted(names[level] for level in levels)

    found = {}
    for gate in gates:
        node = diagram.minimal_cut_sets(family, gate)
        listed = family.smallest(node, limit, by_names)
        found[gate] = CutSets(family.count(node), [frozenset(names[level] for level in cut) for cut in listed])
    return found


# Sets of hosts are bit masks over FailureModel.hosts; a family of sets is a list of masks, kept minimal.
Family = list[int]
CUT_SET_LIMIT = 5_000  # sets kept per gate; beyond it a family is cut short, smallest sets first


def minimise(family: Iterable[int]) -> Family:
    """Absorption: drop every set that contains another one of the family, smallest sets first. Sets of
    one size cannot contain each other, so each is checked against the smaller ones only."""
    smaller: Family = []
    same: Family = []
    size = -1
    for mask in sorted(set(family), key=lambda m: (m.bit_count(), m)):
        if mask.bit_count() != size:
            smaller += same
            same, size = [], mask.bit_count()
        if not any(mask & kept == kept for kept in smaller):
            same.append(mask)
    return smaller + same


class _CutSets:
    """Top-down expansion of the gates into minimal sets of parts (MOCUS), memoised per gate."""

    def __init__(self, model: FailureModel, where: Mapping[str, str | None], failed: frozenset[str],
                 hosts_only: bool = False, spread_down: frozenset[str] = frozenset(), view: bool = False) -> None:
        self.model = model
        self.where = where
        self.failed = model.failed_events(failed)
        # As a hosts-only view of `MinCuts` sees it: no other part fails (beyond `failed`), storage spread
        # over every host is down (`spread_down`) or, in a view, ignored.
        self.hosts_only = hosts_only
        self.spread_down = spread_down
        self.view = view
        self.bit = {model.part_events[part]: 1 << index for index, part in enumerate(model.parts)}
        self.memo: dict[str, Family] = {}
        self.truncated = False  # some family had more sets than CUT_SET_LIMIT
        self.short: dict[str, bool] = {}  # per gate: its family was cut short
        self.top_short = False  # the last `top` family was cut short

    def keep(self, family: Iterable[int]) -> Family:
        kept = minimise(family)
        if len(kept) > CUT_SET_LIMIT:
            self.truncated = True
            del kept[CUT_SET_LIMIT:]
        return kept

    def product(self, left: Family, right: Family) -> Family:
        return self.keep(a | b for a in left for b in right)

    def top(self, name: str) -> Family:
        """`of`, with the cluster's quorum added back above the VMs (it is left out of `vm-down` gates,
        where it would multiply every product by its own n-choose-k family)."""
        found = self.of(name)
        self.top_short = self.short[name]
        # A gate no part can stop (`[]`) reads no VM: the cluster's quorum does not stop it either.
        if self.model.cluster_stops_vms and name.startswith(ABOVE_VMS) and found not in ([0], []):
            quorum = self.of("cluster-down")
            before, self.truncated = self.truncated, False
            found = self.keep([*found, *quorum])
            self.top_short = self.top_short or self.short["cluster-down"] or self.truncated
            self.truncated = before or self.truncated
        return found

    def of(self, name: str) -> Family:
        if name in self.memo:
            return self.memo[name]
        inputs: tuple[str, ...] | list[str] = ()
        before, self.truncated = self.truncated, False  # whether this gate's own expansion is cut short
        if name == TRUE:
            found = [0]
        elif name.startswith(PART_EVENTS):
            found = [0] if name in self.failed else [] if self.hosts_only and not name.startswith("host:") else (
                [self.bit[name]] if name in self.bit else [])
        elif name.startswith((*STATE_EVENTS, *RESTART_EVENTS)):
            found = [0] if name in self.failed else []  # a VM or a service failing is no part of a cut set
        elif name.startswith("vm-down:"):
            vm = name[len("vm-down:"):]
            host = self.where.get(vm)
            if host is None:
                found = [0]
            else:  # where the VM runs in this state, not where the design put it
                inputs = [f"host:{host}"]
                if host in self.model.isolating:
                    inputs.append(f"isolated:{host}")
                storage = self.model.vm_storage.get(vm)
                if storage in self.spread_down:
                    inputs = [TRUE]
                elif storage is not None and not (self.view and storage in self.model.spread_everywhere):
                    inputs.append(f"storage-down:{storage}")
                found = self.keep(mask for child in inputs for mask in self.of(child))
        else:
            gate = self.model.gates[name]
            inputs = gate.inputs
            children = [self.of(child) for child in gate.inputs]
            if gate.kind == "or":
                found = self.keep(mask for family in children for mask in family)
            elif gate.kind == "and":
                found = [0]
                for family in children:
                    found = self.product(found, family)
            else:
                found = self._at_least(gate, children)
        # A family is cut short when its own expansion was, or one it was built from.
        self.short[name] = self.truncated or any(self.short.get(child, False) for child in inputs)
        self.truncated = before or self.truncated
        self.memo[name] = found
        return found

    def _at_least(self, gate: Gate, children: list[Family]) -> Family:
        """Minimal combinations of inputs whose weights reach k, each expanded into its own sets, by
        increasing size, until CUT_SET_LIMIT sets are found."""
        need = gate.k - sum(w for w, family in zip(gate.weights, children, strict=True) if family == [0])
        if need <= 0:
            return [0]
        weight_of: dict[int, int] = {}  # input (an index, or in the common case its one host) -> weight
        families: dict[int, Family] = {}
        single_hosts = all(len(f) == 1 and f[0].bit_count() == 1 for f in children if f and f != [0])
        keys: dict[tuple[int, ...], int] = {}
        for index, (weight, family) in enumerate(zip(gate.weights, children, strict=True)):
            if family and family != [0]:
                # Votes on one host fall together: one input of their summed weight, whose minimal
                # combinations are then minimal as sets of hosts already. Inputs with the same family
                # (VMs on one host behind the same switches) merge the same way.
                key = family[0] if single_hosts else keys.setdefault(tuple(family), index)
                weight_of[key] = weight_of.get(key, 0) + weight
                families[key] = family
        found: Family = []
        for combo in minimal_combinations(weight_of, need):
            if single_hosts:  # distinct one-host inputs: the combination is its own set of hosts
                found.append(sum(combo))
            else:
                product: Family = [0]
                for key in combo:
                    product = self.product(product, families[key])
                found.extend(product)
            if len(found) > CUT_SET_LIMIT:
                # Combinations are left untried: the family is cut short even if absorption then
                # leaves fewer sets than the limit.
                self.truncated = True
                break
        return self.keep(found)


def minimal_combinations(weight_of: Mapping[Any, int], need: int) -> Iterator[tuple[Any, ...]]:
    """The minimal combinations of keys whose weights add up to `need` or more (leaving out any one key
    falls short), by increasing size, heavier keys first."""
    keys = sorted(weight_of, key=lambda key: -weight_of[key])
    heaviest = [weight_of[key] for key in keys]
    if sum(heaviest) < need:
        return
    # A minimal combination is at least as large as the heaviest keys that reach `need`, and its weight
    # less its lightest key stays below `need`, which bounds its size by the lightest keys.
    fewest = next(n for n in range(1, len(keys) + 1) if sum(heaviest[:n]) >= need)
    lightest = heaviest[::-1]
    most = max(n for n in range(1, len(keys) + 1) if sum(lightest[:n]) - lightest[0] < need)
    for size in range(fewest, most + 1):
        for combo in combinations(keys, size):
            total = sum(weight_of[key] for key in combo)
            if total >= need and total - min(weight_of[key] for key in combo) < need:
                yield combo


ENUMERATED_PARTS = 12  # up to this many parts besides hosts, min cuts try each subset of them (see MinCuts.of)


class MinCuts:
    """The fewest further part failures that bring a gate down, memoised per gate.

    With hosts alone, every gate under an operation is a threshold over hosts, so the fewest are the
    heaviest. Switches and storage break that (one switch cuts off many hosts), so a cut is split into
    its other parts S and its hosts: the fewest is the minimum over S of |S| plus the fewest hosts with
    S failed, where every VM is down or stands on its host alone again. S is tried by increasing size,
    and only while it can still beat the best found.
    """

    def __init__(self, model: FailureModel, where: Mapping[str, str | None], failed: frozenset[str],
                 hosts_only: bool = False, spread_down: frozenset[str] = frozenset(), view: bool = False,
                 base: MinCuts | None = None) -> None:
        self.model = model
        self.where = where
        self.failed = failed
        self.events = model.failed_events(failed)
        self.hosts_only = hosts_only
        self.spread_down = spread_down  # storage spread over every host, taken down by host failures
        self.view = view  # one branch of `of`'s enumeration: its spread storage is down or ignored
        self.memo: dict[str, int | None] = {}
        self._expansion: _CutSets | None = None  # shared by every gate that needs exact cut sets
        self.state = model.platform_state(failed)  # the platform gates with what has failed
        self._with: dict[tuple[str, ...], MinCuts] = {}  # hosts-only views with some other parts failed
        self.base, self.changed = self._shared_with(base)

    def _shared_with(self, base: MinCuts | None) -> tuple[MinCuts | None, int]:
        """`base` and how this state differs from it (`FailureModel.changes`), when it differs in failed
        services and VMs and where VMs run alone; else no base. A gate whose cone holds none of the
        differences has base's answer: everything it reads is the same."""
        if base is None or (base.hosts_only, base.spread_down, base.view) != (
                self.hosts_only, self.spread_down, self.view):
            return None, 0
        differ = self.events ^ base.events
        if not all(event.startswith(STATE_EVENTS) for event in differ):
            return None, 0
        moved = [f"vm-down:{vm}" for vm in self.model.vms if self.where.get(vm) != base.where.get(vm)]
        return base, self.model.changes([*differ, *moved])

    def literal(self, name: str) -> str | bool | None:
        """A single-part input: its part; True when down already, False when part failures cannot."""
        if name == TRUE:
            return True
        if name.startswith(PART_EVENTS):
            if name in self.events:
                return True
            return False if self.hosts_only and not name.startswith("host:") else name
        if name.startswith((*STATE_EVENTS, *RESTART_EVENTS)):
            return name in self.events
        if name.startswith("vm-down:"):
            vm = name[len("vm-down:"):]
            host = self.where.get(vm)
            storage = self.model.vm_storage.get(vm)
            if host is None or f"host:{host}" in self.events or self.state.get(f"isolated:{host}") or (
                    storage is not None and self.state.get(f"storage-down:{storage}")) or storage in self.spread_down:
                return True
            if self.hosts_only and (storage is None or (self.view and storage in self.model.spread_everywhere)
                                    or not self.model.taken_by_hosts(storage)):
                # Its switches and storage do not fail any more (storage spread over every host is
                # handled by `of`, which takes it down on purpose or not at all): its host alone.
                return f"host:{host}"
            if host in self.model.isolating or storage is not None:
                return None  # its switches or storage stop it too: not a single part
            return f"host:{host}"
        if name.startswith("host-lost:"):
            host = name[len("host-lost:"):]
            if f"host:{host}" in self.events or self.state.get(f"isolated:{host}"):
                return True
            return f"host:{host}" if self.hosts_only else None
        gate = self.model.gates[name]
        if gate.kind == "or" and name.startswith("vote:"):  # an arbitrator's vote: its VM, or its service
            values = [self.literal(child) for child in gate.inputs]
            if True in values:
                return True
            parts = {v for v in values if isinstance(v, str)}
            return parts.pop() if len(parts) == 1 and None not in values else None
        return None  # not a single-part input

    def of(self, name: str) -> int | None:
        if self.base is not None and not self.model.cone(name) & self.changed:
            return self.base.of(name)
        others = [] if self.hosts_only else [
            p for p in self.model.parts[len(self.model.hosts):] if self.model.part_events[p] not in self.events]
        if self.view or not (others or self.model.spread_everywhere) or len(others) > ENUMERATED_PARTS:
            return self._of(name)
        if name in self.memo:
            return self.memo[name]
        # Storage spread over every host (vSAN, Ceph) goes down once more than `failures_to_tolerate`
        # hosts are: a cut either takes it down, and then has at least that many hosts, or does not.
        spread = [s for s in self.model.spread_everywhere if not self.state.get(f"storage-down:{s}")]
        # Failing more never brings a gate up: if hosts cannot stop it with every other part failed too,
        # nothing can, and the subsets need not be tried.
        if self._view(tuple(others), tuple(spread))._of(name) is None:
            self.memo[name] = None
            return None
        best: int | None = None
        for size in range(len(others) + 1):
            if best is not None and size >= best:
                break
            for subset in combinations(others, size):
                for count in range(len(spread) + 1):
                    for down in combinations(spread, count):
                        view = self._view(subset, down)
                        hosts = view._of(name)
                        if hosts is None:
                            continue
                        needed = [self.model.gates[f"storage-hosts:{s}"].k - view._lost_hosts() for s in down]
                        total = size + max([hosts, *needed])
                        if best is None or total < best:
                            best = total
        self.memo[name] = best
        return best

    def _view(self, subset: tuple[str, ...], down: tuple[str, ...]) -> MinCuts:
        """The hosts-only view with the parts in `subset` failed and the spread storage in `down` taken
        down (memoised)."""
        key = (*subset, "|", *down)
        if key not in self._with:
            self._with[key] = MinCuts(self.model, self.where, self.failed | set(subset), hosts_only=True,
                                      spread_down=frozenset(down), view=True,
                                      base=None if self.base is None else self.base._view(subset, down))
        return self._with[key]

    def _lost_hosts(self) -> int:
        return sum(1 for host in self.model.hosts
                   if f"host:{host}" in self.events or self.state.get(f"isolated:{host}"))

    def _of(self, name: str) -> int | None:
        if name in self.memo:
            return self.memo[name]
        if self.base is not None and not self.model.cone(name) & self.changed:
            found = self.memo[name] = self.base._of(name)
            return found
        gate = self.model.gates.get(name)
        literal = (self.literal(name) if gate is None or name.startswith(("vm-down:", "vote:", "host-lost:"))
                   else None)
        if literal is True:
            found: int | None = 0
        elif literal is False:
            found = None
        elif isinstance(literal, str):
            found = 1
        elif name.startswith("vm-down:"):
            found = self._exact(name)
        elif gate is None:
            raise ValueError(f"unknown gate {name}")
        elif gate.kind == "or":
            costs = [c for c in (self._of(child) for child in gate.inputs) if c is not None]
            found = min(costs, default=None)
        else:
            found = self._threshold(gate)
        if self.model.cluster_stops_vms and name.startswith(ABOVE_VMS) and found not in (0, None):
            quorum = self._of("cluster-down")  # every VM stops with it: see `_CutSets.top`
            found = found if quorum is None else min(found, quorum)
        self.memo[name] = found
        return found

    def _exact(self, name: str) -> int | None:
        if self._expansion is None:
            # Hosts-only, the expansion leaves out every other part: the minimal sets of hosts alone are the
            # minimal ones when nothing else fails, and the families stay small.
            self._expansion = _CutSets(self.model, self.where, self.failed, self.hosts_only, self.spread_down,
                                       self.view)
        sets = self._expansion.of(name)
        return min((m.bit_count() for m in sets), default=None)

    def _threshold(self, gate: Gate) -> int | None:
        weights = gate.weights or (1,) * len(gate.inputs)
        need = gate.k if gate.kind == "atleast" else len(gate.inputs)
        by_part: dict[str, int] = {}
        for weight, child in zip(weights, gate.inputs, strict=True):
            value = self.literal(child)
            if value is True:
                need -= weight
            elif isinstance(value, str):
                by_part[value] = by_part.get(value, 0) + weight
            elif value is None:  # not a single-part input: the exact cut sets decide
                return self._exact(gate.name)
        if need <= 0:
            return 0
        heaviest = heapq.nlargest(len(by_part), by_part.values())
        total = 0
        for count, weight in enumerate(heaviest, start=1):
            total += weight
            if total >= need:
                return count
        return None
