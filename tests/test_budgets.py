"""Size budgets of the built pages, measured in the system Chromium.

- An architecture page is at most 8,000 px tall at a 1280x800 viewport, and everything it loads weighs at
  most 1.5 MB; a generated 24-host region gets 12,000 px and 3 MB.
- Nothing scrolls sideways at a phone's 390x844 viewport: a wide table scrolls inside its own box, and no
  content is cut off at the right edge.

Weight is the sum of the decoded (uncompressed) bodies of every response the page gets while it loads, the
HTML, CSS, scripts, images and the search index its search worker fetches, with every lazy image loaded as
a reader scrolling through would. Decoded, not transferred, sizes: they do not depend on how a server
compresses, and they are what the browser parses and keeps. MB here is 1,000,000 bytes.
"""

from __future__ import annotations

import pytest
from bench_designs import large_region
from sitebuild import CHROMIUM, ROOT, built_site, serve

from generator.rules.validate import check_file

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium: install the "
                                "chromium package (make test does)")

SHIPPED = sorted(path.stem for path in ROOT.glob("architectures/*.yaml"))
LARGE = "large-region-24"
MB = 1_000_000
# slug: (height in px at 1280x800, weight in bytes)
BUDGETS = {slug: (8_000, 1.5 * MB) for slug in SHIPPED} | {LARGE: (12_000, 3 * MB)}
NARROW_PAGES = ["", *(f"architectures/{slug}/" for slug in [*SHIPPED, LARGE]), "build-guides/kvm-three-hosts/"]

# Elements past the right edge of the viewport that no scrolling box of their own holds: they either widen
# the page or, inside a box that clips, are cut off. Only the outermost of each is listed.
STICKING_OUT = """() => {
  const width = document.documentElement.clientWidth, found = [];
  const holder = el => {
    for (let box = el.parentElement; box; box = box.parentElement) {
      const overflow = getComputedStyle(box).overflowX;
      if (overflow !== 'visible') return overflow === 'auto' || overflow === 'scroll' ? 'scrolls' : 'clips';
    }
    return 'page';
  };
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 0.5 || holder(el) === 'scrolls') continue;
    if (found.some(outer => outer.contains(el))) continue;
    found.push(el);
  }
  return found.map(el => {
    const classes = [...el.classList].map(name => '.' + name).join('');
    return `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${classes} reaches ${Math.round(
      el.getBoundingClientRect().right)} px (${holder(el) === 'clips' ? 'cut off' : 'widens the page'})`;
  });
}"""

# Tables that scroll sideways without the edge shadows of generator/site/assets/responsive.css: overlay
# scrollbars stay hidden until one scrolls, so such a table looks cut off.
UNCUED = """() => [...document.querySelectorAll('.md-typeset__scrollwrap')].filter(box =>
  box.scrollWidth > box.clientWidth && !getComputedStyle(box).backgroundImage.includes('gradient')).length"""


def kind(url: str, content_type: str) -> str:
    """What a response is, to show where a page's weight comes from."""
    if url.endswith("search_index.json"):
        return "search index"
    for word in ("html", "css", "javascript", "svg", "image", "json", "font"):
        if word in content_type:
            return word
    return "other"


def published(tmp_path_factory, extra: dict[str, str]):
    """Build the shipped architectures plus `extra` (file name: text), and serve the site."""
    shipped = {path.name: path.read_text() for path in ROOT.glob("architectures/*.yaml")}
    with serve(built_site(tmp_path_factory.mktemp("budgets"), shipped | extra)) as base:
        yield base


# Two sites, because the search index every page loads holds the text of the whole site: the shipped pages
# are weighed in the site that ships (the session's `shipped_site`), the 24-host design in that site with it added.
@pytest.fixture(scope="module")
def with_large(tmp_path_factory):
    yield from published(tmp_path_factory, {f"{LARGE}.yaml": large_region(hosts=24, racks=4)})


def site_for(request, page: str) -> str:
    """The URL of the built site that holds `page`, built on first use."""
    return request.getfixturevalue("with_large" if LARGE in page else "shipped_site")


@pytest.fixture(scope="module")
def measured(browser):
    """Measure an architecture page at 1280x800: its height, and its weight by kind; each page loaded once."""
    cache: dict[str, tuple[int, dict[str, int]]] = {}

    def measure(url: str) -> tuple[int, dict[str, int]]:
        if url not in cache:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            responses = []
            page.on("response", lambda response: responses.append(response))
            page.goto(url, wait_until="networkidle")
            page.evaluate("document.querySelectorAll('img[loading=lazy]').forEach(img => img.loading = 'eager')")
            page.wait_for_load_state("networkidle")
            height = page.evaluate("document.documentElement.scrollHeight")
            weights: dict[str, int] = {}
            for response in responses:
                group = kind(response.url, response.headers.get("content-type", ""))
                weights[group] = weights.get(group, 0) + len(response.body())
            page.close()
            cache[url] = height, weights
        return cache[url]

    return measure


def test_the_large_design_is_valid(tmp_path):
    path = tmp_path / f"{LARGE}.yaml"
    path.write_text(large_region(hosts=24, racks=4))
    problems = check_file(path).problems
    assert problems == [], [str(problem) for problem in problems]


@pytest.mark.parametrize("slug", BUDGETS)
def test_page_height(request, measured, slug):
    height, _ = measured(f"{site_for(request, slug)}architectures/{slug}/")
    limit, _ = BUDGETS[slug]
    assert height <= limit, f"architectures/{slug}/ is {height:,} px tall at 1280x800, over its budget of {limit:,} px"


@pytest.mark.parametrize("slug", BUDGETS)
def test_page_weight(request, measured, slug):
    _, weights = measured(f"{site_for(request, slug)}architectures/{slug}/")
    _, limit = BUDGETS[slug]
    total = sum(weights.values())
    parts = ", ".join(f"{group} {size / MB:.2f}" for group, size in sorted(weights.items(), key=lambda kv: -kv[1]))
    assert total <= limit, (f"architectures/{slug}/ loads {total / MB:.2f} MB (decoded), over its budget of "
                            f"{limit / MB:.1f} MB: {parts}")


@pytest.mark.parametrize("path", NARROW_PAGES, ids=lambda path: path.strip("/") or "home")
def test_no_sideways_scroll_on_a_phone(request, browser, path):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(site_for(request, path) + path, wait_until="load")
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    sticking_out = page.evaluate(STICKING_OUT)
    uncued = page.evaluate(UNCUED)
    page.close()
    where = "; ".join(sticking_out[:5]) or "no single element found"
    assert scroll_width <= inner_width, (f"{path or 'home page'} is {scroll_width} px wide in a {inner_width} px "
                                         f"viewport: {where}")
    assert not sticking_out, f"{path or 'home page'}: {where}"
    assert uncued == 0, f"{path or 'home page'}: {uncued} table(s) scroll sideways with no edge shadow to show it"
