"""`refarch impact`: the JSON contract, the text report, tolerance, and its errors."""

from __future__ import annotations

import json

import pytest

from generator import catalog
from generator.cli import main

KVM = "architectures/kvm-three-hosts.yaml"
SIX = "architectures/basic-six-vms.yaml"
OPERATIONS = set(catalog.load().operations)


def run(capsys, *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture(autouse=True)
def at_the_root(monkeypatch, request):
    monkeypatch.chdir(request.config.rootpath)


def test_one_phase_json_contract(capsys):
    status, out, _ = run(capsys, "impact", SIX, "--fail", "esxi-02", "--phase", "immediate", "--format", "json")
    assert status == 0
    data = json.loads(out)
    assert set(data) == {"architecture", "failed", "phase", "services", "operations"}
    assert (data["architecture"], data["failed"], data["phase"]) == ("basic-six-vms", ["esxi-02"], "immediate")
    assert set(data["operations"]) == OPERATIONS
    boot = data["operations"]["boot-instance"]
    assert boot == {"state": "down", "recovery_seconds": 240,
                    "reason": "needs rabbitmq, which lost quorum: 1 of 2 votes up (db-01 was on esxi-02, which failed)"}
    assert data["services"]["galera"]["reason"].startswith("galera lost quorum: 1 of 2 votes up")
    assert data["operations"]["running-instances"] == {"state": "ok", "reason": None, "recovery_seconds": 0}


def test_both_phases_json(capsys):
    _, out, _ = run(capsys, "impact", SIX, "--fail", "esxi-02", "--format", "json")
    data = json.loads(out)
    assert set(data["phases"]) == {"immediate", "after-restart"}
    assert data["phases"]["after-restart"]["operations"]["boot-instance"]["state"] == "ok"


def test_text_report_gives_both_phases_and_every_reason(capsys):
    status, out, _ = run(capsys, "impact", KVM, "--fail", "kvm-01")
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "kvm-three-hosts: kvm-01 fails"
    assert any(line.split()[:3] == ["boot-instance", "degraded", "degraded"] for line in lines)
    assert "  boot-instance (after-restart): degraded, because it needs nova-api, which runs 2 of 3 instances" in out
    assert "cannot restart" in out


def test_several_failures_and_a_failure_domain(capsys):
    _, out, _ = run(capsys, "impact", KVM, "--fail", "rack-a", "--fail", "db-02", "--format", "json", "--phase",
                    "immediate")
    data = json.loads(out)
    assert data["failed"] == ["rack-a", "db-02"]
    assert data["operations"]["authenticate"]["state"] == "down"


def test_unknown_name_exits_two_with_a_suggestion(capsys):
    status, out, err = run(capsys, "impact", KVM, "--fail", "kvm-1")
    assert status == 2 and out == ""
    assert err == "refarch: `kvm-1` is no host, VM, failure domain or deployed service of kvm-three-hosts; " \
                  "did you mean `kvm-01`?\n"


def test_a_catalog_service_that_is_not_deployed_is_named_as_such(capsys):
    status, _, err = run(capsys, "impact", KVM, "--fail", "neutron-l3-agent")
    assert status == 2
    assert "a catalog service this architecture does not deploy" in err


def test_tolerance_json_contract(capsys):
    status, out, _ = run(capsys, "impact", SIX, "--tolerance", "--format", "json")
    assert status == 0
    data = json.loads(out)
    assert (data["architecture"], data["max_order"], data["tolerates"]) == ("basic-six-vms", 3, 0)
    assert set(data["operations"]) == OPERATIONS
    assert data["operations"]["authenticate"] == {"tolerates": 0, "minimal_cut_sets": [["esxi-02"], ["esxi-03"]]}
    assert data["operations"]["running-instances"] == {"tolerates": 3, "minimal_cut_sets": []}


def test_tolerance_text_and_max_order(capsys):
    status, out, _ = run(capsys, "impact", KVM, "--tolerance", "--max-order", "1")
    assert status == 0
    assert out.splitlines()[0] == ("kvm-three-hosts tolerates 1 simultaneous host failure "
                                   "(at least: sets of up to 1 hosts examined)")


@pytest.mark.parametrize("args", [
    ["--tolerance", "--fail", "kvm-01"],
    ["--max-order", "2"],
])
def test_option_misuse_exits_two(capsys, args):
    status, _, err = run(capsys, "impact", KVM, *args)
    assert status == 2 and err.startswith("refarch: ")


def test_an_invalid_file_is_not_analysed(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\n\tbroken\n")
    status, out, _ = run(capsys, "impact", str(bad), "--fail", "x")
    assert status == 1
    assert "[YAML001]" in out
