"""A PowerCLI script for a vSphere management cluster: HA and DRS, admission control, anti-affinity
rules, restart priorities. Every cmdlet and parameter used is in the catalog's cmdlet table
(generator/catalog/deployment.yaml) with its documentation page; the tests hold the script to it.
"""

from __future__ import annotations

from itertools import combinations

from generator.analysis import placement
from generator.analysis.design import Analysis
from generator.analysis.placement import restart_priority
from generator.catalog import Catalog
from generator.exports.common import anti_affinity_groups, header, ps
from generator.model.architecture import Architecture


def capacity_tolerance(arch: Architecture) -> int:
    """How many host failures (0, 1 or 2) the hosts' free capacity absorbs, whichever hosts fail."""
    tolerated = 0
    for count in (1, 2):
        if count >= len(arch.hosts):
            break
        for failed in combinations([h.name for h in arch.hosts], count):
            moving = [vm.name for vm in arch.vms if vm.host in failed]
            if placement.move(placement.demands(arch), placement.baseline(arch), moving, failed, None).stranded:
                return tolerated
        tolerated = count
    return tolerated


def write(arch: Architecture, facts: Catalog, analysis: Analysis | None = None) -> str:
    failover = capacity_tolerance(arch)
    vcenter = ps(arch.management[0].name) if arch.management else "'REPLACE-WITH-VCENTER'"
    out = [header(arch, "PowerCLI script", "#"), "$ErrorActionPreference = 'Stop'\n\n",
           "# 1. Connect to the vCenter Server that manages the management cluster.\n",
           f"Connect-VIServer -Server {vcenter}\n",
           f"$cluster = Get-Cluster -Name {ps(arch.id)}\n\n",
           f"# 2. vSphere HA with admission control for {failover} host failure(s) (what the hosts' free capacity\n"
           "#    absorbs, as refarch's capacity rule sizes it), and DRS fully automated.\n",
           "Set-Cluster -Cluster $cluster -HAEnabled:$true -HAAdmissionControlEnabled:$true "
           f"-HAFailoverLevel {failover} -DrsEnabled:$true -DrsAutomationLevel FullyAutomated -Confirm:$false\n"]
    response = {"disabled": "DoNothing", "power-off": "PowerOff"}.get(arch.platform.isolation_response or "disabled")
    if response:
        out.append(f"Set-Cluster -Cluster $cluster -HAIsolationResponse {response} -Confirm:$false"
                   "  # what a host cut off from the others does with its VMs\n")
    else:  # Set-Cluster offers PowerOff and DoNothing only
        out.append("# Host isolation response: set 'Shut down and restart VMs' in the cluster's vSphere HA settings.\n")
    for store in arch.storage:
        out.append(f"# The VMs' disks: datastore {ps(store.name)} ({store.kind}); create the VMs on it.\n")
    if arch.platform.anti_affinity == "mandatory":
        out += ["\n# 3. Mandatory anti-affinity: vSphere HA respects VM-VM anti-affinity rules during failover.\n",
                "New-AdvancedSetting -Entity $cluster -Type ClusterHA -Name 'das.respectVmVmAntiAffinityRules' "
                "-Value 'true' -Confirm:$false\n"]
    out.append("\n# 4. One VM-VM anti-affinity rule per group of VMs that share services.\n")
    for name, vms in anti_affinity_groups(arch):
        out.append(f"New-DrsRule -Cluster $cluster -Name {ps(name)} -KeepTogether:$false -Enabled:$true "
                   f"-VM (Get-VM -Name {','.join(map(ps, vms))})\n")
    out.append("\n# 5. Restart priorities: databases, queues and load balancers first.\n")
    for vm in arch.vms:
        priority = {"high": "High", "medium": "Medium", "low": "Low"}[restart_priority(vm)]
        out.append(f"Set-VM -VM (Get-VM -Name {ps(vm.name)}) -HARestartPriority {priority} -Confirm:$false\n")
    out += ["\n# 6. Check the rules.\n", "Get-DrsRule -Cluster $cluster\n"]
    return "".join(out)
