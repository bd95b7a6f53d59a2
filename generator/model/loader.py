"""Read an architecture file safely and remember where every value came from.

Architecture files arrive by pull request from strangers, so reading one must never run code, exhaust
memory, crash the process or silently change what the author wrote. The file goes through four gates:

1. bytes: at most 1 MiB, UTF-8 (a UTF-8 byte-order mark is allowed), not empty;
2. events: libyaml's parser produces a flat stream of events, which this module composes into a node
   tree itself, iteratively, stopping at the first sign of abuse: nesting deeper than `MAX_DEPTH`
   (checked before libyaml's recursive composer could ever see it: that one crashes the process on
   deep input), more than `MAX_ALIASES` alias uses, a recursive alias, more than `MAX_VALUES` values
   once aliases are expanded, a second document. These are this module's limits, not the parser's:
   when the libyaml build refuses the text itself (libyaml 0.2.6 has a nesting limit of its own and
   reaches it while reading ahead, before the composer sees the depth), PyYAML's pure-Python parser
   reads the file again and the same guards decide;
3. values: only YAML's core schema (text, numbers, true/false, null, lists, mappings) is accepted;
   any other tag (`!!python/...`, `!!binary`, merge keys `<<`, custom tags) is refused, dates stay
   text, mapping keys must be plain text and unique after YAML's conversion (`no` and `NO` are both
   false), and numbers written in a form YAML 1.1 reads surprisingly (`010` is 8) are refused;
4. positions: the line and column of every value and every key is kept in a `SourceMap`, so that the
   schema, the cross-checks and the rules can all point at the offending line.

Problems of gate 1 and 2 stop the reading of that file (nothing safe can be built); problems of gate 3
are all collected, and the damaged values are left out of the data so that later checks do not
report them twice.
"""

from __future__ import annotations

import codecs
import dataclasses
import re
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from generator.model import checks
from generator.model.problem import START, Location, Problem

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 20
MAX_ALIASES = 50
MAX_VALUES = 100_000

# A path to a value: mapping keys and list indexes from the top of the document.
Path = tuple[str | int, ...]

_CORE = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_CORE + t for t in ("str", "int", "float", "bool", "null"))
_SEQ, _MAP, _MERGE = _CORE + "seq", _CORE + "map", _CORE + "merge"
_SCALAR_TAGS = frozenset({_STR, _INT, _FLOAT, _BOOL, _NULL})
_DECIMAL_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_PLAIN_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)")

# libyaml's parser when PyYAML was built with it; the pure-Python parser is the reference, with no limits
# of its own, used when the fast one refuses a text that is small enough to read again at Python speed.
_FAST_PARSER = getattr(yaml, "CSafeLoader", None)
_REFERENCE_PARSER = yaml.SafeLoader
REFERENCE_REREAD_CHARS = 128 * 1024
# What a parser build may raise on text it cannot read: its own error, or running out of stack or memory.
_PARSER_FAILURES = (yaml.YAMLError, RecursionError, MemoryError)


class _Resolver(yaml.resolver.BaseResolver):
    """PyYAML's implicit typing of plain scalars, except dates: `2024-01-01` stays text."""

    yaml_implicit_resolvers = {  # noqa: RUF012 (PyYAML's class-level registry)
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _CORE + "timestamp"]
        for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
    }


@dataclasses.dataclass
class SourceMap:
    """Where each value (and each mapping key) of one document stands in its file."""

    values: dict[Path, Location] = dataclasses.field(default_factory=dict)
    keys: dict[Path, Location] = dataclasses.field(default_factory=dict)
    # The text of unquoted scalars that YAML turned into something else than text (for hints).
    plain_scalars: dict[Path, str] = dataclasses.field(default_factory=dict)
    collections: set[Path] = dataclasses.field(default_factory=set)

    def value_at(self, path: Path) -> Location:
        """The position of the value at `path`, or of its nearest ancestor that exists."""
        for end in range(len(path), -1, -1):
            if (found := self.values.get(path[:end])) is not None:
                return found
        return START

    def key_at(self, path: Path) -> Location:
        """The position of the key that introduces `path`, falling back to `value_at`."""
        return self.keys.get(path) or self.value_at(path)

    def locate(self, path: Path) -> Location:
        """Where to point for a finding about `path`: the key of a list or mapping, else the value itself."""
        return self.key_at(path) if path in self.collections else self.value_at(path)


