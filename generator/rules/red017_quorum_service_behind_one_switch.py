"""Quorum service behind one switch

## What it checks

When switches are declared (`switches:`), a switch that is the only connection of hosts running a
quorum service's members (galera, rabbitmq, the OVN databases, etcd; two or more members): either
every member, or so many of its votes (arbitrators such as garbd count) that the members left are
short of a majority. A host connected through two switches is not cut off by either alone; a host
listed under no switch is taken as one whose network is not modelled, and never counts.

## Why it matters

A host whose only switch fails keeps running, but its VMs reach neither their clients nor the other
members. Spreading members over hosts and racks helps nothing when the same top-of-rack switch is the
one path out of all of those hosts: its failure cuts every member off, or leaves the connected ones
without a majority, and the service stops. The platform restarts cut-off VMs elsewhere at best after
its isolation or fencing delay, and only if the hosts still connected keep the cluster's own quorum
(a vSphere host with the default isolation response keeps them running, unreachable).

## Example

Every host connected only through one top-of-rack switch:

```yaml
switches:
  - {name: tor-1, hosts: [host-1, host-2, host-3]}
vms:
  - {name: db-1, host: host-1, services: [galera]}
  - {name: db-2, host: host-2, services: [galera]}
  - {name: db-3, host: host-3, services: [galera]}
```

## Fix

Each host bonded to two switches (MLAG, or two independent uplinks):

```yaml
switches:
  - {name: tor-1, hosts: [host-1, host-2, host-3]}
  - {name: tor-2, hosts: [host-1, host-2, host-3]}
vms:
  - {name: db-1, host: host-1, services: [galera]}
  - {name: db-2, host: host-2, services: [galera]}
  - {name: db-3, host: host-3, services: [galera]}
```

## References

- https://linkedin.github.io/school-of-sre/level102/networking/infrastructure-features/
- https://docs.vmware.com/en/VMware-Cloud-Foundation/2.1.3/com.vmware.vcf.ovdeploy.doc_213/GUID-C9DAC937-367A-4262-AB1F-5EE39DA34692.html
- https://learn.microsoft.com/en-us/powershell/module/failoverclusters/get-clusterquorum
"""

from collections.abc import Iterator

from generator.model.problem import Severity
from generator.render import phrases
from generator.rules.context import Finding, RuleContext

ID = "RED017"
NAME = "quorum-service-behind-one-switch"
SEVERITY = Severity.ERROR
SUMMARY = "One switch is the only connection of the hosts of every member, or of a majority, of a quorum service."


def check(ctx: RuleContext) -> Iterator[Finding]:
    for switch in ctx.arch.switches:
        for loss in ctx.quorum_losses(switch.name):
            sid, facts, total = loss.service, loss.facts, len(loss.voters)
            cut = sorted(h for h in ctx.model.isolating if loss.state.get(f"isolated:{h}"))
            hosts = f"host{'s' if len(cut) > 1 else ''} {', '.join(cut)}"
            stopped = loss.stopped_members if loss.everyone else loss.stopped_votes
            names = ", ".join(p.vm.name for p in stopped)
            # What stops it is the engine's to say: the members cut off, or what their loss does to the
            # cluster's quorum or to storage spread over the hosts.
            why = phrases.consequence(loss.explanation)
            if loss.everyone and all(p.vm.host in cut for p in stopped):
                message = (f"`{sid}`'s {len(loss.members)} members {names} run on {hosts}, connected only through "
                           f"switch {switch.name}: its failure stops {facts.name}: {why}")
            else:
                run = "run" if len(cut) > 1 else "runs"
                on = [p.vm.name for p in loss.stopped_votes if p.vm.host in cut]
                holds = f", which {run} {len(on)} of `{sid}`'s {total} votes ({', '.join(on)})" if on else ""
                message = (f"switch {switch.name} is the only connection of {hosts}{holds}: its failure stops "
                           f"{facts.name}: {why}")
            yield Finding(stopped[0].at, message, sid,
                          f"connect {hosts} through a second switch as well (list them under another "
                          "switch's hosts), or move members to hosts connected through another switch")
