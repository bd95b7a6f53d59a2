"""The safe loader: what it refuses, where it says so, and the positions it keeps."""

from __future__ import annotations

import pytest
from conftest import VALID, check, found

from generator.model import loader
from generator.model.loader import format_path, load
from generator.model.problem import Location


def load_text(text: str) -> loader.Loaded:
    return load(text.encode(), "t.yaml")


def rules(text: str | bytes) -> list[str]:
    raw = text.encode() if isinstance(text, str) else text
    return [p.rule for p in load(raw, "t.yaml").problems]


def test_positions_of_keys_and_values_are_one_based():
    loaded = load_text("a: 1\nlist:\n  - x\n  - {k: v}\n")
    assert loaded.data == {"a": 1, "list": ["x", {"k": "v"}]}
    assert loaded.source.keys[("a",)] == Location(1, 1)
    assert loaded.source.values[("a",)] == Location(1, 4)
    assert loaded.source.values[("list", 1, "k")] == Location(4, 9)
    # A path that does not exist falls back to its nearest ancestor.
    assert loaded.source.value_at(("list", 1, "missing")) == Location(4, 5)


def test_format_path():
    assert format_path(("hosts", 0, "name")) == "hosts[0].name"
    assert format_path(()) == "the top level"


def test_duplicate_key_points_at_the_second_occurrence():
    problems = load_text("a: 1\nb: 2\na: 3\n").problems
    assert [(p.line, p.col, p.rule) for p in problems] == [(3, 1, "YAML002")]
    assert "first on line 1" in problems[0].message


def test_keys_equal_after_conversion_are_duplicates():
    problems = load_text("no: x\nNO: y\n").problems
    assert [(p.line, p.rule) for p in problems] == [(1, "YAML011"), (2, "YAML002")]
    assert "false" in problems[1].hint


def test_int_key_and_true_key_are_not_duplicates():
    # 1 == True in Python; in YAML they are different keys.
    assert rules("1: a\ntrue: b\n") == ["YAML011", "YAML011"]


@pytest.mark.parametrize("text", [
    "a: !!python/object/apply:os.system ['echo x']\n",
    "a: !!python/name:eval ''\n",
    "a: !custom x\n",
    "a: !!binary aGk=\n",
    "a: !!timestamp 2024-01-01\n",
    "a: !!set {x, y}\n",
    "a: !!omap [{x: 1}]\n",
    "base: &b {x: 1}\nc:\n  <<: *b\n",
])
def test_tags_outside_the_core_schema_are_refused(text):
    assert "YAML003" in rules(text)


def test_refused_values_are_left_out_and_remembered():
    loaded = load_text("a: !!python/name:eval ''\nb: ok\n")
    assert loaded.data == {"a": None, "b": "ok"}
    assert loaded.damaged == {("a",)}


def test_core_tags_are_accepted():
    loaded = load_text("a: !!str 8\nb: !!int '9'\nc: ! 10\n")
    assert loaded.problems == []
    assert loaded.data == {"a": "8", "b": 9, "c": "10"}


def test_dates_stay_text():
    assert load_text("when: 2024-01-01\n").data == {"when": "2024-01-01"}


@pytest.mark.parametrize("value", ["010", "0x1F", "0b101", "1:30", "1_000", "1:30.5"])
def test_numbers_yaml_reads_surprisingly_are_refused(value):
    problems = load_text(f"n: {value}\n").problems
    assert [(p.line, p.col, p.rule) for p in problems] == [(1, 4, "YAML011")]


@pytest.mark.parametrize("value", ["0", "-3", "42", "1.5", "2e3", ".inf", "'010'"])
def test_plain_numbers_are_fine(value):
    assert load_text(f"n: {value}\n").problems == []


def test_alias_budget():
    text = "a: &a x\n" + "".join(f"k{i}: *a\n" for i in range(loader.MAX_ALIASES + 1))
    problems = load_text(text).problems
    assert [p.rule for p in problems] == ["YAML004"]
    assert problems[0].line == loader.MAX_ALIASES + 2


