"""A kolla-ansible inventory (INI) that places each service on the VMs the design runs it on.

kolla-ansible's multinode inventory defines top-level groups (control, network, compute, monitoring,
storage, deployment) and makes each service group a child of one of them; here every service group
lists its VMs directly, so the placement is the design's. Source:
https://opendev.org/openstack/kolla-ansible/src/branch/master/ansible/inventory/multinode

With Nova cells, each cell's conductors and console proxies form a `cell-control-<cell>` group (a
child of nova-conductor and nova-novncproxy, and of the cell's own group, whose variables name the
cell), the global conductors are the super-conductor, and each cell's database members are a MariaDB
shard of their own (`mariadb_shard_id`, with `nova_cell_database_group` pointing the cell at it), as
kolla-ansible's Nova cells and MariaDB guides and its nova-cell role's defaults lay out:
https://docs.openstack.org/kolla-ansible/latest/reference/compute/nova-cells-guide.html
https://docs.openstack.org/kolla-ansible/latest/reference/databases/mariadb-guide.html
"""

from __future__ import annotations

from generator import catalog
from generator.analysis.design import Analysis
from generator.catalog import Catalog
from generator.exports.common import header
from generator.model.architecture import Architecture, is_slug


def write(arch: Architecture, facts: Catalog, analysis: Analysis | None = None) -> str:
    kolla = catalog.deployment().kolla
    for vm in arch.vms:  # an INI inventory cannot quote a host name: refuse anything but a slug
        if not is_slug(vm.name):
            raise ValueError(f"not a host name an inventory can hold: {vm.name!r}")
    top: dict[str, list[str]] = {group: [] for group in kolla.top_groups}
    groups: dict[str, list[str]] = {}
    shard = {cell: index for index, cell in enumerate(arch.openstack.cells, start=1)}
    for vm in arch.vms:
        for sid in vm.services:
            placement = kolla.services.get(sid)
            if placement is None:
                continue
            if vm.name not in top[placement.top]:
                top[placement.top].append(vm.name)
            for group in _groups(sid, vm.cell, placement.groups, bool(shard)):
                groups.setdefault(group, [])
                entry = (f"{vm.name} mariadb_shard_id={shard[vm.cell]}" if vm.cell and group == "mariadb"
                         else vm.name)
                if entry not in groups[group]:
                    groups[group].append(entry)
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
    controls = [f"cell-control-{cell}" for cell in arch.openstack.cells if f"cell-control-{cell}" in groups]
    for parent in CELL_CONTROL if controls else ():
        out.append(f"\n[{parent}:children]\n" + "".join(f"{control}\n" for control in controls))
    for cell in arch.openstack.cells:
        out.append(_cell(cell, shard[cell], groups))
    return "".join(out)


CELL_CONTROL = ("nova-conductor", "nova-novncproxy")  # per cell, in its cell-control group


def _groups(sid: str, cell: str | None, groups: list[str], cells: bool) -> list[str]:
    """The groups a service on a VM goes into: with cells, a cell's conductors and console proxies go
    into its cell-control group, its queue into a group of its own, and the global conductors are the
    super-conductor."""
    if cell and sid in CELL_CONTROL:
        return [f"cell-control-{cell}"]
    if cell and sid == "rabbitmq":
        return [f"rabbitmq-{cell}"]
    if cell and sid == "galera":  # a shard of kolla's MariaDB, and the group the cell's database is read from
        return [*groups, f"mariadb-{cell}"]
    if cells and sid == "nova-conductor":
        return ["nova-super-conductor"]
    return groups


def _cell(cell: str, shard: int, groups: dict[str, list[str]]) -> str:
    """A cell's group and the variables that name its conductor and console proxy groups and its queue."""
    control = f"cell-control-{cell}"
    lines = ["", f"# Nova cell {cell}"]
    if control in groups:
        lines += [f"[{cell}:children]", control, ""]
    lines += [f"[{cell}:vars]", f"nova_cell_name={cell}", f"nova_cell_conductor_group={control}",
              f"nova_cell_novncproxy_group={control}"]
    if f"mariadb-{cell}" in groups:
        lines += [f"nova_cell_database_group=mariadb-{cell}", f"nova_cell_database_shard_id={shard}"]
    if f"rabbitmq-{cell}" in groups:
        lines += ["# kolla-ansible deploys RabbitMQ on the rabbitmq group; deploy the cell's own broker on",
                  f"# rabbitmq-{cell} beside it: this points the cell at it.",
                  f"nova_cell_rpc_group_name=rabbitmq-{cell}"]
    return "\n".join(lines) + "\n"
