from conftest import CLEAN, at, edit, findings, where

CTL3 = "{name: ctl-03, host: kvm-03, vcpus: 8, memory_gib: 32, services: ["


def without_on_ctl3(service: str, text: str = CLEAN) -> str:
    line = text.splitlines()[14]
    return edit(line, line.replace(f" {service},", ""), text)


def test_galera_on_two_vms_without_arbitrator():
    text = without_on_ctl3("galera")
    [problem] = findings(text, "RED002")
    assert where([problem]) == [at(text, 13, "galera")]
    assert "`galera` has 2 members, 2 votes in all" in problem.message
    assert "garbd" in problem.hint


def test_two_members_and_an_arbitrator_pass():
    text = edit(CTL3, CTL3 + "garbd, ", without_on_ctl3("galera"))
    assert findings(text, "RED002") == []


def test_a_single_haproxy_is_reported():
    text = CLEAN.replace("services: [haproxy, ", "services: [", 2)  # on ctl-01 and ctl-02
    [problem] = findings(text, "RED002")
    assert where([problem]) == [at(text, 15, "haproxy")]
    assert problem.message == "`haproxy` runs on 1 VM; as active-active it needs 2 to survive the loss of one"


def test_clean_design_passes():
    assert findings(CLEAN, "RED002") == []
