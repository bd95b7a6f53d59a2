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
                              "connected only through switch tor-1: its failure cuts them all off and stops "
                              "MariaDB Galera")
    assert galera.hint.startswith("connect hosts kvm-01, kvm-02, kvm-03 through a second switch")


def test_two_of_three_pacemaker_hosts_behind_one_switch_take_the_cluster_quorum():
    text = with_switches("kvm-01, kvm-02", "kvm-03")
    [galera, rabbitmq] = findings(text, "RED017")
    assert galera.message == ("switch tor-1 is the only connection of hosts kvm-01, kvm-02: its failure cuts them off, "
                              "the management cluster loses quorum and stops every VM, and MariaDB Galera with it "
                              "(`galera`'s members ctl-01, ctl-02, ctl-03)")
    assert rabbitmq.message.startswith("switch tor-1 is the only connection of hosts kvm-01, kvm-02: ")


def test_a_majority_behind_one_switch():
    # vSphere has no cluster quorum: only the cut-off members stop.
    text = with_switches("kvm-01, kvm-02", "kvm-03", text=edit(
        "  hypervisor: kvm\n  ha: pacemaker\n  fencing: ipmi\n", "  hypervisor: vsphere\n  ha: vsphere-ha\n", CLEAN))
    [galera, rabbitmq] = findings(text, "RED017")
    assert where([galera]) == [at(text, 15, "galera")]  # one line fewer: no fencing
    assert galera.message == ("switch tor-1 is the only connection of hosts kvm-01, kvm-02, which run 2 of `galera`'s "
                              "3 votes (ctl-01, ctl-02): its failure leaves 1, short of the majority of 2, and "
                              "MariaDB Galera stops")
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
