"""The pcs export's script run offline into a CIB, as an operator's node would: once per script in a test
session. pcs takes about half a second per command, and the exports test and the Pacemaker oracle build
the same designs; a design that differs only by its no-quorum-policy takes the built CIB and sets the
policy with crm_attribute (the export's policy line itself is tested in test_exports.py)."""

from __future__ import annotations

import re
import subprocess
import threading
from pathlib import Path

ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
_POLICY = re.compile(r"no-quorum-policy=(\S+)")
_BUILT: dict[str, str] = {}  # the script with its policy left out -> the CIB it built
_LOCKS: dict[str, threading.Lock] = {}
_LOCK = threading.Lock()


def build(script: str, directory: Path) -> Path:
    """`directory`/cib.xml, as `script` builds it (built at most once per session for the same script)."""
    policy = _POLICY.search(script)
    key = _POLICY.sub("no-quorum-policy=?", script)
    with _LOCK:
        lock = _LOCKS.setdefault(key, threading.Lock())
    cib = directory / "cib.xml"
    with lock:  # the same script asked for at once (the oracle's parallel builds): built once, then shared
        if key in _BUILT:
            cib.write_text(_BUILT[key])
            if policy is not None:
                _run("crm_attribute", "--type", "crm_config", "--name", "no-quorum-policy", "--update", policy[1],
                     env={"CIB_file": str(cib)})
            return cib
        (directory / "pcs.sh").write_text(script)
        cib.write_text(_run("cibadmin", "--empty"))
        _run("sh", str(directory / "pcs.sh"), env={"REFARCH_OFFLINE": "1", "REFARCH_CIB": str(cib)}, cwd=directory)
        _BUILT[key] = cib.read_text()
        return cib


def _run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    done = subprocess.run(args, capture_output=True, text=True, env=ENV | (env or {}), cwd=cwd)
    assert done.returncode == 0, f"{' '.join(args)}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
    return done.stdout
