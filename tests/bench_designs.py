"""Realistic large architecture texts for the benchmark, shaped like the shipped designs but at region scale.

`large_region(hosts, racks)` returns the YAML text of a vSphere management cluster with one VM per role member,
every role spread over the racks and never two members of a role on one host. It should validate without errors.
"""

from __future__ import annotations

API = ["keystone", "glance-api", "placement-api", "nova-api", "nova-metadata", "nova-novncproxy", "neutron-server",
       "cinder-api", "horizon", "heat-api"]
SCHEDULER = ["nova-scheduler", "nova-conductor", "cinder-scheduler", "heat-engine"]
NETWORK = ["neutron-dhcp-agent", "neutron-l3-agent", "neutron-metadata-agent"]  # the catalog has no OVS agent

# name prefix, members at 48 hosts, quorum (kept odd, at most 9), vcpus, memory_gib, services
ROLES = [
    ("lb", 3, False, 2, 4, ["haproxy", "keepalived"]),
    ("db", 5, True, 8, 32, ["galera"]),
    ("mq", 3, True, 4, 16, ["rabbitmq"]),
    ("etcd", 3, True, 2, 8, ["etcd"]),
    ("mc", 3, True, 2, 8, ["memcached"]),
    ("api", 12, False, 12, 48, API),
    ("sched", 6, False, 8, 16, SCHEDULER),
    ("net", 8, False, 4, 8, NETWORK),
    ("vol", 2, False, 2, 8, ["cinder-volume"]),
]

SUMMARY = """\
  A region-sized vSphere management cluster of {hosts} ESXi hosts in {racks} racks, with every control-plane
  role on VMs of its own: load balancers, galera, rabbitmq, etcd and memcached clusters, API VMs,
  scheduler and conductor VMs, ML2/OVS network nodes and cinder-volume.

  Members of each role are placed round-robin over the racks, so losing a rack takes no more than
  its share of any role, and DRS anti-affinity keeps siblings on different hosts. Generated for the
  benchmark."""

DECISIONS = [
    ("D01", "Every role on VMs of its own, spread round-robin over the racks.",
     "A rack switch or power feed takes every host in its rack; spreading each role keeps a majority of every "
     "cluster outside any one rack.",
     "Many small VMs to run and patch; a rack failure costs each role at most a share of its members."),
    ("D02", "DRS VM-VM anti-affinity rules per role, with vSphere HA set to respect them during failover.",
     "Two galera members on one host would let one host failure take two votes.",
     "If no host without a sibling has room, HA leaves the VM down instead of breaking the rule."),
    ("D03", "Quorum clusters keep an odd number of members.",
     "An even member gives no extra failure tolerance and one more vote to lose.",
     "Clusters grow by two members at a time."),
]


def _members(base: int, quorum: bool, scale: float) -> int:
    count = max(2, round(base * scale))
    if quorum:
        count = max(3, min(9, count - (count % 2 == 0)))
    return count


def pacemaker_region(hosts: int = 32, racks: int = 4) -> str:
    """`large_region` as a KVM cluster run by Pacemaker (at most 32 nodes), with one top-of-rack switch per
    rack, IPMI and SBD fencing, and the VMs on a Ceph pool: every platform part the engine models at
    once. The id is `large-region-{hosts}` too."""
    text = large_region(hosts, racks).replace(
        "platform: {hypervisor: vsphere, ha: vsphere-ha, restart_seconds: 180, anti_affinity: mandatory}",
        "platform: {hypervisor: kvm, ha: pacemaker, anti_affinity: mandatory, fencing: "
        "[{name: ipmi, kind: ipmi}, {name: sbd, kind: sbd}]}")
    names = [f"esx-{i + 1:02d}" for i in range(hosts)]
    parts = ["storage:", "  - {name: ceph-mgmt, kind: ceph, failures_to_tolerate: 1}", "switches:"]
    parts += [f"  - {{name: tor-{chr(ord('a') + r)}, hosts: [{', '.join(names[r::racks])}]}}" for r in range(racks)]
    return text.replace("\nvms:\n", "\n" + "\n".join(parts) + "\nvms:\n", 1)


def large_region(hosts: int = 48, racks: int = 4) -> str:
    """YAML text of a realistic large region: `hosts` ESXi hosts over `racks` racks, every role on its own VMs.

    The id is `large-region-{hosts}`, so write the text to `large-region-{hosts}.yaml`. Role sizes are those of
    48 hosts scaled by hosts/48 (quorum clusters odd, at most 9). VM n of the whole design goes to rack n % racks,
    and within that rack to the next host in turn, so consecutive members of a role land in different racks and
    no host carries two members of one role while a role has no more members per rack than the rack has hosts.
    """
    domains = [f"rack-{chr(ord('a') + r)}" for r in range(racks)]
    names = [f"esx-{i + 1:02d}" for i in range(hosts)]
    in_rack = [names[r::racks] for r in range(racks)]
    cursor = [0] * racks
    lines = [
        f"id: large-region-{hosts}",
        f"title: vSphere region management cluster, {hosts} hosts in {racks} racks, ML2/OVS",
        "summary: |", SUMMARY.format(hosts=hosts, racks=racks),
        "status: example",
        "platform: {hypervisor: vsphere, ha: vsphere-ha, restart_seconds: 180, anti_affinity: mandatory}",
        'openstack: {release: "2025.1", networking: ovs}',
        f"failure_domains: [{', '.join(domains)}]",
        "hosts:",
        *(f"  - {{name: {name}, failure_domain: {domains[i % racks]}, cpus: 64, memory_gib: 512}}"
          for i, name in enumerate(names)),
        "vms:",
    ]
    n = 0
    for prefix, base, quorum, vcpus, memory, services in ROLES:
        for k in range(_members(base, quorum, hosts / 48)):
            rack = n % racks
            host = in_rack[rack][cursor[rack] % len(in_rack[rack])]
            cursor[rack] += 1
            n += 1
            lines.append(f"  - {{name: {prefix}-{k + 1:02d}, host: {host}, vcpus: {vcpus}, memory_gib: {memory}, "
                         f"services: [{', '.join(services)}]}}")
    lines.append("decisions:")
    for did, decision, justification, implication in DECISIONS:
        lines += [f"  - id: {did}", f"    decision: {decision}", f"    justification: {justification}",
                  f"    implication: {implication}"]
    return "\n".join(lines) + "\n"
