from conftest import CLEAN, at, edit, findings


def test_two_instances_on_one_host():
    text = edit("name: ctl-03, host: kvm-03", "name: ctl-03, host: kvm-01", CLEAN)
    problems = findings(text, "RED004")
    assert len(problems) == 16  # every service of ctl-03
    galera = next(p for p in problems if p.message.startswith("`galera`"))
    assert (galera.line, galera.col) == at(text, 15, "galera")
    assert galera.message == "`galera` runs on ctl-01 and ctl-03, both on host kvm-01: one host failure takes both"


def test_an_arbitrator_next_to_a_member_counts():
    text = edit("name: ctl-03, host: kvm-03", "name: ctl-03, host: kvm-03", CLEAN)
    text = text.replace(" galera,", "", 1) + "  - {name: arb-01, host: kvm-02, services: [garbd]}\n"
    [problem] = findings(text, "RED004")
    assert problem.message.startswith("`galera` runs on ctl-02 and arb-01, both on host kvm-02")


def test_clean_design_passes():
    assert findings(CLEAN, "RED004") == []
