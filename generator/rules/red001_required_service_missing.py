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
or zookeeper), a service that a setting makes an operation need (with `encrypted_volumes: true`,
attaching a volume needs barbican-api), and a Nova cell (`openstack.cells`) without its own
database (galera), message queue (rabbitmq) or conductor (nova-conductor) on the VMs that name it.

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


def _needed_by_settings(ctx: RuleContext, deployed: set[str], reported: set[str]) -> Iterator[Finding]:
    """Services that a setting makes operations need (`encrypted_volumes: true`: barbican-api to attach a
    volume), where the design runs the rest of what those operations need and no VM runs that service."""
    settings = ctx.arch.openstack.model_dump(mode="json")
    design = ctx.catalog.for_design(settings)
    networking = ctx.arch.openstack.networking

    def there(sid: str) -> bool:
        facts = design.services[sid]
        return sid in deployed or facts.deploy == "required" or facts.external

    needing: dict[tuple[str, str], list[str]] = {}  # (service, setting) -> the operations it makes need it
    for operation in design.operations.values():
        needs = operation.needs(networking)
        for variant in operation.variants:
            if not variant.matches(settings):
                continue
            setting = next(iter(variant.when))
            for dep in variant.requires:
                others = [s for s in needs.requires if s != dep]
                if not there(dep) and dep not in reported and others and all(there(s) for s in others):
                    needing.setdefault((dep, setting), []).append(operation.name.lower())
    for (dep, setting), operations in needing.items():
        if dep in reported:
            continue
        reported.add(dep)
        value = settings[setting]
        shown = str(value).lower() if isinstance(value, bool) else value
        needed = design.services[dep]
        yield Finding(("openstack", setting), f"with `{setting}: {shown}`, {_and(operations)} need "
                      f"`{dep}` ({needed.name}), and no VM runs it", dep,
                      f"Run it on {needed.recommended_instances} VMs on different hosts, or change the setting.")


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


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
    yield from _needed_by_settings(ctx, deployed, reported)
    for index, cell in enumerate(ctx.arch.openstack.cells):
        for base in CELL_CORE:
            if f"{base}@{cell}" not in deployed:
                facts = ctx.catalog.services[base]
                yield Finding(("openstack", "cells", index), f"Nova cell `{cell}` runs no `{base}` ({facts.name}) of "
                              "its own", f"{base}@{cell}",
                              f"Run it on {facts.recommended_instances} VMs with `cell: {cell}`, on different hosts.")