@dataclasses.dataclass(frozen=True)
class Loaded:
    """The outcome of reading one file: plain data (None when nothing safe could be read)."""

    data: Any
    source: SourceMap
    problems: list[Problem]
    # Paths whose values were left out because a problem was already reported for them.
    damaged: frozenset[Path]


def format_path(path: Path) -> str:
    """`("hosts", 0, "name")` as `hosts[0].name`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the top level"


def load(raw: bytes, path: str) -> Loaded:
    """Read the bytes of one architecture file; `path` is only used to label problems."""
    source = SourceMap()

    def stop(problem: Problem) -> Loaded:
        return Loaded(None, source, [problem], frozenset())

    if len(raw) > MAX_FILE_BYTES:
        return stop(checks.FILE_TOO_LARGE.at(
            path, START, f"the file has {len(raw):,} bytes; an architecture file may have at most {MAX_FILE_BYTES:,}",
            "split long prose into shorter text; an architecture needs far less than this"))
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        utf16 = raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        return stop(checks.NOT_UTF8.at(
            path, _byte_location(raw, error.start),
            "the file is UTF-16 text, not UTF-8" if utf16 else f"byte 0x{raw[error.start]:02x} is not valid UTF-8",
            "save the file as UTF-8 text"))

    root, problem = _compose(text, raw, path)
    if problem is not None:
        return stop(problem)
    if root is None or (isinstance(root, ScalarNode) and root.tag == _NULL):
        return stop(checks.EMPTY_FILE.at(
            path, START, "the file holds no YAML document", "start from an existing file in architectures/"))
    builder = _Builder(path, source)
    data = builder.value(root, ())
    return Loaded(data, source, builder.problems, frozenset(builder.damaged))


def _byte_location(raw: bytes, offset: int) -> Location:
    line_start = raw.rfind(b"\n", 0, offset) + 1
    column = len(raw[line_start:offset].decode("utf-8", errors="replace"))
    return Location(raw.count(b"\n", 0, offset) + 1, column + 1)


def _mark(mark: Any) -> Location:
    return Location(mark.line + 1, mark.column + 1)


class _Stop(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem


def _compose(text: str, raw: bytes, path: str) -> tuple[Node | None, Problem | None]:
    parser = _FAST_PARSER or _REFERENCE_PARSER
    composer = _Composer(path)
    try:
        return _read(composer, parser, text), None
    except _Stop as stop:
        return None, stop.problem
    except _PARSER_FAILURES as error:
        failure = error
    problem = _parser_problem(failure, composer, text, raw, path)
    if parser is _REFERENCE_PARSER:
        return None, problem
    # The fast parser refused the text. The reference parser reads it again, so that what is reported
    # (and whether the file is refused at all) does not depend on how PyYAML was built: all of a small
    # file, or of a large one the part before the refusal, which is enough for a guard to fire.
    if len(text) <= REFERENCE_REREAD_CHARS:
        reread, whole = text, True
    else:
        mark = getattr(failure, "problem_mark", None) or getattr(failure, "context_mark", None)
        end = _offset(text, mark) if mark is not None else len(text)
        if end > REFERENCE_REREAD_CHARS:
            return None, problem
        reread, whole = text[:end], False
    composer = _Composer(path)
    try:
        root = _read(composer, _REFERENCE_PARSER, reread)
    except _Stop as stop:
        return None, stop.problem
    except _PARSER_FAILURES as error:
        return None, _parser_problem(error, composer, text, raw, path) if whole else problem
    return (root, None) if whole else (None, problem)


def _offset(text: str, mark: Any) -> int:
    """The index in `text` of a parser mark's line and column."""
    start = 0
    for _ in range(mark.line):
        start = text.find("\n", start) + 1
        if start == 0:
            return len(text)
    return min(start + mark.column, len(text))


