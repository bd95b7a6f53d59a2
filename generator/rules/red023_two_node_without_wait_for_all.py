"""Two-node cluster without wait_for_all

## What it checks

A Pacemaker cluster of two hosts with Corosync's `two_node` (one vote of two keeps quorum; pcs sets it
for two nodes without a quorum device) and `wait_for_all` turned off.

## Why it matters

With `two_node`, either node alone is quorate. `wait_for_all`, which `two_node` turns on by default,
keeps a node that boots alone from taking quorum before it has seen its peer once. Without it, after a
split or a power cut, a node that boots on its own becomes quorate, fences its peer, and starts every
VM, while the peer it cannot see may still be running them: a fence race at every boot. refarch's
failure analysis does not model booting, so this finding is the only place the risk shows.

## Example

```yaml
platform: {hypervisor: kvm, ha: pacemaker, fencing: ipmi, two_node: true, wait_for_all: false}
hosts:
  - {name: host-1}
  - {name: host-2}
```

## Fix

Keep `wait_for_all` (the default with `two_node`), or add a quorum device instead of `two_node`:

```yaml
platform: {hypervisor: kvm, ha: pacemaker, fencing: ipmi, witness: qdevice}
hosts:
  - {name: host-1}
  - {name: host-2}
```

## References

- https://manpages.ubuntu.com/manpages/focal/man5/votequorum.5.html
- https://github.com/ClusterLabs/pacemaker/blob/main/doc/sphinx/Pacemaker_Explained/cluster-options.rst
"""

from collections.abc import Iterator

from generator.analysis.compile import two_node
from generator.model.problem import Severity
from generator.rules.context import Finding, RuleContext

ID = "RED023"
NAME = "two-node-without-wait-for-all"
SEVERITY = Severity.WARNING
SUMMARY = "A two-node Pacemaker cluster lets a node booting alone take quorum."


def check(ctx: RuleContext) -> Iterator[Finding]:
    if two_node(ctx.arch) and ctx.arch.platform.wait_for_all is False:
        yield Finding(("platform", "wait_for_all"), "two_node without wait_for_all: a node that boots alone is "
                      "quorate at once, fences its peer and starts every VM, even while that peer still runs them",
                      "pacemaker", "keep wait_for_all (the default with two_node), or use a quorum device "
                      "(witness: qdevice)")
