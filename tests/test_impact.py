"""The failure-impact engine, on cases whose answer the OpenStack HA guide states, and on its phases."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CLEAN, check, edit

from generator import catalog
from generator.analysis.engine import Engine, Scenario
from generator.render.phrases import describe, reason
from generator.render.phrases import service_cause as cause
from generator.rules.validate import check_file

ROOT = Path(__file__).resolve().parent.parent
FACTS = catalog.load()


def engine(name_or_text: str) -> Engine:
    if name_or_text == KVM:  # the shipped design, its storage aside (tests/test_platform_parts.py has it)
        text = (ROOT / "architectures" / KVM).read_text().replace(", storage: local-disk", "")
        text = text.replace("storage:\n  - {name: ceph-mgmt, kind: ceph, failures_to_tolerate: 1}\n"
                            "  - {name: local-disk, kind: local}\n", "")
        arch = check(text, "kvm-three-hosts", design_rules=True).architecture
    elif name_or_text.endswith(".yaml"):
        arch = check_file(ROOT / "architectures" / name_or_text).architecture
    else:
        arch = check(name_or_text, "clean", design_rules=True).architecture
    return Engine(arch, FACTS)


def fail(eng: Engine, *names: str, maintenance: tuple[str, ...] = ()):
    hosts = {h.name for h in eng.arch.hosts}
    vms = {vm.name for vm in eng.arch.vms}
    return eng.evaluate(Scenario(
        hosts=frozenset(n for n in names if n in hosts), vms=frozenset(n for n in names if n in vms),
        services=frozenset(n for n in names if n not in hosts | vms), maintenance=frozenset(maintenance)))


def states(phase, plane: str | None = None) -> dict[str, str]:
    return {oid: op.state for oid, op in phase.operations.items()
            if plane is None or FACTS.operations[oid].plane == plane}


KVM = "kvm-three-hosts.yaml"


def test_losing_one_of_three_galera_members_keeps_everything_working():
    impact = fail(engine(KVM), "db-01")
    assert "down" not in states(impact.immediate).values()
    assert impact.immediate.services["galera"].state == "degraded"
    # db-01 is the member writes go through: the next one takes them, so galera works less well for a while.
    writes = "moves writes from db-01 to db-02 in about 10 s (db-01 failed)"
    assert cause(impact.immediate.services["galera"]) == writes
    assert cause(fail(engine(KVM), "db-02").immediate.services["galera"]) == (
        "runs on 2 of 3 votes, still a majority (db-02 failed)")


def test_losing_two_galera_members_stops_authentication_and_every_api_write():
    impact = fail(engine(KVM), "db-01", "db-02")
    control = states(impact.immediate, "control")
    assert set(control.values()) == {"down"}
    assert reason(impact.immediate.operations["authenticate"]) == (
        "needs keystone, which needs galera, which lost quorum: 1 of 3 votes up (db-01 failed; db-02 failed)")


def test_losing_two_hosts_names_the_hosts_in_the_reason():
    impact = fail(engine(KVM), "kvm-02", "kvm-03")
    # kvm-01 alone holds 1 of the cluster's 3 votes, so Pacemaker stops db-01 as well.
    assert cause(impact.immediate.services["galera"]) == (
        "lost quorum: 0 of 3 votes up (db-01 on kvm-01 is down: the cluster lost quorum (1 of 3 votes up, kvm-02 "
        "and kvm-03 lost) and stops every VM it runs; db-02 was on kvm-02, which failed; db-03 was on kvm-03, "
        "which failed)")


def test_heat_lists_stacks_over_rpc_so_the_queue_and_the_engine_stop_it():
    # heat-api has no database access: every call, listing included, is RPC to heat-engine.
    impact = fail(engine("vsphere-four-hosts.yaml"), "rabbitmq")
    assert states(impact.immediate)["list-stacks"] == "down"
    assert states(impact.immediate)["list-instances"] == "ok"  # nova lists from its database
    engine_down = fail(engine("vsphere-four-hosts.yaml"), "heat-engine").immediate.operations["list-stacks"]
    assert engine_down.state == "down" and reason(engine_down) == "needs heat-engine, which is down on every VM"
    # heat-api itself is down with the engine: the outage page says so for heat-api's users too.
    assert fail(engine("vsphere-four-hosts.yaml"), "heat-engine").immediate.services["heat-api"].state == "down"


def test_rabbitmq_down_stops_boots_but_not_listing_or_image_upload():
    impact = fail(engine(KVM), "rabbitmq")
    ops = states(impact.immediate)
    assert ops["boot-instance"] == "down"
    assert ops["create-volume"] == "down"
    assert ops["list-instances"] == ops["upload-image"] == ops["authenticate"] == "ok"
    assert reason(impact.immediate.operations["boot-instance"]) == "needs rabbitmq, which is down on every VM"


def test_keystone_down_stops_authentication():
    ops = states(fail(engine(KVM), "keystone").immediate)
    assert ops["authenticate"] == "down"
    assert ops["dashboard-login"] == "down"


@pytest.mark.parametrize("name", ["kvm-three-hosts.yaml", "vsphere-four-hosts.yaml", "basic-six-vms.yaml"])
def test_the_data_plane_survives_every_control_plane_failure(name):
    eng = engine(name)
    everything = [h.name for h in eng.arch.hosts]
    impact = fail(eng, *everything)
    assert states(impact.immediate, "control") and set(states(impact.immediate, "control").values()) == {"down"}
    assert states(impact.immediate)["running-instances"] == "ok"
    assert states(impact.immediate)["existing-network-traffic"] == "ok"


def test_routed_traffic_with_ovs_depends_on_the_l3_agents_only():
    eng = engine("vsphere-four-hosts.yaml")
    assert states(fail(eng, "rabbitmq", "galera").immediate)["routed-traffic"] == "ok"
    assert states(fail(eng, "net-01", "net-02").immediate)["routed-traffic"] == "down"


def test_mandatory_anti_affinity_leaves_the_third_member_down_after_restart():
    impact = fail(engine(KVM), "kvm-01")
    after = impact.after_restart
    assert after.where["db-01"] is None
    assert "cannot restart: every available host with room already runs a VM of the same service" in (
        cause(after.services["galera"]))
    assert after.where["lb-01"] == "kvm-03"  # no load balancer there, so it may restart


def test_preferred_anti_affinity_restarts_next_to_a_sibling_and_says_so():
    text = (ROOT / "architectures" / KVM).read_text().replace(", storage: local-disk", "")  # db-01 may move
    eng = engine(edit("anti_affinity: mandatory", "anti_affinity: preferred", text).replace(
        "id: kvm-three-hosts", "id: clean"))
    after = fail(eng, "kvm-01").after_restart
    assert after.where["db-01"] in ("kvm-02", "kvm-03")
    assert after.services["galera"].state == "degraded"
    assert "one more host failure would take both" in cause(after.services["galera"])


def test_a_spare_host_brings_full_redundancy_back():
    impact = fail(engine("vsphere-four-hosts.yaml"), "esxi-01")
    assert "down" not in states(impact.immediate).values()
    assert set(states(impact.after_restart).values()) == {"ok"}


def test_recovery_time_is_restart_plus_rejoin_when_the_platform_brings_it_back():
    impact = fail(engine("basic-six-vms.yaml"), "esxi-02")
    assert impact.immediate.operations["authenticate"].state == "down"
    assert impact.after_restart.operations["authenticate"].state == "ok"
    # vSphere's default restart (180 s) brings the database VM back; the API VM, of a lower restart
    # priority, boots after it (60 s more); then galera's and rabbitmq's rejoin (60 s).
    assert impact.after_restart.ready_seconds == {"lb-02": 180, "db-01": 180, "api-02": 240}
    assert impact.recovery_seconds["authenticate"] == 300
    assert impact.recovery_seconds["running-instances"] == 0


def test_without_platform_ha_nothing_comes_back():
    eng = engine(CLEAN.replace("ha: pacemaker\n  fencing: ipmi", "ha: none"))
    impact = fail(eng, "kvm-01", "kvm-02")
    assert impact.after_restart.operations == impact.immediate.operations
    assert impact.recovery_seconds["authenticate"] is None


def test_no_capacity_leaves_vms_down_after_restart():
    eng = engine(CLEAN.replace("memory_gib: 128", "memory_gib: 40"))
    after = fail(eng, "kvm-01").after_restart
    assert after.where["ctl-01"] is None
    assert "no available host has the free CPU and memory for it" in cause(after.services["galera"])


def test_a_failed_vm_restarts_in_place():
    impact = fail(engine(KVM), "db-01")
    assert impact.immediate.where["db-01"] is None
    assert impact.after_restart.where["db-01"] == "kvm-01"
    assert impact.after_restart.services["galera"].state == "ok"


def test_failover_of_an_active_passive_service_is_a_delay():
    impact = fail(engine(KVM), "vol-01")
    volume = impact.immediate.services["cinder-volume"]
    assert volume.state == "degraded"
    assert cause(volume).startswith("fails over to vol-02 in about 60 s")
    assert impact.recovery_seconds["create-volume"] == 60


def test_keepalived_moves_the_virtual_ip():
    impact = fail(engine(KVM), "lb-01")
    assert cause(impact.immediate.services["keepalived"]).startswith("moves the virtual IP to lb-02 in about 4 s")
    assert impact.recovery_seconds["authenticate"] == 4


def arbitrated() -> Engine:
    text = CLEAN.replace(" galera,", "", 1) + "  - {name: arb-01, host: kvm-01, services: [garbd]}\n"
    return engine(text)


def test_an_arbitrator_keeps_two_galera_members_quorate():
    eng = arbitrated()
    assert fail(eng, "ctl-02").immediate.services["galera"].state == "degraded"
    assert fail(eng, "ctl-02", "arb-01").immediate.services["galera"].state == "down"
    lost = fail(eng, "garbd").immediate.services["galera"]
    assert lost.state == "degraded" and "the arbitrator garbd is down on every VM" in cause(lost)


def test_maintenance_then_a_failure():
    eng = engine("vsphere-four-hosts.yaml")
    impact = fail(eng, "esxi-02", maintenance=("esxi-01",))
    assert describe(impact.scenario) == "esxi-01 in maintenance, then esxi-02 fails"
    # db-01 could move to esxi-04 for maintenance; esxi-02's db-02 then has nowhere to restart but esxi-01,
    # which is in maintenance, so galera runs on two of three.
    assert impact.immediate.where["db-01"] == "esxi-04"
    assert impact.after_restart.where["db-02"] is None
    assert "down" not in states(impact.immediate).values()


def test_a_failure_domain_fails_its_hosts():
    from generator.analysis import scenarios
    eng = engine(KVM)
    [scenario] = [s for s in scenarios.failure_domains(eng.arch) if s.domains == {"rack-a"}]
    assert scenario.hosts == {"kvm-01"}
    assert describe(scenario) == "rack-a fails"


def test_operations_of_services_not_deployed_are_not_offered_and_required_ones_missing_stop_them():
    eng = engine(CLEAN)  # no cinder, no horizon, no heat
    assert {"create-volume", "dashboard-login", "create-stack"}.isdisjoint(eng.facts.operations)
    assert {"authenticate", "boot-instance", "running-instances"} <= set(eng.facts.operations)
    # rabbitmq is no option: a design without it still offers boot, which then cannot work.
    impact = fail(engine(CLEAN.replace(" rabbitmq,", "")))
    assert impact.immediate.operations["boot-instance"].state == "down"
    assert reason(impact.immediate.operations["boot-instance"]) == "needs rabbitmq, which is not deployed"


def test_every_root_cause_is_named_when_two_hosts_take_galera_and_rabbitmq():
    eng = engine(KVM)
    boot = fail(eng, "kvm-01", "kvm-02").immediate.operations["boot-instance"]
    assert boot.state == "down"
    roots = {cause.service for cause in boot.root_causes}
    assert {"galera", "rabbitmq"} <= roots
    assert "galera" in reason(boot) and "rabbitmq" in reason(boot)
    # One host back is enough: both clusters regain a majority.
    assert boot.repair in (("kvm-01",), ("kvm-02",))


def test_losing_a_spare_member_keeps_operations_ok_with_no_margin_left():
    eng = engine(KVM)
    baseline = eng.phase(Scenario(), "immediate").operations["list-instances"]
    assert (baseline.state, baseline.margin) == ("ok", 1)
    # db-02 is a backup of galera's writer (db-01), so losing it takes redundancy and nothing else.
    lost = fail(eng, "db-02").immediate.operations["list-instances"]
    assert (lost.state, lost.margin, reason(lost)) == ("ok", 0, None)
    assert set(lost.at_risk) == {"kvm-01", "kvm-03"}  # the hosts of the two galera members left


def test_a_lost_cache_shard_degrades_what_uses_it_and_a_failover_degrades_while_it_runs():
    ops = fail(engine(KVM), "ctl-01").immediate.operations
    assert ops["authenticate"].state == "degraded"
    assert [c.service for c in ops["authenticate"].root_causes] == ["memcached"]
    assert ops["authenticate"].root_causes[0].uses
    assert ops["upload-image"].margin == 1  # glance-api runs on the other two controllers
    moving = fail(engine(KVM), "lb-01").immediate.operations["upload-image"]
    assert moving.state == "degraded" and [c.service for c in moving.root_causes] == ["keepalived"]
    assert "moves the virtual IP to lb-02" in reason(moving)
