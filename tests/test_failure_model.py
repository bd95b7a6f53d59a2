"""The compiled failure model against brute force on random small designs: gates, cut sets, margin, probability.

The reference is independent of the model (`tests/reference.py`): a service's state from its members by
its HA model, then what it requires and uses, an operation down when a service it requires is;
everything else by enumerating every set of hosts.
"""

from __future__ import annotations

import dataclasses
import math
from itertools import combinations
from pathlib import Path

import pytest
import reference
from hypothesis import given, settings
from hypothesis import strategies as st
from test_impact_properties import architectures, scenario_pairs

from generator import catalog
from generator.analysis import availability, reliability
from generator.analysis.engine import DOWN, Engine
from generator.analysis.scenarios import Scenario
from generator.rules.validate import check_file

FACTS = catalog.load()
SHIPPED = sorted((Path(__file__).resolve().parent.parent / "architectures").glob("*.yaml"))


def reference_down(eng: Engine, scenario: Scenario, phase: str = "immediate") -> dict[str, bool]:
    """Operation id -> down, from the service layer alone."""
    return {oid: state == DOWN for oid, state in reference.states(eng, scenario, phase).items()}


def host_subsets(hosts: list[str]):
    for size in range(len(hosts) + 1):
        yield from map(frozenset, combinations(hosts, size))


NOTHING = Scenario()


def failing(eng: Engine, subset: frozenset[str], base: Scenario = NOTHING) -> Scenario:
    """`base` with the parts in `subset` failed too (hosts, witness, storage, switches)."""
    hosts = {h for h in subset if h in eng.model.hosts}
    return dataclasses.replace(base, hosts=base.hosts | hosts, parts=base.parts | (subset - hosts))


@given(scenario_pairs())
def test_the_compiled_gates_equal_the_service_layer_in_both_phases(case):
    """Whether each operation is down, degraded or ok, and each service down, in both phases: the
    engine's gates against the services walked by HA model, and what stays down after a total loss."""
    arch, scenario, more = case
    eng = Engine(arch, FACTS)
    for failed in (scenario, more):
        impact = eng.evaluate(failed, margins=False)
        for phase in ("immediate", "after-restart"):
            got = impact.phase(phase)
            assert {oid: op.state for oid, op in got.operations.items()} == reference.states(eng, failed, phase)
            assert {sid: s.state == DOWN for sid, s in got.services.items()} == reference.service_down(
                eng, failed, phase)
        if arch.platform.ha != "none":
            assert eng.latched(failed) == reference.latched(eng, failed)


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_the_gates_say_what_the_service_layer_says_on_the_shipped_designs(path):
    """Random designs rarely deploy enough to degrade anything; the shipped ones do, each host or VM failed
    alone (every kind of impairment occurs among them), and two hosts at once."""
    arch = check_file(path).architecture
    eng = Engine(arch, FACTS)
    degraded = 0
    hosts = [h.name for h in arch.hosts]
    for failed in [Scenario(hosts=frozenset([h])) for h in hosts] + [
            Scenario(vms=frozenset([vm.name])) for vm in arch.vms] + [
            Scenario(hosts=frozenset(pair)) for pair in list(combinations(hosts, 2))[:12]]:
        impact = eng.evaluate(failed, margins=False)
        for phase in ("immediate", "after-restart"):
            engine_states = {oid: op.state for oid, op in impact.phase(phase).operations.items()}
            assert reference.states(eng, failed, phase) == engine_states, (failed, phase)
            degraded += sum(state == "degraded" for state in engine_states.values())
    assert degraded  # the comparison reaches degraded operations


@given(st.lists(scenario_pairs(), min_size=1, max_size=1).flatmap(
    lambda cases: st.tuples(st.just(cases[0][0]), st.lists(st.just(cases[0][1]) | st.just(cases[0][2]), max_size=6))))
def test_many_scenarios_at_once_equal_one_at_a_time(case):
    arch, scenarios = case
    eng = Engine(arch, FACTS)
    batch = eng.stopped(scenarios)
    for scenario, stopped in zip(scenarios, batch, strict=True):
        for phase in ("immediate", "after-restart"):
            single = {oid for oid, op in eng.phase(scenario, phase, margins=False).operations.items()
                      if op.state == DOWN}
            assert stopped[phase] == single


