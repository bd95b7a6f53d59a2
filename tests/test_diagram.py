"""Diagrams: every view renders, deterministic, self-contained, safe with hostile text, cached."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from generator import catalog, diagram
from generator.impact import Engine, Scenario
from generator.validate import check_file

ROOT = Path(__file__).resolve().parent.parent
FACTS = catalog.load()
SHIPPED = sorted((ROOT / "architectures").glob("*.yaml"))
SVG = "{http://www.w3.org/2000/svg}"


def architecture(name: str = "kvm-three-hosts"):
    return check_file(ROOT / "architectures" / f"{name}.yaml").architecture


def every_view(arch) -> list[diagram.Drawing]:
    engine = Engine(arch, FACTS)
    views = [diagram.placement(arch, FACTS), diagram.topology(arch, FACTS)]
    for host in arch.hosts:
        impact = engine.evaluate(Scenario(hosts=frozenset([host.name])))
        views += [diagram.failure(arch, FACTS, frozenset([host.name]), impact.phase(p)) for p in ("immediate",
                                                                                                  "after-restart")]
    return views


@pytest.fixture(scope="module")
def rendered() -> dict[str, bytes]:
    renderer = diagram.Renderer()
    return {d.name: renderer.svg(d) for path in SHIPPED for d in every_view(check_file(path).architecture)}


def test_every_view_of_every_shipped_architecture_renders(rendered):
    for path in SHIPPED:
        arch = check_file(path).architecture
        names = {f"{arch.id}-placement", f"{arch.id}-topology"} | {
            f"{arch.id}-failure-{h.name}-{p}" for h in arch.hosts for p in ("immediate", "after-restart")}
        assert names <= set(rendered)
    for name, svg in rendered.items():
        root = ET.fromstring(svg)
        assert root.tag == f"{SVG}svg", name
        assert float(root.get("width").removesuffix("pt")) > 100


def test_no_path_of_the_build_machine_and_every_image_inlined(rendered):
    for name, svg in rendered.items():
        assert b"site-packages" not in svg and str(ROOT).encode() not in svg, name
        assert b"<image" not in svg.split(b"</defs>", 1)[-1], name
        hrefs = re.findall(rb'href="([^"]*)"', svg)
        assert all(h.startswith((b"data:image/png;base64,", b"#icon-")) for h in hrefs), name


def test_two_renders_are_byte_identical():
    first = [diagram.Renderer().svg(d) for d in every_view(architecture())]
    second = [diagram.Renderer().svg(d) for d in every_view(architecture())]
    assert first == second


def test_identical_across_hash_seeds(tmp_path):
    script = ("import hashlib, sys; sys.path.insert(0, 'tests'); from test_diagram import every_view, architecture;"
              "from generator.diagram import Renderer; r = Renderer();"
              "print(hashlib.sha256(b''.join(r.svg(d) for d in every_view(architecture('hyperv-four-hosts'))))"
              ".hexdigest())")
    digests = {
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT,
                       env=os.environ | {"PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2", "31337")
    }
    assert len(digests) == 1


def test_hostile_text_is_shown_literally():
    arch = architecture()
    hostile_title = '<<b>bold</b>> and "quotes" and a \\ backslash \\n x" URL="javascript:alert(1)'
    host = arch.hosts[0].model_copy(update={"name": 'kvm-01<i>" label="pwned'})
    vms = [vm.model_copy(update={"host": host.name}) if vm.host == "kvm-01" else vm for vm in arch.vms]
    hostile = arch.model_copy(update={"title": hostile_title, "hosts": [host, *arch.hosts[1:]], "vms": vms})
    svg = diagram.Renderer().svg(diagram.placement(hostile, FACTS))
    texts = "\n".join(t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text"))
    assert '<<b>bold</b>> and "quotes" and a \\ backslash \\n x" URL="javascript:alert(1): placement' in texts
    assert 'host kvm-01<i>" label="pwned' in texts
    assert b"javascript:" not in svg.replace(b"javascript:alert(1)", b"")  # only inside text, never a link
    assert not any(el.tag.endswith(("}b", "}i", "}a")) for el in ET.fromstring(svg).iter())


def test_clusters_are_named_from_ids_so_equal_labels_never_merge():
    arch = architecture()
    # A failure domain named like a host: same label text, different clusters.
    hosts = [h.model_copy(update={"failure_domain": "kvm-01"}) if h.name == "kvm-01" else h for h in arch.hosts]
    twin = arch.model_copy(update={"failure_domains": ["kvm-01", "rack-b", "rack-c"], "hosts": hosts})
    svg = diagram.Renderer().svg(diagram.placement(twin, FACTS))
    titles = [g.find(f"{SVG}title").text for g in ET.fromstring(svg).iter(f"{SVG}g") if g.get("class") == "cluster"]
    assert len(titles) == len(set(titles)) == 1 + 3 + 3 + len(arch.vms)
    assert {"cluster_domain-kvm-01", "cluster_host-kvm-01"} <= set(titles)


def test_failure_view_colours_match_the_engine():
    arch = architecture("basic-six-vms")
    impact = Engine(arch, FACTS).evaluate(Scenario(hosts=frozenset(["esxi-02"])))
    svg = diagram.Renderer().svg(diagram.failure(arch, FACTS, frozenset(["esxi-02"]), impact.immediate))
    strokes = {}
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        if g.get("class") == "node" and not g.find(f"{SVG}title").text.endswith("--icon"):
            shape = g.find(f"{SVG}path") if g.find(f"{SVG}path") is not None else g.find(f"{SVG}polygon")
            strokes[g.find(f"{SVG}title").text] = shape.get("stroke").lower()
    colour = {state: style["color"].lower() for state, style in diagram.STATE_STYLE.items()}
    checked = 0
    for vm in arch.vms:
        running = impact.immediate.where[vm.name] is not None
        for sid in vm.services:
            node = f"{vm.name}--{sid}"
            if node in strokes:
                expected = impact.immediate.services[sid].state if running else "down"
                assert strokes[node] == colour[expected], node
                checked += 1
    assert checked >= 10
    assert strokes["db-01--galera"] == colour["down"]  # on the failed host
    assert strokes["db-02--galera"] == colour["down"]  # running, but galera lost quorum
    assert strokes["lb-01--haproxy"] == colour["degraded"]  # its sibling lb-02 was on esxi-02


def test_a_warm_rebuild_runs_dot_zero_times(tmp_path):
    views = every_view(architecture())
    cold = diagram.Renderer(tmp_path / "cache")
    first = [cold.svg(d) for d in views]
    assert cold.dot_runs == len(views)
    warm = diagram.Renderer(tmp_path / "cache")
    assert [warm.svg(d) for d in views] == first
    assert warm.dot_runs == 0
    changed = architecture().model_copy(update={"title": "Another title"})
    warm.svg(diagram.placement(changed, FACTS))
    assert warm.dot_runs == 1


def test_rendering_writes_nothing_into_the_working_directory_and_resets_the_context(tmp_path, monkeypatch):
    from diagrams import getcluster, getdiagram
    monkeypatch.chdir(tmp_path)
    diagram.Renderer().svg(diagram.placement(architecture(), FACTS))
    assert list(tmp_path.iterdir()) == []
    assert getdiagram() is None and getcluster() is None
    with pytest.raises(AttributeError):
        diagram.placement(architecture().model_copy(update={"vms": [None]}), FACTS)
    assert getdiagram() is None and getcluster() is None


def test_dot_has_a_timeout_and_a_clear_error_when_missing(monkeypatch):
    drawing = diagram.placement(architecture(), FACTS)
    with pytest.raises(diagram.DiagramError, match="took more than"):
        diagram.Renderer(timeout=0.0001).svg(drawing)
    monkeypatch.setattr(diagram.shutil, "which", lambda name: None)
    with pytest.raises(diagram.DiagramError, match="not installed"):
        diagram.Renderer().svg(drawing)


def test_only_the_library_icons_are_ever_inlined():
    svg = b'<svg><image xlink:href="/etc/passwd" width="1px" preserveAspectRatio="xMinYMin meet" x="1"/></svg>'
    with pytest.raises(diagram.DiagramError, match="unexpected image"):
        diagram._inline_icons(svg)


def test_the_cli_writes_an_svg(tmp_path):
    out = tmp_path / "view.svg"
    done = subprocess.run([sys.executable, "-m", "generator", "diagram", "architectures/kvm-three-hosts.yaml",
                           "--view", "failure", "--fail", "kvm-02", "-o", str(out)], cwd=ROOT, capture_output=True)
    assert done.returncode == 0, done.stderr
    assert hashlib.sha256(out.read_bytes()).hexdigest() == hashlib.sha256(diagram.Renderer().svg(
        diagram.failure(architecture(), FACTS, frozenset(["kvm-02"]),
                        Engine(architecture(), FACTS).evaluate(Scenario(hosts=frozenset(["kvm-02"]))).immediate)
    )).hexdigest()
