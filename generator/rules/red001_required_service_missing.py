"""Required service missing

## What it checks

Every control plane needs a core set of services for its networking flavour: the load balancer and
its virtual IP (haproxy, keepalived), the database (galera), the message bus (rabbitmq), keystone,
the image, placement, compute, metadata and networking APIs with the nova scheduler and conductor,
and either the ML2/OVS agents (DHCP, L3, metadata) or the OVN databases and northd. The rule reports
each one that no VM runs, unless another service does its work in the design's release (`nova-api`
serving metadata before 2026.1): RED024 reports that.

It also reports a service that a deployed one requires with this design's settings and that no VM
runs (active-active cinder-volume with Ceph locks through its `coordination` back end: etcd, valkey
or zookeeper), and a Nova cell (`openstack.cells`) without its own database (galera), message queue
(rabbitmq) or conductor (nova-conductor) on the VMs that name it.

## Why it matters

Without one of them some basic operation cannot work at all, however redundant the rest is: without
the DHCP agent (ML2/OVS) new instances get no address; without rabbitmq nothing can be booted. The
catalog page lists what each service does and what stops without it.

## Example

With `networking: ovs` and no VM running `neutron-dhcp-agent`:

```yaml
openstack: {networking: ovs}
vms:
  - name: ctl-1
    host: host-1
    services: [haproxy, keepalived, galera, rabbitmq, keystone, glance-api, placement-api, nova-api, nova-metadata,
               nova-scheduler, nova-conductor, neutron-server, neutron-l3-agent, neutron-metadata-agent]
```

## Fix

Run the missing service on some VM (on several, for redundancy):

```yaml
openstack: {networking: ovs}
vms:
  - name: ctl-1
    host: host-1
    services: [haproxy, keepalived, galera, rabbitmq, keystone, glance-api, placement-api, nova-api, nova-metadata,
               nova-scheduler, nova-conductor, neutron-server, neutron-l3-agent, neutron-metadata-agent,
               neutron-dhcp-agent]
```

## References

- https://docs.openstack.org/ha-guide/control-plane-stateless.html
- https://docs.openstack.org/ha-guide/networking-ha-l3-agent.html
- https://docs.openstack.org/neutron/latest/admin/ovn/refarch/refarch.html
"""

from collections.abc import Iterator

from generator.catalog import releases
from generator.model.problem import Severity
from generator.rules.context import Finding, RuleContext

ID = "RED001"
NAME = "required-service-missing"
SEVERITY = Severity.ERROR
SUMMARY = ("A service every control plane needs (for its networking flavour), a service a deployed one requires, "
           "or a Nova cell's own database, queue or conductor runs on no VM.")
CELL_CORE = ("galera", "rabbitmq", "nova-conductor")  # what each Nova cell runs of its own


def _stand_in_hint(ctx: RuleContext, sid: str) -> str:
    """How an older release's stand-in could serve it, where the catalog knows one."""
    stand_in = ctx.catalog.services[sid].stand_in
    if stand_in is None:
        return ""
    named = ctx.arch.openstack.release
    if releases.order(named) is not None:
        if not releases.before(named, stand_in.before_release):
            return f" From {stand_in.before_release} `{stand_in.service}` can no longer serve it."
        return f" Before {stand_in.before_release} `{stand_in.service}` could serve it, but no VM runs that either."
    return (f" For a release before {stand_in.before_release}, `{stand_in.service}` can serve it instead with "
            f"{stand_in.needs}: name that release in `openstack.release` (quoted, \"2025.1\").")


def check(ctx: RuleContext) -> Iterator[Finding]:
    deployed = set(ctx.deployed())
    networking = ctx.arch.openstack.networking
    required = ctx.catalog.required_services(networking)
    for sid in required:
        if sid not in deployed and sid not in ctx.catalog.stood_in:  # a stand-in: RED024 says so
            facts = ctx.catalog.services[sid]
            yield Finding(("vms",), f"`{sid}` ({facts.name}) runs on no VM; every control plane with {networking} "
                          "networking needs it", sid,
                          f"{facts.role} Run it on {facts.recommended_instances} VMs on different hosts."
                          + _stand_in_hint(ctx, sid))
    reported = set(required)
    for sid, facts in ctx.services():
        for dep in facts.requires:
            if dep in deployed or dep in reported or ctx.catalog.services[dep].external or "@" in dep:
                continue
            reported.add(dep)
            needed = ctx.catalog.services[dep]
            yield Finding(ctx.placements(sid)[0].at, f"`{sid}` requires `{dep}` ({needed.name}) in this design, "
                          "and no VM runs it", dep,
                          f"{needed.role} Run it on {needed.recommended_instances} VMs on different hosts, or change "
                          "the setting that makes it needed (see the catalog page).")
    for index, cell in enumerate(ctx.arch.openstack.cells):
        for base in CELL_CORE:
            if f"{base}@{cell}" not in deployed:
                facts = ctx.catalog.services[base]
                yield Finding(("openstack", "cells", index), f"Nova cell `{cell}` runs no `{base}` ({facts.name}) of "
                              "its own", f"{base}@{cell}",
                              f"Run it on {facts.recommended_instances} VMs with `cell: {cell}`, on different hosts.")
