"""A PowerCLI script for a vSphere management cluster: HA and DRS, admission control, anti-affinity
rules, restart priorities. Every cmdlet and parameter used is in the catalog's cmdlet table
(generator/catalog/deployment.yaml) with its documentation page; the tests hold the script to it.
"""

from __future__ import annotations

from generator import placement
from generator.catalog import Catalog
from generator.exports.common import header, ps, sibling_groups, starts_first
from generator.model import Architecture


def capacity_tolerance(arch: Architecture) -> int:
    """How many host failures (0, 1 or 2) the hosts' free capacity absorbs, whichever hosts fail."""
    from itertools import combinations

    tolerated = 0
    for count in (1, 2):
        if count >= len(arch.hosts):
            break
        for failed in combinations([h.name for h in arch.hosts], count):
            moving = [vm.name for vm in arch.vms if vm.host in failed]
            if placement.move(arch, placement.baseline(arch), moving, failed, None).stranded:
                return tolerated
        tolerated = count
    return tolerated


def rules(arch: Architecture) -> list[tuple[str, list[str]]]:
    """One anti-affinity rule per distinct set of VMs that share services, named after those services."""
    by_set: dict[tuple[str, ...], list[str]] = {}
    for sid, vms in sibling_groups(arch):
        by_set.setdefault(tuple(vm.name for vm in vms), []).append(sid)
    return [(f"refarch-{services[0]}" + (f"-and-{len(services) - 1}-more" if len(services) > 1 else ""), list(vms))
            for vms, services in by_set.items()]


def write(arch: Architecture, facts: Catalog) -> str:
    failover = capacity_tolerance(arch)
    out = [header(arch, "PowerCLI script", "#"), "$ErrorActionPreference = 'Stop'\n\n",
           "# 1. Connect to the vCenter Server that manages the management cluster.\n",
           "Connect-VIServer -Server 'REPLACE-WITH-VCENTER'\n",
           f"$cluster = Get-Cluster -Name {ps(arch.id)}\n\n",
           f"# 2. vSphere HA with admission control for {failover} host failure(s) (what the hosts' free capacity\n"
           "#    absorbs, as refarch's capacity rule sizes it), and DRS fully automated.\n",
           "Set-Cluster -Cluster $cluster -HAEnabled:$true -HAAdmissionControlEnabled:$true "
           f"-HAFailoverLevel {failover} -DrsEnabled:$true -DrsAutomationLevel FullyAutomated -Confirm:$false\n"]
    if arch.platform.anti_affinity == "mandatory":
        out += ["\n# 3. Mandatory anti-affinity: vSphere HA respects VM-VM anti-affinity rules during failover.\n",
                "New-AdvancedSetting -Entity $cluster -Type ClusterHA -Name 'das.respectVmVmAntiAffinityRules' "
                "-Value 'true' -Confirm:$false\n"]
    out.append("\n# 4. One VM-VM anti-affinity rule per group of VMs that share services.\n")
    for name, vms in rules(arch):
        out.append(f"New-DrsRule -Cluster $cluster -Name {ps(name)} -KeepTogether:$false -Enabled:$true "
                   f"-VM (Get-VM -Name {','.join(map(ps, vms))})\n")
    out.append("\n# 5. Restart priorities: databases, queues and load balancers first.\n")
    for vm in arch.vms:
        priority = "High" if starts_first(vm) else "Medium"
        out.append(f"Set-VM -VM (Get-VM -Name {ps(vm.name)}) -HARestartPriority {priority} -Confirm:$false\n")
    out += ["\n# 6. Check the rules.\n", "Get-DrsRule -Cluster $cluster\n"]
    return "".join(out)
