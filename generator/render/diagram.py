"""Diagrams of an architecture: where VMs and services run, how requests flow, and what a failure darkens.

The only module that imports the `diagrams` library (https://diagrams.mingrammer.com), the design's diagram
library. Each view is built from its primitives, `Diagram`, `Cluster`, `Node` and `Edge`, inside a
`diagrams` context that `_drawing` sets with `setdiagram` and always resets, and is handed on as the DOT
source of the Diagram's `dot` graph. `diagrams` never renders: it would write into the working directory,
may open a viewer and has no timeout. `Renderer` runs `dot -Tsvg` itself: in a temporary folder, with a
timeout, caching the SVG by a hash of the source and the Graphviz build.

The views draw no icons (`Node` is used without one, so `diagrams` adds no `image`), only shapes and
text, and `_NODE`, `_GRAPH` and `_CLUSTER` reset the defaults `diagrams` sets for icons (nodes of a fixed
1.4 in square with the label at the bottom, tinted clusters): an SVG weighs tens of kB, references
nothing and holds no path of the build machine (`Renderer` refuses one that would).

The views are laid out left to right for a column about 1200 px wide, with 10 pt text:

- placement: one column of VMs per host, hosts side by side in rows of at most `ROW_HOSTS` (a
  failure domain's hosts stay on one row when they fit), then the platform's parts;
- topology: the deployed services in the four columns of `TIERS` (see `tier`).

Every host, VM and platform part carries the SVG id `refarch-host-<name>`, `refarch-vm-<name>` or
`refarch-part-<name>` and the class `refarch-component`, so that a script can mark what failed
(generator/site/assets/diagrams.css styles `refarch-failed`, `refarch-down` and `refarch-degraded`). A
name becomes an id only when it is a slug, as every validated name is.

Output is deterministic: node ids come from component names with a prefix per kind (never the uuid
`diagrams` would draw), clusters are named from ids (`diagrams` names a cluster `cluster_<label>`: the
label passed is an id and the title is set apart, so two clusters with the same title never merge),
every collection is walked in a fixed order, and no text from YAML ever becomes Graphviz markup: labels
are plain text (see `_label`). Byte-identical output is guaranteed for the same Graphviz build, fonts and
`diagrams` release; it was established with Graphviz 2.43.0 as Debian 12 packages it and diagrams 0.25.1.
"""
from __future__ import annotations

import collections
import contextlib
import dataclasses
import functools
import hashlib
import itertools
import re
import shutil
import subprocess
import tempfile
import textwrap
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from diagrams import Cluster, Diagram, Edge, Node, setcluster, setdiagram

from generator.analysis.engine import RANK, PhaseImpact
from generator.catalog import Catalog, Service
from generator.files import write_whole
from generator.model.architecture import VM, Architecture, Host, is_slug

# Bump when the drawing or the SVG post-processing changes, so that cached renders are not reused.
RENDERER_VERSION = "3"
DOT_TIMEOUT_SECONDS = 30
# Four host columns of about 200 px each, with their gaps, fit a 1200 px column at full size.
ROW_HOSTS = 4
TIERS = ("load balancers", "APIs", "workers and agents", "data and coordination")
VIEWS = ("placement", "topology", "failure")

# Okabe-Ito colours, readable with colour-blindness; the state is also written and shaped (dashed, bold).
STATE_STYLE = {
    "ok": {"color": "#009E73", "fillcolor": "#E3F4EE", "style": "filled,rounded", "penwidth": "2"},
    "degraded": {"color": "#E69F00", "fillcolor": "#FCF0D6", "style": "filled,rounded,bold", "penwidth": "4"},
    "down": {"color": "#D55E00", "fillcolor": "#F8E0D3", "style": "filled,rounded,dashed", "penwidth": "4"},
}
_TIMES = "\N{MULTIPLICATION SIGN}"
_HA_WORDS = {"vip": "virtual IP"}  # how a service's instances share the work, where the catalog's word is terse
_STATE_WORD = {"ok": "ok", "degraded": "DEGRADED", "down": "DOWN"}

