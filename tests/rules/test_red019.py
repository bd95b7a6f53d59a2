from conftest import CLEAN, at, check, edit, findings, where


def silent(text: str) -> list:
    """RED019's findings for a design that is otherwise well-formed (so that the rules did run)."""
    assert check(text, "clean").ok, check(text, "clean").problems
    return findings(text, "RED019")


def fencing(*levels: str, text: str = CLEAN) -> str:
    return edit("  fencing: ipmi\n", "  fencing:\n" + "".join(f"    - {level}\n" for level in levels), text)


def in_racks(text: str) -> str:
    """kvm-01 and kvm-02 in rack-a, kvm-03 in rack-b; a separate feed power-b."""
    text = edit("hosts:\n", "failure_domains: [rack-a, rack-b, power-b]\nhosts:\n", text)
    for host, rack in (("kvm-01", "rack-a"), ("kvm-02", "rack-a"), ("kvm-03", "rack-b")):
        text = edit(f"{{name: {host}, cpus", f"{{name: {host}, failure_domain: {rack}, cpus", text)
    return text


def test_ipmi_alone_loses_power_with_its_host():
    assert findings(CLEAN, "RED019") == []  # hosts in no failure domain: no power loss but their own failure
    racked = in_racks(CLEAN)
    [problem] = findings(racked, "RED019")
    assert where([problem]) == [at(racked, 7, "ipmi")]
    assert problem.severity == "warning"
    assert problem.message == ("no fencing level survives a power loss of any host: `ipmi` loses power with the host "
                               "it fences; Pacemaker then cannot confirm that the host is off, and restarts none of "
                               "its VMs")
    assert "sbd" in problem.hint


def test_a_waiver_names_the_first_level():
    waiver = "waivers:\n  - {rule: RED019, target: ipmi, reason: On-call confirms a dead host by hand.}\n"
    text = in_racks(CLEAN) + waiver
    assert silent(text) == [] and findings(text, "RED012") == []


def test_two_bmc_levels_do_not_help():
    text = fencing("{name: ipmi, kind: ipmi}", "{name: redfish, kind: redfish, powered_by: host}", text=in_racks(CLEAN))
    [problem] = findings(text, "RED019")
    assert where([problem]) == [at(text, 7, "fencing")]
    assert "`ipmi` loses power with the host it fences, `redfish` loses power" in problem.message


def test_a_pdu_in_the_hosts_own_rack():
    text = in_racks(fencing("{name: ipmi, kind: ipmi}", "{name: pdu-a, kind: pdu, powered_by: rack-a}"))
    [problem] = findings(text, "RED019")
    assert problem.message.startswith("no fencing level survives a power loss of hosts kvm-01, kvm-02: `ipmi` loses "
                                      "power with the host it fences, `pdu-a` is powered by rack-a, their own failure "
                                      "domain;")


def test_a_level_that_survives_the_hosts_power_passes():
    assert silent(fencing("{name: ipmi, kind: ipmi}", "{name: sbd, kind: sbd}")) == []
    assert silent(fencing("{name: sbd, kind: sbd}")) == []
    pdu = fencing("{name: ipmi, kind: ipmi}", "{name: pdu-b, kind: pdu, powered_by: power-b}")
    assert silent(in_racks(pdu)) == []


def test_only_pacemaker_is_judged():
    assert silent(edit("  fencing: ipmi\n", "", CLEAN)) == []  # that is RED010
    hyperv = edit("hypervisor: kvm\n  ha: pacemaker\n  fencing: ipmi", "hypervisor: hyperv\n  ha: failover-cluster",
                  CLEAN)
    assert silent(hyperv) == []
