# Collects a Hyper-V failover cluster's state for `refarch import hyperv`: its nodes, quorum and witness,
# the VM roles with their owner node, state, anti-affinity class names, processors and startup memory,
# and the Cluster Shared Volumes. Run it on a cluster node, with the FailoverClusters and Hyper-V
# modules; it only reads. The output's format is generator/imports/hyperv.schema.json.
#
#   .\collect-hyperv.ps1 -OutFile hyperv-cluster.json
param([string]$OutFile = "hyperv-cluster.json")
$ErrorActionPreference = "Stop"

$cluster = FailoverClusters\Get-Cluster
$quorum = Get-ClusterQuorum
$result = [ordered]@{
    format  = "refarch-hyperv/1"
    taken   = (Get-Date).ToUniversalTime().ToString("o")
    cluster = [ordered]@{ name = "$($cluster.Name)"; enforced_anti_affinity = [int]$cluster.ClusterEnforcedAntiAffinity }
    quorum  = [ordered]@{ type = "$($quorum.QuorumType)"; resource = "$($quorum.QuorumResource)" }
    nodes   = @()
    vms     = @()
    csvs    = @()
}
foreach ($node in Get-ClusterNode) {
    $result.nodes += [ordered]@{ name = "$($node.Name)"; state = "$($node.State)" }
}
foreach ($group in Get-ClusterGroup) {
    if ("$($group.GroupType)" -ne "VirtualMachine") { continue }
    $vm = $group | Hyper-V\Get-VM
    $result.vms += [ordered]@{
        name                 = "$($group.Name)"
        owner                = "$($group.OwnerNode)"
        state                = "$($group.State)"
        anti_affinity        = @($group.AntiAffinityClassNames | ForEach-Object { "$_" })
        processors           = [int]$vm.ProcessorCount
        memory_startup_bytes = [int64]$vm.MemoryStartup
        path                 = "$($vm.Path)"
    }
}
foreach ($volume in Get-ClusterSharedVolume) {
    $result.csvs += [ordered]@{ name = "$($volume.Name)"; path = "$($volume.SharedVolumeInfo.FriendlyVolumeName)" }
}
$result | ConvertTo-Json -Depth 6 | Set-Content -Path $OutFile -Encoding utf8