_FONT = "sans-serif"
# What `diagrams` sets for icons is reset to Graphviz's own defaults: its nodes are fixed 1.4 in squares with
# the label at the bottom, its clusters tinted by depth and outlined by `pencolor`, its text dark grey.
_GRAPH = {"bgcolor": "white", "pad": "0.2", "splines": "true", "fontname": _FONT, "fontsize": "14",
          "fontcolor": "black", "labelloc": "t", "labeljust": "l", "nodesep": "0.15", "ranksep": "0.3"}
_NODE = {"shape": "box", "style": "rounded,filled", "fillcolor": "white", "color": "#4D4D4D", "fontname": _FONT,
         "fontsize": "10", "fontcolor": "black", "margin": "0.1,0.05", "fixedsize": "false", "width": "0.75",
         "height": "0.5", "labelloc": "c", "imagescale": "false"}
_EDGE = {"color": "#4D4D4D", "arrowsize": "0.6"}
_CLUSTER = {"style": "rounded", "color": "#8C8C8C", "pencolor": "#8C8C8C", "bgcolor": "white", "fontname": _FONT,
            "fontsize": "11", "labeljust": "l", "margin": "8"}
_PART = {"style": "filled", "fillcolor": "#EEF0F3", "width": "1.2"}


class DiagramError(Exception):
    """Graphviz is missing, failed, or took too long."""


@dataclasses.dataclass(frozen=True)
class Drawing:
    """A view as Graphviz DOT source, ready to render."""

    name: str
    source: str


def _label(centred: Iterable[str], flush_left: Iterable[str] = ()) -> str:
    """A plain-text Graphviz label: lines centred, then lines flush left; backslashes shown as written (so
    no escape such as `\\N` reaches Graphviz). It is never HTML-like: the `graphviz` package under
    `diagrams` takes a string that starts with `<` and ends with `>` for HTML, and every line here ends
    with the escape `\\n` or `\\l`."""
    lines = [line.replace("\\", "\\\\") + "\\n" for line in centred]
    lines += [line.replace("\\", "\\\\") + "\\l" for line in flush_left]
    return "".join(lines)


# ---- views ----------------------------------------------------------------------------------------------


def placement(arch: Architecture, facts: Catalog) -> Drawing:
    """Hosts left to right (inside their failure domains), each VM a box listing its services, and the
    platform's parts: witness, fencing, storage, switches, management servers."""
    name = f"{arch.id}-placement"
    with _drawing(name, [f"{arch.title}: placement"]) as diagram:
        _placement_body(arch, facts, {vm.name: vm.host for vm in arch.vms}, None, frozenset())
    return Drawing(name, diagram.dot.source)


def failure(arch: Architecture, facts: Catalog, failed_hosts: frozenset[str], impact: PhaseImpact) -> Drawing:
    """The placement view with failed hosts marked and every VM coloured by the worst state of its
    services, each service's state written beside it."""
    name = f"{arch.id}-failure-{'-'.join(sorted(failed_hosts))}-{impact.phase}"
    what = " and ".join(sorted(failed_hosts))
    when = "right after" if impact.phase == "immediate" else "after the platform restarts VMs, following"
    with _drawing(name, [f"{arch.title}: {when} the failure of {what}"]) as diagram:
        _placement_body(arch, facts, impact.where, impact, failed_hosts)
        words = {"ok": "ok: works", "degraded": "DEGRADED: works, less redundant or slower",
                 "down": "DOWN: does not work"}
        with _cluster("legend", ["Legend"]):
            legend = [Node(_label([line]), nodeid=f"legend--{state}", **STATE_STYLE[state])
                      for state, line in words.items()]
        _chain(legend)
    return Drawing(name, diagram.dot.source)


def tier(service: Service, services: Mapping[str, Service]) -> int:
    """The topology column of a service, an index into `TIERS`, from the catalog alone:

    0. load balancers: requests pass through them (`in_front`: haproxy, keepalived);
    1. APIs: they require a load balancer, so requests reach them through it;
    3. data and coordination: they need no other service (galera, rabbitmq, memcached, etcd, ovn-nb-db);
    2. everything else: schedulers, conductors, agents, engines, which call the APIs or the data tier.
    """
    if service.in_front:
        return 0
    if any(services[dep].in_front for dep in service.requires):
        return 1
    return 3 if not service.requires and not service.uses else 2


