"""Dirty builds (`mkdocs serve --dirty`, which `make serve` runs): MkDocs renders only the pages whose
file changed since the last build. Left to itself it would count every generated file as changed, leave
the other pages' navigation stale after a new title, keep serving pages no longer generated, and
Material's search would keep the entries of only the first page rendered (its merge assumes one page).

So `DirtyBuilds` remembers what the last finished build generated and tells MkDocs:
- which generated files are the same as before (`GeneratedFile.same_as_before`);
- that every page is rendered again when the navigation or `mkdocs.yml` changed or a hand-written page
  was edited, and the home page when its comparison table changed (MkDocs renders a hand-written page
  again when its output is gone, so the output is removed);
- which outputs are gone with the pages that were removed;
and it hands Material's search every page's entries: those of the pages rendered now, and the others'
from the builds that rendered them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.structure.files import File, Files

from generator.site import builder as site

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.pages import Page

_TITLE = re.compile(r"^# (.*)$", re.MULTILINE)


class GeneratedFile(File):
    """A generated page or asset that tells a dirty build whether it is the same as in the previous one."""

    same_as_before = False

    def is_modified(self) -> bool:
        return not (self.same_as_before and os.path.isfile(self.abs_dest_path))


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """What a build generated: a digest per generated file (the home page's generated part as
    `index.md`), and what every page's navigation and frame depend on."""

    digests: dict[str, str]
    frame: tuple


class DirtyBuilds:
    def __init__(self, dirty: bool) -> None:
        self.dirty = dirty
        self.done = Snapshot({}, ())  # the last build that finished
        self.pending = self.done
        self.rendered = 0  # pages rendered by this build
        self.search_entries: dict[str, list[Any]] = {}  # page URL -> its entries in Material's search index
        self.pages: set[str] = set()  # the URLs of this build's pages
        self._indexed = 0

    def add_files(self, files: Files, built: site.Site, config: MkDocsConfig) -> None:
        """Add the generated pages and assets to `files`, telling a dirty build what changed."""
        digests = {path: _digest(content, built.fragments.get(path, {}))
                   for path, content in {**built.pages, **built.assets}.items()}
        digests["index.md"] = _digest(built.home_table, {})
        hand_written = files.documentation_pages()
        frame = (tuple(sorted(f.src_uri for f in hand_written)),
                 tuple(sorted((path, _title(text)) for path, text in built.pages.items())),
                 _digest(Path(config.config_file_path).read_bytes(), {}))
        everything = not self.dirty or frame != self.done.frame or any(f.is_modified() for f in hand_written)
        if self.dirty:
            home_changed = self.done.digests.get("index.md") != digests["index.md"]
            for page in hand_written:
                if everything or (page.src_uri == "index.md" and home_changed):
                    Path(page.abs_dest_path).unlink(missing_ok=True)
            for path in sorted(self.done.digests.keys() - digests.keys()):  # no longer generated
                _remove_output(File(path, src_dir=None, dest_dir=config.site_dir,
                                    use_directory_urls=config.use_directory_urls), Path(config.site_dir))
        for path, content in sorted({**built.pages, **built.assets}.items()):
            generated = GeneratedFile.generated(config, path, content=content)
            generated.same_as_before = not everything and self.done.digests.get(path) == digests[path]
            files.append(generated)
        self.pending = Snapshot(digests, frame)
        self.pages = {f.url for f in files.documentation_pages()}
        self.rendered = self._indexed = 0

    def page_rendered(self, page: Page, search: Any) -> None:
        """Count a page rendered; keep the search entries Material added for it (it indexes pages one by
        one, each just before this is called)."""
        self.rendered += 1
        entries = getattr(getattr(search, "search_index", None), "entries", None)
        if self.dirty and isinstance(entries, list):
            self.search_entries[page.url] = entries[self._indexed:]
            self._indexed = len(entries)

    def finish(self, search: Any) -> None:
        """The build is written: remember it, and give Material's search every page's entries, in page
        order, instead of its own merge."""
        self.done = self.pending
        index = getattr(search, "search_index", None)
        if self.dirty and isinstance(getattr(index, "entries", None), list) and hasattr(search, "search_index_prev"):
            self.search_entries = {url: found for url, found in self.search_entries.items() if url in self.pages}
            index.entries = [entry for url in sorted(self.search_entries) for entry in self.search_entries[url]]
            search.search_index_prev = None


def _remove_output(file: File, site_dir: Path) -> None:
    """Remove a file's output and the folders it leaves empty, up to the site's folder."""
    output = Path(file.abs_dest_path)
    output.unlink(missing_ok=True)
    folder = output.parent
    while folder != site_dir and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def _digest(content: str | bytes, fragments: dict[str, str]) -> str:
    data = content.encode() if isinstance(content, str) else content
    digest = hashlib.sha256(data)
    for name in sorted(fragments):
        digest.update(b"\0" + name.encode() + b"\0" + fragments[name].encode())
    return digest.hexdigest()


def _title(markdown: str) -> str:
    found = _TITLE.search(markdown)
    return found.group(1) if found else ""
