"""The scenario sets refarch computes for every architecture."""

from __future__ import annotations

from itertools import combinations

from generator.impact import Scenario
from generator.model import Architecture
from generator.suggest import suggestion


def single_hosts(arch: Architecture) -> list[Scenario]:
    return [Scenario(hosts=frozenset([host.name])) for host in arch.hosts]


def single_vms(arch: Architecture) -> list[Scenario]:
    return [Scenario(vms=frozenset([vm.name])) for vm in arch.vms]


def failure_domains(arch: Architecture) -> list[Scenario]:
    return [Scenario(hosts=domain_hosts(arch, domain), domains=frozenset([domain])) for domain in arch.failure_domains]


def whole_services(arch: Architecture, known: set[str]) -> list[Scenario]:
    deployed = dict.fromkeys(s for vm in arch.vms for s in vm.services if s in known)
    return [Scenario(services=frozenset([sid])) for sid in deployed]


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
    """A --fail name that is no host, VM, failure domain or deployed service of the architecture."""


def from_names(arch: Architecture, known_services: set[str], names: list[str]) -> Scenario:
    """A scenario failing each name: a host, a VM, a failure domain (all its hosts) or a deployed service."""
    hosts = {host.name for host in arch.hosts}
    vms = {vm.name for vm in arch.vms}
    domains = set(arch.failure_domains)
    services = {s for vm in arch.vms for s in vm.services if s in known_services}
    failed: dict[str, set[str]] = {"hosts": set(), "vms": set(), "services": set(), "domains": set()}
    for name in names:
        kind = ("hosts" if name in hosts else "vms" if name in vms else "domains" if name in domains
                else "services" if name in services else None)
        if kind is None:
            hint = suggestion(name, hosts | vms | domains | services)
            detail = " (it is a catalog service this architecture does not deploy)" if name in known_services else ""
            raise UnknownName(f"`{name}` is no host, VM, failure domain or deployed service of {arch.id}{detail}"
                              + (f"; {hint}" if hint else ""))
        failed[kind].add(name)
    domain_members = {host for domain in failed["domains"] for host in domain_hosts(arch, domain)}
    return Scenario(hosts=frozenset(failed["hosts"] | domain_members), vms=frozenset(failed["vms"]),
                    services=frozenset(failed["services"]), domains=frozenset(failed["domains"]))


def all_sets(arch: Architecture, known_services: set[str]) -> dict[str, list[Scenario]]:
    """Every scenario set refarch reports, by name."""
    return {
        "single hosts": single_hosts(arch),
        "single VMs": single_vms(arch),
        "failure domains": failure_domains(arch),
        "whole services": whole_services(arch, known_services),
        "pairs of hosts": host_pairs(arch),
        "maintenance then a failure": maintenance_then_failure(arch),
    }
