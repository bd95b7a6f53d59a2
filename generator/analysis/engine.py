"""The failure-impact engine: for a set of failed parts, what stops, what degrades, what keeps working.

Pure: it takes a validated architecture and the catalog, and returns values.

- A *scenario* fails hosts, VMs, whole services (every instance down) and the platform's own parts
  (witness, fencing levels, storage, switches, management servers), after optionally emptying hosts
  for maintenance by live migration. Failure domains are expanded to their hosts and the parts placed
  in them by the caller (`generator.scenarios`). What the platform then does (quorum, fencing,
  isolation, storage, restart order) comes from `generator.cluster`.
- An instance is up when its VM runs (its host is up) and its service has not failed as a whole.
- A service's own state follows its HA model (see `_own_state`); then it is down when a service it
  requires is down, and degraded when one it requires is degraded or one it uses is down.
- A control-plane operation is down when a service it requires is down, degraded when one is
  degraded or a service it uses is down. A data-plane operation looks only at the instances that carry
  its traffic, never at the control plane, so running instances survive every control-plane failure.
- Phase `immediate`: the failed hosts' VMs are gone, and so are VMs cut off, on lost storage or in a
  cluster without quorum. Phase `after-restart`: the platform (if `platform.ha` is not `none`, the
  cluster has quorum and, on Pacemaker, it could fence the lost host) has restarted them where
  capacity and anti-affinity allow (`generator/placement.py`), and restarted failed VMs in place.

Whether an operation is down, its margin and its repair set come from the compiled failure model
(`generator.failure_model`), evaluated on the placement of each phase. The service layer below
(`_own_state`, `_with_dependencies`) puts each service's state into words, and the property tests
hold its "down" equal to the model's gates; on top of both, this module says how well a working
operation works. An operation's `state` is about function: `ok`, `degraded` (slower,
partial, or while a failover runs: a service it uses is down, a cache lost shards, a virtual IP or an
active-passive service moves) or `down`. Lost redundancy is not degradation: every operation in every
phase carries its `margin`, how many more simultaneous host failures it survives from that state.
Service states keep their own meaning: a service with fewer members than it has is degraded.

Every non-ok operation carries all its root causes, not only the first, and a down one the smallest
set of failed parts whose return makes it work again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from itertools import combinations
from typing import Literal

import numpy as np

from generator.analysis import placement
from generator.analysis.gates import FailureModel, MinCuts, compile_model
from generator.analysis.platform import PRIORITIES, PlatformView, restart_priority
from generator.catalog import Catalog, Service, majority
from generator.model.architecture import VM, Architecture

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
    # The platform's own parts that fail: witness, fencing levels, storage, switches, management servers.
    parts: frozenset[str] = frozenset()
    in_domains: frozenset[str] = frozenset()  # hosts and parts in `hosts`/`parts` because a domain failed

    @property
    def failed(self) -> list[str]:
        """What fails, by the names the scenario was given."""
        named = sorted((self.hosts | self.parts) - self.in_domains) if self.domains else sorted(self.hosts)
        parts = [] if self.domains else sorted(self.parts)
        return sorted(self.domains) + named + parts + sorted(self.vms) + sorted(self.services)

    def describe(self) -> str:
        parts = []
        if self.maintenance:
            parts.append(f"{join_and(sorted(self.maintenance))} in maintenance")
        failing = self.failed
        if failing:
            parts.append(f"{join_and(failing)} {'fail' if len(failing) > 1 else 'fails'}")
        return ", then ".join(parts) or "no failure"


@dataclasses.dataclass(frozen=True)
class ServiceState:
    state: State
    # What is wrong, as a phrase without its subject: "lost quorum: ...", "needs galera, which ...".
    cause: str | None = None
    depth: int = 0  # "needs" hops from this service to the root cause
    delay_seconds: int = 0  # failover time before a standby serves
    restarted: bool = False  # an instance runs again because the platform restarted its VM
    # It works less well, not just with fewer members: a failover runs, a cache lost shards and its
    # clients stall, some routers or networks lost every agent they live on.
    impaired: bool = False


@dataclasses.dataclass(frozen=True)
class Cause:
    """One root cause of an operation's state: a service whose own members (not its dependencies) fail
    or impair it, reached from the operation through `via` (the services in between)."""

    service: str
    state: State
    cause: str  # the service's own cause, a phrase without its subject
    via: tuple[str, ...] = ()
    links: tuple[str, ...] = ()  # "needs" or "uses", one per step: operation -> via[0] -> ... -> service

    @property
    def uses(self) -> bool:
        """Whether the operation only uses what this cause takes away (it still works, but less well)."""
        return "uses" in self.links

    @property
    def steps(self) -> tuple[str, ...]:
        """`links`, where an empty one means "needs" at every step."""
        return self.links or ("needs",) * (len(self.via) + 1)

    def reached(self, sid: str, link: str) -> Cause:
        """The same cause, seen one step further up: from `sid`, which `link`s (needs or uses) the service
        the chain started at. The new first step (to `sid`) is "needs" until `used` says otherwise."""
        return dataclasses.replace(self, via=(sid, *self.via), links=("needs", link, *self.steps[1:]))

    def used(self) -> Cause:
        """The same cause, reached through a service the operation itself only uses."""
        return dataclasses.replace(self, links=("uses", *self.steps[1:]))

    def sentence(self) -> str:
        chain, links = [*self.via, self.service], self.steps
        text = f"{links[0]} {chain[0]}"
        for link, sid in zip(links[1:], chain[1:], strict=True):
            text += f", which {link} {sid}"
        return f"{text}, which {self.cause}"


@dataclasses.dataclass(frozen=True)
class OperationState:
    state: State
    reason: str | None = None
    margin: int | None = None  # further simultaneous host failures it survives; None when down
    root_causes: tuple[Cause, ...] = ()
    repair: tuple[str, ...] | None = None  # down: the fewest failed parts whose return makes it work
    at_risk: tuple[str, ...] = ()  # margin 0: the hosts whose failure would stop it next


@dataclasses.dataclass(frozen=True)
class Placement:
    """Where each VM serves in a phase (None: it does not), why the others do not, which ones the
    platform moved, and when each restarted VM is up again (seconds after the failure)."""

    where: dict[str, str | None]
    why_down: dict[str, str]
    moved: set[str]
    ready_seconds: dict[str, int]


@dataclasses.dataclass(frozen=True)
class PhaseImpact:
    phase: Phase
    where: dict[str, str | None]  # VM -> the host it serves from, None when it is down
    why_down: dict[str, str]  # VM -> why it is down (its host failed, a stopped partition, lost storage...)
    ready_seconds: dict[str, int]  # restarted VM -> seconds after the failure when it is up again
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
        facts = facts.for_architecture(arch)
        self.facts = facts
        self.networking = arch.openstack.networking
        platform = facts.platforms[arch.platform.hypervisor]
        self.platform_facts = platform
        self.restart_seconds = arch.platform.restart_seconds or platform.restart_seconds
        self.vms = {vm.name: vm for vm in arch.vms}
        self.model: FailureModel = compile_model(arch, facts)
        self.instances = {sid: [vm for vm in arch.vms if sid in vm.service_ids] for sid in self.model.services}
        self.order = list(self.model.services)
        self._placements: dict[tuple, Placement] = {}
        self._undisturbed: dict[str, MinCuts] = {}
        self._returned: dict[tuple[Scenario, int], tuple[list[tuple[str, ...]], dict]] = {}
        self.cluster = PlatformView(arch, facts, self.model)
        self.needs = {oid: op.needs(self.networking) for oid, op in facts.operations.items()}
        self.closure = {oid: self._closure([*needs.requires, *(s for group in needs.requires_any for s in group)])
                        for oid, needs in self.needs.items()}

    # ---- scenarios ----------------------------------------------------------------------------------

    def evaluate(self, scenario: Scenario) -> Impact:
        immediate = self.phase(scenario, "immediate")
        after = self.phase(scenario, "after-restart") if self.arch.platform.ha != "none" else dataclasses.replace(
            immediate, phase="after-restart")
        recovery = {oid: self._recovery(oid, immediate, after) for oid in self.facts.operations}
        return Impact(scenario, immediate, after, recovery)

    def phase(self, scenario: Scenario, phase: Phase) -> PhaseImpact:
        placed = self._placement(scenario, phase)
        where, why_down, moved = placed.where, placed.why_down, placed.moved
        latched = self.latched(scenario) if phase == "after-restart" else {}
        scenario = dataclasses.replace(scenario, services=scenario.services | set(latched))
        gates = self.model.evaluate_one(where, scenario.services)
        own: dict[str, ServiceState] = {}
        services: dict[str, ServiceState] = {}
        backend: dict[str, ServiceState] = {}  # services with a front: their state for callers over RPC
        for sid in self.order:
            own[sid] = (ServiceState(DOWN, latched[sid]) if sid in latched
                        else self._own_state(sid, scenario, where, why_down, moved, phase == "after-restart"))
            services[sid] = self._with_dependencies(sid, own[sid], services, backend)
            if self.facts.services[sid].front:
                backend[sid] = self._with_dependencies(sid, own[sid], services, backend, front=False)
        impaired = self._impairments(own, services, backend)
        cuts = self.model.min_cuts(where, self.failed_events(scenario), base=self._undisturbed_cuts(phase))
        operations = {oid: self._operation(oid, gates, services, own, backend, impaired, cuts, scenario)
                      for oid in self.facts.operations}
        risky = [oid for oid, op in operations.items() if op.margin == 0]
        if risky:
            at_risk = self._next_failures(where, scenario, risky)
            operations |= {oid: dataclasses.replace(operations[oid], at_risk=at_risk[oid]) for oid in risky}
        return PhaseImpact(phase, where, why_down, placed.ready_seconds, services, operations)

    def _undisturbed_cuts(self, phase: Phase) -> MinCuts:
        """The min cuts with nothing failed, which every scenario of failed services and VMs alone shares
        for the gates those do not reach (kept: its memo fills as scenarios ask)."""
        if phase not in self._undisturbed:
            self._undisturbed[phase] = self.model.min_cuts(self._placement(Scenario(), phase).where)
        return self._undisturbed[phase]

    def latched(self, scenario: Scenario) -> dict[str, str]:
        """Services that lost every member at once right after the failure and do not come back by
        themselves once their VMs restart (Galera, unless every member returns), with why: they stay
        down after the restarts, as if failed as a whole."""
        before = self._placement(scenario, "immediate").where
        after = self._placement(scenario, "after-restart").where
        found = {}
        for sid in self.order:
            total_loss = self.facts.services[sid].total_loss
            if total_loss is None or total_loss.recovery != "manual" or sid in scenario.services:
                continue
            members = self.instances[sid]
            if any(before[vm.name] is not None for vm in members):
                continue
            missing = [vm.name for vm in members if after[vm.name] is None]
            if missing or not total_loss.automatic_when_all_return:
                still = f" while {join_and(missing)} {'is' if len(missing) == 1 else 'are'} down" if missing else ""
                found[sid] = f"lost every member at once and stays down{still}: {total_loss.basis}"
        return found

    def failed_events(self, scenario: Scenario) -> frozenset[str]:
        """The scenario's failed parts and services as the model's events (fencing levels and
        management servers are no events: they decide restarts, not whether a VM runs)."""
        services = (f"service:{sid}" for sid in scenario.services)
        parts = (name for name in scenario.hosts | scenario.parts if name in self.model.part_events)
        return self.model.failed_events([*parts, *services])

    def _next_failures(self, where: dict[str, str | None], scenario: Scenario,
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
        values = self.model.evaluate_placements(placements, [scenario.services] * len(candidates))
        return {oid: tuple(part for i, part in enumerate(candidates) if values[self.model.operations[oid]][i])
                for oid in oids}

    def stopped(self, scenarios: list[Scenario]) -> list[dict[Phase, frozenset[str]]]:
        """For many scenarios at once, the operations down in each phase: the compiled model evaluated
        over all of them together (placement still runs once per distinct set of failed parts)."""
        result: list[dict[Phase, frozenset[str]]] = [{} for _ in scenarios]
        for phase in PHASES:
            placements = [self._placement(s, phase).where for s in scenarios]
            failed = [s.services | set(self.latched(s)) if phase == "after-restart" else s.services
                      for s in scenarios]
            values = self.model.evaluate_placements(placements, failed)
            down = {oid: values[gate] for oid, gate in self.model.operations.items()}
            for index, row in enumerate(result):
                row[phase] = frozenset(oid for oid, column in down.items() if column[index])
        return result

    def where(self, scenario: Scenario, phase: Phase) -> dict[str, str | None]:
        """Where each VM serves in that phase (None: it does not); memoised, so callers must not change it."""
        return self._placement(scenario, phase).where

    def _placement(self, scenario: Scenario, phase: Phase) -> Placement:
        """Where each VM serves in that phase, why the others do not, which ones moved and when the
        restarted ones are up (memoised per set of failed parts: callers must not change what it returns)."""
        if phase == "after-restart" and self.arch.platform.ha == "none":
            phase = "immediate"
        key = (phase, scenario.hosts, scenario.vms, scenario.maintenance, scenario.parts, scenario.domains)
        if key not in self._placements:
            self._placements[key] = self._place(scenario, phase)
        return self._placements[key]

    def _place(self, scenario: Scenario, phase: Phase) -> Placement:
        anti_affinity = self.arch.platform.anti_affinity
        cluster = self.cluster
        state = self.model.platform_state(scenario.hosts | scenario.parts)
        where = placement.baseline(self.arch)
        why_down: dict[str, str] = {}
        moved: set[str] = set()
        if scenario.maintenance:
            leaving = [vm for vm, host in where.items() if host in scenario.maintenance]
            blocked = cluster.migration_blocked(scenario)
            if blocked:
                for vm in leaving:
                    where[vm] = None
                    why_down[vm] = f"{vm} could not leave {self.vms[vm].host} for maintenance: {blocked}"
            else:
                migration = placement.move(self.arch, where, leaving, scenario.maintenance, anti_affinity,
                                           capacity=cluster.capacity)
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
        isolated = cluster.isolated(state, scenario)
        ready: dict[str, int] = {}
        if phase == "after-restart" and self.arch.platform.ha != "none":
            blocked = cluster.restarts_blocked(state, scenario)
            if blocked:
                for vm in [*lost, *scenario.vms]:
                    why_down[vm] = f"{why_down[vm]}, and nothing restarts: {blocked}"
            else:
                for vm in scenario.vms:  # a failed VM on a live host is restarted where it was
                    host = before[vm]
                    if host is not None and host not in scenario.hosts and host not in isolated:
                        where[vm] = host
                        why_down.pop(vm, None)
                        ready[vm] = 0
                movers, delay = [], {}
                leaving_isolated = [vm for vm, host in where.items() if host in isolated and cluster.restarts_isolated]
                for vm in [*lost, *leaving_isolated]:
                    origin = before[vm]
                    kept = cluster.kept_down(vm, origin, state, scenario)
                    if kept:
                        where[vm] = None
                        why_down[vm] = (f"{why_down[vm]}, and cannot restart: {kept}" if vm in why_down
                                        else f"{vm} was on {origin}, which is cut off, and cannot restart: {kept}")
                        continue
                    movers.append(vm)
                    delay[vm] = cluster.isolation_seconds if origin in isolated else 0
                unavailable = scenario.hosts | scenario.maintenance | isolated
                restart = placement.move(self.arch, where, movers, unavailable, anti_affinity,
                                         capacity=cluster.capacity)
                where = restart.where
                moved |= set(movers) - set(restart.stranded)
                for vm in movers:
                    if vm in restart.stranded:
                        why_down[vm] = (f"{vm} was on {before[vm]}, which "
                                        f"{'failed' if before[vm] in scenario.hosts else 'is cut off'}, "
                                        f"and cannot restart: {restart.stranded[vm]}")
                    else:
                        why_down.pop(vm, None)
                restarted = [vm for vm in movers if vm not in restart.stranded]
                ready |= self._ready_seconds(restarted, delay)
        for vm, host in where.items():  # running, but the platform's parts keep it from serving
            if host is None:
                continue
            stops = self.model.stopping(vm, host, state)
            if stops:
                where[vm] = None
                why_down[vm] = f"{vm} on {host} is down: {cluster.explain(stops, state, scenario)}"
                ready.pop(vm, None)
        return Placement(where, why_down, moved, ready)

    def _ready_seconds(self, restarted: list[str], delay: dict[str, int]) -> dict[str, int]:
        """When each restarted VM is up: detection and restart, any isolation delay, and one boot per
        restart priority before its own (databases and queues first, then the APIs)."""
        ranks = {vm: PRIORITIES.index(restart_priority(self.vms[vm])) for vm in restarted}
        waves = sorted(set(ranks.values()))
        boot = self.platform_facts.boot_seconds
        return {vm: self.restart_seconds + delay.get(vm, 0) + waves.index(ranks[vm]) * boot for vm in restarted}

    # ---- services -----------------------------------------------------------------------------------

    def _own_state(self, sid: str, scenario: Scenario, where: dict[str, str | None], why_down: dict[str, str],
                   moved: set[str], settled: bool = False) -> ServiceState:
        """The state a service's own instances give it, by its HA model (dependencies aside). `settled`
        (after the platform's restarts, minutes later): failovers, cache stalls and reschedules that
        take seconds are over, so only what lasts impairs it."""
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

        def impaired(cause: str, delay: int) -> ServiceState:
            return ServiceState(DEGRADED, f"{cause} ({details})", delay_seconds=delay, restarted=restarted,
                                impaired=True)

        if facts.ha_model == "quorum":
            lost_arbiters = [vm for vm in arbiters if where[vm.name] is None or arbiter_failed]
            votes = total + len(arbiters)
            votes_up = len(running) + len(arbiters) - len(lost_arbiters)
            details = "; ".join([details] * bool(details) + [
                why_down.get(vm.name, f"the arbitrator on {vm.name} is down") for vm in lost_arbiters])
            if votes_up < majority(votes) or not running:
                return ServiceState(DOWN, f"lost quorum: {votes_up} of {votes} votes up ({details})")
            if votes_up < votes:
                cause = f"runs on {votes_up} of {votes} votes, still a majority"
                if facts.writer and instances[0] in lost and not settled:
                    # Writes go through one member behind the load balancer; the next one takes them.
                    delay = facts.failover_seconds or 0
                    return impaired(f"{cause}, and writes move from {instances[0].name} to {running[0].name} in "
                                    f"about {delay} s", delay)
                return ServiceState(DEGRADED, f"{cause} ({details})", restarted=restarted)
        elif not running:
            what = "shard" if facts.ha_model == "shards" else "instance"
            return ServiceState(DOWN, f"has no {what} running ({details})")
        elif lost:
            if facts.ha_model == "scheduled":
                return self._scheduled_state(facts, running, lost, details, restarted, settled)
            if not settled and facts.ha_model in ("active-passive", "vip") and instances[0] in lost:
                delay = facts.failover_seconds or 0
                verb = "fails over to" if facts.ha_model == "active-passive" else "moves the virtual IP to"
                return impaired(f"{verb} {running[0].name} in about {delay} s", delay)
            if not settled and facts.ha_model == "shards":
                what = facts.partial_loss or "their part of the cache is gone"
                return impaired(f"lost {len(lost)} of {total} shards: {what}", facts.stall_seconds or 0)
            return ServiceState(DEGRADED, f"runs {len(running)} of {total} instances ({details})", restarted=restarted)

        shared = self._newly_shared(list({vm.name: vm for vm in instances + arbiters}.values()), where, moved)
        if shared:
            return ServiceState(DEGRADED, shared, restarted=restarted)
        return ServiceState(OK, restarted=restarted)

    def _scheduled_state(self, facts: Service, running: list[VM], lost: list[VM], details: str,
                         restarted: bool, settled: bool) -> ServiceState:
        """A service whose resources (routers, networks) each live on `per_resource` of its instances:
        losing fewer than that many leaves every resource a copy, and with a standby (VRRP) the ones
        whose active copy was lost fail over; losing that many or more may take every copy of some,
        which stay down until their instances return unless Neutron reschedules them."""
        total = len(running) + len(lost)
        copies = min(facts.per_resource, total)
        noun = facts.resource or "resource"
        rescheduled = facts.reschedule_seconds is not None
        if len(lost) >= copies and not (settled and rescheduled):
            until = (f"until Neutron moves them to a live agent, about {facts.reschedule_seconds} s" if rescheduled
                     else "until their agents return")
            what = facts.partial_loss or f"the {noun}s that lived only there stop"
            return ServiceState(DEGRADED, f"lost {len(lost)} of {total} agents, and each {noun} lives on "
                                f"{copies}: {what}, {until} ({details})", delay_seconds=facts.reschedule_seconds or 0,
                                restarted=restarted, impaired=True)
        if facts.failover_seconds and not settled:
            return ServiceState(DEGRADED, f"lost {len(lost)} of {total} agents: the {noun}s active there fail "
                                f"over to a standby copy in about {facts.failover_seconds} s ({details})",
                                delay_seconds=facts.failover_seconds, restarted=restarted, impaired=True)
        return ServiceState(DEGRADED, f"runs {len(running)} of {total} instances, every {noun} still served "
                            f"({details})", restarted=restarted)

    def _newly_shared(self, instances: list[VM], where: dict[str, str | None], moved: set[str]) -> str | None:
        """A moved instance now next to a sibling, on one host or in one failure domain: one more failure
        of that host or domain would take both."""
        domain = {host.name: host.failure_domain for host in self.arch.hosts}
        for scope, place in (("host", lambda h: h), ("failure domain", lambda h: domain[h])):
            seen: dict[str, str] = {}
            for vm in sorted(instances, key=lambda v: (v.name not in moved, v.name)):
                host = where[vm.name]
                spot = None if host is None else place(host)
                if spot is None:
                    continue
                if spot in seen and (vm.name in moved or seen[spot] in moved):
                    pair = sorted((seen[spot], vm.name))
                    where_words = f"on {spot}" if scope == "host" else f"in {spot}"
                    return (f"runs {pair[0]} and {pair[1]} both {where_words} now: one more {scope} failure would "
                            "take both")
                seen.setdefault(spot, vm.name)
        return None

    def _with_dependencies(self, sid: str, own: ServiceState, done: dict[str, ServiceState],
                           backend: dict[str, ServiceState], front: bool = True) -> ServiceState:
        """A service's state with what it requires and uses; `front=False`: as a caller over RPC sees
        it, without its API's front (load balancer, token validation)."""
        facts = self.facts.services[sid]
        candidates = [own]
        for dep in facts.requires:
            if not front and dep in facts.front:
                continue
            if dep not in done:
                if not self.facts.services[dep].external:
                    candidates.append(ServiceState(DOWN, f"needs {dep}, which is not deployed", 1))
            elif (d := backend.get(dep, done[dep]) if dep in facts.rpc else done[dep]).state != OK:
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

    def _impairments(self, own: dict[str, ServiceState], services: dict[str, ServiceState],
                     backend: dict[str, ServiceState]) -> dict[str, list[Cause]]:
        """Services that work but not as normal, with the causes: a cache that lost shards, a virtual IP
        or active-passive service failing over, or (through `requires` and `uses`) such a service or a
        used one that is down. Fewer members than planned alone is no impairment."""
        impaired: dict[str, list[Cause]] = {}
        for sid in self.order:
            if services[sid].state == DOWN:
                continue
            facts = self.facts.services[sid]
            causes = self._own_impairment(sid, own)
            for dep in facts.requires:
                causes += [c.reached(sid, "needs") for c in impaired.get(dep, [])]
            for dep in facts.uses:
                if dep in services and services[dep].state == DOWN:
                    causes += [c.reached(sid, "uses") for c in self._down_causes(dep, services, own, backend)]
                causes += [c.reached(sid, "uses") for c in impaired.get(dep, [])]
            if causes:
                impaired[sid] = _distinct(causes)
        return impaired

    def _own_impairment(self, sid: str, own: dict[str, ServiceState]) -> list[Cause]:
        """A service's members impair it (not just thin it): a cache lost shards, or a failover runs."""
        mine = own.get(sid)
        if mine is None or mine.state != DEGRADED or not mine.impaired:
            return []
        return [Cause(sid, DEGRADED, mine.cause or "is degraded")]

    def _down_causes(self, sid: str, services: dict[str, ServiceState], own: dict[str, ServiceState],
                     backend: dict[str, ServiceState]) -> list[Cause]:
        """Every root cause of a down service: the services under it (itself included) whose own members
        fail them, each reached by the shortest chain of `requires` (over RPC, only what serves it there:
        `backend`, the states without an API's front)."""
        found: dict[str, Cause] = {}
        queue: list[tuple[str, tuple[str, ...], bool]] = [(sid, (), True)]
        seen = {sid}
        while queue:
            current, via, front = queue.pop(0)
            if own[current].state == DOWN:
                found.setdefault(current, Cause(current, DOWN, own[current].cause or "is down", via))
            facts = self.facts.services[current]
            for dep in facts.requires:
                if not front and dep in facts.front:
                    continue  # reached over RPC: its API's front is not on the path
                if dep not in services:
                    if not self.facts.services[dep].external:
                        found.setdefault(dep, Cause(dep, DOWN, "is not deployed", (*via, current)))
                elif services[dep].state == DOWN and dep not in seen:
                    over_rpc = dep in facts.rpc and dep in backend
                    if over_rpc and backend[dep].state != DOWN:
                        continue
                    seen.add(dep)
                    queue.append((dep, (*via, current), not over_rpc))
        return list(found.values())

    def _operation(self, oid: str, gates: dict[str, bool], services: dict[str, ServiceState],
                   own: dict[str, ServiceState], backend: dict[str, ServiceState], impaired: dict[str, list[Cause]],
                   cuts: MinCuts, scenario: Scenario) -> OperationState:
        needs = self.needs[oid]
        data_plane = self.facts.operations[oid].plane == "data"
        states = own if data_plane else services
        gate = self.model.operations[oid]

        def down_causes(sid: str) -> list[Cause]:
            if sid not in states:
                return [] if self.facts.services[sid].external else [Cause(sid, DOWN, "is not deployed")]
            if states[sid].state != DOWN:
                return []
            return ([Cause(sid, DOWN, own[sid].cause or "is down")] if data_plane
                    else self._down_causes(sid, services, own, backend))

        if gates[gate]:
            causes: list[Cause] = [c for sid in needs.requires for c in down_causes(sid)]
            for group in needs.requires_any:
                if all(sid not in states or states[sid].state == DOWN for sid in group):
                    causes += [c for sid in group for c in down_causes(sid)]
            causes = _shortest(causes)
            repair = self._repair(gate, scenario)
            return OperationState(DOWN, _sentence(causes), None, tuple(causes), repair)
        degraded: list[Cause] = []
        for sid in needs.requires:
            degraded += self._own_impairment(sid, own) if data_plane else impaired.get(sid, [])
        for group in needs.requires_any:
            serving = [sid for sid in group if sid in states and states[sid].state != DOWN]
            for sid in group:
                for cause in down_causes(sid):  # some alternatives down: only the others' share works
                    degraded.append(dataclasses.replace(
                        cause, state=DEGRADED, cause=f"{cause.cause}, so only what {join_and(serving)} "
                                                     f"{'serves' if len(serving) == 1 else 'serve'} works"))
        for sid in needs.uses:
            if data_plane:  # traffic feels only the members of what it uses, never their control plane
                if sid in own and own[sid].state == DOWN:
                    degraded.append(Cause(sid, DEGRADED, own[sid].cause or "is down", links=("uses",)))
                degraded += [c.used() for c in self._own_impairment(sid, own)]
                continue
            if sid in services and services[sid].state == DOWN:
                degraded += [c.used() for c in self._down_causes(sid, services, own, backend)]
            degraded += [c.used() for c in impaired.get(sid, [])]
        degraded = _shortest(degraded)
        cut = cuts.of(gate)
        # No set of host failures stops it: it survives losing every host still up.
        margin = len({host for host in self.model.hosts if host not in scenario.hosts}) if cut is None else cut - 1
        if degraded:
            return OperationState(DEGRADED, _sentence(degraded), margin, tuple(degraded))
        return OperationState(OK, None, margin)

    def _repair(self, gate: str, scenario: Scenario) -> tuple[str, ...] | None:
        """The fewest failed parts (hosts, the platform's parts, VMs, services) whose return brings the
        gate up, tried by increasing size over the parts failed, all sets of a size evaluated at once;
        None when even the return of every part would not (the operation needs what the design does not
        deploy)."""
        parts = [*sorted(scenario.hosts), *sorted(scenario.parts), *sorted(scenario.vms), *sorted(scenario.services)]
        for size in range(1, min(len(parts), 8) + 1):
            trials, values = self._returns(scenario, parts, size)
            working = np.flatnonzero(~values[gate])
            if working.size:
                return trials[int(working[0])]
        return None

    def _returns(self, scenario: Scenario, parts: list[str], size: int) -> tuple[list[tuple[str, ...]], dict]:
        """Every way `size` of the failed `parts` can come back, and the gates in each (memoised for the
        scenario at hand: each of its stopped operations asks the same)."""
        key = (scenario, size)
        if key not in self._returned:
            if any(known != scenario for known, _ in self._returned):
                self._returned.clear()
            trials = list(combinations(parts, size))
            placements, failed = [], []
            for back in trials:
                kept = Scenario(hosts=scenario.hosts - set(back), vms=scenario.vms - set(back),
                                services=scenario.services - set(back), maintenance=scenario.maintenance,
                                parts=scenario.parts - set(back))
                placements.append(self._placement(kept, "immediate").where)
                failed.append(kept.services)
            self._returned[key] = (trials, self.model.evaluate_placements(placements, failed))
        return self._returned[key]

    def _recovery(self, oid: str, immediate: PhaseImpact, after: PhaseImpact) -> int | None:
        if immediate.operations[oid].state != DOWN:
            delays = [immediate.services[s].delay_seconds for s in self.closure[oid] if s in immediate.services]
            return max(delays, default=0)
        if after.operations[oid].state == DOWN or self.arch.platform.ha == "none":
            return None
        restarted = [s for s in self.closure[oid] if s in after.services and after.services[s].restarted]
        rejoin = [self._rejoin_seconds(s, immediate) for s in restarted]
        ready = after.ready_seconds
        back = [ready[vm.name] for s in restarted for vm in self.instances[s] if vm.name in ready]
        return max(back, default=self.restart_seconds) + max(rejoin, default=0)

    def _rejoin_seconds(self, sid: str, immediate: PhaseImpact) -> int:
        """How long a restarted service takes to serve again: a quorum service that lost every member
        restarts as a whole (RabbitMQ's nodes wait for the last one to stop), which takes longer."""
        facts = self.facts.services[sid]
        whole = facts.total_loss is not None and all(immediate.where[vm.name] is None for vm in self.instances[sid])
        return facts.total_loss.seconds if whole and facts.total_loss else facts.recovery_seconds

    def _closure(self, required: Iterable[str]) -> set[str]:
        found: set[str] = set()
        stack = list(required)
        while stack:
            sid = stack.pop()
            if sid not in found and sid in self.facts.services:
                found.add(sid)
                stack += self.facts.services[sid].requires
        return found


def _distinct(causes: list[Cause]) -> list[Cause]:
    return list({(c.service, c.via, c.links): c for c in causes}.values())


def _shortest(causes: list[Cause]) -> list[Cause]:
    """One cause per root service, reached by its shortest chain, `requires` before `uses`."""
    best: dict[str, Cause] = {}
    for cause in causes:
        known = best.get(cause.service)
        if known is None or (cause.uses, len(cause.via)) < (known.uses, len(known.via)):
            best[cause.service] = cause
    return list(best.values())


def _sentence(causes: list[Cause]) -> str | None:
    """Every cause, in one sentence, causes that say the same grouped: "needs keystone, which needs galera,
    which lost quorum (...), and needs rabbitmq and ovn-nb-db, which each lost quorum (...)"."""
    groups: dict[tuple[str, str], list[Cause]] = {}
    for cause in causes:
        groups.setdefault((cause.cause, cause.steps[0]), []).append(cause)
    parts = []
    for (text, verb), group in groups.items():
        if len(group) == 1:
            parts.append(group[0].sentence())
        else:
            names = [c.service if not c.via else f"{c.service} (through {', '.join(c.via)})" for c in group]
            parts.append(f"{verb} {join_and(names)}, which each {text}")
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + ", and " + parts[-1]


def join_and(names: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
