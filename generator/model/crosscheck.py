"""Checks across the values of one architecture file, run once it fits the schema.

Names are unique, references resolve (a VM's host, a host's failure domain, a service id), the file
is named after its `id`, and the platform settings belong to the chosen hypervisor.
"""

from __future__ import annotations

from generator import catalog
from generator.model import checks
from generator.model.architecture import ALWAYS_POWERED, HOST_POWERED, Architecture
from generator.model.loader import SourceMap
from generator.model.problem import Problem
from generator.model.suggest import suggestion


def cross_check(arch: Architecture, source: SourceMap, path: str, stem: str, facts: catalog.Catalog) -> list[Problem]:
    problems: list[Problem] = []
    known_services = facts.services

    def report(check: checks.Check, at: tuple, message: str, hint: str | None = None) -> None:
        problems.append(check.at(path, source.value_at(at), message, hint))

    if arch.id != stem:
        report(checks.ID_MISMATCH, ("id",), f"id `{arch.id}` differs from the file name `{stem}`",
               f"rename the file to {arch.id}.yaml, or set `id: {stem}`")

    first_seen: dict[str, tuple] = {}
    for kind, at, name in _named_parts(arch):
        if name in first_seen:
            report(checks.DUPLICATE_NAME, at, f"{kind}: the name `{name}` is already used "
                   f"(line {source.value_at(first_seen[name]).line}); names are unique among hosts, VMs, the "
                   "witness, fencing levels, storage, switches, management servers and Nova cells")
        else:
            first_seen[name] = at
    _duplicates(report, "failure_domains", list(arch.failure_domains), "failure domain")
    _duplicates(report, "decisions", [decision.id for decision in arch.decisions], "decision id", field="id")

    domains = set(arch.failure_domains)
    for index, host in enumerate(arch.hosts):
        if host.failure_domain is not None and host.failure_domain not in domains:
            report(checks.UNDECLARED_FAILURE_DOMAIN, ("hosts", index, "failure_domain"),
                   f"hosts[{index}]: the failure domain `{host.failure_domain}` is not declared",
                   suggestion(host.failure_domain, domains) or f"add it to failure_domains: [{host.failure_domain}]")

    host_names = {host.name for host in arch.hosts}
    standby = {host.name for host in arch.hosts if host.state == "standby"}
    vm_names = {vm.name for vm in arch.vms}
    for index, vm in enumerate(arch.vms):
        if vm.host not in host_names:
            hint = (f"`{vm.host}` is a VM; a VM runs on a host" if vm.host in vm_names
                    else suggestion(vm.host, host_names) or f"hosts are: {', '.join(sorted(host_names))}")
            report(checks.UNKNOWN_HOST, ("vms", index, "host"), f"vms[{index}]: `{vm.name}` is placed on `{vm.host}`, "
                   "which is not a declared host", hint)
        elif vm.host in standby:
            report(checks.VM_ON_STANDBY_HOST, ("vms", index, "host"), f"vms[{index}]: `{vm.name}` is placed on "
                   f"`{vm.host}`, which is in standby and runs no VM", "place it on the host it runs on, or set the "
                   "host's `state` to online")
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
        if platform.witness.kind not in allowed:
            report(checks.PLATFORM_MISMATCH, ("platform", "witness"),
                   f"platform.witness: {hypervisor} has no `{platform.witness.kind}` witness",
                   f"for {hypervisor} use one of: {', '.join(allowed)}" if allowed
                   else f"remove it: {hypervisor} does not take a witness setting")
        elif platform.ha == "none":
            report(checks.PLATFORM_MISMATCH, ("platform", "witness"),
                   "platform.witness: a witness needs a cluster, but platform.ha is `none`")
    for key, owner in (("fencing", "pacemaker"), ("no_quorum_policy", "pacemaker"), ("two_node", "pacemaker"),
                       ("wait_for_all", "pacemaker"), ("isolation_response", "vsphere-ha")):
        if getattr(platform, key) is not None and platform.ha != owner:
            report(checks.PLATFORM_MISMATCH, ("platform", key),
                   f"platform.{key}: this is a setting of {owner}, but platform.ha is `{platform.ha}`",
                   f"remove it, or use ha: {owner}")
    if platform.two_node and (len(arch.hosts) != 2 or (platform.witness and platform.witness.kind == "qdevice")):
        report(checks.PLATFORM_MISMATCH, ("platform", "two_node"),
               f"platform.two_node: Corosync's two_node needs exactly two hosts and no quorum device; this cluster has "
               f"{len(arch.hosts)} host{'s' if len(arch.hosts) != 1 else ''}"
               + (" and a qdevice" if platform.witness and platform.witness.kind == "qdevice" else ""),
               "remove two_node: with a quorum device, or three hosts or more, a majority decides")
    problems += _references(arch, source, path, facts)
    return problems


POWER_KEYWORDS = frozenset({*HOST_POWERED, ALWAYS_POWERED})  # `powered_by` values that name no domain
MAX_LINKED_SWITCHES = 16  # with uplinks, partitions are worked out for each subset of failed switches


