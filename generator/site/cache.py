"""A content-addressed cache of what the site makes of each architecture file, across builds.

The key of an entry is a hash of everything that shapes its pages and assets: the file's bytes and
path, the generator's code, templates and catalog (every file of the `generator` package), the versions
of the installed Python distributions, and the Graphviz build. So an unchanged design costs a file read
on a warm build, and an edit to the design, the catalog, a rule or a template rebuilds exactly what it
touches. An entry holds its own key and a hash of its content: a corrupt, truncated or foreign entry is
detected, counted as `rejected` and rebuilt, never served. Entries are written whole (a temporary file,
then a rename), so two builds at once cannot leave half an entry. An entry that cannot be written (a
full disk, a read-only folder, a directory where the entry goes) is left out and said in `unwritable`:
the build goes on with what it made, which is what a build without the cache makes. The folder is safe
to delete.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import hashlib
import json
from importlib import metadata
from pathlib import Path
from typing import Any

from generator.files import write_whole
from generator.model.problem import Problem, Severity
from generator.render.diagram import graphviz_version

FORMAT = "3"  # bump when the shape of an entry changes
PACKAGE = Path(__file__).resolve().parent.parent  # the generator package
CODE_SUFFIXES = (".py", ".j2", ".yaml", ".json")


def code_fingerprint(package: Path = PACKAGE) -> str:
    """A hash of the generator's code, templates and catalog, and of the installed distributions.

    The files are read on every build (a few milliseconds): `mkdocs serve` reloads the catalog when it
    changes."""
    digest = hashlib.sha256(FORMAT.encode())
    for path in sorted(p for p in package.rglob("*") if p.suffix in CODE_SUFFIXES and "__pycache__" not in p.parts):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(_installed().encode())
    digest.update(graphviz_version().encode())
    return digest.hexdigest()


@functools.cache  # read once per process: what is installed does not change under a running build or server
def _installed() -> str:
    return "\n".join(sorted(f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions()))


def key(*parts: str | bytes) -> str:
    """The key of an entry: a hash of its inputs, each told apart from the next."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


@dataclasses.dataclass(frozen=True)
class Unit:
    """What the site makes of one architecture file: pages (Markdown), assets (bytes), its row in the
    comparison table, the HTML fragments its pages place (`site.insert_fragments`) and its problems."""

    pages: dict[str, str]
    assets: dict[str, bytes]
    row: dict[str, Any]
    fragments: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)
    problems: list[Problem] = dataclasses.field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"pages": self.pages, "row": self.row, "fragments": self.fragments,
                "problems": [dataclasses.asdict(p) for p in self.problems],
                "assets": {path: base64.b64encode(data).decode() for path, data in self.assets.items()}}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Unit:
        return cls(dict(value["pages"]), {path: base64.b64decode(data, validate=True)
                                          for path, data in value["assets"].items()}, dict(value["row"]),
                   {page: dict(parts) for page, parts in value["fragments"].items()},
                   [Problem(**(p | {"severity": Severity(p["severity"])})) for p in value["problems"]])


class Store:
    """Entries in a folder (None: nothing is kept), with counters of what each build found."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.hits = 0
        self.misses = 0
        self.rejected = 0
        self.unwritable: str | None = None  # why the first entry that could not be written was not

    def get(self, entry_key: str, counted: bool = True) -> Unit | None:
        """The entry for that key, if it is there and sound; `counted`: in the counters (an architecture
        file's entry; the pages every build shares are not)."""
        found, outcome = self._read(entry_key)
        if counted:
            self.hits += outcome == "hit"
            self.misses += outcome == "miss"
            self.rejected += outcome == "rejected"
        return found

    def _read(self, entry_key: str) -> tuple[Unit | None, str]:
        if self.folder is None:
            return None, "miss"
        path = self.folder / f"{entry_key}.json"
        try:
            stored = json.loads(path.read_bytes())
            content = stored["content"]
            if stored["key"] != entry_key or stored["sha256"] != _digest(content):
                raise ValueError("entry does not match its key or its content hash")
            unit = Unit.from_json(content)
        except FileNotFoundError:
            return None, "miss"
        except (OSError, ValueError, KeyError, TypeError):  # corrupt or foreign: rebuild it, never serve it
            return None, "rejected"
        return unit, "hit"

    def put(self, entry_key: str, unit: Unit) -> None:
        if self.folder is None:
            return
        content = unit.to_json()
        text = json.dumps({"key": entry_key, "sha256": _digest(content), "content": content}, sort_keys=True)
        path = self.folder / f"{entry_key}.json"
        error = write_whole(path, text.encode())
        if error is not None:
            self.unwritable = self.unwritable or f"{error.strerror or error} ({path})"


def _digest(content: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
