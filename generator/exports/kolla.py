"""A kolla-ansible inventory (INI) that places each service on the VMs the design runs it on.

kolla-ansible's multinode inventory defines top-level groups (control, network, compute, monitoring,
storage, deployment) and makes each service group a child of one of them; here every service group
lists its VMs directly, so the placement is the design's. Source:
https://opendev.org/openstack/kolla-ansible/src/branch/master/ansible/inventory/multinode
"""

from __future__ import annotations

from generator import catalog
from generator.catalog import Catalog
from generator.exports.common import header
from generator.model import Architecture, is_slug


def write(arch: Architecture, facts: Catalog) -> str:
    kolla = catalog.deployment().kolla
    for vm in arch.vms:  # an INI inventory cannot quote a host name: refuse anything but a slug
        if not is_slug(vm.name):
            raise ValueError(f"not a host name an inventory can hold: {vm.name!r}")
    top: dict[str, list[str]] = {group: [] for group in kolla.top_groups}
    groups: dict[str, list[str]] = {}
    for vm in arch.vms:
        for sid in vm.services:
            placement = kolla.services.get(sid)
            if placement is None:
                continue
            if vm.name not in top[placement.top]:
                top[placement.top].append(vm.name)
            for group in placement.groups:
                groups.setdefault(group, [])
                if vm.name not in groups[group]:
                    groups[group].append(vm.name)
    out = [header(arch, "kolla-ansible inventory", "#"),
           "# Use it in place of the host lists of kolla-ansible's multinode inventory: every service group\n"
           "# below lists its VMs instead of being a child of control or network.\n"]
    for group, members in top.items():
        out.append(f"\n[{group}]\n")
        if group == "deployment":
            out.append("localhost ansible_connection=local\n")
        out.extend(f"{name}\n" for name in members)
    for group, members in sorted(groups.items()):
        out.append(f"\n[{group}]\n")
        out.extend(f"{name}\n" for name in members)
    return "".join(out)
