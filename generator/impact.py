"""The failure-impact engine: for a set of failed parts, what stops, what degrades, what keeps working.

Pure: it takes a validated architecture and the catalog, and returns values.

- A *scenario* fails hosts, VMs and whole services (every instance down), after optionally emptying
  hosts for maintenance by live migration. Failure domains are expanded to their hosts by the caller.
- An instance is up when its VM runs (its host is up) and its service has not failed as a whole.
- A service's own state follows its HA model (see `_own_state`); then it is down when a service it
  requires is down, and degraded when one it requires is degraded or one it uses is down.
- A control-plane operation is down when a service it requires is down, degraded when one is
  degraded or a service it uses is down. A data-plane operation looks only at the instances that carry
  its traffic, never at the control plane, so running instances survive every control-plane failure.
- Phase `immediate`: the failed hosts' VMs are gone. Phase `after-restart`: the platform (if
  `platform.ha` is not `none`) has restarted them where capacity and anti-affinity allow
  (`generator/placement.py`), and restarted failed VMs in place.

Every non-ok state carries its reason as a chain a person can read.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Literal

from generator import placement
from generator.catalog import Catalog, Service, majority
from generator.model import VM, Architecture

State = Literal["ok", "degraded", "down"]
Phase = Literal["immediate", "after-restart"]
PHASES: tuple[Phase, ...] = ("immediate", "after-restart")
OK: State = "ok"
DEGRADED: State = "degraded"
DOWN: State = "down"
RANK = {OK: 0, DEGRADED: 1, DOWN: 2}


@dataclasses.dataclass(frozen=True)
class Scenario:
    hosts: frozenset[str] = frozenset()
    vms: frozenset[str] = frozenset()
    services: frozenset[str] = frozenset()
    maintenance: frozenset[str] = frozenset()  # hosts emptied by live migration before the failure
    domains: frozenset[str] = frozenset()  # failure domains whose hosts are in `hosts` (for the description)

    @property
    def failed(self) -> list[str]:
        """What fails, by the names the scenario was given."""
        hosts = sorted(self.domains) if self.domains else sorted(self.hosts)
        return hosts + sorted(self.vms) + sorted(self.services)

    def describe(self) -> str:
        parts = []
        if self.maintenance:
            parts.append(f"{_and(sorted(self.maintenance))} in maintenance")
        failing = self.failed
        if failing:
            parts.append(f"{_and(failing)} {'fail' if len(failing) > 1 else 'fails'}")
        return ", then ".join(parts) or "no failure"


@dataclasses.dataclass(frozen=True)
class ServiceState:
    state: State
    # What is wrong, as a phrase without its subject: "lost quorum: ...", "needs galera, which ...".
    cause: str | None = None
    depth: int = 0  # "needs" hops from this service to the root cause
    delay_seconds: int = 0  # failover time before a standby serves
    restarted: bool = False  # an instance runs again because the platform restarted its VM


@dataclasses.dataclass(frozen=True)
class OperationState:
    state: State
    reason: str | None = None


@dataclasses.dataclass(frozen=True)
class PhaseImpact:
    phase: Phase
    where: dict[str, str | None]  # VM -> the host it runs on, None when it is down
    services: dict[str, ServiceState]  # deployed services only
    operations: dict[str, OperationState]  # every catalog operation


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
        self.facts = facts
        self.networking = arch.openstack.networking
        platform = facts.platforms[arch.platform.hypervisor]
        self.restart_seconds = arch.platform.restart_seconds or platform.restart_seconds
        self.vms = {vm.name: vm for vm in arch.vms}
        deployed = dict.fromkeys(s for vm in arch.vms for s in vm.services if s in facts.services)
        self.instances = {sid: [vm for vm in arch.vms if sid in vm.services] for sid in deployed}
        self.order = _dependency_order(facts, list(deployed))
        self.needs = {oid: op.needs(self.networking) for oid, op in facts.operations.items()}
        self.closure = {oid: self._closure(needs.requires) for oid, needs in self.needs.items()}

    # ---- scenarios ----------------------------------------------------------------------------------

    def evaluate(self, scenario: Scenario) -> Impact:
        immediate = self.phase(scenario, "immediate")
        after = self.phase(scenario, "after-restart") if self.arch.platform.ha != "none" else dataclasses.replace(
            immediate, phase="after-restart")
        recovery = {oid: self._recovery(oid, immediate, after) for oid in self.facts.operations}
        return Impact(scenario, immediate, after, recovery)

    def phase(self, scenario: Scenario, phase: Phase) -> PhaseImpact:
        where, why_down, moved = self._placement(scenario, phase)
        own: dict[str, ServiceState] = {}
        services: dict[str, ServiceState] = {}
        for sid in self.order:
            own[sid] = self._own_state(sid, scenario, where, why_down, moved)
            services[sid] = self._with_dependencies(sid, own[sid], services)
        operations = {oid: self._operation(oid, services, own) for oid in self.facts.operations}
        return PhaseImpact(phase, where, services, operations)

    def _placement(self, scenario: Scenario, phase: Phase) -> tuple[dict[str, str | None], dict[str, str], set[str]]:
        anti_affinity = self.arch.platform.anti_affinity
        where = placement.baseline(self.arch)
        why_down: dict[str, str] = {}
        moved: set[str] = set()
        if scenario.maintenance:
            leaving = [vm for vm, host in where.items() if host in scenario.maintenance]
            migration = placement.move(self.arch, where, leaving, scenario.maintenance, anti_affinity)
            where = migration.where
            moved |= set(leaving) - set(migration.stranded)
            for vm, why in migration.stranded.items():
                why_down[vm] = f"{vm} could not leave {self.vms[vm].host} for maintenance: {why}"
        lost = [vm for vm, host in where.items() if host in scenario.hosts]
        before = dict(where)
        for vm in lost:
            where[vm] = None
            why_down[vm] = f"{vm} was on {before[vm]}, which failed"
        for vm in sorted(scenario.vms):
            if where[vm] is not None:
                where[vm] = None
                why_down[vm] = f"{vm} failed"
        if phase == "after-restart" and self.arch.platform.ha != "none":
            for vm in scenario.vms:  # a failed VM on a live host is restarted where it was
                if before[vm] is not None and before[vm] not in scenario.hosts:
                    where[vm] = before[vm]
                    why_down.pop(vm, None)
            unavailable = scenario.hosts | scenario.maintenance
            restart = placement.move(self.arch, where, lost, unavailable, anti_affinity)
            where = restart.where
            moved |= set(lost) - set(restart.stranded)
            for vm in lost:
                if vm in restart.stranded:
                    why_down[vm] = f"{vm} was on {before[vm]}, which failed, and cannot restart: {restart.stranded[vm]}"
                else:
                    why_down.pop(vm, None)
        return where, why_down, moved

    # ---- services -----------------------------------------------------------------------------------

    def _own_state(self, sid: str, scenario: Scenario, where: dict[str, str | None], why_down: dict[str, str],
                   moved: set[str]) -> ServiceState:
        """The state a service's own instances give it, by its HA model (dependencies aside)."""
        facts = self.facts.services[sid]
        if sid in scenario.services:
            return ServiceState(DOWN, "is down on every VM")
        instances = self.instances[sid]
        # A quorum service's arbitrator instances vote too (a VM running both has two votes).
        arbiters = self.instances.get(facts.arbitrator, []) if facts.ha_model == "quorum" and facts.arbitrator else []
        arbiter_failed = facts.arbitrator in scenario.services if facts.arbitrator else False

        running = [vm for vm in instances if where[vm.name] is not None]
        lost = [vm for vm in instances if where[vm.name] is None]
        details = "; ".join(why_down.get(vm.name, f"{vm.name} is down") for vm in lost)
        restarted = any(vm.name in moved for vm in running)
        total = len(instances)

        if facts.ha_model == "quorum":
            lost_arbiters = [vm for vm in arbiters if where[vm.name] is None or arbiter_failed]
            votes = total + len(arbiters)
            votes_up = len(running) + len(arbiters) - len(lost_arbiters)
            details = "; ".join([details] * bool(details) + [
                why_down.get(vm.name, f"the arbitrator on {vm.name} is down") for vm in lost_arbiters])
            if votes_up < majority(votes) or not running:
                return ServiceState(DOWN, f"lost quorum: {votes_up} of {votes} votes up ({details})")
            if votes_up < votes:
                return ServiceState(DEGRADED, f"runs on {votes_up} of {votes} votes, still a majority "
                                    f"({details})", restarted=restarted)
        elif not running:
            what = "shard" if facts.ha_model == "shards" else "instance"
            return ServiceState(DOWN, f"has no {what} running ({details})")
        elif lost:
            delay = 0
            if facts.ha_model in ("active-passive", "vip") and instances[0] in lost:
                delay = facts.failover_seconds or 0
                verb = "fails over to" if facts.ha_model == "active-passive" else "moves the virtual IP to"
                cause = f"{verb} {running[0].name} in about {delay} s ({details})"
            elif facts.ha_model == "shards":
                cause = f"lost {len(lost)} of {total} shards: their part of the cache is gone ({details})"
            else:
                cause = f"runs {len(running)} of {total} instances ({details})"
            return ServiceState(DEGRADED, cause, delay_seconds=delay, restarted=restarted)

        shared = self._newly_shared(list({vm.name: vm for vm in instances + arbiters}.values()), where, moved)
        if shared:
            return ServiceState(DEGRADED, shared, restarted=restarted)
        return ServiceState(OK, restarted=restarted)

    @staticmethod
    def _newly_shared(instances: list[VM], where: dict[str, str | None], moved: set[str]) -> str | None:
        """A moved instance now next to a sibling: one more host failure would take both."""
        seen: dict[str, str] = {}
        for vm in sorted(instances, key=lambda v: (v.name not in moved, v.name)):
            host = where[vm.name]
            if host is None:
                continue
            if host in seen and (vm.name in moved or seen[host] in moved):
                pair = sorted((seen[host], vm.name))
                return f"runs {pair[0]} and {pair[1]} both on {host} now: one more host failure would take both"
            seen.setdefault(host, vm.name)
        return None

    def _with_dependencies(self, sid: str, own: ServiceState, done: dict[str, ServiceState]) -> ServiceState:
        facts = self.facts.services[sid]
        candidates = [own]
        for dep in facts.requires:
            if dep not in done:
                candidates.append(ServiceState(DOWN, f"needs {dep}, which is not deployed", 1))
            elif done[dep].state != OK:
                d = done[dep]
                candidates.append(ServiceState(d.state, f"needs {dep}, which {d.cause}", d.depth + 1, d.delay_seconds))
        for dep in facts.uses:
            if dep in done and done[dep].state == DOWN:
                d = done[dep]
                candidates.append(ServiceState(DEGRADED, f"uses {dep}, which {d.cause}", d.depth + 1))
        worst = max(RANK[c.state] for c in candidates)
        chosen = min((c for c in candidates if RANK[c.state] == worst), key=lambda c: c.depth)
        delay = max(c.delay_seconds for c in candidates)
        return dataclasses.replace(chosen, delay_seconds=delay, restarted=own.restarted)

    # ---- operations ---------------------------------------------------------------------------------

    def _operation(self, oid: str, services: dict[str, ServiceState], own: dict[str, ServiceState]) -> OperationState:
        needs = self.needs[oid]
        # A data-plane operation depends on the instances that carry traffic, not on the control plane.
        states = own if self.facts.operations[oid].plane == "data" else services
        candidates = []
        for sid in needs.requires:
            if sid not in states:
                candidates.append((RANK[DOWN], 0, f"needs {sid}, which is not deployed"))
            elif states[sid].state != OK:
                s = states[sid]
                candidates.append((RANK[s.state], s.depth, f"needs {sid}, which {s.cause}"))
        for sid in needs.uses:
            if sid in states and states[sid].state == DOWN:
                candidates.append((RANK[DEGRADED], states[sid].depth, f"uses {sid}, which {states[sid].cause}"))
        if not candidates:
            return OperationState(OK)
        rank, _, reason = min(candidates, key=lambda c: (-c[0], c[1]))
        return OperationState({0: OK, 1: DEGRADED, 2: DOWN}[rank], reason)

    def _recovery(self, oid: str, immediate: PhaseImpact, after: PhaseImpact) -> int | None:
        if immediate.operations[oid].state != DOWN:
            delays = [immediate.services[s].delay_seconds for s in self.closure[oid] if s in immediate.services]
            return max(delays, default=0)
        if after.operations[oid].state == DOWN or self.arch.platform.ha == "none":
            return None
        rejoin = [self.facts.services[s].recovery_seconds for s in self.closure[oid]
                  if s in after.services and after.services[s].restarted]
        return self.restart_seconds + max(rejoin, default=0)

    def _closure(self, required: Iterable[str]) -> set[str]:
        found: set[str] = set()
        stack = list(required)
        while stack:
            sid = stack.pop()
            if sid not in found and sid in self.facts.services:
                found.add(sid)
                stack += self.facts.services[sid].requires
        return found


def _dependency_order(facts: Catalog, deployed: list[str]) -> list[str]:
    """Deployed services, each after the services it requires or uses (the catalog has no cycle)."""
    order: list[str] = []

    def visit(sid: str) -> None:
        if sid in order or sid not in deployed:
            return
        service: Service = facts.services[sid]
        for dep in (*service.requires, *service.uses):
            visit(dep)
        order.append(sid)

    for sid in deployed:
        visit(sid)
    return order


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
