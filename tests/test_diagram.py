"""Diagrams: every view renders, legible, light, with ids for the explorer, deterministic, self-contained,
safe with hostile text, cached."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import diagrams
import pytest

from generator import catalog
from generator.analysis import scenarios
from generator.analysis.engine import Engine, Scenario
from generator.model.architecture import Witness
from generator.render import diagram
from generator.rules.validate import check_file

ROOT = Path(__file__).resolve().parent.parent
FACTS = catalog.load()
SHIPPED = sorted((ROOT / "architectures").glob("*.yaml"))
SVG = "{http://www.w3.org/2000/svg}"
MAX_BYTES = 80_000
COLUMN_PX = 1200  # the page's content column
PX_PER_PT = 4 / 3  # dot writes SVG sizes in points


def architecture(name: str = "kvm-three-hosts"):
    return check_file(ROOT / "architectures" / f"{name}.yaml").architecture


def every_view(arch) -> list[diagram.Drawing]:
    """The two views the site shows, and the failure view of the first host in both phases."""
    host = arch.hosts[0].name
    impact = Engine(arch, FACTS).evaluate(Scenario(hosts=frozenset([host])))
    return [diagram.placement(arch, FACTS), diagram.topology(arch, FACTS)] + [
        diagram.failure(arch, FACTS, frozenset([host]), impact.phase(p)) for p in ("immediate", "after-restart")]


@pytest.fixture(scope="module")
def rendered() -> dict[str, bytes]:
    """What the site draws for each shipped architecture: placement.svg and topology.svg."""
    renderer = diagram.Renderer()
    return {d.name: renderer.svg(d) for path in SHIPPED for arch in [check_file(path).architecture]
            for d in (diagram.placement(arch, FACTS), diagram.topology(arch, FACTS))}


def elements(svg: bytes) -> dict[str, ET.Element]:
    """The SVG's <g> elements that carry an id, by id."""
    return {g.get("id"): g for g in ET.fromstring(svg).iter(f"{SVG}g") if g.get("id")}


def box(g: ET.Element) -> tuple[float, float, float, float]:
    """The bounding box (left, top, right, bottom) of a node's or cluster's outline."""
    shape = next(child for child in g if child.tag in (f"{SVG}path", f"{SVG}polygon"))
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", shape.get("d") or shape.get("points"))]
    xs, ys = numbers[0::2], numbers[1::2]
    return min(xs), min(ys), max(xs), max(ys)


def test_the_views_of_every_shipped_architecture_render(rendered):
    for path in SHIPPED:
        arch = check_file(path).architecture
        assert {f"{arch.id}-placement", f"{arch.id}-topology"} <= set(rendered)
    for name, svg in rendered.items():
        root = ET.fromstring(svg)
        assert root.tag == f"{SVG}svg", name
        assert float(root.get("width").removesuffix("pt")) > 100


def test_every_host_vm_and_platform_part_has_an_id_and_a_class(rendered):
    for path in SHIPPED:
        arch = check_file(path).architecture
        found = elements(rendered[f"{arch.id}-placement"])
        expected = ([(f"refarch-host-{h.name}", "cluster") for h in arch.hosts]
                    + [(f"refarch-vm-{vm.name}", "node") for vm in arch.vms]
                    + [(f"refarch-part-{part}", "node") for part in scenarios.part_names(arch)])
        assert len(expected) > len(arch.vms)
        for ident, kind in expected:
            assert ident in found, (arch.id, ident)
            assert {kind, "refarch-component"} <= set(found[ident].get("class").split()), (arch.id, ident)


def test_each_svg_is_light_and_references_nothing(rendered):
    sizes = {name: len(svg) for name, svg in rendered.items()}
    assert max(sizes.values()) <= MAX_BYTES, sizes
    for name, svg in rendered.items():
        assert b"site-packages" not in svg and str(ROOT).encode() not in svg, name
        # No icon is drawn, so none is stored twice; and no link or external file.
        assert b"<image" not in svg and b"data:" not in svg and b"href" not in svg, name


