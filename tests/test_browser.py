"""The built site in a real browser: the system Chromium driven by Playwright.

Every generated page (a sample of the rule pages and build guides; `make bench` opens them all) opens without a console
error and with every image loaded, search finds an
architecture by its title, and the hostile architecture's page runs no script. The site is served
from a sub-path of a copy, as it would be once published.
"""

from __future__ import annotations

import os
import shutil

import pytest
from sitebuild import CHROMIUM, HOSTILE, ROOT, SHARED_CACHE, build, project, serve

from generator.rules.validate import check_file

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium: install the "
                                "chromium package (.ci/run does, so CI always runs these tests)")
SUB_PATH = "published/refarch"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    architectures = {p.name: p.read_text() for p in ROOT.glob("architectures/*.yaml")} | {"hostile.yaml": HOSTILE}
    folder = project(tmp_path_factory.mktemp("project"), architectures, SHARED_CACHE)
    out = tmp_path_factory.mktemp("site")
    result = build(folder, out)
    assert result.returncode == 0, result.stderr
    root = tmp_path_factory.mktemp("www")
    shutil.copytree(out, root / SUB_PATH)
    with serve(root) as base:
        yield f"{base}{SUB_PATH}/", out, folder


def open_page(browser, url: str):
    """A page of `browser` (a browser, or one of its contexts) at `url`, with the problems it reports."""
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(f"console: {message.text}"))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.goto(url, wait_until="load")
    return page, problems


def sampled(pages: list[str]) -> list[str]:
    """Every page but the rule pages, which one template renders from each rule's docstring (of those the
    first, the last and every eighth), and the build guides, another template's (the first and the last,
    the hostile design's included); `make bench` opens them all, with REFARCH_EXHAUSTIVE=1."""
    if os.environ.get("REFARCH_EXHAUSTIVE") == "1":
        return pages
    keep, left_out = set(), set()
    for kind, every in (("rules/", 8), ("build-guides/", None)):
        same = [rel for rel in pages if rel.startswith(kind)]
        keep |= set(same[::every] if every else same[:1]) | set(same[-1:]) | {rel for rel in same if "hostile" in rel}
        left_out |= set(same)
    return [rel for rel in pages if rel not in left_out or rel in keep]


def test_every_page_opens_cleanly_with_its_images(served, browser):
    """Every page of each kind (a sample of the rule pages and build guides, see `sampled`)."""
    base, out, folder = served
    every = sorted(p.parent.relative_to(out).as_posix() for p in out.rglob("index.html"))
    assert len(every) > 20
    pages = sampled(every)
    assert any(rel.startswith("rules/") for rel in pages) and "." in pages
    images = 0
    context = browser.new_context()  # one for every page: a context of its own each costs as much as the page
    for rel in pages:
        page, problems = open_page(context, base + ("" if rel == "." else rel + "/"))
        if page.locator("figure[data-whatif-diagram]").count():  # the explorer inlines it: count it once
            page.locator("figure[data-whatif-diagram] svg").wait_for()
        for src, width in page.eval_on_selector_all("img", "els => els.map(e => [e.getAttribute('src'), "
                                                           "e.naturalWidth])"):
            assert width > 0, f"{rel}: image {src} did not load"
            images += src.rsplit("/", 1)[-1] in ("placement.svg", "topology.svg")  # diagrams, not screenshots or charts
        # The explorer replaces the placement view's <img> by the SVG itself, to mark failed parts on it.
        images += page.locator("figure[data-whatif-diagram] svg").count()
        assert problems == [], f"{rel}: {problems}"
        page.close()
    context.close()
    # The placement and the topology of each design: failures are overlaid on the placement, not drawn apart.
    designs = [check_file(path).architecture for path in (folder / "architectures").glob("*.yaml")]
    assert images == 2 * len(designs)


def test_search_finds_an_architecture_by_its_title(served, browser):
    base, _, _ = served
    page, problems = open_page(browser, base)
    # Typed before the search worker has built its index, a query can go unanswered: wait until Material
    # says it is ready ("Initializing search" until then).
    page.wait_for_function("!document.querySelector('.md-search-result__meta').textContent.includes('Initializing')",
                           timeout=20_000)
    # Typed key by key, as a reader does: Material reads the query on each key's release (and once on
    # focus), so text filled in at once is searched only if it is there when the field takes focus.
    page.locator(".md-search__input").press_sequentially("Pacemaker")
    result = page.locator(".md-search-result__item").filter(has_text="KVM with Pacemaker, three hosts, OVN")
    result.first.wait_for(timeout=20_000)
    assert problems == []


def test_the_hostile_page_runs_no_script(served, browser):
    base, _, _ = served
    page, problems = open_page(browser, base + "architectures/hostile/")
    assert "{{ 7*7 }}" in page.locator("h1").inner_text()
    for link in page.locator(".refarch-summary a").all():
        assert link.get_attribute("href") in (None, "https://docs.openstack.org/")
        if link.get_attribute("href") is None:
            link.click()
    for tab in page.locator(".tabbed-labels label").all():
        tab.click()
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.__pwned === undefined")
    assert problems == [], problems