def _read(composer: _Composer, parser_class: Any, text: str) -> Node | None:
    parser = parser_class(text)
    try:
        return composer.run(parser)
    finally:
        parser.dispose()


def _parser_problem(error: BaseException, composer: _Composer, text: str, raw: bytes, path: str) -> Problem:
    """The problem to report for a parser that gave up on the text."""
    if isinstance(error, yaml.reader.ReaderError):
        return checks.YAML_SYNTAX.at(
            path, _byte_location(raw, error.position),
            f"{error.reason} (character {error.character!r})" if isinstance(error.character, str)
            else f"{error.reason} (code {error.character:#x})",
            "remove control characters; use plain text")
    where = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    # A parser's own depth limit, or a stack or memory it ran out of, all mean nesting too deep to read.
    if not isinstance(error, yaml.YAMLError) or "nesting depth" in str(error):
        location = _mark(where) if where else composer.last_location
        return checks.TOO_DEEP.at(
            path, location, f"lists and mappings are nested deeper than the YAML parser can read here "
            f"(this project allows {MAX_DEPTH} levels)",
            "an architecture needs four levels at most; flatten the structure")
    if isinstance(error, yaml.MarkedYAMLError):
        message = f"{error.problem} ({error.context})" if error.context else str(error.problem)
        tab = "tab" in message or _at(text, where) == "\t"
        hint = "indent with spaces: YAML does not allow tabs here" if tab else None
        return checks.YAML_SYNTAX.at(path, _mark(where) if where else START, message, hint)
    return checks.YAML_SYNTAX.at(path, composer.last_location, str(error))


def _at(text: str, mark: Any) -> str:
    """The character at a parser mark, or '' past the end."""
    if mark is None:
        return ""
    lines = text.split("\n", mark.line + 1)
    return lines[mark.line][mark.column:mark.column + 1] if mark.line < len(lines) else ""


class _Frame:
    """A list or mapping being composed."""

    def __init__(self, node: SequenceNode | MappingNode, anchor: str | None) -> None:
        self.node = node
        self.anchor = anchor
        self.size = 1  # values in this collection once aliases are expanded, itself included
        self.key: Node | None = None  # a mapping's key waiting for its value


