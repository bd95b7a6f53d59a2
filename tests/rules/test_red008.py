from conftest import CLEAN, edit, findings, where


def test_openstack_cannot_host_itself():
    [problem] = findings(edit("hypervisor: kvm", "hypervisor: openstack", CLEAN), "RED008")
    assert where([problem]) == [(5, 15)]
    assert "cannot host its own control plane" in problem.message


def test_any_other_hypervisor_is_refused_by_the_same_rule():
    [problem] = findings(edit("hypervisor: kvm", "hypervisor: xen", CLEAN), "RED008")
    assert problem.message == ("platform.hypervisor: `xen` is not a management hypervisor refarch models: "
                               "use vsphere, hyperv or kvm")


def test_a_number_is_a_schema_error_not_this_rule():
    assert findings(edit("hypervisor: kvm", "hypervisor: 5", CLEAN), "RED008") == []


def test_kvm_passes():
    assert findings(CLEAN, "RED008") == []
