"""`refarch new`: a commented, valid starting point for a new architecture on one of the three platforms.

The design it writes passes every rule as it is: load balancers, three database and queue VMs,
three controllers, network agents and volume services, spread over the hosts so that no two VMs of
one role share a host, with hosts large enough to restart a failed host's VMs.
"""

from __future__ import annotations

from generator.model.architecture import is_slug

PLATFORMS = {
    "vsphere": {"ha": "vsphere-ha", "name": "vSphere", "extra": "  anti_affinity: mandatory   # HA respects DRS "
                "VM-VM anti-affinity rules during failover\n"},
    "hyperv": {"ha": "failover-cluster", "name": "Hyper-V failover cluster",
               "extra": "  anti_affinity: preferred    # AntiAffinityClassNames is a preference, not a rule\n"},
    "kvm": {"ha": "pacemaker", "name": "KVM with Pacemaker",
            "extra": "  anti_affinity: mandatory   # utilization slots: one per role on each host\n"
                     "  fencing:                   # how Pacemaker fences a failed host, tried in order\n"
                     "    - {name: ipmi, kind: ipmi}\n"
                     "    - {name: sbd, kind: sbd}  # the watchdog, for when the BMC lost power with its host\n"},
}
CONTROLLER = ("keystone, glance-api, placement-api, nova-api, nova-metadata, nova-scheduler, nova-conductor, "
              "nova-novncproxy, neutron-server, cinder-api, cinder-scheduler, horizon, heat-api, heat-api-cfn, "
              "heat-engine, memcached")
# role, how many VMs, vCPUs, GiB, services
ROLES = (
    ("lb", 2, 2, 4, "haproxy, keepalived"),
    ("db", 3, 8, 32, "galera, rabbitmq, etcd"),
    ("ctl", 3, 12, 48, CONTROLLER),
    ("net", 2, 4, 8, "neutron-dhcp-agent, neutron-l3-agent, neutron-metadata-agent"),
    ("vol", 2, 2, 8, "cinder-volume"),
)
MIN_HOSTS = 3


def architecture(ident: str, platform: str, hosts: int) -> str:
    """The YAML text of a new architecture; `ident` must be a slug, `hosts` at least 3."""
    if not is_slug(ident):
        raise ValueError(f"`{ident}` is not a slug: lower-case letters and digits joined by single hyphens")
    if hosts < MIN_HOSTS:
        raise ValueError(f"a redundant control plane needs at least {MIN_HOSTS} hosts: three database members "
                         "on different hosts")
    facts = PLATFORMS[platform]
    prefix = {"vsphere": "esxi", "hyperv": "hv", "kvm": "kvm"}[platform]
    names = [f"{prefix}-{i:02d}" for i in range(1, hosts + 1)]
    witness = ""
    if platform == "hyperv" and hosts % 2 == 0:
        witness = "  witness: file-share        # an even number of nodes needs a witness: disk, file-share or cloud\n"
    if platform == "kvm" and hosts % 2 == 0:
        witness = "  witness: qdevice           # an even number of nodes needs a QDevice (corosync-qnetd)\n"
    lines = [
        "# yaml-language-server: $schema=architecture.schema.json",
        "# A new architecture: rename, resize and re-place what you need, then run `refarch validate`.",
        "# The schema (architecture.schema.json) documents every key; the rules pages explain every finding.",
        f"id: {ident}                   # equals the file name without .yaml",
        f"title: {facts['name']}, {hosts} hosts",
        "summary: |                          # Markdown: why this design, for whom",
        f"  A control plane on {hosts} {facts['name']} hosts. Describe the design and its trade-offs here.",
        "status: example                     # reference once reviewed; counterexample for a design that fails",
        "platform:",
        f"  hypervisor: {platform}",
        f"  ha: {facts['ha']}",
    ]
    text = "\n".join(lines) + "\n" + facts["extra"] + witness
    text += ("openstack:\n  release: \"2025.1\"                # quoted: a number would not be text\n"
             "  networking: ovs                   # ovs (agents on the net VMs) or ovn\n"
             "  l3_ha: true                       # each router on up to three L3 agents under VRRP\n"
             "  dhcp_agents_per_network: 2        # every network served by two DHCP agents\n"
             "  storage_backend: ceph             # volumes and images on Ceph: cinder-volume active-active\n"
             "  coordination: etcd                # the lock service active-active cinder-volume needs\n")
    text += "hosts:                               # CPUs and memory each host offers to VMs\n"
    text += "".join(f"  - {{name: {name}, cpus: 64, memory_gib: 512}}\n" for name in names)
    text += "vms:                                 # each role's VMs on different hosts\n"
    offset = 0
    for role, count, vcpus, memory, services in ROLES:
        for i in range(count):
            host = names[(offset + i) % hosts]
            text += (f"  - {{name: {role}-{i + 1:02d}, host: {host}, vcpus: {vcpus}, memory_gib: {memory}, "
                     f"services: [{services}]}}\n")
        offset += count
    text += ("decisions:                           # id, decision, justification, implication\n"
             "  - id: D01\n"
             "    decision: Three database and queue VMs on three hosts.\n"
             "    justification: Galera, RabbitMQ and etcd need a majority of their members to serve.\n"
             "    implication: One host can fail; a second failure among those three stops the database.\n")
    return text
