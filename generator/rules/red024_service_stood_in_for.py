"""A required service is served by another

## What it checks

A design that does not run a service every control plane needs, for a release in which another service
it runs can do that work instead. Today that is one case: before Nova 2026.1 the eventlet `nova-api`
serves the metadata API as well when `[DEFAULT] enabled_apis` includes `metadata`, so a design for 2025.1
without `nova-metadata` is still a working control plane, and refarch reads `instance-metadata` as
needing `nova-api`.

## Why it matters

It works only if the deployment is configured for it: kolla-ansible and OpenStack-Ansible run a metadata
service of their own, and the WSGI applications of Nova 2026.1 cannot serve both APIs from one process,
so the upgrade to 2026.1 must add the service before anything else. Until then the metadata API fails
with `nova-api`, and its loss takes both.

## Example

```yaml
openstack: {release: "2025.1"}
vms:
  - name: ctl-1
    host: host-1
    services: [haproxy, keepalived, galera, rabbitmq, keystone, glance-api, placement-api, nova-api,
               nova-scheduler, nova-conductor, neutron-server, neutron-l3-agent, neutron-dhcp-agent,
               neutron-metadata-agent]
```

## Fix

Run the service of its own:

```yaml
openstack: {release: "2025.1"}
vms:
  - name: ctl-1
    host: host-1
    services: [haproxy, keepalived, galera, rabbitmq, keystone, glance-api, placement-api, nova-api, nova-metadata,
               nova-scheduler, nova-conductor, neutron-server, neutron-l3-agent, neutron-dhcp-agent,
               neutron-metadata-agent]
```

## References

- https://docs.openstack.org/nova/wallaby/cli/nova-api.html
- https://docs.openstack.org/nova/2025.1/configuration/config.html
- https://docs.openstack.org/nova/latest/wsgi.html
"""

from collections.abc import Iterator

from generator.model.problem import Severity
from generator.rules.context import Finding, RuleContext

ID = "RED024"
NAME = "service-stood-in-for"
SEVERITY = Severity.WARNING
SUMMARY = "A required service runs on no VM, and another does its work in this release only if configured to."


def check(ctx: RuleContext) -> Iterator[Finding]:
    for sid, stand_in in ctx.catalog.stood_in.items():
        facts = ctx.catalog.services[sid]
        release = ctx.arch.openstack.release
        yield Finding(("openstack", "release"), f"`{sid}` ({facts.name}) runs on no VM; with {release} refarch takes "
                      f"`{stand_in}` to serve it, which needs {facts.stand_in.needs}", sid,
                      f"configure that, or run `{sid}` on {facts.recommended_instances} VMs on different hosts (from "
                      f"{facts.stand_in.before_release} it is required)")
