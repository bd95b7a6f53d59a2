"""Properties of the impact engine on random architectures (cut sets against brute force: test_failure_model)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from generator import catalog
from generator.analysis.engine import RANK, Engine, Scenario
from generator.analysis.scenarios import part_names
from generator.model.architecture import Architecture

FACTS = catalog.load()
SERVICES = ["haproxy", "keepalived", "galera", "garbd", "rabbitmq", "memcached", "keystone", "nova-api",
            "nova-metadata", "glance-api", "cinder-volume", "neutron-l3-agent", "nova-scheduler", "placement-api"]


@st.composite
def architectures(draw) -> Architecture:
    hosts = [f"h{i}" for i in range(draw(st.integers(1, 5)))]
    with_capacity = draw(st.booleans())
    vms = []
    for i in range(draw(st.integers(1, 7))):
        vm = {"name": f"v{i}", "host": draw(st.sampled_from(hosts)),
              "services": draw(st.lists(st.sampled_from(SERVICES), min_size=1, max_size=5, unique=True))}
        if with_capacity:
            vm |= {"vcpus": draw(st.integers(1, 8)), "memory_gib": draw(st.integers(1, 32))}
        vms.append(vm)
    hypervisor = draw(st.sampled_from(["kvm", "kvm", "hyperv", "vsphere"]))
    platform = {"hypervisor": hypervisor, "anti_affinity": draw(st.sampled_from(["mandatory", "preferred"]))}
    if hypervisor == "kvm":
        platform |= {"ha": draw(st.sampled_from(["pacemaker", "none"])), "fencing": "ipmi"}
        if draw(st.booleans()):
            platform["witness"] = {"kind": "qdevice", "name": "qnetd"}
    elif hypervisor == "hyperv":
        platform |= {"ha": "failover-cluster"}
        if draw(st.booleans()):
            platform["witness"] = {"kind": "file-share", "name": "fsw"}
    else:
        platform |= {"ha": "vsphere-ha", "isolation_response": draw(st.sampled_from(["disabled", "power-off"]))}
    # The platform's own parts, sometimes: switches over some hosts, one shared or spread storage.
    switches = []
    if draw(st.booleans()):
        for i in range(draw(st.integers(1, 2))):
            switches.append({"name": f"sw{i}", "hosts": draw(st.lists(st.sampled_from(hosts), min_size=1,
                                                                       unique=True))})
    storage = []
    kinds = {"kvm": ["san", "ceph"], "hyperv": ["csv"], "vsphere": ["nfs", "vsan"]}[hypervisor]
    if draw(st.booleans()):
        kind = draw(st.sampled_from(kinds))
        storage.append({"name": "st0", "kind": kind, **({"failures_to_tolerate": draw(st.integers(0, 2))}
                                                        if kind in ("ceph", "vsan") else {})})
    return Architecture.model_validate({
        "id": "random", "title": "Random", "summary": "Random.",
        "platform": platform,
        "hosts": [{"name": h, **({"cpus": 16, "memory_gib": draw(st.integers(8, 64))} if with_capacity else {})}
                  for h in hosts],
        "storage": storage, "switches": switches,
        "vms": vms,
    })


@st.composite
def scenario_pairs(draw):
    """An architecture and two scenarios, the second failing at least what the first fails."""
    arch = draw(architectures())
    hosts = [h.name for h in arch.hosts]
    vms = [vm.name for vm in arch.vms]
    deployed = sorted({s for vm in arch.vms for s in vm.services})
    parts = part_names(arch)
    some_parts = st.sets(st.sampled_from(parts)) if parts else st.just(set())
    small = Scenario(hosts=frozenset(draw(st.sets(st.sampled_from(hosts)))),
                     vms=frozenset(draw(st.sets(st.sampled_from(vms)))),
                     services=frozenset(draw(st.sets(st.sampled_from(deployed), max_size=2))),
                     parts=frozenset(draw(some_parts)))
    large = Scenario(hosts=small.hosts | draw(st.sets(st.sampled_from(hosts))),
                     vms=small.vms | draw(st.sets(st.sampled_from(vms))),
                     services=small.services | draw(st.sets(st.sampled_from(deployed), max_size=2)),
                     parts=small.parts | draw(some_parts))
    return arch, small, large


def ranks(phase) -> dict[str, int]:
    return {**{f"s:{k}": RANK[v.state] for k, v in phase.services.items()},
            **{f"o:{k}": RANK[v.state] for k, v in phase.operations.items()}}


@given(scenario_pairs())
def test_failing_more_never_makes_anything_better(case):
    arch, small, large = case
    eng = Engine(arch, FACTS)
    before = ranks(eng.phase(small, "immediate", margins=False))
    after = ranks(eng.phase(large, "immediate", margins=False))
    assert all(after[key] >= before[key] for key in before)


@given(scenario_pairs())
def test_after_restart_is_never_worse_than_immediate(case):
    arch, scenario, _ = case
    impact = Engine(arch, FACTS).evaluate(scenario, margins=False)
    immediate, after = ranks(impact.immediate), ranks(impact.after_restart)
    assert all(after[key] <= immediate[key] for key in immediate)


@given(scenario_pairs(), st.randoms(use_true_random=False))
def test_renaming_hosts_permutes_the_results(case, rng):
    arch, scenario, _ = case
    names = [h.name for h in arch.hosts]
    shuffled = names[:]
    rng.shuffle(shuffled)
    rename = dict(zip(names, (f"x-{n}" for n in shuffled), strict=True))
    data = arch.model_dump()
    for host in data["hosts"]:
        host["name"] = rename[host["name"]]
    for vm in data["vms"]:
        vm["host"] = rename[vm["host"]]
    for switch in data["switches"]:
        switch["hosts"] = [rename[h] for h in switch["hosts"]]
    renamed = Architecture.model_validate(data)
    moved = Scenario(hosts=frozenset(rename[h] for h in scenario.hosts), vms=scenario.vms,
                     services=scenario.services, parts=scenario.parts)
    original = Engine(arch, FACTS).phase(scenario, "immediate", margins=False)
    assert ranks(Engine(renamed, FACTS).phase(moved, "immediate", margins=False)) == ranks(original)


@given(scenario_pairs())
def test_a_service_with_nothing_failed_under_it_is_ok(case):
    arch, scenario, _ = case
    eng = Engine(arch, FACTS)
    phase = eng.phase(scenario, "immediate", margins=False)
    instances = {sid: [vm.name for vm in arch.vms if sid in vm.service_ids] for sid in phase.services}

    facts = eng.facts  # the catalog as it holds for this design, read directly

    def closure(sid: str) -> set[str]:  # what it requires, all the way down
        found, stack = set(), [sid]
        while stack:
            current = stack.pop()
            if current not in found:
                found.add(current)
                stack += facts.services[current].requires
        return found

    for sid in phase.services:
        below = closure(sid) | {d for s in closure(sid) for d in facts.services[s].uses}
        involved = below | ({facts.services[s].arbitrator for s in below} - {None})
        if not involved <= set(instances):
            continue  # something it needs is not deployed
        failed = any(s in scenario.services for s in involved) or any(
            phase.where[vm] is None for s in involved for vm in instances[s])
        if not failed:
            assert phase.services[sid].state == "ok", (sid, phase.services[sid])
