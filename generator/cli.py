"""The `refarch` command line."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import TextIO

from generator import __version__, catalog, exports, rules
from generator.analysis import diff as architecture_diff
from generator.analysis import scenarios
from generator.analysis.engine import PHASES, Engine
from generator.analysis.scenarios import Scenario
from generator.analysis.tolerance import tolerance
from generator.model import scaffold
from generator.model.architecture import Architecture, json_schema
from generator.model.problem import Severity, has_errors, sorted_problems
from generator.render import diagram, impact_report
from generator.render import diff as diff_report
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
    if args.output is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        args.output.write_text(text)
    except OSError as error:
        raise UsageError(f"cannot write {args.output}: {error.strerror}") from None
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
