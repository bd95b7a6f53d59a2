"""The management cluster's own parts in the engine: quorum, witness, fencing, storage, switches,
management servers, restart order. Each case cites the platform behaviour it encodes (sources in
generator/catalog/platforms.yaml and ../shared/reference/domain-audit-platforms.md)."""

from __future__ import annotations

from pathlib import Path

from generator import catalog
from generator.analysis import scenarios
from generator.analysis.engine import Engine
from generator.render.phrases import service_cause as cause
from generator.render.phrases import vm_reason
from generator.rules.validate import check_bytes

ROOT = Path(__file__).resolve().parent.parent
FACTS = catalog.load()


def design(name: str, old: str = "", new: str = ""):
    text = (ROOT / "architectures" / f"{name}.yaml").read_text()
    if old:
        assert old in text, old
        text = text.replace(old, new)
    result = check_bytes(text.encode(), f"{name}.yaml", name)
    assert result.architecture is not None, result.problems
    return result.architecture


def fail(arch, *names: str):
    return Engine(arch, FACTS).evaluate(scenarios.from_names(arch, set(FACTS.services), list(names)))


def down(phase) -> set[str]:
    return {oid for oid, op in phase.operations.items() if op.state == "down"}


def running(phase) -> set[str]:
    return {vm for vm, host in phase.where.items() if host is not None}


def test_two_of_three_pacemaker_hosts_lost_stop_the_third_and_restart_nothing():
    # votequorum: 1 of 3 votes is no majority; no-quorum-policy=stop stops every resource there.
    impact = fail(design("kvm-three-hosts"), "kvm-01", "kvm-02")
    for phase in (impact.immediate, impact.after_restart):
        assert running(phase) == set()
        assert "the cluster lost quorum (1 of 3 votes up, kvm-01 and kvm-02 lost)" in vm_reason(phase.vms["db-03"])
    assert impact.recovery_seconds["authenticate"] is None


def test_freeze_keeps_the_survivors_running_but_restarts_nothing():
    arch = design("kvm-three-hosts", "  anti_affinity: mandatory\n",
                  "  anti_affinity: mandatory\n  no_quorum_policy: freeze\n")
    impact = fail(arch, "kvm-01", "kvm-02")
    # ctl-03 and vol-02 keep their disks on ceph-mgmt, which lost 2 of its 3 hosts: only db-03 (local disk) runs.
    assert running(impact.immediate) == running(impact.after_restart) == {"db-03"}
    assert "no-quorum-policy=freeze restarts nothing" in vm_reason(impact.after_restart.vms["lb-01"])


def test_hyperv_keeps_quorum_with_two_nodes_and_the_witness_and_loses_it_without():
    arch = design("hyperv-four-hosts")
    kept = fail(arch, "hv-01", "hv-02")  # 3 of 5 votes: the witness decides
    assert down(kept.after_restart) == set()
    lost = fail(arch, "hv-01", "hv-02", "fsw-01")  # 2 of 5: the cluster service stops on hv-03 and hv-04
    assert running(lost.immediate) == running(lost.after_restart) == set()
    assert "2 of 5 votes up, hv-01, hv-02 and the witness fsw-01 lost" in vm_reason(lost.after_restart.vms["db-03"])
    assert fail(arch, "fsw-01").immediate.operations["authenticate"].state == "ok"


def test_dynamic_witness_has_no_vote_with_an_odd_number_of_nodes():
    arch = design("hyperv-four-hosts", "  - {name: hv-04, cpus: 40, memory_gib: 384}\n", "")
    model = Engine(arch, FACTS).model
    assert "witness:fsw-01" not in model.gates["cluster-down"].inputs
    assert model.gates["cluster-down"].k == 2


def test_a_rack_power_loss_takes_ipmi_and_the_watchdog_level_still_fences():
    arch = design("kvm-three-hosts")
    assert "lb-01" in running(fail(arch, "rack-a").after_restart)  # sbd fences kvm-01
    impact = fail(arch, "rack-a", "sbd")
    assert "lb-01" not in running(impact.after_restart)
    assert vm_reason(impact.after_restart.vms["lb-01"]) == (
        "lb-01 was on kvm-01, which failed, and cannot restart: Pacemaker cannot fence kvm-01 (ipmi lost power "
        "(rack-a failed); sbd failed) and starts nothing of it elsewhere")
    # A host crash leaves its BMC powered: IPMI fences it.
    assert "lb-01" in running(fail(arch, "kvm-01", "sbd").after_restart)


