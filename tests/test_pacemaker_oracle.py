"""Pacemaker's own scheduler as the oracle for refarch's restart predictions on KVM.

The pcs export builds its CIB offline (as tests/test_exports.py runs it), and crm_simulate plays the
cluster: every node up until every VM runs, then each host failing alone (fenced, as refarch
assumes), then coming back; on designs where two hosts down leave no quorum, each such pair too.
Pacemaker must disturb no VM on a surviving host and run the same VMs on each host as the engine's
after-restart phase predicts. The designs: every shipped KVM design, and a generated one of four
unequal hosts with preferred anti-affinity (sharing a host when no other has room), and a five-host
design split by its core switch, each side of which is played on its own.
"""

from __future__ import annotations

import itertools
import shutil
import subprocess
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import offline_cib
import pytest
import yaml

from generator import catalog, exports
from generator.analysis import partitions
from generator.analysis.compile import network_of
from generator.analysis.engine import Engine, Scenario
from generator.model.architecture import Architecture
from generator.rules.validate import check_bytes, check_file

ROOT = Path(__file__).resolve().parent.parent
FACTS = catalog.load()
PACEMAKER = all(shutil.which(tool) for tool in ("pcs", "cibadmin", "crm_simulate", "crm_mon"))
ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
pytestmark = pytest.mark.skipif(not PACEMAKER, reason="pcs, cibadmin, crm_simulate and crm_mon are not installed "
                                                      "(.ci/run installs them)")

# Four hosts of three sizes: restarts depend on free memory, and with preferred anti-affinity a
# database VM shares a host with a sibling when the only host without one is too small.
FOUR_HOSTS = textwrap.dedent("""\
    id: kvm-four-hosts
    title: KVM with Pacemaker, four unequal hosts
    summary: Four KVM hosts of three sizes, for the Pacemaker oracle test.
    platform:
      hypervisor: kvm
      ha: pacemaker
      anti_affinity: {anti_affinity}
      fencing: ipmi
      witness: qdevice
    openstack:
      release: "2025.1"
      networking: ovn
    hosts:
      - {{name: kvm-01, cpus: 32, memory_gib: 128}}
      - {{name: kvm-02, cpus: 32, memory_gib: 128}}
      - {{name: kvm-03, cpus: 32, memory_gib: 96}}
      - {{name: kvm-04, cpus: 16, memory_gib: 64}}
    vms:
      - {{name: db-01, host: kvm-01, vcpus: 8, memory_gib: 32, services: &db [galera, rabbitmq, ovn-nb-db, ovn-sb-db]}}
      - {{name: db-02, host: kvm-02, vcpus: 8, memory_gib: 32, services: *db}}
      - {{name: db-03, host: kvm-03, vcpus: 8, memory_gib: 32, services: *db}}
      - name: ctl-01
        host: kvm-01
        vcpus: 12
        memory_gib: 48
        services: &controller [haproxy, keepalived, keystone, glance-api, placement-api, nova-api, nova-metadata,
                               nova-scheduler, nova-conductor, nova-novncproxy, neutron-server, ovn-northd, cinder-api,
                               cinder-scheduler, cinder-volume, horizon, heat-api, heat-engine, memcached]
      - {{name: ctl-02, host: kvm-02, vcpus: 12, memory_gib: 48, services: *controller}}
      - {{name: ctl-03, host: kvm-04, vcpus: 12, memory_gib: 48, services: *controller}}
    decisions:
      - id: D01
        decision: Four hosts of three sizes.
        justification: For the Pacemaker oracle test.
        implication: Where a VM restarts depends on free memory.
    """)


def generated(anti_affinity: str) -> Architecture:
    checked = check_bytes(FOUR_HOSTS.format(anti_affinity=anti_affinity).encode(), "kvm-four-hosts.yaml",
                          "kvm-four-hosts")
    assert checked.architecture is not None, checked.problems
    return checked.architecture


