"""Diagrams of an architecture: where VMs and services run, how requests flow, and what a failure darkens.

The only module that imports the `diagrams` library. It uses `diagrams` to build Graphviz graphs
(icons, clusters, nodes) but never lets it render: `diagrams` would write into the working directory,
may open a viewer and has no timeout. Instead each view returns its DOT source, and `Renderer` runs
`dot -Tsvg` itself, in a temporary folder, with a timeout, caches the result by a hash of the source
and the Graphviz and library versions, and inlines the icons as data URIs so that the SVG holds no
path of the build machine and displays wherever it is copied.

Output is deterministic: node ids come from component names, clusters are named from internal ids
(never from their labels, so two clusters with the same label never merge), every collection is
walked in a fixed order, and no text from YAML ever becomes Graphviz markup: labels are plain text
(`graphviz.nohtml`, backslashes escaped). Byte-identical output is guaranteed for the same Graphviz
build and fonts; it was established with Graphviz 2.43.0 as Debian 12 packages it.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import functools
import hashlib
import itertools
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import diagrams
from diagrams import Cluster, Diagram, Edge, Node, setcluster, setdiagram
from diagrams.onprem.database import Mariadb
from diagrams.onprem.inmemory import Memcached
from diagrams.onprem.network import Haproxy
from diagrams.onprem.queue import Rabbitmq
from diagrams.openstack.compute import Nova
from diagrams.openstack.frontend import Horizon
from diagrams.openstack.networking import Neutron
from diagrams.openstack.orchestration import Heat
from diagrams.openstack.sharedservices import Glance, Keystone
from diagrams.openstack.storage import Cinder
from graphviz import nohtml

from generator.catalog import Catalog
from generator.impact import PhaseImpact
from generator.model import Architecture

# Bump when the SVG post-processing changes, so that cached renders are not reused.
RENDERER_VERSION = "1"
DOT_TIMEOUT_SECONDS = 30
_RESOURCES = (Path(diagrams.__file__).resolve().parent.parent / "resources").resolve()

# Icons the library ships, by service id prefix; anything else gets a neutral box.
_ICONS: tuple[tuple[str, type[Node]], ...] = (
    ("keystone", Keystone), ("glance", Glance), ("nova", Nova), ("neutron", Neutron), ("cinder", Cinder),
    ("horizon", Horizon), ("heat", Heat), ("galera", Mariadb), ("garbd", Mariadb), ("rabbitmq", Rabbitmq),
    ("memcached", Memcached), ("haproxy", Haproxy),
)

# Okabe-Ito colours, readable with colour-blindness; the state is also written and shaped (dashed, bold).
STATE_STYLE = {
    "ok": {"color": "#009E73", "fillcolor": "#E3F4EE", "style": "filled,rounded", "penwidth": "2"},
    "degraded": {"color": "#E69F00", "fillcolor": "#FCF0D6", "style": "filled,rounded,bold", "penwidth": "4"},
    "down": {"color": "#D55E00", "fillcolor": "#F8E0D3", "style": "filled,rounded,dashed", "penwidth": "4"},
}
_STATE_WORD = {"ok": "", "degraded": "DEGRADED", "down": "DOWN"}
_RANK = {"ok": 0, "degraded": 1, "down": 2}

_GRAPH = {"bgcolor": "white", "pad": "0.3", "splines": "spline", "fontsize": "18", "labelloc": "t",
          "nodesep": "0.25", "ranksep": "0.12"}
_ICON_NODE = {"width": "0.7", "height": "0.7", "fixedsize": "true"}
_TOPOLOGY_NODE = {"width": "1.2", "height": "1.65", "imagepos": "tc", "fontsize": "11"}


class DiagramError(Exception):
    """Graphviz is missing, failed, or took too long."""


@dataclasses.dataclass(frozen=True)
class Drawing:
    """A view as Graphviz DOT source, ready to render."""

    name: str
    source: str


VIEWS = ("placement", "topology", "failure")


def text(value: str) -> str:
    """Plain text for a Graphviz label: never HTML-like, backslashes shown as written."""
    return nohtml(value.replace("\\", "\\\\"))


# ---- views ----------------------------------------------------------------------------------------------


def placement(arch: Architecture, facts: Catalog) -> Drawing:
    """Hosts (grouped by failure domain) -> their VMs -> the services on each VM."""
    with _drawing(f"{arch.id}-placement", f"{arch.title}: placement") as diagram:
        _placement_body(arch, facts, {vm.name: vm.host for vm in arch.vms}, None, frozenset())
    return Drawing(f"{arch.id}-placement", diagram.dot.source)


def failure(arch: Architecture, facts: Catalog, failed_hosts: frozenset[str], impact: PhaseImpact) -> Drawing:
    """The placement view with failed hosts marked and every VM and service coloured by its state."""
    name = f"{arch.id}-failure-{'-'.join(sorted(failed_hosts))}-{impact.phase}"
    what = " and ".join(sorted(failed_hosts))
    when = "right after" if impact.phase == "immediate" else "after the platform restarts VMs, following"
    with _drawing(name, f"{arch.title}: {when} the failure of {what}") as diagram:
        _placement_body(arch, facts, impact.where, impact, failed_hosts)
        _legend()
    return Drawing(name, diagram.dot.source)


def topology(arch: Architecture, facts: Catalog) -> Drawing:
    """Requests from the virtual IP through the load balancers to the APIs and on to their back ends."""
    deployed = list(dict.fromkeys(s for vm in arch.vms for s in vm.services if s in facts.services))
    counts = {sid: sum(sid in vm.services for vm in arch.vms) for sid in deployed}
    with _drawing(f"{arch.id}-topology", f"{arch.title}: service topology", direction="LR") as diagram:
        nodes = {}
        for sid in deployed:
            suffix = " (VIP)" if facts.services[sid].ha_model == "vip" else ""
            label = text(f"{sid}{suffix}\nx{counts[sid]}")
            icon = _icon(sid)
            nodes[sid] = (icon(label, nodeid=f"svc--{sid}", **_TOPOLOGY_NODE) if icon is not Node
                          else Node(label, nodeid=f"svc--{sid}", **_box(2)))
        for sid in deployed:
            service = facts.services[sid]
            for dep, style in [(d, "solid") for d in service.requires] + [(d, "dashed") for d in service.uses]:
                if dep not in nodes:
                    continue
                if facts.services[dep].in_front:
                    nodes[dep] >> Edge(style=style) >> nodes[sid]
                else:
                    nodes[sid] >> Edge(style=style) >> nodes[dep]
            if service.arbitrator in nodes:
                nodes[service.arbitrator] >> Edge(style="dotted", label="votes") >> nodes[sid]
    return Drawing(f"{arch.id}-topology", diagram.dot.source)


def _placement_body(arch: Architecture, facts: Catalog, where: dict[str, str | None], impact: PhaseImpact | None,
                    failed_hosts: frozenset[str]) -> None:
    platform = facts.platforms[arch.platform.hypervisor]
    ha = platform.ha_name if arch.platform.ha != "none" else "no platform HA"
    with Cluster("platform", graph_attr={"label": text(f"Management cluster: {platform.name}, {ha}")}):
        # dot lays out unconnected sibling clusters from right to left: emit them reversed to read left to right.
        for domain in reversed([*arch.failure_domains, None]):
            hosts = [h for h in reversed(arch.hosts) if h.failure_domain == domain]
            if not hosts:
                continue
            with (Cluster(f"domain-{domain}", graph_attr={"label": text(f"failure domain {domain}")})
                  if domain else contextlib.nullcontext()):
                for host in hosts:
                    _host(arch, host, where, impact, host.name in failed_hosts)


def _host(arch, host, where, impact, failed: bool) -> None:
    size = f"\n{host.cpus} CPUs, {host.memory_gib} GiB" if host.cpus and host.memory_gib else ""
    attrs = {"label": text(f"host {host.name}{size}" + ("\nFAILED" if failed else ""))}
    if failed:
        attrs |= {"style": "dashed", "color": STATE_STYLE["down"]["color"], "penwidth": "3"}
    # VMs running here now, then VMs of this host that are down.
    vms = [vm for vm in arch.vms if where.get(vm.name) == host.name] + [
        vm for vm in arch.vms if vm.host == host.name and where.get(vm.name) is None]
    with Cluster(f"host-{host.name}", graph_attr=attrs):
        if not vms:
            Node(text("no VMs"), nodeid=f"empty--{host.name}", shape="plaintext", height="0.5")
        for vm in reversed(vms):
            _vm(vm, where, impact)


def _vm(vm, where, impact) -> None:
    running = where.get(vm.name) is not None
    size = f"\n{vm.vcpus} vCPU, {vm.memory_gib} GiB" if vm.vcpus and vm.memory_gib else ""
    moved = running and where[vm.name] != vm.host
    note = "\nDOWN" if not running else (f"\nrestarted here from {vm.host}" if moved else "")
    attrs = {"label": text(f"VM {vm.name}{size}{note}")}
    if impact is not None:
        state = STATE_STYLE["ok" if running else "down"]
        attrs |= {"color": state["color"], "penwidth": state["penwidth"], "style": "dashed" if not running else "solid"}
    with Cluster(f"vm-{vm.name}", graph_attr=attrs):
        column = []
        for icon, services in _icon_groups(vm.services):
            states = [_instance_state(sid, running, impact) for sid in services]
            if icon is not Node:
                column.append(icon("", nodeid=f"{vm.name}--{services[0]}--icon", **_ICON_NODE))
            column.append(_service_box(f"{vm.name}--{services[0]}", services, states if impact else None))
        _stack(column)


def _service_box(nodeid: str, services: list[str], states: list[str] | None) -> Node:
    """The names of services (one per line) in a box, with their state in words, colour and border."""
    if states is None:
        return Node(text("\n".join(services)), nodeid=nodeid, **_box(len(services)))
    if len(set(states)) == 1:
        lines = services + ([_STATE_WORD[states[0]]] if _STATE_WORD[states[0]] else [])
    else:
        lines = [f"{sid}: {_STATE_WORD[state] or 'ok'}" for sid, state in zip(services, states, strict=True)]
    worst = max(states, key=_RANK.__getitem__)
    return Node(text("\n".join(lines)), nodeid=nodeid, **(_box(len(lines)) | STATE_STYLE[worst]))


def _box(lines: int) -> dict[str, str]:
    return {"shape": "box", "style": "rounded", "labelloc": "c", "width": "1.9", "height": f"{0.15 + 0.19 * lines:.2f}",
            "fontsize": "11"}


def _instance_state(sid: str, running: bool, impact: PhaseImpact | None) -> str:
    if impact is None:
        return "ok"
    if not running:
        return "down"
    service = impact.services.get(sid)
    return service.state if service is not None else "ok"


def _legend() -> None:
    words = {"ok": "ok: works", "degraded": "DEGRADED: works, less redundant or slower", "down": "DOWN: does not work"}
    with Cluster("legend", graph_attr={"label": text("Legend"), "bgcolor": "white"}):
        _stack([Node(text(words[state]), nodeid=f"legend--{state}", shape="box", width="3.6", height="0.45",
                     fontsize="11", **STATE_STYLE[state]) for state in words])


def _stack(nodes: list[Node]) -> None:
    """Keep nodes in one column, top to bottom, with invisible edges."""
    for upper, lower in itertools.pairwise(nodes):
        upper >> Edge(style="invis") >> lower


def _icon_groups(services: list[str]) -> list[tuple[type[Node], list[str]]]:
    """A VM's services grouped by icon, in their order, so that a controller is a column of few nodes."""
    groups: dict[type[Node], list[str]] = {}
    for sid in services:
        groups.setdefault(_icon(sid), []).append(sid)
    return list(groups.items())


