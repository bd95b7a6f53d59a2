"""The built site checked with axe-core in the system Chromium, in the light and the dark colour scheme.

A test fails on any violation axe rates serious or critical (contrast too low, a control without a name,
an image without a text alternative...) and lists each with its rule, help text and where it is. Minor and
moderate findings are left to review. axe-core comes inside the axe-playwright-python wheel, so nothing is
fetched at run time.
"""

from __future__ import annotations

import pytest
from sitebuild import CHROMIUM

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium: install the "
                                "chromium package (make test does)")

PAGES = ["", "architectures/kvm-three-hosts/", "build-guides/kvm-three-hosts/"]
# Playwright's colour scheme, and the Material palette the site's media queries pick for it.
SCHEMES = {"light": "default", "dark": "slate"}
BLOCKING = {"serious", "critical"}
TARGETS_SHOWN = 3


def describe(violation: dict) -> str:
    targets = [" ".join(node["target"]) for node in violation["nodes"]]
    shown = "; ".join(targets[:TARGETS_SHOWN]) + (f"; and {len(targets) - TARGETS_SHOWN} more"
                                                   if len(targets) > TARGETS_SHOWN else "")
    return f"{violation['id']} ({violation['impact']}): {violation['help']}: {shown}"


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("path", PAGES, ids=lambda path: path.strip("/") or "home")
def test_no_serious_or_critical_violation(shipped_site, browser, path, scheme):
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page(color_scheme=scheme)
    page.goto(shipped_site + path, wait_until="load")
    # A wrong scheme would pass the light page's contrast off as the dark one's.
    assert page.evaluate("document.body.dataset.mdColorScheme") == SCHEMES[scheme]
    violations = Axe().run(page).response["violations"]
    page.close()
    blocking = [describe(v) for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"{path or 'home page'} ({scheme}):\n" + "\n".join(blocking)
