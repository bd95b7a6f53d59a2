"""The `refarch` command line."""

from __future__ import annotations

import argparse
import difflib
import importlib.metadata
import json
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import TextIO

from generator import __version__, catalog, exports, project, rules
from generator.analysis import diff as architecture_diff
from generator.analysis import drift as drift_analysis
from generator.analysis import fix as fix_search
from generator.analysis import scenarios
from generator.analysis.engine import PHASES, Engine
from generator.analysis.scenarios import Scenario
from generator.analysis.tolerance import tolerance
from generator.imports import SourceError
from generator.imports import corosync as corosync_import
from generator.imports import hyperv as hyperv_import
from generator.imports import inventory as inventory_import
from generator.imports import pacemaker as pacemaker_import
from generator.imports import rvtools as rvtools_import
from generator.imports import write as write_import
from generator.model import loader, scaffold
from generator.model.architecture import Architecture, is_slug, json_schema
from generator.model.problem import Severity, has_errors, sorted_problems
from generator.render import diagram, impact_report
from generator.render import diff as diff_report
from generator.render import drift as drift_report
from generator.render import fix as fix_report
from generator.render import problems as report
from generator.rules.validate import Checked, UsageError, check_bytes, check_paths

DEFAULT_ARCHITECTURES = Path("architectures")

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="refarch",
        description="Reference architectures for an OpenStack control plane on a management cluster of its own.",
        epilog="Exit status: 0 no errors, 1 errors found, 2 usage error, 3 internal error (please report it).",
    )
    parser.add_argument("--version", action="version", version=f"refarch {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser(
        "validate", help="check architecture files and report every problem",
        description="Check architecture files: safe YAML reading (YAML*), the schema (SCHEMA*), cross-references "
                    "(REF*), then the redundancy rules (RED*). Every problem of every file is reported as "
                    "path:line:col: severity [RULE] message. A counterexample's errors are reported as expected "
                    "and do not fail the check.",
    )
    validate.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                          help="files, or folders searched for *.yaml and *.yml (default: architectures/)")
    validate.add_argument("--format", choices=report.FORMATS, default="text",
                          help="text (default), json, or github workflow annotations")
    validate.set_defaults(run=_validate)

    impact = commands.add_parser(
        "impact", help="what stops, degrades and keeps working when parts of an architecture fail",
        description="Evaluate a failure of an architecture: each operation's state right after it (immediate) "
                    "and once the platform has restarted the lost VMs (after-restart): ok, degraded (works, but "
                    "slower, partial or while a failover runs) or down, with why in short (what it needs that is "
                    "down, naming the root causes, which each phase states once first), its margin (how many "
                    "more failures of hosts or platform parts it survives), the parts whose return brings it back, "
                    "and the time to recover. With --tolerance: how many simultaneous host failures each operation "
                    "survives (exact, for any number of hosts), its minimal cut sets (of hosts and platform parts) "
                    "and its unavailability.",
    )
    impact.add_argument("file", type=Path, metavar="FILE", help="an architecture file")
    impact.add_argument("--fail", action="append", default=[], metavar="NAME",
                        help="a host, VM, failure domain, platform part (witness, fencing level, storage, switch, "
                             "management server), deployed service id (a Nova cell's own: galera@cell1) or Nova "
                             "cell to fail (repeatable)")
    impact.add_argument("--phase", choices=PHASES, help="only this phase (default: both; JSON then has `phases`)")
    impact.add_argument("--tolerance", action="store_true", help="report tolerance and minimal cut sets instead")
    impact.add_argument("--max-order", type=_positive, metavar="K",
                        help="with --tolerance: list only cut sets of up to K parts, hosts included (tolerance stays "
                             "exact)")
    impact.add_argument("--explain", action="store_true",
                        help="text: print each operation's whole explanation, from the services it needs down to the "
                             "failed parts, instead of its short why (JSON always has it, under `explanation`)")
    impact.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json")
    impact.set_defaults(run=_impact)

    draw = commands.add_parser(
        "diagram", help="render a view of an architecture as SVG",
        description="Render a view of an architecture as a self-contained SVG: placement (hosts, VMs, services), "
                    "topology (load balancers, APIs, workers and data services in columns, requests flowing "
                    "right), or failure (placement coloured by the state of every VM and service after --fail "
                    "HOST fails).",
    )
    draw.add_argument("file", type=Path, metavar="FILE", help="an architecture file")
    draw.add_argument("--view", choices=diagram.VIEWS, default="placement", help="the view (default: placement)")
    draw.add_argument("--fail", action="append", default=[], metavar="HOST", help="with --view failure: a host to fail")
    draw.add_argument("--phase", choices=PHASES, default="immediate", help="with --view failure (default: immediate)")
    draw.add_argument("-o", "--output", type=Path, required=True, metavar="PATH", help="where to write the SVG")
    draw.set_defaults(run=_diagram)

    export = commands.add_parser(
        "export", help="write a deployment export of an architecture",
        description="Write a deployment export: pcs (KVM), powercli (vSphere) or hyperv (Hyper-V) for the "
                    "architecture's hypervisor, kolla-inventory, openstack-ansible (openstack_user_config.yml for "
                    "the architecture's release) or drill (a failure drill runbook in Markdown).",
    )
    export.add_argument("file", type=Path, metavar="FILE", help="an architecture file")
    export.add_argument("--format", required=True, choices=sorted(exports.FORMATS), help="the export to write")
    export.add_argument("-o", "--output", type=Path, metavar="PATH", help="where to write it (default: stdout)")
    export.set_defaults(run=_export)

    diff = commands.add_parser(
        "diff", help="what a change to an architecture does to its failure behaviour",
        description="Compare two versions of an architecture: findings added and removed, tolerance per "
                    "operation, single-host failures whose outcome changed (with the new reason), capacity and "
                    "recovery. OLD and NEW are files, or git:REV:PATH for a file at a git revision; OLD may be "
                    "`none` for a new architecture. Markdown is fit for a pull-request comment.",
    )
    diff.add_argument("old", metavar="OLD", help="the version before: a file, git:REV:PATH, or none")
    diff.add_argument("new", metavar="NEW", help="the version after: a file or git:REV:PATH")
    diff.add_argument("--format", choices=("markdown", "json"), default="markdown", help="markdown (default) or json")
    diff.set_defaults(run=_diff)

    fix = commands.add_parser(
        "fix", help="the fewest changes that make a design meet its targets, with the proof",
        description="Search design changes (move a VM to another host, then set anti-affinity to mandatory) for "
                    "the fewest that meet every target, print them with the YAML diff and the certificate "
                    "(tolerance and nines recomputed on the changed design). Targets: hosts=N (every "
                    "control-plane operation tolerates N host failures), domains (losing any one failure domain "
                    "stops no control-plane operation) and OPERATION=NINES (e.g. "
                    "boot-instance=4.5, from every failure class). Exit 0 when met, 1 when nothing within the "
                    "search budget meets them (the output says how far the design is), 2 on unreadable input.")
    fix.add_argument("file", type=Path, metavar="FILE", help="an architecture file")
    fix.add_argument("--target", action="append", required=True, metavar="TARGET",
                     help="hosts=N, domains or OPERATION=NINES; repeat to require several")
    fix.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json")
    fix.add_argument("--write", type=Path, metavar="OUT",
                     help="write the changed file here (only its changed lines differ)")
    fix.add_argument("--budget", type=int, default=fix_search.BUDGET, metavar="N",
                     help=f"candidate designs to check at most (default {fix_search.BUDGET})")
    fix.set_defaults(run=_fix)

    new = commands.add_parser(
        "new", help="write a commented, valid starting point for a new architecture",
        description="Write architectures/ID.yaml: a commented design for the platform that `refarch validate` "
                    "accepts as it is. Refuses to overwrite a file.",
    )
    new.add_argument("id", metavar="ID", help="the architecture's id and file name: a slug")
    new.add_argument("--platform", required=True, choices=sorted(scaffold.PLATFORMS), help="the hypervisor")
    new.add_argument("--hosts", type=_positive, default=3, metavar="N", help="number of hosts (default 3)")
    new.add_argument("--folder", type=Path, default=DEFAULT_ARCHITECTURES,
                     help="where to write (default: architectures/)")
    new.set_defaults(run=_new)

    init = commands.add_parser(
        "init", help="start a documentation repository for your own designs",
        description="Write into DIR a repository that publishes your designs with refarch's MkDocs plugin: "
                    "mkdocs.yml, architectures/ with one commented example and the schema, a Makefile (make serve, "
                    "make test), requirements.lock, GitHub workflows (check pull requests, forks too; comment what "
                    "each change does; publish to Pages), a pre-commit hook and a README. Its Makefile installs "
                    "refarch from a git repository at one commit: by default the one this refarch was installed "
                    "from, or the checkout it runs from (its origin, over https; it warns when the checkout has "
                    "uncommitted changes or origin lacks the commit). requirements.lock is this refarch's: with "
                    "another --commit, copy that commit's generator/project/requirements.lock over it. Refuses to "
                    "overwrite a file.",
    )
    init.add_argument("folder", type=Path, metavar="DIR", help="where to write (made if missing)")
    init.add_argument("--platform", choices=sorted(scaffold.PLATFORMS), default="kvm",
                      help="the example's hypervisor (default kvm)")
    init.add_argument("--hosts", type=_positive, default=3, metavar="N", help="the example's hosts (default 3)")
    init.add_argument("--source", metavar="URL", help="the git repository to install refarch from")
    init.add_argument("--commit", metavar="SHA", help="the commit of it to install (40 hexadecimal digits)")
    init.set_defaults(run=_init)

    imported = commands.add_parser(
        "import", help="read a running cluster into an as-built architecture file",
        description="Read a running management cluster and its deployment inventory into an as-built architecture "
                    "file, which validate, impact, drift, the site and the exports read. Each value carries its "
                    "source in a comment; what the sources do not say is flagged, never invented. Exit 0 when "
                    "written (VMs no inventory host matched are listed on stderr), 2 on unreadable input (one line "
                    "naming the file and the place; nothing is written).")
    sources = imported.add_subparsers(dest="source", required=True, metavar="SOURCE")
    pacemaker = sources.add_parser(
        "pacemaker", help="a CIB (pcs cluster cib, cibadmin --query) or crm_mon --output-as=xml",
        description="A Pacemaker cluster: its CIB, or crm_mon's XML (which has no utilization, colocations or "
                    "fencing levels). Every VirtualDomain primitive is a VM, named after its resource id less "
                    "a `vm-` prefix.")
    pacemaker.add_argument("file", type=Path, metavar="FILE", help="the CIB or crm_mon XML")
    pacemaker.add_argument("--corosync", type=Path, metavar="FILE",
                           help="corosync.conf, for two_node, wait_for_all and a quorum device")
    rvtools = sources.add_parser(
        "rvtools", help="an RVTools export: its .xlsx workbook or the folder of its CSV export",
        description="A vSphere cluster from an RVTools export (vInfo, vHost, vCluster, vDatastore, vMetaData). "
                    "RVTools has no DRS rules, so anti-affinity is recorded as not in the source.")
    rvtools.add_argument("file", type=Path, metavar="FILE",
                         help="the .xlsx workbook, or the folder of RVTools_tab*.csv")
    rvtools.add_argument("--cluster", metavar="NAME", help="the management cluster, when the export holds several")
    hyperv = sources.add_parser(
        "hyperv", help="what scripts/collect-hyperv.ps1 writes on a failover cluster node",
        description="A Hyper-V failover cluster from the JSON the collector script writes (its format: "
                    "generator/imports/hyperv.schema.json).")
    hyperv.add_argument("file", type=Path, metavar="FILE.json")
    for parser_ in (pacemaker, rvtools, hyperv):
        parser_.add_argument("--inventory", type=Path, metavar="FILE",
                             help="the kolla-ansible inventory (INI) or OpenStack-Ansible's openstack_inventory.json "
                                  "that says which services each VM runs")
        parser_.add_argument("--globals", type=Path, metavar="FILE",
                             help="kolla-ansible's globals.yml: which services are enabled (default: kolla-ansible's "
                                  "defaults; the others are listed)")
        parser_.add_argument("--map", type=Path, metavar="FILE",
                             help="YAML mapping of VM names to inventory host names, for those no rule matches")
        parser_.add_argument("--id", metavar="ID", help="the as-built file's id (default: OUT's name without .yaml)")
        parser_.add_argument("--as-built-of", metavar="ID", help="the id of the design this cluster was built from")
        parser_.add_argument("-o", "--output", type=Path, metavar="OUT", help="write here (default: stdout)")
        parser_.set_defaults(run=_import)
    kolla = sources.add_parser(
        "kolla", help="print which services each host of a kolla-ansible inventory runs",
        description="Read a kolla-ansible inventory (INI) as the import does and print each host's services, "
                    "with the groups refarch does not map.")
    kolla.add_argument("file", type=Path, metavar="INVENTORY")
    kolla.add_argument("--globals", type=Path, metavar="FILE", help="kolla-ansible's globals.yml")
    kolla.add_argument("--format", choices=("yaml", "json"), default="yaml")
    kolla.set_defaults(run=_import_kolla)

    drift = commands.add_parser(
        "drift", help="compare a design with its as-built file: lost redundancy and what explains it",
        description="Per operation, the tolerance, margin, minimal cut sets and unavailability of the design and of "
                    "the as-built file side by side, and the differences that explain them. Exit 0 when the "
                    "as-built cloud tolerates at least what the design does for every operation, 1 when it "
                    "tolerates less (an operation it does not offer counts as less), 2 on unreadable input.")
    drift.add_argument("design", type=Path, metavar="DESIGN")
    drift.add_argument("as_built", type=Path, metavar="AS_BUILT")
    drift.add_argument("--format", choices=drift_report.FORMATS, default="text")
    drift.set_defaults(run=_drift)

    schema = commands.add_parser("schema", help="print the JSON Schema of architecture files",
                                 description="Print the JSON Schema of architecture files (schema v1).")
    schema.set_defaults(run=_schema)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except UsageError as error:
        print(f"refarch: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # a bug of ours: one line, never a traceback
        print(f"refarch: internal error ({type(error).__name__}: {error}); please report it with the input",
              file=sys.stderr)
        return EXIT_INTERNAL


def _validate(args: argparse.Namespace) -> int:
    paths = args.paths or [DEFAULT_ARCHITECTURES]
    results = check_paths(paths)
    problems = sorted_problems([problem for result in results for problem in result.problems])
    sys.stdout.write(report.render(problems, len(results), args.format))
    return EXIT_ERRORS if has_errors(problems) else EXIT_OK


def _impact(args: argparse.Namespace) -> int:
    if args.tolerance and (args.fail or args.phase):
        raise UsageError("--tolerance takes no --fail or --phase")
    if args.max_order and not args.tolerance:
        raise UsageError("--max-order goes with --tolerance")
    if args.explain and (args.tolerance or args.format == "json"):
        raise UsageError("--explain goes with the text report of --fail (JSON has every explanation already)")
    arch = _analysable_architecture(args.file, sys.stderr if args.format == "json" else sys.stdout)
    if arch is None:
        return EXIT_ERRORS
    facts = catalog.load()
    engine = Engine(arch, facts)
    if args.tolerance:
        found = tolerance(engine, args.max_order)
        output = (json.dumps(impact_report.tolerance_data(arch.id, found), indent=2) + "\n"
                  if args.format == "json" else impact_report.tolerance_text(arch.id, found))
    else:
        try:
            scenario = scenarios.from_names(arch, set(facts.for_architecture(arch).services), args.fail)
        except scenarios.UnknownName as error:
            raise UsageError(str(error)) from None
        impact = engine.evaluate(scenario)
        output = (json.dumps(impact_report.impact_data(arch.id, impact, args.phase), indent=2) + "\n"
                  if args.format == "json"
                  else impact_report.impact_text(arch.id, impact, (args.phase,) if args.phase else PHASES,
                                                 explain=args.explain))
    sys.stdout.write(output)
    return EXIT_OK


def _diagram(args: argparse.Namespace) -> int:
    arch = _valid_architecture(args.file)
    if arch is None:
        return EXIT_ERRORS
    facts = catalog.load()
    if (args.view == "failure") != bool(args.fail):
        raise UsageError("--fail HOST goes with --view failure, and --view failure needs it")
    hosts = {host.name for host in arch.hosts}
    if unknown := [name for name in args.fail if name not in hosts]:
        raise UsageError(f"not a host of {arch.id}: {', '.join(unknown)} (hosts: {', '.join(sorted(hosts))})")
    if args.view == "placement":
        drawing = diagram.placement(arch, facts)
    elif args.view == "topology":
        drawing = diagram.topology(arch, facts)
    else:
        failed = frozenset(args.fail)
        impact = Engine(arch, facts).evaluate(Scenario(hosts=failed))
        drawing = diagram.failure(arch, facts, failed, impact.phase(args.phase))
    try:
        args.output.write_bytes(diagram.Renderer().svg(drawing))
    except diagram.DiagramError as error:
        raise UsageError(str(error)) from None
    except OSError as error:
        raise UsageError(f"cannot write {args.output}: {error.strerror}") from None
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    arch = _valid_architecture(args.file)
    if arch is None:
        return EXIT_ERRORS
    try:
        text = exports.export(arch, catalog.load(), args.format)
    except exports.ExportError as error:
        raise UsageError(str(error)) from None
    return _emit(text, args.output)


def _emit(text: str, output: Path | None) -> int:
    """Write a command's result to `output`, or to stdout without one."""
    if output is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        output.write_text(text)
    except OSError as error:
        raise UsageError(f"cannot write {output}: {error.strerror}") from None
    return EXIT_OK


def _new(args: argparse.Namespace) -> int:
    try:
        text = scaffold.architecture(args.id, args.platform, args.hosts)
    except ValueError as error:
        raise UsageError(str(error)) from None
    target = args.folder / f"{args.id}.yaml"
    try:
        args.folder.mkdir(parents=True, exist_ok=True)
        with target.open("x") as handle:  # "x": never overwrite
            handle.write(text)
    except FileExistsError:
        raise UsageError(f"{target.as_posix()} exists already; choose another id") from None
    except OSError as error:
        raise UsageError(f"cannot write {target.as_posix()}: {error.strerror}") from None
    print(f"wrote {target.as_posix()}; check it with: refarch validate {target.as_posix()}")
    return EXIT_OK


def _init(args: argparse.Namespace) -> int:
    url, commit, cautions = _installed_source()
    if args.source or args.commit:
        cautions = []
    url, commit = args.source or url, args.commit or commit
    if not url or not commit:
        raise UsageError("cannot tell which git repository and commit of refarch the new repository should install: "
                         "pass --source URL and --commit SHA")
    try:
        made = project.files(project.Source(url, commit), args.platform, args.hosts)
    except ValueError as error:
        raise UsageError(str(error)) from None
    existing = [path for path in made if (args.folder / path).exists()]
    if existing:
        raise UsageError(f"{args.folder.as_posix()} holds {', '.join(existing)} already; nothing was written")
    try:
        for path, data in made.items():
            (args.folder / path).parent.mkdir(parents=True, exist_ok=True)
            (args.folder / path).write_bytes(data)
    except OSError as error:
        raise UsageError(f"cannot write into {args.folder.as_posix()}: {error.strerror}") from None
    for caution in cautions:
        print(f"refarch: warning: {caution}", file=sys.stderr)
    print(f"wrote {len(made)} files into {args.folder.as_posix()}, installing refarch from {url} at {commit}; "
          f"next: cd {args.folder.as_posix()} && make serve")
    return EXIT_OK


def _installed_source() -> tuple[str | None, str | None, list[str]]:
    """The git repository and commit this refarch was installed from (pip's direct_url.json), or, installed
    from a folder (`pip install -e .`), that folder's checkout: its `origin` as an address CI can fetch
    without a key or a token, else the folder itself; with what the new repository's CI may lack."""
    # The first record pip wrote: a checkout's own refarch.egg-info (a build's leftover, on the path when
    # Python runs from the checkout) has none.
    records = (found.read_text("direct_url.json") for found in importlib.metadata.distributions(name="refarch"))
    try:
        record = json.loads(next((text for text in records if text), "{}"))
    except ValueError:
        return None, None, []
    url = record.get("url", "")
    if record.get("vcs_info", {}).get("vcs") == "git":
        return url, record["vcs_info"].get("commit_id"), []
    if not (url.startswith("file://") and "dir_info" in record):
        return None, None, []
    folder = urllib.request.url2pathname(url.removeprefix("file://"))

    def git(*words: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", folder, *words], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    origin, commit = git("config", "--get", "remote.origin.url"), git("rev-parse", "HEAD")
    cautions = []
    if git("status", "--porcelain", "--untracked-files=no"):
        cautions.append(f"{folder} has uncommitted changes, which commit {commit} does not hold")
    if origin and commit and not git("branch", "-r", "--contains", commit):
        cautions.append(f"no branch of origin holds commit {commit} yet: push it before the new repository's CI runs")
    return (project.fetchable(origin) if origin else url), commit, cautions


def _diff(args: argparse.Namespace) -> int:
    old = None if args.old == "none" else _checked_version(args.old)
    new = _checked_version(args.new)
    # A version with rule findings can still be analysed (showing them is the point); one that does not
    # read, fit the schema or resolve its references cannot.
    broken = [result for result in (old, new) if result is not None and (result.architecture is None or any(
        p.severity is Severity.ERROR and p.rule not in rules.BY_ID for p in result.problems))]
    if broken:
        sys.stdout.write(report.render([p for r in broken for p in r.problems], len(broken), "text"))
        return EXIT_ERRORS
    result = architecture_diff.compare(old, new, catalog.load())
    sys.stdout.write(json.dumps(diff_report.to_data(result), indent=2) + "\n" if args.format == "json"
                     else diff_report.to_markdown(result))
    return EXIT_OK


def _fix(args: argparse.Namespace) -> int:
    facts = catalog.load()
    try:
        targets = [fix_search.parse_target(text, facts) for text in args.target]
    except fix_search.TargetError as error:
        raise UsageError(str(error)) from None
    raw = _read(args.file, "the architecture")
    checked = check_bytes(raw, args.file.as_posix(), args.file.stem)
    if checked.architecture is None or any(p.severity is Severity.ERROR and p.rule not in rules.BY_ID
                                           for p in checked.problems):
        sys.stdout.write(report.render(checked.problems, 1, "text"))
        return EXIT_ERRORS
    outcome = fix_search.search(raw, args.file.as_posix(), args.file.stem, facts, targets, args.budget)
    diff = "".join(difflib.unified_diff(raw.decode("utf-8").splitlines(keepends=True),
                                        outcome.text.splitlines(keepends=True),
                                        f"a/{args.file.name}", f"b/{args.file.name}"))
    if args.format == "json":
        sys.stdout.write(json.dumps(fix_report.to_data(outcome, diff), indent=2) + "\n")
    else:
        sys.stdout.write(fix_report.to_text(outcome, targets, diff))
    if outcome.met and outcome.changes and args.write is not None:
        try:
            args.write.write_text(outcome.text)
        except OSError as error:
            raise UsageError(f"cannot write {args.write.as_posix()}: {error.strerror}") from None
    return EXIT_OK if outcome.met else 1


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read {what} {path}: {error.strerror}") from None


def _import(args: argparse.Namespace) -> int:
    try:
        if args.source == "rvtools":
            if not args.file.exists():
                raise UsageError(f"cannot read the source {args.file}: no such file or folder")
            built = rvtools_import.read(args.file, args.file.name, args.cluster)
        elif args.source == "hyperv":
            built = hyperv_import.read(_read(args.file, "the source"), args.file.name)
        else:
            built = pacemaker_import.read(_read(args.file, "the source"), args.file.name)
        if getattr(args, "corosync", None) is not None:
            quorum = corosync_import.read(_read(args.corosync, "corosync.conf"), args.corosync.name)
            built.two_node, built.wait_for_all = quorum.get("two_node"), quorum.get("wait_for_all")
            built.witness = quorum.get("witness")
        inventory = None
        if args.inventory is not None:
            raw = _read(args.inventory, "the inventory")
            globals_raw = _read(args.globals, "globals.yml") if args.globals is not None else None
            inventory = (inventory_import.openstack_ansible(raw, args.inventory.name) if raw.lstrip().startswith(b"{")
                         else inventory_import.kolla(raw, args.inventory.name, globals_raw,
                                                     args.globals.name if args.globals else ""))
        mapping = _mapping(args.map) if args.map is not None else {}
    except SourceError as error:
        print(f"refarch: {error}", file=sys.stderr)
        return EXIT_USAGE
    arch_id = args.id or (args.output.name.removesuffix(".yaml").removesuffix(".yml") if args.output else None) \
        or (f"{args.as_built_of}-as-built" if args.as_built_of else "as-built")
    if not is_slug(arch_id):
        raise UsageError(f"`{arch_id}` is no id: lower-case letters, digits and hyphens")
    matched = write_import.match(built, inventory, mapping) if inventory is not None else None
    text = write_import.as_built(built, inventory, matched, arch_id, args.as_built_of)
    if matched is not None and matched.unmapped:
        print(f"refarch: no inventory host for {len(matched.unmapped)} VM(s), written without services: "
              f"{', '.join(matched.unmapped)} (match them with --map)", file=sys.stderr)
    return _emit(text, args.output)


def _mapping(path: Path) -> dict[str, str]:
    loaded = loader.load(_read(path, "the map"), path.name)
    if loaded.problems:
        raise SourceError(path.name, "", str(loaded.problems[0]).removeprefix(f"{path.name}:"))
    if loaded.data is None:
        return {}
    if not isinstance(loaded.data, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                    for k, v in loaded.data.items()):
        raise SourceError(path.name, "top level", "expected a mapping of VM names to inventory host names")
    return dict(loaded.data)


def _import_kolla(args: argparse.Namespace) -> int:
    try:
        inventory = inventory_import.kolla(_read(args.file, "the inventory"), args.file.name,
                                           _read(args.globals, "globals.yml") if args.globals else None,
                                           args.globals.name if args.globals else "")
    except SourceError as error:
        print(f"refarch: {error}", file=sys.stderr)
        return EXIT_USAGE
    data = {"hosts": inventory.hosts, "unknown_groups": inventory.unknown_groups, "disabled": inventory.disabled}
    if args.format == "json":
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    else:
        lines = [f"{host}: [{', '.join(services)}]" for host, services in inventory.hosts.items()]
        if inventory.unknown_groups:
            lines.append(f"# groups refarch does not map: {', '.join(inventory.unknown_groups)}")
        lines += [f"# placed but not enabled: {', '.join(inventory.disabled)}"] * bool(inventory.disabled)
        sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_OK


def _drift(args: argparse.Namespace) -> int:
    checked = [check_paths([path])[0] for path in (args.design, args.as_built)]
    broken = [result for result in checked if result.architecture is None or any(
        p.severity is Severity.ERROR and not p.rule.startswith("RED") for p in result.problems)]
    if broken:
        sys.stderr.write(report.render([p for r in broken for p in r.problems], len(broken), "text"))
        return EXIT_USAGE
    design, built = (result.architecture for result in checked)
    result = drift_analysis.compare(design, built, catalog.load())
    sys.stdout.write(drift_report.render(result, args.format))
    return EXIT_ERRORS if result.lost else EXIT_OK


def _checked_version(spec: str) -> Checked:
    """A file, or git:REV:PATH read with `git show`."""
    if not spec.startswith("git:"):
        return check_paths([Path(spec)])[0]
    try:
        _, revision, path = spec.split(":", 2)
    except ValueError:
        raise UsageError(f"expected git:REV:PATH, got {spec}") from None
    shown = subprocess.run(["git", "show", f"{revision}:{path}"], capture_output=True, check=False)
    if shown.returncode != 0:
        raise UsageError(f"cannot read {path} at {revision}: {shown.stderr.decode(errors='replace').strip()}")
    return check_bytes(shown.stdout, spec, Path(path).stem)


def _valid_architecture(path: Path) -> Architecture | None:
    """The architecture in `path`, or None after printing its problems (the caller exits with 1)."""
    result = check_paths([path])[0]
    if not result.ok:
        sys.stdout.write(report.render(result.problems, 1, "text"))
        return None
    return result.architecture


def _analysable_architecture(path: Path, findings: TextIO) -> Architecture | None:
    """The architecture in `path` if the engine can analyse it: it loads, fits the schema and its names
    resolve. A flawed design is what an operator most wants the impact of, so when the redundancy rules
    find errors, every finding is printed first (to `findings`) and the analysis goes on."""
    result = check_paths([path])[0]
    structural = [p for p in result.problems if p.severity is Severity.ERROR and not p.rule.startswith("RED")]
    if result.architecture is None or structural:
        sys.stdout.write(report.render(result.problems, 1, "text"))
        return None
    if not result.ok:
        findings.write(report.render(result.problems, 1, "text"))
    return result.architecture


def _positive(text: str) -> int:
    value = int(text) if text.isdigit() else 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def _schema(args: argparse.Namespace) -> int:
    sys.stdout.write(json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n")
    return EXIT_OK