def _icon(sid: str) -> type[Node]:
    return next((cls for prefix, cls in _ICONS if sid.startswith(prefix)), Node)


@contextlib.contextmanager
def _drawing(name: str, title: str, direction: str = "TB") -> Iterator[Diagram]:
    """A `diagrams` context whose DOT source we take; it never renders and always resets the global context."""
    diagram = Diagram(name, show=False, direction=direction, graph_attr=_GRAPH | {"label": text(title)})
    setdiagram(diagram)
    try:
        yield diagram
    finally:
        setcluster(None)
        setdiagram(None)


# ---- rendering ------------------------------------------------------------------------------------------


class Renderer:
    """Runs `dot` on drawings, with a timeout, and caches the SVG by a hash of everything that shapes it."""

    def __init__(self, cache_dir: Path | None = None, timeout: float = DOT_TIMEOUT_SECONDS) -> None:
        self.cache_dir = cache_dir
        self.timeout = timeout
        self.dot_runs = 0

    def svg(self, drawing: Drawing) -> bytes:
        key = hashlib.sha256("\0".join(
            (RENDERER_VERSION, graphviz_version(), metadata.version("diagrams"), drawing.source)).encode()).hexdigest()
        cached = self.cache_dir / f"{key}.svg" if self.cache_dir else None
        if cached is not None and cached.is_file():
            return cached.read_bytes()
        output = _inline_icons(self._dot(drawing.source))
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            partial = cached.with_suffix(f".{os.getpid()}.tmp")
            partial.write_bytes(output)
            partial.replace(cached)
        return output

    def _dot(self, source: str) -> bytes:
        dot = shutil.which("dot")
        if dot is None:
            raise DiagramError("Graphviz `dot` is not installed: install the graphviz package")
        self.dot_runs += 1
        with tempfile.TemporaryDirectory(prefix="refarch-dot-") as folder:
            try:
                done = subprocess.run([dot, "-Tsvg"], input=source.encode(), capture_output=True, cwd=folder,
                                      timeout=self.timeout, check=False)
            except subprocess.TimeoutExpired:
                raise DiagramError(f"Graphviz took more than {self.timeout:g} s to lay out a diagram") from None
        if done.returncode != 0:
            raise DiagramError(f"Graphviz failed: {done.stderr.decode(errors='replace').strip()}")
        return done.stdout


