"""The documentation site as data: every generated page (Markdown) and asset (images, YAML downloads).

Pure: it takes the checked architecture files, the catalog and a diagram renderer, and returns the
pages and assets with the problems found; the MkDocs plugin only hands them to MkDocs. A file with
errors (other than a counterexample's expected ones) gets a page that lists its problems instead of
an analysis, so one broken file never takes down the others.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import multiprocessing
import os
import re
import threading
from collections.abc import Collection, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from markupsafe import Markup

from generator import catalog, exports, rules
from generator.analysis import availability
from generator.analysis.compile import quorum_policy
from generator.analysis.design import Analysis, analyse
from generator.analysis.engine import Engine, Impact
from generator.analysis.scenarios import Scenario
from generator.catalog import Catalog, majority
from generator.exports import drill, openstack_ansible
from generator.model import checks
from generator.model.architecture import Architecture, is_slug
from generator.model.problem import Problem, Severity
from generator.render import diagram, explorer, matrix, phrases, verdict
from generator.render.pages import link, render
from generator.render.text import markdown_html
from generator.rules import docs as rule_docs
from generator.rules.validate import Checked, UsageError, check_bytes, find_files
from generator.site import as_built
from generator.site import cache as build_cache

HOME_MARKER = "<!-- refarch:architectures -->"
# Parts of an architecture page written as HTML, which MkDocs never reads as Markdown: the page holds a
# marker for each, and `insert_fragments` puts the HTML there once Markdown has run (faster, and no
# Markdown rule can touch it).
FRAGMENTS = ("whatif", "impact", "pairs", "maintenance", "more", "tolerance", "placement", "source")
# The fragments with text a reader may search for: the plugin puts them in before the search plugin
# reads the page. The others, excluded from search anyway and most of a page's bytes, go in after the
# theme has made the page, so that neither parses them.
SEARCHED_FRAGMENTS = frozenset({"pairs", "maintenance", "placement"})
_FRAGMENT = re.compile(r"<!-- refarch:fragment:([a-z]+) -->")


@dataclasses.dataclass(frozen=True)
class Site:
    pages: dict[str, str]  # path under docs/ -> Markdown
    assets: dict[str, bytes]  # path under docs/ -> bytes
    problems: list[Problem]  # every problem of every architecture file
    home_table: str  # the comparison table for the hand-written home page (links relative to it)
    analysed: list[str]  # the architectures made in this build (the others came from the cache)
    # page path -> name -> HTML that the page's <!-- refarch:fragment:NAME --> stands for (insert_fragments)
    fragments: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)


def insert_fragments(html: str, fragments: dict[str, str], names: Collection[str] | None = None) -> str:
    """A page's HTML with each fragment marker replaced by its fragment, or only those in `names` (any
    other marker stays: it is a comment)."""
    def fragment(found: re.Match) -> str:
        name = found.group(1)
        return fragments[name] if name in fragments and (names is None or name in names) else found.group(0)
    return _FRAGMENT.sub(fragment, html)


def page_slug(result: Checked) -> str:
    """The page name of a file: its id when it has a valid one, else a name derived safely from the path."""
    if result.architecture is not None:
        return result.architecture.id
    stem = result.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if is_slug(stem):
        return stem
    return "invalid-" + hashlib.sha256(result.path.encode()).hexdigest()[:10]


@dataclasses.dataclass(frozen=True)
class Source:
    """An architecture file as read: the path problems name it by, and its bytes."""

    path: str
    raw: bytes


def read_sources(folder: Path, root: Path) -> list[Source]:
    """Every architecture file under `folder` as read, named by its path relative to `root`."""
    found = []
    for path in find_files([folder]):
        try:
            found.append(Source(os.path.relpath(path, root), path.read_bytes()))
        except OSError as error:
            raise UsageError(f"{path}: cannot be read ({error.strerror})") from None
    return found


def build(files: list[Source], facts: Catalog, renderer: diagram.Renderer,
          cache: build_cache.Store | None = None, workers: int = 1) -> Site:
    """Every page and asset of the site. What each architecture file gives (its problems, pages,
    assets) comes from `cache` when an entry for exactly its inputs is there; the others are checked
    and made in up to `workers` processes (the output does not depend on the order they finish in)
    and stored."""
    if cache is None or facts is not catalog.load():
        cache = build_cache.Store(None)  # keys hash the catalog on disk: any other one is not cached
    code = build_cache.code_fingerprint()
    keys = [build_cache.key(code, source.path, source.raw) for source in files]
    units: dict[int, build_cache.Unit] = {}
    for index, entry in enumerate(keys):
        found = cache.get(entry)
        if found is not None:
            units[index] = found
    missing = [i for i in range(len(files)) if i not in units]
    # While the pool makes the missing files' units, this process makes the pages every build shares.
    with _units_made([files[i] for i in missing], facts, renderer, workers) as made:
        shared = _shared_pages(facts, cache, build_cache.key(code, "catalog, rules and outages"))
    for index, made_unit in zip(missing, made, strict=True):
        cache.put(keys[index], made_unit)
        units[index] = made_unit
    ordered = sorted(units.values(), key=lambda u: (u.row["slug"], u.row["path"]))
    pages: dict[str, str] = {}
    assets: dict[str, bytes] = {}
    fragments: dict[str, dict[str, str]] = {}
    for found in ordered:
        pages |= found.pages
        assets |= found.assets
        fragments |= found.fragments
    rows = [found.row for found in ordered]
    problems = [problem for found in ordered for problem in found.problems]
    _pair_as_built(files, rows, pages, assets, fragments, facts)
    pages["architectures/index.md"] = render("architectures.md.j2", rows=rows, base="")
    pages["build-guides/index.md"] = render("build_guides.md.j2", rows=[r for r in rows if not r["invalid"]])
    pages |= shared
    return Site(pages, assets, problems, render("comparison.md.j2", rows=rows, base="architectures/"),
                sorted(units[i].row["slug"] for i in missing), fragments)


def _pair_as_built(files: list[Source], rows: list[dict], pages: dict[str, str], assets: dict[str, bytes],
                   fragments: dict[str, dict[str, str]], facts: Catalog) -> None:
    """An as-built file whose design is on the site has no page of its own: its design's page shows it
    (`as_built.fragment`) and offers it for download. Changes `rows`, `pages`, `assets` and `fragments`."""
    named = {row["slug"]: row for row in rows if not row["invalid"]}
    wanted = {row["slug"] for row in named.values() if row.get("as_built_of") in named}
    if not wanted:
        return
    involved = wanted | {named[slug]["as_built_of"] for slug in wanted}
    checked = [result for result in (_checked(s) for s in files) if page_slug(result) in involved]
    for design_id, built in as_built.pairs(checked).items():
        design = next(r for r in checked if page_slug(r) == design_id)
        slug = built.architecture.id
        fragments.setdefault(f"architectures/{design_id}.md", {})[as_built.FRAGMENT] = as_built.fragment(
            design, built, facts)
        for path in (f"architectures/{slug}.md", f"build-guides/{slug}.md"):
            pages.pop(path, None)
            fragments.pop(path, None)
        for path in [p for p in assets if p.startswith((f"architectures/{slug}/", f"build-guides/{slug}/"))]:
            del assets[path]
        assets[f"architectures/{design_id}/{slug}.yaml"] = built.raw
        rows.remove(named[slug])


def _shared_pages(facts: Catalog, cache: build_cache.Store, entry: str) -> dict[str, str]:
    """The catalog, the rules and what stops when each service is down: they depend on the code and the
    catalog only, so they come from the cache whenever those are unchanged."""
    found = cache.get(entry, counted=False)
    if found is None:
        pages = _catalog_pages(facts) | _rule_pages()
        pages["when-a-service-is-down/index.md"] = _outage_page(facts)
        found = build_cache.Unit(pages, {}, {})
        cache.put(entry, found)
    return found.pages


@contextlib.contextmanager
def _units_made(files: list[Source], facts: Catalog, renderer: diagram.Renderer,
                workers: int) -> Iterator[list[build_cache.Unit]]:
    """`unit` for each file, in the order given, in the list this yields and fills on exit: in a process
    pool when there are several and more than one worker (the largest files first, so that the longest
    analysis starts at once), else here. The workers read the catalog themselves: it is the one
    `catalog.load()` reads, as here."""
    made: list[build_cache.Unit] = []
    # Workers are forked, which starts them at once; not from a process that runs threads (`mkdocs
    # serve` once it serves), where a child may inherit a lock one of them holds: there, one by one.
    forkable = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    if workers <= 1 or len(files) <= 1 or facts is not catalog.load() or not forkable:
        yield made
        made += [unit(_checked(source), facts, renderer) for source in files]
        return
    fork = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=min(workers, len(files)), mp_context=fork) as pool:
        largest_first = sorted(range(len(files)), key=lambda i: -len(files[i].raw))
        futures = {i: pool.submit(_unit_in_worker, (files[i], renderer.cache_dir, renderer.timeout))
                   for i in largest_first}
        yield made
        results = [futures[i].result() for i in range(len(files))]
    renderer.dot_runs += sum(runs for _, runs in results)
    made += [made_unit for made_unit, _ in results]


def _checked(source: Source) -> Checked:
    return check_bytes(source.raw, source.path, Path(source.path).stem)


def _unit_in_worker(job: tuple[Source, Path | None, float]) -> tuple[build_cache.Unit, int]:
    source, cache_dir, timeout = job
    renderer = diagram.Renderer(cache_dir, timeout)
    return unit(_checked(source), catalog.load(), renderer), renderer.dot_runs


def unit(result: Checked, facts: Catalog, renderer: diagram.Renderer) -> build_cache.Unit:
    """Everything the site makes of one architecture file: its page, its build guide and their files,
    and its row in the comparison table; a page of its problems when it has errors."""
    slug = page_slug(result)
    pages: dict[str, str] = {}
    assets: dict[str, bytes] = {f"architectures/{slug}/{slug}.yaml": result.raw}
    if not result.ok:
        pages[f"architectures/{slug}.md"] = render("invalid.md.j2", result=result, slug=slug,
                                                   problems=[_finding(p) for p in result.problems])
        return build_cache.Unit(pages, assets, {"slug": slug, "title": result.path, "invalid": True,
                                                "path": result.path}, problems=result.problems)
    analysis = analyse(result.architecture, facts)
    assets |= _images(analysis, facts, renderer, slug)
    pages[f"architectures/{slug}.md"], fragments = _architecture_page(result, analysis, facts)
    guide, files = _build_guide(analysis, facts)
    pages[f"build-guides/{slug}.md"] = guide
    assets |= files
    return build_cache.Unit(pages, assets, _summary_row(result, analysis, facts) | {"path": result.path},
                            {f"architectures/{slug}.md": fragments}, result.problems)


# ---- one architecture ---------------------------------------------------------------------------------


def _images(analysis: Analysis, facts: Catalog, renderer: diagram.Renderer, slug: str) -> dict[str, bytes]:
    """The placement and topology views. Failures are not drawn one SVG per host and phase: the what-if
    explorer overlays the failed parts on the placement view, whose nodes carry their component ids."""
    arch = analysis.arch
    return {f"architectures/{slug}/placement.svg": renderer.svg(diagram.placement(arch, facts)),
            f"architectures/{slug}/topology.svg": renderer.svg(diagram.topology(arch, facts))}


CUT_SETS_LISTED = 8  # per operation in the tolerance table; the command line lists more
MATTERS_LISTED = 3  # events that matter most, per operation
CAUSE_WORDS = {"hardware": "hardware", "software": "software", "common_cause": "common causes",
               "maintenance": "maintenance"}

EXPORT_FILES = {"pcs": "pcs.sh", "powercli": "powercli.ps1", "hyperv": "hyperv.ps1",
                "kolla-inventory": "kolla-multinode.ini", "openstack-ansible": "openstack_user_config.yml",
                "drill": "failure-drill.txt", "open-psa": "fault-tree.xml"}
EXPORT_TITLES = {"pcs": "pcs commands (KVM with Pacemaker)", "powercli": "PowerCLI (vSphere)",
                 "hyperv": "PowerShell (Hyper-V failover cluster)"}
VERIFY = {
    "kvm": ["pcs status --full", "crm_verify --live-check -V", "pcs constraint config", "pcs quorum status"],
    "vsphere": ["Get-Cluster | Select-Object Name, HAEnabled, HAFailoverLevel, DrsEnabled",
                "Get-DrsRule -Cluster <cluster>"],
    "hyperv": ["Get-ClusterNode", "Get-ClusterQuorum", "Get-ClusterGroup | Select-Object Name, OwnerNode, Priority"],
}


def _build_guide(analysis: Analysis, facts: Catalog) -> tuple[str, dict[str, bytes]]:
    arch = analysis.arch
    files: dict[str, bytes] = {}
    parts = {}
    for fmt in exports.formats_for(arch):
        text = exports.export(arch, facts, fmt, analysis)
        name = f"{arch.id}-{EXPORT_FILES[fmt]}"
        files[f"build-guides/{arch.id}/{name}"] = text.encode()
        parts[fmt] = {"text": text, "download": link(f"Download {name}", f"{arch.id}/{name}"),
                      "title": EXPORT_TITLES.get(fmt, fmt)}
    # The drill repeats one checklist per host: the page shows the first host's, the download has them all.
    parts["drill"]["preview"] = drill.write(arch, facts, analysis, hosts=arch.hosts[:1])
    page = render("build_guide.md.j2", arch=arch, platform=facts.platforms[arch.platform.hypervisor],
                  hypervisor=parts[exports.HYPERVISOR_FORMAT[arch.platform.hypervisor]], kolla=parts["kolla-inventory"],
                  osa=parts["openstack-ansible"], drill=parts["drill"], open_psa=parts["open-psa"],
                  verify=VERIFY[arch.platform.hypervisor],
                  osa_release=openstack_ansible.release_of(arch))
    return page, files


def _summary_row(result: Checked, analysis: Analysis, facts: Catalog) -> dict:
    arch = analysis.arch
    facts = analysis.engine.facts  # as it holds for this design (its settings, its cells)
    platform = facts.platforms[arch.platform.hypervisor]
    warnings = sum(p.severity is Severity.WARNING for p in result.problems)
    status = ("counterexample: fails as intended" if arch.status == "counterexample"
              else f"valid, {warnings} warning{'s' if warnings != 1 else ''}" if warnings else "valid")
    return {
        "slug": page_slug(result), "title": arch.title, "invalid": False, "hypervisor": platform.name,
        "ha": platform.ha_name if arch.platform.ha != "none" else "none",
        "openstack": _openstack_summary(arch),
        "hosts": len(arch.hosts), "vms": len(arch.vms),
        "vcpus": sum(vm.vcpus or 0 for vm in arch.vms), "memory": sum(vm.memory_gib or 0 for vm in arch.vms),
        "tolerates": analysis.tolerance.tolerates, "worst_recovery": analysis.worst_recovery, "status": status,
        "downtime": _worst_downtime(analysis, facts), "as_built_of": arch.as_built_of,
    }


def _openstack_summary(arch: Architecture) -> str:
    """How the design deploys OpenStack, in a few words: networking, storage, Nova cells."""
    settings = arch.openstack
    words = ["ML2/OVN" if settings.networking == "ovn" else "ML2/OVS" + (", L3 HA" if settings.l3_ha else ""),
             f"{settings.storage_backend} volumes"]
    cells = len(settings.cells)
    words.append(f"{cells} Nova cells" if cells > 1 else "1 Nova cell")
    return ", ".join(words)


def _worst_downtime(analysis: Analysis, facts: Catalog) -> str:
    """The expected yearly downtime from host failures of the control-plane operation stopped most often."""
    worst = verdict.least_available(analysis, facts)
    return "-" if worst is None else f"{worst['minutes']} ({worst['oid']}, {worst['nines']})"


def _architecture_page(result: Checked, analysis: Analysis, facts: Catalog) -> tuple[str, dict[str, str]]:
    """The page's Markdown, and the HTML fragments it places (see `insert_fragments`)."""
    arch = analysis.arch
    engine = analysis.engine
    offered = engine.facts.operations  # with this design's settings and cells, what it offers
    not_offered = [op.name for oid, op in facts.operations.items()
                   if oid not in offered and not any(key.startswith(f"{oid}@") for key in offered)]
    facts = engine.facts  # as it holds for this design (its settings, its cells)
    findings = [_finding(p) for p in result.problems]
    context = dict(
        arch=arch, facts=facts, platform=facts.platforms[arch.platform.hypervisor],
        restart_seconds=engine.restart_seconds, summary=markdown_html(arch.summary),
        quorum_policy=_quorum_policy(arch, facts),
        verdict=verdict.of(analysis, findings, result.waived, facts),
        findings=findings, waived=result.waived,
        placement=_placement_rows(arch),
        platform_matrix=matrix.of(analysis, ["single hosts", "failure domains", "platform parts"], facts),
        service_matrix=matrix.of(analysis, ["whole services", "cells"], facts),
        vm_matrix=matrix.of(analysis, ["single VMs"], facts),
        pairs=matrix.summary(analysis.summaries["pairs of hosts"], facts, "host pairs"),
        maintenance=matrix.summary(analysis.summaries["maintenance then a failure"], facts,
                                   "maintenance-then-failure scenarios"),
        parts=_platform_parts(arch), not_offered=not_offered,
        tolerance=analysis.tolerance, availability=_availability(analysis), cut_sets_listed=CUT_SETS_LISTED,
        unavailable={oid: phrases.unavailable(op) for oid, op in analysis.tolerance.operations.items()
                     if op.unavailable is not None},
        host_unavailability=f"{facts.platforms[arch.platform.hypervisor].host_reliability.unavailability:.2g}",
        whatif=Markup(explorer.to_json(explorer.data(engine))),
        yaml_name=f"{arch.id}.yaml",
        yaml_text=result.raw.decode("utf-8", errors="replace"),
    )
    fragments = {name: render("architecture_fragments.html.j2", fragment=name, **context) for name in FRAGMENTS}
    fragments[as_built.FRAGMENT] = ""  # its as-built file's, when the site has one (`_pair_as_built`)
    return render("architecture.md.j2", **context), fragments


