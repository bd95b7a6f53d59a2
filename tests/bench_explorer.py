"""`make bench`, the explorer's exhaustive check: for every set of hosts of every shipped design (4,096 for
the twelve-host region), in both phases, the what-if explorer's script answers each operation's state and
`why`, and each phase's summary, as the command line does. `make test` samples the larger designs; this
runs them whole, prints how long each side took, and exits 1 on any difference.
"""

from __future__ import annotations

import json
import sys
import time
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from sitebuild import chromium  # noqa: E402

from generator import catalog  # noqa: E402
from generator.analysis import scenarios  # noqa: E402
from generator.analysis.engine import PHASES, Engine  # noqa: E402
from generator.render import explorer, phrases  # noqa: E402
from generator.rules.validate import check_file  # noqa: E402

BATCH = 512  # selections per call into the page


def page_with(browser, data: dict):
    """A blank page running the explorer's script on one design's data, as an architecture page does."""
    page = browser.new_page()
    page.set_content('<div data-refarch-whatif><script type="application/json">'
                     f'{explorer.to_json(data)}</script><div class="refarch-whatif-app" hidden></div></div>')
    page.add_script_tag(path=str(ROOT / "generator" / "site" / "assets" / "whatif.js"))
    page.wait_for_selector("[data-whatif-operation]", state="attached")
    return page


def main() -> int:
    facts = catalog.load()
    differences = 0
    with chromium() as browser:
        for path in sorted((ROOT / "architectures").glob("*.yaml")):
            engine = Engine(check_file(path).architecture, facts)
            hosts = [h.name for h in engine.arch.hosts]
            chosen = [list(c) for size in range(len(hosts) + 1) for c in combinations(hosts, size)]
            page = page_with(browser, explorer.data(engine))
            start = time.perf_counter()
            answers = []
            for first in range(0, len(chosen), BATCH):
                answers += page.evaluate("""selections => {
                    const model = document.querySelector('[data-refarch-whatif]').refarchWhatIf;
                    return selections.map(s => ['immediate', 'after-restart'].map(phase => {
                        const a = model.answer(s.map(h => 'host:' + h), phase, {margins: false});
                        return [a.summary, a.operations.map(o => [o.state, o.why])];
                    }));
                }""", chosen[first:first + BATCH])
            browser_seconds = time.perf_counter() - start
            start = time.perf_counter()
            for hosts_down, answer in zip(chosen, answers, strict=True):
                scenario = scenarios.Scenario(hosts=frozenset(hosts_down))
                impact = engine.evaluate(scenario, margins=False)
                for phase, (summary, operations) in zip(PHASES, answer, strict=True):
                    want = impact.phase(phase)
                    expected = [[op.state, phrases.why(op)] for op in want.operations.values()]
                    if summary != phrases.summary(scenario, want) or operations != expected:
                        differences += 1
                        print(f"  differs: {path.stem}, {', '.join(hosts_down) or 'nothing'} failed, {phase}")
            python_seconds = time.perf_counter() - start
            page.close()
            print(f"{path.stem}: {len(chosen)} sets of hosts, both phases: explorer {browser_seconds:.1f} s, "
                  f"command line {python_seconds:.1f} s")
    print(json.dumps({"explorer differences": differences}))
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
