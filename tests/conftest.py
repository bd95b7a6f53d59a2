"""Shared helpers: check YAML text in memory and look at the problems as (line, col, rule)."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import settings

from generator.validate import Checked, check_bytes

# Property tests explore new inputs locally but replay the same ones in CI; no deadlines (speed is
# measured by `make bench`, never asserted in tests).
settings.register_profile("default", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True)
settings.load_profile("ci" if __import__("os").environ.get("CI") else "default")

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


def check(text: str | bytes, stem: str = "arch") -> Checked:
    raw = text.encode() if isinstance(text, str) else text
    return check_bytes(raw, "test.yaml", stem)


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
