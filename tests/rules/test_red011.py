from conftest import CLEAN, edit, findings, where


def platform(hypervisor: str, ha: str, anti_affinity: str) -> str:
    return edit("hypervisor: kvm\n  ha: pacemaker\n  fencing: ipmi",
                f"hypervisor: {hypervisor}\n  ha: {ha}\n  anti_affinity: {anti_affinity}", CLEAN)


def test_hyperv_cannot_enforce_mandatory():
    [problem] = findings(platform("hyperv", "failover-cluster", "mandatory"), "RED011")
    assert where([problem]) == [(7, 18)]
    assert problem.severity == "warning"
    assert "AntiAffinityClassNames" in problem.message


def test_platforms_that_enforce_it_and_preferred_pass():
    assert findings(platform("vsphere", "vsphere-ha", "mandatory"), "RED011") == []
    assert findings(platform("hyperv", "failover-cluster", "preferred"), "RED011") == []
