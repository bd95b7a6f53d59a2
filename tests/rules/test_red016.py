from conftest import CLEAN, at, check, edit, findings, where


def silent(text: str) -> list:
    """RED016's findings for a design that is otherwise well-formed (so that the rules did run)."""
    assert check(text, "clean").ok, check(text, "clean").problems
    return findings(text, "RED016")


def with_storage(*declared: str, text: str = CLEAN) -> str:
    return edit("vms:\n", "storage:\n" + "".join(f"  - {d}\n" for d in declared) + "vms:\n", text)


def disks(text: str, **storage_of: str) -> str:
    """Each named VM (ctl_01=...) keeps its disks on the storage given."""
    for vm, storage in storage_of.items():
        name = vm.replace("_", "-")
        text = edit(f"{{name: {name}, host:", f"{{name: {name}, storage: {storage}, host:", text)
    return text


def test_every_member_on_one_san():
    text = with_storage("{name: san-01, kind: san}")
    problems = findings(text, "RED016")
    assert [p.message.split("`")[1] for p in problems] == ["galera", "rabbitmq"]
    assert where(problems)[0] == at(text, 15, "galera")
    galera = problems[0]
    assert galera.severity == "error"
    assert galera.message == ("`galera`'s 3 members ctl-01, ctl-02, ctl-03 all keep their disks on san-01: its failure "
                              "stops MariaDB Galera: galera lost quorum: 0 of 3 votes up (storage san-01 failed)")
    assert galera.hint.startswith("keep at most 1 of its 3 votes on any one storage")


def test_vsan_and_ceph_are_one_storage_too():
    ceph = with_storage("{name: ceph-01, kind: ceph, failures_to_tolerate: 1}")
    assert len(findings(ceph, "RED016")) == 2
    vsphere = edit("hypervisor: kvm\n  ha: pacemaker\n  fencing: ipmi", "hypervisor: vsphere\n  ha: vsphere-ha", CLEAN)
    [galera, _] = findings(with_storage("{name: vsan-01, kind: vsan}", text=vsphere), "RED016")
    assert galera.message.endswith("all keep their disks on vsan-01: its failure stops MariaDB Galera: galera lost "
                                   "quorum: 0 of 3 votes up (storage vsan-01 failed)")


def test_a_majority_of_the_votes_on_one_storage():
    two = with_storage("{name: san-01, kind: san}", "{name: local, kind: local}")
    text = disks(two, ctl_01="san-01", ctl_02="san-01", ctl_03="local")
    [galera, rabbitmq] = findings(text, "RED016")
    assert where([galera]) == [at(text, 16, "galera")]
    assert galera.message == ("2 of `galera`'s 3 votes (ctl-01, ctl-02) keep their disks on san-01: its failure stops "
                              "MariaDB Galera: galera lost quorum: 1 of 3 votes up (storage san-01 failed)")
    assert rabbitmq.message.startswith("2 of `rabbitmq`'s 3 votes")


def test_an_arbitrator_elsewhere_does_not_save_the_members():
    text = CLEAN.replace(" galera,", "", 1) + "  - {name: arb-01, host: kvm-01, storage: local, services: [garbd]}\n"
    text = disks(with_storage("{name: san-01, kind: san}", "{name: local, kind: local}", text=text),
                 ctl_01="san-01", ctl_02="san-01", ctl_03="san-01")
    galera = next(p for p in findings(text, "RED016") if "galera" in p.message)
    assert galera.message.startswith("`galera`'s 2 members ctl-02, ctl-03 all keep their disks on san-01")
    assert galera.hint.startswith("keep at most 1 of its 3 votes")  # garbd holds a vote, but no data


def test_one_vote_per_storage_passes():
    three = with_storage("{name: san-01, kind: san}", "{name: nfs-01, kind: nfs}", "{name: local, kind: local}")
    assert silent(disks(three, ctl_01="san-01", ctl_02="nfs-01", ctl_03="local")) == []


def test_local_disks_and_no_storage_pass():
    assert silent(with_storage("{name: local, kind: local}")) == []
    assert silent(CLEAN) == []


def test_a_single_member_is_left_to_red002():
    text = with_storage("{name: san-01, kind: san}").replace("[haproxy,", "[etcd, haproxy,", 1)
    assert [p.message.split("`")[1] for p in findings(text, "RED016")] == ["galera", "rabbitmq"]


def test_two_members_on_two_storages_are_left_to_red002():
    text = CLEAN.replace(" galera,", "", 1)  # galera on ctl-02 and ctl-03: no vote to spare anywhere
    text = disks(with_storage("{name: san-01, kind: san}", "{name: san-02, kind: san}", text=text),
                 ctl_01="san-01", ctl_02="san-01", ctl_03="san-02")
    assert [p.message.split("`")[1] for p in findings(text, "RED016")] == ["rabbitmq"]
    both = disks(with_storage("{name: san-01, kind: san}", "{name: san-02, kind: san}",
                              text=CLEAN.replace(" galera,", "", 1)), ctl_01="san-02", ctl_02="san-01", ctl_03="san-01")
    galera = next(p for p in findings(both, "RED016") if p.message.startswith("`galera`"))
    assert galera.message.startswith("`galera`'s 2 members ctl-02, ctl-03 all keep their disks on san-01")
    assert galera.hint.startswith("put members' disks on other storage")
