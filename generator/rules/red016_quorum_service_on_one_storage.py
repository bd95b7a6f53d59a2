"""Quorum service on one storage

## What it checks

When storage is declared (`storage:`), a quorum service (galera, rabbitmq, the OVN databases, etcd)
with two or more members whose VMs keep their disks on one storage: either every member, or so many
of its votes (arbitrators such as garbd count) that the others are short of a majority. A VM's
storage is its own `storage:`, or the design's only storage when exactly one is declared.

Every kind counts except `local`, which is each host's own disk rather than one part that fails: a
SAN, NFS share or Cluster Shared Volume fails as a whole, and so does a vSAN or Ceph datastore.
Spreading vSAN or Ceph over the hosts protects the data from host failures, not from the datastore
itself: a partitioned storage network, a full datastore, a bad upgrade or a Ceph pool below
`min_size` stops every VM on it at once, and the impact analysis models that failure for every kind.

## Why it matters

Galera, RabbitMQ and the OVN databases replicate their data between members precisely so that no
single part holds all of it. Put every member's disks on one array and that array is the single
part again: its failure freezes or stops every member at once, and the cluster loses its quorum
however well the VMs are spread over hosts and failure domains. Losing a majority of the votes is
enough: two of three members on one array leave the third short of a majority, and it stops serving.

## Example

Three galera members, all on the one SAN:

```yaml
storage:
  - {name: san-01, kind: san}
vms:
  - {name: db-1, host: host-1, services: [galera]}
  - {name: db-2, host: host-2, services: [galera]}
  - {name: db-3, host: host-3, services: [galera]}
```

## Fix

The members keep their data on their hosts' local disks (galera replicates it); the stateless VMs
stay on the SAN, where they can restart on another host:

```yaml
storage:
  - {name: san-01, kind: san}
  - {name: local, kind: local}
vms:
  - {name: db-1, host: host-1, storage: local, services: [galera]}
  - {name: db-2, host: host-2, storage: local, services: [galera]}
  - {name: db-3, host: host-3, storage: local, services: [galera]}
  - {name: vm-1, host: host-1, storage: san-01, services: [keystone]}
```

## References

- https://github.com/equelin/vsphere-ha-deepdive/blob/master/virtual_san_and_virtual_volumes_specifics.md
- https://www.ibm.com/docs/en/storage-ceph/9.9.1?topic=overview-pool-values
- https://docs.openstack.org/ha-guide/intro-ha-key-concepts.html
"""

from collections.abc import Iterator

from generator.model.problem import Severity
from generator.render import phrases
from generator.rules.context import Finding, RuleContext

ID = "RED016"
NAME = "quorum-service-on-one-storage"
SEVERITY = Severity.ERROR
SUMMARY = "One storage holds the disks of every member, or of a majority of the votes, of a quorum service."


def check(ctx: RuleContext) -> Iterator[Finding]:
    for store in ctx.arch.storage:
        if store.kind == "local":
            continue  # a host's own disk fails with its host
        for loss in ctx.quorum_losses(store.name):
            sid, facts, total = loss.service, loss.facts, len(loss.voters)
            why = phrases.consequence(loss.explanation)  # the engine's cause, in its words
            if loss.everyone:
                message = (f"`{sid}`'s {len(loss.members)} members "
                           f"{', '.join(p.vm.name for p in loss.stopped_members)} all keep their disks on "
                           f"{store.name}: its failure stops {facts.name}: {why}")
            else:
                on = loss.stopped_votes
                message = (f"{len(on)} of `{sid}`'s {total} votes ({', '.join(p.vm.name for p in on)}) keep their "
                           f"disks on {store.name}: its failure stops {facts.name}: {why}")
            limit = f"keep at most {loss.spare} of its {total} votes on any one storage: " if loss.spare else ""
            yield Finding((loss.stopped_members or loss.stopped_votes)[0].at, message, sid,
                          f"{limit}put members' disks on other storage (another array, or the hosts' local disks: "
                          "the members replicate the data themselves)")
