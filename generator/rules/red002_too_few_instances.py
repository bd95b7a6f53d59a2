"""Too few instances

## What it checks

Each deployed service has at least as many instances as its HA model needs to survive the loss of
one: two for services behind the load balancer (active-active), for a virtual IP, for sharded caches
and for active-passive pairs; three votes for a quorum cluster (galera, rabbitmq, the OVN databases,
etcd), where an arbitrator such as garbd counts as a vote but at least two members must hold data.

## Why it matters

A single instance is a single point of failure. A quorum cluster serves only while a majority of its
votes, `floor(n/2) + 1`, is up: two members need both, so losing either stops the cluster, and
galera then refuses every read and write.

## Example

Galera on two VMs and no arbitrator:

```yaml
vms:
  - {name: db-1, host: host-1, services: [galera]}
  - {name: db-2, host: host-2, services: [galera]}
```

## Fix

Three members, or two members and the garbd arbitrator on a third host:

```yaml
vms:
  - {name: db-1, host: host-1, services: [galera]}
  - {name: db-2, host: host-2, services: [galera]}
  - {name: arb-1, host: host-3, services: [garbd]}
```

## References

- https://docs.openstack.org/ha-guide/intro-ha-key-concepts.html
- https://mariadb.com/docs/galera-cluster/galera-management/configuration/galera-arbitrator-daemon-garbd
- https://docs.openstack.org/ha-guide/control-plane-stateless.html
"""

from collections.abc import Iterator

from generator.catalog import majority
from generator.model.problem import Severity
from generator.rules.context import Finding, RuleContext

ID = "RED002"
NAME = "too-few-instances"
SEVERITY = Severity.ERROR
SUMMARY = "A service has fewer instances than its HA model needs to survive the loss of one."


def check(ctx: RuleContext) -> Iterator[Finding]:
    for sid, facts in ctx.services():
        placements = ctx.placements(sid)
        members = len(placements)
        first = placements[0].at
        if facts.ha_model == "arbitrator":
            continue
        if facts.ha_model == "quorum":
            votes = len(ctx.voters(sid))
            if votes - 1 < majority(votes) or members < 2:
                arbiter = f" and its arbitrator {facts.arbitrator}" if facts.arbitrator and votes > members else ""
                how = (f"run {facts.min_instances} members" +
                       (f", or 2 members and `{facts.arbitrator}` on a third host" if facts.arbitrator else ""))
                yield Finding(first, f"`{sid}` has {members} member{'s' if members != 1 else ''}{arbiter}, "
                              f"{votes} vote{'s' if votes != 1 else ''} in all: losing one leaves {votes - 1}, "
                              f"short of the majority of {majority(votes)}, and {facts.name} stops", sid, how)
        elif members < facts.min_instances:
            yield Finding(first, f"`{sid}` runs on {members} VM{'s' if members != 1 else ''}; as {facts.ha_model} it "
                          f"needs {facts.min_instances} to survive the loss of one", sid,
                          f"run `{sid}` on {facts.recommended_instances} VMs on different hosts")