def _quorum_policy(arch: Architecture, facts: Catalog) -> dict[str, str] | None:
    """A Pacemaker cluster's no-quorum-policy, and what it does (the catalog's words)."""
    if arch.platform.ha != "pacemaker":
        return None
    policy = quorum_policy(arch, facts)
    return {"name": arch.platform.no_quorum_policy or "stop", "basis": policy.basis} if policy else None


def _platform_parts(arch: Architecture) -> list[dict]:
    """The platform's own parts the design declares, by name and kind (`Architecture.platform_parts`)."""
    words = {"witness": "{kind} witness", "fencing": "fencing level {order}, {kind}", "storage": "{kind} storage",
             "switch": "switch", "management": "{kind}"}
    return [{"name": p.name, "kind": words[p.what].format(kind=p.kind, order=p.order)
             + (", outside the cluster" if p.what == "management" and not p.vm else "")}
            for p in arch.platform_parts()]


def _placement_rows(arch: Architecture) -> list[dict]:
    rows = []
    for host in arch.hosts:
        vms = [vm for vm in arch.vms if vm.host == host.name]
        rows.append({"host": host, "vms": vms, "vcpus": sum(vm.vcpus or 0 for vm in vms),
                     "memory": sum(vm.memory_gib or 0 for vm in vms)})
    return rows


