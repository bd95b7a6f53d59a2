"""An OpenStack-Ansible `openstack_user_config.yml` with the host groups of the architecture's release.

Group names changed across releases: `haproxy_hosts` became `load_balancer_hosts` in 2024.2 (OSA 30),
and 2026.1 (OSA 33) writes every group with underscores (`shared_infra_hosts`). The release is the
architecture's `openstack.release`, or the catalog's default when it names none.
"""

from __future__ import annotations

import yaml

from generator import catalog
from generator.analysis.design import Analysis
from generator.catalog import Catalog
from generator.exports.common import header
from generator.model.architecture import Architecture


def release_of(arch: Architecture) -> str:
    osa = catalog.deployment().openstack_ansible
    return arch.openstack.release if arch.openstack.release in osa.releases else osa.default_release


def write(arch: Architecture, facts: Catalog, analysis: Analysis | None = None) -> str:
    osa = catalog.deployment().openstack_ansible
    release = release_of(arch)
    config: dict[str, object] = {
        "cidr_networks": {"container": "REPLACE-WITH-CIDR", "tunnel": "REPLACE-WITH-CIDR",
                          "storage": "REPLACE-WITH-CIDR"},
        "used_ips": [],
        "global_overrides": {"internal_lb_vip_address": "REPLACE-WITH-INTERNAL-VIP",
                             "external_lb_vip_address": "REPLACE-WITH-EXTERNAL-VIP",
                             "management_bridge": "br-mgmt"},
    }
    groups: dict[str, dict[str, dict[str, str]]] = {}
    for vm in arch.vms:
        for sid in vm.services if vm.cell is None else ():  # see the note on cells below
            for group in osa.groups(sid, release):
                groups.setdefault(group, {})[vm.name] = {"ip": f"REPLACE-WITH-ADDRESS-OF-{vm.name}"}
    config |= dict(sorted(groups.items()))
    note = (f"# OpenStack {release}, OpenStack-Ansible {osa.releases[release].osa}.x: group names of that release.\n"
            + ("" if arch.openstack.release in osa.releases else
               f"# The architecture names no release refarch knows the groups of; {release} is assumed.\n")
            + ("# Its inventory has no groups for a Nova cell's own database, queue and conductors, so the VMs of\n"
               f"# the cells ({', '.join(arch.openstack.cells)}) are left out: deploy and register those cells by\n"
               "# other means (nova-manage cell_v2 create_cell).\n" if arch.openstack.cells else ""))
    return header(arch, "OpenStack-Ansible openstack_user_config.yml", "#") + note + yaml.safe_dump(
        config, sort_keys=False, default_flow_style=False)
