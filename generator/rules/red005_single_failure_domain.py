"""All instances in one failure domain

## What it checks

When several failure domains (racks, power feeds, chassis) are declared, a service with two or more
instances whose hosts all sit in the same domain.

## Why it matters

A failure domain fails as a whole: a rack switch or a power feed takes every host in it. Spreading a
service over hosts helps nothing when all of those hosts share the domain.

## Example

```yaml
failure_domains: [rack-a, rack-b]
hosts:
  - {name: host-1, failure_domain: rack-a}
  - {name: host-2, failure_domain: rack-a}
  - {name: host-3, failure_domain: rack-b}
vms:
  - {name: lb-1, host: host-1, services: [haproxy]}
  - {name: lb-2, host: host-2, services: [haproxy]}
```

## Fix

```yaml
failure_domains: [rack-a, rack-b]
hosts:
  - {name: host-1, failure_domain: rack-a}
  - {name: host-2, failure_domain: rack-a}
  - {name: host-3, failure_domain: rack-b}
vms:
  - {name: lb-1, host: host-1, services: [haproxy]}
  - {name: lb-2, host: host-3, services: [haproxy]}
```

## References

- https://docs.openstack.org/arch-design/arch-requirements/arch-requirements-ha.html
- https://docs.mirantis.com/mcp/q4-18/mcp-ref-arch/openstack-environment-plan/vcp-plan/ha-plan.html
"""

from collections.abc import Iterator

from generator.model.problem import Severity
from generator.rules.context import Finding, RuleContext

ID = "RED005"
NAME = "single-failure-domain"
SEVERITY = Severity.ERROR
SUMMARY = "Every instance of a service sits in one failure domain although several are declared."


def check(ctx: RuleContext) -> Iterator[Finding]:
    if len(ctx.arch.failure_domains) < 2:
        return
    for sid, facts in ctx.services():
        placements = ctx.placements(sid)
        if facts.ha_model == "arbitrator" or len(placements) < 2:
            continue
        domains = {ctx.host(p.vm.host).failure_domain for p in placements}
        if len(domains) == 1 and None not in domains:
            [domain] = domains
            yield Finding(placements[0].at, f"every instance of `{sid}` runs on hosts in failure domain {domain}: "
                          f"losing {domain} stops {ctx.catalog.services[sid].name}", sid,
                          "place at least one instance on a host in another failure domain")
