"""Where the platform puts VMs it must move: restarts after a host failure, live migrations for maintenance.

A deterministic model of vSphere HA, a failover cluster or Pacemaker: the VMs to move, largest first,
each go to the available host with the most free memory that has room for it (when capacities are
declared) and that the anti-affinity setting allows:

- `mandatory`: never next to a VM that shares a service with it (the VM stays where it is not: down);
- `preferred`: next to such a VM only when no other host has room;
- `None`: anti-affinity is not considered (pure capacity, as admission control sizes it).

The procedure reads `Demands` only (what each VM needs, what each host has), which the compiled failure
model carries, so the what-if explorer's script can run the same steps on the data the page embeds.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from typing import Literal

from generator.catalog import deployment
from generator.model.architecture import VM, Architecture

AntiAffinity = Literal["mandatory", "preferred"] | None
PRIORITIES = ("high", "medium", "low")  # restart order: each after the one before is up

# Why a VM found no host; the phrase table words them.
NO_ROOM = "no-room"
ONLY_SIBLINGS = "siblings"


@dataclasses.dataclass(frozen=True)
class Demands:
    """What each VM needs and each host offers (None: not declared, so no limit), host names sorted."""

    hosts: tuple[str, ...]
    host_cpus: Mapping[str, float | None]
    host_memory: Mapping[str, float | None]
    vm_cpus: Mapping[str, float]
    vm_memory: Mapping[str, float]
    vm_services: Mapping[str, tuple[str, ...]]  # what anti-affinity keeps apart: VMs sharing a service


@dataclasses.dataclass(frozen=True)
class Moves:
    """Where each VM runs after the moves (None: not running), and why each unplaced VM could not move
    (`NO_ROOM` or `ONLY_SIBLINGS`)."""

    where: dict[str, str | None]
    stranded: dict[str, str]


def demands(arch: Architecture) -> Demands:
    return Demands(
        hosts=tuple(sorted(host.name for host in arch.hosts)),
        host_cpus={host.name: host.cpus for host in arch.hosts},
        host_memory={host.name: host.memory_gib for host in arch.hosts},
        vm_cpus={vm.name: vm.vcpus or 0 for vm in arch.vms},
        vm_memory={vm.name: vm.memory_gib or 0 for vm in arch.vms},
        vm_services={vm.name: tuple(vm.service_ids) for vm in arch.vms})


def baseline(arch: Architecture) -> dict[str, str | None]:
    """Every VM on its intended host."""
    return {vm.name: vm.host for vm in arch.vms}


def move(need: Demands, where: Mapping[str, str | None], moving: Collection[str], unavailable: Collection[str],
         anti_affinity: AntiAffinity, capacity: bool = True) -> Moves:
    """Place the VMs named in `moving` on hosts other than `unavailable`, around the VMs already running;
    without `capacity`, CPU and memory do not limit where they go (the platform does not check them)."""
    hosts = [host for host in need.hosts if host not in unavailable]
    free = {host: [_or_inf(need.host_cpus[host] if capacity else None),
                   _or_inf(need.host_memory[host] if capacity else None)] for host in need.hosts}
    serving: dict[str, set[str]] = {host: set() for host in hosts}  # the services of the VMs on each host
    placed = dict(where)
    for name, host in where.items():
        if host is not None and name not in moving:
            free[host][0] -= need.vm_cpus[name]
            free[host][1] -= need.vm_memory[name]
            if host in serving:
                serving[host].update(need.vm_services[name])

    stranded: dict[str, str] = {}
    for name in sorted(moving, key=lambda v: (-need.vm_memory[v], -need.vm_cpus[v], v)):
        cpus, memory = need.vm_cpus[name], need.vm_memory[name]
        fits = [h for h in hosts if free[h][0] >= cpus and free[h][1] >= memory]
        own = set(need.vm_services[name])
        apart = [h for h in fits if not own & serving[h]]
        choices = fits if anti_affinity is None else apart if anti_affinity == "mandatory" or apart else fits
        if not choices:
            placed[name] = None
            stranded[name] = NO_ROOM if not fits else ONLY_SIBLINGS
            continue
        target = min(choices, key=lambda h: (-free[h][1], -free[h][0], h))
        placed[name] = target
        serving[target].update(own)
        free[target][0] -= cpus
        free[target][1] -= memory
    return Moves(placed, stranded)


def starts_first(vm: VM) -> bool:
    """Whether a VM runs a database, queue or load balancer, which start and restart before the APIs."""
    return bool(set(vm.services) & set(deployment().first))


def restart_priority(vm: VM) -> str:
    """A VM's restart priority: its own, or high for databases, queues and load balancers."""
    return vm.restart_priority or ("high" if starts_first(vm) else "medium")


def _or_inf(value: float | None) -> float:
    return float("inf") if value is None else float(value)
