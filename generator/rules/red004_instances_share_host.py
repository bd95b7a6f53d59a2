"""Instances share a host

## What it checks

Two instances of one service (or of a quorum service and its arbitrator) placed on VMs of the same
host.

## Why it matters

The hypervisor host is the unit that fails. Two galera members on one host mean that one host
failure takes two of three votes, and the cluster stops; two load balancers on one host mean no API
at all. Application-level clustering only helps when its members fail independently, which is what
anti-affinity rules keep true.

## Example

```yaml
vms:
  - {name: db-1, host: host-1, services: [galera]}
  - {name: db-2, host: host-1, services: [galera]}
  - {name: db-3, host: host-2, services: [galera]}
```

## Fix

```yaml
vms:
  - {name: db-1, host: host-1, services: [galera]}
  - {name: db-2, host: host-2, services: [galera]}
  - {name: db-3, host: host-3, services: [galera]}
```

## References

- https://github.com/beekhof/osp-ha-deploy/blob/master/ha-openstack.md
- https://docs.vmware.com/en/VMware-vSphere/6.5/com.vmware.vsphere.avail.doc/GUID-E137A9F8-17E4-4DE7-B986-94A0999CF327.html
"""

from collections.abc import Iterator

from generator.model.problem import Severity
from generator.rules.context import Finding, RuleContext

ID = "RED004"
NAME = "instances-share-host"
SEVERITY = Severity.ERROR
SUMMARY = "Two instances of one service run on the same host, so one host failure takes both."


def check(ctx: RuleContext) -> Iterator[Finding]:
    for sid, facts in ctx.services():
        if facts.ha_model == "arbitrator":
            continue  # checked with the quorum service it votes in
        first_on_host: dict[str, str] = {}
        for placement in ctx.voters(sid) if facts.ha_model == "quorum" else ctx.placements(sid):
            host = placement.vm.host
            if first_on_host.get(host) == placement.vm.name:
                yield Finding(placement.at, f"`{sid}` and its arbitrator both run on {placement.vm.name}: losing that "
                              "VM takes two votes", sid, "run the arbitrator on a VM of its own, on another host")
            elif host in first_on_host:
                yield Finding(placement.at, f"`{sid}` runs on {first_on_host[host]} and {placement.vm.name}, both on "
                              f"host {host}: one host failure takes both", sid,
                              f"move {placement.vm.name} to a host that runs no other `{sid}` instance")
            else:
                first_on_host[host] = placement.vm.name
