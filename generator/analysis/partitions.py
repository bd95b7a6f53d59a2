"""Which parts of the management cluster a network split cuts off from the side that carries on.

Hosts reach each other through switches. With no `uplinks` declared every switch reaches every other
(one network, as long as one switch of a host lives); once a design declares uplinks, switches reach each
other only through the declared links, so a failed core switch can leave two groups of live hosts that
cannot see each other: the partitions. A host that is on two switches joins their sides (its cluster
links run over both).

Of the partitions, one carries on: the *main side*, the partition with the most votes (its hosts, and the
witness when the switch it sits behind is in it), ties going to the partition of the first host in the
design's order; a witness behind no switch reaches every side and gives its vote to the main one. A
partition without a live switch (a host whose every switch failed) is never the main side. Whether the
main side has quorum is the cluster's own gate, counted over the hosts this module says are lost.

The gates are monotone in failures: a part counts as cut off once any subset of the failed switches
already cut it off (more failures never bring a part back). For each part this module gives the minimal
sets of failed switches that cut it off, found by trying every subset of switches, smallest first; the
schema allows this only up to 16 switches with uplinks (REF010).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping


@dataclasses.dataclass(frozen=True)
class Network:
    """The hosts and switches of a design, and how they link."""

    hosts: tuple[str, ...]  # in the design's order (the first host's side wins a tie)
    switches: tuple[str, ...]
    attached: Mapping[str, tuple[str, ...]]  # host -> the switches it is on (hosts on none are left out)
    links: frozenset[frozenset[str]] | None  # switch pairs that link; None: every switch reaches every other
    witness_switch: str | None = None  # the switch the witness sits behind (its vote goes to that side)

    @property
    def meshed(self) -> bool:
        return self.links is None


@dataclasses.dataclass(frozen=True)
class Side:
    """One partition: its hosts and the live switches they reach each other through."""

    hosts: frozenset[str]
    switches: frozenset[str]


def sides(network: Network, failed: frozenset[str]) -> list[Side]:
    """The partitions of the hosts on switches, with `failed` switches down; hosts whose every switch
    failed are each a side of their own, without switches."""
    live = [s for s in network.switches if s not in failed]
    parent = {s: s for s in live}

    def root(s: str) -> str:
        while parent[s] != s:
            parent[s] = parent[parent[s]]
            s = parent[s]
        return s

    def join(a: str, b: str) -> None:
        parent[root(a)] = root(b)

    if network.links is None:
        for s in live[1:]:
            join(s, live[0])
    else:
        for link in network.links:
            a, b = sorted(link)
            if a in parent and b in parent:
                join(a, b)
    for host in network.hosts:
        up = [s for s in network.attached.get(host, ()) if s in parent]
        for s in up[1:]:
            join(s, up[0])  # a host on two switches carries its cluster links over both
    groups: dict[str, set[str]] = {}
    alone: list[Side] = []
    for host in network.hosts:
        if host not in network.attached:
            continue
        up = [s for s in network.attached[host] if s in parent]
        if up:
            groups.setdefault(root(up[0]), set()).add(host)
        else:
            alone.append(Side(frozenset({host}), frozenset()))
    switches_of: dict[str, set[str]] = {}
    for s in live:
        switches_of.setdefault(root(s), set()).add(s)
    found = [Side(frozenset(groups.get(r, ())), frozenset(members)) for r, members in switches_of.items()]
    return found + alone


def main_side(network: Network, failed: frozenset[str]) -> Side | None:
    """The partition that carries on with these switches failed (None when no partition has a live
    switch and a host): most votes, then the first host's."""
    order = {host: i for i, host in enumerate(network.hosts)}
    candidates = [side for side in sides(network, failed) if side.switches and side.hosts]
    if not candidates:
        return None

    def rank(side: Side) -> tuple[int, int]:
        votes = len(side.hosts) + (1 if network.witness_switch in side.switches else 0)
        return -votes, min(order[h] for h in side.hosts)

    return min(candidates, key=rank)


def cut_sets(network: Network) -> dict[str, list[frozenset[str]]]:
    """For each host (by name) and each switch (`switch:<name>`), the minimal sets of failed switches
    that leave it outside the main side; a switch's own failure is one of its sets."""
    hosts = [h for h in network.hosts if h in network.attached]
    targets = [*hosts, *(f"switch:{s}" for s in network.switches)]
    found: dict[str, list[frozenset[str]]] = {t: [] for t in targets}
    for size in range(1, len(network.switches) + 1):
        for combo in itertools.combinations(network.switches, size):
            failed = frozenset(combo)
            main = main_side(network, failed)
            outside = [h for h in hosts if main is None or h not in main.hosts]
            outside += [f"switch:{s}" for s in network.switches if main is None or s not in main.switches]
            for target in outside:
                if not any(known <= failed for known in found[target]):
                    found[target].append(failed)
    return found
