"""`refarch import hyperv`: the JSON that scripts/collect-hyperv.ps1 writes (PowerShell does not run here:
the sample below stands for it, the script is held to the cmdlet table and to the format's model)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_exports import DEPLOYMENT, powershell_calls

from generator import catalog
from generator.analysis.engine import Engine, Scenario
from generator.cli import main
from generator.imports import SourceError, hyperv
from generator.rules.validate import check_file

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = (ROOT / "scripts" / "collect-hyperv.ps1").read_text()
SAMPLE = {
    "format": "refarch-hyperv/1", "taken": "2026-12-01T10:00:00.0000000Z",
    "cluster": {"name": "HVCL01", "enforced_anti_affinity": 1},
    "quorum": {"type": "NodeAndFileShareMajority", "resource": "File Share Witness"},
    "nodes": [{"name": f"HV-0{i}", "state": state} for i, state in ((1, "Up"), (2, "Up"), (3, "Up"), (4, "Paused"))],
    "vms": [{"name": f"ctl-0{i}", "owner": f"hv-0{i}", "state": "Online", "anti_affinity": ["control"],
             "processors": 8, "memory_startup_bytes": 32 * 2**30, "path": f"C:\\ClusterStorage\\Volume1\\ctl-0{i}"}
            for i in (1, 2, 3)]
    + [{"name": "ctl-04", "owner": "HV-04", "state": "Offline", "anti_affinity": ["control"], "processors": 8,
        "memory_startup_bytes": 32 * 2**30, "path": "C:\\ClusterStorage\\Volume1\\ctl-04"}],
    "csvs": [{"name": "Cluster Disk 1", "path": "C:\\ClusterStorage\\Volume1"}],
}
SERVICES = ("loadbalancer", "mariadb", "rabbitmq", "memcached", "keystone", "glance-api", "placement-api", "nova-api",
            "nova-metadata", "nova-scheduler", "nova-conductor", "neutron-server", "neutron-dhcp-agent",
            "neutron-l3-agent", "neutron-metadata-agent")
INVENTORY = "[control]\nctl-0[1:4]\n" + "".join(f"[{group}:children]\ncontrol\n" for group in SERVICES)


def hyperv_import_text(folder: Path) -> str:
    again = folder / "again" / "hv-as-built.yaml"
    again.parent.mkdir()
    assert main(["import", "hyperv", str(folder / "hv.json"), "--inventory", str(folder / "inventory"),
                 "--as-built-of", "hyperv-four-hosts", "-o", str(again)]) == 0
    return again.read_text()


def test_the_collectors_output_imports_into_a_design_that_validates_and_analyses(tmp_path):
    (tmp_path / "hv.json").write_text(json.dumps(SAMPLE))
    (tmp_path / "inventory").write_text(INVENTORY)
    out = tmp_path / "hv-as-built.yaml"
    assert main(["import", "hyperv", str(tmp_path / "hv.json"), "--inventory", str(tmp_path / "inventory"),
                 "--as-built-of", "hyperv-four-hosts", "-o", str(out)]) == 0
    checked = check_file(out)
    assert checked.ok, checked.problems
    assert hyperv_import_text(tmp_path) == out.read_text()  # the same input gives the same file
    arch = checked.architecture
    assert [(h.name, h.state) for h in arch.hosts] == [("hv-01", "online"), ("hv-02", "online"),
                                                        ("hv-03", "online"), ("hv-04", "standby")]
    assert [(vm.name, vm.host, vm.vcpus, vm.memory_gib) for vm in arch.vms] == [
        (f"ctl-0{i}", f"hv-0{i}", 8, 32) for i in (1, 2, 3)]  # ctl-04 is offline: stopped, left out
    assert (arch.platform.hypervisor, arch.platform.anti_affinity, arch.platform.witness.kind) == (
        "hyperv", "mandatory", "file-share")
    assert [(s.name, s.kind) for s in arch.storage] == [("cluster-disk-1", "csv")]
    assert "# stopped, so not under vms: ctl-04 (VM role ctl-04)" in out.read_text()
    impact = Engine(arch, catalog.load()).evaluate(Scenario(hosts=frozenset({"hv-01"})))
    assert impact.after_restart.where["ctl-01"] is None  # mandatory: every other online host has a sibling


def test_the_committed_schema_is_the_collectors_format():
    assert json.loads(hyperv.SCHEMA.read_text()) == hyperv.json_schema()


def test_the_collector_uses_only_documented_cmdlets_and_writes_the_format():
    calls = powershell_calls(SCRIPT)
    assert {"FailoverClusters\\Get-Cluster", "Get-ClusterNode", "Get-ClusterGroup", "Hyper-V\\Get-VM",
            "Get-ClusterQuorum", "Get-ClusterSharedVolume"} <= {cmdlet for cmdlet, _ in calls}
    for cmdlet, parameters in calls:
        assert cmdlet in DEPLOYMENT.cmdlets, f"{cmdlet} is not in the cmdlet table"
        assert set(parameters) <= set(DEPLOYMENT.cmdlets[cmdlet].parameters), (cmdlet, parameters)
    written = set(re.findall(r"\b([a-z_]+)\s*=", SCRIPT))
    for model in (hyperv.Collection, hyperv.ClusterInfo, hyperv.Quorum, hyperv.Node, hyperv.VirtualMachine,
                  hyperv.Volume):
        assert set(model.model_fields) <= written, model.__name__
    assert '"refarch-hyperv/1"' in SCRIPT


@pytest.mark.parametrize(("data", "message"), [
    ("{", "line 1, column 2: not JSON"),
    (json.dumps({**SAMPLE, "format": "other/1"}), "format: Input should be 'refarch-hyperv/1'"),
    (json.dumps({**SAMPLE, "vms": [{**SAMPLE["vms"][0], "owner": "hv-09"}]}),
     "vms ctl-01: owned by `hv-09`, which is no node listed"),
    (json.dumps({**SAMPLE, "nodes": []}), "nodes: List should have at least 1 item"),
])
def test_broken_collections_are_one_line_and_exit_2(tmp_path, capsys, data, message):
    (tmp_path / "hv.json").write_text(data)
    assert main(["import", "hyperv", str(tmp_path / "hv.json"), "-o", str(tmp_path / "out.yaml")]) == 2
    err = capsys.readouterr().err
    assert f"hv.json: {message}" in err and err.count("\n") == 1 and not (tmp_path / "out.yaml").exists()
    with pytest.raises(SourceError):
        hyperv.read(data.encode(), "hv.json")
