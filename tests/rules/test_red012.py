from conftest import CLEAN, check, edit, findings, where


def test_unused_waiver():
    text = CLEAN + "waivers:\n  - {rule: RED004, target: galera, reason: Planned.}\n"
    [problem] = findings(text, "RED012")
    assert where([problem]) == [(17, 5)]
    assert problem.message == "waivers[0]: RED004 reports nothing about `galera` in this architecture"


def test_waiver_of_an_unknown_rule():
    text = CLEAN + "waivers:\n  - {rule: REDD004, target: galera, reason: Planned.}\n"
    [problem] = findings(text, "RED012")
    assert problem.message == "waivers[0]: there is no rule REDD004"
    assert problem.hint == "did you mean `RED004`?"


def test_a_matching_waiver_silences_exactly_its_finding():
    moved = edit("name: ctl-03, host: kvm-03", "name: ctl-03, host: kvm-01", CLEAN)
    text = moved + "waivers:\n  - {rule: RED004, target: galera, reason: Planned.}\n"
    result = check(text, "clean", design_rules=True)
    red004 = [p.message.split("`")[1] for p in result.problems if p.rule == "RED004"]
    assert len(red004) == 15 and "galera" not in red004
    [waived] = result.waived
    assert waived.problem.rule == "RED004" and waived.waiver.reason == "Planned."
    assert findings(text, "RED012") == []
