"""The pcs export's script run offline into a CIB, as an operator's node would: once per script in a test
session. pcs takes about half a second per command, and the exports test, the import test and the
Pacemaker oracle build the same designs; a design that differs only by its no-quorum-policy takes the
built CIB and sets the policy with crm_attribute (the export's policy line itself is tested in
test_exports.py). `prebuild` starts builds in a background thread when the session starts, so that they
run on the second core while the first runs other tests (conftest.py calls it)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
_POLICY = re.compile(r"no-quorum-policy=(\S+)")
_BUILT: dict[str, Future[str]] = {}  # the script with its policy left out -> the CIB it builds
_LOCK = threading.Lock()
_POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="offline-cib")


def available() -> bool:
    return all(shutil.which(tool) for tool in ("pcs", "cibadmin", "crm_attribute"))


def prebuild(scripts: list[str]) -> None:
    """Start building these scripts' CIBs in the background (each once)."""
    for script in scripts:
        _future(script, background=True)


def build(script: str, directory: Path) -> Path:
    """`directory`/cib.xml, as `script` builds it (built at most once per session for the same script)."""
    cib = directory / "cib.xml"
    cib.write_text(_future(script, background=False).result())
    policy = _POLICY.search(script)
    if policy is not None:  # the shared CIB may be another policy's: set this script's
        _run("crm_attribute", "--type", "crm_config", "--name", "no-quorum-policy", "--update", policy[1],
             env={"CIB_file": str(cib)})
    return cib


def _future(script: str, background: bool) -> Future[str]:
    key = _POLICY.sub("no-quorum-policy=?", script)
    with _LOCK:
        if key not in _BUILT:
            if background:
                _BUILT[key] = _POOL.submit(_make, script)
            else:
                done: Future[str] = Future()
                _BUILT[key] = done
                try:
                    done.set_result(_make(script))
                except BaseException as error:  # the caller's test reports it
                    done.set_exception(error)
        return _BUILT[key]


def _make(script: str) -> str:
    with tempfile.TemporaryDirectory(prefix="offline-cib-") as folder:
        directory = Path(folder)
        (directory / "pcs.sh").write_text(script)
        cib = directory / "cib.xml"
        cib.write_text(_run("cibadmin", "--empty"))
        _run("sh", str(directory / "pcs.sh"), env={"REFARCH_OFFLINE": "1", "REFARCH_CIB": str(cib)}, cwd=directory)
        return cib.read_text()


def _run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    done = subprocess.run(args, capture_output=True, text=True, env=ENV | (env or {}), cwd=cwd)
    assert done.returncode == 0, f"{' '.join(args)}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
    return done.stdout
