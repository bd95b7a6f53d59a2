"""What refarch knows about OpenStack services and management platforms.

For now, the service ids schema v1 accepts; the catalog with sources replaces this list.
"""

SERVICE_IDS = (
    "haproxy", "keepalived", "galera", "garbd", "rabbitmq", "memcached", "etcd",
    "keystone", "glance-api", "placement-api",
    "nova-api", "nova-scheduler", "nova-conductor", "nova-novncproxy",
    "neutron-server", "neutron-dhcp-agent", "neutron-l3-agent", "neutron-metadata-agent",
    "ovn-northd", "ovn-nb-db", "ovn-sb-db",
    "cinder-api", "cinder-scheduler", "cinder-volume",
    "horizon", "heat-api", "heat-engine",
)

# Which HA mechanism and quorum witness each hypervisor offers.
PLATFORM_HA = {"vsphere": ("vsphere-ha", "none"), "hyperv": ("failover-cluster", "none"), "kvm": ("pacemaker", "none")}
PLATFORM_WITNESS = {"vsphere": (), "hyperv": ("disk", "file-share", "cloud"), "kvm": ("qdevice",)}
