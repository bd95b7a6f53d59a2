"""Management server on its own cluster, without a note

## What it checks

A management server (`management:`, vCenter, SCVMM or pcsd) that runs as a VM of the cluster it
manages (`vm:` set), while no design decision mentions it: no `decisions[]` entry whose decision,
justification or implication names the server or its VM.

## Why it matters

Running vCenter on the cluster it manages is common and supported, but it is a choice with a
consequence to write down: a cluster-wide failure (a power outage, a storage or network failure
under every host) also takes away the tool used to recover it. vSphere HA restarts VMs without
vCenter, since the hosts' agents keep the list of protected VMs, but vMotion, DRS, maintenance mode
and changes to distributed switches wait for it, and after a full outage someone has to find its
host and start it from the host client first. Recovery order then matters: the server's restart
priority, where it runs, and who starts it by hand belong in a decision the operators can read.

## Example

```yaml
platform: {hypervisor: vsphere, ha: vsphere-ha}
management:
  - {name: vcenter, kind: vcenter, vm: vcsa}
vms:
  - {name: vcsa, host: host-1, services: []}
  - {name: vm-1, host: host-1, services: [keystone]}
```

## Fix

A decision that names it (or run the server outside the cluster and leave `vm:` out):

```yaml
platform: {hypervisor: vsphere, ha: vsphere-ha}
management:
  - {name: vcenter, kind: vcenter, vm: vcsa}
vms:
  - {name: vcsa, host: host-1, restart_priority: high, services: []}
  - {name: vm-1, host: host-1, services: [keystone]}
decisions:
  - id: D01
    decision: vcenter runs as the VM vcsa on the cluster it manages.
    justification: No other cluster is available to host it.
    implication: vcsa restarts first; after a full outage the operators start it from the host client.
```

## References

- https://github.com/equelin/vsphere-ha-deepdive/blob/master/fundamental_concepts.md
"""

import re
from collections.abc import Iterator

from generator.model.problem import Severity
from generator.rules.context import Finding, RuleContext

ID = "RED020"
NAME = "management-server-on-its-cluster"
SEVERITY = Severity.WARNING  # generator.problem.Severity has no info level
SUMMARY = "A management server runs on the cluster it manages, and no decision says how it is recovered."


def _mentions(text: str, name: str) -> bool:
    """Whether `text` names `name` as a word of its own (any case: "vCenter" names `vcenter`)."""
    return re.search(rf"(?<![A-Za-z0-9-]){re.escape(name)}(?![A-Za-z0-9-])", text, re.IGNORECASE) is not None


def check(ctx: RuleContext) -> Iterator[Finding]:
    notes = [text for decision in ctx.arch.decisions
             for text in (decision.decision, decision.justification, decision.implication)]
    for index, server in enumerate(ctx.arch.management):
        if server.vm is None:
            continue
        if any(_mentions(text, name) for text in notes for name in (server.name, server.vm)):
            continue
        yield Finding(("management", index, "vm"), f"{server.name} runs as the VM {server.vm} on the cluster it "
                      "manages, and no decision says so: a failure of the whole cluster also takes the tool to "
                      "recover it", server.name,
                      f"add a decision naming {server.name}: its restart priority, and who starts it, where, after "
                      "a full outage; or run it outside the cluster")
