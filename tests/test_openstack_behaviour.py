"""How OpenStack itself behaves when its services fail, as the catalog's corrected facts say (each test
names the fact it pins; the sources are in generator/catalog/)."""

from __future__ import annotations

import pytest
from conftest import CLEAN, edit
from test_impact import ROOT, engine, fail, states

from generator.analysis import scenarios
from generator.render.phrases import reason
from generator.render.phrases import service_cause as cause

VSPHERE = (ROOT / "architectures" / "vsphere-four-hosts.yaml").read_text().replace(
    "id: vsphere-four-hosts", "id: clean")


def vsphere(old: str = "", new: str = ""):
    """The shipped vSphere design (routers in L3 HA, two DHCP agents per network), with one edit."""
    return engine(edit(old, new, VSPHERE) if old else VSPHERE)


def test_metadata_with_ovs_goes_over_rpc_so_it_needs_the_queue_but_not_keystone():
    # The metadata agent looks the port up in neutron-server over RPC; nova checks a shared secret.
    eng = vsphere()
    rabbit = fail(eng, "rabbitmq").immediate.operations["instance-metadata"]
    assert rabbit.state == "down" and "rabbitmq" in reason(rabbit)
    keystone = fail(eng, "keystone").immediate
    assert states(keystone)["authenticate"] == "down"
    assert states(keystone)["create-network"] == "down"  # neutron's API needs a token
    assert states(keystone)["instance-metadata"] == "ok"
    # With the queue down too, the reason names the queue and not keystone, which the RPC path does not pass.
    both = fail(eng, "rabbitmq", "keystone").immediate.operations["instance-metadata"]
    assert {c.service for c in both.root_causes} == {"rabbitmq"}
    # neutron-server's workers themselves are another matter: without them nothing answers the agent.
    server = fail(eng, "neutron-server").immediate.operations["instance-metadata"]
    assert server.state == "down"
    assert reason(server) == ("needs neutron-metadata-agent, which needs neutron-server, which is down on every VM")


def test_metadata_is_served_through_the_router_or_the_dhcp_namespace():
    eng = vsphere()
    no_routers = fail(eng, "neutron-l3-agent").immediate.operations["instance-metadata"]
    assert no_routers.state == "degraded"
    assert "so only what neutron-dhcp-agent serves works" in reason(no_routers)
    both = fail(eng, "neutron-l3-agent", "neutron-dhcp-agent").immediate.operations["instance-metadata"]
    assert both.state == "down"
    assert {c.service for c in both.root_causes} == {"neutron-l3-agent", "neutron-dhcp-agent"}


def test_without_l3_ha_a_router_stops_with_its_agent():
    eng = vsphere("l3_ha: true", "l3_ha: false")
    impact = fail(eng, "net-01")
    routed = impact.immediate.operations["routed-traffic"]
    # The routers on net-02's agent keep routing: partial, so degraded for the data plane.
    assert routed.state == "degraded"
    assert "the routed and floating-IP traffic of the routers that lived only there stops" in reason(routed)
    assert "until their agents return" in reason(routed)  # no automatic rescheduling by default
    assert states(impact.immediate)["existing-network-traffic"] == "ok"
    assert states(fail(eng, "net-01", "net-02").immediate)["routed-traffic"] == "down"
    # Once the platform restarts net-01, its agent (and its routers) are back.
    assert impact.after_restart.operations["routed-traffic"].state == "ok"


def test_with_l3_ha_a_router_fails_over_to_its_standby():
    impact = fail(vsphere(), "net-01")
    routed = impact.immediate.operations["routed-traffic"]
    assert routed.state == "degraded" and "fail over to a standby copy in about 10 s" in reason(routed)
    assert impact.recovery_seconds["routed-traffic"] == 10


def test_one_dhcp_agent_per_network_stops_boots_on_its_networks_until_neutron_reschedules():
    one = fail(vsphere("dhcp_agents_per_network: 2", "dhcp_agents_per_network: 1"), "net-01").immediate
    boot = one.operations["boot-instance"]
    assert boot.state == "degraded"
    assert "boots on the networks they served fail" in reason(boot) and "about 75 s" in reason(boot)
    # With two agents per network, every network keeps one: only redundancy is lost.
    two = fail(vsphere(), "net-01").immediate
    assert "neutron-dhcp-agent" not in (reason(two.operations["boot-instance"]) or "")
    assert states(fail(vsphere(), "neutron-dhcp-agent").immediate)["boot-instance"] == "down"


