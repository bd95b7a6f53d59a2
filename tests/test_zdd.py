"""The ZDD of minimal solutions: equal to brute force on random monotone functions, counted, listed
smallest first, and summed by label as the rare-event sum over the sets."""

from __future__ import annotations

import itertools
import math

import pytest
from dd import cudd
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.analysis import zdd

VARIABLES = 7

# a monotone function as a sum of products: each product a non-empty set of variables
products = st.lists(st.frozensets(st.integers(0, VARIABLES - 1), min_size=1, max_size=4), max_size=6)


def diagram(terms: list[frozenset[int]]):
    bdd = cudd.BDD()
    bdd.declare(*(f"x{i}" for i in range(VARIABLES)))
    bdd.configure(reordering=False)
    root = bdd.false
    for term in terms:
        product = bdd.true
        for i in term:
            product &= bdd.var(f"x{i}")
        root |= product
    return bdd, root


def solutions(bdd, root) -> tuple[zdd.Family, int]:
    family = zdd.Family()
    node = family.minimal_solutions(root, lambda n: n == bdd.true, lambda n: n == bdd.false,
                                    lambda n: bdd.level_of_var(n.var))
    return family, node


def brute_minimal(terms: list[frozenset[int]]) -> list[frozenset[int]]:
    def true(chosen: frozenset[int]) -> bool:
        return any(term <= chosen for term in terms)

    every = [frozenset(c) for size in range(VARIABLES + 1) for c in itertools.combinations(range(VARIABLES), size)]
    down = [s for s in every if true(s)]
    return [s for s in down if not any(other < s for other in down)]


@settings(max_examples=150, deadline=None)
@given(products)
def test_minimal_solutions_count_and_smallest_first_equal_brute_force(terms):
    bdd, root = diagram(terms)
    family, node = solutions(bdd, root)
    expected = sorted(brute_minimal(terms), key=lambda s: (len(s), sorted(s)))
    assert family.count(node) == len(expected)
    found = [frozenset(cut) for cut in family.smallest(node, None, key=sorted)]
    assert found == expected
    for limit in (1, 3):
        assert [frozenset(c) for c in family.smallest(node, limit, key=sorted)] == expected[:limit]
    sizes = {}
    for cut in expected:
        sizes[len(cut)] = sizes.get(len(cut), 0) + 1
    assert family.sizes(node) == sizes


@settings(max_examples=100, deadline=None)
@given(products, st.lists(st.floats(0.0, 0.5), min_size=VARIABLES, max_size=VARIABLES))
def test_shares_are_each_sets_probability_split_among_its_labels(terms, chances):
    bdd, root = diagram(terms)
    family, node = solutions(bdd, root)
    label = [i % 3 for i in range(VARIABLES)]
    expected = [0.0, 0.0, 0.0]
    for cut in brute_minimal(terms):
        p = math.prod(chances[i] for i in cut)
        for i in cut:
            expected[label[i]] += p / len(cut)
    found = family.shares(node, lambda level: chances[level], lambda level: label[level], 3, {})
    assert found == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_a_quorum_of_many_is_counted_without_listing_it():
    """Five of 60 hosts: 5,461,512 minimal cut sets, counted from a diagram of a few hundred nodes."""
    bdd = cudd.BDD()
    bdd.declare(*(f"x{i}" for i in range(60)))
    bdd.configure(reordering=False)
    row = {need: bdd.true if need <= 0 else bdd.false for need in range(6)}
    for i in range(59, -1, -1):
        x = bdd.var(f"x{i}")
        row = {need: bdd.true if need <= 0 else (x & row[need - 1]) | (~x & row[need]) for need in range(6)}
    family, node = solutions(bdd, row[5])
    assert family.count(node) == math.comb(60, 5)
    assert len(family.nodes) < 1_000
    assert family.smallest(node, 2, key=sorted) == [(0, 1, 2, 3, 4), (0, 1, 2, 3, 5)]
