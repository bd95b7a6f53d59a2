"""Where each VM runs in a phase, and why the others do not: the failed hosts and parts, then (after the
restarts) what the platform does about them.

Right after the failure a VM is down when its host failed, it failed itself, or a platform gate stops
it where it runs (its host cut off, its storage lost, the cluster without quorum: `FailureModel.stopping`).
After the restarts (minutes later), the platform, unless the cluster lost quorum (`Restarts.blocked_by`),
restarts failed VMs in place and moves the VMs of lost hosts (and of cut-off hosts, where it does) to
hosts with room (`placement.move`), except a VM whose disk is local to its host, whose storage is lost,
or (Pacemaker) whose host no fencing level could fence. The procedure reads the compiled model alone
(its gates and `Restarts`), so the what-if explorer's script runs the same steps in the browser.

Every VM that does not serve carries a `Down`: the events and gates that stopped it, and those that kept
it from moving, by name; the explanation turns them into nodes and the phrase table into words.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping

from generator.analysis import placement
from generator.analysis.gates import FailureModel, Phase, Restarts

LOCAL_DISK = "local-disk"  # a blocker: its disk is its host's own


@dataclasses.dataclass(frozen=True)
class Down:
    """Why a VM does not serve: `causes` stopped it where it was (`host:`, `vm:`, `isolated:`,
    `storage-down:`, `cluster-down`, `maintenance:<host>`), `blockers` kept the platform from moving it
    (`cluster-down`, `storage-down:`, `unfenced:`, `migration-blocked`, or `LOCAL_DISK`,
    `placement.NO_ROOM`, `placement.ONLY_SIBLINGS`)."""

    host: str  # where it was
    causes: tuple[str, ...]
    blockers: tuple[str, ...] = ()
    move: str = "restart"  # what the blockers kept from happening: a restart, or a live migration


@dataclasses.dataclass(frozen=True)
class Placement:
    """Where each VM serves in a phase (None: it does not), why the others do not, which ones the
    platform moved, and when each restarted VM is up again (seconds after the failure)."""

    where: dict[str, str | None]
    down: dict[str, Down]
    moved: frozenset[str]
    ready_seconds: dict[str, int]


def place(model: FailureModel, hosts: Collection[str], vms: Collection[str], events: Collection[str],
          phase: Phase, maintenance: Collection[str] = ()) -> Placement:
    """Where each VM serves in `phase` when `hosts` and `vms` fail and the platform's `events` hold
    (failed parts, fencing levels, management servers, failure domains' power, as model events), after
    `maintenance` hosts were emptied by live migration."""
    restarts = model.restarts
    assert restarts is not None
    failed_hosts = set(hosts) | model.offline  # an offline host has failed already
    closed = model.offline | restarts.standby  # hosts that take no VM
    state = model.platform_state({*(f"host:{h}" for h in hosts), *(f"vm:{v}" for v in vms), *events})
    where: dict[str, str | None] = dict(model.vm_host)
    down: dict[str, Down] = {}
    moved: set[str] = set()
    if maintenance:
        leaving = [vm for vm, host in where.items() if host in maintenance]
        if state.get("migration-blocked"):
            for vm in leaving:
                down[vm] = Down(model.vm_host[vm], (f"maintenance:{model.vm_host[vm]}",), ("migration-blocked",),
                                "migration")
                where[vm] = None
        else:
            migration = placement.move(restarts.demands, where, leaving, {*maintenance, *closed},
                                       restarts.anti_affinity, restarts.capacity)
            where = migration.where
            moved |= set(leaving) - set(migration.stranded)
            for vm, why in migration.stranded.items():
                down[vm] = Down(model.vm_host[vm], (f"maintenance:{model.vm_host[vm]}",), (why,), "migration")
    lost = [vm for vm, host in where.items() if host in failed_hosts]
    before = dict(where)
    for vm in lost:
        where[vm] = None
        down[vm] = Down(before[vm], (f"host:{before[vm]}",))
    for vm in sorted(vms):
        if where[vm] is not None:
            where[vm] = None
            down[vm] = Down(before[vm], (f"vm:{vm}",))
    cut_off = {host for host in model.isolating if state.get(f"isolated:{host}") and host not in failed_hosts}
    ready: dict[str, int] = {}
    if phase == "after-restart" and restarts.enabled:
        if restarts.blocked_by and state.get(restarts.blocked_by):
            for vm in dict.fromkeys([*lost, *vms]):
                if vm in down:
                    down[vm] = dataclasses.replace(down[vm], blockers=(*down[vm].blockers, restarts.blocked_by))
        else:
            for vm in vms:  # a failed VM on a live host is restarted where it was
                host = before[vm]
                if host is not None and host not in failed_hosts and host not in cut_off:
                    where[vm] = host
                    down.pop(vm, None)
                    ready[vm] = 0
            movers, delay = [], {}
            leaving_cut_off = [vm for vm, host in where.items()
                               if host in cut_off and vm in leaves(restarts, host, state)]
            for vm in [*lost, *leaving_cut_off]:
                origin = before[vm]
                assert origin is not None
                cause = down[vm].causes if vm in down else (f"isolated:{origin}",)
                kept = _kept_down(model, vm, origin, state)
                if kept:
                    where[vm] = None
                    down[vm] = Down(origin, cause, (kept,))
                    continue
                movers.append(vm)
                down[vm] = Down(origin, cause)
                delay[vm] = restarts.isolation_seconds if origin in cut_off else 0
            unavailable = failed_hosts | set(maintenance) | cut_off | closed
            restart = placement.move(restarts.demands, where, movers, unavailable, restarts.anti_affinity,
                                     restarts.capacity)
            where = restart.where
            moved |= set(movers) - set(restart.stranded)
            for vm in movers:
                if vm in restart.stranded:
                    down[vm] = dataclasses.replace(down[vm], blockers=(restart.stranded[vm],))
                else:
                    down.pop(vm, None)
            ready |= _ready_seconds(model, [vm for vm in movers if vm not in restart.stranded], delay)
    for vm, host in where.items():  # running, but the platform's parts keep it from serving
        if host is None:
            continue
        stops = model.stopping(vm, host, state)
        if stops:
            where[vm] = None
            down[vm] = Down(host, tuple(stops))
            ready.pop(vm, None)
    return Placement(where, down, frozenset(moved), ready)


def _kept_down(model: FailureModel, vm: str, origin: str, state: Mapping[str, bool]) -> str | None:
    """What keeps a VM whose host failed or is cut off from restarting elsewhere, if anything: its disk
    is that host's own, its storage is lost, or (Pacemaker) no fencing level fenced that host."""
    restarts = model.restarts
    assert restarts is not None
    if vm in restarts.local_disk:
        return LOCAL_DISK
    storage = model.vm_storage.get(vm)
    if storage is not None and state.get(f"storage-down:{storage}"):
        return f"storage-down:{storage}"
    if restarts.fenced and state.get(f"unfenced:{origin}"):
        return f"unfenced:{origin}"
    return None


def _ready_seconds(model: FailureModel, restarted: list[str], delay: dict[str, int]) -> dict[str, int]:
    """When each restarted VM is up: detection and restart, any isolation delay, and one boot per
    restart priority before its own (databases and queues first, then the APIs)."""
    restarts = model.restarts
    assert restarts is not None
    ranks = {vm: restarts.priority[vm] for vm in restarted}
    waves = sorted(set(ranks.values()))
    return {vm: restarts.restart_seconds + delay.get(vm, 0) + waves.index(ranks[vm]) * restarts.boot_seconds
            for vm in restarted}


def leaves(restarts: Restarts, host: str, state: Mapping[str, bool]) -> frozenset[str]:
    """The VMs that restart elsewhere when `host` is cut off: those of a host whose every switch failed
    (`alone:`; without uplinks every cut-off host is), or those of a host on the other side of a split."""
    return restarts.alone_restart if state.get(f"alone:{host}", True) else restarts.cut_off_restart
