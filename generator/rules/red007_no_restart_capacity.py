"""No capacity to restart a host's VMs

## What it checks

With platform HA on (`ha` is not `none`) and CPU and memory declared for every host and VM: if any one
host fails, can the surviving hosts restart all of its VMs in their free CPUs and memory? This is the
N+1 sizing that vSphere admission control and failover-cluster planning reserve. VMs are placed one
by one, largest first, on the host with the most free memory; anti-affinity is left to the impact
analysis.

## Why it matters

The platform restarts a failed host's VMs only where they fit; a VM that fits nowhere stays down
until the host returns, and its service runs one instance short, or stops, for that long.

## Example

Three hosts each full to the brim:

```yaml
hosts:
  - {name: host-1, cpus: 16, memory_gib: 64}
  - {name: host-2, cpus: 16, memory_gib: 64}
  - {name: host-3, cpus: 16, memory_gib: 64}
vms:
  - {name: vm-1, host: host-1, vcpus: 8, memory_gib: 48, services: [keystone]}
  - {name: vm-2, host: host-2, vcpus: 8, memory_gib: 48, services: [keystone]}
  - {name: vm-3, host: host-3, vcpus: 8, memory_gib: 48, services: [keystone]}
```

## Fix

Leave room on the others for the largest host's VMs:

```yaml
hosts:
  - {name: host-1, cpus: 16, memory_gib: 96}
  - {name: host-2, cpus: 16, memory_gib: 96}
  - {name: host-3, cpus: 16, memory_gib: 96}
vms:
  - {name: vm-1, host: host-1, vcpus: 8, memory_gib: 48, services: [keystone]}
  - {name: vm-2, host: host-2, vcpus: 8, memory_gib: 48, services: [keystone]}
  - {name: vm-3, host: host-3, vcpus: 8, memory_gib: 48, services: [keystone]}
```

## References

- https://docs.vmware.com/en/VMware-vSphere/6.7/com.vmware.vsphere.avail.doc/GUID-C4059DB9-D673-45CB-918C-68C87FEB060A.html
- http://pubs.vmware.com/vsphere-60/topic/com.vmware.vsphere.avail.doc/GUID-BD6D9434-84C8-4937-BC76-04852F5EA136.html
- https://docs.vmware.com/en/VMware-Cloud-Foundation/4.4/vcf-management-domain-design/GUID-E05352A7-6013-4E3B-B684-12B4173BC049.html
"""

from collections.abc import Iterator

from generator.analysis import placement
from generator.model.problem import Severity
from generator.rules.context import Finding, RuleContext

ID = "RED007"
NAME = "no-restart-capacity"
SEVERITY = Severity.ERROR
SUMMARY = "If one host fails, the other hosts lack the free CPU or memory to restart its VMs."


def check(ctx: RuleContext) -> Iterator[Finding]:
    if ctx.arch.platform.ha == "none" or not ctx.capacities_given():
        return
    for index, host in enumerate(ctx.arch.hosts):
        on_host = [vm.name for vm in ctx.arch.vms if vm.host == host.name]
        moves = placement.move(placement.demands(ctx.arch), placement.baseline(ctx.arch), on_host, [host.name], None)
        if stranded := sorted(moves.stranded):
            yield Finding(("hosts", index, "name"), f"if host {host.name} fails, the other hosts lack free CPU or "
                          f"memory to restart {', '.join(stranded)}", host.name,
                          "add a host, add CPU or memory to the hosts, or make the VMs smaller")
