from conftest import CLEAN, at, check, edit, findings, where


def silent(text: str) -> list:
    """RED018's findings for a design that is otherwise well-formed (so that the rules did run)."""
    assert check(text, "clean").ok, check(text, "clean").problems
    return findings(text, "RED018")

FOURTH = "  - {name: kvm-04, cpus: 32, memory_gib: 128}\nvms:\n"


def racks(witness: str, *domains: str, text: str = CLEAN) -> str:
    """The hosts in the failure domains given, in order, and `witness` as platform.witness."""
    if len(domains) == 4:
        text = edit("vms:\n", FOURTH, text)
    declared = sorted({*domains, "rack-c"})
    text = edit("hosts:\n", f"failure_domains: [{', '.join(declared)}]\nhosts:\n", text)
    for i, domain in enumerate(domains, 1):
        text = edit(f"{{name: kvm-0{i}, cpus", f"{{name: kvm-0{i}, failure_domain: {domain}, cpus", text)
    return edit("  fencing: ipmi\n", f"  fencing: ipmi\n  witness: {witness}\n", text)


def hyperv(text: str) -> str:
    return edit("hypervisor: kvm\n  ha: pacemaker\n  fencing: ipmi", "hypervisor: hyperv\n  ha: failover-cluster", text)


def test_qdevice_in_the_rack_of_half_the_hosts():
    text = racks("{kind: qdevice, failure_domain: rack-a}", "rack-a", "rack-a", "rack-b", "rack-b")
    [problem] = findings(text, "RED018")
    assert where([problem]) == [at(text, 8, "rack-a")]
    assert problem.severity == "error"
    assert problem.message == ("the witness `witness` is in failure domain rack-a with 2 of the 4 hosts (kvm-01, "
                               "kvm-02): losing rack-a, the cluster lost quorum (2 of 5 votes up) and stops every VM "
                               "it runs")
    assert problem.hint.endswith("(a third rack, room or site)")


def test_hyperv_witness_named_and_with_a_majority_of_hosts():
    text = hyperv(racks("{kind: file-share, name: fsw, failure_domain: rack-a}", "rack-a", "rack-a", "rack-b"))
    [problem] = findings(text, "RED018")
    # With three nodes the dynamic witness has no vote: rack-a takes 2 of the 3.
    assert problem.message.startswith("the witness `fsw` is in failure domain rack-a with 2 of the 3 hosts")
    assert problem.message.endswith("losing rack-a, the cluster lost quorum (1 of 3 votes up) and stops every VM it "
                                    "runs")
    assert problem.hint.endswith("or use a cloud witness")


def test_a_witness_in_a_third_place_passes():
    assert silent(racks("{kind: qdevice, failure_domain: rack-c}", "rack-a", "rack-a", "rack-b", "rack-b")) == []
    # 1 of the 4 hosts with it:
    assert silent(racks("{kind: qdevice, failure_domain: rack-a}", "rack-a", "rack-b", "rack-b", "rack-b")) == []


def test_a_witness_without_a_failure_domain_passes():
    assert silent(racks("qdevice", "rack-a", "rack-a", "rack-b", "rack-b")) == []
    assert silent(CLEAN) == []


def test_a_quorum_that_decides_nothing_is_not_judged():
    text = racks("{kind: qdevice, failure_domain: rack-a}", "rack-a", "rack-a", "rack-b", "rack-b")
    assert silent(edit("  fencing: ipmi\n", "  fencing: ipmi\n  no_quorum_policy: ignore\n", text)) == []