def _availability(analysis: Analysis) -> dict[str, dict[str, object]]:
    """Each operation's unavailability in words for the tolerance table: its minutes and nines, the
    minutes each cause class brings, and the events that matter most (criticality: the share of its
    downtime that would go if the event never happened)."""
    shown: dict[str, dict[str, object]] = {}
    events = analysis.tolerance.events
    for oid, op in analysis.tolerance.operations.items():
        if op.unavailability is None:
            continue
        minutes, nines = availability.in_words(op.unavailability)
        causes = [(CAUSE_WORDS[cause], availability.minutes_per_year(share))
                  for cause, share in (op.by_cause or {}).items() if share > 0]
        ranked = sorted((op.importance or {}).items(), key=lambda item: (-item[1].criticality, item[0]))
        matters = [{"what": events[name].what, "share": f"{measures.criticality:.0%}".replace("%", " %")}
                   for name, measures in ranked[:MATTERS_LISTED] if measures.criticality >= 0.005]
        shown[oid] = {"minutes": minutes, "nines": nines,
                      "causes": ", ".join(f"{words} {value:.2g} min" for words, value in causes) or "-",
                      "matters": matters}
    return shown


def _service_outage(impact: Impact, facts: Catalog) -> dict:
    [sid] = impact.scenario.services
    by_state: dict[str, list[str]] = {"down": [], "degraded": [], "ok": []}
    for oid, op in impact.immediate.operations.items():
        by_state[op.state].append(oid)
    return {"service": sid, "name": facts.services[sid].name, **by_state}


