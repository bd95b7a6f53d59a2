"""What the plugin leaves out of the built site: blank runs between tags (never inside an element whose
whitespace is its content) and the theme's files that the site never loads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_site import text_of

from generator import site_output
from generator.site_output import LUNR

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


def test_squeeze_keeps_what_a_reader_sees():
    page = (Path(__file__).parent.parent / "README.md").read_text()  # any text with lines and indents
    html = f"<article>\n  <p>{page}</p>\n\n  <pre>{page}</pre>\n</article>"
    squeezed = site_output.squeeze(html)
    assert text_of(squeezed) == text_of(html)
    assert re.search(r"<pre>(.*)</pre>", squeezed, re.S).group(1) == page
    assert len(squeezed) < len(html)


def test_search_files_needed_follow_the_languages_the_worker_loads():
    assert site_output.search_files_needed(["en"]) == set()
    assert site_output.search_files_needed(["en", "ja"]) == {
        LUNR / "tinyseg.js", LUNR / "min" / "lunr.ja.min.js", LUNR / "min" / "lunr.multi.min.js",
        LUNR / "min" / "lunr.stemmer.support.min.js"}
    assert site_output.search_files_needed(["th"]) == {
        LUNR / "wordcut.js", LUNR / "min" / "lunr.th.min.js", LUNR / "min" / "lunr.stemmer.support.min.js"}
