"""The documentation site: a strict build, refusal to publish broken designs, hostile text, reproducibility."""

from __future__ import annotations

import filecmp
import html
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sitebuild import HOSTILE, ROOT, SHARED_CACHE, build, project

from generator import catalog
from generator.analysis import availability
from generator.analysis.design import analyse
from generator.analysis.engine import DOWN, PHASES
from generator.render.pages import seconds
from generator.rules.validate import check_file
from generator.site.output import LUNR


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    folder = project(tmp_path_factory.mktemp("project"), cache=SHARED_CACHE)
    out = tmp_path_factory.mktemp("site")
    result = build(folder, out, PYTHONHASHSEED="1")
    assert result.returncode == 0, result.stderr
    return out


def text_of(page: Path | str) -> str:
    """What a reader sees of a page: its text without tags and scripts (data for scripts included)."""
    raw = page.read_text() if isinstance(page, Path) else page
    raw = re.sub(r"<script\b.*?</script>", "", raw, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", raw)).split())


def test_strict_build_of_the_real_site_has_every_page(built):
    for arch in ROOT.glob("architectures/*.yaml"):
        page = built / "architectures" / arch.stem / "index.html"
        assert page.is_file(), arch.stem
        assert (built / "architectures" / arch.stem / "placement.svg").is_file()
        assert (built / "architectures" / arch.stem / f"{arch.stem}.yaml").read_bytes() == arch.read_bytes()
    for arch in ROOT.glob("architectures/*.yaml"):
        assert (built / "build-guides" / arch.stem / "index.html").is_file(), arch.stem
        assert (built / "build-guides" / arch.stem / f"{arch.stem}-failure-drill.txt").is_file()
    for page in ("index.html", "catalog/index.html", "catalog/operations/index.html", "catalog/platforms/index.html",
                 "rules/index.html", "rules/red006/index.html", "rules/structural/index.html",
                 "when-a-service-is-down/index.html", "concepts/index.html"):
        assert (built / page).is_file(), page


def test_home_page_compares_every_architecture(built):
    home = text_of(built / "index.html")
    assert "Counterexample: the basic six-VM model" in home
    assert "KVM with Pacemaker, three hosts, OVN" in home
    assert "<!-- refarch:architectures -->" not in (built / "index.html").read_text()


def test_the_cell_region_is_compared_and_its_page_shows_cells_and_what_it_does_not_offer(built):
    home = text_of(built / "index.html")
    assert "vSphere large region, twelve hosts in three racks, Nova cells" in home
    assert "ML2/OVN, ceph volumes, 2 Nova cells" in home and "ML2/OVS, L3 HA, san volumes, 1 Nova cell" in home
    region = text_of(built / "architectures" / "vsphere-large-region" / "index.html")
    assert "Nova cells cell1, cell2: each with its own database, queue and conductors" in region
    assert ("Not offered Existing routed and floating-IP traffic, Upload an object, Create a share, Manage a share, "
            "Deploy a bare-metal node (what they need is not deployed, or runs outside this cluster)") in region
    assert "Delete an instance in cell1" in region  # operations on existing instances, judged once per cell
    catalog = text_of(built / "catalog" / "index.html")
    assert "With storage_backend: ceph and coordination: etcd: requires rabbitmq, galera, etcd" in catalog
    assert "an operator must bring it back" in catalog  # galera after a total loss


def test_counterexample_page_explains_why(built):
    page = text_of(built / "architectures" / "basic-six-vms" / "index.html")
    assert "Counterexample: do not build this" in page
    assert "galera (lost quorum): esxi-02 failed" in page  # a cell's why, naming the root cause
    assert "esxi-02 failed. 3 of 6 VMs are down." in page  # that scenario's root causes, said once
    assert "RED002: expected error" in page


def test_platform_parts_are_on_the_pages(built):
    page = text_of(built / "architectures" / "hyperv-four-hosts" / "index.html")
    assert "fsw-01 (file-share witness)" in page and "csv-01 (csv storage)" in page
    raw = (built / "architectures" / "vsphere-four-hosts" / "index.html").read_text()
    matrix = raw[raw.index('id="failure-impact"'):]
    matrix = matrix[:matrix.index("</table>")]  # right after the failure: hosts, domains, platform parts
    rows = matrix.split("<tbody>")[1].split("<tr>")[1:]
    columns = [text_of(c) for c in re.findall(r'<th scope="col"[^>]*>.*?</th>', matrix.split("</tr>")[1])]
    where = columns.index("datastore-01")
    for name in ("Authenticate", "Boot an instance"):
        row = next(r for r in rows if text_of(r.split("</th>")[0]).startswith(name))
        assert 'class="refarch-down"' in row.split("<td")[1 + where], name
    guide = text_of(built / "build-guides" / "kvm-three-hosts" / "index.html")
    assert "ipmi, then sbd" in guide and "ceph-mgmt (ceph)" in guide
    platforms = text_of(built / "catalog" / "platforms" / "index.html")
    assert "ResiliencyDefaultPeriod (240 s)" in platforms and "no-quorum-policy" in platforms
    rules = text_of(built / "rules" / "index.html")
    assert "Retired rules" in rules and "RED011" in rules and "ClusterEnforcedAntiAffinity" in rules


def test_outage_page_answers_per_service(built):
    raw = (built / "when-a-service-is-down" / "index.html").read_text()
    rabbit = text_of(raw[raw.index('id="rabbitmq"'):raw.index('id="memcached"')])
    assert "Stops: boot-instance" in rabbit
    assert "list-instances" in rabbit.split("Keeps working:")[1]


def test_an_architecture_with_errors_stops_the_build_with_positions(tmp_path):
    broken = HOSTILE.replace("id: hostile", "id: broken").replace("host: kvm-02", "host: kvm-09")
    result = build(project(tmp_path / "p", {"broken.yaml": broken}), tmp_path / "out")
    assert result.returncode != 0
    assert re.search(r"architectures/broken\.yaml:\d+:\d+: error \[REF002\] vms\[1\]", result.stderr), result.stderr


def test_a_rule_warning_fails_a_strict_build(tmp_path):
    # Four rabbitmq members on four hosts (with a quorum device for the four-host cluster): only a warning.
    even = (HOSTILE.replace("id: hostile", "id: even").replace("fencing: ipmi", "fencing: ipmi\n  witness: qdevice")
            .replace("vms:\n", "  - {name: kvm-04}\nvms:\n  - {name: mq-04, host: kvm-04, services: [rabbitmq]}\n"))
    result = build(project(tmp_path / "p", {"even.yaml": even}), tmp_path / "out")
    assert result.returncode != 0
    assert re.search(r"WARNING .*architectures/even\.yaml:\d+:\d+: warning \[RED003\]", result.stderr), result.stderr
    assert "error [" not in result.stderr


class Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.found += [(tag, name, value or "") for name, value in attrs]


def test_hostile_text_is_inert(tmp_path):
    result = build(project(tmp_path / "p", {"hostile.yaml": HOSTILE}), tmp_path / "out")
    assert result.returncode == 0, result.stderr
    raw = (tmp_path / "out" / "architectures" / "hostile" / "index.html").read_text()
    parser = Attributes()
    parser.feed(raw)
    assert not [a for a in parser.found if a[1].startswith("on")], "event handler attribute"
    urls = [value.strip().lower() for _, name, value in parser.found if name in ("href", "src", "action")]
    assert not [u for u in urls if u.startswith(("javascript:", "vbscript:", "data:"))]
    # The page has the scripts every Material page has, and not one more.
    plain = (tmp_path / "out" / "concepts" / "index.html").read_text()
    data = '<script type="application/json">'  # the explorer's model: data, never run
    assert raw.count("<script") - raw.count(data) == plain.count("<script") and raw.count(data) == 1
    text = text_of(tmp_path / "out" / "architectures" / "hostile" / "index.html")
    assert "{{ 7*7 }}" in text and "49" not in text.replace("1.49", "")
    assert '--8<-- "/etc/passwd"' in text and "root:x:0" not in text
    assert "{% raw %}x{% endraw %}" in text
    assert "{: onclick='alert(6)' } {{ config.site_name }}" in text
    assert "Hostile { onclick=alert(1) } [x](javascript:alert(2)) {{ 7*7 }} | cell" in text
    guide = (tmp_path / "out" / "build-guides" / "hostile" / "index.html").read_text()
    parser = Attributes()
    parser.feed(guide)
    assert not [a for a in parser.found if a[1].startswith("on")]
    assert guide.count("<h1") == 1 and "{{ 7*7 }}" in text_of(guide)
    # Text cannot leave its table cell or become a heading.
    assert not re.search(r"<h\d[^>]*>[^<]*Injected heading", raw)
    assert "cell | with a pipe # Injected heading | a | b |" in text


def test_two_builds_are_byte_identical_whatever_the_hash_seed_file_order_and_cache_faults(built, tmp_path):
    """A cold build (every design analysed, every diagram drawn) of the files written in reverse order,
    under another hash seed, with a cache that cannot be written (a file where its folder goes: no entry,
    diagram or compiled template can be kept), gives the site `built` gives: the designs written in order,
    hash seed 1, and analysed once for the whole session (the shared cache)."""
    shipped = {p.name: p.read_text() for p in sorted(ROOT.glob("architectures/*.yaml"))}
    backward = project(tmp_path / "b", dict(reversed(shipped.items())))
    (backward / ".cache").mkdir()
    (backward / ".cache" / "refarch").write_text("not a folder")
    done = build(backward, tmp_path / "two", PYTHONHASHSEED="2")
    assert done.returncode == 0, done.stderr
    assert "could not be written" in done.stderr
    mismatch = _differences(built, tmp_path / "two")
    assert mismatch == [], mismatch[:5]


def _differences(left: Path, right: Path) -> list[str]:
    found = []

    def walk(cmp: filecmp.dircmp, prefix: str = "") -> None:
        found.extend(prefix + name for name in cmp.left_only + cmp.right_only + cmp.funny_files)
        _, mismatch, errors = filecmp.cmpfiles(cmp.left, cmp.right, cmp.common_files, shallow=False)
        found.extend(prefix + name for name in mismatch + errors)
        for name, sub in sorted(cmp.subdirs.items()):
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(left, right))
    return found


