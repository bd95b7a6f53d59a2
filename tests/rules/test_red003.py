from conftest import ALL_OVS, CLEAN, at, findings, where


def test_four_rabbitmq_members_are_a_warning():
    text = CLEAN + f"  - {{name: ctl-04, host: kvm-01, services: [{ALL_OVS}]}}\n"
    problems = findings(text, "RED003")
    assert [p.message.split("`")[1] for p in problems] == ["galera", "rabbitmq"]
    assert where(problems)[1] == at(text, 13, "rabbitmq")
    assert problems[0].severity == "warning"
    assert "tolerates 1 failure, as 3 would" in problems[0].message


def test_three_members_pass():
    assert findings(CLEAN, "RED003") == []