def shipped() -> dict[str, Architecture]:
    found = {}
    for path in sorted((ROOT / "architectures").glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        if isinstance(data, dict) and (data.get("platform") or {}).get("hypervisor") == "kvm":
            found[path.stem] = check_file(path).architecture
    return found


def frozen() -> Architecture:
    """kvm-three-hosts with no-quorum-policy=freeze, and its Ceph pool keeping copies on every host (so that two
    hosts lost leave the third one's VMs their disks, and what Pacemaker does with them is what differs)."""
    text = (ROOT / "architectures" / "kvm-three-hosts.yaml").read_text()
    text = text.replace("  anti_affinity: mandatory\n", "  anti_affinity: mandatory\n  no_quorum_policy: freeze\n")
    text = text.replace("{name: ceph-mgmt, kind: ceph, failures_to_tolerate: 1}",
                        "{name: ceph-mgmt, kind: ceph, size: 3, min_size: 1}")
    checked = check_bytes(text.encode(), "kvm-three-hosts.yaml", "kvm-three-hosts")
    assert checked.architecture is not None and "freeze" in text and "min_size: 1" in text, checked.problems
    return checked.architecture


DESIGNS = {**shipped(), "kvm-four-hosts-preferred": generated("preferred"), "kvm-three-hosts-freeze": frozen()}


def quorate(arch: Architecture, down: set[str]) -> bool:
    """Corosync votequorum: a majority of the votes, one per node plus a QDevice's."""
    witness = 1 if arch.platform.witness is not None else 0
    return 2 * (len(arch.hosts) - len(down) + witness) > len(arch.hosts) + witness


def run(*args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(args, capture_output=True, text=True, env=ENV | (env or {}))
    assert done.returncode == 0, f"{' '.join(args)}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
    return done.stdout


@dataclass(frozen=True)
class Action:
    resource: str
    operation: str  # start, stop, migrate_to, migrate_from, monitor ...
    node: str | None
    implied: bool  # a pseudo-action: a stop that fencing the node has already done


@dataclass(frozen=True)
class Transition:
    cib: Path  # the CIB after it, with the resulting status
    actions: list[Action]
    fenced: set[str]

    def of(self, vm: str) -> list[Action]:
        return [a for a in self.actions if a.resource == f"vm-{vm}" and a.operation != "monitor"]


def transition(graph: Path, cib: Path) -> Transition:
    actions, fenced = [], set()
    for element in ET.parse(graph).getroot().findall("synapse/action_set/*"):
        operation = element.get("operation", "")
        if element.tag == "rsc_op":
            actions.append(Action(element.find("primitive").get("id"), operation, element.get("on_node"), False))
        elif element.tag == "pseudo_event" and element.get("operation_key", "").endswith(f"_{operation}_0"):
            actions.append(Action(element.get("operation_key")[:-len(f"_{operation}_0")], operation, None, True))
        elif element.tag == "crm_event" and operation == "stonith":
            fenced.add(element.get("on_node"))
    return Transition(cib, actions, fenced)


def simulate(cib: Path, name: str, *events: str, execute: bool = True) -> Transition:
    """crm_simulate on `cib` with the events given: the transition Pacemaker computes, and (executed) its result."""
    out, graph = cib.with_name(f"{name}.xml"), cib.with_name(f"{name}-graph.xml")
    run("crm_simulate", "--xml-file", str(cib), *events, "--simulate" if execute else "--run",
        *(["--save-output", str(out)] if execute else []), "--save-graph", str(graph))
    return transition(graph, out)


def running(cib: Path) -> dict[str, str | None]:
    """Where each VM runs in a CIB's status (None: stopped), as crm_mon reads it."""
    status = ET.fromstring(run("crm_mon", "--one-shot", "--output-as=xml", env={"CIB_file": str(cib)}))
    where = {}
    for element in status.iter("resource"):
        if element.get("id", "").startswith("vm-"):
            nodes = [node.get("name") for node in element.findall("node")] if element.get("active") == "true" else []
            assert len(nodes) <= 1, element.get("id")
            where[element.get("id").removeprefix("vm-")] = nodes[0] if nodes else None
    return where


def quorum(arch: Architecture, down: set[str]) -> list[str]:
    """crm_simulate's quorum flag for the nodes left (it takes quorum as given, it does not count votes)."""
    return ["--quorum", "true" if quorate(arch, down) else "false"]


@dataclass(frozen=True)
class Cluster:
    arch: Architecture
    settled: Transition  # every node up, from an empty status

    def fail(self, *hosts: str, execute: bool = True) -> Transition:
        """The named hosts crash: --node-fail leaves them unclean, so Pacemaker (given quorum) fences them
        before it restarts their VMs, refarch's assumption; --node-down would be a clean leave, unfenced."""
        events = [arg for host in hosts for arg in ("--node-fail", host)]
        return simulate(self.settled.cib, "fail-" + "-".join(hosts), *quorum(self.arch, set(hosts)), *events,
                        execute=execute)


def start(arch: Architecture, directory: Path) -> Cluster:
    """Build the CIB with the export's script, as an operator's node would, then bring every node up."""
    cib = offline_cib.build(exports.export(arch, FACTS, "pcs"), directory)
    nodes = [arg for host in arch.hosts for arg in ("--node-up", host.name)]
    return Cluster(arch, simulate(cib, "settled", *quorum(arch, set()), *nodes))


@pytest.fixture(scope="module")
def clusters(tmp_path_factory) -> Iterator[dict[str, Future[Cluster]]]:
    """Every design's cluster, the split one's too, built in parallel (pcs takes about half a second per
    command)."""
    every = {**DESIGNS, SPLIT_NAME: split()}
    with ThreadPoolExecutor(max_workers=len(every)) as pool:
        yield {name: pool.submit(start, arch, tmp_path_factory.mktemp(name)) for name, arch in every.items()}


def per_host(where: dict[str, str | None]) -> dict[str | None, list[str]]:
    hosts: dict[str | None, list[str]] = {}
    for vm, host in sorted(where.items()):
        hosts.setdefault(host, []).append(vm)
    return dict(sorted(hosts.items(), key=lambda item: str(item[0])))


def test_the_designs_include_a_shipped_one_and_both_anti_affinity_settings():
    assert "kvm-three-hosts" in DESIGNS
    assert {arch.platform.anti_affinity for arch in DESIGNS.values()} == {"mandatory", "preferred"}


@pytest.mark.parametrize("design", DESIGNS)
def test_every_vm_starts_on_its_intended_host(clusters, design):
    cluster = clusters[design].result()
    assert running(cluster.settled.cib) == {vm.name: vm.host for vm in cluster.arch.vms}


ONE_HOST = [(design, host.name) for design, arch in DESIGNS.items() for host in arch.hosts]


@pytest.mark.parametrize(("design", "failed"), ONE_HOST)
def test_one_host_failure_restarts_what_the_engine_predicts_and_disturbs_nothing_else(clusters, design, failed):
    cluster = clusters[design].result()
    arch = cluster.arch
    before = running(cluster.settled.cib)
    after = cluster.fail(failed)
    impact = Engine(arch, FACTS).evaluate(Scenario(hosts=frozenset([failed])))
    assert after.fenced == {failed}
    # Right after the failure: what fencing took down is what the engine's immediate phase has down.
    implied = {a.resource.removeprefix("vm-") for a in after.actions if a.implied and a.resource.startswith("vm-")}
    assert implied == {vm for vm, host in impact.immediate.where.items() if host is None}
    # No VM on a surviving host is stopped, moved or migrated.
    for vm, host in before.items():
        if host != failed:
            assert after.of(vm) == [], f"Pacemaker disturbs {vm} on {host}: {after.of(vm)}"
    # After the restarts: the same VMs on each host, and the same ones down, as the engine predicts.
    assert per_host(running(after.cib)) == per_host(impact.after_restart.where)


@pytest.mark.parametrize(("design", "failed"), ONE_HOST)
def test_a_failed_host_coming_back_gets_its_vms_back_without_stopping_any(clusters, design, failed):
    cluster = clusters[design].result()
    home = {vm.name: vm.host for vm in cluster.arch.vms}
    after = cluster.fail(failed)
    back = simulate(after.cib, f"back-{failed}", *quorum(cluster.arch, set()), "--node-up", failed)
    assert running(back.cib) == home
    for vm, host in running(after.cib).items():
        operations = {a.operation for a in back.of(vm)}
        if host is None:
            assert operations == {"start"}, (vm, back.of(vm))
        elif host != home[vm]:
            assert {"migrate_to", "migrate_from"} <= operations, f"{vm} is not live-migrated home: {back.of(vm)}"
        else:
            assert operations == set(), (vm, back.of(vm))


NO_QUORUM = [(design, pair) for design, arch in DESIGNS.items()
             for pair in itertools.combinations([host.name for host in arch.hosts], 2)
             if not quorate(arch, set(pair))]
STOPPING = [(design, pair) for design, pair in NO_QUORUM if DESIGNS[design].platform.no_quorum_policy is None]
FREEZING = [(design, pair) for design, pair in NO_QUORUM if DESIGNS[design].platform.no_quorum_policy == "freeze"]


@pytest.mark.parametrize(("design", "pair"), STOPPING, ids=[f"{d}-{'+'.join(p)}" for d, p in STOPPING])
def test_two_hosts_down_without_quorum_stop_every_vm_and_start_none(clusters, design, pair):
    cluster = clusters[design].result()
    before = running(cluster.settled.cib)
    # Without quorum Pacemaker fences nothing, so the stops on the lost hosts never complete: only the
    # transition is computed, not executed.
    lost = cluster.fail(*pair, execute=False)
    assert lost.fenced == set()
    for vm, host in before.items():
        operations = {(a.operation, a.node) for a in lost.of(vm)}
        assert not {op for op, _ in operations} & {"start", "migrate_to", "migrate_from"}, (vm, operations)
        if host not in pair:
            assert ("stop", host) in operations, f"{vm} keeps running on {host} without quorum"
    # ENGINE COMPARISON (cluster quorum in the engine): the after-restart phase has every VM down too.
    impact = Engine(cluster.arch, FACTS).evaluate(Scenario(hosts=frozenset(pair)))
    assert per_host(impact.after_restart.where) == {None: sorted(before)}


def test_the_designs_include_one_that_freezes():
    assert FREEZING and STOPPING


@pytest.mark.parametrize(("design", "pair"), FREEZING, ids=[f"{d}-{'+'.join(p)}" for d, p in FREEZING])
def test_two_hosts_down_with_freeze_keep_the_survivors_and_start_none(clusters, design, pair):
    """no-quorum-policy=freeze: the partition without quorum keeps what it runs and starts nothing."""
    cluster = clusters[design].result()
    before = running(cluster.settled.cib)
    lost = cluster.fail(*pair, execute=False)
    assert lost.fenced == set()
    for vm, host in before.items():
        operations = {(a.operation, a.node) for a in lost.of(vm)}
        assert not {op for op, _ in operations} & {"start", "migrate_to", "migrate_from"}, (vm, operations)
        if host not in pair:
            assert not {op for op, _ in operations} & {"stop"}, f"{vm} is stopped on {host} under freeze"
    # The engine: the survivor's VMs run (their storage keeps a copy there), the others stay down.
    impact = Engine(cluster.arch, FACTS).evaluate(Scenario(hosts=frozenset(pair)), margins=False)
    kept = {vm: host for vm, host in before.items() if host not in pair}
    for phase in (impact.immediate, impact.after_restart):
        assert {vm: host for vm, host in phase.where.items() if host is not None} == kept


# A split: five hosts with SBD, three behind one top-of-rack switch and two behind the other, a core
# switch between them. crm_simulate plays each side on its own: the side's nodes up, the other side's
# failed (as the side sees them), and quorum as the side has it.
SPLIT = FOUR_HOSTS.replace("id: kvm-four-hosts", "id: kvm-five-hosts-split").replace(
    "fencing: ipmi\n  witness: qdevice\n", "fencing: sbd\n").replace(
    "  - {{name: kvm-04, cpus: 16, memory_gib: 64}}\n",
    "  - {{name: kvm-04, cpus: 32, memory_gib: 128}}\n  - {{name: kvm-05, cpus: 32, memory_gib: 128}}\n"
    "switches:\n  - {{name: tor-a, hosts: [kvm-01, kvm-02, kvm-03], uplinks: [core]}}\n"
    "  - {{name: tor-b, hosts: [kvm-04, kvm-05], uplinks: [core]}}\n  - {{name: core, hosts: []}}\n").replace(
    "host: kvm-04, vcpus: 12", "host: kvm-05, vcpus: 12")


SPLIT_NAME = "kvm-five-hosts-split"


def split() -> Architecture:
    checked = check_bytes(SPLIT.format(anti_affinity="preferred").encode(), f"{SPLIT_NAME}.yaml", SPLIT_NAME)
    assert checked.architecture is not None and len(checked.architecture.hosts) == 5, checked.problems
    return checked.architecture


@pytest.mark.parametrize("side", ["carries-on", "other"])
def test_each_side_of_a_split_does_what_the_engine_predicts(clusters, side):
    split_cluster = clusters[SPLIT_NAME].result()
    arch = split_cluster.arch
    main = partitions.main_side(network_of(arch), frozenset({"core"}))
    assert main is not None and main.hosts == {"kvm-01", "kvm-02", "kvm-03"}
    here = set(main.hosts) if side == "carries-on" else {h.name for h in arch.hosts} - main.hosts
    there = sorted({h.name for h in arch.hosts} - here)
    before = running(split_cluster.settled.cib)
    impact = Engine(arch, FACTS).evaluate(Scenario(parts=frozenset({"core"})), margins=False)
    events = [arg for host in there for arg in ("--node-fail", host)]
    if side == "carries-on":
        assert quorate(arch, set(there))
        after = simulate(split_cluster.settled.cib, "split-main", "--quorum", "true", *events)
        assert after.fenced == set(there)  # SBD fences the other side before its VMs start here
        for vm, host in before.items():
            if host in here:
                assert after.of(vm) == [], f"Pacemaker disturbs {vm} on {host}: {after.of(vm)}"
        assert per_host(running(after.cib)) == per_host(impact.after_restart.where)
    else:
        assert not quorate(arch, set(there))
        lost = simulate(split_cluster.settled.cib, "split-other", "--quorum", "false", *events, execute=False)
        assert lost.fenced == set()
        for vm, host in before.items():
            operations = {(a.operation, a.node) for a in lost.of(vm)}
            assert not {op for op, _ in operations} & {"start", "migrate_to", "migrate_from"}, (vm, operations)
            if host in here:  # no-quorum-policy=stop: this side stops what it runs
                assert ("stop", host) in operations, f"{vm} keeps running on {host} without quorum"
                assert impact.immediate.where[vm] is None  # the engine: down on the side that does not carry on
