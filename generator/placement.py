"""Where the platform restarts the VMs of failed hosts.

A deterministic model of vSphere HA, a failover cluster or Pacemaker restarting VMs: the displaced
VMs, largest first, each go to the surviving host with the most free memory that has room for it
(when capacities are declared) and that the anti-affinity setting allows:

- `mandatory`: never next to a VM that shares a service with it (the VM stays down instead);
- `preferred`: next to such a VM only when no other host has room;
- `None`: anti-affinity is not considered (pure capacity, as admission control sizes it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Literal

from generator.model import VM, Architecture

AntiAffinity = Literal["mandatory", "preferred"] | None


@dataclasses.dataclass
class _Room:
    cpus: float
    memory: float


def restart(arch: Architecture, failed_hosts: Iterable[str], anti_affinity: AntiAffinity,
            down_vms: Iterable[str] = ()) -> dict[str, str | None]:
    """For each VM of a failed host (and each VM in `down_vms`, none of which restart): its new host or None."""
    failed = set(failed_hosts)
    stay_down = set(down_vms)
    survivors = sorted(host.name for host in arch.hosts if host.name not in failed)
    room = {host.name: _Room(_or_inf(host.cpus), _or_inf(host.memory_gib)) for host in arch.hosts}
    on_host: dict[str, list[VM]] = {name: [] for name in survivors}
    displaced = []
    for vm in arch.vms:
        if vm.host in failed:
            displaced.append(vm)
        elif vm.name not in stay_down:
            on_host[vm.host].append(vm)
            room[vm.host].cpus -= vm.vcpus or 0
            room[vm.host].memory -= vm.memory_gib or 0

    placed: dict[str, str | None] = {}
    for vm in sorted(displaced, key=lambda v: (-(v.memory_gib or 0), -(v.vcpus or 0), v.name)):
        if vm.name in stay_down:
            placed[vm.name] = None
            continue
        fits = [h for h in survivors if room[h].cpus >= (vm.vcpus or 0) and room[h].memory >= (vm.memory_gib or 0)]
        apart = [h for h in fits if not any(set(vm.services) & set(other.services) for other in on_host[h])]
        choices = fits if anti_affinity is None else apart if anti_affinity == "mandatory" or apart else fits
        if not choices:
            placed[vm.name] = None
            continue
        target = min(choices, key=lambda h: (-room[h].memory, -room[h].cpus, h))
        placed[vm.name] = target
        on_host[target].append(vm)
        room[target].cpus -= vm.vcpus or 0
        room[target].memory -= vm.memory_gib or 0
    return placed


def _or_inf(value: int | None) -> float:
    return float("inf") if value is None else float(value)
