"""Text from architecture files, made safe for the pages it appears on.

Contributors' YAML is untrusted: nothing it holds may become Markdown syntax, HTML, a template, a
snippet include or an attribute list on the site. Three ways in, and only three:

- `inline(text)`, `code(text)`, `preformatted(text)`: plain text for a page's Markdown, inline, as code,
  or as a block of a file's text. Every character that Markdown, its extensions
  (attr_list `{...}`, tables `|`, snippets `--8<--`) or HTML give a meaning is written as a numeric
  character reference, which Markdown passes through and the browser shows as the character itself.
  Newlines become spaces, so a value cannot end a table row or start a heading.
- `markdown_html(text)`: the Markdown of a summary, rendered without any extension, then cleaned by
  nh3 (an allowlist sanitiser) so that no script, event handler, style or `javascript:` link
  survives. The result is raw HTML for a page, with `<`, `[` and `{` in its text escaped.
- the HTML fragments that Markdown never reads (`site.builder.insert_fragments`) are rendered with
  Jinja2's autoescaping (`pages.html_environment`): every value HTML-escaped.
"""

from __future__ import annotations

import markdown
import nh3
from markupsafe import Markup

_SPECIAL = set("&<>\"'\\`*_{}[]()#+-.!|:~=^$%@")
_ALLOWED_TAGS = {"p", "br", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote", "a", "h3", "h4", "h5",
                 "h6", "hr", "table", "thead", "tbody", "tr", "th", "td", "del"}


def inline(value: object) -> Markup:
    """Plain text, safe anywhere in a page's Markdown (a paragraph, a heading, a table cell, a link text).
    Runs of white space, newlines included, become one space; one at either end is kept (", " joins)."""
    text = str(value)
    collapsed = " ".join(text.split())
    if collapsed:
        collapsed = " " * text[:1].isspace() + collapsed + " " * text[-1:].isspace()
    elif text:
        collapsed = " "
    return Markup(_references(collapsed))


def preformatted(value: str) -> Markup:
    """A file's text as a <pre> block on one line: every special character and every newline is a character
    reference, so no line of it can be read as Markdown, wherever the block stands (a tab, a list)."""
    return Markup(f"<pre class=\"refarch-source\" data-search-exclude><code>{_references(value)}</code></pre>")


def code(value: object) -> Markup:
    """Inline code, as HTML (character references would show literally inside a Markdown code span)."""
    return Markup(f"<code>{_references(' '.join(str(value).split()))}</code>")


def _references(text: str) -> str:
    return "".join(f"&#{ord(ch)};" if ch in _SPECIAL or ch in "\n\r\t" else ch for ch in text)


def markdown_html(value: str) -> Markup:
    """A contributor's Markdown as sanitised HTML (no raw HTML, scripts, handlers or unsafe links)."""
    html = markdown.markdown(value, extensions=[], output_format="html")
    clean = nh3.clean(html, tags=_ALLOWED_TAGS, attributes={"a": {"href", "title"}, "code": set()},
                      url_schemes={"http", "https", "mailto"}, link_rel="nofollow noopener noreferrer")
    # Keep MkDocs' own Markdown pass (and any preprocessor such as snippets) from reading the text again.
    return Markup(clean.replace("{", "&#123;").replace("[", "&#91;").replace("--8", "&#45;-8"))
