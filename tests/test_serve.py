"""`mkdocs serve --dirty` (what `make serve` runs) follows architecture files: an edit appears on reload
with only the pages it changed rendered again, a new title reaches every page's navigation, a broken
file shows its problems on its own page while every other page keeps serving, and fixing it brings the
page back."""

from __future__ import annotations

import collections
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from sitebuild import ROOT, project

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
    # three of the shipped designs, one a counterexample: what serving does with an edit depends on neither
    # their size nor their number
    names = ("kvm-three-hosts.yaml", "vsphere-four-hosts.yaml", "basic-six-vms.yaml")
    folder = project(tmp_path / "project", {name: (ROOT / "architectures" / name).read_text() for name in names})
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--dirty", "-f", str(folder / "mkdocs.yml"),
         "-a", f"127.0.0.1:{port}"],
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


def rendered(folder: Path) -> list[int]:
    """How many pages each dirty build rendered, in order."""
    text = (folder.parent / "serve.log").read_text()
    return [int(n) for n in re.findall(r"refarch: rendered (\d+) of \d+ pages", text)]


def wait_for_gone(url: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while fetch(url) is not None:
        assert time.monotonic() < deadline, f"{url} is still served"
        time.sleep(0.5)


def search_index(base: str) -> dict[str, int]:
    """Each page the search index holds, with how many of its sections are indexed (none twice)."""
    docs = json.loads(fetch(base + "search/search_index.json") or "{}")["docs"]
    locations = [doc["location"] for doc in docs]
    assert len(locations) == len(set(locations)), "a section is indexed twice"
    return dict(collections.Counter(location.split("#")[0] for location in locations))


def wait_for_builds(folder: Path, count: int) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while len(rendered(folder)) < count:
        assert time.monotonic() < deadline, "the build never finished"
        time.sleep(0.2)


def test_edits_are_served_and_a_broken_file_stays_contained(server):
    folder, base = server
    page = base + "architectures/kvm-three-hosts/"
    other = base + "architectures/vsphere-four-hosts/"
    wait_for(page, "KVM with Pacemaker, three hosts, OVN")

    source: Path = folder / "architectures" / "kvm-three-hosts.yaml"
    original = source.read_text()
    wait_for_builds(folder, 1)
    every_page = rendered(folder)[0]
    indexed = search_index(base)
    # An edit to the text of a design: its own page is the only one that changed, and the only one rendered.
    source.write_text(original.replace("For operators who run Linux", "Edited while serving: for operators"))
    wait_for(page, "Edited while serving: for operators")
    wait_for_builds(folder, 2)
    assert rendered(folder)[1] == 1 < every_page
    designs = len(list((folder / "architectures").glob("*.yaml")))
    # The first build made every design; the edit remade the one edited, the others came from the cache.
    assert analysed(folder)[0] == f"{designs} architecture file(s) analysed, 0 from the cache"
    assert analysed(folder)[-1] == f"1 architecture file(s) analysed, {designs - 1} from the cache"

    # One more vCPU changes the design's row on the home page too: that is rendered again, not the rest.
    more = original.replace("{name: lb-01, host: kvm-01, vcpus: 2,", "{name: lb-01, host: kvm-01, vcpus: 3,")
    source.write_text(more)
    total = sum(vm.get("vcpus", 0) for vm in yaml.safe_load(more)["vms"])
    wait_for(base, f"<td>{total}, ")
    wait_for_builds(folder, 3)
    assert 1 < rendered(folder)[2] < every_page
    # The search index still has every page, each once (Material's own merge assumes one page rendered).
    assert search_index(base) == indexed

    # A new title is in every architecture page's navigation: every page is rendered again.
    source.write_text(original.replace("title: KVM with Pacemaker, three hosts, OVN", "title: Edited while serving"))
    wait_for(page, "Edited while serving")
    wait_for_builds(folder, 4)
    assert rendered(folder)[3] == every_page
    assert "Edited while serving" in (fetch(other) or "")

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

    # A design removed: its pages are gone, not served stale; the other pages' navigation forgets it.
    removed = folder / "architectures" / "basic-six-vms.yaml"
    kept = removed.read_bytes()
    removed.unlink()
    wait_for_gone(base + "architectures/basic-six-vms/")
    assert fetch(base + "build-guides/basic-six-vms/") is None
    assert "basic six-VM model" not in (fetch(page) or "basic six-VM model")
    removed.write_bytes(kept)
    wait_for(base + "architectures/basic-six-vms/", "At a glance")

    # The theme's compiled templates are kept for the next build (MkDocs compiles them on every one).
    assert list((folder / ".cache" / "refarch" / "templates").glob("__jinja2_*.cache"))


def test_a_cache_that_breaks_while_serving_never_serves_a_stale_page(tmp_path):
    """Entries replaced by directories, then the whole cache replaced by a file (a cache that cannot be
    read or written, as on a full or read-only disk) while `mkdocs serve` runs: each edit is served, the
    other design's page stays right, and the server keeps serving."""
    names = ("kvm-three-hosts.yaml", "hyperv-four-hosts.yaml")
    folder = project(tmp_path / "project", {name: (ROOT / "architectures" / name).read_text() for name in names},
                     cache=tmp_path / "cache")
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-f", str(folder / "mkdocs.yml"), "-a", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=log, env=os.environ | {"NO_MKDOCS_2_WARNING": "1"})
    base = f"http://127.0.0.1:{port}/"
    page, other = base + "architectures/kvm-three-hosts/", base + "architectures/hyperv-four-hosts/"
    source = folder / "architectures" / "kvm-three-hosts.yaml"
    original = source.read_text()
    try:
        wait_for(page, "At a glance")
        units = tmp_path / "cache" / "units"
        for entry in units.glob("*.json"):  # every entry turns into a directory
            entry.unlink()
            entry.mkdir()
        source.write_text(original.replace("For operators who run Linux", "Edited once: for operators"))
        wait_for(page, "Edited once: for operators")
        assert "Hyper-V" in (wait_for(other, "At a glance"))
        wait_for_log(tmp_path / "serve.log", "cache entries rejected and rebuilt")

        shutil.rmtree(tmp_path / "cache")
        (tmp_path / "cache").write_text("not a folder\n")  # nothing under it can be read or written
        source.write_text(original.replace("For operators who run Linux", "Edited twice: for operators"))
        wait_for(page, "Edited twice: for operators")
        assert "At a glance" in (fetch(other) or "")
        wait_for_log(tmp_path / "serve.log", "the build cache could not be written")
        assert process.poll() is None  # still serving
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def wait_for_log(path: Path, text: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while text not in path.read_text():
        assert time.monotonic() < deadline, f"the server never said {text!r}"
        time.sleep(0.2)
