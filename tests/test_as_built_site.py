"""An as-built file beside its design on the site: no page of its own, "as built" at the top of the
design's verdict with the drift and the source's time, and the file offered for download."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sitebuild import build, project

ROOT = Path(__file__).resolve().parent.parent
DESIGN = (ROOT / "architectures" / "kvm-three-hosts.yaml").read_text()


def as_built() -> str:
    """The design as a cluster that lost kvm-03 runs it, as `refarch import` writes one."""
    text = DESIGN.replace("id: kvm-three-hosts", "id: kvm-three-hosts-as-built\nas_built_of: kvm-three-hosts\n"
                          "source: {kind: pacemaker, file: cib.xml, taken: \"Sat Dec  5 10:00:00 2026\"}")
    text = text.replace("{name: kvm-03,", "{name: kvm-03, state: offline,", 1)
    return text.replace("{name: vol-02, host: kvm-03,", "{name: vol-02, host: kvm-01,")


def text_of(path: Path) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", path.read_text()).split())


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("as-built")
    folder = project(tmp / "project", {"kvm-three-hosts.yaml": DESIGN, "kvm-three-hosts-as-built.yaml": as_built()})
    done = build(folder, tmp / "site")
    assert done.returncode == 0, done.stderr
    return tmp / "site"


def test_the_design_page_shows_as_built_beside_as_designed(built):
    page = built / "architectures" / "kvm-three-hosts" / "index.html"
    words = text_of(page)
    assert "As built (Pacemaker CIB cib.xml, taken Sat Dec 5 10:00:00 2026): ✖ tolerates 0 host failures" in words
    assert "where the design tolerates 1; 18 operations tolerate less" in words
    assert "vol-02 runs on kvm-01, not kvm-03" in words and "host kvm-03 is offline" in words
    html = page.read_text()
    assert html.index("data-refarch-as-built") < html.index("refarch-verdict-headline")  # at the top
    assert (built / "architectures" / "kvm-three-hosts" / "kvm-three-hosts-as-built.yaml").read_text() == as_built()


def test_the_as_built_file_has_no_page_of_its_own(built):
    assert not (built / "architectures" / "kvm-three-hosts-as-built").exists()
    assert not (built / "build-guides" / "kvm-three-hosts-as-built").exists()
    assert "kvm-three-hosts-as-built" not in (built / "architectures" / "index.html").read_text()


def test_a_design_without_an_as_built_file_shows_none(built):
    assert "data-refarch-as-built" not in (built / "build-guides" / "kvm-three-hosts" / "index.html").read_text()
    assert "refarch:fragment:asbuilt" not in (built / "architectures" / "kvm-three-hosts" / "index.html").read_text()


def test_an_as_built_files_findings_are_what_the_cloud_lost_reported_but_expected():
    from generator.rules.validate import check_bytes

    result = check_bytes(as_built().encode(), "kvm-three-hosts-as-built.yaml", "kvm-three-hosts-as-built")
    lost = [p for p in result.problems if p.rule == "RED006"]
    assert lost and all(p.expected for p in lost) and result.ok
