"""A single host failure stops an operation

## What it checks

For every host of the management cluster: does its failure alone stop any control-plane operation
(authenticate, boot an instance, attach a volume, ...) right after the failure, before the platform
has restarted anything? The failure-impact engine decides, with quorum semantics: a quorum cluster
stops without a majority of its votes, other services when no instance is left, and a service also
stops when one it requires stops.

## Why it matters

Surviving the loss of any one host is the point of running the control plane as clustered VMs on a
cluster of several hosts. Replica counts and anti-affinity can each look right and still combine
into a single point of failure, for instance two of three database members placed, through
different VMs, on one host.

## Example

Two of the three rabbitmq members on one host:

```yaml
vms:
  - name: ctl-1
    host: host-1
    services: [haproxy, keepalived, galera, rabbitmq, keystone, glance-api, placement-api, nova-api, nova-metadata,
               nova-scheduler, nova-conductor, neutron-server, neutron-dhcp-agent, neutron-l3-agent,
               neutron-metadata-agent]
  - {name: mq-1, host: host-1, services: [rabbitmq]}
  - name: ctl-2
    host: host-2
    services: [haproxy, keepalived, galera, keystone, glance-api, placement-api, nova-api, nova-metadata,
               nova-scheduler, nova-conductor, neutron-server, neutron-dhcp-agent, neutron-l3-agent,
               neutron-metadata-agent]
  - name: ctl-3
    host: host-3
    services: [haproxy, keepalived, galera, rabbitmq, keystone, glance-api, placement-api, nova-api, nova-metadata,
               nova-scheduler, nova-conductor, neutron-server, neutron-dhcp-agent, neutron-l3-agent,
               neutron-metadata-agent]
```

## Fix

One member per host:

```yaml
vms:
  - name: ctl-1
    host: host-1
    services: [haproxy, keepalived, galera, rabbitmq, keystone, glance-api, placement-api, nova-api, nova-metadata,
               nova-scheduler, nova-conductor, neutron-server, neutron-dhcp-agent, neutron-l3-agent,
               neutron-metadata-agent]
  - {name: mq-1, host: host-2, services: [rabbitmq]}
  - name: ctl-2
    host: host-2
    services: [haproxy, keepalived, galera, keystone, glance-api, placement-api, nova-api, nova-metadata,
               nova-scheduler, nova-conductor, neutron-server, neutron-dhcp-agent, neutron-l3-agent,
               neutron-metadata-agent]
  - name: ctl-3
    host: host-3
    services: [haproxy, keepalived, galera, rabbitmq, keystone, glance-api, placement-api, nova-api, nova-metadata,
               nova-scheduler, nova-conductor, neutron-server, neutron-dhcp-agent, neutron-l3-agent,
               neutron-metadata-agent]
```

## References

- https://docs.openstack.org/ha-guide/intro-ha-key-concepts.html
- https://docs.openstack.org/ha-guide/control-plane-stateful.html
- https://docs.openstack.org/arch-design/arch-requirements/arch-requirements-ha.html
"""

from collections.abc import Iterator

from generator.analysis.engine import DOWN
from generator.analysis.scenarios import Scenario, single_hosts
from generator.model.problem import Severity
from generator.render import phrases
from generator.rules.context import Finding, RuleContext

ID = "RED006"
NAME = "single-host-failure-stops-operation"
SEVERITY = Severity.ERROR
SUMMARY = "The failure of one host stops a control-plane operation."


def check(ctx: RuleContext) -> Iterator[Finding]:
    engine = ctx.engine
    # Operations this design offers at all (not those needing a service it does not deploy).
    working = engine.phase(Scenario(), "immediate", margins=False).operations
    control = [oid for oid in ctx.catalog.control_operations if working[oid].state != DOWN]
    for index, scenario in enumerate(single_hosts(ctx.arch)):
        phase = engine.phase(scenario, "immediate", margins=False)
        stopped = [oid for oid in control if phase.operations[oid].state == DOWN]
        if stopped:
            [host] = scenario.hosts
            first = phase.operations[stopped[0]]
            more = f" (and {len(stopped) - 1} more)" if len(stopped) > 1 else ""
            yield Finding(("hosts", index, "name"), f"if host {host} fails, {stopped[0]}{more} stops: it "
                          f"{phrases.why(first)}", host, "spread the members of that service over more hosts")
