"""The GitHub workflows, this repository's and those `refarch init` writes, audited by zizmor offline.

Pull requests from forks are checked by a job that can write nothing; a `workflow_run` workflow posts
the comment from the uploaded artifact. zizmor finds nothing but the one `dangerous-triggers` finding
every `workflow_run` trigger raises, acknowledged inline with its reason (the workflows pass its
pedantic persona too, which the suite leaves out: new pedantic audits would turn the weekly job of the
newest versions red over style); each action is pinned to a full commit with its release in a trailing
comment, the same one everywhere.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sitebuild import ROOT

from generator import project

ZIZMOR = Path(sys.executable).parent / "zizmor"
ACKNOWLEDGED = "# zizmor: ignore[dangerous-triggers]"
PINNED = re.compile(r"^\s*(?:- )?uses: ([\w.-]+/[\w.-]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)$")
USES = re.compile(r"^\s*(?:- )?uses:")


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("ours")
    for path, data in project.files(project.Source("https://example.org/refarch.git", "0" * 40)).items():
        if path.startswith(".github/"):
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_bytes(data)
    return folder / ".github" / "workflows"


def findings(folder: Path) -> list[tuple[str, str]]:
    done = subprocess.run([str(ZIZMOR), "--offline", "--format", "json", str(folder)],
                          capture_output=True, text=True, timeout=120)
    assert done.stdout, done.stderr
    found = json.loads(done.stdout)
    assert (done.returncode == 0) == (not found), done.stderr
    return [(f["ident"], f["determinations"]["severity"]) for f in found]


@pytest.mark.parametrize("which", ["repository", "init"])
def test_zizmor_finds_nothing_but_the_acknowledged_trigger(which, scaffolded, tmp_path):
    folder = ROOT / ".github" / "workflows" if which == "repository" else scaffolded
    assert findings(folder) == []
    # The one acknowledgement is in the workflow_run workflow, and it is what keeps zizmor quiet.
    acknowledged = [p.name for p in folder.glob("*.yml") if "zizmor: ignore" in p.read_text()]
    assert acknowledged == ["comment.yml"]
    assert (folder / "comment.yml").read_text().count("zizmor: ignore") == 1
    assert ACKNOWLEDGED in (folder / "comment.yml").read_text()
    bare = tmp_path / ".github" / "workflows"  # zizmor looks for workflows there in a folder it is given
    shutil.copytree(folder, bare)
    text = (bare / "comment.yml").read_text()
    (bare / "comment.yml").write_text(re.sub(r" # zizmor: ignore\[[^\]]*\][^\n]*", "", text))
    assert findings(tmp_path) == [("dangerous-triggers", "High")]


def test_the_comment_workflow_runs_nothing_from_the_pull_request(scaffolded):
    for folder in (ROOT / ".github" / "workflows", scaffolded):
        text = (folder / "comment.yml").read_text()
        assert "actions/checkout" not in text and "pull_request_target" not in text
        assert "workflow_run:" in text
        # The pull request's own text reaches the shell only through environment variables.
        for line in text.splitlines():
            if "${{" in line:
                assert re.match(r"\s+[A-Z_]+: \$\{\{ [\w.]+ \}\}$", line) or "group:" in line \
                    or line.strip().startswith("if:"), line
        # The pull request's description is only ever tested for and read by `head`, never run or sourced.
        uses = [line.strip() for line in text.splitlines() if "impact/diff.md" in line]
        assert uses and all(re.fullmatch(r"(if|elif) (\[ !? ?-[fLs] impact/diff\.md \](; then| \|\| | && )?)+.*"
                                         r"|head -c \d+ impact/diff\.md", use) for use in uses), uses
        check = (folder / "check.yml").read_text()
        assert "pull-requests: write" not in check and "contents: read" in check
        assert "actions/upload-artifact@" in check and "name: impact" in check


def test_the_comment_workflow_is_the_one_init_writes():
    assert (ROOT / ".github" / "workflows" / "comment.yml").read_bytes() == (
        project.HERE / "files" / "comment.yml").read_bytes()


def test_every_action_is_pinned_to_one_commit_everywhere(scaffolded):
    pins: dict[str, set[tuple[str, str]]] = {}
    for path in [*(ROOT / ".github" / "workflows").glob("*.yml"), *scaffolded.glob("*.yml")]:
        for line in path.read_text().splitlines():
            if USES.match(line):
                found = PINNED.match(line)
                assert found, f"{path.name}: not pinned to a commit with its release: {line.strip()}"
                pins.setdefault(found[1], set()).add((found[2], found[3]))
    assert {action for action, pinned in pins.items() if len(pinned) > 1} == set()
    assert {"actions/checkout", "actions/upload-artifact", "actions/deploy-pages"} <= set(pins)
