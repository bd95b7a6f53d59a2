"""The corrections of the catalog's v2 audit (../shared/reference/domain-audit-catalog-v2.md), one
behaviour each; the facts and their sources are in generator/catalog/. RED025 (Octavia's round-robin
heartbeats) is tested with the rules, vSAN and Hyper-V isolation in test_platform_parts.py, Horizon's
sessions in test_catalog_releases.py, the SOA bound in test_openstack_behaviour.py."""

from __future__ import annotations

from conftest import CLEAN, findings
from test_impact import ROOT, engine, fail, states

from generator.render.phrases import reason

REGION = (ROOT / "architectures" / "vsphere-large-region.yaml").read_text().replace(
    "id: vsphere-large-region", "id: clean")
VSPHERE = (ROOT / "architectures" / "vsphere-four-hosts.yaml").read_text().replace(
    "id: vsphere-four-hosts", "id: clean")


def edited(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    return text


def test_barbican_worker_is_idle_with_kolla_and_osa_so_its_loss_stops_nothing():
    eng = engine(REGION)
    assert set(states(fail(eng, "barbican-worker").immediate).values()) == {"ok"}
    assert states(fail(eng, "barbican-api").immediate)["store-secret"] == "down"


MANILA = CLEAN + ("  - {name: share-01, host: kvm-01, services: [manila-api, manila-scheduler, manila-share]}\n"
                  "  - {name: share-02, host: kvm-02, services: [manila-api, manila-scheduler, manila-share]}\n")


def test_a_lost_manila_share_instance_keeps_its_shares_until_it_returns():
    eng = engine(MANILA)
    one = fail(eng, "share-01")
    manage = one.immediate.operations["manage-share"]
    assert manage.state == "degraded"
    assert "the shares of the lost instances cannot be managed" in reason(manage)
    assert "new shares go to the live ones" in reason(manage)
    assert states(one.immediate)["create-share"] != "down"
    # nothing moves its shares; the VM's restart on another host brings them back
    assert states(one.after_restart)["manage-share"] == "ok"
    both = states(fail(eng, "share-01", "share-02").immediate)
    assert both["create-share"] == "down" and both["manage-share"] == "down"
    assert both["running-instances"] == "ok"  # the shares' data path does not pass through it


def test_designate_central_takes_zone_locks_in_the_coordination_back_end():
    valkey = engine(edited(REGION, ("coordination: etcd", "coordination: valkey"),
                           ("services: &db [galera, rabbitmq, etcd]", "services: &db [galera, rabbitmq, valkey]")))
    assert "valkey" in valkey.facts.services["designate-central"].requires
    lost = states(fail(valkey, "valkey").immediate)
    assert lost["create-dns-zone"] == "down" and lost["resolve-existing-records"] == "ok"
    assert states(fail(engine(REGION), "etcd").immediate)["create-dns-zone"] == "ok"  # etcd: not designate's
    # the worker reads the database itself (and since Zed sends NOTIFY)
    assert "galera" in valkey.facts.services["designate-worker"].requires


def test_running_instances_on_rbd_outlast_the_monitors_quorum_for_about_an_hour():
    eng = engine(REGION)
    running = fail(eng, "mon-01", "mon-02").immediate.operations["running-instances"]
    assert running.state == "degraded"
    assert reason(running).endswith("; it works from the cluster map and cephx tickets its Ceph clients hold for "
                                    "at most 1 h (3,600 s, the cephx service ticket lifetime, auth_service_ticket_ttl, "
                                    "an estimate)")
    assert states(fail(eng, "mon-01").immediate)["running-instances"] == "ok"
    # not on other storage, where the monitors are not on the instances' path
    lvm = engine(edited(REGION, ("storage_backend: ceph", "storage_backend: lvm")))
    assert states(fail(lvm, "mon-01", "mon-02").immediate)["running-instances"] == "ok"


def test_kolla_backs_volumes_up_to_ceph_whatever_the_volumes_are_on():
    lvm = edited(REGION, ("storage_backend: ceph", "storage_backend: lvm"))
    assert states(fail(engine(lvm), "mon-01", "mon-02").immediate)["backup-volume"] == "down"
    swift = edited(lvm, ("storage_backend: lvm", "storage_backend: lvm\n  backup_target: swift"))
    assert states(fail(engine(swift), "mon-01", "mon-02").immediate)["backup-volume"] != "down"


NETWORK = "services: &network [neutron-dhcp-agent, neutron-l3-agent, neutron-metadata-agent]"


def test_routers_need_the_open_vswitch_of_their_network_nodes():
    eng = engine(edited(VSPHERE, (NETWORK, NETWORK.replace("]", ", neutron-openvswitch-agent, openvswitch]"))))
    switch = states(fail(eng, "openvswitch").immediate)
    assert switch["routed-traffic"] == "down" and switch["create-router"] == "down"
    agent = states(fail(eng, "neutron-openvswitch-agent").immediate)
    assert agent["create-router"] == "down" and agent["routed-traffic"] == "ok"  # flows stay in Open vSwitch
    # not listed: taken to run beside the agents, failing with their VMs only
    assert "openvswitch" not in engine(VSPHERE).model.services
    assert states(fail(engine(VSPHERE), "net-01", "net-02").immediate)["routed-traffic"] == "down"


def test_ovn_routed_traffic_passes_its_gateway_chassis():
    ovn = "services: &ovn [ovn-nb-db, ovn-sb-db, ovn-northd]"
    eng = engine(edited(REGION, (ovn, ovn.replace("]", ", ovn-gateway]"))))
    first = fail(eng, "ovn-01").immediate.operations["routed-traffic"]
    assert first.state == "degraded"  # the next chassis by priority takes the gateway over
    assert states(fail(eng, "ovn-01").after_restart)["routed-traffic"] == "ok"
    assert states(fail(eng, "ovn-gateway").immediate)["routed-traffic"] == "down"
    # existing flows: the gateways keep forwarding while the OVN databases are down
    assert states(fail(eng, "ovn-nb-db", "ovn-sb-db").immediate)["routed-traffic"] == "ok"
    # gateway chassis outside this cluster: nothing here carries that traffic
    assert "routed-traffic" not in engine(REGION).facts.operations


def test_encrypted_volumes_need_barbican_to_create_attach_and_migrate():
    encrypted = engine(edited(REGION, ("storage_backend: ceph", "storage_backend: ceph\n  encrypted_volumes: true")))
    lost = states(fail(encrypted, "barbican-api").immediate)
    assert {lost[oid] for oid in ("create-volume", "attach-volume@cell1", "live-migrate@cell2")} == {"down"}
    plain = states(fail(engine(REGION), "barbican-api").immediate)
    assert plain["attach-volume@cell1"] == "ok" and plain["create-volume"] == "ok"
    # without barbican on any VM, RED001 says what the setting needs
    text = CLEAN.replace("platform:\n", "openstack: {encrypted_volumes: true}\nplatform:\n", 1).replace(
        "memcached, ", "memcached, cinder-api, cinder-scheduler, cinder-volume, etcd, ")
    [problem] = findings(text, "RED001")
    assert problem.message == ("with `encrypted_volumes: true`, attach a volume, create a volume and live-migrate "
                               "an instance need `barbican-api` (Barbican API (key manager)), and no VM runs it")


def test_the_metadata_api_reads_the_instances_cell():
    eng = engine(REGION)
    cell = states(fail(eng, "cell1-01", "cell1-02").immediate)
    assert cell["instance-metadata@cell1"] == "down" and cell["instance-metadata@cell2"] == "ok"


def test_octavias_controllers_reach_the_amphorae_through_open_vswitch():
    octavia = "services: &octavia [octavia-api, octavia-worker, octavia-health-manager, octavia-housekeeping]"
    eng = engine(edited(REGION, (octavia, octavia.replace("]", ", openvswitch]"))))
    lost = states(fail(eng, "openvswitch").immediate)
    # no port on the management network: no amphora can be configured; existing amphorae forward on
    assert lost["create-load-balancer"] == "down" and lost["existing-load-balancer-traffic"] != "down"
    assert lost["authenticate"] == "ok"
    assert "openvswitch" not in engine(REGION).model.services  # not listed: it fails with their VMs only