def test_placement_text_is_legible_in_the_page_column(rendered):
    """At most 1200 px wide at natural size, so shown unscaled, and text of at least 12 px."""
    for path in SHIPPED:
        arch = check_file(path).architecture
        svg = rendered[f"{arch.id}-placement"]
        width = float(ET.fromstring(svg).get("width").removesuffix("pt")) * PX_PER_PT
        smallest = min(float(t.get("font-size")) for t in ET.fromstring(svg).iter(f"{SVG}text")) * PX_PER_PT
        assert smallest * min(1, COLUMN_PX / width) >= 12, (arch.id, width, smallest)
        if len(arch.hosts) <= diagram.ROW_HOSTS:
            assert width <= COLUMN_PX, arch.id


def test_hosts_run_left_to_right_in_rows_of_failure_domains():
    arch = architecture("vsphere-large-region")
    found = elements(diagram.Renderer().svg(diagram.placement(arch, FACTS)))
    boxes = {h.name: box(found[f"refarch-host-{h.name}"]) for h in arch.hosts}
    for rack in ("01 02 03 04", "05 06 07 08", "09 10 11 12"):
        row = [boxes[f"esxi-{n}"] for n in rack.split()]
        assert [b[0] for b in row] == sorted(b[0] for b in row)  # left to right
    assert boxes["esxi-04"][3] < boxes["esxi-05"][1] and boxes["esxi-08"][3] < boxes["esxi-09"][1]  # rack-a on top
    small = elements(diagram.Renderer().svg(diagram.placement(architecture(), FACTS)))
    assert box(small["refarch-host-kvm-01"])[2] < box(small["refarch-host-kvm-02"])[0]  # one row of three


def test_unusual_designs_keep_their_rows_and_ids():
    """A domain too large for one row, a domain holding only a witness, hosts with no VMs, a host in no domain."""
    arch = architecture()
    more = [arch.hosts[0].model_copy(update={"name": f"kvm-{n:02}"}) for n in range(4, 10)]
    lone = arch.hosts[0].model_copy(update={"name": "kvm-99", "failure_domain": None})
    platform = arch.platform.model_copy(update={"witness": Witness(kind="qdevice", name="qnetd",
                                                                   failure_domain="rack-w")})
    odd = arch.model_copy(update={"hosts": [*arch.hosts, *more, lone], "platform": platform,
                                  "failure_domains": [*arch.failure_domains, "rack-w"]})
    found = elements(diagram.Renderer().svg(diagram.placement(odd, FACTS)))
    for name in [h.name for h in odd.hosts]:
        assert f"refarch-host-{name}" in found
    assert "refarch-part-qnetd" in found
    boxes = {name.removeprefix("refarch-host-"): box(g) for name, g in found.items() if name.startswith("refarch-host")}
    # rack-a's seven hosts in rows of four and three, then rack-b and rack-c side by side on a row of their own
    assert boxes["kvm-01"][2] < boxes["kvm-04"][0] < boxes["kvm-05"][0] < boxes["kvm-06"][0]
    assert boxes["kvm-01"][3] < boxes["kvm-07"][1] and boxes["kvm-07"][3] < boxes["kvm-02"][1]
    assert boxes["kvm-02"][2] < boxes["kvm-03"][0]


def test_topology_runs_left_to_right_by_tier(rendered):
    for path in SHIPPED:
        arch = check_file(path).architecture
        services = FACTS.for_architecture(arch).services
        found = ET.fromstring(rendered[f"{arch.id}-topology"])
        left = {}
        for g in found.iter(f"{SVG}g"):
            title = g.find(f"{SVG}title")
            if "node" in (g.get("class") or "").split() and title.text.startswith("svc--"):
                left[title.text.removeprefix("svc--")] = box(g)
        assert set(left) == {sid for vm in arch.vms for sid in vm.service_ids if sid in services}, arch.id
        tiers = {sid: diagram.tier(services[sid], services) for sid in left}
        for sid, other in ((s, o) for s in left for o in left if tiers[s] < tiers[o]):
            assert left[sid][2] < left[other][0], (arch.id, sid, other)
        assert left["haproxy"][2] < left["keystone"][0] < left["nova-api"][2] < left["galera"][0]


