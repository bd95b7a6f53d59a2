"""The what-if explorer in the system Chromium: its answers equal the command line's, and a reader can
use it (toggles, phase switch, reset, a shared address, the keyboard, no JavaScript).

The explorer evaluates the compiled failure model the page embeds (`generator/render/explorer.py`),
runs the same restart procedure and builds the same explanations, so these tests compare it with
`Engine.evaluate` and the phrase table: every operation's state and `why` and each phase's summary for
every set of hosts of every shipped design, in both phases; margins and random combinations of hosts,
VMs, services, failure domains and platform parts (seeded, so a failure names a reproducible selection);
and the same on a generated 24-host region, whose data the page's own evaluator is handed.
"""

from __future__ import annotations

import functools
import json
import random
from itertools import combinations
from pathlib import Path

import pytest
from bench_designs import large_region
from conftest import check
from sitebuild import ROOT

from generator import catalog
from generator.analysis import scenarios
from generator.analysis.engine import PHASES, Engine
from generator.render import explorer, phrases
from generator.rules.validate import check_file

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium: install the "
                                "chromium package (.ci/run does, so CI always runs these tests)")
DESIGNS = sorted(p.stem for p in (ROOT / "architectures").glob("*.yaml"))
SAMPLED = 25  # random mixed selections per shipped design, margins included
EXHAUSTIVE_UP_TO_HOSTS = 6  # every set of hosts up to this many hosts; beyond, `make bench` runs them all
SAMPLED_HOST_SETS = 80  # and `make test` every set of up to 2 hosts and this many larger ones
LARGE_SAMPLED = 60  # random mixed selections on the 24-host region


def open_page(browser, url: str):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(url, wait_until="load")
    page.wait_for_selector("[data-whatif-operation]", state="attached")
    return page, problems


@functools.cache
def engine_of(design: str) -> Engine:
    return Engine(check_file(ROOT / "architectures" / f"{design}.yaml").architecture, catalog.load())


@functools.cache
def large_engine() -> Engine:
    return Engine(check(large_region(hosts=24, racks=4), "large-region-24").architecture, catalog.load())


def mixes(engine: Engine, seed: str, count: int) -> list[list[str]]:
    """Seeded random mixes of every kind of toggle: a VM and a service always, and a few more of any kind."""
    toggles = [c["id"] for c in explorer.data(engine)["components"]]
    rnd = random.Random(seed)
    chosen = []
    for _ in range(count):
        vm = rnd.choice([t for t in toggles if t.startswith("vm:")])
        service = rnd.choice([t for t in toggles if t.startswith("service:")])
        rest = rnd.sample(toggles, rnd.randint(0, 4))
        chosen.append(sorted({vm, service, *rest}))
    return chosen


def scenario_of(engine: Engine, selection: list[str]):
    names = [toggle.split(":", 1)[1] for toggle in selection]
    return scenarios.from_names(engine.arch, set(engine.facts.services), names)


def browser_answers(page, selection_list: list[list[str]], margins: bool, data: dict | None = None) -> list[dict]:
    """The explorer's own evaluator, as the page uses it (or, handed `data`, the same evaluator on another
    design's model), for many selections in one call: per phase the summary and each operation's state,
    margin and why."""
    return page.evaluate("""([selections, margins, data]) => {
        const own = document.querySelector('[data-refarch-whatif]').refarchWhatIf;
        const model = data ? new own.constructor(data) : own;
        return selections.map(s => Object.fromEntries(['immediate', 'after-restart'].map(phase => {
            const answer = model.answer(s, phase, {margins});
            return [phase, {summary: answer.summary,
                            operations: answer.operations.map(o => [o.id, o.state, o.margin, o.why])}];
        })));
    }""", [selection_list, margins, data])


def exact_margin(margin):
    """The explorer's margin and whether it is exact (a number), or a lower bound ("at least")."""
    if margin is None or isinstance(margin, int):
        return margin, True
    if "exact" in margin:
        return margin["exact"], True
    return margin["atLeast"], False


def compare(engine: Engine, chosen: list[list[str]], answers: list[dict], margins: bool, label: str) -> int:
    """Every state, why and summary equal the engine's (margins too, when asked); the number of answers."""
    for selection, answer in zip(chosen, answers, strict=True):
        scenario = scenario_of(engine, selection)
        impact = engine.evaluate(scenario, margins=margins)
        for phase in PHASES:
            want = impact.phase(phase)
            got = answer[phase]
            assert got["summary"] == phrases.summary(scenario, want), (label, selection, phase)
            for oid, state, margin, why in got["operations"]:
                op = want.operations[oid]
                assert (state, why) == (op.state, phrases.why(op)), (label, selection, phase, oid)
                if margins:
                    value, exact = exact_margin(margin)
                    assert value == op.margin if exact else op.margin is not None and op.margin >= value, (
                        label, selection, phase, oid, "margin")
    return len(answers)


