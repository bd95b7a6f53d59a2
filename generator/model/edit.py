"""Change values of an architecture file in its text, touching only the lines that change.

A change names a value by its path (`("vms", 3, "host")`); the loader's source map says where that value
stands, so the rest of the file (comments, layout, quoting) stays as its author wrote it. A key the file
does not have yet is added as the first line of its mapping, at its keys' indentation (block mappings only:
a flow mapping `{...}` is not edited).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from generator.model.loader import Path, SourceMap

PLAIN = re.compile(r"[^\s,\]\}#]+")  # a plain scalar in block or flow context
QUOTED = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"\\]|\\.)*\"")


class EditError(Exception):
    """The value cannot be changed in place (a flow mapping to add to, a value that is not a scalar)."""


def apply(text: str, source: SourceMap, changes: Iterable[tuple[Path, str]]) -> str:
    """`text` with the value at each path set to a plain scalar (the path's mapping must exist)."""
    lines = text.splitlines(keepends=True)
    inserts: list[tuple[int, str]] = []
    for path, value in changes:
        if path in source.values:
            at = source.values[path]
            line = lines[at.line - 1]
            start = at.col - 1
            found = QUOTED.match(line, start) or PLAIN.match(line, start)
            if found is None:
                raise EditError(f"no scalar at line {at.line}, column {at.col}")
            lines[at.line - 1] = line[:start] + value + line[found.end():]
        else:
            parent, key = path[:-1], path[-1]
            siblings = [(loc, p) for p, loc in source.keys.items() if p[:-1] == parent and len(p) == len(path)]
            if not siblings:
                raise EditError(f"no mapping at {'.'.join(map(str, parent))} to add {key} to")
            first = min(siblings, key=lambda item: (item[0].line, item[0].col))[0]
            if "{" in lines[first.line - 1][:first.col]:
                raise EditError(f"{'.'.join(map(str, parent))} is a flow mapping")
            # before the mapping's first key: after its last one, that key's value may run on for lines
            inserts.append((first.line - 1, " " * (first.col - 1) + f"{key}: {value}\n"))
    for after, line in sorted(inserts, reverse=True):
        lines.insert(after, line)
    return "".join(lines)
