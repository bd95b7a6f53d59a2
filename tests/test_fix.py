"""`refarch fix`: the fewest changes that meet the targets, each proposal a design that validates and
meets them when recomputed from scratch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator import catalog
from generator.analysis import fix
from generator.analysis.engine import Engine, Scenario
from generator.analysis.tolerance import tolerance
from generator.cli import main
from generator.model import edit
from generator.rules.validate import check_bytes, check_file

ROOT = Path(__file__).resolve().parent.parent
FACTS = catalog.load()
KVM = (ROOT / "architectures" / "kvm-three-hosts.yaml").read_text()
# Two of the three galera members on one host: one host failure takes the quorum.
SHARED = KVM.replace("{name: db-03, host: kvm-03", "{name: db-03, host: kvm-01").replace(
    "id: kvm-three-hosts", "id: galera-shared")


@pytest.fixture
def shared(tmp_path) -> Path:
    path = tmp_path / "galera-shared.yaml"
    path.write_text(SHARED)
    return path


def test_two_galera_members_on_one_host_take_one_move_and_the_written_file_tolerates_a_host(shared, tmp_path,
                                                                                           capsys):
    out = tmp_path / "fixed" / "galera-shared.yaml"
    out.parent.mkdir()
    assert main(["fix", str(shared), "--target", "hosts=1", "--format", "json", "--write", str(out)]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["met"] and [c["kind"] for c in found["changes"]] == ["move"]
    [change] = found["changes"]
    assert change["what"].split()[1] in ("db-01", "db-03") and (found["before"]["tolerates"],
                                                                  found["after"]["tolerates"]) == (0, 1)
    written = check_file(out)
    assert written.ok, written.problems
    assert tolerance(Engine(written.architecture, FACTS)).tolerates == 1  # recomputed from the file alone
    # only the moved VM's line changed; comments and layout stay
    before, after = SHARED.splitlines(), out.read_text().splitlines()
    assert len(before) == len(after) and sum(a != b for a, b in zip(before, after, strict=True)) == 1


def survives_any_host(arch) -> bool:
    """Every control-plane operation that works works on right after any one host fails (scenarios, not
    cut sets: an independent check of `hosts=1`)."""
    engine = Engine(arch, FACTS)
    working = {oid for oid, op in engine.evaluate(Scenario()).immediate.operations.items() if op.state != "down"}
    return all(engine.evaluate(Scenario(hosts=frozenset({host.name}))).immediate.operations[oid].state != "down"
               for host in arch.hosts for oid in FACTS.control_operations if oid in working)


def test_no_single_change_before_the_proposed_one_meets_the_target_by_brute_force(shared):
    raw = shared.read_bytes()
    checked = check_bytes(raw, shared.name, shared.stem)
    targets = [fix.parse_target("hosts=1", FACTS)]
    outcome = fix.search(raw, shared.name, shared.stem, FACTS, targets)
    assert not fix.meets(fix.measure(checked.architecture, FACTS, targets), targets)  # zero changes do not
    [proposed] = outcome.changes
    singles = fix.candidates(checked.architecture)
    for change in singles[:singles.index(proposed) + 1]:  # each single change up to it, checked independently
        text = edit.apply(SHARED, checked.source, [(change.path, change.value)])
        result = check_bytes(text.encode(), shared.name, shared.stem)
        meets = result.architecture is not None and survives_any_host(result.architecture)
        assert meets == (change == proposed), change.what


def test_a_design_that_meets_its_targets_needs_nothing_and_an_unreachable_target_says_so(tmp_path, capsys):
    design = tmp_path / "kvm-three-hosts.yaml"
    design.write_text(KVM)
    assert main(["fix", str(design), "--target", "hosts=1", "--write", str(tmp_path / "out.yaml")]) == 0
    assert "already meets hosts=1: nothing to change" in capsys.readouterr().out
    assert not (tmp_path / "out.yaml").exists()
    assert main(["fix", str(design), "--target", "hosts=2", "--budget", "40"]) == 1
    out = capsys.readouterr().out
    assert "No set of up to two changes within 40 candidate designs meets hosts=2" in out
    assert "Closest:" not in out  # nothing came closer than the design itself
    shared = tmp_path / "galera-shared.yaml"
    shared.write_text(SHARED)
    assert main(["fix", str(shared), "--target", "hosts=2", "--budget", "40"]) == 1
    assert "Closest: move db-01 from kvm-01 to kvm-03, which tolerates 1 host failure(s)." in capsys.readouterr().out
    assert main(["fix", str(design), "--target", "boot-instance=9", "--target", "hosts=1", "--budget", "5"]) == 1
    assert "boot-instance: 3.97 nines -> 3.97" in capsys.readouterr().out


@pytest.mark.parametrize("target", ["hosts=-1", "hosts", "no-such-operation=3", "boot-instance=high"])
def test_a_target_it_cannot_read_is_one_line_and_exit_2(tmp_path, capsys, target):
    design = tmp_path / "kvm-three-hosts.yaml"
    design.write_text(KVM)
    assert main(["fix", str(design), "--target", target]) == 2
    err = capsys.readouterr().err
    assert "write hosts=N, domains or <operation>=<nines>" in err and err.count("\n") == 1


def test_anti_affinity_is_added_as_a_line_of_its_own_when_the_file_has_none():
    text = KVM.replace("  anti_affinity: mandatory\n", "")
    checked = check_bytes(text.encode(), "kvm-three-hosts.yaml", "kvm-three-hosts")
    assert checked.architecture.platform.anti_affinity != "mandatory"
    changed = edit.apply(text, checked.source, [(("platform", "anti_affinity"), "mandatory")])
    again = check_bytes(changed.encode(), "kvm-three-hosts.yaml", "kvm-three-hosts")
    assert again.architecture.platform.anti_affinity == "mandatory"
    assert len(changed.splitlines()) == len(text.splitlines()) + 1


def test_a_failure_domain_holding_two_galera_members_takes_one_move_to_another_domain(tmp_path, capsys):
    # kvm-three-hosts puts each host in a rack of its own: two members on kvm-01 share rack-a
    path = tmp_path / "galera-shared.yaml"
    path.write_text(SHARED)
    assert main(["fix", str(path), "--target", "domains", "--format", "json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["before"]["domains_lost"] and found["after"]["domains_lost"] == []
    assert len(found["changes"]) == 1 and found["changes"][0]["kind"] == "move"
