"""The catalog: complete, sourced, consistent."""

from __future__ import annotations

import gc
import weakref

import pytest

from generator import catalog
from generator.catalog import Catalog, integrity_problems

FACTS = catalog.load()

SCHEMA_V1_SERVICES = {
    "haproxy", "keepalived", "galera", "garbd", "rabbitmq", "memcached", "etcd", "keystone", "glance-api",
    "placement-api", "nova-api", "nova-scheduler", "nova-conductor", "nova-novncproxy", "neutron-server",
    "neutron-dhcp-agent", "neutron-l3-agent", "neutron-metadata-agent", "ovn-northd", "ovn-nb-db", "ovn-sb-db",
    "cinder-api", "cinder-scheduler", "cinder-volume", "horizon", "heat-api", "heat-engine",
    "nova-metadata", "valkey", "zookeeper",
    # issue 15: the services production regions run
    "ceph-mon", "ceph-mgr", "octavia-api", "octavia-worker", "octavia-health-manager", "octavia-housekeeping",
    "designate-api", "designate-central", "designate-worker", "designate-producer", "designate-mdns",
    "designate-bind9", "barbican-api", "barbican-worker", "barbican-keystone-listener", "swift-proxy",
    "swift-storage", "cinder-backup", "manila-api", "manila-scheduler", "manila-share", "ironic-api",
    "ironic-conductor", "heat-api-cfn",
    # issue 25: the audit's missing rows
    "neutron-openvswitch-agent", "openvswitch", "ovn-gateway",
}
REQUIRED_OPERATIONS = {
    "authenticate", "list-instances", "boot-instance", "delete-instance", "instance-console", "instance-metadata",
    "attach-volume", "create-volume", "upload-image", "create-network", "create-router", "associate-floating-ip",
    "dashboard-login", "create-stack", "live-migrate", "running-instances", "existing-network-traffic",
    "create-load-balancer", "existing-load-balancer-traffic", "create-dns-zone", "resolve-existing-records",
    "store-secret", "upload-object", "backup-volume", "create-share", "manage-share", "deploy-bare-metal",
}


def test_every_service_and_operation_id_is_covered():
    assert set(FACTS.services) == SCHEMA_V1_SERVICES
    assert REQUIRED_OPERATIONS <= set(FACTS.operations)
    assert set(FACTS.platforms) == {"vsphere", "hyperv", "kvm"}


def test_every_entry_has_a_source_url():
    entries = [*FACTS.services.values(), *FACTS.operations.values(), *FACTS.platforms.values()]
    assert all(entry.sources and all(url.startswith(("https://", "http://")) for url in entry.sources)
               for entry in entries)


def test_references_resolve_and_there_is_no_cycle():
    assert integrity_problems(FACTS) == []


def test_integrity_check_finds_an_unknown_reference_and_a_cycle():
    data = FACTS.model_dump()
    data["services"]["keystone"]["requires"] = ["galera", "nowhere"]
    data["services"]["galera"]["requires"] = ["keystone"]
    broken = Catalog.model_validate(data)
    problems = integrity_problems(broken)
    assert "service keystone refers to unknown service nowhere" in problems
    assert any(p.startswith("dependency cycle:") and "galera" in p and "keystone" in p for p in problems)


def test_data_plane_operations_need_no_control_plane_service():
    data_plane = {oid: op for oid, op in FACTS.operations.items() if op.plane == "data"}
    assert {"running-instances", "existing-network-traffic"} <= set(data_plane)
    for op in data_plane.values():
        for networking in ("ovs", "ovn"):
            needs = op.needs(networking)
            # Only what carries traffic itself may appear (routers, switches, gateways, DNS servers): never an
            # API, database or bus.
            assert set(needs.requires) <= {"neutron-l3-agent", "openvswitch", "ovn-gateway", "designate-bind9"}, (
                op.name)
    assert FACTS.operations["running-instances"].needs("ovs").requires == []


@pytest.mark.parametrize(("votes", "majority"), [(1, 1), (2, 2), (3, 2), (4, 3), (5, 3), (7, 4)])
def test_majority_is_floor_half_plus_one(votes, majority):
    assert catalog.majority(votes) == majority


def test_quorum_services_name_a_real_arbitrator():
    for service in FACTS.services.values():
        if service.arbitrator:
            assert service.ha_model == "quorum"
            assert FACTS.services[service.arbitrator].ha_model == "arbitrator"


def test_required_services_per_networking_flavour():
    ovs, ovn = set(FACTS.required_services("ovs")), set(FACTS.required_services("ovn"))
    core = {"haproxy", "keepalived", "galera", "rabbitmq", "keystone", "glance-api", "placement-api", "nova-api",
            "nova-metadata", "nova-scheduler", "nova-conductor", "neutron-server"}
    assert ovs == core | {"neutron-dhcp-agent", "neutron-l3-agent", "neutron-metadata-agent"}
    assert ovn == core | {"ovn-northd", "ovn-nb-db", "ovn-sb-db"}


def test_platform_facts_match_the_schema_choices():
    assert FACTS.platforms["kvm"].fencing == "required"
    # Hyper-V enforces it with ClusterEnforcedAntiAffinity=1 (Windows Server 2012 and later).
    assert FACTS.platforms["hyperv"].anti_affinity["mandatory"].enforced is True
    assert "ClusterEnforcedAntiAffinity=1" in FACTS.platforms["hyperv"].anti_affinity["mandatory"].mechanism
    assert FACTS.platforms["vsphere"].witnesses == []
    # The platform kinds the schema offers are the ones some platform has.
    from typing import get_args

    from generator.model.architecture import Management, Storage
    offered = set(get_args(Storage.model_fields["kind"].annotation))
    assert set().union(*(p.storage_kinds for p in FACTS.platforms.values())) <= offered
    assert {k for p in FACTS.platforms.values() for k in p.management_kinds} == set(
        get_args(Management.model_fields["kind"].annotation))
    assert FACTS.platforms["vsphere"].quorum_loss.stops_vms is False
    assert FACTS.platforms["hyperv"].quorum_loss.stops_vms and FACTS.platforms["kvm"].quorum_loss.stops_vms


def test_deployment_knowledge_refers_to_known_services_and_has_sources():
    deployment = catalog.deployment()
    assert set(deployment.kolla.services) <= set(FACTS.services)
    assert set(deployment.openstack_ansible.services) <= set(FACTS.services)
    assert set(deployment.first) <= set(FACTS.services)
    assert set(deployment.drill_commands.commands) == set(FACTS.operations)
    assert deployment.openstack_ansible.default_release in deployment.openstack_ansible.releases
    assert deployment.kolla.sources and deployment.openstack_ansible.sources
    assert all(cmdlet.url.startswith("https://") for cmdlet in deployment.cmdlets.values())


def test_catalogs_made_for_designs_are_memoised_and_live_as_long_as_their_catalog():
    """`mkdocs serve` reads the catalog again on every build: what was made for designs from the old one
    must go with it, and a design's catalog answers from the catalog it was made from."""
    base = Catalog.model_validate(FACTS.model_dump(), strict=False)  # one of our own, as a rebuild reads
    cells = {"cells": ["cell1", "cell2"]}
    design = base.for_design(cells)
    assert base.for_design(cells) is design and "galera@cell2" in design.services
    assert design.for_design(cells) is design  # not the cells applied again on top of a design's catalog
    made = weakref.ref(design)
    del base, design
    gc.collect()
    assert made() is None