def topology(arch: Architecture, facts: Catalog) -> Drawing:
    """The deployed services in tiers, left to right: load balancers, APIs, workers, data. An arrow goes
    from a load balancer to what it serves and from a service to what it needs further right (dashed:
    uses, works without it); what a service needs in its own or an earlier tier is written in its box,
    which keeps the columns free of edges running back or along them.

    A tier is a cluster of rank `same`, which dot honours in a cluster only with `newrank`: `diagrams`
    has no subgraph but a cluster to hold the constraint."""
    services = facts.for_architecture(arch).services
    counts = collections.Counter(sid for vm in arch.vms for sid in vm.service_ids if sid in services)
    tiers = {sid: tier(services[sid], services) for sid in counts}
    name = f"{arch.id}-topology"
    title = [f"{arch.title}: service topology", f"{_TIMES}N: N instances, all active unless written below the name; "
             "arrow: needs, dashed: uses"]
    edges: list[tuple[str, str, str]] = []
    notes: dict[str, list[tuple[str, str]]] = collections.defaultdict(list)
    for sid in counts:
        service = services[sid]
        for dep, kind in [(d, "needs") for d in service.requires] + [(d, "uses") for d in service.uses]:
            if dep not in counts:
                continue
            style = "dashed" if kind == "uses" else ""
            if services[dep].in_front:
                edges.append((dep, sid, style))
            elif tiers[dep] > tiers[sid]:
                edges.append((sid, dep, style))
            else:
                notes[sid].append((kind, dep))
        if service.arbitrator in counts:
            notes[sid].append(("arbitrator", service.arbitrator))
    with _drawing(name, title, ranksep="0.8", nodesep="0.12", newrank="true") as diagram:
        nodes: dict[str, Node] = {}
        firsts = []
        for number, heading in enumerate(TIERS):
            members = [sid for sid in counts if tiers[sid] == number]
            if not members:
                continue
            with _cluster(f"tier-{number}", [heading], rank="same"):
                for sid in members:
                    lines = _service_lines(sid, counts[sid], services[sid].ha_model, notes[sid])
                    nodes[sid] = Node(_label(lines), nodeid=f"svc--{sid}", width="1.6", height="0.3",
                                      **_component("service", sid))
            firsts.append(nodes[members[0]])
        _chain(firsts)  # keeps the tiers in order when no edge links two of them
        for tail, head, style in edges:
            nodes[tail] >> Edge(style=style) >> nodes[head]
    return Drawing(name, diagram.dot.source)


def _service_lines(sid: str, count: int, ha_model: str, notes: list[tuple[str, str]]) -> list[str]:
    """Its name and instances, how they share the work unless all are active, and what it needs that no
    arrow shows."""
    lines = [f"{sid} {_TIMES}{count}"] + ([_HA_WORDS.get(ha_model, ha_model)] if ha_model != "active-active" else [])
    for kind in dict.fromkeys(kind for kind, _ in notes):
        names = ", ".join(dep for other, dep in notes if other == kind)
        lines += textwrap.wrap(f"{kind} {names}", 30, break_on_hyphens=False)
    return lines


@contextlib.contextmanager
def _drawing(name: str, title: list[str], **attrs: str) -> Iterator[Diagram]:
    """A `diagrams` context, left to right, whose DOT source we take: it never renders (no `with Diagram`,
    whose exit would), and the global context is always reset."""
    diagram = Diagram(name, direction="LR", show=False,
                      graph_attr=_GRAPH | {"label": _label([], title)} | attrs, node_attr=_NODE, edge_attr=_EDGE)
    setdiagram(diagram)
    try:
        yield diagram
    finally:
        setcluster(None)
        setdiagram(None)


def _cluster(ident: str, title: list[str], **attrs: str) -> Cluster:
    """A box named `cluster_<ident>` by `diagrams`, which names a cluster from its label: the label passed
    is an internal id, and the title shown is set apart."""
    return Cluster(ident, graph_attr=_CLUSTER | {"label": _label([], title)} | attrs)


def _platform(arch: Architecture, facts: Catalog) -> str:
    platform = facts.platforms[arch.platform.hypervisor]
    return f"management cluster: {platform.name}, {platform.ha_name if arch.platform.ha != 'none' else 'no HA'}"


def _component(kind: str, name: str) -> dict[str, str]:
    """The SVG id and class a script finds a component by; no id for a name that is not a slug."""
    return ({"id": f"refarch-{kind}-{name}"} if is_slug(name) else {}) | {"class": f"refarch-component refarch-{kind}"}


