"""Validate loaded data against the schema and turn pydantic's errors into positioned problems.

pydantic reports each error with a stable `type` and a `loc` path; the path is resolved to a line and
column through the loader's `SourceMap` (falling back to the nearest enclosing value when the key is
missing), and the type picks a plain-words message. Values the loader already refused are not
reported again.
"""

from __future__ import annotations

import inspect
import re
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from generator import rules
from generator.model import checks
from generator.model.architecture import HYPERVISORS, SLUG_PATTERN, Architecture
from generator.model.loader import Loaded, Path, format_path
from generator.model.problem import Problem
from generator.model.suggest import suggestion

_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping (key: value)",
    "model_type": "a mapping (key: value)",
    "model_attributes_type": "a mapping (key: value)",
}
_PATTERNS = {SLUG_PATTERN: "a slug: lower-case letters and digits in groups joined by single hyphens (like `kvm-01`)"}


def validate(loaded: Loaded, path: str) -> tuple[Architecture | None, list[Problem]]:
    """The architecture when the data fits the schema, and the problems when it does not."""
    if loaded.data is None:
        return None, []
    try:
        return Architecture.model_validate(loaded.data), []
    except ValidationError as error:
        problems = [
            _problem(item, loaded, path)
            for item in error.errors(include_url=False)
            if not _is_damaged(tuple(item["loc"]), loaded.damaged)
        ]
        return None, problems


def _is_damaged(loc: Path, damaged: frozenset[Path]) -> bool:
    return any(loc[: len(path)] == path for path in damaged)


def _problem(item: Any, loaded: Loaded, path: str) -> Problem:
    loc: Path = tuple(item["loc"])
    kind, ctx, value = item["type"], item.get("ctx") or {}, item.get("input")
    source = loaded.source
    where = format_path(loc)

    if kind == "missing":
        parent, key = loc[:-1], loc[-1]
        field = _field(parent, key)
        hint = f"add `{key}:` ({field.description})" if field is not None and field.description else f"add `{key}:`"
        message = f"{format_path(parent)}: missing required key `{key}`"
        return checks.MISSING_KEY.at(path, source.value_at(parent), message, hint)
    if kind == "extra_forbidden":
        parent, key = loc[:-1], loc[-1]
        known = _keys(parent)
        hint = suggestion(key, known) or (f"known keys here: {', '.join(known)}" if known else None)
        return checks.UNKNOWN_KEY.at(path, source.key_at(loc), f"{format_path(parent)}: unknown key `{key}`", hint)

    at = source.value_at(loc)
    if kind in rules.BY_SCHEMA_ERROR:  # a redundancy rule the schema applies
        rule = rules.BY_SCHEMA_ERROR[kind]
        return Problem(path, at.line, at.col, rule.SEVERITY, rule.ID, f"{where}: {item['msg']}",
                       suggestion(value, HYPERVISORS))
    raw = source.plain_scalars.get(loc)
    # An unquoted scalar that YAML turned into a number, a boolean or null explains most type errors.
    converted = f'YAML reads `{raw}` as {_describe(value)}; quote it if you mean the text: "{raw}"' if raw else None
    if kind in _EXPECTED:
        hint = converted if kind == "string_type" else None
        if isinstance(value, str) and kind in ("int_type", "float_type"):
            hint = "remove the quotes around the number"
        return checks.WRONG_TYPE.at(path, at, f"{where}: expected {_EXPECTED[kind]}, found {_describe(value)}", hint)
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return checks.INVALID_VALUE.at(path, at, f"{where}: {_describe(value)} is not one of: {', '.join(choices)}",
                                       suggestion(raw if raw else value, choices) or converted)
    if kind == "string_pattern_mismatch":
        form = _PATTERNS.get(ctx.get("pattern"), f"text matching `{ctx.get('pattern')}`")
        return checks.INVALID_VALUE.at(path, at, f"{where}: {_describe(value)} is not {form}")
    if kind == "string_too_long":
        return checks.INVALID_VALUE.at(
            path, at, f"{where}: the text has {len(value):,} characters; at most {ctx['max_length']:,} are allowed")
    if kind == "too_short":
        count = ctx.get("min_length", 1)
        return checks.INVALID_VALUE.at(path, at, f"{where}: needs at least {count} item{'s' if count != 1 else ''}")
    if kind == "too_long":
        return checks.INVALID_VALUE.at(
            path, at, f"{where}: has {ctx.get('actual_length')} items; at most {ctx.get('max_length')} are allowed")
    if kind in ("greater_than_equal", "greater_than"):
        bound = ctx.get("ge", ctx.get("gt"))
        return checks.INVALID_VALUE.at(path, at, f"{where}: {_describe(value)} is too small (at least {bound})")
    if kind in ("less_than_equal", "less_than"):
        bound = ctx.get("le", ctx.get("lt"))
        return checks.INVALID_VALUE.at(path, at, f"{where}: {_describe(value)} is too large (at most {bound})")
    return checks.INVALID_VALUE.at(path, at, f"{where}: {item['msg']}")


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "the boolean " + ("true" if value else "false")
    if value is None:
        return "an empty value (null)"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return '"' + shown.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _model_at(loc: Path) -> type[BaseModel] | None:
    """The model that describes the mapping at `loc`, following fields and list items."""
    model: type[BaseModel] = Architecture
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        inner = _model_in(field.annotation) if field is not None else None
        if inner is None:
            return None
        model = inner
    return model


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        if (found := _model_in(arg)) is not None:
            return found
    return None


def _keys(loc: Path) -> list[str]:
    model = _model_at(loc)
    return list(model.model_fields) if model is not None else []


def _field(loc: Path, key: Any) -> Any:
    model = _model_at(loc)
    return model.model_fields.get(key) if model is not None else None