def test_shared_storage_failure_stops_its_vms_and_nothing_restarts_them():
    impact = fail(design("vsphere-four-hosts"), "datastore-01")
    assert running(impact.after_restart) == set()
    assert down(impact.after_restart) >= {"authenticate", "boot-instance"}
    assert vm_reason(impact.after_restart.vms["db-01"]) == "db-01 on esxi-01 is down: its storage datastore-01 failed"
    assert impact.immediate.operations["authenticate"].repair == ("datastore-01",)
    # Every galera member went down at once, so galera stays down after the restarts; with the datastore
    # back every member returns, and pc.recovery brings the cluster back by itself (the catalog's fact).
    assert impact.after_restart.operations["authenticate"].repair == ("datastore-01",)
    assert any(c.service == "galera" and c.node.facts["how"] == "latched"
               for c in impact.after_restart.operations["authenticate"].root_causes)


def test_ceph_survives_one_host_and_stops_with_two_local_disks_never_move():
    arch = design("kvm-three-hosts")
    one = fail(arch, "kvm-01")
    assert one.after_restart.where["db-01"] is None  # its disk is local to kvm-01
    assert "lb-01" in running(one.after_restart)  # lb-01's disk is on ceph-mgmt: restarted
    impact = fail(arch, "ceph-mgmt")
    assert {"ctl-01", "ctl-02", "ctl-03"}.isdisjoint(running(impact.immediate))
    assert {"db-01", "db-02", "db-03"} <= running(impact.immediate)


def test_vsan_with_failures_to_tolerate_one_loses_its_objects_with_two_hosts():
    arch = design("vsphere-four-hosts", "  - {name: datastore-01, kind: san}", "  - {name: vsan-01, kind: vsan}")
    arch = arch.model_copy(update={"waivers": []})
    assert running(fail(arch, "esxi-01").immediate) == {vm for vm, h in fail(arch).immediate.where.items()
                                                       if h != "esxi-01"}
    pair = fail(arch, "esxi-01", "esxi-02")
    assert running(pair.immediate) == set()
    assert "its storage vsan-01 (vsan) lost 2 of its 4 hosts (esxi-01 and esxi-02) and tolerates 1" in \
        vm_reason(pair.immediate.vms["db-03"])


def test_a_switch_failure_isolates_live_hosts_per_platform():
    switches = "storage:\n  - {name: datastore-01, kind: san}\nswitches:\n  - {name: tor-1, hosts: [esxi-01]}\n" \
               "  - {name: tor-2, hosts: [esxi-02, esxi-03, esxi-04]}\n"
    base = design("vsphere-four-hosts", "storage:\n  - {name: datastore-01, kind: san}\n", switches)
    # power-off: HA restarts the isolated host's VMs elsewhere, 60 s after the isolation.
    restarted = fail(base, "tor-1")
    assert restarted.immediate.where["lb-01"] is None
    assert "every switch it is connected through (tor-1) failed" in vm_reason(restarted.immediate.vms["lb-01"])
    assert restarted.after_restart.where["lb-01"] not in (None, "esxi-01")
    assert restarted.after_restart.ready_seconds["lb-01"] == 180 + 60
    # disabled (vSphere's default): the VMs keep running there, unreachable, and are not restarted.
    left = fail(design("vsphere-four-hosts", "  isolation_response: power-off\n", "").model_copy(
        update={"switches": base.switches}), "tor-1")
    assert left.after_restart.where["lb-01"] is None
    assert "isolation response (disabled) leaves it running there" in vm_reason(left.after_restart.vms["lb-01"])


def test_vsan_restarts_a_cut_off_hosts_vms_whatever_the_isolation_response():
    # On vSAN the partition owning the VM's objects restarts it; no datastore lock keeps it away.
    switches = "storage:\n  - {name: vsan-01, kind: vsan, failures_to_tolerate: 1}\nswitches:\n" \
               "  - {name: tor-1, hosts: [esxi-01]}\n  - {name: tor-2, hosts: [esxi-02, esxi-03, esxi-04]}\n"
    arch = design("vsphere-four-hosts", "storage:\n  - {name: datastore-01, kind: san}\n", switches)
    disabled = arch.model_copy(update={"platform": arch.platform.model_copy(update={"isolation_response": None})})
    impact = fail(disabled, "tor-1")
    assert impact.immediate.where["lb-01"] is None
    assert impact.after_restart.where["lb-01"] not in (None, "esxi-01")
    assert "leaves it running" not in vm_reason(impact.immediate.vms["lb-01"])
    # the same on a SAN datastore: the lock held by the cut-off host keeps the VM there
    san = design("vsphere-four-hosts", "  isolation_response: power-off\n", "").model_copy(
        update={"switches": arch.switches})
    assert fail(san, "tor-1").after_restart.where["lb-01"] is None


