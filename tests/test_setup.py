"""The set-up a newcomer meets: the lock is what `make` installs, CI is `make test`, the weekly job ignores the lock."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
VENV = Path(sys.prefix)


def locked() -> dict[str, tuple[str, str | None, list[str]]]:
    """name -> (version, environment marker, hashes) for every entry of requirements.lock."""
    entries: dict[str, tuple[str, str | None, list[str]]] = {}
    text = LOCK.read_text().replace("\\\n", " ")
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        spec, *hashes = line.split("--hash=")
        requirement = Requirement(spec.strip())
        [pin] = list(requirement.specifier)
        assert pin.operator == "==", line
        if requirement.marker is None or requirement.marker.evaluate():
            entries[canonicalize_name(requirement.name)] = (
                pin.version, str(requirement.marker) if requirement.marker else None, [h.strip() for h in hashes])
    return entries


def test_every_locked_package_is_pinned_with_hashes():
    entries = locked()
    assert entries
    for name, (_, _, hashes) in entries.items():
        assert hashes and all(re.fullmatch(r"sha256:[0-9a-f]{64}", h) for h in hashes), name


def test_the_lock_covers_pyproject_and_fits_its_ranges():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wanted = [*project["project"]["dependencies"], *project["project"]["optional-dependencies"]["test"],
              *project["build-system"]["requires"]]
    entries = locked()
    for text in wanted:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in entries, f"{name} is not in requirements.lock: run `make lock`"
        assert requirement.specifier.contains(entries[name][0], prereleases=True), (text, entries[name][0])


def test_what_is_installed_is_what_the_lock_pins():
    latest = VENV.name == ".venv-latest"  # `make test-latest` installs the newest allowed versions instead
    for name, (version, _, _) in locked().items():
        installed = Version(metadata.version(name))
        assert installed >= Version(version) if latest else installed == Version(version), name


# What an outer make passes down (`make test-latest` runs `make test INSTALL=latest` and these tests under
# it) and the Makefile's own variables: a make these tests start must see none of them.
INHERITED = ("MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES", "MAKELEVEL", "MAKE_TERMOUT", "MAKE_TERMERR", "INSTALL", "VENV",
             "LATEST_VENV", "BIN", "STAMP", "LOCK", "PYTHON")


def hermetic() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if name not in INHERITED}


def make_dry_run(*args: str) -> str:
    result = subprocess.run(["make", "--no-print-directory", "-n", *args], cwd=ROOT, capture_output=True,
                            text=True, check=True, env=hermetic())
    return result.stdout


def test_a_dry_run_ignores_what_an_outer_make_passes_down(tmp_path, monkeypatch):
    """Under `make test-latest`, MAKEFLAGS carries INSTALL=latest: the lock's branch is still the one shown."""
    monkeypatch.setenv("MAKEFLAGS", " -- INSTALL=latest VENV=.venv-latest")
    monkeypatch.setenv("MAKELEVEL", "1")
    monkeypatch.setenv("INSTALL", "latest")
    commands = make_dry_run("setup", f"VENV={tmp_path / 'venv'}")
    assert "--require-hashes" in commands and "--upgrade-strategy eager" not in commands, commands


def test_a_second_make_reinstalls_nothing():
    stamp = VENV / ".installed"
    if not stamp.exists():
        pytest.skip("not run from a virtual environment that make set up")
    # `make -q` exits 0 when the target is up to date, that is, when `make test` would install nothing.
    target = stamp.relative_to(ROOT) if stamp.is_relative_to(ROOT) else stamp
    result = subprocess.run(["make", "-q", str(target), f"VENV={VENV}"], cwd=ROOT, capture_output=True, text=True,
                            env=hermetic())
    assert result.returncode == 0, result.stdout + result.stderr


def test_make_installs_from_the_lock_with_its_hashes(tmp_path):
    commands = make_dry_run("setup", f"VENV={tmp_path / 'venv'}")
    assert re.search(r"pip .*install --require-hashes --no-deps -r requirements\.lock", commands), commands
    installs = [line for line in commands.splitlines() if " install " in line and "pip" in line]
    assert all("--require-hashes" in line or "--no-deps --no-build-isolation -e ." in line for line in installs)


def test_ci_is_make_test_and_nothing_else():
    script = [line for line in (ROOT / ".ci" / "run").read_text().splitlines()
              if line.strip() and not line.startswith("#")]
    assert script[-1] == "make test"
    assert all(line.startswith(("set ", "cd ")) for line in script[:-1]), script


def test_make_test_installs_every_system_tool_the_suite_drives(tmp_path):
    commands = make_dry_run("test", f"VENV={tmp_path / 'venv'}")
    [install] = [line for line in commands.splitlines() if "system-packages.sh" in line and "chromium" in line]
    for package in ("graphviz", "chromium", "pcs", "pacemaker-cli-utils", "resource-agents", "fence-agents",
                    "scram"):
        assert package in install.split(), package
    assert "REFARCH_NO_SKIPS=1" in commands


def test_the_weekly_workflow_tests_the_newest_versions_without_the_lock(tmp_path):
    path = ROOT / ".github" / "workflows" / "latest-dependencies.yml"
    workflow = yaml.safe_load(path.read_text())
    triggers = workflow.get("on") or workflow[True]  # YAML 1.1 reads `on` as true
    [schedule] = triggers["schedule"]
    assert len(schedule["cron"].split()) == 5 and schedule["cron"].split()[4] != "*"  # once a week
    runs = "\n".join(step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"])
    assert "make test-latest" in runs and "requirements.lock" not in path.read_text()
    # What `make test-latest` runs installs the newest allowed versions and never reads the lock.
    commands = make_dry_run("test-latest", f"LATEST_VENV={tmp_path / 'latest'}")
    assert "install --upgrade --upgrade-strategy eager -e '.[test]'" in commands, commands
    assert "requirements.lock" not in commands


def test_under_make_test_a_skipped_test_fails_and_says_why(tmp_path):
    (tmp_path / "test_tool.py").write_text("import pytest\n\ndef test_it():\n    pytest.skip('no such tool here')\n")
    run = [sys.executable, "-m", "pytest", "-q", "-p", "conftest", "-p", "no:cacheprovider", str(tmp_path)]
    env = {"PYTHONPATH": str(ROOT / "tests"), "PATH": "/usr/bin:/bin"}
    by_hand = subprocess.run(run, cwd=tmp_path, capture_output=True, text=True, env=env)
    assert by_hand.returncode == 0 and "1 skipped" in by_hand.stdout, by_hand.stdout
    under_make = subprocess.run(run, cwd=tmp_path, capture_output=True, text=True, env=env | {"REFARCH_NO_SKIPS": "1"})
    assert under_make.returncode == 1 and "1 failed" in under_make.stdout, under_make.stdout
    assert "must run every test: Skipped: no such tool here" in under_make.stdout
