"""A shell script of `pcs` commands for a KVM management cluster run by Pacemaker.

Sources for the command forms: pcs(8) and Red Hat's High Availability Add-On documentation
(https://manpages.debian.org/bookworm/pcs/pcs.8.en.html,
https://docs.redhat.com/en/documentation/red_hat_enterprise_linux/9/html/configuring_and_managing_high_availability_clusters/),
the VirtualDomain agent (https://manpages.ubuntu.com/manpages/noble/man7/ocf_heartbeat_VirtualDomain.7.html),
utilization and placement strategies, resource stickiness and colocation
(https://clusterlabs.org/pacemaker/doc/2.1/Pacemaker_Explained/html/utilization.html,
https://clusterlabs.org/pacemaker/doc/2.1/Pacemaker_Explained/html/constraints.html) and QDevice
(https://docs.redhat.com/en/documentation/red_hat_enterprise_linux/9/html/configuring_and_managing_high_availability_clusters/assembly_configuring-quorum-devices-configuring-and-managing-high-availability-clusters).

Pacemaker's scheduler follows refarch's restart predictions (tests/test_pacemaker_oracle.py checks
it with crm_simulate) because:

- Mandatory anti-affinity is node utilization, not -INFINITY colocation. A colocation's primary is
  placed first and its dependent must make way: a failed host's VM that is the primary restarts next
  to its sibling and stops it. A slot is symmetric: each host offers one per group of VMs that share a
  service, and a VM starts only where its slots are free, so whoever holds one keeps it.
- Preferred anti-affinity has no slots (a hard limit) and no finite negative colocations (one-sided
  too: a primary is placed before the running VMs and can take their room or push a dependent away).
- CPU and memory are utilization as well, as refarch's placement counts them.
- Every VM has the same priority: a higher one is placed first, ahead of running VMs, and could take
  their room. They are created largest first, the order refarch restarts them in, which Pacemaker
  keeps among VMs it cannot otherwise tell apart (those of one failed host).
- Each VM prefers its own host, then the host refarch restarts it on when its own host fails alone
  (which, among the hosts with room and free slots, is the one refarch picks); stickiness keeps a
  running VM put but is below the gap between the two, so a restarted VM live-migrates home once its
  host is back, the placement refarch's next prediction starts from. Limit: Pacemaker orders a failed
  host's VMs like running ones, by these scores, so when several hosts fail at once a VM whose
  failover host is full can be placed before a healthy VM and take its room.
- A VM whose disk is local to its host avoids every other host, as refarch keeps it down.
"""

from __future__ import annotations

import re

from generator.analysis.compile import two_node, vm_storage
from generator.analysis.design import Analysis
from generator.analysis.engine import Engine, Scenario
from generator.analysis.placement import PRIORITIES, restart_priority
from generator.catalog import Catalog
from generator.exports.common import anti_affinity_groups, header, sh
from generator.model.architecture import VM, Architecture

HOME_SCORE = 100  # a VM's own host
FAILOVER_SCORE = 50  # where refarch restarts it when its own host fails
STICKINESS = 25  # above 0 (keeps running VMs put), below HOME_SCORE - FAILOVER_SCORE (fail-back)
FENCE_AGENTS = {
    "ipmi": ("fence_ipmilan", "ip=REPLACE-WITH-BMC-ADDRESS username=REPLACE-ME password=REPLACE-ME lanplus=1"),
    "redfish": ("fence_redfish", "ip=REPLACE-WITH-BMC-ADDRESS username=REPLACE-ME password=REPLACE-ME ssl_insecure=1"),
    # SBD with a watchdog: each node's watchdog resets it; Pacemaker 2.1's fence_watchdog puts that
    # self-fencing in the topology as a level (with stonith-watchdog-timeout set).
    "sbd": ("fence_watchdog", ""),
}
SHARED_AGENTS = {"sbd"}  # one device fences every host
WATCHDOG_TIMEOUT = 10  # seconds; twice SBD's default watchdog timeout of 5 s


