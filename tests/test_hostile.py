"""The hostile-input corpus: every case ends with exit 1, a positioned message naming the expected rule,
no traceback, within 2 s of CPU time and 200 MB of memory, whichever PyYAML build reads it.

Each file in tests/hostile/ is named after the rule it must trigger (`yaml004-billion-laughs.yaml`
must report YAML004). Cases too large to commit are generated here. Every case runs under two PyYAML
builds: the locked one (6.0.4, whose libyaml 0.2.6 has a nesting limit of its own) and 6.0.2 (libyaml
0.2.5, none), which `make` installs into the virtual environment's `pyyaml-6.0.2` folder.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

HOSTILE = Path(__file__).resolve().parent / "hostile"
CPU_SECONDS = 2
MEMORY_BYTES = 200 * 1024 * 1024

BASE = """title: Hostile input
summary: A case of the hostile corpus.
platform:
  hypervisor: kvm
  ha: pacemaker
  fencing: ipmi
hosts:
  - name: kvm-01
vms:
  - name: db-01
    host: kvm-01
    services: [galera]
"""

GENERATED = {
    "yaml006-file-over-one-mebibyte": lambda: ("id: x\nsummary: " + "x" * (1024 * 1024) + "\n").encode(),
    "yaml006-a-million-list-items": lambda: ("id: x\nvms: [" + "1," * 500_000 + "1]\n").encode(),
    "yaml005-flow-nesting-that-crashes-libyaml": lambda: (
        "id: x\ntitle: " + "[" * 30_000 + "]" * 30_000 + "\n").encode(),
    "yaml005-flow-nesting-unclosed": lambda: ("id: x\ntitle: " + "[" * 400_000 + "\n").encode(),
    "yaml005-block-sequence-nesting": lambda: ("id: x\nhosts:\n" + "- " * 1_100 + "x\n").encode(),
    "yaml005-flow-nesting-100000-levels": lambda: (
        "id: x\ntitle: " + "[" * 100_000 + "]" * 100_000 + "\n").encode(),
    "yaml005-block-nesting-100000-levels": lambda: ("id: x\nhosts:\n" + "- " * 100_000 + "x\n").encode(),
    "yaml004-many-aliases": lambda: ("id: x\na: &a x\nb: [" + ", ".join(["*a"] * 1000) + "]\n").encode(),
    "schema004-string-of-a-megabyte": lambda: (
        "id: schema004-string-of-a-megabyte\n" + BASE.replace("Hostile input", "x" * 1_000_000)).encode(),
    "yaml001-megabyte-of-brackets-and-quotes": lambda: ("id: x\ntitle: \"" + "\\\"[{" * 250_000).encode(),
}


OLD_PYYAML = Path(sys.prefix) / "pyyaml-6.0.2"
# PyYAML builds to read the corpus with: extra entries for PYTHONPATH, in front of the installed one.
BUILDS = {"locked-pyyaml": None, "pyyaml-6.0.2": OLD_PYYAML}


def build_env(build: str) -> dict[str, str]:
    env = dict(os.environ)
    if BUILDS[build] is not None:
        if not (BUILDS[build] / "yaml").is_dir():
            pytest.skip(f"{BUILDS[build]} is missing: `make test` installs PyYAML 6.0.2 there")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(BUILDS[build]), env.get("PYTHONPATH")]))
    return env


def corpus() -> list[tuple[str, Path | None]]:
    committed = [(path.stem, path) for path in sorted(HOSTILE.glob("*.yaml"))]
    return committed + [(name, None) for name in GENERATED]


# `python -m generator` under the CPU limit, writing its own peak resident memory (VmHWM) where
# REFARCH_PEAK_FILE says when it exits. The peak is read inside the process because the kernel's
# ru_maxrss of a child also counts the forking parent's pages from before the exec, so it would grow
# with the memory of the test process that starts it.
LAUNCHER = f"""
import atexit, os, resource, runpy, sys
# Past the CPU budget the kernel stops the process with SIGXCPU.
resource.setrlimit(resource.RLIMIT_CPU, ({CPU_SECONDS}, {CPU_SECONDS} + 1))

