"""Shared helpers: check YAML text in memory and look at the problems as (line, col, rule)."""

from __future__ import annotations

import dataclasses
import os
import sys
import textwrap
from pathlib import Path

import offline_cib
import pytest
from hypothesis import settings

from generator import rules
from generator.rules.validate import Checked, check_bytes

# Property tests explore new inputs locally but replay the same ones in CI; no deadlines (speed is
# measured by `make bench`, never asserted in tests).
settings.register_profile("default", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under `make test` (REFARCH_NO_SKIPS=1) a skipped test fails: the whole suite runs, or it says why not.

    A test may skip when run by hand without a tool; `make test` installs every tool, so a skip there
    means the set-up is broken, and a green run that quietly left tests out would hide it.
    """
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("REFARCH_NO_SKIPS") == "1" and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under `make test`, which must run every test: {reason}"

def pytest_collection_finish(session):
    """Start building, in the background, the CIBs that the pcs tests run (tests/offline_cib.py): on two
    cores they build while the other tests run, instead of the tests that need them waiting."""
    modules = {item.module.__name__ for item in session.items if getattr(item, "module", None) is not None}
    if not {"test_exports", "test_import_pacemaker", "test_pacemaker_oracle"} & modules or not offline_cib.available():
        return
    from generator import catalog, exports
    from generator.rules.validate import check_file

    facts = catalog.load()
    designs = [check_file(ROOT / "architectures" / "kvm-three-hosts.yaml").architecture]
    oracle = sys.modules.get("test_pacemaker_oracle")
    if oracle is not None and "test_pacemaker_oracle" in modules:
        designs += [*oracle.DESIGNS.values(), oracle.split()]
    offline_cib.prebuild([exports.export(arch, facts, "pcs") for arch in designs])


ROOT = Path(__file__).resolve().parent.parent

# The rules that judge a design once it is well-formed (all but RED008, which the schema applies).
DESIGN_RULES = {rule.ID for rule in rules.RULES if not hasattr(rule, "SCHEMA_ERROR")}

VALID = textwrap.dedent("""\
    id: arch
    title: A small design
    summary: Two hosts, for tests.
    platform:
      hypervisor: kvm
      ha: pacemaker
      fencing: ipmi
    failure_domains: [rack-a, rack-b]
    hosts:
      - name: kvm-01
        failure_domain: rack-a
        cpus: 16
        memory_gib: 128
      - name: kvm-02
        failure_domain: rack-b
    vms:
      - name: db-01
        host: kvm-01
        vcpus: 4
        memory_gib: 16
        services: [galera, rabbitmq]
      - name: db-02
        host: kvm-02
        services: [galera]
    decisions:
      - id: D01
        decision: Two database VMs.
        justification: For tests.
        implication: None worth noting.
    """)


ALL_OVS = ("haproxy, keepalived, galera, rabbitmq, memcached, keystone, glance-api, placement-api, nova-api, "
           "nova-metadata, nova-scheduler, nova-conductor, neutron-server, neutron-dhcp-agent, neutron-l3-agent, "
           "neutron-metadata-agent")

# A small design every rule accepts: three hosts, every service on each.
CLEAN = textwrap.dedent(f"""\
    id: clean
    title: A clean design
    summary: Three hosts, every role on each.
    platform:
      hypervisor: kvm
      ha: pacemaker
      fencing: ipmi
    hosts:
      - {{name: kvm-01, cpus: 32, memory_gib: 128}}
      - {{name: kvm-02, cpus: 32, memory_gib: 128}}
      - {{name: kvm-03, cpus: 32, memory_gib: 128}}
    vms:
      - {{name: ctl-01, host: kvm-01, vcpus: 8, memory_gib: 32, services: [{ALL_OVS}]}}
      - {{name: ctl-02, host: kvm-02, vcpus: 8, memory_gib: 32, services: [{ALL_OVS}]}}
      - {{name: ctl-03, host: kvm-03, vcpus: 8, memory_gib: 32, services: [{ALL_OVS}]}}
    """)


def check(text: str | bytes, stem: str = "arch", design_rules: bool = False) -> Checked:
    """Check `text`; by default without the design rules' findings, for tests of the structural checks."""
    raw = text.encode() if isinstance(text, str) else text
    result = check_bytes(raw, "test.yaml", stem)
    if design_rules:
        return result
    return dataclasses.replace(result, problems=[p for p in result.problems if p.rule not in DESIGN_RULES])


def found(text: str | bytes, stem: str = "arch") -> list[tuple[int, int, str]]:
    """The problems of `text` as (line, col, rule), in order."""
    return [(p.line, p.col, p.rule) for p in check(text, stem).problems]


def edit(old: str, new: str, text: str = VALID) -> str:
    """VALID with one exact snippet replaced (fails loudly when the snippet is not there)."""
    assert text.count(old) == 1, f"{old!r} must occur exactly once"
    return text.replace(old, new)


@pytest.fixture
def valid_text() -> str:
    return VALID


def findings(text: str, rule: str, stem: str = "clean") -> list:
    """The problems of one rule for `text`, with every check and rule run."""
    return [p for p in check(text, stem, design_rules=True).problems if p.rule == rule]


def at(text: str, line: int, needle: str) -> tuple[int, int]:
    """(line, col) of the first `needle` on a 1-based line of `text`."""
    return line, text.splitlines()[line - 1].index(needle) + 1


def where(problems: list) -> list[tuple[int, int]]:
    return [(p.line, p.col) for p in problems]


# ---- the built site in a browser, shared by the browser test modules ---------------------------------


@pytest.fixture(scope="session")
def shipped_site(tmp_path_factory):
    """The site with the shipped architectures, built once per session and served; yields its URL."""
    from sitebuild import built_site, serve  # sitebuild imports this module

    with serve(built_site(tmp_path_factory.mktemp("shipped"))) as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    """The system Chromium, headless, launched once per session (two sync Playwright instances cannot
    coexist in one process)."""
    from sitebuild import chromium

    with chromium() as launched:
        yield launched
