"""'Did you mean ...?' for near misses: unknown keys, hosts, services, rules and names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: object, choices: Iterable[str]) -> str | None:
    if not isinstance(word, str):
        return None
    found = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def suggestion(word: object, choices: Iterable[str]) -> str | None:
    """A hint such as "did you mean `kvm-01`?", or None when nothing is close."""
    match = closest(word, choices)
    return f"did you mean `{match}`?" if match else None
