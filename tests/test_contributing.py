"""The contributor workflow: `refarch new`, `refarch diff`, editor support, pre-commit and CI workflows."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator import project
from generator.cli import build_parser, main

ROOT = Path(__file__).resolve().parent.parent
KVM = ROOT / "architectures" / "kvm-three-hosts.yaml"


def refarch(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True, cwd=cwd)


@pytest.mark.parametrize("platform", ["vsphere", "hyperv", "kvm"])
@pytest.mark.parametrize("hosts", [3, 4, 6])
def test_new_writes_a_design_that_validates_as_it_is(tmp_path, capsys, platform, hosts):
    status = main(["new", f"my-{platform}", "--platform", platform, "--hosts", str(hosts), "--folder", str(tmp_path)])
    assert status == 0
    written = tmp_path / f"my-{platform}.yaml"
    assert written.read_text().startswith("# yaml-language-server: $schema=architecture.schema.json\n")
    capsys.readouterr()
    assert main(["validate", str(written)]) == 0
    assert capsys.readouterr().out.endswith("1 file checked: no problems\n")


@pytest.mark.parametrize(("args", "message"), [
    (["new", "Bad_Id", "--platform", "kvm"], "not a slug"),
    (["new", "ok", "--platform", "kvm", "--hosts", "2"], "at least 3 hosts"),
])
def test_new_refuses_bad_requests(tmp_path, capsys, args, message):
    assert main([*args, "--folder", str(tmp_path)]) == 2
    assert message in capsys.readouterr().err


def test_new_never_overwrites(tmp_path, capsys):
    target = tmp_path / "taken.yaml"
    target.write_text("mine")
    assert main(["new", "taken", "--platform", "kvm", "--folder", str(tmp_path)]) == 2
    assert target.read_text() == "mine" and "exists already" in capsys.readouterr().err


def moved_third_database(tmp_path: Path) -> Path:
    changed = tmp_path / "kvm-three-hosts.yaml"
    changed.write_text(KVM.read_text().replace("  - {name: db-03, host: kvm-03,", "  - {name: db-03, host: kvm-01,"))
    return changed


def test_diff_of_a_placement_change_reports_the_tolerance_drop_and_the_failures(tmp_path):
    result = refarch("diff", str(KVM), str(moved_third_database(tmp_path)), "--format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(result.stdout)
    assert data["behaviour_changed"] and data["tolerates"] == {"before": 1, "after": 0}
    assert {"operation": "authenticate", "before": 1, "after": 0} in data["operations"]
    stopped = [c for c in data["scenarios"] if c["host"] == "kvm-01" and c["operation"] == "authenticate"]
    assert stopped[0]["before"] == "degraded" and stopped[0]["after"] == "down"
    assert "galera (lost quorum): kvm-01 failed" in stopped[0]["reason"]
    assert {f["rule"] for f in data["findings"]["added"]} >= {"RED004", "RED006"}


def test_diff_markdown_for_a_pull_request(tmp_path):
    markdown = refarch("diff", str(KVM), str(moved_third_database(tmp_path))).stdout
    assert "**Host failures tolerated**: 1 → 0 (drops)." in markdown
    assert "| kvm-01 | immediate | authenticate | degraded | down |" in markdown


def test_no_change_in_failure_behaviour(tmp_path):
    reworded = tmp_path / "kvm-three-hosts.yaml"
    reworded.write_text(KVM.read_text().replace("title: KVM with Pacemaker", "title: KVM and Pacemaker"))
    assert "No change in failure behaviour." in refarch("diff", str(KVM), str(reworded)).stdout


def test_diff_reads_a_git_revision_and_a_new_file():
    at_head = refarch("diff", "git:HEAD:architectures/kvm-three-hosts.yaml", "architectures/kvm-three-hosts.yaml")
    assert at_head.returncode == 0 and "No change in failure behaviour." in at_head.stdout
    added = refarch("diff", "none", "architectures/kvm-three-hosts.yaml", "--format", "json")
    assert json.loads(added.stdout)["tolerates"] == {"before": None, "after": 1}
    missing = refarch("diff", "git:HEAD:architectures/nothing.yaml", "architectures/kvm-three-hosts.yaml")
    assert missing.returncode == 2 and "cannot read architectures/nothing.yaml at HEAD" in missing.stderr


def test_every_shipped_file_points_editors_at_the_schema_and_every_key_is_described():
    for path in (ROOT / "architectures").glob("*.yaml"):
        assert path.read_text().startswith("# yaml-language-server: $schema=architecture.schema.json\n"), path.name
    schema = json.loads((ROOT / "architectures" / "architecture.schema.json").read_text())
    for owner in [schema, *schema["$defs"].values()]:
        for key, prop in owner["properties"].items():
            assert prop.get("description") or "$ref" in prop, key


def commands_in(run: str) -> list[list[str]]:
    """The command words of each line of a workflow's `run:` script."""
    lines = []
    for line in run.splitlines():
        words = re.sub(r'"[^"]*"|\$\([^)]*\)', "X", line).split()
        if words and words[0] not in (":", "fi", "done", "do", "then", "else"):
            lines.append(words)
    return lines


