"""Helpers for tests that build the documentation site in a scratch copy of the project."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import CLEAN

ROOT = Path(__file__).resolve().parent.parent

# A design every rule accepts, whose texts carry every injection a pull request could try.
HOSTILE = (CLEAN.replace("id: clean", "id: hostile")
           .replace("title: A clean design",
                    "title: 'Hostile { onclick=alert(1) } [x](javascript:alert(2)) {{ 7*7 }} | cell'")
           .replace("summary: Three hosts, every role on each.", """summary: |
  [click me](javascript:alert(3)) and [obfuscated](jav&#x61;script:alert(4)) and [fine](https://docs.openstack.org/)
  ![img](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)

  # Heading { onclick="alert(5)" }

  {{ 7*7 }} and {% raw %}x{% endraw %}

  --8<-- "/etc/passwd"
""")) + """decisions:
  - id: D01
    decision: "cell | with a pipe\\n# Injected heading\\n| a | b |"
    justification: "{: onclick='alert(6)' } {{ config.site_name }}"
    implication: "--8<-- \\"/etc/passwd\\""
"""


def project(tmp: Path, architectures: dict[str, str] | None = None) -> Path:
    """A copy of the project's site sources in `tmp`, with the shipped or the given architecture files."""
    tmp.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "mkdocs.yml", tmp / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", tmp / "docs")
    if architectures is None:
        shutil.copytree(ROOT / "architectures", tmp / "architectures")
    else:
        (tmp / "architectures").mkdir()
        for name, text in architectures.items():
            (tmp / "architectures" / name).write_text(text)
    return tmp


def build(folder: Path, out: Path, strict: bool = True, **env: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "mkdocs", "build", "-f", str(folder / "mkdocs.yml"), "-d", str(out)]
    return subprocess.run(command + (["--strict"] if strict else []), capture_output=True, text=True,
                          env=os.environ | {"NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1700000000"} | env)
