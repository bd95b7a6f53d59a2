"""The `refarch` command: exit status, output formats, paths, and the committed schema."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CLEAN, edit

from generator.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A working folder with architectures/ holding one valid and one broken file."""
    folder = tmp_path / "architectures"
    folder.mkdir()
    (folder / "clean.yaml").write_text(CLEAN)
    broken = edit("id: clean", "id: broken", edit("name: kvm-01, cpus: 32", 'name: kvm-01, cpus: "32"', CLEAN))
    (folder / "broken.yaml").write_text(broken)
    monkeypatch.chdir(tmp_path)
    return folder


def run(capsys, *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_valid_file_exits_zero(tree, capsys):
    status, out, _ = run(capsys, "validate", "architectures/clean.yaml")
    assert status == 0
    assert out == "1 file checked: no problems\n"


def test_default_path_is_architectures_and_problems_are_sorted_with_hints(tree, capsys):
    status, out, _ = run(capsys, "validate")
    assert status == 1
    assert out.splitlines() == [
        'architectures/broken.yaml:9:26: error [SCHEMA003] hosts[0].cpus: expected a whole number, found "32"',
        "    hint: remove the quotes around the number",
        "2 files checked: 1 error, 0 warnings",
    ]


def test_all_files_are_reported_not_just_the_first(tree, capsys):
    (tree / "zzz.yaml").write_text("id: zzz\n\tbad\n")
    status, out, _ = run(capsys, "validate", "architectures")
    assert status == 1
    assert [line.split(":")[0] for line in out.splitlines() if not line.startswith(" ")][:-1] == [
        "architectures/broken.yaml", "architectures/zzz.yaml"]


def test_json_format(tree, capsys):
    status, out, _ = run(capsys, "validate", "--format", "json")
    assert status == 1
    assert json.loads(out) == {"problems": [{
        "path": "architectures/broken.yaml", "line": 9, "col": 26, "severity": "error", "rule": "SCHEMA003",
        "message": 'hosts[0].cpus: expected a whole number, found "32"',
        "hint": "remove the quotes around the number", "expected": False}]}


def test_github_format_escapes_what_would_end_the_command(tree, capsys):
    (tree / "a,b.yaml").write_text("id: x\n\tbad\n")
    status, out, _ = run(capsys, "validate", "--format", "github", "architectures/a,b.yaml")
    assert status == 1
    [line] = out.splitlines()
    assert line.startswith("::error file=architectures/a%2Cb.yaml,line=2,col=1,title=YAML001::")
    assert "%0Ahint: indent with spaces" in line


def test_cross_checks_run_after_a_clean_schema(tree, capsys):
    (tree / "broken.yaml").write_text(edit("host: kvm-02", "host: kvm-09", CLEAN))
    _, out, _ = run(capsys, "validate", "--format", "json")
    problems = json.loads(out)["problems"]
    # The id `clean` in broken.yaml, and the VM on an undeclared host.
    assert [(p["rule"], p["line"]) for p in problems] == [("REF005", 1), ("REF002", 14)]


def test_rules_run_after_clean_references_and_a_counterexample_exits_zero(tree, capsys):
    design = edit("name: ctl-03, host: kvm-03", "name: ctl-03, host: kvm-01", CLEAN)
    (tree / "broken.yaml").write_text(edit("id: clean", "id: broken", design))
    status, out, _ = run(capsys, "validate", "architectures/broken.yaml")
    assert status == 1
    assert "broken.yaml:15:" in out and "[RED004]" in out
    counterexample = edit("summary:", "status: counterexample\nsummary:", edit("id: clean", "id: broken", design))
    (tree / "broken.yaml").write_text(counterexample)
    status, out, _ = run(capsys, "validate", "architectures/broken.yaml")
    assert status == 0
    assert "[RED004]" in out and "(expected: the architecture is a counterexample)" in out


@pytest.mark.parametrize("args", [
    ["validate", "does-not-exist.yaml"],
    ["validate", "empty-folder"],
])
def test_usage_errors_exit_two(tree, capsys, args):
    (tree.parent / "empty-folder").mkdir()
    status, out, err = run(capsys, *args)
    assert status == 2
    assert out == ""
    assert err.startswith("refarch: ")


def test_argument_errors_exit_two(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["validate", "--format", "xml"])
    assert exit_info.value.code == 2


def test_folders_are_searched_recursively_skipping_hidden_ones(tree, capsys):
    (tree / "sub").mkdir()
    (tree / "sub" / "deep.yml").write_text("id: deep\n\tbad\n")
    (tree / ".hidden").mkdir()
    (tree / ".hidden" / "x.yaml").write_text("\tbad\n")
    (tree / "notes.txt").write_text("\tnot yaml")
    _, out, _ = run(capsys, "validate", "--format", "json")
    assert sorted({p["path"] for p in json.loads(out)["problems"]}) == [
        "architectures/broken.yaml", "architectures/sub/deep.yml"]


def test_schema_command_prints_the_committed_schema(capsys):
    status, out, _ = run(capsys, "schema")
    assert status == 0
    assert out == (ROOT / "architectures" / "architecture.schema.json").read_text()


def test_module_and_console_script_both_run(tree):
    for command in ([sys.executable, "-m", "generator"], [str(Path(sys.executable).parent / "refarch")]):
        result = subprocess.run([*command, "validate", "architectures/clean.yaml"], capture_output=True, text=True)
        assert (result.returncode, result.stdout) == (0, "1 file checked: no problems\n")


def test_an_internal_error_is_one_line_not_a_traceback(tree, capsys, monkeypatch):
    def explode(paths):
        raise RuntimeError("boom")
    monkeypatch.setattr("generator.cli.check_paths", explode)
    status, _, err = run(capsys, "validate")
    assert status == 3
    assert err == "refarch: internal error (RuntimeError: boom); please report it with the input\n"