def test_a_warm_rebuild_runs_dot_zero_times(tmp_path):
    real = shutil.which("dot")
    shims = tmp_path / "bin"
    shims.mkdir()
    log = tmp_path / "dot-runs.log"
    (shims / "dot").write_text(f'#!/bin/sh\ncase "$*" in *-Tsvg*) echo run >> "{log}";; esac\nexec "{real}" "$@"\n')
    (shims / "dot").chmod(0o755)
    # every shipped design but the large region, whose analysis the other builds already time
    small = {p.name: p.read_text() for p in sorted(ROOT.glob("architectures/*.yaml")) if "large" not in p.name}
    folder = project(tmp_path / "p", small)
    path = f"{shims}:{os.environ['PATH']}"
    assert build(folder, tmp_path / "cold", PATH=path).returncode == 0
    cold = log.read_text().count("run")
    assert cold >= len(small) * 2  # at least placement and topology of every design
    assert build(folder, tmp_path / "warm", PATH=path).returncode == 0
    assert log.read_text().count("run") == cold


def test_the_built_site_has_no_source_maps_or_unused_search_languages(built):
    assert not list(built.rglob("*.map"))
    assert not (built / LUNR).exists()  # English needs none of them
    scripts = list((built / "assets" / "javascripts").rglob("*.js"))
    assert scripts and all(b"sourceMappingURL" not in path.read_bytes() for path in scripts)
    assert list((built / "assets" / "javascripts" / "workers").glob("search.*.min.js"))  # the search itself stays