def test_losing_a_memcached_server_stalls_the_apis_that_cache_in_it():
    eng = engine(CLEAN)
    impact = fail(eng, "ctl-01")
    auth = impact.immediate.operations["authenticate"]
    assert auth.state == "degraded"
    assert "stalls until each of its worker processes has timed out" in reason(auth)
    assert "about 150 s" in reason(auth)
    assert eng.delay("memcached", impact.immediate) == 150


def test_galera_is_written_through_one_member_so_losing_it_is_a_failover():
    eng = vsphere()
    writer = fail(eng, "db-01")
    assert cause(writer.immediate.services["galera"]) == "moves writes from db-01 to db-02 in about 10 s (db-01 failed)"
    assert writer.immediate.operations["authenticate"].state == "degraded"
    assert writer.recovery_seconds["authenticate"] == 10
    # Minutes later, once the platform has restarted what it could, that failover is long over.
    assert writer.after_restart.operations["authenticate"].state == "ok"
    backup = fail(eng, "db-02").immediate.operations["authenticate"]
    assert (backup.state, backup.margin) == ("ok", 0)


def test_galera_after_a_total_loss_recovers_only_when_every_member_returns():
    # Every database VM fails at once and the platform restarts them all: with pc.recovery the last
    # primary component comes back by itself.
    impact = fail(vsphere(), "db-01", "db-02", "db-03")
    assert all(impact.after_restart.where[vm] is not None for vm in ("db-01", "db-02", "db-03"))
    assert impact.after_restart.services["galera"].state == "ok"
    assert impact.after_restart.operations["authenticate"].state == "ok"
    # KVM: db-01 is on kvm-01's local disk and cannot restart elsewhere. db-02 and db-03 are back, two
    # of three votes, but they cannot restore the last primary component without db-01: an operator
    # must bootstrap the cluster.
    kvm = fail(engine("kvm-three-hosts.yaml"), "kvm-01", "db-02", "db-03")
    assert kvm.after_restart.where["db-01"] is None and kvm.after_restart.where["db-02"] == "kvm-02"
    galera = kvm.after_restart.services["galera"]
    assert galera.state == "down"
    assert cause(galera).startswith("lost every member at once and stays down while db-01 is down: with pc.recovery")
    assert kvm.after_restart.operations["authenticate"].state == "down"
    assert kvm.recovery_seconds["authenticate"] is None
    # Losing two of three is no total loss: the members rejoin by themselves once restarted.
    assert fail(vsphere(), "db-01", "db-02").after_restart.services["galera"].state == "ok"


def test_rabbitmq_after_a_total_loss_restarts_as_a_whole_which_takes_minutes():
    # vSphere, four hosts: rabbitmq on the three controllers, galera's members on kvm-01, kvm-02 and kvm-04.
    text = CLEAN.replace("hypervisor: kvm\n  ha: pacemaker\n  fencing: ipmi", "hypervisor: vsphere\n  ha: vsphere-ha")
    text = text.replace(" galera,", "").replace("vms:\n", "  - {name: kvm-04, cpus: 64, memory_gib: 256}\nvms:\n")
    text += "".join(f"  - {{name: db-0{i}, host: kvm-0{h}, vcpus: 2, memory_gib: 4, services: [galera]}}\n"
                    for i, h in ((1, 1), (2, 2), (3, 4)))
    eng = engine(text)
    whole = fail(eng, "kvm-01", "kvm-02", "kvm-03")
    assert whole.after_restart.services["rabbitmq"].state != "down"  # all three now on kvm-04
    ready = max(whole.after_restart.ready_seconds.values())
    # Every node lost at once: the broker restarts as a whole (about 300 s), not a member rejoining (60 s).
    assert whole.recovery_seconds["boot-instance"] == ready + 300
    partial = fail(eng, "kvm-01", "kvm-02")
    assert partial.recovery_seconds["boot-instance"] == max(partial.after_restart.ready_seconds.values()) + 60


