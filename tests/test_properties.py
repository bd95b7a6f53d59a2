"""Property: no edit of a valid file makes the checker raise; every outcome is a list of positioned problems."""

from __future__ import annotations

from conftest import CLEAN, VALID, check
from hypothesis import given
from hypothesis import strategies as st

from generator import rules
from generator.model import checks

KNOWN_RULES = {c.id for c in checks.ALL} | set(rules.BY_ID)
# Characters that mean something to YAML, plus some that it refuses.
YAML_TEXT = st.text(
    alphabet=" \t\n-:[]{}&*!|>'\"#%@`,?~<=.0123456789abcnoyNOY\\\x00\x07\u00e9\u2028\ufeff", max_size=12)


@st.composite
def edited(draw) -> str:
    lines = draw(st.sampled_from([VALID, CLEAN])).splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        where = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "insert", "replace", "indent", "swap"]))
        if action == "delete":
            del lines[where]
        elif action == "duplicate":
            lines.insert(where, lines[where])
        elif action == "indent":
            lines[where] = draw(st.sampled_from(["", " ", "  ", "\t"])) + lines[where].lstrip(" ")
        elif action == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[where], lines[other] = lines[other], lines[where]
        else:
            line = lines[where]
            column = draw(st.integers(0, len(line)))
            cut = column + (draw(st.integers(0, 3)) if action == "replace" else 0)
            lines[where] = line[:column] + draw(YAML_TEXT) + line[cut:]
    return "".join(lines)


def assert_reported(text: str | bytes) -> None:
    result = check(text, design_rules=True)
    for problem in result.problems:
        assert problem.rule in KNOWN_RULES
        assert problem.line >= 1 and problem.col >= 1
        assert problem.message and "\n" not in problem.message
    assert result.ok == (not result.problems)


@given(edited())
def test_random_edits_are_reported_never_raised(text):
    assert_reported(text)


@given(st.binary(max_size=64), st.integers(0, len(VALID)))
def test_random_bytes_spliced_in_are_reported_never_raised(noise, where):
    raw = VALID.encode()
    assert_reported(raw[:where] + noise + raw[where:])
