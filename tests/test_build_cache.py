"""The build cache (`generator.build_cache`) by its counters, never by timings: a warm build makes
nothing again, an edit remakes exactly the file edited, a change to the catalog or the code remakes
everything, and a corrupt entry is rebuilt rather than served; in parallel or not, the site is the same.
Under faults (an entry truncated or a directory, a full disk or a read-only cache, a build killed
halfway, two builds at once) every build gives the clean build's site."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from sitebuild import ROOT

from generator import catalog
from generator.render.diagram import Renderer
from generator.site import builder as site
from generator.site import cache as build_cache

# Three small shipped designs: enough for every case, and quick to analyse more than once.
DESIGNS = [ROOT / "architectures" / f"{name}.yaml"
           for name in ("basic-six-vms", "kvm-three-hosts", "vsphere-four-hosts")]


def sources(texts: dict[str, bytes]) -> list[site.Source]:
    return [site.Source(f"architectures/{name}", raw) for name, raw in texts.items()]


def shipped() -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in DESIGNS}


def make(tmp_path: Path, texts: dict[str, bytes], workers: int = 1) -> tuple[site.Site, build_cache.Store]:
    store = build_cache.Store(tmp_path / "units")
    built = site.build(sources(texts), catalog.load(), Renderer(tmp_path / "svg"), store, workers=workers)
    return built, store


@pytest.fixture(scope="module")
def cold(tmp_path_factory):
    """A cold build's site and its cache folder, made once; tests work on copies of the folder."""
    folder = tmp_path_factory.mktemp("cold")
    built, store = make(folder, shipped())
    assert (store.hits, store.misses) == (0, len(DESIGNS))
    return built, folder


def warmed(cold, tmp_path: Path) -> Path:
    """A copy of the cold build's cache in `tmp_path`."""
    shutil.copytree(cold[1] / "units", tmp_path / "units")
    shutil.copytree(cold[1] / "svg", tmp_path / "svg")
    return tmp_path


def test_a_warm_build_makes_nothing_again_and_gives_the_same_site(cold, tmp_path):
    cold, folder = cold
    assert sorted(cold.analysed) == sorted(path.stem for path in DESIGNS)
    warm, second = make(warmed((cold, folder), tmp_path), shipped())
    assert warm.analysed == [] and second.hits == len(DESIGNS) and second.rejected == 0
    assert warm.pages == cold.pages and warm.assets == cold.assets and warm.home_table == cold.home_table


def test_an_edit_remakes_that_file_and_the_pages_that_summarise_all(cold, tmp_path):
    texts = shipped()
    before = cold[0]
    warmed(cold, tmp_path)
    name = "kvm-three-hosts.yaml"
    texts[name] = texts[name].replace(b"title: KVM with Pacemaker, three hosts, OVN", b"title: Edited")
    after, store = make(tmp_path, texts)
    assert after.analysed == ["kvm-three-hosts"] and store.hits == len(DESIGNS) - 1
    assert "Edited" in after.pages["architectures/kvm-three-hosts.md"]
    assert "Edited" in after.home_table and "Edited" in after.pages["architectures/index.md"]
    unchanged = [p for p in before.pages if "kvm-three-hosts" not in p and not p.endswith("index.md")]
    assert all(after.pages[p] == before.pages[p] for p in unchanged)


