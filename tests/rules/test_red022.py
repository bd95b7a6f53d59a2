from conftest import CLEAN, edit, findings, where


def policy(value: str) -> str:
    return edit("  fencing: ipmi\n", f"  fencing: ipmi\n  no_quorum_policy: {value}\n", CLEAN)


def test_ignore_warns_of_both_sides_running_the_same_vms():
    text = policy("ignore")
    [problem] = findings(text, "RED022")
    assert problem.severity == "warning"
    assert where([problem]) == [(8, 21)]
    assert "both run the same VMs" in problem.message and "race to fence" in problem.message


def test_the_other_policies_pass():
    for value in ("stop", "freeze", "demote", "suicide", "fence"):
        assert findings(policy(value), "RED022") == [], value
    assert findings(CLEAN, "RED022") == []
