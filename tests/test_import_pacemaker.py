"""`refarch import pacemaker` and `refarch drift` on what Pacemaker's own tools write: the CIB that the pcs
export builds for a shipped KVM design, settled by crm_simulate, read back with the design's kolla
inventory; a node failure simulated; crm_mon's XML of the same cluster; ansible-inventory's reading of
an inventory; and hostile input."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import offline_cib
import pytest

from generator import catalog, exports
from generator.cli import main
from generator.imports import SourceError, inventory, pacemaker
from generator.rules.validate import check_file

ROOT = Path(__file__).resolve().parent.parent
FACTS = catalog.load()
PACEMAKER = pytest.mark.skipif(not all(shutil.which(tool) for tool in ("pcs", "cibadmin", "crm_simulate", "crm_mon")),
                               reason="pcs, crm_simulate and crm_mon are not installed (.ci/run installs them)")
ANSIBLE_INVENTORY = Path(sys.executable).parent / "ansible-inventory"  # ansible-core, a test dependency
ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
DESIGN = ROOT / "architectures" / "kvm-three-hosts.yaml"
GLOBALS = 'neutron_plugin_agent: "ovn"\nenable_cinder: "yes"\nopenstack_release: "2025.1"\n'


def run(*args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(args, capture_output=True, text=True, env=ENV | (env or {}), check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """The design's CIB, built by its pcs export and settled with every node up; its kolla inventory."""
    arch = check_file(DESIGN).architecture
    folder = tmp_path_factory.mktemp("cluster")
    cib = offline_cib.build(exports.export(arch, FACTS, "pcs"), folder)
    nodes = [arg for host in arch.hosts for arg in ("--node-up", host.name)]
    run("crm_simulate", "--xml-file", str(cib), "--quorum", "true", *nodes, "--simulate",
        "--save-output", str(folder / "settled.xml"))
    (folder / "inventory").write_text(exports.export(arch, FACTS, "kolla-inventory"))
    (folder / "globals.yml").write_text(GLOBALS)
    return arch, folder


def imported(capsys, folder: Path, source: str, out: str = "kvm-three-hosts-as-built.yaml", *extra: str):
    status = main(["import", "pacemaker", str(folder / source), "--inventory", str(folder / "inventory"),
                   "--globals", str(folder / "globals.yml"), "--as-built-of", "kvm-three-hosts",
                   "-o", str(folder / out), *extra])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    checked = check_file(folder / out)
    return checked, captured


def drift(capsys, folder: Path, out: str, fmt: str = "json") -> tuple[int, dict | str]:
    status = main(["drift", str(DESIGN), str(folder / out), "--format", fmt])
    text = capsys.readouterr().out
    return status, json.loads(text) if fmt == "json" else text


@PACEMAKER
def test_a_shipped_design_round_trips_through_its_cib_with_no_drift(cluster, capsys):
    arch, folder = cluster
    checked, captured = imported(capsys, folder, "settled.xml")
    assert captured.err == ""  # every VM matched an inventory host
    assert checked.ok, checked.problems
    built = checked.architecture
    assert [h.name for h in built.hosts] == [h.name for h in arch.hosts]
    assert {(h.name, h.cpus, h.memory_gib, h.state) for h in built.hosts} == {
        (h.name, h.cpus, h.memory_gib, "online") for h in arch.hosts}
    assert {vm.name: (vm.host, vm.vcpus, vm.memory_gib, frozenset(vm.services)) for vm in built.vms} == {
        vm.name: (vm.host, vm.vcpus, vm.memory_gib, frozenset(vm.services)) for vm in arch.vms}
    assert [(level.name, level.kind) for level in built.platform.fencing] == [
        (level.name, level.kind) for level in arch.platform.fencing]
    assert built.platform.anti_affinity == arch.platform.anti_affinity == "mandatory"
    assert (built.as_built_of, built.source.kind) == ("kvm-three-hosts", "pacemaker")
    text = (folder / "kvm-three-hosts-as-built.yaml").read_text()
    assert "# primitive vm-db-01;" in text and "# node kvm-01;" in text  # where each value came from
    assert "# not in the source: failure_domain" in text
    status, report = drift(capsys, folder, "kvm-three-hosts-as-built.yaml")
    assert status == 0 and report["lost"] == [] and report["placement"] == []
    assert report["tolerates"] == {"design": 1, "as_built": 1}
    assert "storage ceph-mgmt (ceph)" in report["unseen"]  # what the CIB does not show, said so
    # the same input gives the same file
    imported(capsys, folder, "settled.xml", "again.yaml", "--id", "kvm-three-hosts-as-built")
    assert (folder / "again.yaml").read_bytes() == (folder / "kvm-three-hosts-as-built.yaml").read_bytes()


