"""Host capacity exceeded

## What it checks

With CPU and memory declared for a host and its VMs: the VMs placed on the host need no more vCPUs
than it has CPUs and no more memory than it has.

## Why it matters

An over-committed management host starts its VMs slowly or not at all when memory runs out, and
every later capacity judgement (restart after a failure, maintenance) starts from a false premise.

## Example

```yaml
hosts:
  - {name: host-1, cpus: 8, memory_gib: 32}
  - {name: host-2}
  - {name: host-3}
vms:
  - {name: vm-1, host: host-1, vcpus: 8, memory_gib: 24, services: [keystone]}
  - {name: vm-2, host: host-1, vcpus: 4, memory_gib: 16, services: [glance-api]}
```

## Fix

```yaml
hosts:
  - {name: host-1, cpus: 16, memory_gib: 64}
  - {name: host-2}
  - {name: host-3}
vms:
  - {name: vm-1, host: host-1, vcpus: 8, memory_gib: 24, services: [keystone]}
  - {name: vm-2, host: host-1, vcpus: 4, memory_gib: 16, services: [glance-api]}
```

## References

- https://docs.vmware.com/en/VMware-vSphere/6.7/com.vmware.vsphere.avail.doc/GUID-C4059DB9-D673-45CB-918C-68C87FEB060A.html
"""

from collections.abc import Iterator

from generator.model.problem import Severity
from generator.rules.context import Finding, RuleContext

ID = "RED015"
NAME = "host-capacity-exceeded"
SEVERITY = Severity.ERROR
SUMMARY = "The VMs placed on a host need more CPUs or memory than it declares."


def check(ctx: RuleContext) -> Iterator[Finding]:
    for index, host in enumerate(ctx.arch.hosts):
        vms = [vm for vm in ctx.arch.vms if vm.host == host.name]
        for what, offered, needed in (
            ("vCPUs", host.cpus, sum(vm.vcpus or 0 for vm in vms)),
            ("GiB of memory", host.memory_gib, sum(vm.memory_gib or 0 for vm in vms)),
        ):
            if offered is not None and needed > offered:
                yield Finding(("hosts", index, "name"), f"the VMs on host {host.name} need {needed} {what}; it offers "
                              f"{offered}", host.name, "move a VM to another host, or declare the host's real size")
