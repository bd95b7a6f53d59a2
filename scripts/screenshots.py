"""Screenshots of every architecture page, as a reader first sees it: 1280x800 and a 390x844 phone.

`make screenshots` builds the site into a scratch folder, serves it on 127.0.0.1 and drives the system
Chromium (headless) to write `docs/screenshots/<architecture>-<width>.jpg`, which the home page and
`docs/screenshots.md` show. Run it after a change to how pages look; it needs what `make test` installs.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from sitebuild import chromium, serve  # noqa: E402 - the tests' own server and browser

OUT = ROOT / "docs" / "screenshots"
VIEWPORTS = ((1280, 800), (390, 844))
# Pixels per CSS pixel of each capture: the pages show them at most 640 and 160 px wide, so 960 and 320
# pixels are sharp there at 1.5x and 2x, at about half the bytes of a full-size capture.
SCALE = {1280: 0.75, 390: 320 / 390}


def main() -> int:
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        site = Path(scratch) / "site"
        subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(ROOT / "mkdocs.yml"), "-d", str(site)],
                       check=True)
        designs = sorted(p.stem for p in (ROOT / "architectures").glob("*.yaml"))
        with serve(site) as base, chromium() as browser:
            for design in designs:
                for width, height in VIEWPORTS:
                    page = browser.new_page(viewport={"width": width, "height": height},
                                            device_scale_factor=SCALE[width])
                    page.goto(f"{base}architectures/{design}/", wait_until="load")
                    page.wait_for_selector("[data-whatif-operation]", state="attached")
                    target = OUT / f"{design}-{width}.jpg"
                    page.screenshot(path=str(target), type="jpeg", quality=70)
                    print(target.relative_to(ROOT))
                    page.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
