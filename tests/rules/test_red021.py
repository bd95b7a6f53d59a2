from conftest import CLEAN, edit, findings

CELLS = CLEAN.replace("summary: Three hosts, every role on each.",
                      "summary: Three hosts, every role on each.\nopenstack: {cells: [cell1]}") + "".join(
    f"  - {{name: cell1-0{i}, host: kvm-0{i}, cell: cell1, services: [galera, rabbitmq, nova-conductor]}}\n"
    for i in (1, 2, 3))


def racks(text: str, *domains: str) -> str:
    """`text` with kvm-01, kvm-02 and kvm-03 in these failure domains."""
    text = edit("hosts:\n", f"failure_domains: [{', '.join(sorted(set(domains)))}]\nhosts:\n", text)
    for host, domain in zip(("kvm-01", "kvm-02", "kvm-03"), domains, strict=True):
        text = edit(f"name: {host}, cpus", f"name: {host}, failure_domain: {domain}, cpus", text)
    return text


def test_two_of_three_members_in_one_rack_lose_the_majority_with_it():
    problems = findings(racks(CLEAN, "rack-a", "rack-a", "rack-b"), "RED021")
    assert {p.message.split("`")[1] for p in problems} == {"galera", "rabbitmq"}
    [galera] = [p for p in problems if "`galera`" in p.message]
    # The rack's hosts hold 2 of the cluster's 3 votes too: the engine says galera's third member stops with it.
    assert galera.message == ("`galera` has 2 of its 3 votes in failure domain rack-a (ctl-01, ctl-02): losing "
                              "rack-a stops MariaDB Galera: galera lost quorum: 0 of 3 votes up (kvm-01 and kvm-02 "
                              "failed; the cluster lost quorum)")
    assert galera.line == 14  # ctl-01's services, where galera is listed


def test_one_member_per_rack_is_fine_and_so_is_a_single_rack():
    assert findings(racks(CLEAN, "rack-a", "rack-b", "rack-c"), "RED021") == []
    # Every member in one rack is RED005's finding, not this rule's.
    assert findings(racks(CLEAN, "rack-a", "rack-a", "rack-a"), "RED021") == []


def test_a_cells_database_and_queue_get_the_same_care():
    problems = findings(racks(CELLS, "rack-a", "rack-a", "rack-b"), "RED021")
    assert {"galera@cell1", "rabbitmq@cell1"} <= {p.message.split("`")[1] for p in problems}


def test_an_arbitrators_vote_counts_where_it_runs():
    # galera on ctl-01 (rack-a) and ctl-03 (rack-b), its arbitrator on kvm-02 (rack-a): rack-a holds 2 of 3 votes.
    text = CLEAN.replace("services: [haproxy, keepalived, galera,", "services: [haproxy, keepalived,", 2).replace(
        "services: [haproxy, keepalived,", "services: [haproxy, keepalived, galera,", 1)
    text += "  - {name: arb-01, host: kvm-02, services: [garbd]}\n"
    [galera] = [p for p in findings(racks(text, "rack-a", "rack-a", "rack-b"), "RED021") if "`galera`" in p.message]
    assert galera.message.startswith("`galera` has 2 of its 3 votes in failure domain rack-a (ctl-01, arb-01)")