def _chain(nodes: Iterable[Node]) -> None:
    """Put nodes in successive columns with invisible edges. `diagrams` adds every edge to the top of the
    graph when it is made, so edges are made once the clusters they run in are closed: the nodes are then
    declared first, in the order dot stacks them."""
    for tail, head in itertools.pairwise(nodes):
        tail >> Edge(style="invis") >> head


# ---- placement ------------------------------------------------------------------------------------------


def _placement_body(arch: Architecture, facts: Catalog, where: Mapping[str, str | None],
                    impact: PhaseImpact | None, failed_hosts: frozenset[str]) -> None:
    """Everything inside one cluster, the management cluster: dot stacks what a cluster holds from top
    to bottom in the order it is written (separate parts of a drawing it would stack bottom to top)."""
    # VMs where they run now, then the VMs that are down on the host they belong to.
    shown = {host.name: [vm for vm in arch.vms if (where.get(vm.name) or vm.host) == host.name] for host in arch.hosts}
    rows = _rows(arch)
    before = {row[i].name: row[i - 1].name for row in rows for i in range(1, len(row))}
    parts = _parts(arch)
    anchor: dict[str, Node] = {}  # by host: its first VM, or the note that it has none
    hidden: list[list[Node]] = []  # chains of nodes, made once the clusters are closed
    with _cluster("platform", [_platform(arch, facts)]):
        for domain in arch.failure_domains:
            hosts = [host for host in arch.hosts if host.failure_domain == domain]
            placed = [part for part in parts if part[2] == domain]
            if not hosts and not placed:
                continue
            with _cluster(f"domain-{domain}", [f"failure domain {domain}"]):
                for host in hosts:
                    anchor[host.name] = _host(host, shown[host.name], where, impact, host.name in failed_hosts)
                if not hosts:
                    hidden += _part_rows(placed)
                    continue
                # Under the domain's first host: in its column, which an edge from the column before sets.
                for name, what, _ in placed:
                    node = _part(name, what)
                    if hosts[0].name in before:
                        hidden.append([anchor[before[hosts[0].name]], node])
        for host in arch.hosts:
            if host.failure_domain not in arch.failure_domains:
                anchor[host.name] = _host(host, shown[host.name], where, impact, host.name in failed_hosts)
        elsewhere = [part for part in parts if part[2] not in arch.failure_domains]
        if elsewhere:
            with _cluster("parts", ["platform parts"]):
                hidden += _part_rows(elsewhere)
    for chain in hidden:
        _chain(chain)
    # A row's hosts in successive columns; the next row starts again at the first column.
    for row in rows:
        _chain(anchor[host.name] for host in row)


def _rows(arch: Architecture) -> list[list[Host]]:
    """Hosts in rows of at most ROW_HOSTS, in order, failure domains first. A domain joins the row
    before when it fits there, and one too large for a row takes rows of its own."""
    groups = [[h for h in arch.hosts if h.failure_domain == d] for d in arch.failure_domains]
    groups.append([h for h in arch.hosts if h.failure_domain not in arch.failure_domains])
    rows: list[list[Host]] = []
    shared = False  # whether the last row may take another domain
    for group in filter(None, groups):
        if shared and len(rows[-1]) + len(group) <= ROW_HOSTS:
            rows[-1] += group
        else:
            rows += _batched(group)
            shared = len(group) <= ROW_HOSTS
    return rows


def _host(host: Host, vms: list[VM], where: Mapping[str, str | None], impact: PhaseImpact | None,
          failed: bool) -> Node:
    """A host's cluster, its VMs in one column, top to bottom; returns the first node. The column needs no
    rank constraint: dot ranks a cluster's nodes among themselves first, and no edge links a host's VMs."""
    size = [f"{host.cpus} CPUs, {host.memory_gib} GiB"] if host.cpus and host.memory_gib else []
    attrs = _component("host", host.name)
    if failed:
        colour = STATE_STYLE["down"]["color"]
        attrs |= {"style": "rounded,dashed", "color": colour, "pencolor": colour, "penwidth": "3"}
    with _cluster(f"host-{host.name}", [f"host {host.name}", *size, *(["FAILED"] if failed else [])], **attrs):
        column = [_vm(vm, where, impact) for vm in vms] or [
            Node(_label(["no VMs"]), nodeid=f"empty--{host.name}", shape="plaintext", style="")]
    return column[0]