def test_tiers_come_from_the_catalog():
    services = FACTS.services
    expected = {"haproxy": 0, "keepalived": 0, "keystone": 1, "nova-api": 1, "horizon": 1, "nova-scheduler": 2,
                "neutron-l3-agent": 2, "ovn-northd": 2, "heat-engine": 2, "galera": 3, "rabbitmq": 3,
                "memcached": 3, "etcd": 3, "ovn-nb-db": 3, "ceph-mon": 3}
    assert {sid: diagram.tier(services[sid], services) for sid in expected} == expected


def test_two_renders_are_byte_identical():
    first = [diagram.Renderer().svg(d) for d in every_view(architecture())]
    second = [diagram.Renderer().svg(d) for d in every_view(architecture())]
    assert first == second


def test_identical_across_hash_seeds(tmp_path):
    script = ("import hashlib, sys; sys.path.insert(0, 'tests'); from test_diagram import every_view, architecture;"
              "from generator.render.diagram import Renderer; r = Renderer();"
              "print(hashlib.sha256(b''.join(r.svg(d) for d in every_view(architecture('vsphere-large-region'))))"
              ".hexdigest())")
    digests = {
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT,
                       env=os.environ | {"PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2", "31337")
    }
    assert len(digests) == 1


def test_hostile_text_is_shown_literally_and_never_becomes_an_id():
    arch = architecture()
    hostile_title = '<<b>bold</b>> and "quotes" and a \\ backslash \\n x" URL="javascript:alert(1)'
    host = arch.hosts[0].model_copy(update={"name": 'kvm-01<i>" label="pwned'})
    vms = [vm.model_copy(update={"host": host.name}) if vm.host == "kvm-01" else vm for vm in arch.vms]
    hostile = arch.model_copy(update={"title": hostile_title, "hosts": [host, *arch.hosts[1:]], "vms": vms})
    svg = diagram.Renderer().svg(diagram.placement(hostile, FACTS))
    root = ET.fromstring(svg)
    texts = "\n".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert '<<b>bold</b>> and "quotes" and a \\ backslash \\n x" URL="javascript:alert(1): placement' in texts
    assert 'host kvm-01<i>" label="pwned' in texts
    assert b"javascript:" not in svg.replace(b"javascript:alert(1)", b"")  # only inside text, never a link
    assert not any(el.tag.endswith(("}b", "}i", "}a")) for el in root.iter())
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert "refarch-host-kvm-02" in ids and not any("pwned" in i or "<" in i for i in ids)


def test_clusters_are_named_from_ids_so_equal_labels_never_merge():
    arch = architecture()
    # A failure domain named like a host: same label text, different clusters.
    hosts = [h.model_copy(update={"failure_domain": "kvm-01"}) if h.name == "kvm-01" else h for h in arch.hosts]
    twin = arch.model_copy(update={"failure_domains": ["kvm-01", "rack-b", "rack-c"], "hosts": hosts})
    svg = diagram.Renderer().svg(diagram.placement(twin, FACTS))
    titles = [g.find(f"{SVG}title").text for g in ET.fromstring(svg).iter(f"{SVG}g")
              if "cluster" in g.get("class").split()]
    assert len(titles) == len(set(titles)) == 1 + 3 + 3 + 1  # platform, domains, hosts, parts
    assert {"cluster_domain-kvm-01", "cluster_host-kvm-01"} <= set(titles)


