"""`mkdocs serve` follows architecture files: an edit appears on reload, a broken file shows its problems
on its own page while every other page keeps serving, and fixing it brings the page back."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sitebuild import project

WAIT_SECONDS = 120  # a generous ceiling for a rebuild on a loaded machine; not a speed assertion


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode()
    except (urllib.error.URLError, OSError):
        return None


def wait_for(url: str, text: str) -> str:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        body = fetch(url)
        if body is not None and text in body:
            return body
        time.sleep(0.5)
    raise AssertionError(f"{url} never showed {text!r}")


@pytest.fixture
def server(tmp_path):
    folder = project(tmp_path / "project")
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-f", str(folder / "mkdocs.yml"), "-a", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=log, env=os.environ | {"NO_MKDOCS_2_WARNING": "1"})
    try:
        yield folder, f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def analysed(folder: Path) -> list[str]:
    """What the plugin said each build made and took from its cache, in order."""
    text = (folder.parent / "serve.log").read_text()
    return re.findall(r"refarch: (\d+ architecture file\(s\) analysed, \d+ from the cache)", text)


def test_edits_are_served_and_a_broken_file_stays_contained(server):
    folder, base = server
    page = base + "architectures/kvm-three-hosts/"
    other = base + "architectures/vsphere-four-hosts/"
    wait_for(page, "KVM with Pacemaker, three hosts, OVN")

    source: Path = folder / "architectures" / "kvm-three-hosts.yaml"
    original = source.read_text()
    source.write_text(original.replace("title: KVM with Pacemaker, three hosts, OVN", "title: Edited while serving"))
    wait_for(page, "Edited while serving")
    designs = len(list((folder / "architectures").glob("*.yaml")))
    # The first build made every design; the edit remade the one edited, the others came from the cache.
    assert analysed(folder)[0] == f"{designs} architecture file(s) analysed, 0 from the cache"
    assert analysed(folder)[-1] == f"1 architecture file(s) analysed, {designs - 1} from the cache"

    source.write_text(original.replace("  hypervisor: kvm\n", "  hypervisor: kvm\n\tbroken: yes\n"))
    broken = wait_for(page, "This architecture file has problems")
    assert "YAML001" in broken
    assert "vSphere management cluster, four hosts" in (fetch(other) or "")
    home = fetch(base) or ""  # the home page still builds, and says which file has problems
    assert "vSphere management cluster, four hosts" in home and "has problems: not analysed" in home

    source.write_text(original)
    restored = wait_for(page, "At a glance")  # only an analysed architecture's page has it
    assert "This architecture file has problems" not in restored
    assert '<h1 id="kvm-with-pacemaker-three-hosts-ovn">KVM with Pacemaker, three hosts, OVN<' in restored
