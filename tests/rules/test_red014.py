from conftest import CLEAN, at, findings, where


def test_ovn_database_with_ovs_networking():
    text = CLEAN.replace("[haproxy,", "[ovn-nb-db, haproxy,")
    [problem] = findings(text, "RED014")
    assert where([problem]) == [at(text, 13, "ovn-nb-db")]
    assert problem.message == "`ovn-nb-db` belongs to ovn networking, but openstack.networking is ovs"


def test_clean_design_passes():
    assert findings(CLEAN, "RED014") == []
