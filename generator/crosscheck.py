"""Checks across the values of one architecture file, run once it fits the schema.

Names are unique, references resolve (a VM's host, a host's failure domain, a service id), the file
is named after its `id`, and the platform settings belong to the chosen hypervisor.
"""

from __future__ import annotations

from generator import catalog, checks
from generator.loader import SourceMap
from generator.model import Architecture
from generator.problem import Problem
from generator.suggest import suggestion


def cross_check(arch: Architecture, source: SourceMap, path: str, stem: str, facts: catalog.Catalog) -> list[Problem]:
    problems: list[Problem] = []
    known_services = facts.services

    def report(check: checks.Check, at: tuple, message: str, hint: str | None = None) -> None:
        problems.append(check.at(path, source.value_at(at), message, hint))

    if arch.id != stem:
        report(checks.ID_MISMATCH, ("id",), f"id `{arch.id}` differs from the file name `{stem}`",
               f"rename the file to {arch.id}.yaml, or set `id: {stem}`")

    first_seen: dict[str, tuple] = {}
    for kind, items in (("hosts", arch.hosts), ("vms", arch.vms)):
        for index, item in enumerate(items):
            at = (kind, index, "name")
            if item.name in first_seen:
                report(checks.DUPLICATE_NAME, at, f"{kind}[{index}]: the name `{item.name}` is already used "
                       f"(line {source.value_at(first_seen[item.name]).line}); names are unique among hosts and VMs")
            else:
                first_seen[item.name] = at
    _duplicates(report, "failure_domains", list(arch.failure_domains), "failure domain")
    _duplicates(report, "decisions", [decision.id for decision in arch.decisions], "decision id", field="id")

    domains = set(arch.failure_domains)
    for index, host in enumerate(arch.hosts):
        if host.failure_domain is not None and host.failure_domain not in domains:
            report(checks.UNDECLARED_FAILURE_DOMAIN, ("hosts", index, "failure_domain"),
                   f"hosts[{index}]: the failure domain `{host.failure_domain}` is not declared",
                   suggestion(host.failure_domain, domains) or f"add it to failure_domains: [{host.failure_domain}]")

    host_names = {host.name for host in arch.hosts}
    vm_names = {vm.name for vm in arch.vms}
    for index, vm in enumerate(arch.vms):
        if vm.host not in host_names:
            hint = (f"`{vm.host}` is a VM; a VM runs on a host" if vm.host in vm_names
                    else suggestion(vm.host, host_names) or f"hosts are: {', '.join(sorted(host_names))}")
            report(checks.UNKNOWN_HOST, ("vms", index, "host"), f"vms[{index}]: `{vm.name}` is placed on `{vm.host}`, "
                   "which is not a declared host", hint)
        seen: set[str] = set()
        for position, service in enumerate(vm.services):
            at = ("vms", index, "services", position)
            if service not in known_services:
                report(checks.UNKNOWN_SERVICE, at, f"vms[{index}]: `{service}` is not a service id the catalog knows",
                       suggestion(service, known_services) or "see the catalog page for the known service ids")
            elif service in seen:
                report(checks.DUPLICATE_NAME, at,
                       f"vms[{index}]: the service `{service}` is listed twice on `{vm.name}`")
            seen.add(service)

    platform = arch.platform
    hypervisor = platform.hypervisor
    mechanisms = (facts.platforms[hypervisor].ha, "none")
    if platform.ha not in mechanisms:
        report(checks.PLATFORM_MISMATCH, ("platform", "ha"), f"platform.ha: {hypervisor} has no `{platform.ha}`",
               f"for {hypervisor} use one of: {', '.join(mechanisms)}")
    if platform.witness is not None:
        allowed = facts.platforms[hypervisor].witnesses
        if platform.witness not in allowed:
            report(checks.PLATFORM_MISMATCH, ("platform", "witness"),
                   f"platform.witness: {hypervisor} has no `{platform.witness}` witness",
                   f"for {hypervisor} use one of: {', '.join(allowed)}" if allowed
                   else f"remove it: {hypervisor} does not take a witness setting")
        elif platform.ha == "none":
            report(checks.PLATFORM_MISMATCH, ("platform", "witness"),
                   "platform.witness: a witness needs a cluster, but platform.ha is `none`")
    if platform.fencing is not None and (hypervisor, platform.ha) != ("kvm", "pacemaker"):
        report(checks.PLATFORM_MISMATCH, ("platform", "fencing"),
               "platform.fencing: fencing is a Pacemaker setting (hypervisor kvm with ha pacemaker)",
               "remove it, or use kvm with ha: pacemaker")
    return problems


def _duplicates(report, key: str, values: list[str], what: str, field: str | None = None) -> None:
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            at = (key, index, field) if field else (key, index)
            report(checks.DUPLICATE_NAME, at, f"{key}[{index}]: the {what} `{value}` is declared twice")
        seen.add(value)
