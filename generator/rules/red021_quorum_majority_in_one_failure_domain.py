"""A failure domain holds a quorum service's majority

## What it checks

When several failure domains (racks, power feeds, chassis) are declared, a quorum service (galera,
rabbitmq, etcd, the OVN databases, the Ceph monitors, and a Nova cell's own database and queue)
whose members in one failure domain carry so many of its votes that losing that domain leaves the
rest without a majority. The compiled failure model decides: the domain's hosts fail, and the
service's quorum gate is read. A service with every member in one domain is RED005's.

## Why it matters

Three Ceph monitors in two racks put two in one rack: that rack's power feed or switch pair then
stops every image upload, every boot from an image and every volume operation, however many hosts
are left. A majority survives a domain only when no domain holds half the votes or more, so an odd
number of members spread over at least three domains (or two domains and a witness, for clusters
that take one).

## Example

```yaml
failure_domains: [rack-a, rack-b]
hosts:
  - {name: host-1, failure_domain: rack-a}
  - {name: host-2, failure_domain: rack-a}
  - {name: host-3, failure_domain: rack-b}
vms:
  - {name: mon-1, host: host-1, services: [ceph-mon]}
  - {name: mon-2, host: host-2, services: [ceph-mon]}
  - {name: mon-3, host: host-3, services: [ceph-mon]}
```

## Fix

```yaml
failure_domains: [rack-a, rack-b, rack-c]
hosts:
  - {name: host-1, failure_domain: rack-a}
  - {name: host-2, failure_domain: rack-b}
  - {name: host-3, failure_domain: rack-c}
vms:
  - {name: mon-1, host: host-1, services: [ceph-mon]}
  - {name: mon-2, host: host-2, services: [ceph-mon]}
  - {name: mon-3, host: host-3, services: [ceph-mon]}
```

## References

- https://docs.ceph.com/en/umbrella/_sources/rados/operations/add-or-rm-mons.rst.txt
- https://docs.openstack.org/ha-guide/intro-ha-key-concepts.html
- https://docs.openstack.org/nova/latest/admin/cells.html
"""

from collections.abc import Iterator

from generator.analysis.scenarios import in_domains
from generator.model.problem import Severity
from generator.render import phrases
from generator.rules.context import Finding, RuleContext

ID = "RED021"
NAME = "quorum-majority-in-one-failure-domain"
SEVERITY = Severity.ERROR
SUMMARY = "One failure domain holds so many members of a quorum service that losing it stops the service."


def check(ctx: RuleContext) -> Iterator[Finding]:
    if len(ctx.arch.failure_domains) < 2:
        return
    model = ctx.model
    quorum = [(sid, facts) for sid, facts in ctx.services() if facts.ha_model == "quorum" and
              f"quorum:{sid}" in model.gates]
    for domain in ctx.arch.failure_domains:
        hosts = {host.name for host in ctx.arch.hosts if host.failure_domain == domain}
        where = {vm.name: None if vm.host in hosts else vm.host for vm in ctx.arch.vms}
        gates = model.evaluate_one(where, ())
        for sid, facts in quorum:
            members = ctx.placements(sid)
            if not gates[f"quorum:{sid}"] or all(p.vm.host in hosts for p in members):
                continue  # it survives the domain's hosts, or every member is there (RED005)
            inside = [p for p in ctx.voters(sid) if p.vm.host in hosts]  # arbitrators' votes count too
            names = ", ".join(p.vm.name for p in inside)
            # The whole domain failing (its power and the parts in it too): the engine says what stops it.
            node = ctx.stops(in_domains(ctx.arch, frozenset([domain])), sid)
            why = f": {phrases.consequence(node)}" if node is not None else ""
            yield Finding(inside[0].at, f"`{sid}` has {len(inside)} of its {len(ctx.voters(sid))} votes in failure "
                          f"domain {domain} ({names}): losing {domain} stops {facts.name}{why}", sid,
                          "spread an odd number of members over at least three failure domains, so that no domain "
                          "holds half the votes")
