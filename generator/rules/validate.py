"""Check architecture files: safe loading, the schema, then the cross-checks. Every problem is collected."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from generator import catalog
from generator.model import loader, schema_check
from generator.model.architecture import Architecture
from generator.model.crosscheck import cross_check
from generator.model.loader import SourceMap
from generator.model.problem import Problem, has_errors, sorted_problems
from generator.rules import lint
from generator.rules.lint import Waived

SUFFIXES = (".yaml", ".yml")


class UsageError(Exception):
    """A path that cannot be checked at all (missing, unreadable, holding no architecture file)."""


@dataclasses.dataclass(frozen=True)
class Checked:
    """The outcome for one file."""

    path: str
    # The validated model when the file fits the schema (it may still have cross-check errors).
    architecture: Architecture | None
    source: SourceMap
    problems: list[Problem]
    waived: list[Waived] = dataclasses.field(default_factory=list)
    raw: bytes = b""  # the file's content as read

    @property
    def ok(self) -> bool:
        return self.architecture is not None and not has_errors(self.problems)


def check_bytes(raw: bytes, path: str, stem: str) -> Checked:
    """Check one file's content; `path` labels the problems and `stem` is the file name without suffix.

    The redundancy rules run once the file fits the schema and its references resolve.
    """
    loaded = loader.load(raw, path)
    architecture, problems = schema_check.validate(loaded, path)
    problems = loaded.problems + problems
    waived: list[Waived] = []
    if architecture is not None:
        facts = catalog.load()
        references = cross_check(architecture, loaded.source, path, stem, facts)
        problems += references
        if not has_errors(problems):
            outcome = lint.run(architecture, loaded.source, path, facts)
            problems += outcome.problems
            waived = outcome.waived
    return Checked(path, architecture, loaded.source, sorted_problems(problems), waived, raw)


def check_file(file: Path, display: str | None = None) -> Checked:
    """Check one file; `display` is how problems name it (default: the path as given)."""
    path = display or file.as_posix()
    try:
        with file.open("rb") as handle:
            raw = handle.read(loader.MAX_FILE_BYTES + 1)  # one byte more tells the file is too large
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror}") from None
    return check_bytes(raw, path, file.stem)


def find_files(paths: list[Path]) -> list[Path]:
    """The architecture files named, or found below the folders named, in a stable order."""
    found: list[Path] = []
    for given in paths:
        if given.is_dir():
            inside = sorted(
                file for file in given.rglob("*")
                if file.suffix in SUFFIXES and file.is_file()
                and not any(part.startswith(".") for part in file.relative_to(given).parts)
            )
            if not inside:
                raise UsageError(f"no .yaml files found in {given.as_posix()}")
            found += inside
        elif given.is_file():
            found.append(given)
        else:
            raise UsageError(f"no such file or folder: {given.as_posix()}")
    return list(dict.fromkeys(found))


def check_paths(paths: list[Path]) -> list[Checked]:
    return [check_file(file) for file in find_files(paths)]
