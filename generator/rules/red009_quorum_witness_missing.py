"""Quorum witness missing

## What it checks

A Hyper-V failover cluster, or a KVM Pacemaker cluster, with an even number of hosts and no quorum
witness (`platform.witness`: a disk, file share or cloud witness for Hyper-V, a QDevice for
Pacemaker).

## Why it matters

The management cluster itself keeps a quorum: it acts only while a majority of votes agrees, one
vote per host. With an even number of hosts a split into two equal halves leaves no majority on
either side, and a two-host cluster loses its majority with one host. A witness adds the deciding
vote. Hyper-V's dynamic quorum helps only when hosts leave one at a time.

## Example

```yaml
platform: {hypervisor: hyperv, ha: failover-cluster}
hosts:
  - {name: host-1}
  - {name: host-2}
```

## Fix

```yaml
platform: {hypervisor: hyperv, ha: failover-cluster, witness: file-share}
hosts:
  - {name: host-1}
  - {name: host-2}
```

## References

- http://technet.microsoft.com/en-us/library/jj612870.aspx
- https://manpages.ubuntu.com/manpages/focal/man5/votequorum.5.html
- https://github.com/corosync/corosync-qdevice/
"""

from collections.abc import Iterator

from generator.model.problem import Severity
from generator.rules.context import Finding, RuleContext

ID = "RED009"
NAME = "quorum-witness-missing"
SEVERITY = Severity.ERROR
SUMMARY = "A failover or Pacemaker cluster with an even number of hosts has no quorum witness."


def check(ctx: RuleContext) -> Iterator[Finding]:
    platform = ctx.arch.platform
    hosts = len(ctx.arch.hosts)
    if platform.ha not in ("failover-cluster", "pacemaker") or hosts % 2 or platform.witness is not None:
        return
    witnesses = ctx.catalog.platforms[platform.hypervisor].witnesses
    yield Finding(("platform", "ha"), f"the {platform.ha} cluster has {hosts} hosts and no witness: an even split, "
                  f"or the loss of {hosts // 2} host{'s' if hosts > 2 else ''}, leaves no majority", platform.ha,
                  f"set platform.witness to one of: {', '.join(witnesses)}")
