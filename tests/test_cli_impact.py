"""`refarch impact`: the JSON contract, the text report, tolerance, and its errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator import catalog
from generator.cli import main

KVM = "architectures/kvm-three-hosts.yaml"
SIX = "architectures/basic-six-vms.yaml"
# basic-six-vms runs no Octavia, Designate, Barbican, Swift, cinder-backup, Manila or Ironic: it does not
# offer their operations, and reports none of them.
NOT_OFFERED = {"create-load-balancer", "existing-load-balancer-traffic", "create-dns-zone", "resolve-existing-records",
               "store-secret", "upload-object", "backup-volume", "create-share", "manage-share", "deploy-bare-metal"}
OPERATIONS = set(catalog.load().operations) - NOT_OFFERED


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
    assert set(data) == {"architecture", "failed", "phase", "summary", "vms", "services", "operations"}
    assert data["summary"] == "esxi-02 failed. 3 of 6 VMs are down."
    assert data["vms"]["db-01"] == {"host": None, "down_reason": "db-01 was on esxi-02, which failed"}
    assert data["vms"]["db-02"] == {"host": "esxi-03", "down_reason": None}
    assert (data["architecture"], data["failed"], data["phase"]) == ("basic-six-vms", ["esxi-02"], "immediate")
    assert set(data["operations"]) == OPERATIONS
    boot = data["operations"]["boot-instance"]
    lost = "lost quorum: 1 of 2 votes up (db-01 was on esxi-02, which failed)"
    explanation = boot.pop("explanation")
    assert boot == {
        "state": "down", "recovery_seconds": 300, "margin": None, "repair": ["esxi-02"],
        "reason": f"needs rabbitmq and galera (through nova-api), which each {lost}",
        "why": "needs rabbitmq and galera (lost quorum): esxi-02 failed",
        "root_causes": [{"service": "rabbitmq", "state": "down", "cause": lost, "via": [], "uses": False},
                        {"service": "galera", "state": "down", "cause": lost, "via": ["nova-api"], "uses": False}]}
    # The tree: the operation, the services it needs that are down, their VMs down, the failed parts.
    assert (explanation["kind"], explanation["name"], explanation["text"]) == (
        "operation", "boot-instance", "boot-instance stops")
    kinds = {child["kind"] for child in explanation["children"]}
    assert kinds == {"service"}
    nova = next(c for c in explanation["children"] if c["name"] == "nova-api")
    assert nova["text"] == "nova-api needs keystone and galera"
    galera = next(c for c in nova["children"] if c["name"] == "galera")
    assert galera["text"] == "galera lost quorum: 1 of 2 votes up"
    assert galera["children"] == [{"kind": "vm", "name": "db-01", "text": "db-01 is down", "children": [
        {"kind": "host", "name": "esxi-02", "text": "esxi-02 failed", "children": []}]}]
    assert data["services"]["galera"]["reason"].startswith("galera lost quorum: 1 of 2 votes up")
    # The data plane keeps working: no failure of the two hosts still up can stop it.
    assert data["operations"]["running-instances"] == {"state": "ok", "reason": None, "why": "",
                                                       "recovery_seconds": 0, "margin": 2, "root_causes": [],
                                                       "explanation": None}


def test_both_phases_json(capsys):
    _, out, _ = run(capsys, "impact", SIX, "--fail", "esxi-02", "--format", "json")
    data = json.loads(out)
    assert set(data["phases"]) == {"immediate", "after-restart"}
    assert data["phases"]["after-restart"]["operations"]["boot-instance"]["state"] == "ok"
    assert data["phases"]["after-restart"]["summary"] == "esxi-02 failed. Every VM runs."


def walk(node):
    yield node
    for child in node["children"]:
        yield from walk(child)


def test_every_node_of_an_explanation_has_its_fields_and_why_stays_short(capsys):
    _, out, _ = run(capsys, "impact", KVM, "--fail", "kvm-01", "--fail", "kvm-02", "--format", "json")
    data = json.loads(out)
    kinds = set()
    for phase in data["phases"].values():
        for op in phase["operations"].values():
            assert len(op["why"]) <= 200
            if op["state"] == "ok":
                assert op["why"] == "" and op["explanation"] is None
                continue
            assert op["why"]
            for node in walk(op["explanation"]):
                assert set(node) - {"link"} == {"kind", "name", "text", "children"}
                kinds.add(node["kind"])
    # Down to the failed parts, through the platform's effects: two hosts took the cluster's quorum, and
    # Ceph lost two of its three hosts; after the restarts galera stays down after losing every member.
    assert {"operation", "service", "vm", "host", "quorum-lost", "storage-down", "latched", "no-restart"} <= kinds


def test_two_hosts_of_three_say_the_root_cause_once_and_each_why_in_short(capsys):
    status, out, _ = run(capsys, "impact", KVM, "--fail", "kvm-01", "--fail", "kvm-02")
    assert status == 0
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 300
    text = " ".join(line.strip() for line in lines)
    # Said once, per phase, before the operations.
    assert text.count("The cluster lost quorum (1 of 3 votes up)") == 2
    assert "storage ceph-mgmt lost 2 of its 3 hosts (kvm-01 and kvm-02) and tolerates 1" in text
    assert "service galera stays down after losing every member at once" in text
    why = out[out.index("Why, right after the failure:"):]
    entries = [line for line in why.splitlines() if line.startswith("  ") and not line.startswith("     ")]
    assert entries[0].startswith("  authenticate: down, needs keystone, haproxy and keepalived (no instance running), "
                                 "galera (lost quorum): kvm-01 and kvm-02 failed; the cluster lost quorum")
    # The old wall of text (every VM and why, for every operation) is in --explain only.
    assert "ctl-03 on kvm-03 is down" not in out
    status, explained, _ = run(capsys, "impact", KVM, "--fail", "kvm-01", "--fail", "kvm-02", "--explain")
    assert status == 0 and "the cluster lost quorum: 1 of 3 votes up" in explained
    assert "- ctl-03 is down" in explained


def test_explain_goes_with_the_text_report_only(capsys):
    status, _, err = run(capsys, "impact", KVM, "--fail", "kvm-01", "--explain", "--format", "json")
    assert status == 2 and "--explain goes with the text report" in err


def test_text_report_gives_both_phases_and_every_reason(capsys):
    status, out, _ = run(capsys, "impact", KVM, "--fail", "kvm-01")
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "kvm-three-hosts: kvm-01 fails"
    assert lines[2] == "Right after the failure: kvm-01 failed. 3 of 10 VMs are down."
    assert any(line.split()[:3] == ["boot-instance", "degraded", "ok"] for line in lines)
    # Degraded for what it loses in function (a cache shard stalls its clients, galera's writer moves),
    # not for the members it can spare; after the restarts those failovers are over.
    text = " ".join(line.strip() for line in lines)
    assert ("boot-instance: degraded, needs ovn-northd (fails over to ctl-02, 10 s), galera (writes move to db-02, "
            "10 s), keepalived (VIP moves to lb-02, 4 s), uses memcached (lost 1 of 3 shards): kvm-01 failed") in text
    after = out[out.index("Why, after the platform restarts VMs:"):] if "Why, after" in out else ""
    assert "boot-instance" not in after
    assert ("  boot-instance: immediate: works, degraded; one more failure can stop it (kvm-02 or kvm-03 or "
            "ceph-mgmt); after-restart: works; one more failure can stop it (kvm-02 or kvm-03 or "
            "ceph-mgmt)") in lines


def test_several_failures_and_a_failure_domain(capsys):
    _, out, _ = run(capsys, "impact", KVM, "--fail", "rack-a", "--fail", "db-02", "--format", "json", "--phase",
                    "immediate")
    data = json.loads(out)
    assert data["failed"] == ["rack-a", "db-02"]
    assert data["operations"]["authenticate"]["state"] == "down"


def test_unknown_name_exits_two_with_a_suggestion(capsys):
    status, out, err = run(capsys, "impact", KVM, "--fail", "kvm-1")
    assert status == 2 and out == ""
    assert err == "refarch: `kvm-1` is no host, VM, failure domain, platform part, deployed service or Nova cell of " \
                  "kvm-three-hosts; did you mean `kvm-01`?\n"


def test_a_catalog_service_that_is_not_deployed_is_named_as_such(capsys):
    status, _, err = run(capsys, "impact", KVM, "--fail", "neutron-l3-agent")
    assert status == 2
    assert "a catalog service this architecture does not deploy" in err


def test_tolerance_json_contract(capsys):
    status, out, _ = run(capsys, "impact", SIX, "--tolerance", "--format", "json")
    assert status == 0
    data = json.loads(out)
    assert (data["architecture"], data["max_order"], data["exhaustive"], data["tolerates"]) == (
        "basic-six-vms", None, True, 0)
    assert set(data["operations"]) == OPERATIONS
    authenticate = data["operations"]["authenticate"]
    assert {k: authenticate[k] for k in ("tolerates", "minimal_cut_sets", "cut_sets_total", "truncated")} == {
        "tolerates": 0, "minimal_cut_sets": [["esxi-02"], ["esxi-03"]], "cut_sets_total": 2, "truncated": False}
    # Two single-host cut sets of the default host unavailability q, and the other causes on top.
    q = 6 / (175_200 + 6)
    unavailability = authenticate["unavailability"]
    assert unavailability["probability"] > 1 - (1 - q) ** 2
    assert unavailability["minutes_per_year"] == pytest.approx(unavailability["probability"] * 525_960, abs=1e-3)
    assert sum(unavailability["by_cause"].values()) == pytest.approx(unavailability["probability"], rel=0.02)
    assert unavailability["by_cause"]["hardware"] >= 2 * q * 0.99
    assert data["operations"]["running-instances"]["tolerates"] == 3
    assert data["operations"]["running-instances"]["minimal_cut_sets"] == []
    assert data["operations"]["running-instances"]["unavailability"]["probability"] == 0


def test_with_hardware_alone_the_probability_is_exactly_that_of_the_hosts(capsys, tmp_path):
    design = tmp_path / "basic-six-vms.yaml"
    design.write_text(Path(SIX).read_text() + "reliability: {guest_unavailability: 0, process_unavailability: 0, "
                                                "common_cause_beta: 0, maintenance_per_year: 0}\n")
    status, out, _ = run(capsys, "impact", str(design), "--tolerance", "--format", "json")
    assert status == 0
    authenticate = json.loads(out)["operations"]["authenticate"]["unavailability"]
    q = 6 / (175_200 + 6)
    assert authenticate["probability"] == pytest.approx(1 - (1 - q) ** 2, rel=1e-12)
    assert authenticate["by_cause"]["hardware"] == pytest.approx(2 * q, rel=1e-12)  # the rare-event sum
    assert authenticate["by_cause"]["software"] == authenticate["by_cause"]["maintenance"] == 0


def test_tolerance_text_and_max_order(capsys):
    status, out, _ = run(capsys, "impact", KVM, "--tolerance", "--max-order", "1")
    assert status == 0
    assert out.splitlines()[0] == ("kvm-three-hosts tolerates 1 simultaneous host failure "
                                   "(exact: every set of hosts is accounted for)")
    assert "{kvm-01, kvm-02}" not in out  # sets of two hosts are counted, but not listed with --max-order 1
    assert "(4 in all)" in out  # the three pairs of hosts, and ceph-mgmt alone


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