@PACEMAKER
def test_after_a_node_fails_the_import_has_the_moved_vms_and_drift_the_lost_tolerance(cluster, capsys):
    arch, folder = cluster
    run("crm_simulate", "--xml-file", str(folder / "settled.xml"), "--quorum", "true", "--node-fail", "kvm-03",
        "--simulate", "--save-output", str(folder / "failed.xml"))
    checked, _ = imported(capsys, folder, "failed.xml", "failed-as-built.yaml", "--id", "failed-as-built")
    built = checked.architecture
    assert {h.name: h.state for h in built.hosts}["kvm-03"] == "offline"
    design = {vm.name: vm.host for vm in arch.vms}
    moved = {vm.name: vm.host for vm in built.vms if vm.host != design[vm.name]}
    assert moved and all(design[vm] == "kvm-03" and host != "kvm-03" for vm, host in moved.items())
    status, report = drift(capsys, folder, "failed-as-built.yaml")
    assert status == 1
    assert {p["vm"] for p in report["placement"]} == set(moved)
    assert report["tolerates"] == {"design": 1, "as_built": 0}
    assert "authenticate" in report["lost"] and {"host": "kvm-03", "state": "offline"} in report["hosts"]
    status, text = drift(capsys, folder, "failed-as-built.yaml", "text")
    assert status == 1 and "host kvm-03 is offline" in text and "tolerate less as built" in text
    for vm, host in moved.items():
        assert f"{vm} runs on {host}, not kvm-03" in text


@PACEMAKER
def test_crm_mon_xml_gives_the_same_nodes_vms_and_placement(cluster, capsys):
    arch, folder = cluster
    (folder / "crm_mon.xml").write_text(run("crm_mon", "--one-shot", "--output-as=xml",
                                            env={"CIB_file": str(folder / "settled.xml")}))
    checked, _ = imported(capsys, folder, "crm_mon.xml", "mon-as-built.yaml", "--id", "mon-as-built")
    assert checked.ok, checked.problems
    built = checked.architecture
    assert [h.name for h in built.hosts] == [h.name for h in arch.hosts]
    assert {vm.name: vm.host for vm in built.vms} == {vm.name: vm.host for vm in arch.vms}
    text = (folder / "mon-as-built.yaml").read_text()
    assert "# not in the source: utilization (CPUs, memory)" in text and built.source.kind == "crm_mon"


KOLLA = textwrap.dedent("""\
    # the multinode layout: service groups as children of the top-level ones, a host range
    [control]
    ctl[01:03] ansible_user=kolla

    [network]
    net01
    net02

    [compute]
    compute01

    [monitoring]
    [storage]
    [deployment]
    localhost ansible_connection=local

    [nova:children]
    control

    [nova-api:children]
    nova

    [nova-conductor:children]
    nova

    [neutron:children]
    network

    [neutron-l3-agent:children]
    neutron

    [mariadb:children]
    control

    [loadbalancer:children]
    network

    [octavia:children]
    control

    [octavia-api:children]
    octavia

    [fluentd:children]
    control
    network

    [all:vars]
    ansible_become=true
    """)


def test_ansible_inventory_agrees_with_the_importer_on_the_kolla_groups(tmp_path):
    path = tmp_path / "multinode"
    path.write_text(KOLLA)
    groups = json.loads(run(str(ANSIBLE_INVENTORY), "-i", str(path), "--list", env={"HOME": str(tmp_path)}))

    def hosts(group: str) -> set[str]:
        entry = groups.get(group, {})
        return set(entry.get("hosts", [])) | {h for child in entry.get("children", []) for h in hosts(child)}

    read = inventory.kolla(KOLLA.encode(), "multinode")
    kolla = catalog.deployment().kolla
    for sid, placement in kolla.services.items():
        expected = set().union(*(hosts(g) for g in placement.groups))
        if sid in read.disabled:
            assert not any(sid in services for services in read.hosts.values())
            continue
        assert {h for h, services in read.hosts.items() if sid in services} == expected, sid
    assert read.hosts["ctl02"][:3] == ["galera", "nova-api", "nova-conductor"]
    assert "octavia-api" in read.disabled  # placed, but off by kolla-ansible's default
    assert read.unknown_groups == ["fluentd", "neutron", "nova", "octavia"]


