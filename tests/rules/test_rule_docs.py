"""Every rule documents itself in fixed sections, and its Example and Fix really fail and pass."""

from __future__ import annotations

import re

import pytest
import yaml

from generator import rules
from generator.rules import docs
from generator.rules.validate import check_bytes

ALL = [pytest.param(rule, id=rule.ID) for rule in rules.RULES]


def overlay(snippet: str) -> bytes:
    """EXAMPLE_BASE with the snippet's top-level keys put on top."""
    architecture = yaml.safe_load(docs.EXAMPLE_BASE)
    architecture.update(yaml.safe_load(snippet))
    return yaml.safe_dump(architecture, sort_keys=False).encode()


def rule_ids(snippet: str) -> list[str]:
    return [p.rule for p in check_bytes(overlay(snippet), "example.yaml", "example").problems]


@pytest.mark.parametrize("rule", ALL)
def test_docstring_has_the_fixed_sections(rule):
    doc = docs.parse(rule)
    assert doc.title and doc.sections["References"].count("https://") + doc.sections["References"].count("http://") >= 1


@pytest.mark.parametrize("rule", ALL)
def test_example_raises_the_rule(rule):
    assert rule.ID in rule_ids(docs.parse(rule).example)


@pytest.mark.parametrize("rule", ALL)
def test_fix_does_not(rule):
    assert rule.ID not in rule_ids(docs.parse(rule).fix)


def test_example_base_fits_the_schema():
    result = check_bytes(docs.EXAMPLE_BASE.encode(), "example.yaml", "example")
    assert result.architecture is not None


def test_ids_names_and_severities():
    assert len(rules.BY_ID) == len(rules.RULES)
    assert len({rule.NAME for rule in rules.RULES}) == len(rules.RULES)
    for rule in rules.RULES:
        assert re.fullmatch(r"RED\d{3}", rule.ID)
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.NAME)
        assert rule.SUMMARY.endswith(".")
        assert hasattr(rule, "check") or hasattr(rule, "review") or hasattr(rule, "SCHEMA_ERROR")
        assert rule.__name__.endswith(f"{rule.ID.lower()}_{rule.NAME.replace('-', '_')}")


def test_a_missing_section_is_refused():
    class Fake:
        ID = "RED999"
        __doc__ = "Title\n\n## What it checks\n\nx\n\n## Example\n\n```yaml\na: 1\n```\n"
    with pytest.raises(docs.RuleDocError, match="sections must be"):
        docs.parse(Fake)


def test_get_lists_the_known_ids():
    assert rules.get("RED002").NAME == "too-few-instances"
    with pytest.raises(KeyError, match="known: RED001"):
        rules.get("RED999")
