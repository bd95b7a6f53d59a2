"""Pacemaker without fencing

## What it checks

A KVM management cluster run by Pacemaker (`ha: pacemaker`) declares how failed hosts are fenced
(`platform.fencing`: ipmi, redfish, sbd, ...).

## Why it matters

Before Pacemaker starts a failed host's VMs elsewhere it must know that host is really off; otherwise
a host that only lost its network keeps running the same VMs on the same disks, and two copies of a
database write over each other. Fencing (STONITH) gives that certainty; without it Pacemaker does not
recover resources safely, and Red Hat does not support such a cluster.

## Example

```yaml
platform: {hypervisor: kvm, ha: pacemaker}
```

## Fix

```yaml
platform: {hypervisor: kvm, ha: pacemaker, fencing: ipmi}
```

## References

- https://access.redhat.com/articles/2881341
- https://docs.redhat.com/en/documentation/red_hat_enterprise_linux/8/html/configuring_and_managing_high_availability_clusters/assembly_configuring-fencing-configuring-and-managing-high-availability-clusters
"""

from collections.abc import Iterator

from generator.model.problem import Severity
from generator.rules.context import Finding, RuleContext

ID = "RED010"
NAME = "pacemaker-without-fencing"
SEVERITY = Severity.ERROR
SUMMARY = "A Pacemaker cluster declares no fencing."


def check(ctx: RuleContext) -> Iterator[Finding]:
    platform = ctx.arch.platform
    if platform.ha == "pacemaker" and platform.fencing is None:
        yield Finding(("platform", "ha"), "the Pacemaker cluster has no fencing: it cannot safely restart a failed "
                      "host's VMs elsewhere", "pacemaker", "set platform.fencing (ipmi, redfish or sbd)")