def test_hyperv_pauses_a_cut_off_nodes_vms_on_cluster_shared_volumes():
    arch = design("hyperv-four-hosts", "storage:\n", "switches:\n  - {name: sw-a, hosts: [hv-01]}\nstorage:\n")
    words = vm_reason(fail(arch, "sw-a").immediate.vms["lb-01"])
    assert "so lb-01 is paused there (Paused-Critical" in words
    # on KVM an isolated node stops its VMs (no quorum): not paused
    kvm = design("kvm-three-hosts", "\nvms:\n", "\nswitches:\n  - {name: tor-1, hosts: [kvm-01]}\n"
                 "  - {name: tor-2, hosts: [kvm-02, kvm-03]}\nvms:\n")
    first = next(vm.name for vm in kvm.vms if vm.host == "kvm-01")
    assert "paused" not in vm_reason(fail(kvm, "tor-1").immediate.vms[first])


def test_hyperv_isolation_waits_the_resiliency_period_before_failing_over():
    arch = design("hyperv-four-hosts", "storage:\n", "switches:\n  - {name: sw-a, hosts: [hv-01]}\nstorage:\n")
    impact = fail(arch, "sw-a")
    assert impact.immediate.where["lb-01"] is None
    assert impact.after_restart.ready_seconds["lb-01"] == 180 + 240


def test_vcenter_down_still_restarts_a_failed_host_but_blocks_maintenance():
    arch = design("vsphere-four-hosts")
    impact = fail(arch, "vcenter", "esxi-01")
    assert running(impact.after_restart) == running(fail(arch, "esxi-01").after_restart)
    assert fail(arch, "vcenter").immediate.operations["authenticate"].state == "ok"
    engine = Engine(arch, FACTS)
    maintenance = scenarios.Scenario(maintenance=frozenset({"esxi-01"}), parts=frozenset({"vcenter"}))
    phase = engine.phase(maintenance, "immediate")
    assert vm_reason(phase.vms["lb-01"]) == "lb-01 could not leave esxi-01 for maintenance: live migration needs " \
                                      "vcenter, which is down"


def test_restart_priority_brings_databases_back_before_the_apis():
    arch = design("vsphere-four-hosts")
    impact = fail(arch, "esxi-01")
    ready = impact.after_restart.ready_seconds
    assert {vm: ready[vm] for vm in ("lb-01", "db-01")} == {"lb-01": 180, "db-01": 180}
    assert all(ready[vm] == 240 for vm in ready if vm not in ("lb-01", "db-01", "net-01"))
    low = design("vsphere-four-hosts", "{name: db-01, host: esxi-01,",
                 "{name: db-01, host: esxi-01, restart_priority: low,")
    assert fail(low, "esxi-01").after_restart.ready_seconds["db-01"] > 240


def test_a_part_in_a_failure_domain_fails_with_it():
    arch = design("hyperv-four-hosts", "  witness: {kind: file-share, name: fsw-01}",
                  "  witness: {kind: file-share, name: fsw-01, failure_domain: room-1}")
    arch = arch.model_copy(update={"failure_domains": ["room-1"], "hosts": [
        h.model_copy(update={"failure_domain": "room-1"}) if h.name in ("hv-01", "hv-02") else h for h in arch.hosts]})
    impact = fail(arch, "room-1")
    assert impact.scenario.parts == frozenset({"fsw-01"}) and impact.scenario.failed == ["room-1"]
    assert running(impact.after_restart) == set()