def test_failure_view_colours_match_the_engine():
    arch = architecture("basic-six-vms")
    impact = Engine(arch, FACTS).evaluate(Scenario(hosts=frozenset(["esxi-02"])))
    svg = diagram.Renderer().svg(diagram.failure(arch, FACTS, frozenset(["esxi-02"]), impact.immediate))
    found = elements(svg)
    colour = {state: style["color"].lower() for state, style in diagram.STATE_STYLE.items()}
    rank = {"ok": 0, "degraded": 1, "down": 2}
    for vm in arch.vms:
        running = impact.immediate.where[vm.name] is not None
        states = [impact.immediate.services[sid].state if running else "down" for sid in vm.services]
        shape = next(c for c in found[f"refarch-vm-{vm.name}"] if c.tag in (f"{SVG}path", f"{SVG}polygon"))
        assert shape.get("stroke").lower() == colour[max(states, key=rank.__getitem__)], vm.name
    texts = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert "galera: DOWN" in texts  # db-02 runs, but galera lost quorum
    assert "host esxi-02" in texts and "FAILED" in texts
    lb = next(c for c in found["refarch-vm-lb-01"] if c.tag.endswith("path"))
    assert lb.get("stroke").lower() == colour["degraded"]  # its sibling lb-02 was on esxi-02


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


def test_a_truncated_or_unwritable_diagram_cache_gives_the_whole_svg(tmp_path):
    view = diagram.placement(architecture(), FACTS)
    cache = tmp_path / "cache"
    whole = diagram.Renderer(cache).svg(view)
    [entry] = cache.glob("*.svg")
    entry.write_bytes(whole[: len(whole) // 2])  # cut short: drawn again, not served
    again = diagram.Renderer(cache)
    assert again.svg(view) == whole and again.dot_runs == 1
    assert entry.read_bytes() == whole
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache's folder goes")
    assert diagram.Renderer(blocked).svg(view) == whole


def test_rendering_writes_nothing_into_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    diagram.Renderer().svg(diagram.placement(architecture(), FACTS))
    assert list(tmp_path.iterdir()) == []


def test_dot_has_a_timeout_and_a_clear_error_when_missing(monkeypatch):
    drawing = diagram.placement(architecture(), FACTS)
    with pytest.raises(diagram.DiagramError, match="took more than"):
        diagram.Renderer(timeout=0.0001).svg(drawing)
    monkeypatch.setattr(diagram.shutil, "which", lambda name: None)
    with pytest.raises(diagram.DiagramError, match="not installed"):
        diagram.Renderer().svg(drawing)


@pytest.mark.parametrize("svg", [b'<svg><image xlink:href="/etc/passwd" x="1"/></svg>',
                                 b'<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
                                 b'<svg><use href="#x"/></svg>'])
def test_an_svg_that_references_anything_is_refused(svg):
    with pytest.raises(diagram.DiagramError, match="references"):
        diagram._self_contained(svg)


def test_the_cli_writes_an_svg(tmp_path):
    out = tmp_path / "view.svg"
    done = subprocess.run([sys.executable, "-m", "generator", "diagram", "architectures/kvm-three-hosts.yaml",
                           "--view", "failure", "--fail", "kvm-02", "-o", str(out)], cwd=ROOT, capture_output=True)
    assert done.returncode == 0, done.stderr
    assert hashlib.sha256(out.read_bytes()).hexdigest() == hashlib.sha256(diagram.Renderer().svg(
        diagram.failure(architecture(), FACTS, frozenset(["kvm-02"]),
                        Engine(architecture(), FACTS).evaluate(Scenario(hosts=frozenset(["kvm-02"]))).immediate)
    )).hexdigest()


def test_views_are_built_with_diagrams_which_never_renders_and_keeps_no_context(monkeypatch, tmp_path):
    """The `diagrams` global context is reset after every view, even one that fails half-way, and no node
    gets the random id or the icon `diagrams` would give it."""
    monkeypatch.chdir(tmp_path)
    source = diagram.placement(architecture(), FACTS).source
    assert diagrams.getdiagram() is None and diagrams.getcluster() is None
    assert "image=" not in source and not re.search(r"\b[0-9a-f]{32}\b", source)

    def broken(*args, **kwargs):
        raise RuntimeError("half-way")

    monkeypatch.setattr(diagram, "_vm", broken)
    with pytest.raises(RuntimeError, match="half-way"):
        diagram.placement(architecture(), FACTS)
    assert diagrams.getdiagram() is None and diagrams.getcluster() is None
    assert list(tmp_path.iterdir()) == []
