from conftest import CLEAN, check, edit, findings, where

TWO = CLEAN.replace("  - {name: kvm-03, cpus: 32, memory_gib: 128}\n", "").replace(
    "  - {name: ctl-03, host: kvm-03,", "  - {name: ctl-03, host: kvm-02,")


def settings(*lines: str) -> str:
    return edit("  fencing: ipmi\n", "  fencing: ipmi\n" + "".join(f"  {line}\n" for line in lines), TWO)


def test_two_node_without_wait_for_all_warns():
    text = settings("wait_for_all: false")  # two_node as pcs sets it for two hosts
    [problem] = findings(text, "RED023")
    assert problem.severity == "warning" and where([problem]) == [(8, 17)]
    assert "a node that boots alone is quorate at once" in problem.message


def test_wait_for_all_or_a_quorum_device_passes():
    assert findings(settings("two_node: true"), "RED023") == []
    assert findings(settings("wait_for_all: false", "two_node: false"), "RED023") == []
    assert findings(settings("wait_for_all: false", "witness: qdevice"), "RED023") == []


def test_two_node_needs_two_hosts_and_no_quorum_device():
    three = edit("  fencing: ipmi\n", "  fencing: ipmi\n  two_node: true\n", CLEAN)
    [problem] = [p for p in check(three, "clean").problems if p.rule == "REF006"]
    assert "needs exactly two hosts and no quorum device; this cluster has 3 hosts" in problem.message
    qdevice = settings("two_node: true", "witness: qdevice")
    assert [p.rule for p in check(qdevice, "clean").problems] == ["REF006"]
