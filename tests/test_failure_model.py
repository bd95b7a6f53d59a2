"""The compiled failure model against brute force on random small designs: gates, cut sets, margin, probability.

The reference is independent of the model: a service's state from its members by its HA model
(`Engine._own_state` and `_with_dependencies`, the engine's service layer), an operation down when a
service it requires is; everything else by enumerating every set of hosts.
"""

from __future__ import annotations

import dataclasses
import math
from itertools import combinations
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_impact_properties import architectures, scenario_pairs

from generator import catalog
from generator.analysis import availability
from generator.analysis.engine import DOWN, Engine, Scenario, ServiceState
from generator.analysis.gates import degradation_gates
from generator.rules.validate import check_file

FACTS = catalog.load()
SHIPPED = sorted((Path(__file__).resolve().parent.parent / "architectures").glob("*.yaml"))


def reference_down(eng: Engine, scenario: Scenario, phase: str = "immediate") -> dict[str, bool]:
    """Operation id -> down, from the service layer alone."""
    placed = eng._placement(scenario, phase)
    where, why, moved = placed.where, placed.why_down, placed.moved
    latched = reference_latched(eng, scenario) if phase == "after-restart" else set()
    scenario = dataclasses.replace(scenario, services=scenario.services | set(latched))
    own, services, backend = {}, {}, {}
    for sid in eng.order:
        own[sid] = ServiceState(DOWN) if sid in latched else eng._own_state(sid, scenario, where, why, moved)
        services[sid] = eng._with_dependencies(sid, own[sid], services, backend)
        if eng.facts.services[sid].front:
            backend[sid] = eng._with_dependencies(sid, own[sid], services, backend, front=False)
    result = {}
    for oid, operation in eng.facts.operations.items():
        states = own if operation.plane == "data" else services

        def down(sid: str, states: dict = states) -> bool:
            if sid not in states:  # not deployed: missing, unless it may run outside the cluster
                return not eng.facts.services[sid].external
            return states[sid].state == DOWN

        needs = operation.needs(eng.arch.openstack.networking)
        result[oid] = any(map(down, needs.requires)) or any(all(map(down, group)) for group in needs.requires_any)
    return result


def reference_latched(eng: Engine, scenario: Scenario) -> set[str]:
    """Services that stay down after the restarts: every member lost at once, and (Galera's pc.recovery)
    not every one of them back, from the catalog's `total_loss` and the two placements."""
    before = eng._placement(scenario, "immediate").where
    after = eng._placement(scenario, "after-restart").where
    found = set()
    for sid in eng.order:
        loss = eng.facts.services[sid].total_loss
        members = [vm.name for vm in eng.arch.vms if sid in vm.service_ids]
        if loss is None or loss.recovery != "manual" or sid in scenario.services:
            continue
        if all(before[m] is None for m in members) and (
                not loss.automatic_when_all_return or any(after[m] is None for m in members)):
            found.add(sid)
    return found


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
    arch, scenario, _ = case
    eng = Engine(arch, FACTS)
    for phase in ("immediate", "after-restart"):
        where = eng._placement(scenario, phase).where
        latched = eng.latched(scenario) if phase == "after-restart" else {}
        assert set(latched) == (reference_latched(eng, scenario) if phase == "after-restart" else set())
        gates = eng.model.evaluate_one(where, scenario.services | set(latched))
        assert {oid: gates[gate] for oid, gate in eng.model.operations.items()} == reference_down(eng, scenario, phase)


def gate_states(eng: Engine, scenario: Scenario, phase: str) -> dict[str, str]:
    """Each operation's state from the gates alone: down by its `op:` gate, else degraded by the phase's
    `degraded:` gate, else ok (what the what-if explorer computes in the browser)."""
    settled = phase == "after-restart" and eng.arch.platform.ha != "none"
    where = eng.where(scenario, phase)
    latched = eng.latched(scenario) if settled else {}
    values = dict(eng.model.evaluate_one(where, scenario.services | set(latched)))
    for gate in degradation_gates(eng.model, eng.facts, eng.arch.openstack.networking, settled).values():
        inputs = [values[name] for name in gate.inputs]
        values[gate.name] = (any(inputs) if gate.kind == "or" else all(inputs) if gate.kind == "and"
                             else sum(w for w, v in zip(gate.weights, inputs, strict=True) if v) >= gate.k)
    return {oid: "down" if values[gate] else "degraded" if values[f"degraded:{oid}"] else "ok"
            for oid, gate in eng.model.operations.items()}


@given(scenario_pairs())
def test_the_degradation_gates_say_what_the_engine_says_in_both_phases(case):
    arch, scenario, more = case
    eng = Engine(arch, FACTS)
    for failed in (scenario, more):
        impact = eng.evaluate(failed)
        for phase in ("immediate", "after-restart"):
            engine_states = {oid: op.state for oid, op in impact.phase(phase).operations.items()}
            assert gate_states(eng, failed, phase) == engine_states, phase


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_the_degradation_gates_say_what_the_engine_says_on_the_shipped_designs(path):
    """Random designs rarely deploy enough to degrade anything; the shipped ones do, each host or VM failed
    alone (every kind of impairment occurs among them)."""
    arch = check_file(path).architecture
    eng = Engine(arch, FACTS)
    degraded = 0
    for failed in [Scenario(hosts=frozenset([h.name])) for h in arch.hosts] + [
            Scenario(vms=frozenset([vm.name])) for vm in arch.vms]:
        impact = eng.evaluate(failed)
        for phase in ("immediate", "after-restart"):
            engine_states = {oid: op.state for oid, op in impact.phase(phase).operations.items()}
            assert gate_states(eng, failed, phase) == engine_states, (failed.describe(), phase)
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
            single = {oid for oid, op in eng.phase(scenario, phase).operations.items() if op.state == DOWN}
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
    found = availability.unavailability(eng.model, q)
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
