"""The Open-PSA export, checked by the real SCRAM: its minimal cut sets and probabilities must be refarch's."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bench_designs import large_region
from conftest import check

from generator import catalog, exports
from generator.analysis import availability, reliability
from generator.analysis.engine import Engine
from generator.analysis.tolerance import tolerance
from generator.exports import open_psa
from generator.rules.validate import check_file

ROOT = Path(__file__).resolve().parent.parent
FACTS = catalog.load()
SCRAM = shutil.which("scram")
SHIPPED = sorted(path.name for path in (ROOT / "architectures").glob("*.yaml"))

pytestmark = pytest.mark.skipif(SCRAM is None, reason="SCRAM is not installed (`make test` installs it: apt-get "
                                                      "install scram)")


def run_scram(text: str, tmp_path: Path, *options: str) -> ET.Element:
    """SCRAM's report on an Open-PSA model (output bounded: a runaway product list stops at 50 MB)."""
    model = tmp_path / "model.xml"
    model.write_text(text)
    report = tmp_path / "report.xml"
    subprocess.run(["sh", "-c", 'ulimit -f 100000 && exec "$@"', "scram", SCRAM, str(model), "--probability", "true",
                    *options, "-o", str(report)], check=True, capture_output=True, timeout=300)
    return ET.parse(report).getroot()


def sums(report: ET.Element) -> dict[str, tuple[float, list[frozenset[str]]]]:
    return {top.get("name"): (float(top.get("probability")),
                              [frozenset(event.get("name") for event in product.iter("basic-event"))
                               for product in top.iter("product")])
            for top in report.iter("sum-of-products")}


def agree(arch, tmp_path: Path, every_class: bool = True) -> None:
    engine = Engine(arch, FACTS)
    model = engine.model
    tree = reliability.build(model, arch, FACTS)
    # Parts alone: SCRAM's minimal cut sets are the model's, its probability refarch's over parts.
    parts = dataclasses.replace(tree, events=tuple(e for e in tree.events if e.name in model.parts))
    theirs = sums(run_scram(open_psa.document(arch, parts), tmp_path, "--limit-order", str(len(arch.hosts))))
    cuts = {oid: model.cut_sets(gate) for oid, gate in model.operations.items()}
    stoppable = {oid for oid, found in cuts.items() if found and found != [frozenset()]}
    assert set(theirs) == {open_psa.top_gate(oid) for oid in stoppable}
    over_parts = availability.unavailability(parts)
    for oid in stoppable:
        probability, products = theirs[open_psa.top_gate(oid)]
        assert sorted(map(sorted, products)) == sorted(map(sorted, cuts[oid])), oid
        assert probability == pytest.approx(over_parts[oid], rel=1e-5), oid
    if not every_class:
        return
    # Every event class: SCRAM's exact probability and importance measures are refarch's.
    found = tolerance(engine)
    report = run_scram(exports.export(arch, FACTS, "open-psa"), tmp_path, "--limit-order", "4",
                       "--importance", "true")
    theirs = sums(report)
    assert set(theirs) == {open_psa.top_gate(oid) for oid, op in found.operations.items() if op.unavailability}
    for oid, op in found.operations.items():
        if op.unavailability:
            assert theirs[open_psa.top_gate(oid)][0] == pytest.approx(op.unavailability, rel=1e-5), oid
    names = {"MIF": "birnbaum", "CIF": "criticality", "DIF": "diagnosis", "RAW": "raw", "RRW": "rrw"}
    tables = report.find("results").findall("importance")
    assert {table.get("name") for table in tables} == set(theirs)
    for table in tables:
        oid = next(oid for oid in found.operations if open_psa.top_gate(oid) == table.get("name"))
        ours = found.operations[oid].importance
        listed = table.findall("basic-event")
        assert listed and {event.get("name") for event in listed} <= set(ours), oid
        for event in listed:
            for theirs_name, ours_name in names.items():
                assert float(event.get(theirs_name)) == pytest.approx(
                    getattr(ours[event.get("name")], ours_name), rel=1e-4, abs=1e-12), (oid, event.get("name"))


@pytest.mark.parametrize("name", SHIPPED)
def test_scram_agrees_on_every_shipped_architecture(name, tmp_path):
    agree(check_file(ROOT / "architectures" / name).architecture, tmp_path)


def test_scram_agrees_on_the_48_host_region(tmp_path):
    result = check(large_region(48), "large-region-48", design_rules=True)
    assert result.architecture is not None, result.problems
    agree(result.architecture, tmp_path, every_class=False)


def test_votes_on_one_host_count_together(tmp_path):
    """Two galera members on one host: a weighted vote, which MEF's atleast cannot say directly."""
    text = (ROOT / "architectures" / "kvm-three-hosts.yaml").read_text().replace(
        "{name: db-03, host: kvm-03", "{name: db-03, host: kvm-01")
    arch = check(text, "kvm-three-hosts", design_rules=True).architecture
    agree(arch, tmp_path)
    engine = Engine(arch, FACTS)
    assert sorted(engine.model.cut_sets("service-down:galera")[0]) == ["kvm-01"]


def test_the_export_is_well_formed_and_names_each_top_gate_by_its_operation():
    arch = check_file(ROOT / "architectures" / "vsphere-four-hosts.yaml").architecture
    root = ET.fromstring(exports.export(arch, FACTS, "open-psa"))
    tree = root.find("define-fault-tree")
    referenced = {gate.get("name") for gate in tree.iter("gate")}
    tops = [gate.get("name") for gate in tree.findall("define-gate") if gate.get("name") not in referenced]
    assert set(tops) <= set(FACTS.operations) and "boot-instance" in tops
    events = {event.get("name"): (event.find("label").text.split(":")[0], float(event.find("float").get("value")))
              for event in root.find("model-data").findall("define-basic-event")}
    # The hosts and the platform's parts that can stop VMs (the datastore; vCenter cannot) are hardware...
    assert {name for name, (cause, _) in events.items() if cause == "hardware"} == (
        {host.name for host in arch.hosts} | {s.name for s in arch.storage})
    # ... every VM's guest, every member's process, each shared service's common cause and each host's
    # maintenance are events of their own classes, named as the JSON's importance names them.
    assert {"vm__db-01", "process__galera__db-01", "ccf__galera", "maintenance__esxi-01"} <= set(events)
    assert events["ccf__galera"][0] == "common_cause" and events["maintenance__esxi-01"][0] == "maintenance"
    assert all(0 < q < 1e-2 for _, q in events.values())
    assert "ccf__horizon" not in events or FACTS.services["horizon"].ha_model in ("quorum", "active-active")
