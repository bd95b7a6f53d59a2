"""What the plugin leaves out of the built site: blank runs between tags (never inside an element whose
whitespace is its content) and the theme's files that the site never loads."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.site import output as site_output
from generator.site.output import LUNR

VERBATIM_CASES = [
    "<pre>a\n\n    b\n  </pre>",
    '<pre class="x"><code>line one\n\n\tindented\n</code></pre>',
    "<textarea>\n  keep\n\n</textarea>",
    '<script type="application/json">{"a":\n   1}\n</script>',
    "<STYLE>\n  p { color: red }\n\n</STYLE>",
    "<code>a\n   b</code>",
]


@pytest.mark.parametrize("verbatim", VERBATIM_CASES)
def test_squeeze_keeps_verbatim_elements_exactly_and_cuts_the_blank_runs_around_them(verbatim):
    page = f"<div>\n\n    <p>x</p>\n   \n{verbatim}\n\n     <span>y</span>  <b>z</b>\n</div>"
    squeezed = site_output.squeeze(page)
    assert verbatim in squeezed
    assert squeezed == f"<div>\n<p>x</p>\n{verbatim}\n<span>y</span>  <b>z</b>\n</div>"


class Tokens(HTMLParser):
    """What a browser builds from a page, as far as whitespace goes: tags with their exact attributes,
    comments, the exact text of verbatim elements, and other text with each whitespace run as one space."""

    VERBATIM = frozenset({"pre", "textarea", "script", "style", "code", "kbd"})

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=False)
        self.tokens: list[tuple] = []
        self.inside: list[str] = []
        self.feed(page)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tokens.append(("start", tag, attrs))
        if tag in self.VERBATIM:
            self.inside.append(tag)

    def handle_endtag(self, tag):
        self.tokens.append(("end", tag))
        if self.inside and self.inside[-1] == tag:
            self.inside.pop()

    def handle_data(self, data):
        self.tokens.append(("text", data if self.inside else re.sub(r"\s+", " ", data)))

    def handle_comment(self, data):
        self.tokens.append(("comment", data))


TRICKY = [
    "<!-- a <code> b -->\n<pre><code>x</code><span>s</span>\n\n   TEXT\n</pre>\n",
    "<p>a\n   b <em>c</em>\n   d</p>",
    "<kbd><span>Ctrl</span>\n  +\n  <span>C</span></kbd>\n\n<p>x</p>",
    '<span title="line one\n    line two">x</span>\n  <span>y</span>',
    "<div>\n\n   <span>a</span>\n   <span>b</span>\n</div>",
    "<PRE>\n  upper\n</PRE >\n\n<Code>c\n  d</Code>",
]


@pytest.mark.parametrize("page", TRICKY)
def test_squeeze_keeps_what_a_browser_builds(page):
    assert Tokens(site_output.squeeze(page)).tokens == Tokens(page).tokens


def test_squeeze_keeps_what_a_browser_builds_of_a_long_text():
    text = (Path(__file__).parent.parent / "README.md").read_text()  # lines, indents and blank lines
    page = f"<article>\n  <p>{text}</p>\n\n  <pre>{text}</pre>\n</article>\n"
    squeezed = site_output.squeeze(page)
    assert Tokens(squeezed).tokens == Tokens(page).tokens
    assert len(squeezed) < len(page)


def test_search_files_needed_follow_the_languages_the_worker_loads():
    assert site_output.search_files_needed(["en"]) == set()
    assert site_output.search_files_needed(["en", "ja"]) == {
        LUNR / "tinyseg.js", LUNR / "min" / "lunr.ja.min.js", LUNR / "min" / "lunr.multi.min.js",
        LUNR / "min" / "lunr.stemmer.support.min.js"}
    assert site_output.search_files_needed(["th"]) == {
        LUNR / "wordcut.js", LUNR / "min" / "lunr.th.min.js", LUNR / "min" / "lunr.stemmer.support.min.js"}
