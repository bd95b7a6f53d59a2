from conftest import CLEAN, check, edit, findings, where


def test_counterexample_that_passes_is_an_error():
    text = edit("summary:", "status: counterexample\nsummary:", CLEAN)
    [problem] = findings(text, "RED013")
    assert where([problem]) == [(3, 9)]
    assert not check(text, "clean", design_rules=True).ok


def test_counterexample_errors_are_expected_and_do_not_fail():
    text = edit("summary:", "status: counterexample\nsummary:", CLEAN).replace(", neutron-dhcp-agent", "")
    result = check(text, "clean", design_rules=True)
    assert findings(text, "RED013") == []
    assert [(p.rule, p.expected) for p in result.problems] == [("RED001", True)]
    assert result.ok


def test_reference_design_with_errors_fails():
    result = check(CLEAN.replace(", neutron-dhcp-agent", ""), "clean", design_rules=True)
    assert [(p.rule, p.expected) for p in result.problems] == [("RED001", False)]
    assert not result.ok