def _finding(problem: Problem) -> dict:
    if problem.rule in rules.BY_ID:
        target = f"../rules/{problem.rule.lower()}.md"
    else:
        target = f"../rules/structural.md#{problem.rule.lower()}"
    kind = "expected" if problem.expected else str(problem.severity)
    return {"problem": problem, "kind": kind, "rule_link": Markup(f"[{problem.rule}]({target})")}


# ---- the catalog, the rules and outages ----------------------------------------------------------------


def _catalog_pages(facts: Catalog) -> dict[str, str]:
    return {
        "catalog/index.md": render("catalog_services.md.j2", facts=facts, majority=majority),
        "catalog/operations.md": render("catalog_operations.md.j2", facts=facts),
        "catalog/platforms.md": render("catalog_platforms.md.j2", facts=facts),
        "catalog/reliability.md": render("catalog_reliability.md.j2", facts=facts),
    }


def _rule_pages() -> dict[str, str]:
    pages = {}
    for rule in rules.RULES:
        doc = rule_docs.parse(rule)
        # Rule docstrings are this project's own Markdown, not contributors' text.
        sections = [(heading, Markup(body)) for heading, body in doc.sections.items()]
        pages[f"rules/{rule.ID.lower()}.md"] = render("rule.md.j2", rule=rule, title=doc.title, sections=sections)
    pages["rules/index.md"] = render("rules.md.j2", rules=rules.RULES, retired=rules.RETIRED)
    pages["rules/structural.md"] = render("structural.md.j2", checks=checks.ALL)
    return pages