def test_a_change_to_the_code_or_catalog_changes_every_key(tmp_path):
    copy = tmp_path / "generator"
    shutil.copytree(build_cache.PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    original = build_cache.code_fingerprint(copy)
    assert build_cache.code_fingerprint(copy) == original  # stable
    for changed in ("catalog/services.yaml", "render/templates/architecture.md.j2",
                    "rules/red004_instances_share_host.py"):
        path = copy / changed
        text = path.read_bytes()
        path.write_bytes(text + b"\n")
        assert build_cache.code_fingerprint(copy) != original, changed
        path.write_bytes(text)
    assert build_cache.code_fingerprint(copy) == original


def test_a_new_fingerprint_remakes_everything(cold, tmp_path, monkeypatch):
    warmed(cold, tmp_path)
    monkeypatch.setattr(build_cache, "code_fingerprint", lambda: "a catalog that changed")
    built, store = make(tmp_path, shipped())
    assert sorted(built.analysed) == sorted(path.stem for path in DESIGNS) and store.hits == 0


@pytest.mark.parametrize("damage", ["truncated", "tampered", "foreign", "directory"])
def test_a_corrupt_entry_is_rebuilt_never_served(cold, tmp_path, damage):
    warmed(cold, tmp_path)
    cold = cold[0]
    # One entry per architecture file (its row names it), and one for the pages every build shares.
    entries = [p for p in sorted((tmp_path / "units").glob("*.json"))
               if json.loads(p.read_text())["content"]["row"].get("slug")]
    assert len(entries) == len(DESIGNS) and len(list((tmp_path / "units").glob("*.json"))) == len(DESIGNS) + 1
    victim, other = entries[0], entries[1]
    if damage == "truncated":
        victim.write_bytes(victim.read_bytes()[:100])
    elif damage == "tampered":  # valid JSON, a page changed without its hash
        victim.write_text(victim.read_text().replace("At a glance", "At a glimpse", 1))
    elif damage == "foreign":  # another entry's content under this key
        victim.write_bytes(other.read_bytes())
    else:  # a directory where the entry goes: it cannot be read, nor written over
        victim.unlink()
        victim.mkdir()
    warm, store = make(tmp_path, shipped())
    assert store.rejected == 1 and len(warm.analysed) == 1
    assert warm.pages == cold.pages and warm.assets == cold.assets
    _, again = make(tmp_path, shipped())  # and the rebuilt entry is good again
    if damage == "directory":  # it stays rejected, the site right, and the reason is said
        assert again.rejected == 1 and str(victim) in (again.unwritable or "")
    else:
        assert again.hits == len(DESIGNS) and again.rejected == 0


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_a_cache_that_cannot_be_written_gives_the_same_site_and_says_why(tmp_path, monkeypatch, code):
    """A full disk or a read-only cache: every write fails; the build is the one a build without a cache
    makes, the entry is left out (no partial file), and the store says why."""
    def refused(self, *args, **kwargs):
        raise OSError(code, os.strerror(code))

    smallest = {DESIGNS[0].name: DESIGNS[0].read_bytes()}
    clean = site.build(sources(smallest), catalog.load(), Renderer(tmp_path / "clean-svg"), build_cache.Store(None))
    monkeypatch.setattr(Path, "write_bytes", refused)
    built, store = make(tmp_path, smallest)
    monkeypatch.undo()
    assert built.pages == clean.pages and built.assets == clean.assets
    assert store.unwritable and os.strerror(code) in store.unwritable
    assert not list((tmp_path / "units").glob("*"))  # nothing half-written is left to be read


def test_a_build_killed_halfway_leaves_nothing_a_later_build_serves(cold, tmp_path):
    """SIGKILL while entries are being written (a process that builds in a loop), then a build on the
    same cache: the clean build's site."""
    script = (f"import sys; sys.path.insert(0, {str(ROOT / 'tests')!r}); from pathlib import Path\n"
              "from test_build_cache import make, shipped\n"
              f"while True: make(Path({str(tmp_path)!r}), shipped())\n")
    process = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT)
    units = tmp_path / "units"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(units.glob("*.json"))) < 2:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    built, _ = make(tmp_path, shipped())
    assert built.pages == cold[0].pages and built.assets == cold[0].assets


def test_a_parallel_cold_build_gives_the_same_site(cold, tmp_path, monkeypatch):
    serial = cold[0]
    pools = []

    def recorded(*args, **kwargs):
        pools.append(kwargs)
        return ProcessPoolExecutor(*args, **kwargs)

    monkeypatch.setattr(site, "ProcessPoolExecutor", recorded)
    # The browser tests' servers run threads in this process, which would make the build go one by one.
    monkeypatch.setattr(site.threading, "active_count", lambda: 1)
    parallel, _ = make(tmp_path, shipped(), workers=2)
    assert [pool["max_workers"] for pool in pools] == [2]
    assert parallel.pages == serial.pages and parallel.assets == serial.assets
    assert sorted(parallel.analysed) == sorted(serial.analysed)


def test_two_builds_at_once_on_one_cache_leave_it_sound(cold, tmp_path):
    """Two cold builds of the smallest design in two processes on one cache folder, then a build of all:
    its entry a hit, and the site the clean build's."""
    script = (f"import sys; sys.path.insert(0, {str(ROOT / 'tests')!r}); from pathlib import Path\n"
              "from test_build_cache import DESIGNS, make\n"
              f"make(Path({str(tmp_path)!r}), {{DESIGNS[0].name: DESIGNS[0].read_bytes()}})\n")
    processes = [subprocess.Popen([sys.executable, "-c", script], cwd=ROOT) for _ in range(2)]
    assert [process.wait(timeout=120) for process in processes] == [0, 0]
    built, store = make(tmp_path, shipped())
    assert (store.hits, store.misses, store.rejected) == (1, len(DESIGNS) - 1, 0)
    assert built.pages == cold[0].pages and built.assets == cold[0].assets