def test_the_built_pages_have_no_blank_lines_outside_verbatim_elements(built):
    page = (built / "rules" / "red001" / "index.html").read_text()
    outside = re.sub(r"<(pre|textarea|script|style|code)\b.*?</\1\s*>", "<kept/>", page, flags=re.S | re.I)
    assert "\n\n" not in outside and not re.search(r"\n[ \t]+<", outside)


def test_the_verdict_and_the_summaries_say_what_the_analysis_found(built):
    """Each claim at the top of a page and in its summaries, against the analysis read directly."""
    arch = check_file(ROOT / "architectures" / "kvm-three-hosts.yaml").architecture
    analysis = analyse(arch, catalog.load())
    facts = analysis.engine.facts
    control = [oid for oid, op in facts.operations.items() if op.plane == "control"]
    text = text_of(built / "architectures" / "kvm-three-hosts" / "index.html")
    tolerates = analysis.tolerance.tolerates
    assert f"Tolerates {tolerates} host failure{'s' if tolerates != 1 else ''} of {len(arch.hosts)}" in text
    for impact in analysis.sets["failure domains"]:
        if not any(impact.phase(phase).operations[oid].state == DOWN for phase in PHASES for oid in control):
            assert f"{', '.join(sorted(impact.scenario.domains))} tolerated" in text
    probability, least = max((op.unavailability, oid) for oid, op in analysis.tolerance.operations.items()
                             if oid in control and op.unavailability is not None)
    minutes, nines = availability.in_words(probability)
    assert f"{nines} for the least available control-plane operation ({least}, down {minutes}" in text
    cuts = [cut for oid in control for cut in analysis.tolerance.operations[oid].minimal_cut_sets]
    smallest = min(map(len, cuts))
    assert any("{" + ", ".join(cut) + "}" in text for cut in cuts if len(cut) == smallest)
    pairs = analysis.summaries["pairs of hosts"]
    stopping = sum(any(oid in found.stopped["immediate"] for oid in control) for found in pairs)
    assert f"{stopping} of {len(pairs)} host pairs stop" in text

    # An operation a host failure stops says when it is back, in the matrix of the counterexample.
    counter = analyse(check_file(ROOT / "architectures" / "basic-six-vms.yaml").architecture, catalog.load())
    page = text_of(built / "architectures" / "basic-six-vms" / "index.html")
    backs = {impact.recovery_seconds[oid] for impact in counter.sets["single hosts"] for oid in control
             if impact.immediate.operations[oid].state == DOWN and impact.recovery_seconds[oid]}
    assert backs and all(f"back in {seconds(back)}" in page for back in backs)
