from conftest import CLEAN, edit, findings, where


def test_missing_dhcp_agent_is_reported_at_vms():
    text = CLEAN.replace(", neutron-dhcp-agent", "")
    [problem] = findings(text, "RED001")
    assert where([problem]) == [(12, 1)]
    assert problem.message.startswith("`neutron-dhcp-agent` (Neutron DHCP agent) runs on no VM")


def test_ovn_needs_its_databases_and_northd():
    text = edit("  fencing: ipmi\n", "  fencing: ipmi\nopenstack: {networking: ovn}\n", CLEAN)
    assert sorted(p.message.split("`")[1] for p in findings(text, "RED001")) == ["ovn-nb-db", "ovn-northd", "ovn-sb-db"]


def test_clean_design_passes():
    assert findings(CLEAN, "RED001") == []