def _named_parts(arch: Architecture) -> list[tuple[str, tuple, str]]:
    """Every part a scenario can fail by name: (where it is declared, its path, its name)."""
    found: list[tuple[str, tuple, str]] = []
    for key, items in (("hosts", arch.hosts), ("vms", arch.vms), ("storage", arch.storage),
                       ("switches", arch.switches), ("management", arch.management)):
        found += [(f"{key}[{i}]", (key, i, "name"), item.name) for i, item in enumerate(items)]
    found += [(f"openstack.cells[{i}]", ("openstack", "cells", i), cell) for i, cell in enumerate(arch.openstack.cells)]
    if arch.platform.witness is not None:
        found.append(("platform.witness", ("platform", "witness"), arch.platform.witness.name))
    for i, level in enumerate(arch.platform.fencing or []):
        found.append((f"platform.fencing[{i}]", ("platform", "fencing", i), level.name))
    return found


def _references(arch: Architecture, source: SourceMap, path: str, facts: catalog.Catalog) -> list[Problem]:
    """The new parts' references: hosts, VMs, storage, switches and failure domains they name exist."""
    problems: list[Problem] = []
    known = {"host": {h.name for h in arch.hosts}, "VM": {vm.name for vm in arch.vms},
             "storage": {s.name for s in arch.storage}, "switch": {s.name for s in arch.switches},
             "failure domain": set(arch.failure_domains), "Nova cell": set(arch.openstack.cells)}

    def check(at: tuple, what: str, name: str | None, extra: frozenset[str] = frozenset()) -> None:
        if name is None or name in known[what] or name in extra:
            return
        where = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in at).replace(".[", "[")
        hint = suggestion(name, known[what] | extra) or (
            f"declared {what}s: {', '.join(sorted(known[what]))}" if known[what] else f"declare the {what} first")
        problems.append(checks.UNKNOWN_REFERENCE.at(path, source.value_at(at), f"{where}: `{name}` is not a declared "
                                                    f"{what}", hint))

    platform = facts.platforms[arch.platform.hypervisor]

    def kind_of(at: tuple, what: str, kind: str, allowed: list[str]) -> None:
        if kind not in allowed:
            problems.append(checks.PLATFORM_MISMATCH.at(
                path, source.value_at(at), f"{at[0]}[{at[1]}]: {arch.platform.hypervisor} {what}",
                f"use one of: {', '.join(allowed)}"))

    witness = arch.platform.witness
    if witness is not None:
        check(("platform", "witness", "failure_domain"), "failure domain", witness.failure_domain)
        check(("platform", "witness", "switch"), "switch", witness.switch)
    for i, level in enumerate(arch.platform.fencing or []):
        check(("platform", "fencing", i, "powered_by"), "failure domain", level.powered_by, POWER_KEYWORDS)
        check(("platform", "fencing", i, "switch"), "switch", level.switch)
    for i, store in enumerate(arch.storage):
        check(("storage", i, "failure_domain"), "failure domain", store.failure_domain)
        check(("storage", i, "switch"), "switch", store.switch)
        if store.switch is not None and store.kind not in ("san", "nfs", "csv"):
            problems.append(checks.SWITCH_TOPOLOGY.at(
                path, source.value_at(("storage", i, "switch")), f"storage `{store.name}` ({store.kind}) sits behind "
                "no switch of its own: its hosts hold it", "remove `switch`, or give its hosts' switches instead"))
        for j, host in enumerate(store.hosts or []):
            check(("storage", i, "hosts", j), "host", host)
        for j, host in enumerate(store.monitors or []):
            check(("storage", i, "monitors", j), "host", host)
        kind_of(("storage", i, "kind"), f"has no `{store.kind}` storage", store.kind, platform.storage_kinds)
        problems += _copies(arch, source, path, i) + _spread(arch, source, path, i)
    for i, switch in enumerate(arch.switches):
        check(("switches", i, "failure_domain"), "failure domain", switch.failure_domain)
        for j, host in enumerate(switch.hosts):
            check(("switches", i, "hosts", j), "host", host)
        for j, other in enumerate(switch.uplinks):
            check(("switches", i, "uplinks", j), "switch", other)
            if other == switch.name:
                problems.append(checks.SWITCH_TOPOLOGY.at(
                    path, source.value_at(("switches", i, "uplinks", j)), f"switch `{other}` links to itself",
                    "name the switches it links to"))
    linked = [s for s in arch.switches if s.uplinks]
    if linked and len(arch.switches) > MAX_LINKED_SWITCHES:
        problems.append(checks.SWITCH_TOPOLOGY.at(
            path, source.value_at(("switches", arch.switches.index(linked[0]), "uplinks")),
            f"{len(arch.switches)} switches with uplinks: refarch works out the partitions of every combination of "
            f"failed switches, for at most {MAX_LINKED_SWITCHES}", "model the switches that can split the cluster "
            "(its top-of-rack and core switches), or leave out uplinks to have every switch reach every other"))
    managed_vms = set()
    for i, server in enumerate(arch.management):
        check(("management", i, "vm"), "VM", server.vm)
        check(("management", i, "failure_domain"), "failure domain", server.failure_domain)
        managed_vms.add(server.vm)
        kind_of(("management", i, "kind"), f"is not managed by `{server.kind}`", server.kind,
                platform.management_kinds)
    for i, vm in enumerate(arch.vms):
        check(("vms", i, "storage"), "storage", vm.storage)
        check(("vms", i, "cell"), "Nova cell", vm.cell)
        for j, sid in enumerate(vm.services if vm.cell else []):
            if sid in facts.services and not facts.services[sid].cell_scoped:
                cell_ones = ", ".join(s for s, known in facts.services.items() if known.cell_scoped)
                problems.append(checks.NOT_A_CELL_SERVICE.at(
                    path, source.value_at(("vms", i, "services", j)),
                    f"vms[{i}]: `{vm.name}` is in cell `{vm.cell}`, but `{sid}` is shared by every cell",
                    f"run it on a VM without `cell`; per cell run only {cell_ones}"))
        # an imported file's VM that runs no OpenStack service is another workload on the cluster
        if not vm.services and vm.name not in managed_vms and arch.source is None:
            problems.append(checks.MISSING_KEY.at(
                path, source.value_at(("vms", i, "services")), f"vms[{i}]: `{vm.name}` runs no service",
                "list the catalog services it runs; only a VM named by a management server may run none"))
    if len([s for s in arch.storage if s.kind != "local"]) > 1:
        for i, vm in enumerate(arch.vms):
            if vm.storage is None:
                problems.append(checks.UNKNOWN_REFERENCE.at(
                    path, source.value_at(("vms", i, "name")),
                    f"vms[{i}]: `{vm.name}` names no storage, and the design declares several shared ones",
                    f"set storage: to one of {', '.join(s.name for s in arch.storage)}"))
    return problems