def resource(vm_name: str) -> str:
    return sh(f"vm-{vm_name}")


def attribute(name: str) -> str:
    """A utilization attribute name Pacemaker and pcs take: letters, digits, `-` and `_`."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", name)


def restart_order(arch: Architecture) -> list[VM]:
    """The VMs in the order refarch's placement restarts them: most memory first, then most CPUs, then name."""
    return sorted(arch.vms, key=lambda vm: (-(vm.memory_gib or 0), -(vm.vcpus or 0), vm.name))


def slots(arch: Architecture) -> list[tuple[str, set[str]]]:
    """Mandatory anti-affinity as utilization: one attribute per distinct set of VMs that share services."""
    if arch.platform.anti_affinity != "mandatory":
        return []
    return [(attribute(name), set(vms)) for name, vms in anti_affinity_groups(arch)]


def capacities(arch: Architecture) -> dict[str, dict[str, int]]:
    """Each host's utilization capacity: CPUs, memory (GiB) and one slot per anti-affinity group.

    CPU and memory count only when refarch's placement counts them: capacity not `ignored`, some host
    declares it and some VM uses it. A host that does not declare it holds every VM, as refarch assumes.
    """
    enforced = arch.platform.capacity != "ignored"
    out: dict[str, dict[str, int]] = {host.name: {} for host in arch.hosts}
    for attr, of_host, of_vm in (("cpu", "cpus", "vcpus"), ("memory", "memory_gib", "memory_gib")):
        total = sum(getattr(vm, of_vm) or 0 for vm in arch.vms)
        if enforced and total and any(getattr(host, of_host) for host in arch.hosts):
            for host in arch.hosts:
                out[host.name][attr] = getattr(host, of_host) or total
    for attr, _ in slots(arch):
        for host in arch.hosts:
            out[host.name][attr] = 1
    return out


def usage(arch: Architecture, vm: VM, attrs: set[str]) -> dict[str, int]:
    """What one VM takes of the attributes the hosts offer."""
    used = {"cpu": vm.vcpus or 0, "memory": vm.memory_gib or 0}
    used |= {attr: 1 for attr, members in slots(arch) if vm.name in members}
    return {attr: value for attr, value in used.items() if attr in attrs and value}


def failover_hosts(arch: Architecture, facts: Catalog, engine: Engine | None = None) -> dict[str, str]:
    """Where refarch's engine restarts each VM when its own host fails alone (VMs it restarts nowhere left out)."""
    engine = engine or Engine(arch, facts)
    targets: dict[str, str] = {}
    for host in arch.hosts:
        where = engine.where(Scenario(hosts=frozenset([host.name])), "after-restart")
        for vm in arch.vms:
            target = where.get(vm.name)
            if vm.host == host.name and target is not None and target != host.name:
                targets[vm.name] = target
    return targets


