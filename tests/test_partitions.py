"""Both sides of a network split: switches linked by uplinks, a core switch without hosts, the witness,
fencing and shared storage behind a switch, and each platform's rules for the side that carries on
(generator/analysis/partitions.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ALL_OVS, check
from test_platform_parts import design, fail, running

from generator.analysis import partitions
from generator.analysis.compile import network_of
from generator.render.phrases import summary, vm_reason

HOSTS = "".join(f"  - {{name: kvm-0{i}, cpus: 32, memory_gib: 128}}\n" for i in range(1, 6))
VMS = "".join(f"  - {{name: ctl-0{i}, host: kvm-0{i}, vcpus: 8, memory_gib: 32, services: [{ALL_OVS}]}}\n"
              for i in range(1, 6))
# Five KVM hosts with SBD fencing: three behind one top-of-rack switch, two behind the other, a core between.
FIVE = (f"id: clean\ntitle: Five hosts in two racks\nsummary: A split.\n"
        f"platform: {{hypervisor: kvm, ha: pacemaker, fencing: sbd}}\nhosts:\n{HOSTS}switches:\n"
        "  - {name: tor-a, hosts: [kvm-01, kvm-02, kvm-03], uplinks: [core]}\n"
        "  - {name: tor-b, hosts: [kvm-04, kvm-05], uplinks: [core]}\n"
        "  - {name: core, hosts: []}\n"
        f"vms:\n{VMS}")


def arch_of(text: str):
    result = check(text, "clean", design_rules=True)
    assert result.architecture is not None, result.problems
    return result.architecture


def test_the_three_host_side_carries_on_and_restarts_the_other_sides_vms_after_fencing():
    impact = fail(arch_of(FIVE), "core")
    assert running(impact.immediate) == {"ctl-01", "ctl-02", "ctl-03"}  # the two-host side stops its VMs
    words = vm_reason(impact.immediate.vms["ctl-04"])
    assert words == ("ctl-04 on kvm-04 is down: kvm-04 is on a side of the split that does not carry on: core "
                     "failed, so ctl-04 is unreachable")
    assert summary(impact.scenario, impact.immediate) == (
        "core failed. Hosts kvm-04 and kvm-05 are cut off from the others, which keep quorum (3 of 5 votes up); "
        "2 of 5 VMs are down.")
    # SBD fences the other side from this one; then its VMs restart here
    assert running(impact.after_restart) == {f"ctl-0{i}" for i in range(1, 6)}
    assert {impact.after_restart.where[vm] for vm in ("ctl-04", "ctl-05")} <= {"kvm-01", "kvm-02", "kvm-03"}


def test_a_fencing_device_on_the_other_side_of_the_split_cannot_fence():
    ipmi = FIVE.replace("fencing: sbd}", "fencing: [{name: ipmi, kind: ipmi, switch: tor-b}]}")
    impact = fail(arch_of(ipmi), "core")
    assert running(impact.after_restart) == {"ctl-01", "ctl-02", "ctl-03"}
    assert "ipmi" in vm_reason(impact.after_restart.vms["ctl-04"])
    # behind the side that carries on, it fences
    here = fail(arch_of(ipmi.replace("switch: tor-b}", "switch: tor-a}")), "core")
    assert running(here.after_restart) == {f"ctl-0{i}" for i in range(1, 6)}


def test_a_split_with_no_side_holding_a_majority_stops_the_cluster():
    impact = fail(arch_of(FIVE), "core", "kvm-01")
    assert running(impact.immediate) == set()
    assert summary(impact.scenario, impact.immediate) == (
        "kvm-01 and core failed. The cluster lost quorum (2 of 5 votes up) and stops every VM it runs; hosts kvm-04 "
        "and kvm-05 are cut off from the others; 5 of 5 VMs are down.")


def test_without_uplinks_every_switch_reaches_every_other():
    meshed = FIVE.replace(", uplinks: [core]", "").replace("  - {name: core, hosts: []}\n", "")
    assert network_of(arch_of(meshed)).meshed
    impact = fail(arch_of(meshed), "tor-b")
    assert running(impact.immediate) == {"ctl-01", "ctl-02", "ctl-03"}
    assert "every switch it is connected through (tor-b) failed" in vm_reason(impact.immediate.vms["ctl-04"])


HYPERV_SWITCHES = ("switches:\n  - {name: tor-a, hosts: [hv-01, hv-02], uplinks: [core]}\n"
                   "  - {name: tor-b, hosts: [hv-03, hv-04], uplinks: [core]}\n  - {name: core, hosts: []}\nstorage:\n")


@pytest.mark.parametrize(("witness_switch", "kept"), [("tor-a", {"hv-01", "hv-02"}), ("tor-b", {"hv-03", "hv-04"})])
def test_a_hyperv_cluster_split_two_and_two_keeps_the_side_that_reaches_the_witness(witness_switch, kept):
    arch = design("hyperv-four-hosts", "storage:\n", HYPERV_SWITCHES)
    arch = design("hyperv-four-hosts", "witness: {kind: file-share, name: fsw-01}",
                  f"witness: {{kind: file-share, name: fsw-01, switch: {witness_switch}}}").model_copy(
        update={"switches": arch.switches})
    impact = fail(arch, "core")
    hosts = {h for vm, h in impact.immediate.where.items() if h is not None}
    assert hosts == kept
    assert "which keep quorum (3 of 5 votes up)" in summary(impact.scenario, impact.immediate)
    # after the resiliency period the other side's VMs fail over to this one
    assert {h for h in impact.after_restart.where.values() if h is not None} <= kept
    assert len(running(impact.after_restart)) == len(arch.vms)


def test_storage_behind_a_switch_is_out_of_reach_from_the_other_side():
    arch = design("hyperv-four-hosts", "storage:\n  - {name: csv-01, kind: csv}\n",
                  HYPERV_SWITCHES + "  - {name: csv-01, kind: csv, switch: tor-b}\n")
    impact = fail(arch, "core")  # the witness (no switch) breaks the tie for hv-01's side
    assert running(impact.immediate) == set()
    assert "storage csv-01 is out of reach (behind switch tor-b)" in summary(impact.scenario, impact.immediate)


def test_vsphere_keeps_a_partitions_vms_running_there_and_restarts_vsan_ones():
    switches = ("switches:\n  - {name: tor-a, hosts: [esxi-01, esxi-02, esxi-03], uplinks: [core]}\n"
                "  - {name: tor-b, hosts: [esxi-04], uplinks: [core]}\n  - {name: core, hosts: []}\n")
    san = design("vsphere-four-hosts", "management:\n", switches + "management:\n")
    impact = fail(san, "core")
    cut = [vm.name for vm in san.vms if vm.host == "esxi-04"]
    assert cut and all(impact.after_restart.where[vm] is None for vm in cut)  # power-off applies only when alone
    assert "where the isolation address is still reached" in vm_reason(impact.after_restart.vms[cut[0]])
    alone = fail(san, "tor-b")  # every switch of esxi-04 failed: the isolation response restarts them
    assert all(alone.after_restart.where[vm] not in (None, "esxi-04") for vm in cut)
    vsan = san.model_copy(update={"storage": [san.storage[0].model_copy(
        update={"kind": "vsan", "failures_to_tolerate": 1})]})
    assert all(fail(vsan, "core").after_restart.where[vm] not in (None, "esxi-04") for vm in cut)


def test_partitions_are_worked_out_per_subset_of_failed_switches():
    network = partitions.Network(("a", "b", "c"), ("s1", "s2", "s3"), {"a": ("s1",), "b": ("s2",), "c": ("s3",)},
                                 frozenset({frozenset({"s1", "s2"}), frozenset({"s2", "s3"})}))
    cuts = partitions.cut_sets(network)
    # s2 links the others: its failure leaves three sides of one host, and the first host's carries on
    assert cuts["a"] == [frozenset({"s1"})]
    assert frozenset({"s2"}) in cuts["b"] and frozenset({"s2"}) in cuts["c"]
    assert cuts["switch:s3"] == [frozenset({"s2"}), frozenset({"s3"})]
    assert partitions.main_side(network, frozenset({"s2"})) == partitions.Side(frozenset({"a"}), frozenset({"s1"}))


def test_switch_topology_errors_are_reported_with_their_place():
    looped = FIVE.replace("uplinks: [core]}\n  - {name: tor-b", "uplinks: [tor-a]}\n  - {name: tor-b")
    [problem] = [p for p in check(looped, "clean").problems if p.rule == "REF010"]
    assert "switch `tor-a` links to itself" in problem.message and (problem.line, problem.col) == (12, 62)
    unknown = FIVE.replace("uplinks: [core]}\n  - {name: tor-b", "uplinks: [cor]}\n  - {name: tor-b")
    [problem] = [p for p in check(unknown, "clean").problems if p.rule == "REF007"]
    assert "`cor` is not a declared switch" in problem.message and "core" in problem.hint
    many = FIVE.replace("  - {name: core, hosts: []}\n", "  - {name: core, hosts: []}\n" + "".join(
        f"  - {{name: s{i}, hosts: [], uplinks: [core]}}\n" for i in range(14)))
    [problem] = [p for p in check(many, "clean").problems if p.rule == "REF010"]
    assert problem.message.startswith("17 switches with uplinks") and "at most 16" in problem.message


def test_ceph_serves_only_the_side_that_holds_its_monitors_majority():
    pool = FIVE.replace("vms:\n", "storage:\n  - {name: ceph-01, kind: ceph, size: 3, min_size: 1, "
                                  "monitors: [kvm-03, kvm-04, kvm-05]}\n"
                                  "vms:\n")
    impact = fail(arch_of(pool), "core")
    # the side that carries on holds one monitor of three: no map, no tickets, its VMs' disks block
    assert running(impact.immediate) == set()
    assert "storage ceph-01 lost its monitors' majority" in summary(impact.scenario, impact.immediate)
    # with the monitors' majority on the side that carries on, it keeps its VMs
    kept = fail(arch_of(pool.replace("monitors: [kvm-03, kvm-04, kvm-05]", "monitors: [kvm-01, kvm-02, kvm-04]")),
                "core")
    assert running(kept.immediate) == {"ctl-01", "ctl-02", "ctl-03"}


def test_the_tolerance_report_of_a_split_design_leaves_nothing_on_stderr(tmp_path):
    # Availability is computed with CUDD's BDDs: nodes kept alive past the BDD once made CUDD complain at exit.
    path = tmp_path / "clean.yaml"
    path.write_text(FIVE)
    done = subprocess.run([sys.executable, "-m", "generator", "impact", str(path), "--tolerance"],
                          capture_output=True, text=True, check=False)
    assert done.stderr == ""
    assert "{core, kvm-01}" in done.stdout  # the core and one host of the side that carries on
