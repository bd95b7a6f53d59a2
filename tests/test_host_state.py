"""Hosts as a running cluster has them (`state` in an as-built file): an offline host has failed already,
a standby one runs nothing and takes no restarts but still votes."""

from __future__ import annotations

from conftest import CLEAN, check
from test_platform_parts import design, fail, running

from generator import catalog
from generator.analysis import tolerance
from generator.analysis.engine import Engine
from generator.render.phrases import summary, vm_reason

FACTS = catalog.load()


def with_state(arch, **states: str):
    return arch.model_copy(update={"hosts": [h.model_copy(update={"state": states.get(h.name, h.state)})
                                             for h in arch.hosts]})


def test_an_offline_host_has_failed_before_anything_else():
    arch = design("kvm-three-hosts")
    offline = with_state(arch, **{"kvm-03": "offline"})
    impact = fail(offline)
    on_it = {vm.name for vm in arch.vms if vm.host == "kvm-03"}
    assert running(impact.immediate) == {vm.name for vm in arch.vms} - on_it
    assert summary(impact.scenario, impact.immediate) == "Nothing failed. Host kvm-03 is offline; 3 of 10 VMs are down."
    assert vm_reason(impact.immediate.vms["db-03"]) == "db-03 was on kvm-03, which is offline"
    # the platform restarts what it can elsewhere, as after a failure
    assert running(impact.after_restart) == running(fail(arch, "kvm-03").after_restart)
    # its vote is gone too: one more host lost is the cluster's quorum
    one_more = fail(offline, "kvm-01")
    assert summary(one_more.scenario, one_more.immediate).startswith(
        "kvm-01 failed. Host kvm-03 is offline; the cluster lost quorum (1 of 3 votes up)")


def test_an_offline_host_is_no_part_of_the_cut_sets_and_lowers_the_tolerance():
    arch = design("kvm-three-hosts")
    designed = tolerance.tolerance(Engine(arch, FACTS))
    built = tolerance.tolerance(Engine(with_state(arch, **{"kvm-03": "offline"}), FACTS))
    assert designed.tolerates == 1 and built.tolerates == 0
    cuts = built.operations["authenticate"].minimal_cut_sets
    assert cuts and all("kvm-03" not in cut for cut in cuts) and ["kvm-01"] in cuts
    assert built.operations["authenticate"].unavailability > designed.operations["authenticate"].unavailability


def test_a_standby_host_takes_no_restarts_but_still_votes():
    # kvm-03 runs nothing: a restart would go there, unless it is in standby
    text = CLEAN.replace("  - {name: ctl-03, host: kvm-03,", "  - {name: ctl-03, host: kvm-02,").replace(
        "platform:\n  hypervisor: kvm\n", "platform:\n  hypervisor: kvm\n  anti_affinity: preferred\n")
    arch = check(text, "clean").architecture
    assert fail(arch, "kvm-01").after_restart.where["ctl-01"] == "kvm-03"
    standby = with_state(arch, **{"kvm-03": "standby"})
    impact = fail(standby, "kvm-01")
    assert "kvm-03" not in impact.after_restart.where.values()
    # it still votes: with kvm-01 lost, two of three votes keep the cluster's quorum
    assert "quorum" not in summary(impact.scenario, impact.immediate)
    assert running(impact.immediate) == {"ctl-02", "ctl-03"}


def test_a_vm_on_a_standby_host_is_refused():
    text = (design.__globals__["ROOT"] / "architectures" / "kvm-three-hosts.yaml").read_text().replace(
        "{name: kvm-03,", "{name: kvm-03, state: standby,", 1)
    problems = [p for p in check(text, "kvm-three-hosts").problems if p.rule == "REF011"]
    assert problems and all("which is in standby and runs no VM" in p.message for p in problems)
    assert len(problems) == sum(1 for line in text.splitlines() if "host: kvm-03" in line)