def write(arch: Architecture, facts: Catalog, analysis: Analysis | None = None) -> str:
    hosts = [h.name for h in arch.hosts]
    mandatory = arch.platform.anti_affinity == "mandatory"
    watchdog = any(level.kind == "sbd" for level in arch.platform.fencing or [])
    out = ["#!/bin/sh\n", header(arch, "pcs commands", "#"), """#
# Run as root on one cluster node once the hosts reach each other and the VMs' disks and domain XML
# files are in place. With REFARCH_OFFLINE set, the steps that need the live cluster are skipped and
# only the CIB file named by REFARCH_CIB is written: that is how refarch's test suite checks this
# script with crm_verify and crm_simulate.
set -eu
""", f'CIB="${{REFARCH_CIB:-refarch-{arch.id}.cib.xml}}"\n']

    out.append('\nif [ -z "${REFARCH_OFFLINE:-}" ]; then\n    # 1. The cluster.\n')
    out.append(f"    pcs host auth {' '.join(map(sh, hosts))}\n")
    quorum = "" if arch.platform.wait_for_all is None else f" quorum wait_for_all={int(arch.platform.wait_for_all)}"
    if two_node(arch):
        out.append("    # Two nodes and no quorum device: pcs sets Corosync's two_node, so one node keeps quorum.\n")
    elif len(hosts) == 2 and arch.platform.two_node is False:
        out.append("    # The design turns two_node off, which pcs sets for two nodes: set two_node: 0 in the quorum\n"
                   "    # section of /etc/corosync/corosync.conf on both nodes, then reload corosync.\n")
    out.append(f"    pcs cluster setup {sh(arch.id)} {' '.join(map(sh, hosts))}{quorum}\n")
    if watchdog:
        out.append("    # SBD with a watchdog on every node, before the cluster starts.\n"
                   "    pcs stonith sbd enable --watchdog=/dev/watchdog\n")
    out.append('    pcs cluster start --all --wait\n    pcs cluster enable --all\n    pcs cluster cib "$CIB"\n')
    out.append("else\n    # The nodes as the started cluster lists them (pcs numbers them in this order).\n")
    for number, host in enumerate(hosts, start=1):
        node = f'<node id="{number}" uname="{host}"/>'
        out.append(f'    CIB_file="$CIB" cibadmin --create --scope nodes --xml-text {sh(node)}\n')
    out.append("fi\n")

    # Pacemaker 2.1.9 named suicide fence; Debian 12's 2.1.5 knows only suicide.
    policy = {"fence": "suicide", None: "stop"}.get(arch.platform.no_quorum_policy, arch.platform.no_quorum_policy)
    out.append(f"\n# 2. Cluster properties: fence failed nodes; {policy} resources in a partition without quorum;\n"
               "#    place by utilization (capacity and anti-affinity slots), spreading the load. Stickiness keeps\n"
               f"#    running VMs put; at {STICKINESS}, below the gap between a VM's own host ({HOME_SCORE}) and\n"
               f"#    its failover host ({FAILOVER_SCORE}), a restarted VM live-migrates home once its host is back.\n")
    out.append(f'pcs -f "$CIB" property set stonith-enabled=true no-quorum-policy={policy} '
               "placement-strategy=balanced\n")
    out.append(f'pcs -f "$CIB" resource defaults update resource-stickiness={STICKINESS}\n')
    if watchdog:
        out.append("# Watchdog self-fencing (SBD, enabled in step 1): how long Pacemaker waits for a silent node to\n"
                   "# have reset itself. Written with crm_attribute: pcs refuses it unless sbd runs where pcs does.\n"
                   f'CIB_file="$CIB" crm_attribute --type crm_config --name stonith-watchdog-timeout '
                   f"--update {WATCHDOG_TIMEOUT}\n")
    out.append("\n# 3. Fencing: one device per host and level (SBD: one watchdog device for all); fill in each\n"
               "#    device's address and credentials. With several levels, Pacemaker tries them in order.\n")
    levels = arch.platform.fencing or []
    devices: dict[tuple[int, str], str] = {}  # (level, host) -> device
    for number, level in enumerate(levels, start=1):
        agent = FENCE_AGENTS.get(level.kind)
        for host in [None] if level.kind in SHARED_AGENTS else hosts:
            device = (f"fence-{level.name}" if host is None else f"fence-{host}" if number == 1
                      else f"fence-{host}-{level.name}")
            targets = " ".join(hosts) if host is None else host
            if agent is None:
                out.append(f'# pcs -f "$CIB" stonith create {sh(device)} fence_{level.kind} '
                           f"pcmk_host_list={sh(targets)}  # set this agent's options\n")
                continue
            devices |= {(number, target): device for target in ([host] if host else hosts)}
            options = f"{agent[1]} " if agent[1] else ""
            out.append(f'pcs -f "$CIB" stonith create {sh(device)} {agent[0]} {options}'
                       f"pcmk_host_list={sh(targets)}\n")
            if host is not None:
                out.append(f'pcs -f "$CIB" constraint location {sh(device)} avoids {sh(host)}\n')
    if len(levels) > 1:
        for host in hosts:
            for number in range(1, len(levels) + 1):
                if (number, host) in devices:
                    out.append(f'pcs -f "$CIB" stonith level add {number} {sh(host)} {sh(devices[number, host])}\n')

    capacity = capacities(arch)
    attrs = {attr for offered in capacity.values() for attr in offered}
    out.append("\n# 4. What each host offers: CPUs, memory in GiB"
               + (", and one slot per group of VMs that share a service\n"
                  "#    (mandatory anti-affinity). Slots, not -INFINITY colocations: a colocation's primary is placed\n"
                  "#    first and its dependent must make way, so a restarting primary would stop a healthy sibling;\n"
                  "#    a slot is the same for every member, and whoever holds it keeps it.\n"
                  if mandatory else
                  ". Preferred anti-affinity has no slots, which would be a hard limit,\n"
                  "#    and no negative colocations, whose primary is placed before the running VMs and pushes its\n"
                  "#    dependents away; each VM's second preference (step 5) is where refarch restarts it instead.\n"))
    for host in hosts:
        if capacity[host]:
            values = " ".join(f"{attr}={value}" for attr, value in capacity[host].items())
            out.append(f'pcs -f "$CIB" node utilization {sh(host)} {values}\n')

    targets = failover_hosts(arch, facts, analysis.engine if analysis else None)
    kinds = {store.name: store.kind for store in arch.storage}
    local = {vm for vm, store in vm_storage(arch).items() if store is not None and kinds[store] == "local"}
    out.append("\n# 5. One VirtualDomain resource per VM, largest first (the order refarch restarts them in; all of\n"
               "#    one priority, as a higher one would be placed before running VMs and could take their room).\n"
               f"#    Each takes its CPUs, memory and slots, prefers its own host ({HOME_SCORE}) and then the host\n"
               f"#    refarch restarts it on when its own fails ({FAILOVER_SCORE}); one on a local disk never runs\n"
               "#    elsewhere (-INFINITY).\n")
    for vm in restart_order(arch):
        name = resource(vm.name)
        out.append(f'pcs -f "$CIB" resource create {name} ocf:heartbeat:VirtualDomain '
                   f"config={sh(f'/etc/pacemaker/domains/{vm.name}.xml')} hypervisor=qemu:///system "
                   f"migration_transport=ssh meta allow-migrate=true op monitor interval=30s\n")
        used = usage(arch, vm, attrs)
        if used:
            out.append(f'pcs -f "$CIB" resource utilization {name} '
                       + " ".join(f"{attr}={value}" for attr, value in used.items()) + "\n")
        scores = {vm.host: str(HOME_SCORE)}
        if vm.name in local:
            scores |= {host: "-INFINITY" for host in hosts if host != vm.host}
        elif vm.name in targets:
            scores[targets[vm.name]] = str(FAILOVER_SCORE)
        out.append(f'pcs -f "$CIB" constraint location {name} prefers '
                   + " ".join(f"{sh(host)}={score}" for host, score in scores.items()) + "\n")

    tiers = [[resource(vm.name) for vm in arch.vms if restart_priority(vm) == level] for level in PRIORITIES]
    tiers = [members for members in tiers if members]
    if len(tiers) > 1:
        out.append("\n# 6. Start order by restart priority (databases, queues and load balancers first). Optional: it\n"
                   "#    orders starts in one transition and never stops a running VM because another stopped.\n")
        sets = " ".join(f"set {' '.join(members)} sequential=false" for members in tiers)
        out.append(f'pcs -f "$CIB" constraint order {sets} setoptions kind=Optional\n')

    out.append('\nif [ -z "${REFARCH_OFFLINE:-}" ]; then\n    pcs cluster cib-push "$CIB"\n')
    if arch.platform.witness is not None and arch.platform.witness.kind == "qdevice":
        out.append("    # 7. Quorum device: corosync-qnetd runs on a host outside the cluster.\n")
        out.append("    pcs quorum device add model net host=REPLACE-WITH-QNETD-HOST algorithm=ffsplit\n")
    out.append("    pcs status --full\nfi\n")
    return "".join(out)