def peak():
    with open("/proc/self/status") as status:
        kib = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    with open(os.environ["REFARCH_PEAK_FILE"], "w") as out:
        out.write(kib)

atexit.register(peak)
sys.argv[0] = "refarch"
runpy.run_module("generator", run_name="__main__", alter_sys=True)
"""


def run_validate(path: Path, env: dict[str, str]) -> tuple[int, str, int]:
    """Exit status, combined output, and peak resident memory in bytes of `refarch validate path`."""
    with tempfile.TemporaryFile() as output, tempfile.TemporaryDirectory() as scratch:
        peak_file = Path(scratch) / "peak"
        process = subprocess.run([sys.executable, "-c", LAUNCHER, "validate", str(path)],
                                 env={**env, "REFARCH_PEAK_FILE": str(peak_file)},
                                 stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT, check=False)
        output.seek(0)
        text = output.read().decode("utf-8", errors="replace")
        # No peak written: the process did not exit by itself (the CPU limit's signal); the status says so.
        peak = int(peak_file.read_text()) * 1024 if peak_file.exists() else 0
    return process.returncode, text, peak


def test_the_two_builds_are_the_ones_the_corpus_is_meant_for():
    versions = {}
    for build in BUILDS:
        probe = "import yaml; print(yaml.__version__, yaml.__with_libyaml__, yaml._yaml.get_version_string())"
        result = subprocess.run([sys.executable, "-c", probe], env=build_env(build), capture_output=True,
                                text=True, check=True)
        versions[build] = result.stdout.split()
    assert versions["pyyaml-6.0.2"] == ["6.0.2", "True", "0.2.5"]
    _, with_libyaml, libyaml = versions["locked-pyyaml"]
    assert with_libyaml == "True" and tuple(map(int, libyaml.split("."))) >= (0, 2, 6), versions


def cases() -> list[tuple[str, Path | None, str]]:
    """Every case with the locked PyYAML; with the older build (a libyaml without a nesting limit of its
    own, which crashes on deep nesting) the cases where the two libyaml releases differ: aliases, nesting
    and size (YAML004 to YAML006). The other cases take the same parser path in both, so `make test`
    leaves them out for the older build and `make bench` (REFARCH_EXHAUSTIVE=1) runs them too."""
    every = os.environ.get("REFARCH_EXHAUSTIVE") == "1"
    return [(name, committed, build) for build in BUILDS for name, committed in corpus()
            if build == "locked-pyyaml" or every or name.startswith(("yaml004", "yaml005", "yaml006"))]


@pytest.mark.parametrize(("name", "committed", "build"), cases(), ids=[f"{n}-{b}" for n, _, b in cases()])
def test_hostile_input(name, committed, build, tmp_path):
    path = committed if committed is not None else tmp_path / f"{name}.yaml"
    if committed is None:
        path.write_bytes(GENERATED[name]())
    rule = name.split("-", 1)[0].upper()

    status, output, peak = run_validate(path, build_env(build))

    assert status == 1, f"expected exit 1, got {status} (negative: killed by a signal, e.g. the CPU limit)\n{output}"
    assert "Traceback" not in output and "internal error" not in output, output
    positioned = re.compile(rf"^{re.escape(path.as_posix())}:\d+:\d+: error \[{rule}\] \S", re.MULTILINE)
    assert positioned.search(output), f"no positioned [{rule}] problem in:\n{output}"
    assert peak < MEMORY_BYTES, f"peak memory {peak / 2**20:.0f} MiB"


def test_every_committed_case_names_a_rule_that_exists():
    from generator import rules
    from generator.model import checks
    known = {check.id for check in checks.ALL} | set(rules.BY_ID)
    for path in HOSTILE.glob("*.yaml"):
        assert path.stem.split("-", 1)[0].upper() in known, path.name