def production_cib(count: int = 400) -> str:
    """A CIB as production clusters hold them: `count` VirtualDomain guests of a vendor's agent, named without a
    `vm-` prefix, spread over three nodes, with utilization and the `freeze` policy. The bench imports it too."""
    primitives = "".join(
        f'<primitive id="Guest_{i:03d}" class="ocf" provider="vendor" type="VirtualDomain">'
        f'<utilization id="u{i}"><nvpair id="u{i}c" name="cpu" value="2"/>'
        f'<nvpair id="u{i}m" name="hv_memory" value="3072"/></utilization></primitive>' for i in range(count))
    status = "".join(
        f'<node_state id="{n}" uname="node{n}" in_ccm="1700000000" crmd="1700000000" join="member"><lrm id="{n}">'
        f'<lrm_resources>' + "".join(
            f'<lrm_resource id="Guest_{i:03d}" type="VirtualDomain" class="ocf" provider="vendor">'
            f'<lrm_rsc_op id="o{i}" operation="start" call-id="{i + 1}" rc-code="0"/></lrm_resource>'
            for i in range(count) if i % 3 == n - 1) + '</lrm_resources></lrm></node_state>' for n in (1, 2, 3))
    nodes = "".join(f'<node id="{n}" uname="node{n}"/>' for n in (1, 2, 3))
    cib = (f'<cib cib-last-written="Mon Nov 30 10:00:00 2026"><configuration><crm_config><cluster_property_set '
           f'id="o"><nvpair id="p" name="no-quorum-policy" value="freeze"/></cluster_property_set></crm_config>'
           f'<nodes>{nodes}</nodes>'
           f'<resources>{primitives}<primitive id="ip" class="ocf" provider="heartbeat" type="IPaddr2"/></resources>'
           f'<constraints/></configuration><status>{status}</status></cib>')
    return cib


def test_production_cibs_import_policies_vendor_agents_and_names_without_a_prefix(tmp_path):
    cib = production_cib()
    built = pacemaker.read(cib.encode(), "prod.xml")
    assert len(built.vms) == 400 and built.no_quorum_policy == "freeze" and built.taken == "Mon Nov 30 10:00:00 2026"
    assert built.vms[0].name == "guest-000" and built.vms[0].memory_gib == 3 and built.vms[4].host == "node2"
    assert built.ignored == ["ip (ocf:IPaddr2)"] and built.fencing == []
    path = tmp_path / "prod.xml"
    path.write_bytes(cib.encode())
    out = tmp_path / "prod-as-built.yaml"
    assert main(["import", "pacemaker", str(path), "-o", str(out)]) == 0
    checked = check_file(out)
    assert not [p for p in checked.problems if not p.rule.startswith("RED")], checked.problems
    assert checked.architecture.platform.no_quorum_policy == "freeze" and len(checked.architecture.vms) == 400


@pytest.mark.parametrize(("text", "message"), [
    ('<!DOCTYPE cib [<!ENTITY x SYSTEM "file:///etc/passwd">]><cib>&x;</cib>', "refused: a DOCTYPE declaration"),
    ('<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><cib>&b;</cib>',
     "refused: a DOCTYPE declaration"),
    ("<cib><configuration><nodes/></configuration></cib>", "<configuration><nodes>: no node: an empty CIB"),
    ("<cib/>", "<cib>: no <configuration>: an empty CIB"),
    ("<html/>", "neither a CIB"),
    ("<cib><configuration", "not well-formed XML"),
    ('<pacemaker-result><nodes><node name="a" online="true"/></nodes><resources><resource id="vm-x" '
     'resource_agent="ocf:heartbeat:VirtualDomain" active="true"><node name="b"/></resource></resources>'
     '</pacemaker-result>', "runs on `b`, which is no node listed"),
    ('<cib><configuration><nodes><node id="1" uname="A"/><node id="2" uname="a"/></nodes></configuration></cib>',
     "two elements give the name `a`"),
])
def test_hostile_or_broken_input_is_one_line_exit_2_and_nothing_written(tmp_path, capsys, text, message):
    path = tmp_path / "cib.xml"
    path.write_text(text)
    out = tmp_path / "out.yaml"
    assert main(["import", "pacemaker", str(path), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("refarch: cib.xml: ") and message in err and err.count("\n") == 1
    assert not out.exists()
    with pytest.raises(SourceError):
        pacemaker.read(text.encode(), "cib.xml")
