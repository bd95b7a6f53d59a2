"""The hostile-input corpus: every case ends with exit 1, a positioned message naming the expected rule,
no traceback, within 2 s of CPU time and 200 MB of memory.

Each file in tests/hostile/ is named after the rule it must trigger (`yaml004-billion-laughs.yaml`
must report YAML004). Cases too large to commit are generated here.
"""

from __future__ import annotations

import os
import re
import resource
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
    "yaml004-many-aliases": lambda: ("id: x\na: &a x\nb: [" + ", ".join(["*a"] * 1000) + "]\n").encode(),
    "schema004-string-of-a-megabyte": lambda: (
        "id: schema004-string-of-a-megabyte\n" + BASE.replace("Hostile input", "x" * 1_000_000)).encode(),
    "yaml001-megabyte-of-brackets-and-quotes": lambda: ("id: x\ntitle: \"" + "\\\"[{" * 250_000).encode(),
}


def corpus() -> list[tuple[str, Path | None]]:
    committed = [(path.stem, path) for path in sorted(HOSTILE.glob("*.yaml"))]
    return committed + [(name, None) for name in GENERATED]


def limit_resources() -> None:
    # Past the CPU budget the kernel stops the process with SIGXCPU.
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS + 1))


def run_validate(path: Path) -> tuple[int, str, int]:
    """Exit status, combined output, and peak resident memory in bytes of `refarch validate path`."""
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "generator", "validate", str(path)],
            stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT, preexec_fn=limit_resources,
        )
        _, status, usage = os.wait4(process.pid, 0)  # this child's own resource usage
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        text = output.read().decode("utf-8", errors="replace")
    return process.returncode, text, usage.ru_maxrss * 1024


@pytest.mark.parametrize(("name", "committed"), corpus(), ids=[name for name, _ in corpus()])
def test_hostile_input(name, committed, tmp_path):
    path = committed if committed is not None else tmp_path / f"{name}.yaml"
    if committed is None:
        path.write_bytes(GENERATED[name]())
    rule = name.split("-", 1)[0].upper()

    status, output, peak = run_validate(path)

    assert status == 1, f"expected exit 1, got {status} (negative: killed by a signal, e.g. the CPU limit)\n{output}"
    assert "Traceback" not in output and "internal error" not in output, output
    positioned = re.compile(rf"^{re.escape(path.as_posix())}:\d+:\d+: error \[{rule}\] \S", re.MULTILINE)
    assert positioned.search(output), f"no positioned [{rule}] problem in:\n{output}"
    assert peak < MEMORY_BYTES, f"peak memory {peak / 2**20:.0f} MiB"


def test_every_committed_case_names_a_rule_that_exists():
    from generator import checks, rules
    known = {check.id for check in checks.ALL} | set(rules.BY_ID)
    for path in HOSTILE.glob("*.yaml"):
        assert path.stem.split("-", 1)[0].upper() in known, path.name
