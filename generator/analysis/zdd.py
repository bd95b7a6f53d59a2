"""Families of sets as zero-suppressed decision diagrams: the minimal solutions of a monotone BDD.

A minimal cut set family can hold millions of sets (a quorum of nine over forty hosts) and still be
a small diagram, so the family is kept as one: counted exactly, and listed smallest first only as far as a
caller asks. The diagram is built from a BDD by Rauzy's recursion (the minimal solutions of f = x ? f1 : f0
are those of f0, and x added to those of f1 that contain none of f0's), with `without` removing the sets
that contain a set of another family. Nodes are integers: 0 the empty family, 1 the family of the empty
set; a node's variable is its BDD level, so levels run the same way in both.
"""

from __future__ import annotations

import contextlib
import itertools
import sys
from collections.abc import Callable, Iterator
from typing import Any

EMPTY, BASE = 0, 1
_TERMINAL_LEVEL = 1 << 30


class Family:
    """A ZDD of families of sets of integer variables (BDD levels), with the BDD it reads."""

    def __init__(self) -> None:
        self.nodes: list[tuple[int, int, int]] = [(_TERMINAL_LEVEL, 0, 0), (_TERMINAL_LEVEL, 1, 1)]
        self._holds_empty_set = [False, True]  # per node: whether the empty set is in its family
        self.unique: dict[tuple[int, int, int], int] = {}
        self._without: dict[tuple[int, int], int] = {}
        self._sizes: dict[int, dict[int, int]] = {EMPTY: {}, BASE: {0: 1}}
        self._solved: dict[tuple[int, bool], int] = {}  # BDD node (of the one BDD read) -> its solutions

    def node(self, level: int, low: int, high: int) -> int:
        if high == EMPTY:  # zero suppression: a variable in no set of the family is left out
            return low
        key = (level, low, high)
        found = self.unique.get(key)
        if found is None:
            found = self.unique[key] = len(self.nodes)
            self.nodes.append(key)
            self._holds_empty_set.append(self._holds_empty_set[low])  # the sets without `level`
        return found

    def without(self, family: int, supersets_of: int) -> int:
        """The sets of `family` that contain no set of `supersets_of`."""
        if family == EMPTY or supersets_of == EMPTY:
            return family
        if self._holds_empty_set[supersets_of]:
            return EMPTY  # the empty set is inside every set
        if family == BASE:
            return BASE
        key = (family, supersets_of)
        found = self._without.get(key)
        if found is not None:
            return found
        level, low, high = self.nodes[family]
        other, other_low, other_high = self.nodes[supersets_of]
        if level < other:
            found = self.node(level, self.without(low, supersets_of), self.without(high, supersets_of))
        elif other < level:  # sets with `other` cannot be inside sets without it
            found = self.without(family, other_low)
        else:
            found = self.node(level, self.without(low, other_low),
                              self.without(self.without(high, other_low), other_high))
        self._without[key] = found
        return found

    def minimal_solutions(self, root: Any, is_true: Callable[[Any], bool], is_false: Callable[[Any], bool],
                          level_of: Callable[[Any], int]) -> int:
        """The minimal sets of variables (by level) that make a monotone BDD true whatever the others are.
        `root` is a `dd` node (complemented edges handled); the callables say what its terminals are and
        the level of a node's variable. Every root must come from the same BDD."""
        memo = self._solved

        def solve(node: Any) -> int:
            if is_true(node):
                return BASE
            if is_false(node):
                return EMPTY
            negated = node.negated
            plain = ~node if negated else node
            key = (int(plain), negated)
            if key not in memo:
                high, low = (~plain.high, ~plain.low) if negated else (plain.high, plain.low)
                without_it = solve(low)
                memo[key] = self.node(level_of(plain), without_it, self.without(solve(high), without_it))
            return memo[key]

        with _deep():
            return solve(root)

    def below(self, node: int) -> list[int]:
        """The nodes reachable from `node`, children before parents (a node is made after its children, so
        its number is larger)."""
        seen = {node}
        stack = [node]
        while stack:
            _, low, high = self.nodes[stack.pop()]
            for child in (low, high):
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        return sorted(seen)

    def sizes(self, node: int) -> dict[int, int]:
        """How many sets of each size the family holds."""
        for each in self.below(node):
            if each not in self._sizes:
                _, low, high = self.nodes[each]
                found = dict(self._sizes[low])
                for size, count in self._sizes[high].items():
                    found[size + 1] = found.get(size + 1, 0) + count
                self._sizes[each] = found
        return self._sizes[node]

    def shares(self, node: int, chance: Callable[[int], float], label: Callable[[int], int], labels: int,
               memo: dict[int, dict[int, list[float]]]) -> list[float]:
        """Per label, the sum over the family's sets of the set's probability (the product of its variables'
        chances) times the share of its variables with that label. `memo` holds each node's sums by set size
        (the probability, then one per label) for the same chances."""
        memo.setdefault(EMPTY, {})
        memo.setdefault(BASE, {0: [1.0] + [0.0] * labels})
        for each in self.below(node):
            if each in memo:
                continue
            level, low, high = self.nodes[each]
            c, mine = chance(level), 1 + label(level)
            found = {size: list(row) for size, row in memo[low].items()}
            for size, row in memo[high].items():
                into = found.setdefault(size + 1, [0.0] * (labels + 1))
                for index, value in enumerate(row):
                    into[index] += c * value
                into[mine] += c * row[0]
            memo[each] = found
        totals = [0.0] * labels
        for size, row in memo[node].items():
            for index in range(labels):
                totals[index] += row[1 + index] / size if size else 0.0
        return totals

    def count(self, node: int) -> int:
        return sum(self.sizes(node).values())

    def of_size(self, node: int, size: int) -> Iterator[tuple[int, ...]]:
        """The family's sets of exactly `size` variables, in the diagram's order (lexicographic by level)."""
        if size < 0 or not self.sizes(node).get(size):
            return
        if node == BASE:
            yield ()
            return
        level, low, high = self.nodes[node]
        for rest in self.of_size(high, size - 1):
            yield (level, *rest)
        yield from self.of_size(low, size)

    def smallest(self, node: int, limit: int | None, key: Callable[[tuple[int, ...]], Any],
                 sort_up_to: int = 20_000) -> list[tuple[int, ...]]:
        """Up to `limit` sets (every set: None), by size and then by `key`. Where one size holds more than
        `sort_up_to` sets and only some of them are listed, those are the first in the diagram's order,
        sorted: ordering them all would cost more than listing them is worth."""
        found: list[tuple[int, ...]] = []
        for size in sorted(self.sizes(node)):
            wanted = None if limit is None else limit - len(found)
            if wanted is not None and wanted <= 0:
                break
            sets = self.of_size(node, size)
            if wanted is not None and self.sizes(node)[size] > max(wanted, sort_up_to):
                sets = itertools.islice(sets, wanted)
            found += sorted(sets, key=key)[:wanted]
        return found


@contextlib.contextmanager
def _deep() -> Iterator[None]:
    """Room for recursion as deep as two diagrams' levels (a design with hundreds of events): Python's
    own frames, not C's, so the default limit is what stops it, not the stack."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20_000))
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)