def host_sets(engine: Engine, everyone: bool = False) -> list[list[str]]:
    """Every set of hosts of a small design (or with `everyone`, of any); of a larger one every set of up to
    two hosts and a seeded sample of larger ones."""
    hosts = [f"host:{h.name}" for h in engine.arch.hosts]
    if everyone or len(hosts) <= EXHAUSTIVE_UP_TO_HOSTS:
        return [list(c) for size in range(len(hosts) + 1) for c in combinations(hosts, size)]
    chosen = [list(c) for size in range(3) for c in combinations(hosts, size)]
    rnd = random.Random(f"{engine.arch.id}-hosts")
    return chosen + [sorted(rnd.sample(hosts, rnd.randint(3, len(hosts)))) for _ in range(SAMPLED_HOST_SETS)]


@pytest.mark.parametrize("design", DESIGNS)
def test_every_set_of_hosts_gets_the_command_lines_states_whys_and_summaries(shipped_site, browser, design):
    """Every set of hosts of the shipped designs of up to six hosts, and a sample of the twelve-host
    region's 4,096 (`make bench` runs them all), in both phases."""
    engine = engine_of(design)
    chosen = host_sets(engine)
    page, problems = open_page(browser, f"{shipped_site}architectures/{design}/")
    assert compare(engine, chosen, browser_answers(page, chosen, margins=False), False, design) == len(chosen)
    assert problems == []


@pytest.mark.parametrize("design", DESIGNS)
def test_random_mixes_and_margins_as_the_command_line_says(shipped_site, browser, design):
    engine = engine_of(design)
    hosts = [f"host:{h.name}" for h in engine.arch.hosts]
    # A larger design's margins cost more each; its every set of up to two hosts is the other test's.
    count = SAMPLED if len(hosts) <= EXHAUSTIVE_UP_TO_HOSTS else SAMPLED // 2
    chosen = [list(c) for size in range(3) for c in combinations(hosts, size)][:30] + mixes(engine, design, count)
    page, problems = open_page(browser, f"{shipped_site}architectures/{design}/")
    compare(engine, chosen, browser_answers(page, chosen, margins=True), True, design)
    assert problems == []


def test_a_24_host_region_answers_every_mix_as_the_command_line_does(shipped_site, browser):
    """Hosts, VMs, services, failure domains and platform parts at random on 24 hosts in 4 racks: the page's
    evaluator, handed that design's model, answers each in both phases as the command line does (nothing
    is left "not computed": the restarts run in the page)."""
    engine = large_engine()
    data = json.loads(explorer.to_json(explorer.data(engine)))
    racks = [[f"domain:{d}"] for d in engine.arch.failure_domains]
    hosts = [f"host:{h.name}" for h in engine.arch.hosts]
    rnd = random.Random("large-region-24-hosts")
    chosen = racks + [sorted(rnd.sample(hosts, rnd.randint(2, 12))) for _ in range(20)]
    chosen += mixes(engine, "large-region-24", LARGE_SAMPLED)
    page, problems = open_page(browser, f"{shipped_site}architectures/{DESIGNS[0]}/")
    compare(engine, chosen, browser_answers(page, chosen, margins=False, data=data), False, "large-region-24")
    assert problems == []


def test_copies_over_racks_and_monitors_answer_as_the_command_line_does(shipped_site, browser):
    """A 32-host region whose Ceph pool keeps its copies over the racks and declares its monitors: hosts,
    racks, switches and mixes, in both phases, on the page's evaluator."""
    from test_storage_copies import engine as region_engine

    engine = region_engine("{name: ceph-mgmt, kind: ceph, replicas_over: failure_domain, size: 3, min_size: 2, "
                           "monitors: [esx-01, esx-05, esx-09]}")
    data = json.loads(explorer.to_json(explorer.data(engine)))
    chosen = [["part:tor-a"], ["domain:rack-a"], ["domain:rack-a", "domain:rack-b"], ["host:esx-01", "host:esx-05"],
              ["part:tor-a", "part:tor-b"], *mixes(engine, "large-region-32-racks", 20)]
    page, problems = open_page(browser, f"{shipped_site}architectures/{DESIGNS[0]}/")
    compare(engine, chosen, browser_answers(page, chosen, margins=False, data=data), False, "large-region-32-racks")
    assert problems == []


def test_each_row_shows_the_why_and_the_page_the_summary(shipped_site, browser):
    """The contract the page keeps: each operation row holds `[data-whatif-why]` with exactly the command
    line's why, `data-state` is always a state, and the phase's root causes are said once above the rows."""
    engine = engine_of("kvm-three-hosts")
    selection = ["host:kvm-01", "host:kvm-02"]
    page, problems = open_page(browser, f"{shipped_site}architectures/kvm-three-hosts/?fail="
                                        f"{','.join(selection)}&phase=after-restart")
    impact = engine.evaluate(scenario_of(engine, selection))
    for oid, op in impact.after_restart.operations.items():
        row = page.locator(f"[data-whatif-operation='{oid}']")
        assert row.get_attribute("data-state") == op.state
        assert row.locator("[data-whatif-why]").inner_text() == phrases.why(op)
    said = page.locator("[data-whatif-causes]").inner_text()
    assert said == phrases.summary(impact.scenario, impact.after_restart)
    assert said.count("The cluster lost quorum") == 1
    states = page.evaluate("() => Array.from(document.querySelectorAll('[data-whatif-operation]'))"
                           ".map(r => r.getAttribute('data-state'))")
    assert set(states) <= {"ok", "degraded", "down"}
    assert problems == []


