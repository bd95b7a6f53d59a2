"""A second derivation of what stops and what degrades, independent of the compiled gates: each service's
state from its members by its HA model (the catalog's facts read directly), then what it requires and
uses, then each operation by what it needs. The engine evaluates gates; this walks services. The
property tests hold the two equal, so the compiled model is checked against something it did not
produce. Where VMs run comes from the engine's placement (the restart procedure, which the explorer's
tests check on their own), and what stays down after a total loss is derived here again.
"""

from __future__ import annotations

import dataclasses

from generator.analysis.engine import Engine
from generator.analysis.scenarios import Scenario
from generator.catalog import majority

OK, DEGRADED, DOWN = "ok", "degraded", "down"
RANK = {OK: 0, DEGRADED: 1, DOWN: 2}


@dataclasses.dataclass(frozen=True)
class Own:
    state: str
    impaired: bool = False  # it works less well (a failover, lost shards, lost agents), not just thinner


def latched(eng: Engine, scenario: Scenario) -> set[str]:
    """Services that stay down after the restarts: every member lost at once right after the failure, and
    (Galera's pc.recovery) not every one of them back, from the catalog's `total_loss`."""
    before = eng.where(scenario, "immediate")
    after = eng.where(scenario, "after-restart")
    found = set()
    for sid in eng.model.services:
        loss = eng.facts.services[sid].total_loss
        members = [vm.name for vm in eng.arch.vms if sid in vm.service_ids]
        if loss is None or loss.recovery != "manual" or sid in scenario.services:
            continue
        if all(before[m] is None for m in members) and (
                not loss.automatic_when_all_return or any(after[m] is None for m in members)):
            found.add(sid)
    return found


def own_state(eng: Engine, sid: str, failed: frozenset[str], where: dict[str, str | None], settled: bool) -> Own:
    """The state a service's own members give it, by its HA model (what it requires aside)."""
    facts = eng.facts.services[sid]
    if sid in failed:
        return Own(DOWN)
    members = [vm.name for vm in eng.arch.vms if sid in vm.service_ids]
    running = [vm for vm in members if where[vm] is not None]
    lost = [vm for vm in members if where[vm] is None]
    if facts.ha_model == "quorum":
        arbiters = [vm.name for vm in eng.arch.vms if facts.arbitrator and facts.arbitrator in vm.service_ids]
        lost_arbiters = [vm for vm in arbiters if where[vm] is None or facts.arbitrator in failed]
        votes = len(members) + len(arbiters)
        up = len(running) + len(arbiters) - len(lost_arbiters)
        if up < majority(votes) or not running:
            return Own(DOWN)
        if up < votes:
            return Own(DEGRADED, facts.writer and members[0] in lost and not settled)
        return Own(OK)
    if not running:
        return Own(DOWN)
    if not lost:
        return Own(OK)
    if facts.ha_model == "scheduled":
        copies = min(facts.per_resource, len(members))
        if len(lost) >= copies and not (settled and facts.reschedule_seconds is not None):
            return Own(DEGRADED, True)
        return Own(DEGRADED, bool(facts.failover_seconds) and not settled)
    if facts.ha_model in ("active-passive", "vip") and members[0] in lost:
        return Own(DEGRADED, not settled)
    return Own(DEGRADED, facts.ha_model == "shards" and not settled)


def _layers(eng: Engine, scenario: Scenario, phase: str):
    """Each service's own state, whether it is down for a caller through its API and over RPC, and
    whether it works less well."""
    settled = phase == "after-restart" and eng.arch.platform.ha != "none"
    where = eng.where(scenario, phase)
    failed = scenario.services | (latched(eng, scenario) if settled else set())
    deployed = set(eng.model.services)
    own = {sid: own_state(eng, sid, failed, where, settled) for sid in eng.model.services}
    down: dict[str, bool] = {}  # a service as a caller through its API sees it
    backend: dict[str, bool] = {}  # as a caller over RPC sees it: without its API's front
    impaired: dict[str, bool] = {}

    def dep_down(sid: str, dep: str) -> bool:
        if dep not in deployed:
            return not eng.facts.services[dep].external
        return backend[dep] if dep in eng.facts.services[sid].rpc and dep in backend else down[dep]

    for sid in eng.model.services:  # each after what it depends on
        facts = eng.facts.services[sid]
        down[sid] = own[sid].state == DOWN or any(dep_down(sid, dep) for dep in facts.requires)
        if facts.front:
            backend[sid] = own[sid].state == DOWN or any(dep_down(sid, dep) for dep in facts.requires
                                                         if dep not in facts.front)
        impaired[sid] = own[sid].impaired or any(impaired.get(dep, False) for dep in facts.requires) or any(
            down.get(dep, False) or impaired.get(dep, False) for dep in facts.uses)
    return own, down, impaired


def states(eng: Engine, scenario: Scenario, phase: str) -> dict[str, str]:
    """Operation id -> ok, degraded or down, from the services alone."""
    own, down, impaired = _layers(eng, scenario, phase)
    deployed = set(eng.model.services)
    result = {}
    for oid, operation in eng.facts.operations.items():
        needs = operation.needs(eng.arch.openstack.networking)
        data = operation.plane == "data"

        def is_down(sid: str, data: bool = data) -> bool:
            if sid not in deployed:
                return not eng.facts.services[sid].external
            return own[sid].state == DOWN if data else down[sid]

        def is_impaired(sid: str, data: bool = data) -> bool:
            return sid in deployed and (own[sid].impaired if data else impaired[sid])

        if any(map(is_down, needs.requires)) or any(all(map(is_down, group)) for group in needs.requires_any):
            result[oid] = DOWN
            continue
        worse = any(map(is_impaired, needs.requires))
        worse |= any(is_down(sid) for group in needs.requires_any for sid in group
                     if sid in deployed or not eng.facts.services[sid].external)
        worse |= any(is_down(sid) or is_impaired(sid) for sid in needs.uses if sid in deployed)
        result[oid] = DEGRADED if worse else OK
    return result


def service_down(eng: Engine, scenario: Scenario, phase: str) -> dict[str, bool]:
    """Service id -> down (as a caller through its API sees it), from the services alone."""
    return _layers(eng, scenario, phase)[1]