def test_workflows_parse_and_call_only_commands_that_exist():
    """This repository's workflows and those `refarch init` writes."""
    subcommands = set(build_parser()._subparsers._group_actions[0].choices)
    workflows = {path.name: path.read_text() for path in (ROOT / ".github" / "workflows").glob("*.yml")}
    assert sorted(workflows) == ["check.yml", "comment.yml", "latest-dependencies.yml", "pages.yml"]
    made = project.files(project.Source("https://example.org/refarch.git", "0" * 40))
    workflows |= {f"init: {path}": data.decode() for path, data in made.items() if path.startswith(".github/")}
    used = set()
    for name, text in sorted(workflows.items()):
        workflow = yaml.safe_load(text)
        assert (workflow.get("on") or workflow.get(True)) and workflow["jobs"], name  # YAML 1.1 reads `on` as true
        for job in workflow["jobs"].values():
            for step in job["steps"]:
                if "uses" in step:
                    assert re.fullmatch(r"actions/[a-z-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
                for words in commands_in(step.get("run", "")):
                    for i, word in enumerate(words):
                        if word == "refarch" or word.endswith("/refarch"):
                            assert words[i + 1] in subcommands, (name, words)
                            used.add((name.startswith("init"), words[i + 1]))
    assert {(False, "validate"), (False, "diff"), (True, "diff")} <= used


def test_the_pre_commit_hook_runs_a_command_of_this_project():
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["entry"] == "refarch validate" and re.match(hook["files"], "architectures/x.yaml")
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    [local] = config["repos"][0]["hooks"]
    assert local["id"] == hook["id"] and local["entry"].endswith("refarch validate")


def test_contributing_page_covers_the_life_of_an_architecture():
    page = (ROOT / "docs" / "contributing.md").read_text()
    for step in ("refarch new", "yaml-language-server", "refarch validate", "waivers:", "refarch diff",
                 "pre-commit install", "sources:"):
        assert step in page, step
    assert "docs/contributing.md" in (ROOT / "CONTRIBUTING.md").read_text()


def test_markdown_cells_keep_pipes_and_newlines_inside_them():
    from generator.analysis.diff import Diff
    from generator.render.diff import to_markdown
    text = to_markdown(Diff("x", [], [], (1, 0), [], [], [("hosts", "a | b\n# heading", 3)]))
    [row] = [line for line in text.splitlines() if line.startswith("| hosts |")]
    assert row == "| hosts | a \\| b # heading | 3 |"


def test_from_refarch_new_to_a_strict_build_with_the_design_on_the_site(tmp_path):
    from sitebuild import SHARED_CACHE, build, project

    folder = project(tmp_path / "project", cache=SHARED_CACHE)
    assert refarch("new", "my-design", "--platform", "hyperv", "--hosts", "4", cwd=folder).returncode == 0
    result = build(folder, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "site" / "architectures" / "my-design" / "index.html").read_text()
    assert "Hyper-V failover cluster, 4 hosts" in page and "Every rule passes." in page
    assert (tmp_path / "site" / "build-guides" / "my-design" / "my-design-hyperv.ps1").is_file()


def documented_commands(text: str) -> list[list[str]]:
    """The arguments of every `refarch` command in a page's shell blocks, continuations joined."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in re.sub(r"\\\n\s*", " ", block).splitlines():
            words = shlex.split(line, comments=True)
            if words and words[0].endswith("bin/refarch"):
                commands.append(words[1:])
    return commands


@pytest.mark.parametrize("page", ["docs/as-built.md", "README.md"])
def test_every_import_and_drift_command_the_docs_show_is_one_the_cli_takes(page):
    commands = documented_commands((ROOT / page).read_text())
    used = {tuple(args[:2]) if args[0] == "import" else (args[0],) for args in commands}
    assert {("import", "pacemaker"), ("import", "rvtools"), ("import", "hyperv"), ("import", "kolla"),
            ("drift",)} <= used, used
    parser = build_parser()
    for args in commands:
        parser.parse_args(args)  # an option the CLI lost, or never had, exits 2 here


def test_the_import_page_walks_every_source_from_collection_to_the_site():
    page = (ROOT / "docs" / "as-built.md").read_text()
    for step in ("pcs cluster cib", "crm_mon --output-as=xml", "corosync.conf", "RVTools", "collect-hyperv.ps1",
                 "hyperv.schema.json", "globals.yml", "openstack_inventory.json", "--map", "as_built_of",
                 "--format github"):
        assert step in page, step
    assert (ROOT / "scripts" / "collect-hyperv.ps1").exists() and (
        ROOT / "generator" / "imports" / "hyperv.schema.json").exists()
    assert "docs/as-built.md" in (ROOT / "README.md").read_text()
