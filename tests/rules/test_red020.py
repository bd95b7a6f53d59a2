from conftest import CLEAN, at, check, edit, findings, where


def silent(text: str) -> list:
    """RED020's findings for a design that is otherwise well-formed (so that the rules did run)."""
    assert check(text, "clean").ok, check(text, "clean").problems
    return findings(text, "RED020")

VSPHERE = edit("hypervisor: kvm\n  ha: pacemaker\n  fencing: ipmi", "hypervisor: vsphere\n  ha: vsphere-ha", CLEAN)
VCSA = "  - {name: vcsa, host: kvm-01, services: []}\n"


def managed(server: str = "{name: vcenter, kind: vcenter, vm: vcsa}", decision: str | None = None) -> str:
    text = edit("vms:\n", f"management:\n  - {server}\nvms:\n", VSPHERE) + (VCSA if "vm:" in server else "")
    if decision is not None:
        text += ("decisions:\n  - id: D01\n"
                 f"    decision: {decision}\n    justification: Nothing else to run it on.\n"
                 "    implication: It restarts first.\n")
    return text


def test_vcenter_on_its_cluster_without_a_note():
    text = managed()
    [problem] = findings(text, "RED020")
    assert where([problem]) == [at(text, 12, "vcsa")]
    assert problem.severity == "warning"
    assert problem.message == ("vcenter runs as the VM vcsa on the cluster it manages, and no decision says so: a "
                               "failure of the whole cluster also takes the tool to recover it")
    assert problem.hint.startswith("add a decision naming vcenter")


def test_a_decision_about_something_else_is_no_note():
    assert len(findings(managed(decision="Three hosts, and vcenters elsewhere are not used."), "RED020")) == 1


def test_a_decision_naming_the_server_or_its_vm_passes():
    assert silent(managed(decision="vCenter runs on the cluster it manages.")) == []
    assert silent(managed(decision="The VM vcsa runs on this cluster.")) == []


def test_a_server_outside_the_cluster_or_none_passes():
    assert silent(managed("{name: vcenter, kind: vcenter}")) == []
    assert silent(VSPHERE) == []
