"""The `refarch` command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from generator import __version__, report
from generator.model import json_schema
from generator.problem import has_errors, sorted_problems
from generator.validate import UsageError, check_paths

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


def _schema(args: argparse.Namespace) -> int:
    sys.stdout.write(json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n")
    return EXIT_OK