@functools.cache
def graphviz_version() -> str:
    dot = shutil.which("dot")
    if dot is None:
        return "none"
    done = subprocess.run([dot, "-V"], capture_output=True, timeout=DOT_TIMEOUT_SECONDS, check=False)
    return done.stderr.decode(errors="replace").strip()


_IMAGE = re.compile(rb'<image xlink:href="([^"]+)" ([^>]*?)preserveAspectRatio="xMinYMin meet" ([^>]*)/>')


def _inline_icons(svg: bytes) -> bytes:
    """Put each icon file in the SVG once, as a data URI in <defs>, and draw its uses with <use>.

    Only PNG files inside the `diagrams` library's own resources are accepted; no label can reach here.
    """
    symbols: dict[str, bytes] = {}

    def use(match: re.Match[bytes]) -> bytes:
        path = Path(os.fsdecode(match.group(1))).resolve()
        if not path.is_relative_to(_RESOURCES) or path.suffix != ".png":
            raise DiagramError(f"unexpected image reference in a diagram: {path.name}")
        ident = "icon-" + "-".join(path.relative_to(_RESOURCES).with_suffix("").parts)
        if ident not in symbols:
            data = base64.b64encode(path.read_bytes())
            symbols[ident] = (f'<symbol id="{ident}" viewBox="0 0 256 256" preserveAspectRatio="xMinYMin meet">'
                              f'<image width="256" height="256" xlink:href="data:image/png;base64,').encode() + data + \
                b'"/></symbol>'
        return b'<use xlink:href="#' + ident.encode() + b'" ' + match.group(2) + match.group(3) + b"/>"

    body = _IMAGE.sub(use, svg)
    if b"<image" in body:
        raise DiagramError("an image in the diagram was not inlined")
    if not symbols:
        return body
    start = body.index(b">", body.index(b"<svg")) + 1
    return body[:start] + b"\n<defs>" + b"".join(symbols[k] for k in sorted(symbols)) + b"</defs>" + body[start:]