def toggle(page, component: str):
    """The explorer's checkbox of a component, by its kind and name ("host:kvm-01")."""
    kind, name = component.split(":", 1)
    return page.locator(f"[data-whatif-kind='{kind}'][data-whatif-component='{name}']")


def row_state(page, oid: str) -> str:
    return page.locator(f"[data-whatif-operation='{oid}']").get_attribute("data-state")


def test_toggles_reasons_reset_and_a_shared_address(shipped_site, browser):
    engine = engine_of("kvm-three-hosts")
    arch = engine.arch
    holds = {host.name: {s for vm in arch.vms if vm.host == host.name for s in vm.service_ids} for host in arch.hosts}
    pair = [h for h in holds if {"galera", "rabbitmq"} <= holds[h]][:2]
    assert len(pair) == 2
    page, problems = open_page(browser, f"{shipped_site}architectures/kvm-three-hosts/")
    assert row_state(page, "boot-instance") == "ok"
    for host in pair:
        toggle(page, f"host:{host}").check()
    assert row_state(page, "boot-instance") == "down"
    why = page.locator("[data-whatif-operation='boot-instance'] [data-whatif-why]").inner_text()
    boot = engine.evaluate(scenario_of(engine, [f"host:{h}" for h in pair])).immediate.operations["boot-instance"]
    assert why == phrases.why(boot)
    assert "rabbitmq" in why and "lost quorum" in why, why
    shared = page.url
    assert "fail=" in shared
    # The address restores the selection in a fresh page.
    again, more = open_page(browser, shared)
    assert toggle(again, f"host:{pair[0]}").is_checked()
    assert row_state(again, "boot-instance") == "down"
    # The phase switch: after the restarts, the engine's answer.
    again.locator("[data-whatif-phase] input[value='after-restart']").check()
    assert again.locator("[data-whatif-phase]").get_attribute("data-whatif-phase") == "after-restart"
    after = engine.evaluate(scenario_of(engine, [f"host:{h}" for h in pair])).after_restart.operations
    for oid, op in after.items():
        assert row_state(again, oid) == op.state, oid
    assert "phase=after-restart" in again.url
    # Reset: nothing failed, every operation works, and the address forgets the selection.
    again.locator("[data-whatif-reset]").click()
    assert row_state(again, "boot-instance") == "ok"
    assert "fail=" not in again.url
    assert not toggle(again, f"host:{pair[0]}").is_checked()
    assert problems == [] and more == []


def test_three_parts_at_once_with_vms_by_keyboard(shipped_site, browser):
    engine = engine_of("vsphere-four-hosts")
    arch = engine.arch
    galera = [vm.name for vm in arch.vms if "galera" in vm.service_ids]
    selection = [f"vm:{galera[0]}", f"vm:{galera[1]}", f"host:{arch.hosts[-1].name}"]
    page, problems = open_page(browser, f"{shipped_site}architectures/vsphere-four-hosts/")
    page.locator("[data-whatif-fold='vm'] summary").focus()  # the long list of VMs is folded: open it
    page.keyboard.press("Enter")
    for name in selection:
        box = toggle(page, name)
        box.focus()
        page.keyboard.press("Space")
        assert box.is_checked()
    impact = engine.evaluate(scenario_of(engine, selection))
    for oid, op in impact.immediate.operations.items():
        assert row_state(page, oid) == op.state, oid
    stopped = [oid for oid, op in impact.immediate.operations.items() if op.state == "down"]
    assert stopped, "two of three galera members and a host: something stops"
    row = page.locator(f"[data-whatif-operation='{stopped[0]}']")
    assert "✖ down" in row.inner_text()  # a symbol and a word, not colour alone
    summary = page.locator("[data-whatif-summary]").inner_text()
    assert f"{len(stopped)} operations stop" in summary
    assert problems == []


def test_the_placement_view_marks_what_failed(shipped_site, browser):
    page, problems = open_page(browser, f"{shipped_site}architectures/kvm-three-hosts/")
    page.locator("figure[data-whatif-diagram] svg").wait_for()
    toggle(page, "host:kvm-01").check()
    marked = page.evaluate("""() => Array.from(document.querySelectorAll('figure[data-whatif-diagram] svg '
        + '.refarch-failed, figure[data-whatif-diagram] svg .refarch-down')).map(e => e.id)""")
    assert "refarch-host-kvm-01" in marked
    engine = engine_of("kvm-three-hosts")
    on_host = [vm.name for vm in engine.arch.vms if vm.host == "kvm-01"]
    assert {f"refarch-vm-{vm}" for vm in on_host} <= set(marked)
    assert problems == []


def test_without_javascript_the_page_says_so(shipped_site, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{shipped_site}architectures/kvm-three-hosts/", wait_until="load")
    assert "needs JavaScript" in page.locator("[data-refarch-whatif]").inner_text()
    assert page.locator("[data-whatif-operation]").count() == 0
    context.close()
