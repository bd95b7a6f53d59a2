from conftest import CLEAN, at, edit, findings


def in_domains(a: str, b: str, c: str) -> str:
    text = edit("hosts:\n", "failure_domains: [rack-a, rack-b]\nhosts:\n", CLEAN)
    for host, domain in (("kvm-01", a), ("kvm-02", b), ("kvm-03", c)):
        text = edit(f"name: {host}, cpus", f"name: {host}, failure_domain: {domain}, cpus", text)
    return text


def test_every_instance_in_one_domain():
    text = in_domains("rack-a", "rack-a", "rack-a")
    problems = findings(text, "RED005")
    assert len(problems) == 16
    assert (problems[0].line, problems[0].col) == at(text, 14, "haproxy")
    assert problems[0].message == ("every instance of `haproxy` runs on hosts in failure domain rack-a: losing rack-a "
                                   "stops HAProxy")


def test_spread_over_two_domains_passes():
    assert findings(in_domains("rack-a", "rack-a", "rack-b"), "RED005") == []