def _vm(vm: VM, where: Mapping[str, str | None], impact: PhaseImpact | None) -> Node:
    """A VM: its name and size centred, then its services, one a line (with their states in the failure view)."""
    running = where.get(vm.name) is not None
    header = [f"VM {vm.name}"] + ([f"{vm.vcpus} vCPU, {vm.memory_gib} GiB"] if vm.vcpus and vm.memory_gib else [])
    if running and where[vm.name] != vm.host:
        header.append(f"restarted from {vm.host}")
    style: dict[str, str] = {}
    lines = list(vm.services)
    if impact is not None:
        states = [_instance_state(sid, running, impact) for sid in vm.service_ids]
        lines = [f"{sid}: {_STATE_WORD[state]}" for sid, state in zip(vm.services, states, strict=True)]
        style = STATE_STYLE[max(states, key=RANK.__getitem__, default="down" if not running else "ok")]
        if not running:
            header.append("DOWN")
    return Node(_label(header, lines), nodeid=f"vm--{vm.name}", width="1.9", **style, **_component("vm", vm.name))


def _instance_state(sid: str, running: bool, impact: PhaseImpact) -> str:
    if not running:
        return "down"
    service = impact.services.get(sid)
    return service.state if service is not None else "ok"


def _parts(arch: Architecture) -> list[tuple[str, str, str | None]]:
    """The platform's parts a scenario can fail (`Architecture.platform_parts`), each with what it is and the
    failure domain it sits in."""
    words = {"witness": "witness ({kind})", "fencing": "fencing ({kind})", "storage": "storage ({kind})",
             "switch": "switch", "management": "management ({kind})"}
    return [(p.name, words[p.what].format(kind=p.kind) + (f" on VM {p.vm}" if p.vm else ""), p.failure_domain)
            for p in arch.platform_parts()]


def _part_rows(parts: list[tuple[str, str, str | None]]) -> list[list[Node]]:
    """The parts' nodes, and their rows, to chain once the clusters are closed."""
    return [[_part(name, what) for name, what, _ in row] for row in _batched(parts)]


def _part(name: str, what: str) -> Node:
    shape = "cylinder" if what.startswith("storage") else "box"
    return Node(_label([name, what]), nodeid=f"part--{name}", shape=shape, **_PART, **_component("part", name))


def _batched(items: list) -> list[list]:
    """Items in rows of at most ROW_HOSTS (itertools.batched from Python 3.12)."""
    return [items[i:i + ROW_HOSTS] for i in range(0, len(items), ROW_HOSTS)]


# ---- rendering ------------------------------------------------------------------------------------------


class Renderer:
    """Runs `dot` on drawings, with a timeout, and caches the SVG by a hash of everything that shapes it."""

    def __init__(self, cache_dir: Path | None = None, timeout: float = DOT_TIMEOUT_SECONDS) -> None:
        self.cache_dir = cache_dir
        self.timeout = timeout
        self.dot_runs = 0

    def svg(self, drawing: Drawing) -> bytes:
        """The drawing's SVG, from the cache when a whole one is there. A cache that cannot be written (a
        full disk, a read-only folder, a directory in the file's place) only means `dot` runs again."""
        key = hashlib.sha256("\0".join((RENDERER_VERSION, graphviz_version(), drawing.source)).encode()).hexdigest()
        cached = self.cache_dir / f"{key}.svg" if self.cache_dir else None
        if cached is not None and cached.is_file():
            with contextlib.suppress(OSError):
                found = cached.read_bytes()
                if found.rstrip().endswith(b"</svg>"):  # a truncated file is made again, never served
                    return found
        output = _self_contained(self._dot(drawing.source))
        if cached is not None:
            write_whole(cached, output)  # when it cannot be written, `dot` runs again next time
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


# An attribute that loads something; text never matches, as SVG text has its quotes and `<` escaped.
_REFERENCE = re.compile(rb'<image|\s(?:xlink:)?href="')


def _self_contained(svg: bytes) -> bytes:
    """The SVG as dot wrote it, once checked to reference nothing: no image, no link."""
    if _REFERENCE.search(svg):
        raise DiagramError("a diagram references an image or a link, which refarch never draws")
    return svg