def test_a_few_aliases_are_fine():
    assert load_text("a: &a [1, 2]\nb: *a\n").data == {"a": [1, 2], "b": [1, 2]}


def test_billion_laughs_is_refused_before_expansion():
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 6)]
    assert rules("\n".join(levels) + "\n") == ["YAML004"]


def test_expanded_size_budget_counts_alias_uses_in_full():
    big = "[" + ", ".join(["x"] * 9_000) + "]"
    text = f"a: &a {big}\n" + "".join(f"k{i}: *a\n" for i in range(12))
    problems = load_text(text).problems
    assert [p.rule for p in problems] == ["YAML004"]
    assert "aliases are expanded" in problems[0].message


def test_recursive_alias():
    problems = load_text("a: &a [1, *a]\n").problems
    assert [(p.line, p.col, p.rule) for p in problems] == [(1, 11, "YAML004")]
    assert "recursive" in problems[0].message


def test_undefined_alias():
    assert rules("a: *nowhere\n") == ["YAML001"]


def nested(depth: int) -> str:
    return "a: " + "[" * (depth - 1) + "]" * (depth - 1) + "\n"


def test_depth_limit_is_inclusive():
    assert load_text(nested(loader.MAX_DEPTH)).problems == []
    problems = load_text(nested(loader.MAX_DEPTH + 1)).problems
    assert [(p.line, p.col, p.rule) for p in problems] == [(1, 4 + loader.MAX_DEPTH - 1, "YAML005")]


def test_block_nesting_counts_too():
    text = "".join("  " * i + f"k{i}:\n" for i in range(30)) + "  " * 30 + "v\n"
    assert rules(text) == ["YAML005"]


def test_deep_nesting_that_would_crash_libyaml_is_refused():
    # libyaml's recursive composer crashes the process at about 30,000 levels.
    assert rules("[" * 100_000 + "]" * 100_000) == ["YAML005"]


class GivingUpParser:
    """A parser build that gives up after some events, the way a build with limits of its own would."""

    failure: BaseException = RecursionError("maximum recursion depth exceeded")
    after = 8

    def __init__(self, text: str) -> None:
        self.inner = loader.yaml.SafeLoader(text)
        self.events = 0

    def check_event(self, *kinds):
        return self.inner.check_event(*kinds)

    def get_event(self):
        self.events += 1
        if self.events > self.after:
            raise self.failure
        return self.inner.get_event()

    def dispose(self) -> None:
        self.inner.dispose()


@pytest.mark.parametrize("failure", [RecursionError("maximum recursion depth exceeded"), MemoryError(),
                                     loader.yaml.scanner.ScannerError(
                                         "while increasing flow level", None, "exceeded maximum nesting depth")])
def test_a_parser_build_that_gives_up_does_not_decide_the_rule(monkeypatch, failure):
    monkeypatch.setattr(GivingUpParser, "failure", failure)
    monkeypatch.setattr(loader, "_FAST_PARSER", GivingUpParser)
    # Too deep: the reference parser reads it again and the depth guard reports where it is exceeded.
    problems = load_text(nested(loader.MAX_DEPTH + 5)).problems
    assert [(p.line, p.col, p.rule) for p in problems] == [(1, 4 + loader.MAX_DEPTH - 1, "YAML005")]
    # Not too deep: the file reads as if the fast build had never failed.
    assert load_text("a: [1, 2, 3]\nb: {c: [x, y]}\n").data == {"a": [1, 2, 3], "b": {"c": ["x", "y"]}}
    # Broken YAML keeps its own rule.
    assert rules("a: [1, 2\nb: {c\n") == ["YAML001"]


