"""Failure events beyond hardware: what each does to the operations, their probabilities, the cause classes
and the importance measures (SCRAM's agreement is in test_open_psa)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from conftest import check
from hypothesis import given, settings
from hypothesis import strategies as st
from test_failure_model import reference_down
from test_impact_properties import architectures

from generator import catalog
from generator.analysis import availability, reliability
from generator.analysis.compile import compile_model
from generator.analysis.engine import Engine
from generator.analysis.scenarios import Scenario
from generator.analysis.tolerance import tolerance
from generator.cli import main
from generator.rules.validate import check_file

ROOT = Path(__file__).resolve().parent.parent
FACTS = catalog.load()
# the large region's probabilities and importance are held to SCRAM's in test_open_psa
SHIPPED = sorted(path.name for path in (ROOT / "architectures").glob("*.yaml") if "large" not in path.name)
KVM = ROOT / "architectures" / "kvm-three-hosts.yaml"
VSPHERE = ROOT / "architectures" / "vsphere-four-hosts.yaml"


def tree_of(arch):
    return reliability.build(compile_model(arch, FACTS), arch, FACTS)


def stopped(tree, *events: str) -> set[str]:
    return {oid for oid, is_down in reliability.down(tree, frozenset(events)).items() if is_down}


def test_one_members_process_thins_a_quorum_two_stop_it_and_the_common_cause_stops_it_at_once():
    tree = tree_of(check_file(KVM).architecture)
    assert stopped(tree) == set()
    assert "boot-instance" not in stopped(tree, "process:galera@db-01")
    assert "boot-instance" in stopped(tree, "process:galera@db-01", "process:galera@db-02")
    assert "boot-instance" in stopped(tree, "service:galera")
    # the common cause stops what every galera member's loss stops, and nothing else
    assert stopped(tree, "service:galera") == stopped(
        tree, "process:galera@db-01", "process:galera@db-02", "process:galera@db-03")


def test_maintenance_stops_nothing_by_itself_and_leaves_what_it_moved_on_the_host_it_moved_to():
    arch = check_file(VSPHERE).architecture
    tree = tree_of(arch)
    model = compile_model(arch, FACTS)
    assert all(not stopped(tree, f"maintenance:{host}") for host in model.hosts)
    for vm in [vm for vm, host in model.vm_host.items() if host == "esxi-01"]:
        moved = tree.gates[f"maintenance-lost:{vm}"].inputs[1]  # where it runs while esxi-01 is emptied
        assert moved.startswith("host:") and moved != "host:esxi-01", vm
        assert not reliability.values(tree, {"maintenance:esxi-01"})(f"vm-down:{vm}")
        assert reliability.values(tree, {"maintenance:esxi-01", moved})(f"vm-down:{vm}")
        others = [f"host:{h}" for h in model.hosts if f"host:{h}" not in (moved, "host:esxi-01")]
        assert not any(reliability.values(tree, {"maintenance:esxi-01", other})(f"vm-down:{vm}")
                       for other in others), vm


def test_mandatory_anti_affinity_strands_a_member_during_maintenance_so_one_failure_then_stops_it():
    tree = tree_of(check_file(KVM).architecture)
    assert tree.gates["maintenance-lost:db-01"].inputs[1] == "TRUE"  # no host without a sibling to take it
    assert not stopped(tree, "maintenance:kvm-01")
    assert "boot-instance" in stopped(tree, "maintenance:kvm-01", "host:kvm-02")


@pytest.mark.parametrize("name", SHIPPED)
def test_causes_add_up_and_birnbaum_is_the_difference_of_the_two_conditional_probabilities(name):
    arch = check_file(ROOT / "architectures" / name).architecture
    found = tolerance(Engine(arch, FACTS))
    tree = tree_of(arch)
    chances = {e.event: e.probability for e in tree.events}
    by_name = {e.name: e for e in tree.events}
    diagram = availability.Diagram(tree)
    checked = 0
    for oid, op in found.operations.items():
        if not op.unavailability:
            continue
        assert set(op.by_cause) == {"hardware", "software", "common_cause", "maintenance"}
        # the rare-event sum over the cut sets bounds the exact probability from above, and is close to it
        assert op.unavailability * 0.98 <= sum(op.by_cause.values()) <= op.unavailability * 1.02, oid
        top = max(op.importance, key=lambda n: op.importance[n].criticality)
        event = by_name[top].event
        failed = diagram.probability(tree.operations[oid], chances | {event: 1.0})
        working = diagram.probability(tree.operations[oid], chances | {event: 0.0})
        measures = op.importance[top]
        assert measures.birnbaum == pytest.approx(failed - working, rel=1e-9, abs=1e-15), (oid, top)
        assert measures.criticality == pytest.approx(1 - working / op.unavailability, rel=1e-6), (oid, top)
        assert measures.raw == pytest.approx(failed / op.unavailability, rel=1e-9)
        checked += 1
    assert checked


def test_every_event_class_has_its_figure_from_the_catalog_or_the_design():
    text = KVM.read_text() + ("reliability: {guest_unavailability: 0.001, common_cause_beta: 0, "
                              "maintenance_per_year: 0}\n")
    arch = check(text, "kvm-three-hosts", design_rules=True).architecture
    tree = tree_of(arch)
    causes = {e.cause for e in tree.events}
    assert causes == {"hardware", "software"}  # no common causes, no maintenance
    assert tree.by_event["vm:db-01"].probability == 0.001
    assert tree.by_event["process:galera@db-01"].probability == FACTS.reliability.process.unavailability
    default = tree_of(check_file(KVM).architecture)
    beta = FACTS.reliability.common_cause.beta
    assert default.by_event["service:galera"].probability == pytest.approx(
        beta * FACTS.reliability.process.unavailability)
    assert default.by_event["process:galera@db-01"].probability == pytest.approx(
        (1 - beta) * FACTS.reliability.process.unavailability)
    assert default.by_event["maintenance:kvm-01"].probability == pytest.approx(
        FACTS.reliability.maintenance.per_year * FACTS.reliability.maintenance.hours / 8760)
    assert default.by_event["storage:ceph-mgmt"].cause == "software"  # the pool as a whole
    assert math.isclose(default.by_event["host:kvm-01"].probability,
                        FACTS.platforms["kvm"].host_reliability.unavailability)


def test_the_json_gives_causes_and_importance_by_open_psa_name(capsys):
    import json

    assert main(["impact", str(KVM), "--tolerance", "--format", "json"]) == 0
    op = json.loads(capsys.readouterr().out)["operations"]["boot-instance"]
    assert set(op["unavailability"]["by_cause"]) == {"hardware", "software", "common_cause", "maintenance"}
    assert {"kvm-01", "ceph-mgmt", "vm__db-01", "process__galera__db-01", "ccf__galera",
            "maintenance__kvm-01"} <= set(op["importance"])
    assert set(op["importance"]["ccf__galera"]) == {"birnbaum", "criticality", "diagnosis", "raw", "rrw"}


@settings(max_examples=25, deadline=None)
@given(architectures(), st.data())
def test_hosts_guests_and_common_causes_stop_what_the_service_layer_says(arch, data):
    """The reliability model's gates, read with failed hosts, VMs' guests and whole services (common
    causes), against the independent service-layer derivation (tests/reference.py)."""
    eng = Engine(arch, FACTS)
    tree = tree_of(arch)
    shared = sorted(e.event.removeprefix("service:") for e in tree.events if e.cause == "common_cause")
    hosts = data.draw(st.sets(st.sampled_from(eng.model.hosts), max_size=2))
    vms = data.draw(st.sets(st.sampled_from(eng.model.vms), max_size=3))
    services = data.draw(st.sets(st.sampled_from(shared), max_size=2)) if shared else set()
    events = {*(f"host:{h}" for h in hosts), *(f"vm:{v}" for v in vms), *(f"service:{s}" for s in services)}
    expected = reference_down(eng, Scenario(hosts=frozenset(hosts), vms=frozenset(vms), services=frozenset(services)))
    assert reliability.down(tree, events) == {oid: expected[oid] for oid in tree.operations}


def test_every_variable_order_and_cudds_own_reordering_give_the_same_numbers(monkeypatch):
    """The diagram keeps the smaller of its two fixed orders, and falls back on CUDD's reordering when both
    run out of memory: the probabilities, importance and classes are the same whichever it used."""
    arch = check_file(ROOT / "architectures" / "kvm-three-hosts.yaml").architecture
    tree = tree_of(arch)
    first = availability.analyse(tree)
    chosen = availability.Diagram(tree).order
    monkeypatch.setattr(availability, "SMALL_ENOUGH", 0)  # build both orders
    both = availability.Diagram(tree)
    assert both.order == chosen  # the role-by-role order is the smaller for this design
    monkeypatch.setattr(availability, "MEMORY_PER_ORDER", 1 << 20)  # less than CUDD starts with: both fail
    fallback = availability.Diagram(tree)
    assert sorted(fallback.order) == sorted(chosen)
    assert [fallback.bdd.level_of_var(fallback.event_var[e]) for e in fallback.order] == list(range(len(chosen)))
    again = availability.analyse(tree)
    for oid, found in first.items():
        if found is None:
            assert again[oid] is None
            continue
        assert again[oid].probability == pytest.approx(found.probability, rel=1e-9), oid
        assert again[oid].by_cause == pytest.approx(found.by_cause, rel=1e-9), oid
        for name, measures in found.importance.items():
            assert again[oid].importance[name].birnbaum == pytest.approx(measures.birnbaum, rel=1e-9, abs=1e-15)
