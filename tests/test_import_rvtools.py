"""`refarch import rvtools`: an RVTools export, as a workbook written here with XlsxWriter or as its CSV
folder, into an as-built file that validates and analyses; a zip bomb and broken exports refused."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from generator import catalog
from generator.analysis.engine import Engine, Scenario
from generator.cli import main
from generator.imports import SourceError, rvtools
from generator.rules.validate import check_file

FACTS = catalog.load()
TABS = {
    "vInfo": [["VM", "Powerstate", "Template", "CPUs", "Memory", "Host", "Cluster", "DNS Name", "HA Restart Priority",
               "Path", "Cluster rule(s)", "Cluster rule name(s)"],
              *[[f"ctl-0{i}", "poweredOn", False, 8, 32768, f"esxi-0{i}.lab", "mgmt", f"ctl-0{i}.lab", "high",
                 "[ds1] x/x.vmx", "Anti-Affinity" + (", VM-Host Affinity" if i == 1 else ""),
                 "separate-control" + (", ctl-01-on-rack-a" if i == 1 else "")] for i in (1, 2, 3)],
              ["old-db", "poweredOff", False, 4, 8192, "esxi-01.lab", "mgmt", "", "", "[ds1] y/y.vmx", "", ""],
              ["tmpl", "poweredOff", True, 1, 1024, "esxi-02.lab", "mgmt", "", "", "[ds1] t/t.vmx", "", ""],
              ["web", "poweredOn", False, 2, 2048, "esx-other.lab", "prod", "", "", "[ds9] w/w.vmx", "", ""]],
    "vHost": [["Host", "Cluster", "# Cores", "# Memory", "in Maintenance Mode", "Connection state"],
              *[[f"esxi-0{i}.lab", "mgmt", 32, 262144, i == 4, "connected"] for i in (1, 2, 3, 4)],
              ["esx-other.lab", "prod", 16, 65536, False, "connected"]],
    "vCluster": [["Name", "HA enabled", "Isolation Response", "AdmissionControlEnabled", "Failover Level"],
                 ["mgmt", True, "powerOff", True, 1], ["prod", True, "none", False, 0]],
    "vDatastore": [["Name", "Type"], ["ds1", "VMFS"], ["ds9", "NFS"]],
    "vMetaData": [["RVTools version", "xlsx creation datetime"], ["4.6.1", "2026/12/01 10:00:00"]],
}
SERVICES = ("haproxy, keepalived, galera, rabbitmq, memcached, keystone, glance-api, placement-api, nova-api, "
            "nova-metadata, nova-scheduler, nova-conductor, neutron-server, neutron-dhcp-agent, neutron-l3-agent, "
            "neutron-metadata-agent")
INVENTORY = "[control]\nctl-0[1:3].lab\n" + "".join(
    f"[{group}:children]\ncontrol\n" for group in ("loadbalancer", "mariadb", "rabbitmq", "memcached", "keystone",
                                                   "glance-api", "placement-api", "nova-api", "nova-metadata",
                                                   "nova-scheduler", "nova-conductor", "neutron-server",
                                                   "neutron-dhcp-agent", "neutron-l3-agent",
                                                   "neutron-metadata-agent"))


def workbook(path: Path, tabs: dict = TABS) -> Path:
    book = xlsxwriter.Workbook(str(path))
    for name, rows in tabs.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                sheet.write(r, c, value)
    book.close()
    return path


def csv_folder(path: Path) -> Path:
    path.mkdir()
    for name, rows in TABS.items():
        with (path / f"RVTools_tab{name}.csv").open("w", newline="") as handle:
            csv.writer(handle).writerows(rows)
    return path


def imported(tmp_path: Path, source: Path, *extra: str):
    (tmp_path / "inventory").write_text(INVENTORY)
    out = tmp_path / "mgmt-as-built.yaml"
    assert main(["import", "rvtools", str(source), "--cluster", "mgmt", "--inventory", str(tmp_path / "inventory"),
                 "--as-built-of", "mgmt", "-o", str(out), *extra]) == 0
    return out, check_file(out)


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_an_rvtools_export_imports_into_a_design_that_validates_and_analyses(tmp_path, kind):
    source = workbook(tmp_path / "rv.xlsx") if kind == "xlsx" else csv_folder(tmp_path / "export")
    out, checked = imported(tmp_path, source)
    assert checked.ok, checked.problems
    arch = checked.architecture
    assert [(h.name, h.cpus, h.memory_gib, h.state) for h in arch.hosts] == [
        ("esxi-01", 32, 256, "online"), ("esxi-02", 32, 256, "online"), ("esxi-03", 32, 256, "online"),
        ("esxi-04", 32, 256, "standby")]
    assert [(vm.name, vm.host, vm.vcpus, vm.memory_gib, vm.restart_priority) for vm in arch.vms] == [
        (f"ctl-0{i}", f"esxi-0{i}", 8, 32, "high") for i in (1, 2, 3)]  # no template, nothing powered off
    assert set(arch.vms[0].services) == {s.strip() for s in SERVICES.split(",")}
    assert (arch.platform.hypervisor, arch.platform.isolation_response) == ("vsphere", "power-off")
    assert [(s.name, s.kind) for s in arch.storage] == [("ds1", "san")]
    assert arch.source.taken == "2026/12/01 10:00:00" and arch.as_built_of == "mgmt"
    text = out.read_text()
    again = tmp_path / "again" / out.name  # the same input gives the same file
    again.parent.mkdir()
    assert main(["import", "rvtools", str(source), "--cluster", "mgmt", "--inventory", str(tmp_path / "inventory"),
                 "--as-built-of", "mgmt", "-o", str(again)]) == 0
    assert again.read_text() == text
    assert "# stopped, so not under vms: old-db (vInfo old-db)" in text
    assert "services of inventory host ctl-01.lab (by short host name)" in text
    assert arch.platform.anti_affinity == "preferred"
    assert ("anti_affinity: preferred  # DRS anti-affinity rule(s) separate-control; whether HA respects them "
            "during failover is not in the export") in text
    assert "# not modelled: DRS rule ctl-01-on-rack-a (VM-Host Affinity)" in text
    assert "# vCluster: admission control is on (failover level 1)" in text
    impact = Engine(arch, FACTS).evaluate(Scenario(hosts=frozenset({"esxi-01"})))
    assert impact.after_restart.where["ctl-01"] not in (None, "esxi-01", "esxi-04")  # not onto the standby host


def test_an_export_without_rule_columns_says_anti_affinity_is_not_in_it(tmp_path):
    info = [row[:10] for row in TABS["vInfo"]]
    built = rvtools.read(workbook(tmp_path / "rv.xlsx", {**TABS, "vInfo": info}), "rv.xlsx", "mgmt")
    assert built.anti_affinity is None
    assert "anti-affinity (this export has no `Cluster rule name(s)` column)" in built.missing
    lone = [[*row[:10], "", ""] if row[0] == "ctl-03" else row for row in TABS["vInfo"]]
    built = rvtools.read(workbook(tmp_path / "lone.xlsx", {**TABS, "vInfo": lone}), "lone.xlsx", "mgmt")
    assert built.anti_affinity == "preferred" and "VMs in no anti-affinity rule: ctl-03" in built.notes


def test_several_clusters_need_one_named(tmp_path):
    with pytest.raises(SourceError, match=r"2 clusters \(mgmt, prod\): name the management cluster with --cluster"):
        rvtools.read(workbook(tmp_path / "rv.xlsx"), "rv.xlsx")
    with pytest.raises(SourceError, match="no VM in cluster `lab`; the export has mgmt, prod"):
        rvtools.read(tmp_path / "rv.xlsx", "rv.xlsx", "lab")


def test_a_zip_bomb_is_refused_without_being_unpacked(tmp_path, capsys):
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (24 * 1024 * 1024))
    assert main(["import", "rvtools", str(bomb)]) == 2
    err = capsys.readouterr().err
    assert "bomb.xlsx: xl/worksheets/sheet1.xml: would unpack to 25,165,824 bytes from" in err
    assert "refused as a zip bomb" in err and err.count("\n") == 1


def test_a_member_that_unpacks_to_more_than_it_declares_is_refused(tmp_path):
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as archive:
        archive.writestr("xl/workbook.xml", b"x" * 100)
    data = bytearray(raw.getvalue())
    # shrink the declared size in both headers: the member now claims 10 bytes and holds 100
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        data[at + offset:at + offset + 4] = (10).to_bytes(4, "little")
    liar = tmp_path / "liar.xlsx"
    liar.write_bytes(bytes(data))
    with pytest.raises(SourceError, match="unpacks to more than it declares"):
        rvtools.read(liar, "liar.xlsx")


@pytest.mark.parametrize(("tabs", "message"), [
    ({"vHost": TABS["vHost"]}, "vInfo: no vInfo tab"),
    ({**TABS, "vInfo": [["Name", "Host"], ["a", "b"]]}, "vInfo header: no `VM` column"),
    ({**TABS, "vInfo": [TABS["vInfo"][0], ["x", "poweredOn", False, 1, 1024, "nowhere", "mgmt", "", "", ""]]},
     "vInfo row 2: VM `x` is on host `nowhere`, which vHost does not list in the cluster"),
    ({**TABS, "vInfo": [TABS["vInfo"][0], TABS["vInfo"][1], TABS["vInfo"][1]]}, "vInfo row 3: two rows give the name"),
])
def test_a_broken_export_is_one_line_naming_the_tab_row_or_column(tmp_path, capsys, tabs, message):
    path = workbook(tmp_path / "rv.xlsx", tabs)
    out = tmp_path / "out.yaml"
    assert main(["import", "rvtools", str(path), "--cluster", "mgmt", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"rv.xlsx: {message}" in err and err.count("\n") == 1 and not out.exists()
