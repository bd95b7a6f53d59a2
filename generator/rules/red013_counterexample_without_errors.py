"""Counterexample without errors

## What it checks

An architecture with `status: counterexample` raises at least one error from the rules. Its errors
are expected: they are reported, marked as expected, and do not make `refarch validate` fail.

## Why it matters

A counterexample exists to show a design that fails, and why. If a change to the rules or the file
makes it pass, the page explaining its failure would be wrong, so the build says so.

## Example

A design that passes every rule, marked as a counterexample:

```yaml
status: counterexample
vms:
  - name: ctl-1
    host: host-1
    services: [haproxy, keepalived, galera, rabbitmq, keystone, glance-api, placement-api, nova-api, nova-metadata,
               nova-scheduler, nova-conductor, neutron-server, neutron-dhcp-agent, neutron-l3-agent,
               neutron-metadata-agent]
  - name: ctl-2
    host: host-2
    services: [haproxy, keepalived, galera, rabbitmq, keystone, glance-api, placement-api, nova-api, nova-metadata,
               nova-scheduler, nova-conductor, neutron-server, neutron-dhcp-agent, neutron-l3-agent,
               neutron-metadata-agent]
  - name: ctl-3
    host: host-3
    services: [haproxy, keepalived, galera, rabbitmq, keystone, glance-api, placement-api, nova-api, nova-metadata,
               nova-scheduler, nova-conductor, neutron-server, neutron-dhcp-agent, neutron-l3-agent,
               neutron-metadata-agent]
```

## Fix

Mark it as what it is:

```yaml
status: reference
```

## References

- https://docs.openstack.org/ha-guide/intro-ha-key-concepts.html
"""

from collections.abc import Iterator

from generator.model.problem import Severity
from generator.rules.context import Finding, RuleContext

ID = "RED013"
NAME = "counterexample-without-errors"
SEVERITY = Severity.ERROR
SUMMARY = "A counterexample that no rule finds fault with."


def review(ctx: RuleContext, errors: int) -> Iterator[Finding]:
    """A finding when the architecture is a counterexample and the rules found `errors` == 0 errors."""
    if ctx.arch.status == "counterexample" and errors == 0:
        yield Finding(("status",), "this counterexample raises no error, so it shows nothing that fails",
                      ctx.arch.id, "set status: reference or example, or restore what it was meant to show")
