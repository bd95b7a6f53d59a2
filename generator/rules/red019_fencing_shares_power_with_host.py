"""Fencing shares power with the host

## What it checks

A Pacemaker cluster (`ha: pacemaker`) whose fencing levels (`platform.fencing`) all lose power with
some host they fence: a BMC (ipmi, redfish, `powered_by: host`, the default, and what `fencing: ipmi`
means), or a device powered by the host's own failure domain (a switched PDU in the host's rack). A
level survives a host's power loss when it is `sbd` (the node's watchdog resets it; nothing has to
answer), or is powered from another failure domain. One such level for every host is enough. Hosts
in no failure domain are not judged: the only power loss refarch models for them is their own
failure, which leaves a BMC answering.

## Why it matters

Pacemaker starts a lost host's VMs elsewhere only once a fence device has confirmed that the host is
off. When the host loses power, say its rack's feed or PDU fails, its BMC goes dark with it: the
fence request times out, Pacemaker keeps retrying, and it restarts none of that host's VMs until
someone confirms by hand that the host is down. Exactly the failure that fencing exists for then
blocks recovery. Fencing levels (topology) solve it: the BMC first, then a level that does not need
the host's power.

## Example

IPMI as the only level (the BMC is powered by its host), hosts in racks:

```yaml
platform: {hypervisor: kvm, ha: pacemaker, fencing: ipmi}
failure_domains: [rack-a]
hosts:
  - {name: host-1, failure_domain: rack-a}
  - {name: host-2}
  - {name: host-3}
```

## Fix

IPMI first, then SBD (or a switched PDU powered from another failure domain, `powered_by: rack-b`):

```yaml
platform:
  hypervisor: kvm
  ha: pacemaker
  fencing:
    - {name: ipmi, kind: ipmi}
    - {name: sbd, kind: sbd}
```

## References

- https://docs.redhat.com/en/documentation/red_hat_enterprise_linux/10/administer-configuring_fencing_levels
- https://github.com/apache/cloudstack/pull/13589
- https://access.redhat.com/articles/2881341
"""

from collections.abc import Iterator

from generator.model.architecture import HOST_POWERED
from generator.model.problem import Severity
from generator.rules.context import Finding, RuleContext

ID = "RED019"
NAME = "fencing-shares-power-with-host"
SEVERITY = Severity.WARNING
SUMMARY = "Every Pacemaker fencing level loses power with the host it fences, so a power loss blocks recovery."


def check(ctx: RuleContext) -> Iterator[Finding]:
    platform = ctx.arch.platform
    if platform.ha != "pacemaker" or not platform.fencing:
        return  # no fencing at all is RED010
    levels = platform.fencing
    # A host in no failure domain has no power loss apart from its own failure, which leaves its BMC
    # answering: only hosts in a failure domain can strand their fencing. The failure model's fencing
    # gates decide, with the host and its domain's power gone.
    stranded = [host for host in ctx.arch.hosts if host.failure_domain is not None and ctx.model.platform_state(
        {f"host:{host.name}", f"power:{host.failure_domain}"}).get(f"unfenced:{host.name}")]
    if not stranded:
        return
    whom = ("any host" if len(stranded) == len(ctx.arch.hosts) else
            f"host{'s' if len(stranded) > 1 else ''} {', '.join(host.name for host in stranded)}")
    their = "its" if len(stranded) == 1 else "their"
    why = ", ".join(f"`{level.name}` loses power with the host it fences" if level.powered_by in HOST_POWERED
                    else f"`{level.name}` is powered by {level.powered_by}, {their} own failure domain"
                    for level in levels)
    yield Finding(("platform", "fencing"), f"no fencing level survives a power loss of {whom}: {why}; Pacemaker "
                  "then cannot confirm that the host is off, and restarts none of its VMs", levels[0].name,
                  "add, after the others, a level that does not need the host's power: sbd, or a switched PDU "
                  "powered from another failure domain (powered_by: that domain)")
