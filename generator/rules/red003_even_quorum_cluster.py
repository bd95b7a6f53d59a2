"""Even-sized quorum cluster

## What it checks

A quorum cluster (galera, rabbitmq, the OVN databases, etcd) with an even number of votes, four or
more (two votes are already an error of RED002). Arbitrators count as votes.

## Why it matters

A majority of `n` votes is `floor(n/2) + 1`, so four members tolerate one failure, like three, and six
tolerate two, like five: the extra member adds load and a way to split evenly, and no tolerance.

## Example

```yaml
vms:
  - {name: mq-1, host: host-1, services: [rabbitmq]}
  - {name: mq-2, host: host-2, services: [rabbitmq]}
  - {name: mq-3, host: host-3, services: [rabbitmq]}
  - {name: mq-4, host: host-1, services: [rabbitmq]}
```

## Fix

```yaml
vms:
  - {name: mq-1, host: host-1, services: [rabbitmq]}
  - {name: mq-2, host: host-2, services: [rabbitmq]}
  - {name: mq-3, host: host-3, services: [rabbitmq]}
```

## References

- https://docs.openstack.org/ha-guide/intro-ha-key-concepts.html
- https://docs.openvswitch.org/en/latest/ref/ovsdb.7/
"""

from collections.abc import Iterator

from generator.catalog import majority
from generator.model.problem import Severity
from generator.rules.context import Finding, RuleContext

ID = "RED003"
NAME = "even-quorum-cluster"
SEVERITY = Severity.WARNING
SUMMARY = "A quorum cluster with an even number of votes: no more failures tolerated than with one fewer."


def check(ctx: RuleContext) -> Iterator[Finding]:
    for sid, facts in ctx.services():
        if facts.ha_model != "quorum":
            continue
        votes = len(ctx.voters(sid))
        if votes >= 4 and votes % 2 == 0:
            tolerated = votes - majority(votes)
            yield Finding(ctx.placements(sid)[0].at, f"`{sid}` has {votes} votes: it tolerates {tolerated} "
                          f"failure{'s' if tolerated != 1 else ''}, as {votes - 1} would", sid,
                          f"use {votes - 1} or {votes + 1} members")
