"""Scenarios: what fails at once, and the sets of them refarch computes for every architecture."""

from __future__ import annotations

import dataclasses
from itertools import combinations

from generator.model.architecture import Architecture
from generator.model.suggest import suggestion


@dataclasses.dataclass(frozen=True)
class Scenario:
    hosts: frozenset[str] = frozenset()
    vms: frozenset[str] = frozenset()
    services: frozenset[str] = frozenset()
    maintenance: frozenset[str] = frozenset()  # hosts emptied by live migration before the failure
    domains: frozenset[str] = frozenset()  # failure domains whose hosts are in `hosts` (and which lose power)
    # The platform's own parts that fail: witness, fencing levels, storage, switches, management servers.
    parts: frozenset[str] = frozenset()
    in_domains: frozenset[str] = frozenset()  # hosts and parts in `hosts`/`parts` because a domain failed

    @property
    def failed(self) -> list[str]:
        """What fails, by the names the scenario was given."""
        named = sorted((self.hosts | self.parts) - self.in_domains) if self.domains else sorted(self.hosts)
        parts = [] if self.domains else sorted(self.parts)
        return sorted(self.domains) + named + parts + sorted(self.vms) + sorted(self.services)


def single_hosts(arch: Architecture) -> list[Scenario]:
    return [Scenario(hosts=frozenset([host.name])) for host in arch.hosts]


def single_vms(arch: Architecture) -> list[Scenario]:
    return [Scenario(vms=frozenset([vm.name])) for vm in arch.vms]


def failure_domains(arch: Architecture) -> list[Scenario]:
    return [in_domains(arch, frozenset([domain])) for domain in arch.failure_domains]


def platform_parts(arch: Architecture) -> list[Scenario]:
    """Each of the platform's own parts failing alone: witness, fencing levels, storage, switches,
    management servers (local disks fail with their host, so they are not among them)."""
    return [Scenario(parts=frozenset([name])) for name in part_names(arch)]


def part_names(arch: Architecture) -> list[str]:
    """The names of the platform's parts a scenario can fail."""
    return [part.name for part in arch.platform_parts()]


def in_domains(arch: Architecture, domains: frozenset[str], hosts: frozenset[str] = frozenset(),
               parts: frozenset[str] = frozenset(), **rest) -> Scenario:
    """A scenario failing whole failure domains: their hosts, and the parts placed in them (a witness,
    storage, switches, management servers with that `failure_domain`)."""
    located = [arch.platform.witness] if arch.platform.witness else []
    located += [*arch.storage, *arch.switches, *arch.management]
    members = {host for domain in domains for host in domain_hosts(arch, domain)}
    placed = {part.name for part in located if part.failure_domain in domains}
    implied = frozenset((members - hosts) | (placed - parts))
    return Scenario(hosts=frozenset(hosts | members), parts=frozenset(parts | placed), domains=domains,
                    in_domains=implied, **rest)


def whole_services(arch: Architecture, known: set[str]) -> list[Scenario]:
    deployed = dict.fromkeys(s for vm in arch.vms for s in vm.service_ids if s in known)
    return [Scenario(services=frozenset([sid])) for sid in deployed]


def cells(arch: Architecture, known: set[str]) -> list[Scenario]:
    """Each Nova cell failing as a whole: every service of its own (database, queue, conductors)."""
    return [Scenario(services=frozenset(cell_services(arch, cell, known))) for cell in arch.openstack.cells]


def cell_services(arch: Architecture, cell: str, known: set[str]) -> list[str]:
    return list(dict.fromkeys(s for vm in arch.vms if vm.cell == cell for s in vm.service_ids if s in known))


def host_pairs(arch: Architecture) -> list[Scenario]:
    names = [host.name for host in arch.hosts]
    return [Scenario(hosts=frozenset(pair)) for pair in combinations(names, 2)]


def maintenance_then_failure(arch: Architecture) -> list[Scenario]:
    """One host in planned maintenance (its VMs live-migrated), then any other host failing."""
    names = [host.name for host in arch.hosts]
    return [Scenario(hosts=frozenset([failed]), maintenance=frozenset([kept]))
            for kept in names for failed in names if failed != kept]


def domain_hosts(arch: Architecture, domain: str) -> frozenset[str]:
    return frozenset(host.name for host in arch.hosts if host.failure_domain == domain)


class UnknownName(ValueError):
    """A --fail name that is no host, VM, failure domain, platform part or deployed service."""


def from_names(arch: Architecture, known_services: set[str], names: list[str]) -> Scenario:
    """A scenario failing each name: a host, a VM, a failure domain (its hosts and the parts in it), a
    part of the platform (witness, fencing level, storage, switch, management server), a deployed
    service (`galera`, or a cell's own: `galera@cell1`) or a Nova cell (every service of its own)."""
    hosts = {host.name for host in arch.hosts}
    vms = {vm.name for vm in arch.vms}
    domains = set(arch.failure_domains)
    parts = set(part_names(arch))
    services = {s for vm in arch.vms for s in vm.service_ids if s in known_services}
    cell_names = set(arch.openstack.cells)
    failed: dict[str, set[str]] = {"hosts": set(), "vms": set(), "services": set(), "domains": set(), "parts": set()}
    for name in names:
        if name in cell_names and name not in hosts | vms | domains | parts:
            failed["services"] |= set(cell_services(arch, name, known_services))
            continue
        kind = ("hosts" if name in hosts else "vms" if name in vms else "domains" if name in domains
                else "parts" if name in parts else "services" if name in services else None)
        if kind is None:
            hint = suggestion(name, hosts | vms | domains | parts | services | cell_names)
            detail = (" (it is a catalog service this architecture does not deploy)" if name in known_services
                      else " (a VM's local disk fails with its host)" if any(
                          s.name == name for s in arch.storage) else "")
            raise UnknownName(f"`{name}` is no host, VM, failure domain, platform part, deployed service or Nova "
                              f"cell of {arch.id}{detail}" + (f"; {hint}" if hint else ""))
        failed[kind].add(name)
    return in_domains(arch, frozenset(failed["domains"]), hosts=frozenset(failed["hosts"]),
                      parts=frozenset(failed["parts"]), vms=frozenset(failed["vms"]),
                      services=frozenset(failed["services"]))


def all_sets(arch: Architecture, known_services: set[str]) -> dict[str, list[Scenario]]:
    """Every scenario set refarch reports, by name."""
    return {
        "single hosts": single_hosts(arch),
        "single VMs": single_vms(arch),
        "failure domains": failure_domains(arch),
        "platform parts": platform_parts(arch),
        "whole services": whole_services(arch, known_services),
        "cells": cells(arch, known_services),
        "pairs of hosts": host_pairs(arch),
        "maintenance then a failure": maintenance_then_failure(arch),
    }
