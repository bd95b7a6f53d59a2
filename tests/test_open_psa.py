"""The Open-PSA export, checked by the real SCRAM: its minimal cut sets and probabilities must be refarch's."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bench_designs import large_region
from conftest import check

from generator import catalog, exports
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


def scram(arch, tmp_path: Path) -> dict[str, tuple[float, list[frozenset[str]]]]:
    """SCRAM's probability and minimal cut sets for every top gate of the architecture's export."""
    model = tmp_path / f"{arch.id}.xml"
    model.write_text(exports.export(arch, FACTS, "open-psa"))
    report = tmp_path / "report.xml"
    subprocess.run([SCRAM, str(model), "--probability", "true", "--limit-order", str(len(arch.hosts)),
                    "-o", str(report)], check=True, capture_output=True, timeout=300)
    results = {}
    for top in ET.parse(report).getroot().iter("sum-of-products"):
        products = [frozenset(event.get("name") for event in product.iter("basic-event"))
                    for product in top.iter("product")]
        results[top.get("name")] = (float(top.get("probability")), products)
    return results


def agree(arch, tmp_path: Path) -> None:
    engine = Engine(arch, FACTS)
    found = tolerance(engine)
    theirs = scram(arch, tmp_path)
    stoppable = {oid for oid, op in found.operations.items() if op.tolerates is not None and op.cut_sets_total}
    assert set(theirs) == {open_psa.top_gate(oid) for oid in stoppable}
    for oid in stoppable:
        probability, products = theirs[open_psa.top_gate(oid)]
        ours = engine.model.cut_sets(engine.model.operations[oid])
        assert sorted(map(sorted, products)) == sorted(map(sorted, ours)), oid
        assert probability == pytest.approx(found.operations[oid].unavailability, rel=0.01), oid


@pytest.mark.parametrize("name", SHIPPED)
def test_scram_agrees_on_every_shipped_architecture(name, tmp_path):
    agree(check_file(ROOT / "architectures" / name).architecture, tmp_path)


def test_scram_agrees_on_the_48_host_region(tmp_path):
    result = check(large_region(48), "large-region-48", design_rules=True)
    assert result.architecture is not None, result.problems
    agree(result.architecture, tmp_path)


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
    events = {event.get("name"): float(event.find("float").get("value"))
              for event in root.find("model-data").findall("define-basic-event")}
    # The hosts, and the platform's parts that can stop VMs (the datastore; vCenter cannot).
    assert set(events) == {host.name for host in arch.hosts} | {s.name for s in arch.storage}
    assert all(0 < q < 1e-3 for q in events.values())