def reference_architecture(facts: Catalog, networking: str) -> Architecture:
    """Every service of one networking flavour on three VMs, one per host: the model for outage pages."""
    services = [sid for sid, s in facts.services.items() if s.belongs_to(networking) and s.ha_model != "arbitrator"]
    return Architecture.model_validate({
        "id": f"reference-{networking}", "title": "Reference", "summary": "Every service on three VMs.",
        "platform": {"hypervisor": "kvm", "ha": "pacemaker", "fencing": "ipmi"},
        "openstack": {"networking": networking},
        "hosts": [{"name": f"host-{i}"} for i in (1, 2, 3)],
        "vms": [{"name": f"vm-{i}", "host": f"host-{i}", "services": services} for i in (1, 2, 3)],
    })


def _outage_page(facts: Catalog) -> str:
    """For every catalog service, what stops, degrades and keeps working when all its instances are down."""
    entries = []
    engines = {n: Engine(reference_architecture(facts, n), facts) for n in ("ovs", "ovn")}
    for sid, service in facts.services.items():
        networking = "ovn" if service.networking == "ovn" else "ovs"
        target = sid if service.ha_model != "arbitrator" else None
        impact = engines[networking].evaluate(Scenario(services=frozenset([target] if target else [])))
        outage = _service_outage(impact, facts) if target else None
        votes_in = [other for other, s in facts.services.items() if s.arbitrator == sid]
        entries.append({"sid": sid, "service": service, "outage": outage, "networking": networking,
                        "votes_in": votes_in})
    return render("outages.md.j2", entries=entries, facts=facts)

