"""Service of the other networking flavour

## What it checks

A VM runs a service that belongs to the networking flavour the architecture does not use: an OVN
database or northd with `networking: ovs`, or an ML2/OVS agent with `networking: ovn`.

## Why it matters

Such a service does nothing for this control plane; more likely the `networking` setting is wrong,
and then the required-service and impact analyses judge the wrong design.

## Example

```yaml
openstack: {networking: ovs}
vms:
  - {name: ctl-1, host: host-1, services: [ovn-nb-db]}
```

## Fix

```yaml
openstack: {networking: ovn}
vms:
  - {name: ctl-1, host: host-1, services: [ovn-nb-db]}
```

## References

- https://docs.openstack.org/neutron/latest/admin/ovn/refarch/refarch.html
"""

from collections.abc import Iterator

from generator.model.problem import Severity
from generator.rules.context import Finding, RuleContext

ID = "RED014"
NAME = "service-of-other-networking"
SEVERITY = Severity.WARNING
SUMMARY = "A VM runs a service of the networking flavour the architecture does not use."


def check(ctx: RuleContext) -> Iterator[Finding]:
    networking = ctx.arch.openstack.networking
    for sid, facts in ctx.services():
        if not facts.belongs_to(networking):
            yield Finding(ctx.placements(sid)[0].at, f"`{sid}` belongs to {facts.networking} networking, but "
                          f"openstack.networking is {networking}", sid,
                          f"remove `{sid}`, or set openstack.networking: {facts.networking}")
