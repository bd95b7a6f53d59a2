"""Mandatory anti-affinity the platform cannot enforce

## What it checks

`platform.anti_affinity: mandatory` (keep a service's VMs on different hosts even during failover,
leaving a VM down rather than next to a sibling) on a platform whose mechanism cannot promise that.
Hyper-V's `AntiAffinityClassNames` is a preference: the cluster ignores it when no other node is
available. `preferred` is always accepted.

## Why it matters

The impact analysis believes the setting. If the platform may in fact restart two galera members on
one host, the design is one host failure away from losing quorum, and the analysis would not say so.

## Example

```yaml
platform: {hypervisor: hyperv, ha: failover-cluster, witness: disk, anti_affinity: mandatory}
```

## Fix

```yaml
platform: {hypervisor: hyperv, ha: failover-cluster, witness: disk, anti_affinity: preferred}
```

## References

- https://learn.microsoft.com/en-us/previous-versions/windows/desktop/mscs/groups-antiaffinityclassnames
- https://docs.vmware.com/en/VMware-vSphere/6.5/com.vmware.vsphere.avail.doc/GUID-E137A9F8-17E4-4DE7-B986-94A0999CF327.html
- https://access.redhat.com/documentation/en-us/red_hat_enterprise_linux/9/html/configuring_and_managing_high_availability_clusters/assembly_colocating-cluster-resources.adoc_configuring-and-managing-high-availability-clusters
"""

from collections.abc import Iterator

from generator.problem import Severity
from generator.rules.context import Finding, RuleContext

ID = "RED011"
NAME = "anti-affinity-not-enforced"
SEVERITY = Severity.WARNING
SUMMARY = "Mandatory anti-affinity on a platform whose mechanism only prefers it."


def check(ctx: RuleContext) -> Iterator[Finding]:
    platform = ctx.arch.platform
    if platform.anti_affinity != "mandatory" or platform.ha == "none":
        return
    facts = ctx.catalog.platforms[platform.hypervisor]
    mechanism = facts.anti_affinity["mandatory"]
    if not mechanism.enforced:
        yield Finding(("platform", "anti_affinity"), f"{facts.name} cannot enforce mandatory anti-affinity: it uses "
                      f"{mechanism.mechanism}", platform.ha,
                      "set anti_affinity: preferred, so that the impact analysis models what the platform does")
