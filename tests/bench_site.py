"""`make bench`, the site part: how long building and serving the site take, against the floor of a plain
MkDocs Material build of the same pages, and how much the site weighs; written to `docs/performance.md`
with a chart (`docs/performance.svg`) and the machine it was measured on.

The project is the shipped architectures plus a generated 24-host region, in a scratch folder:
- cold: `mkdocs build` with no cache (analysis in a process pool, every diagram drawn);
- warm: the same build again, with the cache of the cold one;
- plain: the pages the plugin generates, written out as Markdown files with their images, built by
  MkDocs Material without the plugin: what any site of that text costs (the floor);
- Graphviz: `dot` on every diagram of the site, alone;
- serve: `mkdocs serve --dirty` (what `make serve` runs), an edit to one architecture file, and the
  time until the page shows it: an edit of its text (the median of three), and of its title, which every
  page's navigation shows, so that every page is rendered again;
- the analysis of the project's hardest design, a 32-host Pacemaker region with switches, a Ceph pool and
  two fencing levels (`bench_designs.pacemaker_region`), with mandatory and with preferred anti-affinity:
  its exact tolerance and availability, and every scenario its page shows, in-process (beyond start-up);
- `make test` from a fresh clone of the repository's last commit (no `.venv`: it installs everything),
  timed as a whole.

Prints and writes numbers; asserts nothing (tests never assert speed).
"""

from __future__ import annotations

import datetime
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from bench_designs import large_region  # noqa: E402
from sitebuild import project  # noqa: E402

from generator import catalog  # noqa: E402
from generator.render import diagram  # noqa: E402
from generator.rules.validate import check_file, find_files  # noqa: E402
from generator.site import builder as site  # noqa: E402

ENV = os.environ | {"NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1700000000"}
LARGE = "large-region-24"
TARGETS = {"warm / plain": 1.2, "cold / (plain + Graphviz)": 2.0, "serve edit (s)": 1.0, "site (MB)": 5.0,
           "32-host Pacemaker region: tolerance and availability (s)": 2.0,
           "the same, preferred anti-affinity (s)": 2.0,
           "32-host Pacemaker region: every site scenario (s)": 5.0,
           "make test, fresh clone (s)": 300.0}


def timed_build(folder: Path, out: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(folder / "mkdocs.yml"), "-d", str(out)],
                   check=True, env=ENV)
    return time.perf_counter() - start


