from conftest import CLEAN, findings, where


def test_hosts_too_small_to_restart_a_neighbour():
    text = CLEAN.replace("memory_gib: 128", "memory_gib: 40")
    problems = findings(text, "RED007")
    assert where(problems) == [(9, 12), (10, 12), (11, 12)]
    assert problems[0].message == "if host kvm-01 fails, the other hosts lack free CPU or memory to restart ctl-01"


def test_no_platform_ha_means_no_restart_to_size_for():
    text = CLEAN.replace("memory_gib: 128", "memory_gib: 40").replace("ha: pacemaker\n  fencing: ipmi", "ha: none")
    assert findings(text, "RED007") == []


def test_unknown_capacity_is_not_judged():
    text = CLEAN.replace("memory_gib: 128", "memory_gib: 40").replace(", vcpus: 8, memory_gib: 32", "")
    assert findings(text, "RED007") == []


def test_clean_design_passes():
    assert findings(CLEAN, "RED007") == []
