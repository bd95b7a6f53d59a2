"""Pacemaker ignores the loss of quorum

## What it checks

A Pacemaker cluster set to `no_quorum_policy: ignore`.

## Why it matters

With `ignore`, a partition without quorum carries on as if it had it: it keeps its VMs and, once it has
fenced the nodes it cannot see, restarts theirs. When the other nodes are dead, that keeps the
survivors serving. When a network split leaves both sides alive, each races to fence the other; where
fencing cannot reach across the split (a BMC behind the lost switch, fencing switched off), both sides
run the same VMs at once: two Galera primaries that each accept writes, one disk image written from
two hosts. refarch takes the side without a majority to lose its VMs, but the real outcome depends on
who fences first. Quorum exists to make one side yield.

## Example

```yaml
platform: {hypervisor: kvm, ha: pacemaker, fencing: ipmi, no_quorum_policy: ignore}
```

## Fix

The default, `stop` (or `freeze`, to keep a partition's VMs without starting others), with a quorum
device for an even number of nodes:

```yaml
platform: {hypervisor: kvm, ha: pacemaker, fencing: ipmi, witness: qdevice}
```

## References

- https://github.com/ClusterLabs/pacemaker/blob/main/doc/sphinx/Pacemaker_Explained/cluster-options.rst
- https://manpages.ubuntu.com/manpages/focal/man5/votequorum.5.html
"""

from collections.abc import Iterator

from generator.model.problem import Severity
from generator.rules.context import Finding, RuleContext

ID = "RED022"
NAME = "quorum-policy-ignore"
SEVERITY = Severity.WARNING
SUMMARY = "Pacemaker keeps running without quorum, so both sides of a split can run the same VMs."


def check(ctx: RuleContext) -> Iterator[Finding]:
    platform = ctx.arch.platform
    if platform.ha == "pacemaker" and platform.no_quorum_policy == "ignore":
        yield Finding(("platform", "no_quorum_policy"), "no-quorum-policy=ignore: a partition without quorum keeps its "
                      "VMs and restarts the others' once it has fenced them, so in a network split both sides race "
                      "to fence each other, and where fencing cannot reach across, both run the same VMs (two "
                      "Galera primaries, one disk written from two hosts)", "pacemaker",
                      "use stop (the default) or freeze, with a quorum device (witness: qdevice) for an even number "
                      "of hosts")