def plain_project(folder: Path, target: Path) -> Path:
    """The same pages as plain Markdown files (generated once, by the core) in a project without the plugin."""
    shutil.copytree(folder / "docs", target / "docs")
    built = site.build(site.read_sources(folder / "architectures", folder), catalog.load(),
                       diagram.Renderer(folder / ".cache" / "refarch"))
    for path, text in built.pages.items():
        (target / "docs" / path).parent.mkdir(parents=True, exist_ok=True)
        # The same text in plain Markdown: the HTML fragments the plugin adds after Markdown, in place.
        (target / "docs" / path).write_text(site.insert_fragments(text, built.fragments.get(path, {})))
    for path, data in built.assets.items():
        (target / "docs" / path).parent.mkdir(parents=True, exist_ok=True)
        (target / "docs" / path).write_bytes(data)
    home = target / "docs" / "index.md"
    home.write_text(home.read_text().replace(site.HOME_MARKER, built.home_table))
    config = yaml.safe_load((folder / "mkdocs.yml").read_text())
    config["plugins"] = [p for p in config["plugins"] if p != "refarch"]
    (target / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    return target


def graphviz_seconds(folder: Path) -> float:
    """`dot` alone on every diagram the site shows, with no cache."""
    drawings = []
    for path in find_files([folder / "architectures"]):
        arch = check_file(path).architecture
        if arch is not None:
            drawings += [diagram.placement(arch, catalog.load()), diagram.topology(arch, catalog.load())]
    renderer = diagram.Renderer(None)
    start = time.perf_counter()
    for drawing in drawings:
        renderer.svg(drawing)
    return time.perf_counter() - start


def serve_edit_seconds(folder: Path) -> tuple[float, float]:
    """From writing an edit to one architecture file to `mkdocs serve --dirty` (what `make serve` runs)
    serving the page with it: an edit of the design's text, then of its title (which every architecture
    page shows in its navigation, so every page is rendered again)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--dirty", "-f", str(folder / "mkdocs.yml"),
                                "-a", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env=ENV)
    page = f"http://127.0.0.1:{port}/architectures/kvm-three-hosts/"
    source = folder / "architectures" / "kvm-three-hosts.yaml"
    text = source.read_text()
    try:
        wait_until(page, "KVM with Pacemaker", 300)
        times: dict[str, list[float]] = {"text": [], "title": []}
        # Three of each (the median): the watcher polls every 0.5 s, at any phase. Text edits first, since
        # a text edit after a title edit would put the title back.
        edits = [("text", "For operators who run Linux", f"Edit {n} for the bench: operators") for n in range(3)]
        edits += [("title", "title: KVM with Pacemaker, three hosts, OVN", f"title: Retitled {n} for the bench")
                  for n in range(3)]
        for kind, old, new in edits:
            time.sleep(1)  # the previous rebuild has settled
            start = time.perf_counter()
            source.write_text(text.replace(old, new))
            wait_until(page, new.removeprefix("title: "), 120)
            times[kind].append(time.perf_counter() - start)
        return statistics.median(times["text"]), statistics.median(times["title"])
    finally:
        source.write_text(text)
        process.terminate()
        process.wait(timeout=30)


def wait_until(url: str, text: str, limit: float) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if text in response.read().decode():
                    return
        except OSError:
            pass
        time.sleep(0.02)
    raise RuntimeError(f"{url} never showed {text!r}")


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    model = ""
    info = Path("/proc/cpuinfo")
    if info.is_file():
        found = re.search(r"model name\s*:\s*(.+)", info.read_text())
        model = found.group(1).strip() if found else ""
    return (f"{model or cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


def measure() -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="refarch-bench-") as scratch:
        tmp = Path(scratch)
        texts = {p.name: p.read_text() for p in sorted(ROOT.glob("architectures/*.yaml"))}
        folder = project(tmp / "project", texts | {f"{LARGE}.yaml": large_region(hosts=24, racks=4)})
        cold = timed_build(folder, tmp / "cold")
        warm = timed_build(folder, tmp / "warm")
        plain = timed_build(plain_project(folder, tmp / "plain"), tmp / "plain-site")
        dot = graphviz_seconds(folder)
        serve, retitle = serve_edit_seconds(folder)
        shipped = project(tmp / "shipped", texts)
        timed_build(shipped, tmp / "shipped-site")
        numbers = {"cold (s)": cold, "warm (s)": warm, "plain (s)": plain, "Graphviz (s)": dot,
                   "serve edit (s)": serve, "serve title edit (s)": retitle, "warm / plain": warm / plain,
                   "cold / (plain + Graphviz)": cold / (plain + dot), "site (MB)": size_mb(tmp / "shipped-site"),
                   "site with the 24-host region (MB)": size_mb(tmp / "warm")}
        numbers |= region_seconds()
        if "--no-make-test" not in sys.argv:
            numbers["make test, fresh clone (s)"] = make_test_seconds(tmp)
        return numbers


def region_seconds() -> dict[str, float]:
    """The hardest design's analysis: exact tolerance with availability, with mandatory and preferred
    anti-affinity, and every scenario set its page shows (tolerance included)."""
    from bench_designs import pacemaker_region

    from generator.analysis import design
    from generator.analysis.engine import Engine
    from generator.analysis.tolerance import tolerance
    from generator.rules.validate import check_bytes

    facts = catalog.load()
    found = {}
    for label, text in (("32-host Pacemaker region: tolerance and availability (s)", pacemaker_region(32)),
                        ("the same, preferred anti-affinity (s)",
                         pacemaker_region(32).replace("anti_affinity: mandatory", "anti_affinity: preferred"))):
        arch = check_bytes(text.encode(), "large-region-32.yaml", "large-region-32").architecture
        start = time.perf_counter()
        tolerance(Engine(arch, facts))
        found[label] = time.perf_counter() - start
    arch = check_bytes(pacemaker_region(32).encode(), "large-region-32.yaml", "large-region-32").architecture
    start = time.perf_counter()
    design.analyse(arch, facts)
    found["32-host Pacemaker region: every site scenario (s)"] = time.perf_counter() - start
    return found


def make_test_seconds(scratch: Path) -> float:
    """`make test` in a fresh clone of the last commit: what CI and a new contributor run."""
    clone = scratch / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    start = time.perf_counter()
    done = subprocess.run(["make", "test"], cwd=clone, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          env={k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")})
    seconds = time.perf_counter() - start
    if done.returncode:
        print(done.stderr.decode(errors="replace")[-2000:], file=sys.stderr)
        raise RuntimeError("make test failed in a fresh clone")
    return seconds


def chart(numbers: dict[str, float]) -> str:
    """A small horizontal bar chart of the build times, as SVG (shapes and text only)."""
    bars = [("plain Material build", numbers["plain (s)"]), ("warm build", numbers["warm (s)"]),
            ("Graphviz alone", numbers["Graphviz (s)"]), ("cold build", numbers["cold (s)"]),
            ("serve: edit to page", numbers["serve edit (s)"]),
            ("serve: new title", numbers["serve title edit (s)"])]
    top = max(value for _, value in bars)
    width, left, row = 640, 170, 30
    lines = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{row * len(bars) + 40}" '
             'font-family="sans-serif" font-size="13" role="img" aria-label="Build and serve times in seconds">',
             f'<rect width="{width}" height="{row * len(bars) + 40}" fill="#fff"/>']
    for index, (label, value) in enumerate(bars):
        y = 10 + index * row
        length = (width - left - 70) * value / top
        lines.append(f'<text x="{left - 8}" y="{y + 17}" text-anchor="end" fill="#222">{label}</text>')
        lines.append(f'<rect x="{left}" y="{y + 4}" width="{length:.1f}" height="18" fill="#0072B2"/>')
        lines.append(f'<text x="{left + length + 6:.1f}" y="{y + 17}" fill="#222">{value:.2f} s</text>')
    lines.append(f'<text x="{left}" y="{row * len(bars) + 30}" fill="#555">seconds, lower is better</text>')
    lines.append("</svg>")
    return "\n".join(lines) + "\n"


def page(numbers: dict[str, float], where: str) -> str:
    rows = "\n".join(f"| {name} | {value:.2f} | {'≤ ' + format(TARGETS[name], 'g') if name in TARGETS else ''} |"
                     for name, value in numbers.items())
    return f"""# Performance

How long the site takes to build and serve, measured by `make bench` on the shipped architectures plus
a generated 24-host region, against a plain MkDocs Material build of the same pages (the floor: what any
site of that text costs). Cold builds analyse the architectures in parallel and draw every diagram;
warm builds take both from the cache in `.cache/refarch/`; serve is the time from saving an edit to
one architecture file to `mkdocs serve --dirty` (what `make serve` runs) serving the page with it, which
includes the file watcher's poll (the plugin has it look every 0.1 s) and MkDocs' 0.1 s wait for the
edit to settle. A new title is in every page's
navigation, so that edit renders every page again. The warm build can beat the floor: the plugin also
spares MkDocs work a plain build does (the theme's compiled templates are kept, and the fragments that
search never reads skip the search plugin and the theme). The region rows time the analysis of the
hardest design the project knows, a 32-host Pacemaker cluster in four racks with a switch each, one Ceph
pool and IPMI then SBD fencing, in-process; `make test` is run in a fresh clone of the last commit, so it
installs everything first.

![Build and serve times](performance.svg)

| measure | value | target |
| --- | --- | --- |
{rows}

Measured {datetime.date.today().isoformat()} on {where}.
"""


def main() -> None:
    numbers = measure()
    width = max(len(name) for name in numbers)
    print("\nsite (shipped designs plus a 24-host region; targets are goals, not tests)")
    for name, value in numbers.items():
        target = f"  target <= {TARGETS[name]:g}" if name in TARGETS else ""
        print(f"{name:<{width}}  {value:8.2f}{target}")
    where = machine()
    (ROOT / "docs" / "performance.svg").write_text(chart(numbers))
    (ROOT / "docs" / "performance.md").write_text(page(numbers, where))
    print(f"written to docs/performance.md and docs/performance.svg ({where})")


if __name__ == "__main__":
    main()
