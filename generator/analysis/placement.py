"""Where the platform puts VMs it must move: restarts after a host failure, live migrations for maintenance.

A deterministic model of vSphere HA, a failover cluster or Pacemaker: the VMs to move, largest first,
each go to the available host with the most free memory that has room for it (when capacities are
declared) and that the anti-affinity setting allows:

- `mandatory`: never next to a VM that shares a service with it (the VM stays where it is not: down);
- `preferred`: next to such a VM only when no other host has room;
- `None`: anti-affinity is not considered (pure capacity, as admission control sizes it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from typing import Literal

from generator.model.architecture import Architecture

AntiAffinity = Literal["mandatory", "preferred"] | None

NO_ROOM = "no available host has the free CPU and memory for it"
ONLY_SIBLINGS = "every available host with room already runs a VM of the same service (mandatory anti-affinity)"


@dataclasses.dataclass(frozen=True)
class Moves:
    """Where each VM runs after the moves (None: not running), and why each unplaced VM could not move."""

    where: dict[str, str | None]
    stranded: dict[str, str]


def baseline(arch: Architecture) -> dict[str, str | None]:
    """Every VM on its intended host."""
    return {vm.name: vm.host for vm in arch.vms}


def move(arch: Architecture, where: Mapping[str, str | None], moving: Collection[str], unavailable: Collection[str],
         anti_affinity: AntiAffinity, capacity: bool = True) -> Moves:
    """Place the VMs named in `moving` on hosts other than `unavailable`, around the VMs already running;
    without `capacity`, CPU and memory do not limit where they go (the platform does not check them)."""
    vms = {vm.name: vm for vm in arch.vms}
    hosts = sorted(host.name for host in arch.hosts if host.name not in unavailable)
    free = {host.name: [_or_inf(host.cpus if capacity else None), _or_inf(host.memory_gib if capacity else None)]
            for host in arch.hosts}
    serving: dict[str, set[str]] = {name: set() for name in hosts}  # the services of the VMs on each host
    placed = dict(where)
    for name, host in where.items():
        if host is not None and name not in moving:
            free[host][0] -= vms[name].vcpus or 0
            free[host][1] -= vms[name].memory_gib or 0
            if host in serving:
                serving[host].update(vms[name].service_ids)

    stranded: dict[str, str] = {}
    for vm in sorted((vms[name] for name in moving), key=lambda v: (-(v.memory_gib or 0), -(v.vcpus or 0), v.name)):
        fits = [h for h in hosts if free[h][0] >= (vm.vcpus or 0) and free[h][1] >= (vm.memory_gib or 0)]
        own = set(vm.service_ids)
        apart = [h for h in fits if not own & serving[h]]
        choices = fits if anti_affinity is None else apart if anti_affinity == "mandatory" or apart else fits
        if not choices:
            placed[vm.name] = None
            stranded[vm.name] = NO_ROOM if not fits else ONLY_SIBLINGS
            continue
        target = min(choices, key=lambda h: (-free[h][1], -free[h][0], h))
        placed[vm.name] = target
        serving[target].update(own)
        free[target][0] -= vm.vcpus or 0
        free[target][1] -= vm.memory_gib or 0
    return Moves(placed, stranded)


def _or_inf(value: int | None) -> float:
    return float("inf") if value is None else float(value)
