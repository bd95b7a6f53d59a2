from conftest import CLEAN, edit, findings, where


def test_pacemaker_without_fencing():
    [problem] = findings(edit("  fencing: ipmi\n", "", CLEAN), "RED010")
    assert where([problem]) == [(6, 7)]
    assert problem.message.startswith("the Pacemaker cluster has no fencing")


def test_with_fencing_passes():
    assert findings(CLEAN, "RED010") == []