class _Composer:
    """Turns parser events into a node tree without recursion, enforcing the budgets as it goes."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.resolver = _Resolver()
        self.stack: list[_Frame] = []
        self.anchors: dict[str, Node] = {}
        self.sizes: dict[int, int] = {}  # id(node) -> expanded size, for alias targets
        self.aliases = 0
        self.values = 0
        self.root: Node | None = None
        self.last_location = START  # where the last event read began


    def run(self, parser: Any) -> Node | None:
        documents = 0
        while parser.check_event():
            event = parser.get_event()
            self.last_location = _mark(event.start_mark)
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    self.fail(checks.MULTIPLE_DOCUMENTS, event.start_mark,
                              "a second YAML document starts here; an architecture file holds exactly one",
                              "remove the `---` line and what follows, or move it to a file of its own")
            elif isinstance(event, yaml.ScalarEvent):
                tag = self.tag(ScalarNode, event.tag, event.value, event.implicit)
                node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
                self.count(1, event.start_mark)
                self.remember(event.anchor, node, 1)
                self.attach(node, 1)
            elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                if len(self.stack) >= MAX_DEPTH:
                    self.fail(checks.TOO_DEEP, event.start_mark,
                              f"lists and mappings are nested more than {MAX_DEPTH} levels deep here",
                              "an architecture needs four levels at most; flatten the structure")
                is_list = isinstance(event, yaml.SequenceStartEvent)
                kind = SequenceNode if is_list else MappingNode
                tag = self.tag(kind, event.tag, None, event.implicit)
                collection = kind(tag, [], event.start_mark, None, event.flow_style)
                self.count(1, event.start_mark)
                if event.anchor is not None:
                    self.anchors[event.anchor] = collection
                self.stack.append(_Frame(collection, event.anchor))
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                frame = self.stack.pop()
                frame.node.end_mark = event.end_mark
                if frame.anchor is not None:
                    self.sizes[id(frame.node)] = frame.size
                self.attach(frame.node, frame.size)
            elif isinstance(event, yaml.AliasEvent):
                self.aliases += 1
                if self.aliases > MAX_ALIASES:
                    self.fail(checks.ALIAS_LIMIT, event.start_mark,
                              f"more than {MAX_ALIASES} alias uses (`*name`) in one file",
                              "write the values out instead of repeating anchors")
                target = self.anchors.get(event.anchor)
                if target is None:
                    self.fail(checks.YAML_SYNTAX, event.start_mark,
                              f"the alias `*{event.anchor}` names no anchor defined before it")
                if any(frame.node is target for frame in self.stack):
                    self.fail(checks.ALIAS_LIMIT, event.start_mark,
                              f"the alias `*{event.anchor}` refers to a list or mapping that contains it "
                              "(a recursive alias)",
                              "remove the alias; an architecture is a tree")
                size = self.sizes.get(id(target), 1)
                self.count(size, event.start_mark)
                self.attach(target, size)
        return self.root

    def tag(self, kind: type[Node], tag: str | None, value: str | None, implicit: Any) -> str:
        if tag is None:
            return self.resolver.resolve(kind, value, implicit)
        if tag == "!":  # the non-specific tag: text, list or mapping, never a number
            return self.resolver.resolve(kind, value, (False, False))
        return tag

    def remember(self, anchor: str | None, node: Node, size: int) -> None:
        if anchor is not None:
            self.anchors[anchor] = node
            self.sizes[id(node)] = size

    def count(self, size: int, mark: Any) -> None:
        self.values += size
        if self.values > MAX_VALUES:
            check = checks.ALIAS_LIMIT if self.aliases else checks.FILE_TOO_LARGE
            self.fail(check, mark, f"the document holds more than {MAX_VALUES:,} values"
                      + (" once its aliases are expanded" if self.aliases else ""),
                      "an architecture needs far fewer values; remove repeated or generated content")

    def attach(self, node: Node, size: int) -> None:
        if not self.stack:
            self.root = node
            return
        frame = self.stack[-1]
        frame.size += size
        if isinstance(frame.node, SequenceNode):
            frame.node.value.append(node)
        elif frame.key is None:
            frame.key = node
        else:
            frame.node.value.append((frame.key, node))
            frame.key = None

    def fail(self, check: Any, mark: Any, message: str, hint: str | None = None) -> None:
        raise _Stop(check.at(self.path, _mark(mark), message, hint))


_DROPPED = object()


class _Builder:
    """Turns the node tree into plain Python values, collecting every value-level problem.

    Recursion here is bounded by `MAX_DEPTH`, which the composer has already enforced.
    """

    def __init__(self, path: str, source: SourceMap) -> None:
        self.path = path
        self.source = source
        self.problems: list[Problem] = []
        self.damaged: set[Path] = set()
        self.constructor = yaml.constructor.SafeConstructor()

    def value(self, node: Node, at: Path) -> Any:
        self.source.values[at] = _mark(node.start_mark)
        if isinstance(node, ScalarNode):
            return self.scalar(node, at)
        expected = _SEQ if isinstance(node, SequenceNode) else _MAP
        if node.tag != expected:
            return self.refuse_tag(node, at)
        self.source.collections.add(at)
        if isinstance(node, SequenceNode):
            return [self.value(item, (*at, index)) for index, item in enumerate(node.value)]
        return self.mapping(node, at)

    def mapping(self, node: MappingNode, at: Path) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        seen: dict[tuple[type, Any], Location] = {}
        for key_node, value_node in node.value:
            where = _mark(key_node.start_mark)
            if not isinstance(key_node, ScalarNode):
                self.report(checks.COMPLEX_KEY, where, f"a key in {format_path(at)} is a list or a mapping",
                            "keys are plain text such as `name:`")
                continue
            key = self.scalar(key_node, None)
            if key is _DROPPED:
                continue
            identity = (type(key), key)
            if identity in seen:
                first = seen[identity]
                self.report(checks.DUPLICATE_KEY, where,
                            f"the key `{key_node.value}` appears twice in {format_path(at)} "
                            f"(first on line {first.line})",
                            None if isinstance(key, str) else f"YAML reads both spellings as {_show(key)}")
                continue
            seen[identity] = where
            if not isinstance(key, str):
                self.report(checks.AMBIGUOUS_SCALAR, where,
                            f"YAML reads the key `{key_node.value}` as {_show(key)}, not as text",
                            f"quote it: '{key_node.value}':")
                continue
            child = (*at, key)
            self.source.keys[child] = where
            result[key] = self.value(value_node, child)
        return result

    def scalar(self, node: ScalarNode, at: Path | None) -> Any:
        if node.tag not in _SCALAR_TAGS:
            return self.refuse_tag(node, at)
        plain = node.style in (None, "")
        if plain and node.tag == _INT and not _DECIMAL_INT.fullmatch(node.value):
            return self.ambiguous(node, at, f"the number {self.constructor.construct_yaml_int(node)}")
        if plain and node.tag == _FLOAT and not _PLAIN_FLOAT.fullmatch(node.value):
            return self.ambiguous(node, at, f"the number {self.constructor.construct_yaml_float(node)}")
        try:
            value = self.construct(node)
        except (ValueError, KeyError, TypeError, yaml.YAMLError):
            self.report(checks.YAML_SYNTAX, _mark(node.start_mark),
                        f"`{node.value}` cannot be read as {_show_tag(node.tag)}")
            return self.drop(at)
        if plain and at is not None and node.tag != _STR:
            self.source.plain_scalars[at] = node.value
        return value

    def construct(self, node: ScalarNode) -> Any:
        if node.tag == _STR:
            return node.value
        if node.tag == _NULL:
            return None
        if node.tag == _BOOL:
            return self.constructor.construct_yaml_bool(node)
        if node.tag == _INT:
            return self.constructor.construct_yaml_int(node)
        return self.constructor.construct_yaml_float(node)

    def ambiguous(self, node: ScalarNode, at: Path | None, reading: str) -> Any:
        self.report(checks.AMBIGUOUS_SCALAR, _mark(node.start_mark),
                    f"YAML 1.1 reads `{node.value}` as {reading}",
                    "write numbers in plain decimal, or quote the value if you mean text")
        return self.drop(at)

    def refuse_tag(self, node: Node, at: Path | None) -> Any:
        where = _mark(node.start_mark)
        if node.tag == _MERGE:
            self.report(checks.UNSUPPORTED_TAG, where, "merge keys (`<<`) are not supported",
                        "write the keys out in full")
        else:
            self.report(checks.UNSUPPORTED_TAG, where,
                        f"the tag `{_show_tag(node.tag)}` is not allowed: only plain YAML values "
                        "(text, numbers, true/false, null, lists, mappings) are read",
                        "remove the tag")
        return self.drop(at)

    def drop(self, at: Path | None) -> Any:
        if at is not None:
            self.damaged.add(at)
        return _DROPPED if at is None else None

    def report(self, check: Any, where: Location, message: str, hint: str | None = None) -> None:
        self.problems.append(check.at(self.path, where, message, hint))


def _show_tag(tag: str) -> str:
    return "!!" + tag[len(_CORE):] if tag.startswith(_CORE) else tag


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else repr(value)
