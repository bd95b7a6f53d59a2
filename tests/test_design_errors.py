"""Faulty designs end with exit 1 and a message that names the service, host or setting at fault,
and the shipped architectures validate as they should."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CLEAN, edit

ROOT = Path(__file__).resolve().parent.parent

ONE_HOST = CLEAN.replace("host: kvm-02", "host: kvm-01").replace("host: kvm-03", "host: kvm-01")
TWO_HOSTS = edit("  - {name: kvm-03, cpus: 32, memory_gib: 128}\n", "", CLEAN).replace("host: kvm-03", "host: kvm-02")
HYPERV_TWO_HOSTS = edit("hypervisor: kvm\n  ha: pacemaker\n  fencing: ipmi",
                        "hypervisor: hyperv\n  ha: failover-cluster", TWO_HOSTS)
CASES = {
    "galera on two VMs, no arbitrator": (CLEAN.replace(" galera,", "", 1), "RED002", "`galera` has 2 members"),
    "all galera VMs on one host": (ONE_HOST, "RED004", "`galera` runs on ctl-01 and ctl-02, both on host kvm-01"),
    "a single haproxy": (CLEAN.replace("[haproxy, ", "[", 2), "RED002", "`haproxy` runs on 1 VM"),
    "hypervisor openstack": (edit("hypervisor: kvm", "hypervisor: openstack", CLEAN), "RED008",
                             "`openstack` cannot host its own control plane"),
    "no memory to restart a host's VMs": (CLEAN.replace("memory_gib: 128", "memory_gib: 40"), "RED007",
                                          "if host kvm-01 fails"),
    "two-host Hyper-V cluster without witness": (HYPERV_TWO_HOSTS, "RED009",
                                                 "the failover-cluster cluster has 2 hosts and no witness"),
    "Pacemaker without fencing": (edit("  fencing: ipmi\n", "", CLEAN), "RED010", "Pacemaker cluster has no fencing"),
}


def validate(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", "validate", *args], capture_output=True, text=True,
                          cwd=ROOT)


@pytest.mark.parametrize("case", CASES)
def test_faulty_design_exits_one_naming_the_fault(case, tmp_path):
    text, rule, words = CASES[case]
    path = tmp_path / "clean.yaml"
    path.write_text(text)
    result = validate(str(path), "--format", "json")
    assert result.returncode == 1, result.stdout
    problems = json.loads(result.stdout)["problems"]
    assert any(p["rule"] == rule and words in p["message"] and p["line"] > 0 for p in problems), problems


def test_shipped_architectures_validate_and_the_counterexample_shows_why():
    result = validate("architectures", "--format", "json")
    assert result.returncode == 0, result.stdout
    problems = json.loads(result.stdout)["problems"]
    assert {p["path"] for p in problems} == {"architectures/basic-six-vms.yaml"}
    assert all(p["expected"] for p in problems)
    assert sorted((p["rule"], p["message"][:40]) for p in problems) == [
        ("RED002", "`galera` has 2 members, 2 votes in all: "),
        ("RED002", "`rabbitmq` has 2 members, 2 votes in all"),
        ("RED006", "if host esxi-02 fails, authenticate (and"),
        ("RED006", "if host esxi-03 fails, authenticate (and"),
    ]
    # The single host failure takes galera below quorum.
    assert "galera (lost quorum): esxi-02 failed" in next(p for p in problems if p["rule"] == "RED006")["message"]


def test_one_shipped_architecture_per_hypervisor_and_a_counterexample():
    from generator.rules.validate import check_paths
    results = check_paths([ROOT / "architectures"])
    kinds = {(r.architecture.platform.hypervisor, r.architecture.status) for r in results}
    assert {("vsphere", "reference"), ("hyperv", "reference"), ("kvm", "reference")} <= kinds
    assert any(status == "counterexample" for _, status in kinds)
    for result in results:
        assert result.architecture.decisions, result.path
