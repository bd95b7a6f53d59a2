"""Required service missing

## What it checks

Every control plane needs a core set of services for its networking flavour: the load balancer and
its virtual IP (haproxy, keepalived), the database (galera), the message bus (rabbitmq), keystone,
the image, placement, compute and networking APIs with the nova scheduler and conductor, and either
the ML2/OVS agents (DHCP, L3, metadata) or the OVN databases and northd. The rule reports each one
that no VM runs.

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
    services: [haproxy, keepalived, galera, rabbitmq, keystone, glance-api, placement-api, nova-api,
               nova-scheduler, nova-conductor, neutron-server, neutron-l3-agent, neutron-metadata-agent]
```

## Fix

Run the missing service on some VM (on several, for redundancy):

```yaml
openstack: {networking: ovs}
vms:
  - name: ctl-1
    host: host-1
    services: [haproxy, keepalived, galera, rabbitmq, keystone, glance-api, placement-api, nova-api,
               nova-scheduler, nova-conductor, neutron-server, neutron-l3-agent, neutron-metadata-agent,
               neutron-dhcp-agent]
```

## References

- https://docs.openstack.org/ha-guide/control-plane-stateless.html
- https://docs.openstack.org/ha-guide/networking-ha-l3-agent.html
- https://docs.openstack.org/neutron/latest/admin/ovn/refarch/refarch.html
"""

from collections.abc import Iterator

from generator.problem import Severity
from generator.rules.context import Finding, RuleContext

ID = "RED001"
NAME = "required-service-missing"
SEVERITY = Severity.ERROR
SUMMARY = "A service every control plane needs (for its networking flavour) runs on no VM."


def check(ctx: RuleContext) -> Iterator[Finding]:
    deployed = set(ctx.deployed())
    networking = ctx.arch.openstack.networking
    for sid in ctx.catalog.required_services(networking):
        if sid not in deployed:
            facts = ctx.catalog.services[sid]
            yield Finding(("vms",), f"`{sid}` ({facts.name}) runs on no VM; every control plane with {networking} "
                          "networking needs it", sid,
                          f"{facts.role} Run it on {facts.recommended_instances} VMs on different hosts.")
