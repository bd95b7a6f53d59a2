"""Storage that knows where its copies are: a Ceph pool's CRUSH failure domain with `size` and `min_size`,
vSAN's fault domains, a Ceph pool's monitors; and what a file may not say about them (REF009).

A Ceph pool serves a placement group while `min_size` of its `size` copies remain; with the copies over
failure domains, each domain holds one copy of every placement group, on any of its hosts, so the pool
survives the loss of `size - min_size` domains (https://docs.ceph.com/en/latest/rados/operations/pools/,
https://docs.ceph.com/en/latest/rados/operations/crush-map/). vSAN places an object's components in
distinct fault domains and survives FTT of them (https://github.com/equelin/vsphere-ha-deepdive/blob/
master/virtual_san_and_virtual_volumes_specifics.md). Without a majority of monitors no client gets a map
or a ticket (https://docs.ceph.com/en/latest/rados/configuration/mon-config-ref/).
"""

from __future__ import annotations

import functools

from bench_designs import pacemaker_region
from conftest import CLEAN, check, edit, found

from generator import catalog
from generator.analysis import scenarios
from generator.analysis.engine import Engine
from generator.render import phrases

FACTS = catalog.load()
POOL = "{name: ceph-mgmt, kind: ceph, failures_to_tolerate: 1}"
FENCING = "fencing: [{name: ipmi, kind: ipmi}, {name: sbd, kind: sbd}]}"


def region(pool: str) -> str:
    """32 Pacemaker hosts in 4 racks, a top-of-rack switch each, the given Ceph pool, a quorum device outside
    the racks."""
    text = pacemaker_region(32)
    return text.replace(POOL, pool).replace(FENCING, FENCING[:-1] + ", witness: qdevice}")


@functools.cache
def engine(pool: str) -> Engine:
    result = check(region(pool), "large-region-32", design_rules=True)
    assert result.architecture is not None, result.problems
    return Engine(result.architecture, FACTS)


def fail(eng: Engine, *names: str):
    scenario = scenarios.from_names(eng.arch, set(eng.facts.services), list(names))
    return scenario, eng.evaluate(scenario, margins=False)


def stopped(phase) -> list[str]:
    return [oid for oid, op in phase.operations.items() if op.state == "down"]


OVER_RACKS = "{name: ceph-mgmt, kind: ceph, replicas_over: failure_domain, size: 3, min_size: 2}"


def test_copies_over_racks_survive_a_rack_or_its_switch_and_stop_with_two_racks():
    eng = engine(OVER_RACKS)
    for names in (["tor-a"], ["rack-a"]):
        _, impact = fail(eng, *names)
        assert stopped(impact.immediate) == [] and stopped(impact.after_restart) == [], names
    scenario, impact = fail(eng, "rack-a", "rack-b")
    down = stopped(impact.immediate)
    assert set(eng.facts.control_operations) <= set(down)  # every control-plane VM keeps its disk on the pool
    summary = phrases.summary(scenario, impact.immediate)
    assert "Storage ceph-mgmt lost 2 of its 4 failure domains (rack-a and rack-b) and tolerates 1" in summary
    reason = phrases.reason(impact.immediate.operations["authenticate"])
    assert "its storage ceph-mgmt (ceph) lost 2 of its 4 failure domains (rack-a and rack-b) and tolerates 1" in reason


def test_the_same_pool_over_hosts_stops_when_a_switch_cuts_off_a_rack():
    # Copies over hosts, size 3 and min_size 2: eight hosts cut off can hold two copies of a placement group.
    eng = engine("{name: ceph-mgmt, kind: ceph, size: 3, min_size: 2}")
    scenario, impact = fail(eng, "tor-a")
    assert "authenticate" in stopped(impact.immediate)
    assert "storage ceph-mgmt lost 8 of its 32 hosts" in phrases.summary(scenario, impact.immediate)