def _copies(arch: Architecture, source: SourceMap, path: str, index: int) -> list[Problem]:
    """Whether a storage's copies can be placed as described (`checks.STORAGE_COPIES`)."""
    store = arch.storage[index]
    found: list[Problem] = []

    def report(key: str, message: str, hint: str) -> None:
        found.append(checks.STORAGE_COPIES.at(path, source.value_at(("storage", index, key)),
                                              f"storage[{index}]: `{store.name}` {message}", hint))

    described = [key for key in ("size", "min_size", "monitors") if getattr(store, key) is not None]
    if store.kind != "ceph":
        for key in described:
            report(key, f"is {store.kind} storage, and `{key}` describes a Ceph pool", f"remove `{key}`")
        if store.replicas_over is not None and store.kind != "vsan":
            report("replicas_over", f"is {store.kind} storage, which keeps no copies over hosts",
                   "remove `replicas_over`; it applies to vsan and ceph")
        return found
    if store.failures_to_tolerate is not None and {"size", "min_size"} & set(described):
        report("failures_to_tolerate", "gives both `failures_to_tolerate` and the pool's `size`/`min_size`",
               "keep `size` and `min_size` (a pool serves while size - min_size copies may be lost), and remove "
               "`failures_to_tolerate`")
    if (store.size or 3) < (store.min_size or 2):
        report("min_size", f"needs {store.min_size or 2} copies of each placement group but keeps {store.size or 3}",
               "set min_size to at most size (Ceph's defaults: size 3, min_size 2)")
    return found


def _spread(arch: Architecture, source: SourceMap, path: str, index: int) -> list[Problem]:
    """Copies over failure domains: every host of the storage in one, and as many domains as copies."""
    store = arch.storage[index]
    if store.replicas_over != "failure_domain" or store.kind not in ("ceph", "vsan"):
        return []
    members = store.hosts or [host.name for host in arch.hosts]
    domain_of = {host.name: host.failure_domain for host in arch.hosts}
    outside = [host for host in members if domain_of.get(host) is None]
    at = source.value_at(("storage", index, "replicas_over"))
    if outside:
        return [checks.STORAGE_COPIES.at(path, at, f"storage[{index}]: `{store.name}` places copies over failure "
                                         f"domains, but {', '.join(outside)} {'is' if len(outside) == 1 else 'are'} in "
                                         "none", "give every host of it a failure_domain, or use replicas_over: host")]
    domains = {domain_of[host] for host in members}
    copies = (store.size or 3) if store.kind == "ceph" else 2 * (1 if store.failures_to_tolerate is None
                                                                   else store.failures_to_tolerate) + 1
    if len(domains) < copies:
        what = "size" if store.kind == "ceph" else "2 * FTT + 1 (vSAN RAID-1)"
        return [checks.STORAGE_COPIES.at(path, at, f"storage[{index}]: `{store.name}` keeps {copies} copies of each "
                                         f"object ({what}) over failure domains, but its hosts are in {len(domains)}",
                                         f"spread its hosts over {copies} failure domains at least, or keep fewer "
                                         "copies, or use replicas_over: host")]
    return []


def _duplicates(report, key: str, values: list[str], what: str, field: str | None = None) -> None:
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            at = (key, index, field) if field else (key, index)
            report(checks.DUPLICATE_NAME, at, f"{key}[{index}]: the {what} `{value}` is declared twice")
        seen.add(value)
