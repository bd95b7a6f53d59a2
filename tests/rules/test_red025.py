"""RED025: six or more Octavia health managers, whose amphorae send heartbeats round-robin."""

import pytest
from conftest import CLEAN, at, findings, where


def managers(count: int) -> str:
    vms = "".join(f"  - {{name: hm-{i}, host: kvm-0{i % 3 + 1}, services: [octavia-health-manager]}}\n"
                  for i in range(1, count + 1))
    return CLEAN + vms


@pytest.mark.parametrize("count", [6, 7, 9])
def test_six_or_more_health_managers_warn(count):
    text = managers(count)
    [problem] = findings(text, "RED025")
    assert problem.severity == "warning"
    first = len(CLEAN.splitlines()) + 1
    assert where([problem]) == [at(text, first, "octavia-health-manager")]  # the first VM's
    assert f"{count} VMs run `octavia-health-manager`" in problem.message
    assert f"only every {count * 10} s, not within the 60 s timeout" in problem.message
    assert "run at most 5" in problem.hint


@pytest.mark.parametrize("count", [1, 3, 5])
def test_up_to_five_health_managers_pass(count):
    assert findings(managers(count), "RED025") == []