def test_cinder_volume_with_ceph_is_active_active_and_needs_its_coordination_back_end():
    ceph = CLEAN.replace("neutron-metadata-agent]", "neutron-metadata-agent, cinder-api, cinder-scheduler, "
                         "cinder-volume, etcd]")
    eng = engine(ceph)
    assert eng.facts.services["cinder-volume"].ha_model == "active-active"
    assert states(fail(eng, "etcd").immediate)["create-volume"] == "down"
    lost = fail(eng, "ctl-01").immediate.services["cinder-volume"]
    assert cause(lost).startswith("runs 2 of 3 instances")  # no failover: the others were serving already
    none = engine(ceph.replace("summary: Three hosts, every role on each.",
                               "summary: Three hosts, every role on each.\nopenstack: {coordination: none}"))
    assert states(fail(none, "etcd").immediate)["create-volume"] == "ok"
    san = engine(ceph.replace("summary: Three hosts, every role on each.",
                              "summary: Three hosts, every role on each.\nopenstack: {storage_backend: san}"))
    assert san.facts.services["cinder-volume"].ha_model == "active-passive"
    assert san.delay("cinder-volume", fail(san, "ctl-01").immediate) == 60


def test_cinder_volume_with_lvm_loses_the_volumes_on_a_lost_node():
    lvm = CLEAN.replace("neutron-metadata-agent]", "neutron-metadata-agent, cinder-api, cinder-scheduler, "
                        "cinder-volume]").replace(
        "summary: Three hosts, every role on each.",
        "summary: Three hosts, every role on each.\nopenstack: {storage_backend: lvm}")
    attach = fail(engine(lvm), "ctl-01").immediate.operations["attach-volume"]
    assert attach.state == "degraded" and "the volumes on the lost instances' disks" in reason(attach)


CELLS = CLEAN.replace("summary: Three hosts, every role on each.",
                      "summary: Three hosts, every role on each.\nopenstack: {cells: [cell1, cell2]}") + "".join(
    f"  - {{name: {cell}-0{i}, host: kvm-0{i}, cell: {cell}, vcpus: 2, memory_gib: 8, "
    "services: [galera, rabbitmq, nova-conductor]}\n" for cell in ("cell1", "cell2") for i in (1, 2, 3))


def test_a_failed_cell_stops_operations_on_its_instances_only():
    eng = engine(CELLS)
    assert {"galera@cell1", "rabbitmq@cell2", "nova-conductor@cell1"} <= set(eng.model.services)
    assert "delete-instance" not in eng.facts.operations  # judged once per cell instead
    impact = fail(eng, "rabbitmq@cell1")
    ops = states(impact.immediate)
    assert ops["delete-instance@cell1"] == ops["live-migrate@cell1"] == "down"
    assert ops["delete-instance@cell2"] == "ok"
    assert ops["authenticate"] == "ok"
    # A new instance goes to any cell that can take it: cell2 still can.
    boot = impact.immediate.operations["boot-instance"]
    assert boot.state == "degraded" and "nova-conductor@cell1" in reason(boot)
    assert "so only what nova-conductor@cell2 serves works" in reason(boot)
    # With both cells down (`--fail cell1 --fail cell2`: every service of each), nothing can be booted.
    both = scenarios.from_names(eng.arch, set(eng.facts.services), ["cell1", "cell2"])
    assert both.services == {f"{s}@{c}" for s in ("galera", "rabbitmq", "nova-conductor") for c in ("cell1", "cell2")}
    assert states(eng.evaluate(both).immediate)["boot-instance"] == "down"


def test_listing_instances_returns_partial_results_while_a_cell_database_is_down():
    eng = engine(CELLS)
    listing = fail(eng, "galera@cell2").immediate.operations["list-instances"]
    assert listing.state == "degraded" and "galera@cell2" in reason(listing)
    # The API database (the global galera) is another matter: without it nothing is listed.
    assert states(fail(eng, "galera").immediate)["list-instances"] == "down"


def test_a_cell_vm_running_a_shared_service_is_refused():
    bad = CELLS.replace("services: [galera, rabbitmq, nova-conductor]}\n", "services: [galera, keystone]}\n", 1)
    from conftest import check
    problems = [p for p in check(bad, "clean").problems if p.rule == "REF008"]
    assert len(problems) == 1 and "`keystone` is shared by every cell" in problems[0].message
    undeclared = CELLS.replace("cell: cell2", "cell: cell9", 1)
    assert any(p.rule == "REF007" and "`cell9` is not a declared Nova cell" in p.message
               for p in check(undeclared, "clean").problems)


