"""A shell script of `pcs` commands for a KVM management cluster run by Pacemaker.

Sources for the command forms: pcs(8) and Red Hat's High Availability Add-On documentation
(https://manpages.debian.org/bookworm/pcs/pcs.8.en.html,
https://docs.redhat.com/en/documentation/red_hat_enterprise_linux/9/html/configuring_and_managing_high_availability_clusters/),
the VirtualDomain agent (https://manpages.ubuntu.com/manpages/noble/man7/ocf_heartbeat_VirtualDomain.7.html),
colocation scores (-INFINITY: never together) and QDevice
(https://docs.redhat.com/en/documentation/red_hat_enterprise_linux/9/html/configuring_and_managing_high_availability_clusters/assembly_configuring-quorum-devices-configuring-and-managing-high-availability-clusters).
"""

from __future__ import annotations

from generator.catalog import Catalog
from generator.exports.common import apart_pairs, header, sh, starts_first
from generator.model import Architecture

PREFERRED_SCORE = "-1000"  # apart when possible, together rather than down
FENCE_AGENTS = {
    "ipmi": ("fence_ipmilan", "ip=REPLACE-WITH-BMC-ADDRESS username=REPLACE-ME password=REPLACE-ME lanplus=1"),
    "redfish": ("fence_redfish", "ip=REPLACE-WITH-BMC-ADDRESS username=REPLACE-ME password=REPLACE-ME ssl_insecure=1"),
}


def resource(vm_name: str) -> str:
    return sh(f"vm-{vm_name}")


def write(arch: Architecture, facts: Catalog) -> str:
    hosts = [h.name for h in arch.hosts]
    out = ["#!/bin/sh\n", header(arch, "pcs commands", "#"), """#
# Run as root on one cluster node once the hosts reach each other and the VMs' disks and domain XML
# files are on shared storage. With REFARCH_OFFLINE set, the steps that need the live cluster are
# skipped and only the CIB file named by REFARCH_CIB is written: that is how refarch's test suite
# checks this script with crm_verify.
set -eu
""", f'CIB="${{REFARCH_CIB:-refarch-{arch.id}.cib.xml}}"\n']

    out.append('\nif [ -z "${REFARCH_OFFLINE:-}" ]; then\n    # 1. The cluster.\n')
    out.append(f"    pcs host auth {' '.join(map(sh, hosts))}\n")
    out.append(f"    pcs cluster setup {sh(arch.id)} {' '.join(map(sh, hosts))}\n")
    out.append('    pcs cluster start --all\n    pcs cluster enable --all\n    pcs cluster cib "$CIB"\nfi\n')

    out.append("\n# 2. Cluster properties: fence failed nodes; stop resources in a partition without quorum.\n")
    out.append('pcs -f "$CIB" property set stonith-enabled=true\n')
    out.append('pcs -f "$CIB" property set no-quorum-policy=stop\n')

    out.append("\n# 3. Fencing: one device per host; fill in each host's BMC address and credentials.\n")
    levels = arch.platform.fencing or []
    agent = FENCE_AGENTS.get(levels[0].kind) if levels else None
    for host in hosts:
        device = sh(f"fence-{host}")
        if agent is None:
            out.append(f"# pcs -f \"$CIB\" stonith create {device} fence_{levels[0].kind if levels else 'REPLACE-ME'} "
                       f"pcmk_host_list={sh(host)}  # set this agent's options\n")
            continue
        out.append(f'pcs -f "$CIB" stonith create {device} {agent[0]} {agent[1]} pcmk_host_list={sh(host)}\n')
        out.append(f'pcs -f "$CIB" constraint location {device} avoids {sh(host)}\n')

    out.append("\n# 4. One VirtualDomain resource per VM, databases, queues and load balancers first (priority),\n"
               "#    each preferring the host the design places it on.\n")
    for vm in arch.vms:
        name = resource(vm.name)
        priority = "10" if starts_first(vm) else "5"
        out.append(f'pcs -f "$CIB" resource create {name} ocf:heartbeat:VirtualDomain '
                   f"config={sh(f'/etc/pacemaker/domains/{vm.name}.xml')} hypervisor=qemu:///system "
                   f"migration_transport=ssh meta allow-migrate=true priority={priority} op monitor interval=30s\n")
        out.append(f'pcs -f "$CIB" constraint location {name} prefers {sh(vm.host)}=100\n')

    mandatory = arch.platform.anti_affinity == "mandatory"
    score = "-INFINITY" if mandatory else PREFERRED_SCORE
    out.append(f"\n# 5. Anti-affinity ({arch.platform.anti_affinity}): VMs that share a service never share a host"
               + ("" if mandatory else " if another has room") + f" (score {score}).\n")
    for first, second in apart_pairs(arch):
        out.append(f'pcs -f "$CIB" constraint colocation add {resource(second.name)} with {resource(first.name)} '
                   f"{score}\n")

    out.append("\n# 6. Start order: databases, queues and load balancers before the API VMs (optional, so that a\n"
               "#    stopped database VM does not stop the APIs).\n")
    early = [vm for vm in arch.vms if starts_first(vm)]
    late = [vm for vm in arch.vms if not starts_first(vm)]
    for before in early:
        for after in late:
            out.append(f'pcs -f "$CIB" constraint order start {resource(before.name)} then start '
                       f"{resource(after.name)} kind=Optional\n")

    out.append('\nif [ -z "${REFARCH_OFFLINE:-}" ]; then\n    pcs cluster cib-push "$CIB"\n')
    if arch.platform.witness is not None and arch.platform.witness.kind == "qdevice":
        out.append("    # 7. Quorum device: corosync-qnetd runs on a host outside the cluster.\n")
        out.append("    pcs quorum device add model net host=REPLACE-WITH-QNETD-HOST algorithm=ffsplit\n")
    out.append("    pcs status --full\nfi\n")
    return "".join(out)
