"""As built beside as designed: a file that names its design (`as_built_of`, written by `refarch import`)
gets no page of its own; its design's page shows it at the top of the verdict, with the drift and the
source's time, and offers the file for download. The pairing spans two files, so it is made once both
are checked, in every build (the per-file cache holds each file's own pages only)."""

from __future__ import annotations

from generator.analysis import drift
from generator.catalog import Catalog
from generator.imports.write import KIND_NAMES
from generator.render import drift as drift_report
from generator.render.pages import render
from generator.rules.validate import Checked

FRAGMENT = "asbuilt"  # the marker `<!-- refarch:fragment:asbuilt -->` at the top of a design's verdict


def pairs(results: list[Checked]) -> dict[str, Checked]:
    """Each valid as-built file by the id of its design, when that design is among the valid files."""
    valid = {r.architecture.id: r for r in results if r.architecture is not None and r.ok}
    return {r.architecture.as_built_of: r for r in valid.values()
            if r.architecture.as_built_of is not None and r.architecture.as_built_of in valid
            and r.architecture.as_built_of != r.architecture.id}


def fragment(design: Checked, built: Checked, facts: Catalog) -> str:
    """The HTML the design's page shows of its as-built file."""
    arch = built.architecture
    result = drift.compare(design.architecture, arch, facts)
    source = arch.source
    return render("as_built.html.j2", drift=result, tolerates=_tolerates(result.tolerates[1]),
                  differences=drift_report.differences(result),
                  source=f"{KIND_NAMES.get(source.kind, source.kind)} {source.file}" if source else arch.id,
                  taken=source.taken if source else None, file=f"{arch.id}.yaml")


def _tolerates(value: int | None) -> str:
    if value is None:
        return "no host failure: an operation does not work at all"
    return f"{value} host failure{'s' if value != 1 else ''}"
