from conftest import CLEAN, edit, findings, where

FOURTH = "  - {name: kvm-04, cpus: 32, memory_gib: 128}\nvms:\n"


def hyperv(text: str = CLEAN) -> str:
    return edit("hypervisor: kvm\n  ha: pacemaker\n  fencing: ipmi", "hypervisor: hyperv\n  ha: failover-cluster", text)


def test_hyperv_four_hosts_without_witness():
    [problem] = findings(hyperv(edit("vms:\n", FOURTH, CLEAN)), "RED009")
    assert where([problem]) == [(6, 7)]
    assert "failover-cluster cluster has 4 hosts and no witness" in problem.message
    assert problem.hint == "set platform.witness to one of: disk, file-share, cloud"


def test_two_host_pacemaker_without_qdevice():
    text = edit("  - {name: kvm-03, cpus: 32, memory_gib: 128}\n", "", CLEAN).replace("host: kvm-03", "host: kvm-01")
    [problem] = findings(text, "RED009")
    assert problem.hint == "set platform.witness to one of: qdevice"


def test_a_witness_or_an_odd_count_passes():
    assert findings(hyperv(), "RED009") == []
    four = hyperv(edit("vms:\n", FOURTH, CLEAN))
    with_witness = edit("ha: failover-cluster", "ha: failover-cluster\n  witness: cloud", four)
    assert findings(with_witness, "RED009") == []