def test_each_cell_needs_its_own_database_queue_and_conductor():
    from conftest import findings
    text = CELLS.replace("services: [galera, rabbitmq, nova-conductor]}\n", "services: [galera, nova-conductor]}\n")
    missing = [p.message for p in findings(text, "RED001")]
    assert "Nova cell `cell1` runs no `rabbitmq` (RabbitMQ) of its own" in missing
    assert "Nova cell `cell2` runs no `rabbitmq` (RabbitMQ) of its own" in missing
    # The cell's own clusters get the same care as the global ones: two members on one host is RED004.
    crowded = CELLS.replace("{name: cell1-02, host: kvm-02", "{name: cell1-02, host: kvm-01")
    shared = {p.message.split("`")[1] for p in findings(crowded, "RED004")}
    assert {"galera@cell1", "rabbitmq@cell1"} <= shared and "galera@cell2" not in shared


REGION = (ROOT / "architectures" / "vsphere-large-region.yaml").read_text().replace(
    "id: vsphere-large-region", "id: clean")
# The region with a Swift proxy on each controller (its storage servers outside this cluster).
WITH_SWIFT = REGION.replace("barbican-keystone-listener,\n", "barbican-keystone-listener, swift-proxy,\n")


@pytest.mark.parametrize(("service", "stopped"), [
    ("octavia-worker", {"create-load-balancer"}),
    ("designate-central", {"create-dns-zone"}),
    ("barbican-api", {"store-secret"}),
    ("swift-proxy", {"upload-object"}),
    ("cinder-backup", {"backup-volume"}),
    # Without the monitors' quorum nothing reaches Ceph: images, volumes, and what builds on them.
    ("ceph-mon", {"boot-instance", "upload-image", "create-volume", "attach-volume@cell1", "attach-volume@cell2",
                  "create-load-balancer", "backup-volume"}),
])
def test_each_new_service_stops_exactly_its_operations(service, stopped):
    eng = engine(WITH_SWIFT)
    impact = fail(eng, service)
    down = {oid for oid, state in states(impact.immediate).items() if state == "down"}
    assert down == stopped
    # Unrelated operations keep working, and so does the data plane.
    for oid in ("authenticate", "list-instances", "create-network", "running-instances", "resolve-existing-records"):
        assert states(impact.immediate)[oid] != "down", oid


def test_records_resolve_without_the_dns_control_plane_but_not_without_the_dns_servers():
    eng = engine(REGION)
    api = states(fail(eng, "designate-api", "designate-central", "designate-worker").immediate)
    assert api["create-dns-zone"] == "down" and api["resolve-existing-records"] == "ok"
    # Without mdns too the DNS servers answer from their copy of the zones, until the SOA expire.
    mdns = fail(eng, "designate-mdns").immediate.operations["resolve-existing-records"]
    assert mdns.state == "degraded"
    assert reason(mdns) == ("uses designate-mdns, which is down on every VM; it works from the DNS servers' copy of "
                            "the zones for at most 24 h (86,400 s, the zones' SOA expire, designate's "
                            "default_soa_expire)")
    assert states(fail(eng, "designate-bind9").immediate)["resolve-existing-records"] == "down"


def test_two_ceph_monitors_lost_stop_the_cluster_map_and_one_does_not():
    eng = engine(REGION)
    one = fail(eng, "mon-01").immediate.operations["create-volume"]
    assert one.state != "down" and one.margin is not None
    two = fail(eng, "mon-01", "mon-02").immediate.operations["create-volume"]
    assert two.state == "down" and "ceph-mon" in reason(two) and "lost quorum" in reason(two)


def test_a_region_without_the_services_does_not_offer_their_operations():
    eng = engine(VSPHERE)
    assert {"create-load-balancer", "create-dns-zone", "store-secret", "upload-object", "backup-volume",
            "create-share", "deploy-bare-metal", "resolve-existing-records"}.isdisjoint(eng.facts.operations)
    # Ceph runs outside this cluster when no VM runs its monitors: volumes need them, but nothing here
    # can take them away.
    volumes = engine(CLEAN.replace("nova-metadata, ", "nova-metadata, cinder-api, cinder-scheduler, cinder-volume, "
                                   "etcd, "))
    assert "ceph-mon" in volumes.facts.operations["create-volume"].requires
    assert states(fail(volumes).immediate)["create-volume"] == "ok"
