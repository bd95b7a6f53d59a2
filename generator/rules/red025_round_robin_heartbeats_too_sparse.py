"""Too many health managers for round-robin heartbeats

## What it checks

A service whose clients send each heartbeat to one instance in turn (Octavia's amphorae, to the health
managers listed in `[health_manager] controller_ip_port_list`), deployed on so many VMs that one
survivor would hear a healthy client less often than its timeout: six or more Octavia health managers,
with the default 10 s heartbeat interval and 60 s timeout.

## Why it matters

An amphora does not send to every health manager: it takes them in turn. While all run, each
heartbeat lands somewhere and the database sees the amphora every 10 s. Once most are down (a rack,
an upgrade that restarts them one by one), the survivor's turn comes only every n x 10 s, and at 60 s
it declares healthy amphorae failed and replaces them: a failover storm caused by the loss of
monitoring, not of load balancers. Up to five managers, one survivor still hears every amphora in time.

## Example

```yaml
openstack: {release: "2025.1"}
vms:
  - {name: hm-1, host: host-1, services: [octavia-health-manager]}
  - {name: hm-2, host: host-2, services: [octavia-health-manager]}
  - {name: hm-3, host: host-3, services: [octavia-health-manager]}
  - {name: hm-4, host: host-1, services: [octavia-health-manager]}
  - {name: hm-5, host: host-2, services: [octavia-health-manager]}
  - {name: hm-6, host: host-3, services: [octavia-health-manager]}
```

## Fix

Three health managers, one per host (or raise `heartbeat_timeout` above n x `heartbeat_interval`, and
waive the finding with that reason):

```yaml
openstack: {release: "2025.1"}
vms:
  - {name: hm-1, host: host-1, services: [octavia-health-manager]}
  - {name: hm-2, host: host-2, services: [octavia-health-manager]}
  - {name: hm-3, host: host-3, services: [octavia-health-manager]}
```

## References

- https://opendev.org/openstack/octavia/src/branch/master/octavia/amphorae/backends/health_daemon/health_sender.py
- https://docs.openstack.org/octavia/latest/configuration/configref.html
"""

from collections.abc import Iterator

from generator.model.problem import Severity
from generator.rules.context import Finding, RuleContext

ID = "RED025"
NAME = "round-robin-heartbeats-too-sparse"
SEVERITY = Severity.WARNING
SUMMARY = "So many instances receive round-robin heartbeats that one survivor fails healthy clients over."


def check(ctx: RuleContext) -> Iterator[Finding]:
    for sid, facts in ctx.services():
        beat = facts.round_robin
        placements = ctx.placements(sid)
        if beat is None or not beat.false_failures(len(placements)):
            continue
        n = len(placements)
        yield Finding(placements[0].at, f"{n} VMs run `{sid}` ({facts.name}), and each client sends its heartbeats "
                      f"to one of them in turn every {beat.interval_seconds} s: a lone survivor hears a healthy "
                      f"client only every {n * beat.interval_seconds} s, not within the {beat.timeout_seconds} s "
                      "timeout, and fails it over", sid,
                      f"run at most {(beat.timeout_seconds - 1) // beat.interval_seconds} (three, one per host, "
                      "is the usual), or raise the timeout above the round and waive this with that reason")
