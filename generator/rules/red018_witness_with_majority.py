"""Witness in the failure domain of half the hosts

## What it checks

A quorum witness that declares its failure domain (`platform.witness.failure_domain`) sits in the
failure domain of at least half of the management cluster's hosts. Only for clusters whose quorum
decides (failover-cluster, and Pacemaker unless `no_quorum_policy: ignore`).

## Why it matters

The witness is the deciding vote when the hosts split evenly, typically two racks or two rooms with
half of the hosts each. Placed in one of those rooms, it fails with the hosts it should outvote: losing
that room takes half of the hosts' votes plus the witness, the other half is short of a majority,
and the whole cluster stops (a failover cluster takes every clustered VM offline, Pacemaker stops
its resources). The witness belongs in a third place, or in the cloud, so that either half plus the
witness keeps quorum.

## Example

Four hosts in two racks, the QDevice in the first:

```yaml
platform:
  hypervisor: kvm
  ha: pacemaker
  fencing: ipmi
  witness: {kind: qdevice, failure_domain: rack-a}
failure_domains: [rack-a, rack-b]
hosts:
  - {name: host-1, failure_domain: rack-a}
  - {name: host-2, failure_domain: rack-a}
  - {name: host-3, failure_domain: rack-b}
  - {name: host-4, failure_domain: rack-b}
```

## Fix

The QDevice (corosync-qnetd) in a third rack:

```yaml
platform:
  hypervisor: kvm
  ha: pacemaker
  fencing: ipmi
  witness: {kind: qdevice, failure_domain: rack-c}
failure_domains: [rack-a, rack-b, rack-c]
hosts:
  - {name: host-1, failure_domain: rack-a}
  - {name: host-2, failure_domain: rack-a}
  - {name: host-3, failure_domain: rack-b}
  - {name: host-4, failure_domain: rack-b}
```

## References

- https://learn.microsoft.com/en-us/powershell/module/failoverclusters/get-clusterquorum
- http://technet.microsoft.com/en-us/library/jj612870.aspx
- https://github.com/corosync/corosync-qdevice/
"""

from collections.abc import Iterator

from generator.analysis.compile import cluster_has_quorum
from generator.analysis.scenarios import in_domains
from generator.model.problem import Severity
from generator.render import phrases
from generator.rules.context import Finding, RuleContext

ID = "RED018"
NAME = "witness-with-majority"
SEVERITY = Severity.ERROR
SUMMARY = "The quorum witness shares a failure domain with half of the hosts or more, and fails with them."


def check(ctx: RuleContext) -> Iterator[Finding]:
    witness = ctx.arch.platform.witness
    if witness is None or witness.failure_domain is None or not cluster_has_quorum(ctx.arch):
        return
    domain = witness.failure_domain
    inside = [host.name for host in ctx.arch.hosts if host.failure_domain == domain]
    # The engine decides, and says what it does: the whole domain failing, the witness with it.
    phase = ctx.engine.phase(in_domains(ctx.arch, frozenset([domain])), "immediate", margins=False)
    quorum = [node for node in phase.effects if node.kind == "quorum-lost"]
    if not quorum:
        return
    witnesses = ctx.catalog.platforms[ctx.arch.platform.hypervisor].witnesses
    yield Finding(("platform", "witness", "failure_domain"),
                  f"the witness `{witness.name}` is in failure domain {domain} with {len(inside)} of the "
                  f"{len(ctx.arch.hosts)} hosts ({', '.join(inside)}): losing {domain}, "
                  f"{phrases.effect_words(quorum, 'immediate')[0]}", witness.name,
                  "move the witness to a failure domain with fewer than half of the hosts, best one with none (a "
                  "third rack, room or site)" + (", or use a cloud witness" if "cloud" in witnesses else ""))
