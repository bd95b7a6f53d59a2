"""The published site without what it never uses: blank runs the theme's templates leave in every page,
and theme files the site's configuration never loads.

Pure text functions, and one that works on a built site's folder (never on the repository); the MkDocs
plugin calls them on each page and once the build is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

# Left exactly as they are: comments, and elements whose whitespace is their content (Material shows
# keys, <kbd>, with their whitespace too). Else a run of whitespace.
_PIECES = re.compile(r"(<!--.*?-->|<(pre|textarea|script|style|code|kbd)\b.*?</\2\s*>)|\s+", re.S | re.I)
_SOURCE_MAP = re.compile(rb"\n//# sourceMappingURL=[^\n/]+\.map\n?$")
LUNR = Path("assets/javascripts/lunr")


def squeeze(html: str) -> str:
    """The page with every run of whitespace that holds a line break and touches a tag cut to one line
    break, outside what `_PIECES` keeps. A browser renders it the same (a run of whitespace between
    words or elements is one space), and Material's templates leave a third of a short page blank."""

    def piece(found: re.Match) -> str:
        if found.group(1) is not None:
            return found.group(1)
        run = found.group(0)
        touches_a_tag = html[found.start() - 1:found.start()] == ">" or html[found.end():found.end() + 1] == "<"
        return "\n" if "\n" in run and touches_a_tag else run

    return _PIECES.sub(piece, html)


def search_files_needed(languages: Iterable[str]) -> set[Path]:
    """The files under `LUNR` that Material's search worker loads for these languages: a stemmer for
    each language but English, the segmenters of Japanese, Hindi and Thai, and the glue for several
    languages at once."""
    languages = list(languages)
    needed: set[Path] = set()
    for lang in languages:
        if lang == "ja":
            needed.add(LUNR / "tinyseg.js")
        if lang in ("hi", "th"):
            needed.add(LUNR / "wordcut.js")
        if lang != "en":
            needed.add(LUNR / "min" / f"lunr.{lang}.min.js")
    if len(languages) > 1:
        needed.add(LUNR / "min" / "lunr.multi.min.js")
    if needed:
        needed.add(LUNR / "min" / "lunr.stemmer.support.min.js")
    return needed


def prune_theme_files(site: Path, languages: Iterable[str]) -> list[Path]:
    """Remove from a built site the theme's source maps (for debugging the theme, fetched only by a
    browser's developer tools; the reference to each goes too) and the search languages the site does
    not use. Returns what it removed, relative to `site`."""
    removed: list[Path] = []
    for source_map in sorted((site / "assets").rglob("*.map")):
        script = source_map.with_suffix("")
        if script.is_file():
            script.write_bytes(_SOURCE_MAP.sub(b"\n", script.read_bytes()))
        source_map.unlink()
        removed.append(source_map.relative_to(site))
    needed = search_files_needed(languages)
    if (site / LUNR).is_dir():
        for path in sorted((site / LUNR).rglob("*.js")):
            if path.relative_to(site) not in needed:
                path.unlink()
                removed.append(path.relative_to(site))
        for folder in [*sorted((p for p in (site / LUNR).rglob("*") if p.is_dir()), reverse=True), site / LUNR]:
            if not any(folder.iterdir()):
                folder.rmdir()
    return removed
