"""The failure-impact engine: for a set of failed parts, what stops, what degrades, what keeps working.

Pure: it takes a validated architecture and the catalog, compiles them into the failure model once
(`generator.analysis.compile`), and evaluates scenarios on it:

- a *scenario* fails hosts, VMs, whole services (every instance down) and the platform's own parts
  (witness, fencing levels, storage, switches, management servers), after optionally emptying hosts
  for maintenance by live migration; failure domains are expanded to their hosts and the parts placed
  in them (`generator.analysis.scenarios`), and fail their power;
- each phase places the VMs (`generator.analysis.restarts`: right after the failure, and once the
  platform has restarted what it can), then evaluates every gate on that placement: an operation is
  `down` when its `op:` gate holds, `degraded` (it works, but slower, partial or while a failover
  runs) when its phase's `degraded:` gate holds, else `ok`;
- every operation carries its `margin` (how many more simultaneous failures of hosts or platform parts
  it survives, exact, from the min cuts of the same gates), a stopped one the fewest failed parts whose
  return makes it work again (`repair`), and a non-ok one its explanation (`generator.analysis.
  explanation`: the tree from the operation to the failed parts) with its root causes.

Lost redundancy is not degradation: losing one of three galera members leaves an operation `ok` with
margin 0; the service itself reads `degraded` (it runs on fewer members). Words are the phrase table's
(`generator.render.phrases`); nothing here says anything in words.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from itertools import combinations
from typing import Literal

import numpy as np

from generator.analysis import restarts
from generator.analysis.compile import compile_model
from generator.analysis.cut_sets import MinCuts
from generator.analysis.explanation import Cause, Explainer, Node
from generator.analysis.gates import IMPAIRMENTS, PHASES, FailureModel, Phase
from generator.analysis.restarts import Down, Placement
from generator.analysis.scenarios import Scenario
from generator.catalog import Catalog
from generator.model.architecture import Architecture

__all__ = ["DEGRADED", "DOWN", "OK", "PHASES", "RANK", "Engine", "Impact", "OperationState", "Phase", "PhaseImpact",
           "Scenario", "ServiceState"]

State = Literal["ok", "degraded", "down"]
OK: State = "ok"
DEGRADED: State = "degraded"
DOWN: State = "down"
RANK = {OK: 0, DEGRADED: 1, DOWN: 2}
REPAIR_LARGEST = 8  # repair sets are tried up to this many returning parts


@dataclasses.dataclass(frozen=True)
class OperationState:
    state: State
    margin: int | None = None  # further simultaneous failures of parts it survives; None when down
    explanation: Node | None = None  # why it is down or degraded
    root_causes: tuple[Cause, ...] = ()
    repair: tuple[str, ...] | None = None  # down: the fewest failed parts whose return makes it work
    at_risk: tuple[str, ...] = ()  # margin 0: the parts whose failure would stop it next


@dataclasses.dataclass(frozen=True)
class ServiceState:
    """A deployed service: down, degraded (it works less well, or on fewer members than it has, or two
    of its members share a host or failure domain since a move) or ok, with why."""

    state: State
    explanation: Node | None = None
    restarted: bool = False  # a member runs again because the platform moved its VM


@dataclasses.dataclass(frozen=True)
class PhaseImpact:
    phase: Phase
    where: dict[str, str | None]  # VM -> the host it serves from, None when it is down
    down: dict[str, Down]  # VM -> why it is down (its host failed, a stopped partition, lost storage...)
    ready_seconds: dict[str, int]  # restarted VM -> seconds after the failure when it is up again
    services: dict[str, ServiceState]  # deployed services only
    operations: dict[str, OperationState]  # every catalog operation
    effects: tuple[Node, ...]  # what the failed parts did to the platform (quorum, storage, isolation...)
    vms: dict[str, Node]  # VM -> why it is down (explanations of the VMs in `down`)


@dataclasses.dataclass(frozen=True)
class Impact:
    scenario: Scenario
    immediate: PhaseImpact
    after_restart: PhaseImpact
    # Seconds until each operation works again (not down): 0 when it never stopped, None when it does
    # not come back without the failed parts.
    recovery_seconds: dict[str, int | None]

    def phase(self, name: Phase) -> PhaseImpact:
        return self.immediate if name == "immediate" else self.after_restart


class Engine:
    """Evaluates scenarios for one architecture."""

    def __init__(self, arch: Architecture, facts: Catalog) -> None:
        self.arch = arch
        self.facts = facts.for_architecture(arch)
        self.model: FailureModel = compile_model(arch, facts)
        assert self.model.restarts is not None
        self.restart_seconds = self.model.restarts.restart_seconds
        self._placements: dict[tuple, Placement] = {}
        self._undisturbed: dict[str, MinCuts] = {}
        self._returned: dict[tuple[Scenario, Phase, int], tuple[list[tuple[str, ...]], dict]] = {}
        self._before = sorted({name for gate in self.model.gates.values() for name in gate.inputs
                               if name.startswith("before:")})
        self._closures: dict[str, list[str]] = {}
        self._values: dict[tuple[Scenario, Phase], dict[str, bool]] = {}  # the scenario at hand's, per phase

    # ---- scenarios ----------------------------------------------------------------------------------

    def evaluate(self, scenario: Scenario, margins: bool = True) -> Impact:
        """Both phases of a scenario; without `margins`, states and explanations alone (no margin, repair
        set or parts at risk: those search further failures, which costs most)."""
        immediate = self.phase(scenario, "immediate", margins)
        after = self.phase(scenario, "after-restart", margins) if self.arch.platform.ha != "none" else (
            dataclasses.replace(immediate, phase="after-restart"))
        recovery = {oid: self._recovery(oid, immediate, after) for oid in self.model.operations}
        return Impact(scenario, immediate, after, recovery)

    def phase(self, scenario: Scenario, phase: Phase, margins: bool = True) -> PhaseImpact:
        if phase == "after-restart" and self.arch.platform.ha == "none":
            return dataclasses.replace(self.phase(scenario, "immediate", margins), phase="after-restart")
        placed = self._placement(scenario, phase)
        before = self.before(scenario) if phase == "after-restart" else ()
        values = self.values(scenario, phase)
        explainer = Explainer(self.model, values, placed, phase)
        failed = self.failed_events(scenario) | set(before)
        cuts = self.model.min_cuts(placed.where, failed, base=self._undisturbed_cuts(phase)) if margins else None
        operations = {oid: self._operation(oid, values, explainer, cuts, scenario, phase)
                      for oid in self.model.operations}
        risky = [oid for oid, op in operations.items() if op.margin == 0]
        if risky:
            at_risk = self._next_failures(placed.where, scenario, before, risky)
            operations |= {oid: dataclasses.replace(operations[oid], at_risk=at_risk[oid]) for oid in risky}
        services = {sid: self._service(sid, values, explainer, placed) for sid in self.model.services}
        vms = {vm: explainer.node(f"vm-down:{vm}") for vm in placed.down}
        return PhaseImpact(phase, placed.where, placed.down, placed.ready_seconds, services, operations,
                           tuple(explainer.effects()), vms)

    def values(self, scenario: Scenario, phase: Phase) -> dict[str, bool]:
        """Every gate's value in a phase: the platform's, the VMs', services' and operations', and the
        phase's own (impairments, degradation). Memoised for the scenario at hand (its repair sets and
        summaries ask again); callers must not change what it returns."""
        key = (scenario, phase)
        if key not in self._values:
            if any(known != scenario for known, _ in self._values):
                self._values.clear()
            self._values[key] = self._evaluated(scenario, phase)
        return self._values[key]

    def _evaluated(self, scenario: Scenario, phase: Phase) -> dict[str, bool]:
        placed = self._placement(scenario, phase)
        before = self.before(scenario) if phase == "after-restart" else ()
        events = self._events(scenario)
        state = self.model.platform_state(events)
        return {**dict.fromkeys(events, True), **state,
                **self.model.evaluate_one(placed.where, scenario.services, before, phase)}

    def before(self, scenario: Scenario) -> list[str]:
        """The `before:` events of the after-restart phase: what held right after the failure (every
        member of a service lost at once, which some services do not come back from by themselves)."""
        if not self._before or self.arch.platform.ha == "none":
            return []
        now = self.values(scenario, "immediate")
        return [name for name in self._before if now[name[len("before:"):]]]

    def latched(self, scenario: Scenario) -> set[str]:
        """Services that stay down after the restarts because they lost every member at once (one that
        failed as a whole is down for that reason)."""
        if self.arch.platform.ha == "none":
            return set()
        values = self.values(scenario, "after-restart")
        return {sid for sid in self.model.services
                if values.get(f"latched:{sid}") and sid not in scenario.services}

    def _undisturbed_cuts(self, phase: Phase) -> MinCuts:
        """The min cuts with nothing failed, which every scenario of failed services and VMs alone shares
        for the gates those do not reach (kept: its memo fills as scenarios ask)."""
        if phase not in self._undisturbed:
            self._undisturbed[phase] = self.model.min_cuts(self._placement(Scenario(), phase).where)
        return self._undisturbed[phase]

    def failed_events(self, scenario: Scenario) -> frozenset[str]:
        """The scenario's failed parts and services as the model's events that gates above the VMs and
        min cuts read (fencing levels, management servers and power decide restarts alone)."""
        services = (f"service:{sid}" for sid in scenario.services)
        parts = (name for name in scenario.hosts | scenario.parts if name in self.model.part_events)
        return self.model.failed_events([*parts, *services])

    def _events(self, scenario: Scenario) -> set[str]:
        """Every event of the scenario the platform's gates read: parts, VMs, fencing, management, power."""
        model = self.model
        events = {f"host:{h}" for h in scenario.hosts} | {f"vm:{vm}" for vm in scenario.vms}
        events |= {model.part_events.get(p) or model.restart_events.get(p) or p for p in scenario.parts}
        events |= {model.restart_events[d] for d in scenario.domains if d in model.restart_events}
        return events

    def _next_failures(self, where: dict[str, str | None], scenario: Scenario, before: Iterable[str],
                       oids: list[str]) -> dict[str, tuple[str, ...]]:
        """For operations one part failure away from stopping: which parts (hosts, witness, storage,
        switches), each tried at once on this state."""
        failed = scenario.hosts | scenario.parts
        candidates = [part for part in self.model.parts if part not in failed]
        placements = []
        for part in candidates:
            state = self.model.platform_state(failed | {part})
            placements.append({vm: None if h is None or h == part or self.model.stopping(vm, h, state) else h
                               for vm, h in where.items()})
        count = len(candidates)
        values = self.model.evaluate_placements(placements, [scenario.services] * count, [before] * count)
        return {oid: tuple(part for i, part in enumerate(candidates) if values[self.model.operations[oid]][i])
                for oid in oids}

    def stopped(self, scenarios: list[Scenario]) -> list[dict[Phase, frozenset[str]]]:
        """For many scenarios at once, the operations down in each phase: the compiled model evaluated
        over all of them together (placement still runs once per distinct set of failed parts)."""
        result: list[dict[Phase, frozenset[str]]] = [{} for _ in scenarios]
        services = [s.services for s in scenarios]
        now = self.model.evaluate_placements([self._placement(s, "immediate").where for s in scenarios], services)
        if self.arch.platform.ha == "none":
            after = now
        else:
            before = [[name for name in self._before if now[name[len("before:"):]][i]] for i in range(len(scenarios))]
            after = self.model.evaluate_placements([self._placement(s, "after-restart").where for s in scenarios],
                                                   services, before)
        for phase, values in zip(PHASES, (now, after), strict=True):
            down = {oid: values[gate] for oid, gate in self.model.operations.items()}
            for index, row in enumerate(result):
                row[phase] = frozenset(oid for oid, column in down.items() if column[index])
        return result

    def where(self, scenario: Scenario, phase: Phase) -> dict[str, str | None]:
        """Where each VM serves in that phase (None: it does not); memoised, so callers must not change it."""
        return self._placement(scenario, phase).where

    def _placement(self, scenario: Scenario, phase: Phase) -> Placement:
        """Where each VM serves in that phase and why the others do not (memoised per set of failed parts:
        callers must not change what it returns)."""
        if phase == "after-restart" and self.arch.platform.ha == "none":
            phase = "immediate"
        key = (phase, scenario.hosts, scenario.vms, scenario.maintenance, scenario.parts, scenario.domains)
        if key not in self._placements:
            events = self._events(scenario) - {f"host:{h}" for h in scenario.hosts} - {
                f"vm:{vm}" for vm in scenario.vms}
            self._placements[key] = restarts.place(self.model, scenario.hosts, scenario.vms, events, phase,
                                                   scenario.maintenance)
        return self._placements[key]

    # ---- operations and services --------------------------------------------------------------------

    def _operation(self, oid: str, values: dict[str, bool], explainer: Explainer, cuts: MinCuts | None,
                   scenario: Scenario, phase: Phase) -> OperationState:
        gate = self.model.operations[oid]
        node = explainer.operation(oid)
        causes = tuple(explainer.root_causes(node)) if node is not None else ()
        if values[gate]:
            return OperationState(DOWN, None, node, causes, self._repair(gate, scenario, phase) if cuts else None)
        if cuts is None:
            return OperationState(DEGRADED if node is not None else OK, None, node, causes)
        cut = cuts.of(gate)
        # No set of part failures stops it: it survives losing every host still up.
        margin = len({host for host in self.model.hosts if host not in scenario.hosts}) if cut is None else cut - 1
        return OperationState(DEGRADED if node is not None else OK, margin, node, causes)

    def _service(self, sid: str, values: dict[str, bool], explainer: Explainer, placed: Placement) -> ServiceState:
        restarted = any(vm in placed.moved and placed.where[vm] is not None for vm in self.model.members[sid])
        node = explainer.service(sid)
        if node is None:
            node = explainer.shared(sid)
        if node is None:
            return ServiceState(OK, None, restarted)
        return ServiceState(DOWN if values[f"service-down:{sid}"] else DEGRADED, node, restarted)

    def _repair(self, gate: str, scenario: Scenario, phase: Phase) -> tuple[str, ...] | None:
        """The fewest failed parts (hosts, the platform's parts, VMs, services, and after the restarts a
        service that stays down after a total loss, which returns when it is bootstrapped) whose return
        brings the gate up, tried by increasing size over what failed, all sets of a size evaluated at
        once; None when even the return of every part would not (the operation needs what the design
        does not deploy)."""
        latched = sorted(self.latched(scenario)) if phase == "after-restart" else []
        parts = list(dict.fromkeys([*sorted(scenario.hosts), *sorted(scenario.parts), *sorted(scenario.vms),
                                    *sorted(scenario.services), *latched]))
        for size in range(1, min(len(parts), REPAIR_LARGEST) + 1):
            trials, values = self._returns(scenario, phase, parts, size)
            working = np.flatnonzero(~values[gate])
            if working.size:
                return trials[int(working[0])]
        return None

    def _returns(self, scenario: Scenario, phase: Phase, parts: list[str],
                 size: int) -> tuple[list[tuple[str, ...]], dict]:
        """Every way `size` of the failed `parts` can come back, and the gates in each, with the VMs
        where they run right after the failure (memoised for the scenario at hand: each of its stopped
        operations asks the same). A service that stays down after a total loss stays down unless it
        is among those that come back."""
        key = (scenario, phase, size)
        if key not in self._returned:
            if any(known != scenario for known, _, _ in self._returned):
                self._returned.clear()
            before = self.before(scenario) if phase == "after-restart" else []
            trials = list(combinations(parts, size))
            placements, failed, held = [], [], []
            for back in trials:
                kept = Scenario(hosts=scenario.hosts - set(back), vms=scenario.vms - set(back),
                                services=scenario.services - set(back), maintenance=scenario.maintenance,
                                parts=scenario.parts - set(back))
                placements.append(self._placement(kept, "immediate").where)
                failed.append(kept.services)
                held.append([name for name in before if name.rsplit(":", 1)[1] not in back])
            self._returned[key] = (trials, self.model.evaluate_placements(placements, failed, held))
        return self._returned[key]

    # ---- recovery -----------------------------------------------------------------------------------

    def _recovery(self, oid: str, immediate: PhaseImpact, after: PhaseImpact) -> int | None:
        """Seconds until the operation works again: the longest failover, stall or reschedule among the
        services it reads when it never stopped; the restart of its services' VMs and their rejoining
        when the platform brings it back; None when only the failed parts' return does."""
        closure = self._closure(oid)
        if immediate.operations[oid].state != DOWN:
            return max((self.delay(sid, immediate) for sid in closure), default=0)
        if after.operations[oid].state == DOWN or self.arch.platform.ha == "none":
            return None
        restarted = [sid for sid in closure if after.services[sid].restarted]
        rejoin = [self._rejoin_seconds(sid, immediate) for sid in restarted]
        back = [after.ready_seconds[vm] for sid in restarted for vm in self.model.members[sid]
                if vm in after.ready_seconds]
        return max(back, default=self.restart_seconds) + max(rejoin, default=0)

    def delay(self, sid: str, immediate: PhaseImpact) -> int:
        """How long a working service's own impairment lasts right after the failure: a failover, a cache
        stall, a reschedule (0 when none holds or it is down)."""
        node = immediate.services[sid].explanation
        if node is None or immediate.services[sid].state == DOWN or node.facts.get("how") not in IMPAIRED:
            return 0
        notes = self.model.notes[f"service:{sid}"]
        seconds = {"writer-lost": notes["failover"], "active-lost": notes["failover"], "shard-lost": notes["stall"],
                   "every-copy-lost": notes["reschedule"] or 0, "copy-lost": notes["failover"]}
        return seconds[node.facts["how"]]

    def _rejoin_seconds(self, sid: str, immediate: PhaseImpact) -> int:
        """How long a restarted service takes to serve again: a quorum service that lost every member
        restarts as a whole (RabbitMQ's nodes wait for the last one to stop), which takes longer."""
        notes = self.model.notes[f"service:{sid}"]
        whole = notes["whole"] is not None and all(immediate.where[vm] is None for vm in self.model.members[sid])
        return notes["whole"] if whole else notes["recovery"]

    def _closure(self, oid: str) -> list[str]:
        """The services an operation's gate reads, through what each requires (its alternatives too)."""
        if oid not in self._closures:
            found: dict[str, None] = {}
            stack = [self.model.operations[oid]]
            seen: set[str] = set()
            while stack:
                name = stack.pop()
                if name in seen or name not in self.model.gates:
                    continue
                seen.add(name)
                if name.startswith("own:"):
                    found[name[len("own:"):]] = None
                    continue
                if name.startswith(("op:", "service-down:", "backend-down:", "any-down:")):
                    stack += self.model.gates[name].inputs
            self._closures[oid] = list(found)
        return self._closures[oid]


IMPAIRED = tuple(prefix[:-1] for prefix in IMPAIRMENTS)