def test_a_restart_into_a_siblings_failure_domain_is_flagged_like_sharing_a_host():
    text = """\
id: racks
title: Racks
summary: Three racks, a spare host in rack-b.
platform: {hypervisor: vsphere, ha: vsphere-ha, anti_affinity: mandatory}
failure_domains: [rack-a, rack-b, rack-c]
hosts:
  - {name: h1, failure_domain: rack-a}
  - {name: h2, failure_domain: rack-b}
  - {name: h3, failure_domain: rack-b}
  - {name: h4, failure_domain: rack-c}
vms:
  - {name: db-01, host: h1, services: [galera]}
  - {name: db-02, host: h3, services: [galera]}
  - {name: db-03, host: h4, services: [galera]}
"""
    arch = check_bytes(text.encode(), "racks.yaml", "racks").architecture
    after = fail(arch, "h1").after_restart
    assert after.where["db-01"] == "h2"
    assert after.services["galera"].state == "degraded"
    assert cause(after.services["galera"]) == ("runs db-01 and db-02 both in rack-b now: one more failure domain "
                                              "failure would take both")


def with_policy(value: str | None, storage: str = "{name: ceph-mgmt, kind: ceph, size: 3, min_size: 1}",
                switches: str = ""):
    """kvm-three-hosts with a no-quorum-policy, a pool that keeps a copy on every host, and any switches."""
    text = (ROOT / "architectures" / "kvm-three-hosts.yaml").read_text()
    if value is not None:
        text = text.replace("  anti_affinity: mandatory\n",
                            f"  anti_affinity: mandatory\n  no_quorum_policy: {value}\n")
    text = text.replace("{name: ceph-mgmt, kind: ceph, failures_to_tolerate: 1}", storage)
    if switches:
        text = text.replace("\nvms:\n", f"\nswitches:\n{switches}vms:\n", 1)
    result = check_bytes(text.encode(), "kvm-three-hosts.yaml", "kvm-three-hosts")
    assert result.architecture is not None, result.problems
    return result.architecture


def test_freeze_with_storage_that_survives_keeps_the_third_hosts_vms_and_restarts_nothing():
    impact = fail(with_policy("freeze"), "kvm-01", "kvm-02")
    on_third = {"ctl-03", "db-03", "vol-02"}
    assert running(impact.immediate) == running(impact.after_restart) == on_third
    assert "no-quorum-policy=freeze restarts nothing" in vm_reason(impact.after_restart.vms["lb-01"])


def test_demote_suicide_and_fence_stop_a_partition_without_quorum_like_stop():
    stopped = fail(with_policy(None), "kvm-01", "kvm-02")
    assert running(stopped.immediate) == set()
    for value in ("demote", "suicide", "fence"):
        impact = fail(with_policy(value), "kvm-01", "kvm-02")
        assert running(impact.immediate) == running(impact.after_restart) == set(), value


def test_ignore_keeps_the_survivor_serving_when_the_others_are_dead():
    # Two hosts dead, no split: with ignore the third carries on, fences the dead ones and restarts their VMs
    # where anti-affinity lets it (mandatory: none of the siblings' VMs may join their own kind).
    impact = fail(with_policy("ignore"), "kvm-01", "kvm-02")
    assert {"ctl-03", "db-03", "vol-02"} <= running(impact.immediate)
    assert running(impact.after_restart) >= running(impact.immediate)
    assert "cluster lost quorum" not in " ".join(vm_reason(node) for node in impact.immediate.vms.values())


def test_ignore_in_a_split_takes_the_side_without_a_majority_to_lose():
    # Each host behind its own switch: tor-1 and tor-2 fail, kvm-01 and kvm-02 are alive but cut off, and
    # kvm-03 alone has no majority: it races them to fence, and refarch takes it to lose.
    arch = with_policy("ignore", switches="  - {name: tor-1, hosts: [kvm-01]}\n  - {name: tor-2, hosts: [kvm-02]}\n"
                                          "  - {name: tor-3, hosts: [kvm-03]}\n")
    impact = fail(arch, "tor-1", "tor-2")
    assert running(impact.immediate) == running(impact.after_restart) == set()
    said = vm_reason(impact.immediate.vms["db-03"])
    assert "while cut-off hosts run on, and with no-quorum-policy=ignore this side is taken to lose" in said


def test_two_node_is_a_setting_with_pcs_default():
    # Two hosts and no quorum device: pcs sets two_node, so one host keeps quorum; turned off, neither does.
    from conftest import VALID, check

    default = Engine(check(VALID).architecture, FACTS)
    assert default.model.gates["cluster-down"].k == 2
    assert running(fail(default.arch, "kvm-02").immediate) == {"db-01"}
    off = check(VALID.replace("  fencing: ipmi\n", "  fencing: ipmi\n  two_node: false\n")).architecture
    assert Engine(off, FACTS).model.gates["cluster-down"].k == 1
    assert running(fail(off, "kvm-02").immediate) == set()