def test_a_larger_min_size_margin_survives_two_racks():
    eng = engine("{name: ceph-mgmt, kind: ceph, replicas_over: failure_domain, size: 4, min_size: 2}")
    _, impact = fail(eng, "rack-a", "rack-b")
    assert not {"authenticate", "boot-instance"} & set(stopped(impact.after_restart))


def test_the_monitors_majority_stops_the_pool():
    # Three monitors in rack-a: two hosts of that one rack lose the pool no copy (one domain), but its monitors.
    eng = engine("{name: ceph-mgmt, kind: ceph, replicas_over: failure_domain, monitors: [esx-01, esx-05, esx-09]}")
    scenario, impact = fail(eng, "esx-01", "esx-05")
    assert "authenticate" in stopped(impact.immediate)
    assert "Storage ceph-mgmt lost its monitors' majority" in phrases.summary(scenario, impact.immediate)
    assert "lost its monitors' majority (1 of 3 up)" in phrases.reason(impact.immediate.operations["authenticate"])
    _, one = fail(eng, "esx-01")
    assert "authenticate" not in stopped(one.immediate)


def test_vsan_fault_domains_hold_ftt_domains():
    text = CLEAN.replace("hypervisor: kvm\n  ha: pacemaker\n  fencing: ipmi", "hypervisor: vsphere\n  ha: vsphere-ha")
    text = text.replace("- {name: kvm-01,", "- {name: kvm-01, failure_domain: fd-a,").replace(
        "- {name: kvm-02,", "- {name: kvm-02, failure_domain: fd-b,").replace(
        "- {name: kvm-03,", "- {name: kvm-03, failure_domain: fd-c,")
    text = edit("hosts:\n", "failure_domains: [fd-a, fd-b, fd-c]\nstorage:\n"
                "  - {name: vsan-01, kind: vsan, replicas_over: failure_domain}\nhosts:\n", text)
    arch = check(text, "clean").architecture
    eng = Engine(arch, FACTS)
    scenario = scenarios.from_names(arch, set(eng.facts.services), ["fd-a"])
    assert stopped(eng.evaluate(scenario, margins=False).immediate) == []
    two = scenarios.from_names(arch, set(eng.facts.services), ["kvm-01", "kvm-02"])
    phase = eng.evaluate(two, margins=False).immediate
    assert "Storage vsan-01 lost 2 of its 3 failure domains (fd-a and fd-b) and tolerates 1" in phrases.summary(
        two, phase)


def test_what_a_file_may_not_say_about_copies():
    base = region(OVER_RACKS)
    both = base.replace(OVER_RACKS, "{name: ceph-mgmt, kind: ceph, failures_to_tolerate: 1, size: 3}")
    assert ("REF009" in {rule for _, _, rule in found(both, "large-region-32")})
    inverted = base.replace(OVER_RACKS, "{name: ceph-mgmt, kind: ceph, size: 2, min_size: 3}")
    assert "REF009" in {rule for _, _, rule in found(inverted, "large-region-32")}
    too_few = base.replace(OVER_RACKS, "{name: ceph-mgmt, kind: ceph, replicas_over: failure_domain, size: 5}")
    problems = [p for p in check(too_few, "large-region-32").problems if p.rule == "REF009"]
    assert problems and "keeps 5 copies of each object (size) over failure domains, but its hosts are in 4" in (
        problems[0].message)
    outside = CLEAN.replace(
        "vms:\n", "storage:\n  - {name: ceph-01, kind: ceph, replicas_over: failure_domain}\nvms:\n")
    problems = [p for p in check(outside, "clean").problems if p.rule == "REF009"]
    assert problems and "kvm-01, kvm-02, kvm-03 are in none" in problems[0].message
    san = CLEAN.replace("vms:\n", "storage:\n  - {name: san-01, kind: san, size: 3}\nvms:\n")
    assert [p.rule for p in check(san, "clean").problems] == ["REF009"]
    assert found(region(OVER_RACKS), "large-region-32") == []
