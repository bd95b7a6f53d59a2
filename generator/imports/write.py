"""The as-built architecture file: what `Built` and an inventory say, as YAML that `refarch validate`,
`impact`, `drift`, the site and the exports read, with a comment beside each host and VM naming the
source element it came from and what was assumed. Deterministic: the same input gives the same bytes
(the source's own time, never the clock)."""

from __future__ import annotations

import dataclasses
import json

from generator.imports import Built
from generator.imports.inventory import Inventory

POLICIES = ("stop", "freeze", "ignore", "demote", "suicide", "fence")
KIND_NAMES = {"pacemaker": "Pacemaker CIB", "crm_mon": "crm_mon output", "rvtools": "RVTools export",
              "hyperv": "Hyper-V collector output"}


@dataclasses.dataclass
class Matched:
    """Each VM's inventory host, and the VMs none matched."""

    hosts: dict[str, str]  # VM -> inventory host
    how: dict[str, str]  # VM -> how it matched: "exactly", "by short name", ...
    unmapped: list[str]


def match(built: Built, inventory: Inventory, mapping: dict[str, str]) -> Matched:
    """VM names matched to inventory hosts: the map first, then exactly, case-insensitively, by short
    host name, and by the DNS name the source gives."""
    names = list(inventory.hosts)
    lower = {name.lower(): name for name in names}
    short = {}
    for name in names:
        short.setdefault(name.split(".")[0].lower(), []).append(name)
    hosts, how, unmapped = {}, {}, []
    for vm in built.vms:
        original = vm.origin.split(" ", 1)[1] if " " in vm.origin else vm.name
        candidates = [(mapping.get(vm.name) or mapping.get(original), "by --map")]
        candidates += [(vm.name if vm.name in inventory.hosts else None, "exactly"),
                       (lower.get(vm.name.lower()), "ignoring case"),
                       (_one(short.get(vm.name.split(".")[0].lower())), "by short host name")]
        if vm.dns_name:
            candidates += [(lower.get(vm.dns_name.lower()), "by DNS name"),
                           (_one(short.get(vm.dns_name.split(".")[0].lower())), "by DNS short name")]
        found = next(((host, way) for host, way in candidates if host is not None and host in inventory.hosts), None)
        if found is None:
            unmapped.append(vm.name)
        else:
            hosts[vm.name], how[vm.name] = found
    return Matched(hosts, how, unmapped)


def _one(names: list[str] | None) -> str | None:
    return names[0] if names and len(names) == 1 else None


