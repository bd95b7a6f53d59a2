"""Render the site's pages from the Jinja2 templates in `generator/render/templates/`.

Templates are files of this package, never text from an architecture. The Markdown templates (`*.md.j2`)
pass every value through `text.inline` (plain text, safe in Markdown) unless it is already `Markup`, which
only this project's own code creates (sanitised summaries, generated links and tables). The HTML
fragments (`*.html.j2`, placed after Markdown has run) are rendered with Jinja2's autoescaping, so every
value is HTML-escaped unless it is `Markup`. Either way a template that forgets to escape a value still
cannot let YAML text become Markdown or HTML.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import jinja2
from markupsafe import Markup

from generator.model.architecture import is_slug
from generator.render.text import code, inline, preformatted

STATE_MARK = {"ok": "✔ ok", "degraded": "▲ degraded", "down": "✖ down"}


def _finalize(value: Any) -> Any:
    if value is None:
        return ""
    return value if isinstance(value, Markup) else inline(value)


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("generator.render", "templates"),
        autoescape=False,  # noqa: S701 (values are escaped for Markdown by _finalize; HTML escaping is not enough)
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["seconds"] = seconds
    env.filters["link"] = link
    env.filters["preformatted"] = preformatted
    env.filters["code"] = code
    env.filters["url"] = url
    env.filters["anchor"] = anchor
    return env


@functools.cache
def html_environment() -> jinja2.Environment:
    """The environment of the HTML fragments: autoescaping, so values are escaped for HTML (a macro's
    output is `Markup` already, and is not escaped twice)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("generator.render", "templates"),
        autoescape=True,
        finalize=lambda value: "" if value is None else value,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["seconds"] = seconds
    env.filters["preformatted"] = preformatted
    env.filters["mark"] = mark
    env.filters["oneline"] = oneline
    return env


def render(template: str, **context: Any) -> str:
    env = html_environment() if template.endswith(".html.j2") else environment()
    return env.get_template(template).render(**context)


def oneline(value: object) -> str:
    """Text on one line: every run of whitespace, newlines included, as one space."""
    return " ".join(str(value).split())


def mark(value: str) -> Markup:
    """A state in a matrix cell, whose class gives the colour: the symbol and the word."""
    return Markup(STATE_MARK[value])


def seconds(value: int | None) -> Markup:
    if value is None:
        return Markup("not until repaired")
    if value == 0:
        return Markup("&#8211;")
    minutes, rest = divmod(value, 60)
    return Markup(f"{value} s" if not minutes else f"{minutes} min" + (f" {rest} s" if rest else ""))


_URL = re.compile(r"[A-Za-z0-9._~:/?#@!$&'()*+,;=%-]+")


def url(target: str) -> Markup:
    """A link target: built by this project from slugs and catalog URLs, checked to hold nothing else."""
    if not _URL.fullmatch(target) or target.lower().startswith(("javascript:", "data:", "vbscript:")):
        raise ValueError(f"not a safe link target: {target!r}")
    return Markup(target)


def anchor(ident: str) -> Markup:
    """A heading id (for `{ #id }`): lower-case letters, digits and hyphens only."""
    if not is_slug(ident):
        raise ValueError(f"not a safe anchor: {ident!r}")
    return Markup(ident)


def link(label: object, target: str) -> Markup:
    """A Markdown link with a safe label."""
    return Markup(f"[{inline(label)}]({url(target)})")