def test_a_large_file_is_read_again_only_up_to_where_the_fast_parser_gave_up(monkeypatch):
    monkeypatch.setattr(loader, "_FAST_PARSER", loader.yaml.CSafeLoader)
    padding = "# " + "x" * 78 + "\n"
    deep_then_padding = "a: " + "[" * 2000 + "\n" + padding * (loader.REFERENCE_REREAD_CHARS // len(padding) + 10)
    assert len(deep_then_padding) > loader.REFERENCE_REREAD_CHARS
    # libyaml 0.2.6 gives up at its own limit, older builds read on until the guard: YAML005 where it is.
    problems = load_text(deep_then_padding).problems
    assert [(p.line, p.col, p.rule) for p in problems] == [(1, 4 + loader.MAX_DEPTH - 1, "YAML005")]
    # Past the part read again, the fast parser's own report stands, still under the depth rule.
    deep_late = padding * (loader.REFERENCE_REREAD_CHARS // len(padding) + 10) + "a: " + "[" * 2000
    problems = load_text(deep_late).problems
    assert [(p.line, p.rule) for p in problems] == [(deep_late.count("\n") + 1, "YAML005")]


def test_when_the_reference_parser_itself_runs_out_of_stack_the_position_read_last_is_given(monkeypatch):
    monkeypatch.setattr(loader, "_FAST_PARSER", None)
    monkeypatch.setattr(loader, "_REFERENCE_PARSER", GivingUpParser)
    problems = load_text("a:\n  b:\n    c: [d, e, f, g]\n").problems
    assert [(p.rule, p.line) for p in problems] == [("YAML005", 3)]
    assert "nested deeper than the YAML parser can read" in problems[0].message


def test_file_size_limit():
    padding = "# " + "x" * 78 + "\n"
    body = "a: b\n"
    just_right = body + padding * ((loader.MAX_FILE_BYTES - len(body)) // len(padding))
    just_right += "#" * (loader.MAX_FILE_BYTES - len(just_right) - 1) + "\n"
    assert len(just_right) == loader.MAX_FILE_BYTES
    assert rules(just_right) == []
    assert rules(just_right + "\n") == ["YAML006"]


def test_more_values_than_any_architecture_needs():
    assert rules("a: [" + ", ".join(["1"] * (loader.MAX_VALUES + 1)) + "]\n") == ["YAML006"]


def test_second_document():
    problems = load_text("a: 1\n---\nb: 2\n").problems
    assert [(p.line, p.col, p.rule) for p in problems] == [(2, 1, "YAML007")]


def test_bytes_that_are_not_utf8_are_located():
    problems = load(b"a: 1\nb: caf\xe9\n", "t.yaml").problems
    assert [(p.line, p.col, p.rule) for p in problems] == [(2, 7, "YAML008")]


def test_utf8_byte_order_mark_is_accepted():
    assert load(b"\xef\xbb\xbfa: \xc3\xa9\n", "t.yaml").data == {"a": "é"}


@pytest.mark.parametrize("text", ["", "   \n", "# only a comment\n", "~\n", "---\n"])
def test_empty(text):
    assert rules(text) == ["YAML009"]


@pytest.mark.parametrize("text", ["? [a, b]\n: c\n", "{[a]: 1}\n", "? {a: 1}\n: 2\n"])
def test_complex_keys(text):
    assert rules(text) == ["YAML010"]


def test_tab_indentation_gets_a_hint():
    problems = load_text("a:\n\tb: 1\n").problems
    assert [(p.line, p.col, p.rule) for p in problems] == [(2, 1, "YAML001")]
    assert "tabs" in problems[0].hint


def test_syntax_error_position():
    problems = load_text("a: [1, 2\nb: 3\n").problems
    assert [p.rule for p in problems] == ["YAML001"]
    assert problems[0].line == 2


def test_control_characters_are_located():
    problems = load(b"a: ok\nb: x\x07\n", "t.yaml").problems
    assert [(p.line, p.col, p.rule) for p in problems] == [(2, 5, "YAML001")]


def test_all_value_problems_are_collected():
    text = "a: !!binary aGk=\nb: 010\nc: 1\nc: 2\n"
    assert rules(text) == ["YAML003", "YAML011", "YAML002"]


def test_valid_architecture_loads_without_problems():
    assert check(VALID).problems == []
    assert found(VALID) == []
