"""The what-if explorer in the system Chromium: its answers equal the Python engine's, and a reader can
use it (toggles, phase switch, reset, a shared address, the keyboard, no JavaScript).

The explorer walks the compiled failure model the page embeds (`generator/explorer.py`), so these
tests compare it with `Engine.evaluate` on the same designs: every set of hosts of the small shipped
designs, a sample of the large one's, and random combinations of hosts, VMs, services, failure
domains and platform parts (seeded, so a failure names a reproducible selection).
"""

from __future__ import annotations

import functools
import random
from itertools import combinations
from pathlib import Path

import pytest
from sitebuild import ROOT

from generator import catalog
from generator.analysis import scenarios
from generator.analysis.engine import PHASES, Engine
from generator.render import explorer
from generator.render.phrases import reason
from generator.rules.validate import check_file

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium: install the "
                                "chromium package (.ci/run does, so CI always runs these tests)")
DESIGNS = sorted(p.stem for p in (ROOT / "architectures").glob("*.yaml"))
EXHAUSTIVE_UP_TO_HOSTS = 6  # every set of hosts, answered whole, up to this many hosts; more are sampled
SAMPLED = 40  # random mixed selections per design
LARGE_SAMPLED = 40  # random larger host sets of a design with many hosts


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


def selections(design: str) -> list[list[str]]:
    """Every set of hosts (sampled for many hosts), then seeded random mixes of every kind of toggle."""
    engine = engine_of(design)
    arch = engine.arch
    hosts = [f"host:{h.name}" for h in arch.hosts]
    if len(hosts) <= EXHAUSTIVE_UP_TO_HOSTS:
        chosen = [list(c) for size in range(len(hosts) + 1) for c in combinations(hosts, size)]
    else:
        chosen = [list(c) for size in range(3) for c in combinations(hosts, size)]
        rnd = random.Random(f"{design}-hosts")
        chosen += [sorted(rnd.sample(hosts, rnd.randint(3, len(hosts)))) for _ in range(LARGE_SAMPLED)]
    toggles = [c["id"] for c in explorer.data(engine)["components"]]
    rnd = random.Random(design)
    for _ in range(SAMPLED):
        vm = rnd.choice([t for t in toggles if t.startswith("vm:")])
        service = rnd.choice([t for t in toggles if t.startswith("service:")])
        rest = rnd.sample(toggles, rnd.randint(0, 2))
        chosen.append(sorted({vm, service, *rest}))
    return chosen


def scenario_of(engine: Engine, selection: list[str]):
    names = [toggle.split(":", 1)[1] for toggle in selection]
    return scenarios.from_names(engine.arch, set(engine.facts.services), names)


def browser_answers(page, selection_list: list[list[str]]) -> list[dict]:
    """The explorer's own evaluator, as the page uses it, for many selections in one call."""
    return page.evaluate("""selections => {
        const model = document.querySelector('[data-refarch-whatif]').refarchWhatIf;
        return selections.map(s => ({immediate: model.answer(s, 'immediate'),
                                     after: model.answer(s, 'after-restart')}))
            .map(r => Object.fromEntries(Object.entries(r).map(([k, a]) => [k, a && a.operations.map(
                o => [o.id, o.state, o.margin, o.causes])])));
    }""", selection_list)


def exact_margin(margin):
    """The explorer's margin when it is exact (a number), else None (it says "at least")."""
    if margin is None or isinstance(margin, int):
        return margin, True
    if "exact" in margin:
        return margin["exact"], True
    return margin["atLeast"], False


@pytest.mark.parametrize("design", DESIGNS)
def test_the_explorer_answers_as_the_engine_does(shipped_site, browser, design):
    engine = engine_of(design)
    page, problems = open_page(browser, f"{shipped_site}architectures/{design}/")
    chosen = selections(design)
    answers = browser_answers(page, chosen)
    beyond = 0
    for selection, answer in zip(chosen, answers, strict=True):
        impact = engine.evaluate(scenario_of(engine, selection))
        for phase, key in zip(PHASES, ("immediate", "after"), strict=True):
            got = answer[key]
            if got is None:  # the page says plainly it does not know this one
                assert phase == "after-restart", (selection, "right after the failure is always answered")
                beyond += 1
                continue
            expected = impact.phase(phase).operations
            for oid, state, margin, causes in got:
                want = expected[oid]
                assert state == want.state, (design, selection, phase, oid, reason(want))
                # The reason names the services the engine's does (those the design deploys).
                named = {c.service for c in want.root_causes if c.service in engine.model.services}
                assert set(causes) - {"TRUE"} == named, (design, selection, phase, oid, reason(want))
                value, exact = exact_margin(margin)
                if exact:
                    assert value == want.margin, (design, selection, phase, oid, "margin")
                else:
                    assert want.margin is not None and want.margin >= value, (design, selection, phase, oid)
    # Sets of hosts are what readers try first: the small designs answer every one after the restarts too.
    if len(engine.arch.hosts) <= EXHAUSTIVE_UP_TO_HOSTS:
        host_only = [a for s, a in zip(chosen, answers, strict=True) if all(t.startswith("host:") for t in s)]
        assert all(a["after"] is not None for a in host_only)
    assert beyond < len(chosen) / 2, f"{beyond} of {len(chosen)} selections beyond the precomputed restarts"
    assert problems == []


@pytest.mark.parametrize("design", DESIGNS)
def test_every_set_of_hosts_stops_what_the_engine_stops(shipped_site, browser, design):
    """Every set of hosts of every shipped design (4,096 for twelve hosts): the operations down in each
    phase, against the engine's batch evaluation of the compiled model (which the property tests hold
    equal to one-at-a-time evaluation); after the restarts wherever the page answers."""
    engine = engine_of(design)
    hosts = [h.name for h in engine.arch.hosts]
    chosen = [list(c) for size in range(len(hosts) + 1) for c in combinations(hosts, size)]
    page, problems = open_page(browser, f"{shipped_site}architectures/{design}/")
    answers = page.evaluate("""selections => {
        const model = document.querySelector('[data-refarch-whatif]').refarchWhatIf;
        const down = a => a && a.operations.filter(o => o.state === 'down').map(o => o.id).sort();
        return selections.map(s => [down(model.answer(s, 'immediate', {margins: false})),
                                    down(model.answer(s, 'after-restart', {margins: false}))]);
    }""", [[f"host:{h}" for h in c] for c in chosen])
    expected = engine.stopped([scenario_of(engine, [f"host:{h}" for h in c]) for c in chosen])
    answered = 0
    for hosts_down, (now, after), want in zip(chosen, answers, expected, strict=True):
        assert now == sorted(want["immediate"]), (design, hosts_down, "right after the failure")
        if after is not None:
            answered += 1
            assert after == sorted(want["after-restart"]), (design, hosts_down, "after the restarts")
    assert answered >= min(len(chosen), explorer.PLACEMENT_BUDGET // 2)
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
    reason = page.locator("[data-whatif-operation='boot-instance'] td").last.inner_text()
    assert "galera" in reason and "rabbitmq" in reason, reason
    assert "lost quorum" in reason
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