def as_built(built: Built, inventory: Inventory | None, matched: Matched | None, arch_id: str,
             as_built_of: str | None) -> str:
    out = ["# yaml-language-server: $schema=architecture.schema.json\n",
           f"# As built: read by `refarch import {built.kind}` from {built.file}"
           f"{f', taken {built.taken}' if built.taken else ''}. Each value's source is in the comment beside it.\n"]
    for missing in built.missing:
        out.append(f"# not in the source: {missing}\n")
    unsaid = ["failure_domain", *(["storage"] if not built.storage else []), "switches",
              *(["restart_priority"] if not any(vm.restart_priority for vm in built.vms) else [])]
    out.append(f"# not in the source: {', '.join(unsaid)} (the schema's defaults)\n")
    if inventory is None:
        out.append("# no inventory given: no VM runs a service (import with --inventory)\n")
    else:
        if inventory.disabled:
            out.append(f"# placed by the inventory but not enabled: {', '.join(inventory.disabled)}\n")
        if inventory.unknown_groups:
            out.append(f"# inventory groups refarch does not map to a service: {', '.join(inventory.unknown_groups)}\n")
    if matched is not None and matched.unmapped:
        out.append(f"# VMs no inventory host matched (they run no service here): {', '.join(matched.unmapped)}\n")
    stopped = [vm for vm in built.vms if not vm.running]
    if stopped:  # not part of the running cloud: drift counts them as missing members
        out.append(f"# stopped, so not under vms: {', '.join(f'{vm.name} ({vm.origin})' for vm in stopped)}\n")
    for item in built.ignored:
        out.append(f"# not modelled: {item}\n")
    for note in built.notes:
        out.append(f"# {note}\n")
    out.append(f"id: {arch_id}\n")
    out.append(f"title: {json.dumps(f'{arch_id}, as built ({KIND_NAMES[built.kind]})')}\n")
    summary = (f"The cluster as `refarch import` read it from {KIND_NAMES[built.kind]} {built.file}"
               f"{f' (taken {built.taken})' if built.taken else ''}"
               f"{f', to compare with the design {as_built_of}' if as_built_of else ''}.")
    out.append(f"summary: {json.dumps(summary)}\n")
    out.append("status: example\n")
    if as_built_of:
        out.append(f"as_built_of: {as_built_of}\n")
    source = {"kind": built.kind, "file": built.file, **({"taken": built.taken} if built.taken else {})}
    out.append(f"source: {{{', '.join(f'{k}: {json.dumps(v)}' for k, v in source.items())}}}\n")
    out.append(_platform(built))
    if inventory is not None and (inventory.networking or inventory.settings):
        out.append("openstack:\n")
        for key, (value, origin) in inventory.settings.items():
            out.append(f"  {key}: {json.dumps(value) if key == 'release' else value}  # {origin}\n")
        if inventory.networking:
            out.append(f"  networking: {inventory.networking}  # from the inventory\n")
    if built.storage:
        out.append("storage:\n")
        for name, (kind, origin) in built.storage.items():
            out.append(f"  - {{name: {name}, kind: {kind}}}  # {origin}\n")
    out.append("hosts:\n")
    for host in built.hosts:
        fields = [f"name: {host.name}"]
        if host.state != "online":
            fields.append(f"state: {host.state}")
        if host.cpus is not None:
            fields.append(f"cpus: {host.cpus}")
        if host.memory_gib is not None:
            fields.append(f"memory_gib: {host.memory_gib}")
        out.append(f"  - {{{', '.join(fields)}}}  # {'; '.join([host.origin, *host.notes])}\n")
    out.append("vms:\n")
    for vm in (vm for vm in built.vms if vm.running):
        services = inventory.hosts.get(matched.hosts[vm.name], []) if inventory and matched and \
            vm.name in matched.hosts else []
        fields = [f"name: {vm.name}", f"host: {vm.host}"]
        if vm.storage and len(built.storage) > 1:
            fields.append(f"storage: {vm.storage}")
        if vm.restart_priority:
            fields.append(f"restart_priority: {vm.restart_priority}")
        if vm.vcpus is not None:
            fields.append(f"vcpus: {vm.vcpus}")
        if vm.memory_gib is not None:
            fields.append(f"memory_gib: {vm.memory_gib}")
        fields.append(f"services: [{', '.join(services)}]")
        where = [vm.origin, *vm.notes]
        if matched is not None and vm.name in matched.hosts:
            where.append(f"services of inventory host {matched.hosts[vm.name]} ({matched.how[vm.name]})")
        out.append(f"  - {{{', '.join(fields)}}}  # {'; '.join(where)}\n")
    return "".join(out)


def _platform(built: Built) -> str:
    lines = ["platform:\n", f"  hypervisor: {built.hypervisor}\n", f"  ha: {built.ha}\n"]
    if built.anti_affinity:
        lines.append(f"  anti_affinity: {built.anti_affinity}  # {built.anti_affinity_origin}\n")
    else:
        lines.append("  # not in the source: anti_affinity (preferred by default)\n")
    if built.witness:
        lines.append(f"  witness: {{kind: {built.witness['kind']}, name: {built.witness['name']}}}"
                     f"  # {built.witness.get('origin', '')}\n")
    if built.fencing is not None:
        if not built.fencing:
            lines.append("  fencing: []  # no fencing device\n")
        else:
            lines.append("  fencing:\n")
            for level in built.fencing:
                fields = [f"name: {level.name}", f"kind: {level.kind}"]
                if level.kind == "sbd":
                    fields.append("powered_by: independent")
                lines.append(f"    - {{{', '.join(fields)}}}  # {'; '.join([level.origin, *level.notes])}\n")
    if built.no_quorum_policy in POLICIES and built.no_quorum_policy != "stop":
        lines.append(f"  no_quorum_policy: {built.no_quorum_policy}  # crm_config\n")
    elif built.no_quorum_policy not in (None, "stop"):
        lines.append(f"  # no-quorum-policy={built.no_quorum_policy} is none refarch knows: stop assumed\n")
    for key in ("two_node", "wait_for_all"):
        value = getattr(built, key)
        if value is not None:
            lines.append(f"  {key}: {'true' if value else 'false'}  # corosync.conf quorum\n")
    if built.isolation_response:
        lines.append(f"  isolation_response: {built.isolation_response}\n")
    return "".join(lines)
