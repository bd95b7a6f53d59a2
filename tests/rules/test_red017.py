from conftest import CLEAN, at, check, edit, findings, where


def silent(text: str) -> list:
    """RED017's findings for a design that is otherwise well-formed (so that the rules did run)."""
    assert check(text, "clean").ok, check(text, "clean").problems
    return findings(text, "RED017")


def with_switches(*hosts_of: str, text: str = CLEAN) -> str:
    """One switch per argument (tor-1, tor-2, ...), each connecting the hosts listed: "kvm-01, kvm-02"."""
    declared = "".join(f"  - {{name: tor-{i}, hosts: [{hosts}]}}\n" for i, hosts in enumerate(hosts_of, 1))
    return edit("vms:\n", f"switches:\n{declared}vms:\n", text)


def test_every_member_behind_one_switch():
    text = with_switches("kvm-01, kvm-02, kvm-03")
    problems = findings(text, "RED017")
    assert [p.message.split("`")[1] for p in problems] == ["galera", "rabbitmq"]
    assert where(problems)[0] == at(text, 15, "galera")
    galera = problems[0]
    assert galera.severity == "error"
    assert galera.message == ("`galera`'s 3 members ctl-01, ctl-02, ctl-03 run on hosts kvm-01, kvm-02, kvm-03, "
                              "connected only through switch tor-1: its failure stops MariaDB Galera: galera lost "
                              "quorum: 0 of 3 votes up (the cluster lost quorum; kvm-01, kvm-02 and kvm-03 cut off)")
    assert galera.hint.startswith("connect hosts kvm-01, kvm-02, kvm-03 through a second switch")


def test_two_of_three_pacemaker_hosts_behind_one_switch_take_the_cluster_quorum():
    text = with_switches("kvm-01, kvm-02", "kvm-03")
    [galera, rabbitmq] = findings(text, "RED017")
    # The third member stops too: the cut-off hosts took the cluster's quorum, which the engine says.
    assert galera.message == ("switch tor-1 is the only connection of hosts kvm-01, kvm-02, which run 2 of `galera`'s "
                              "3 votes (ctl-01, ctl-02): its failure stops MariaDB Galera: galera lost quorum: 0 of 3 "
                              "votes up (the cluster lost quorum; kvm-01 and kvm-02 cut off)")
    assert rabbitmq.message.startswith("switch tor-1 is the only connection of hosts kvm-01, kvm-02, which run 2 of ")


def test_a_majority_behind_one_switch():
    # vSphere has no cluster quorum: only the cut-off members stop.
    text = with_switches("kvm-01, kvm-02", "kvm-03", text=edit(
        "  hypervisor: kvm\n  ha: pacemaker\n  fencing: ipmi\n", "  hypervisor: vsphere\n  ha: vsphere-ha\n", CLEAN))
    [galera, rabbitmq] = findings(text, "RED017")
    assert where([galera]) == [at(text, 15, "galera")]  # one line fewer: no fencing
    assert galera.message == ("switch tor-1 is the only connection of hosts kvm-01, kvm-02, which run 2 of `galera`'s "
                              "3 votes (ctl-01, ctl-02): its failure stops MariaDB Galera: galera lost quorum: 1 of 3 "
                              "votes up (kvm-01 and kvm-02 cut off)")
    assert rabbitmq.message.startswith("switch tor-1 is the only connection of hosts kvm-01, kvm-02, which run 2 of "
                                       "`rabbitmq`'s 3 votes")


def test_hosts_with_a_second_switch_are_not_cut_off():
    assert silent(with_switches("kvm-01, kvm-02, kvm-03", "kvm-01, kvm-02, kvm-03")) == []
    assert silent(with_switches("kvm-01, kvm-02, kvm-03", "kvm-01, kvm-02")) == []  # kvm-03: 1 vote


def test_hosts_under_no_switch_are_not_modelled():
    assert silent(with_switches("kvm-01")) == []
    # kvm-03 is under none, but kvm-01 and kvm-02 are connected only through tor-1.
    assert len(findings(with_switches("kvm-01, kvm-02"), "RED017")) == 2


def test_no_switches_declared_passes():
    assert silent(CLEAN) == []


def test_a_rack_switch_of_a_ceph_region_names_the_pool_not_the_cluster_quorum():
    """32 Pacemaker hosts in 4 racks, one top-of-rack switch each and one Ceph pool: a rack's switch cuts off
    8 hosts, 24 keep the cluster's quorum, and what stops galera is the pool (8 of its 32 hosts lost, it
    tolerates 1), as the engine says; the finding says that, not a quorum loss that does not happen."""
    from bench_designs import pacemaker_region

    text = pacemaker_region(32)
    problems = [p for p in check(text, "large-region-32", design_rules=True).problems if p.rule == "RED017"]
    galera = [p for p in problems if "`galera`" in p.message or "Galera" in p.message]
    assert galera, problems
    for problem in galera:
        assert "storage ceph-mgmt lost 8 of 32 hosts" in problem.message, problem.message
        assert "the cluster lost quorum" not in problem.message and "loses quorum" not in problem.message
