"""Helpers for tests that build the documentation site in a scratch copy of the project."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
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


# The build cache the tests that look at built pages share (not those about the cache, reproducibility or
# cold builds, which keep their own): each design is analysed once per session, whatever site it is in.
SHARED_CACHE = Path(tempfile.mkdtemp(prefix="refarch-test-cache-"))


def project(tmp: Path, architectures: dict[str, str] | None = None, cache: Path | None = None) -> Path:
    """A copy of the project's site sources in `tmp`, with the shipped or the given architecture files, and
    with `cache`, that build cache instead of its own."""
    tmp.mkdir(parents=True, exist_ok=True)
    config = (ROOT / "mkdocs.yml").read_text()
    if cache is not None:
        assert "\n  - refarch\n" in config
        config = config.replace("\n  - refarch\n", f"\n  - refarch:\n      cache_dir: {cache}\n")
    (tmp / "mkdocs.yml").write_text(config)
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


# The system Chromium, as Debian packages it; Playwright's own browser builds cannot be downloaded here.
CHROMIUM = Path("/usr/bin/chromium")
# No background traffic: the site must load nothing but itself, and a measured page nothing but its own files.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-default-apps"]


@contextlib.contextmanager
def chromium() -> Iterator:
    """A headless system Chromium driven by Playwright, closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        # A browser that closes a page while it loads drops its connections; that is no failure.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextlib.contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve the folder `root` on a free port of 127.0.0.1; yields its URL, ending in a slash."""
    server = _QuietServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


def built_site(tmp: Path, architectures: dict[str, str] | None = None) -> Path:
    """The site of a scratch project with the shipped or the given architectures, built into `tmp`/site.

    Not strict: a broken link is for the strict build tests to report, while tests that look at the built
    pages (their accessibility, size and layout) should still see them. An error still stops the build.
    """
    folder = project(tmp / "project", architectures, SHARED_CACHE)
    out = tmp / "site"
    result = build(folder, out, strict=False)
    assert result.returncode == 0, result.stderr
    return out
