"""A PowerShell script for a Windows Server failover cluster of Hyper-V hosts: the cluster, its quorum
witness, each VM as a clustered role with its preferred owner, anti-affinity and start priority.
Every cmdlet and parameter used is in the catalog's cmdlet table with its documentation page.
Start priorities: 3000 high, 2000 medium (a cluster group's Priority property,
https://learn.microsoft.com/en-us/windows-server/failover-clustering/cluster-vm-start-order).
"""

from __future__ import annotations

from generator.analysis.design import Analysis
from generator.analysis.placement import restart_priority
from generator.catalog import Catalog
from generator.exports.common import anti_affinity_groups, header, ps
from generator.model.architecture import Architecture

WITNESS = {
    "file-share": "Set-ClusterQuorum -FileShareWitness '\\\\{name}\\REPLACE-WITH-SHARE'",
    "disk": "Set-ClusterQuorum -DiskWitness 'REPLACE-WITH-CLUSTER-DISK'",
    "cloud": "Set-ClusterQuorum -CloudWitness -AccountName 'REPLACE-ME' -AccessKey 'REPLACE-ME'",
}


def write(arch: Architecture, facts: Catalog, analysis: Analysis | None = None) -> str:
    hosts = ",".join(ps(h.name) for h in arch.hosts)
    out = [header(arch, "PowerShell (FailoverClusters) script", "#"), "$ErrorActionPreference = 'Stop'\n\n",
           "# 1. The cluster (run on one node; storage is added separately).\n",
           f"New-Cluster -Name {ps(arch.id)} -Node {hosts} -StaticAddress 'REPLACE-WITH-CLUSTER-ADDRESS' "
           "-NoStorage\n\n",
           "# 2. Quorum witness.\n",
           (WITNESS[arch.platform.witness.kind].replace("{name}", arch.platform.witness.name)
            if arch.platform.witness and arch.platform.witness.kind in WITNESS
            else "# no witness declared: with an even number of nodes, add one (refarch rule RED009)") + "\n\n",
           "# 3. Each VM a clustered role, preferring the host the design places it on.\n"]
    for vm in arch.vms:
        out.append(f"Add-ClusterVirtualMachineRole -VMName {ps(vm.name)}\n")
        out.append(f"Set-ClusterOwnerNode -Group {ps(vm.name)} -Owners {ps(vm.host)}\n")
    for store in arch.storage:
        if store.kind == "csv":
            out.append(f"# The VMs' disks: Cluster Shared Volume {ps(store.name)}; add its disk with "
                       "Add-ClusterSharedVolume.\n")
    groups = anti_affinity_groups(arch)
    mandatory = arch.platform.anti_affinity == "mandatory"
    out.append("\n# 4. Anti-affinity with AntiAffinityClassNames; ClusterEnforcedAntiAffinity="
               + ("1 keeps a VM offline rather than next to a sibling (mandatory).\n" if mandatory
                  else "0 lets the cluster ignore it when no other node is free (preferred).\n"))
    out.append(f"(Get-Cluster).ClusterEnforcedAntiAffinity = {1 if mandatory else 0}\n")
    for vm in arch.vms:
        classes = [name for name, vms in groups if vm.name in vms]
        if not classes:
            continue
        out.append("$classes = New-Object -TypeName System.Collections.Specialized.StringCollection\n")
        out.extend(f"[void]$classes.Add({ps(name)})\n" for name in classes)
        out.append(f"(Get-ClusterGroup -Name {ps(vm.name)}).AntiAffinityClassNames = $classes\n")
    out += ["\n# 5. Windows Server 2022 and later also have affinity rules; set $UseAffinityRules = $false before.\n",
            "if ($UseAffinityRules -ne $false) {\n"]
    for name, vms in groups:
        out.append(f"    New-ClusterAffinityRule -Name {ps(name)} -RuleType DifferentNode\n")
        out.append(f"    Add-ClusterGroupToAffinityRule -Name {ps(name)} -Groups {','.join(map(ps, vms))}\n")
    out += ["}\n", "\n# 6. Start priority: databases, queues and load balancers first.\n"]
    for vm in arch.vms:
        priority = {"high": 3000, "medium": 2000, "low": 1000}[restart_priority(vm)]
        out.append(f"(Get-ClusterGroup -Name {ps(vm.name)}).Priority = {priority}\n")
    out += ["\n# 7. Check.\n", "Get-ClusterNode\n", "Get-ClusterQuorum\n"]
    return "".join(out)