@given(architectures())
def test_minimal_cut_sets_are_exactly_the_minimal_down_sets(arch):
    eng = Engine(arch, FACTS)
    down = {oid: [] for oid in FACTS.operations}
    for subset in host_subsets(list(eng.model.parts)):
        for oid, is_down in reference_down(eng, failing(eng, subset)).items():
            if is_down:
                down[oid].append(subset)
    for oid, gate in eng.model.operations.items():
        minimal = sorted((s for s in down[oid] if not any(other < s for other in down[oid])),
                         key=lambda s: (len(s), sorted(s)))
        assert eng.model.cut_sets(gate) == minimal, oid


@given(scenario_pairs())
def test_margin_is_the_fewest_further_host_failures_that_stop_it(case):
    arch, scenario, _ = case
    eng = Engine(arch, FACTS)
    impact = eng.phase(scenario, "immediate")
    alive = [h.name for h in arch.hosts if h.name not in scenario.hosts]
    intact = [p for p in eng.model.parts if p not in scenario.hosts | scenario.parts]
    for oid, op in impact.operations.items():
        if op.state == DOWN:
            assert op.margin is None
            continue
        fewest = next((len(extra) for extra in host_subsets(intact) if reference_down(
            eng, failing(eng, extra, scenario))[oid]), None)
        assert op.margin == (len(alive) if fewest is None else fewest - 1), oid
        if op.margin == 0 and fewest is not None:
            assert op.at_risk and all(reference_down(eng, failing(eng, frozenset([p]), scenario))[oid]
                                      for p in op.at_risk)


@given(scenario_pairs())
def test_min_cuts_shared_with_the_undisturbed_state_equal_min_cuts_alone(case):
    """Failed services and VMs alone: every gate's min cut with the undisturbed state as its base (which
    answers the gates that read none of them) equals the min cut computed alone."""
    arch, small, large = case
    eng = Engine(arch, FACTS)
    for phase in ("immediate", "after-restart"):
        base = eng.model.min_cuts(eng.where(Scenario(), phase))
        for scenario in (Scenario(vms=small.vms, services=small.services),
                         Scenario(vms=large.vms, services=large.services)):
            where = eng.where(scenario, phase)
            failed = eng.failed_events(scenario)
            shared = eng.model.min_cuts(where, failed, base=base)
            alone = eng.model.min_cuts(where, failed)
            assert {gate: shared.of(gate) for gate in eng.model.gates} == {
                gate: alone.of(gate) for gate in eng.model.gates}


@settings(max_examples=40)
@given(architectures(), st.lists(st.floats(1e-6, 0.5), min_size=5, max_size=5))
def test_unavailability_is_the_exact_probability(arch, chances):
    eng = Engine(arch, FACTS)
    q = {part: chances[i % len(chances)] for i, part in enumerate(eng.model.parts)}
    exact = {oid: 0.0 for oid in FACTS.operations}
    parts = list(q)
    for subset in host_subsets(parts):
        weight = math.prod(q[h] if h in subset else 1 - q[h] for h in parts)
        for oid, is_down in reference_down(eng, failing(eng, subset)).items():
            exact[oid] += weight * is_down
    # the reliability model with only the parts failing is the failure model
    tree = reliability.build(eng.model, arch, FACTS)
    found = availability.unavailability(tree, {eng.model.part_events[part]: q[part] for part in parts})
    for oid, probability in found.items():
        if probability is None:  # never works: down with every host up
            assert reference_down(eng, Scenario())[oid]
        else:
            assert math.isclose(probability, exact[oid], rel_tol=1e-9, abs_tol=1e-15), oid


@given(architectures())
def test_tolerance_counts_the_fewest_hosts_with_the_other_parts_intact(arch):
    eng = Engine(arch, FACTS)
    hosts = [h.name for h in arch.hosts]
    cuts = eng.model.min_cuts(eng.model.vm_host, hosts_only=True)
    for oid, gate in eng.model.operations.items():
        fewest = next((len(subset) for subset in host_subsets(hosts)
                       if reference_down(eng, Scenario(hosts=subset))[oid]), None)
        assert cuts.of(gate) == fewest, oid
