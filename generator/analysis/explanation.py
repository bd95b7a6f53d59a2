"""Why an operation or a service is in its state, as a tree read off the evaluated gates.

From an operation that is down (or degraded), through the services it needs that are down (or
impaired), to the VMs that do not run and the platform's effects (the cluster lost quorum, storage
down, a host cut off, a host Pacemaker could not fence, a service that stays down after a total loss),
down to the failed parts. Each node is a gate or event that holds in the phase, named by its kind, with
the facts its phrase needs; the phrase table (`generator.render.phrases`) words it. Nothing here decides
a state: it walks the gates the engine evaluated and the placement the restart procedure made, which is
also all the explorer's script needs to build the same tree in the browser.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from generator.analysis.gates import IMPAIRMENTS, FailureModel, Phase
from generator.analysis.restarts import Placement, leaves

# Node kinds: the operation, the services it needs, the VMs; then the platform's effects ("quorum-lost",
# "storage-down", "isolated", "unfenced", "level-down", "latched", "no-restart", "migration-blocked",
# "local-disk", "no-room", "siblings"), and the failed parts (LEAF_OF_EVENT's, a VM or a service itself).
OPERATION, SERVICE, VM = "operation", "service", "vm"
LEAF_OF_EVENT = {"host:": "host", "witness:": "witness", "storage:": "storage", "switch:": "switch",
                 "fencing:": "fencing", "management:": "management", "power:": "domain",
                 "maintenance:": "maintenance"}
# How a service is impaired by its own members (a service's node says `how` it is down or impaired:
# failed, missing, latched, quorum, no-member, one of these, thinned, shared; `needs` when only through
# what it requires or uses).
SERVICE_NOTES = ("model", "unit", "failover", "noun", "copies", "reschedule", "partial", "basis")
IMPAIRED_HOW = tuple(prefix[:-1] for prefix in IMPAIRMENTS)


@dataclasses.dataclass(frozen=True, eq=False)
class Node:
    """One step of an explanation: a gate or event that holds, its kind and name, the facts its phrase
    needs, what makes it hold (`children`), and how its parent reaches it (`link`: needs, uses, one of,
    or only: an alternative of a group of which others still serve)."""

    kind: str
    name: str
    facts: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    children: tuple[Node, ...] = ()
    link: str = ""

    def reached(self, link: str, **facts: Any) -> Node:
        """This node as its parent reaches it (the subtree is shared)."""
        return dataclasses.replace(self, link=link, facts={**self.facts, **facts}) if link or facts else self


@dataclasses.dataclass(frozen=True)
class Cause:
    """One root cause of an operation's state: a service whose own gates (not what it requires) make it
    down or impaired, reached from the operation through `via`, with each step's link."""

    service: str
    state: str  # "down" or "degraded"
    node: Node
    via: tuple[str, ...] = ()
    links: tuple[str, ...] = ()  # one per step: operation -> via[0] -> ... -> service
    first: Node | None = None  # the operation's own child the chain starts at (its link says how)

    @property
    def uses(self) -> bool:
        """Whether the operation only uses what this cause takes away (it still works, but less well)."""
        return "uses" in self.links


class Explainer:
    """The explanations of one phase of one scenario: the model, every gate's value in the phase (the
    platform gates included) and the placement (why each VM that does not serve does not)."""

    def __init__(self, model: FailureModel, values: Mapping[str, bool], placement: Placement, phase: Phase) -> None:
        self.model = model
        self.values = values
        self.placement = placement
        self.phase = phase
        self.gates = {**model.gates, **{g.name: g for g in model.phase_gates.get(phase, ())}}
        self._nodes: dict[str, Node] = {}

    def holds(self, name: str) -> bool:
        return bool(self.values.get(name, False))

    def _service(self, sid: str, facts: Mapping[str, Any], children: list[Node] | tuple[Node, ...] = ()) -> Node:
        """A service's node, with the catalog's facts its phrases need (its HA model, failover seconds, ...)."""
        notes = self.model.notes.get(f"service:{sid}", {})
        return Node(SERVICE, sid, {**{k: v for k, v in notes.items() if k in SERVICE_NOTES}, **facts},
                    tuple(_distinct(list(children))))

    # ---- operations ---------------------------------------------------------------------------------

    def operation(self, oid: str) -> Node | None:
        """Why an operation is down or degraded (None when it works as it should)."""
        need = self.model.needs[oid]
        if self.holds(self.model.operations[oid]):
            children = [self.node(g).reached("needs") for g in need.requires if self.holds(g)]
            for group in need.any_of:
                if all(self.holds(g) for g in group):
                    children += [self.node(g).reached("one of") for g in group]
            return Node(OPERATION, oid, {"state": "down"}, tuple(_distinct(children)))
        if not self.holds(f"degraded:{oid}"):
            return None
        data = need.plane == "data"
        children = []
        for g in need.requires:
            sid = g.split(":", 1)[1]
            impaired = f"impaired-own:{sid}" if data else f"impaired:{sid}"
            if self.holds(impaired):
                children.append(self.node(impaired).reached("needs"))
        for group in need.any_of:
            serving = [g.split(":", 1)[1] for g in group if not self.holds(g)]
            children += [self.node(g).reached("only", serving=serving) for g in group if self.holds(g)]
        lasts = self.model.notes.get(f"operation:{oid}", {}).get("lasts", {})
        for g in need.uses:
            sid = g.split(":", 1)[1]
            impaired = f"impaired-own:{sid}" if data else f"impaired:{sid}"
            if self.holds(g):  # down: what it still works from, for how long, where the catalog knows
                children.append(self.node(g).reached("uses", **({"lasts": lasts[sid]} if sid in lasts else {})))
            elif self.holds(impaired):
                children.append(self.node(impaired).reached("uses"))
        return Node(OPERATION, oid, {"state": "degraded"}, tuple(_distinct(children)))

    def root_causes(self, node: Node) -> list[Cause]:
        """The services whose own gates make an operation's state, each by its shortest chain (needs
        before uses): the roots of its explanation."""
        found: dict[str, Cause] = {}
        queue: list[tuple[Node, tuple[str, ...], tuple[str, ...], Node]] = [
            (c, (), (c.link,), c) for c in node.children]
        while queue:
            current, via, links, first = queue.pop(0)
            if current.kind != SERVICE:
                continue
            how = current.facts["how"]
            if how not in ("needs",):
                state = "degraded" if how in IMPAIRED_HOW or node.facts["state"] == "degraded" else "down"
                cause = Cause(current.name, state, current, via, links, first)
                known = found.get(current.name)
                if known is None or (cause.uses, len(cause.via)) < (known.uses, len(known.via)):
                    found[current.name] = cause
            queue += [(c, (*via, current.name), (*links, c.link), first) for c in current.children
                      if c.kind == SERVICE]
        return list(found.values())

    # ---- services -----------------------------------------------------------------------------------

    def service(self, sid: str) -> Node | None:
        """Why a deployed service is down, works less well, or lost members (None: none of these)."""
        # Down first; then its own members impairing it, or thinning it, before what it needs or uses.
        for name in (f"service-down:{sid}", f"impaired-own:{sid}"):
            if self.holds(name) and (name.startswith("service-down:") or self.gates[name].inputs):
                return self.node(name)
        if self.holds(f"thinned:{sid}"):
            quorum = self.gates.get(f"quorum:{sid}")
            lost = [self.node(i) for i in (quorum.inputs if quorum else self._member_gates(sid)) if self.holds(i)]
            total = len(quorum.inputs) if quorum else len(self.model.members[sid])
            return self._service(sid, {"how": "thinned", "up": total - len(lost), "total": total,
                                       "quorum": quorum is not None}, lost)
        if self.holds(f"impaired:{sid}"):
            return self.node(f"impaired:{sid}")
        return None

    def shared(self, sid: str) -> Node | None:
        """Two of a service's members (or votes) on one host, or in one failure domain, since the platform
        moved one of them: one more failure of that host or domain takes both (None: no such pair)."""
        quorum = self.gates.get(f"quorum:{sid}")
        voters = [name.rsplit("@", 1)[1] if name.startswith("vote:") else name.split(":", 1)[1]
                  for name in (quorum.inputs if quorum else self._member_gates(sid))]
        moved, where = self.placement.moved, self.placement.where
        for scope in ("host", "failure domain"):
            seen: dict[str, str] = {}
            for vm in sorted(dict.fromkeys(voters), key=lambda v: (v not in moved, v)):
                host = where[vm]
                spot = None if host is None else host if scope == "host" else self.model.host_domain.get(host)
                if spot is None:
                    continue
                if spot in seen and (vm in moved or seen[spot] in moved):
                    return self._service(sid, {"how": "shared", "pair": sorted((seen[spot], vm)), "scope": scope,
                                               "spot": spot})
                seen.setdefault(spot, vm)
        return None

    def _member_gates(self, sid: str) -> list[str]:
        return [f"vm-down:{vm}" for vm in self.model.members[sid]]

    def _service_down(self, name: str) -> Node:
        kind, sid = name.split(":", 1)
        if kind == "missing":
            return self._service(sid, {"how": "missing"})
        facts: dict[str, Any] = {}
        children: list[Node] = []
        how = "needs"
        if self.holds(f"own:{sid}"):
            if self.holds(f"service:{sid}"):
                how = "failed"
            elif self.holds(f"latched:{sid}"):
                how = "latched"
                children.append(self._latched(sid))
            elif self.holds(f"quorum:{sid}"):
                how = "quorum"
                gate = self.gates[f"quorum:{sid}"]
                lost = [self.node(i) for i in gate.inputs if self.holds(i)]
                facts = {"up": len(gate.inputs) - len(lost), "total": len(gate.inputs)}
                children += lost
            else:
                how = "no-member"
                children += [self.node(g) for g in self._member_gates(sid) if self.holds(g)]
        if kind in ("service-down", "backend-down"):
            for dep in self.gates[name].inputs[1:]:  # after own:<sid>, what it requires
                if self.holds(dep):
                    children.append(self.node(dep).reached("needs"))
        return self._service(sid, {"how": how, **facts}, children)

    def _service_impaired(self, name: str) -> Node:
        kind, sid = name.split(":", 1)
        children: list[Node] = []
        how, facts = "needs", {}
        own = self.gates.get(f"impaired-own:{sid}")
        for gate_name in own.inputs if own is not None else ():
            if self.holds(gate_name):
                how = gate_name.split(":", 1)[0]
                lost = [g for g in self.gates[gate_name].inputs if self.holds(g)]
                members = self.model.members[sid]
                running = [vm for vm in members if not self.holds(f"vm-down:{vm}")]
                facts = {"lost": len(lost), "total": len(members), "first": members[0],
                         "next": running[0] if running else ""}
                children += [self.node(g) for g in lost]
                break
        if kind == "impaired":
            uses = set(self.model.notes.get(f"service:{sid}", {}).get("uses", ()))
            for dep in self.gates[name].inputs[1:]:
                if not self.holds(dep):
                    continue
                dep_sid = dep.split(":", 1)[1]
                if dep.startswith("service-down:"):
                    children.append(self.node(dep).reached("uses"))
                elif not (dep_sid in uses and self.holds(f"service-down:{dep_sid}")):
                    children.append(self.node(dep).reached("uses" if dep_sid in uses else "needs"))
        return self._service(sid, {"how": how, **facts}, children)

    # ---- any gate or event ----------------------------------------------------------------------------

    def node(self, name: str) -> Node:
        """The explanation of a gate or event that holds (memoised: subtrees are shared)."""
        if name not in self._nodes:
            self._nodes[name] = self._node(name)
        return self._nodes[name]

    def _node(self, name: str) -> Node:
        kind, _, rest = name.partition(":")
        if name.startswith(("service-down:", "backend-down:", "own:", "missing:")):
            return self._service_down(name)
        if name.startswith(("impaired:", "impaired-own:")):
            return self._service_impaired(name)
        if name.startswith("service:"):
            return self._service(rest, {"how": "failed"})
        if name.startswith("vm-down:"):
            return self._vm(rest)
        if name.startswith("vm:"):
            return Node(VM, rest, {"failed": True})
        if kind == "offline" or (kind == "host" and rest in self.model.offline):  # failed before anything else
            return Node("offline", rest)
        for prefix, leaf in LEAF_OF_EVENT.items():
            if name.startswith(prefix):
                return Node(leaf, rest)
        if kind == "vote":  # an arbitrator's vote: its VM, or the arbitrator failed as a whole
            arbitrator, vm = rest.split("@", 1)
            return self.node(f"vm-down:{vm}") if self.holds(f"vm-down:{vm}") else self.node(f"service:{arbitrator}")
        if kind == "host-lost":
            return self.node(f"host:{rest}") if self.holds(f"host:{rest}") else self.node(f"isolated:{rest}")
        if kind == "isolated":
            switches = self._cut(name)
            # alone: every switch of its own failed (else a split left it on the side that does not carry
            # on); which VMs stay on it (not restarted elsewhere), and which of them are paused there
            alone = self.holds(f"alone:{rest}") or f"alone:{rest}" not in self.gates
            leave = (leaves(self.model.restarts, rest, self.values) if self.model.restarts is not None
                     else frozenset())
            stays = [vm for vm, host in self.model.vm_host.items() if host == rest and vm not in leave]
            paused = self.model.notes.get(name, {}).get("paused", [])
            return Node("isolated", rest, {"switches": [n.name for n in switches], "alone": alone, "stays": stays,
                                           "paused": paused}, tuple(switches))
        if kind == "unreachable":  # a switch a split left outside the main side
            switches = self._cut(name)
            return Node("unreachable", rest, {"switches": [n.name for n in switches]}, tuple(switches))
        if kind == "witness-lost":  # failed, or behind a switch outside the main side
            return self.node(next(i for i in self.gates[name].inputs if self.holds(i)))
        if kind == "storage-down":
            return self._storage_down(rest)
        if kind == "copies-lost":  # a failure domain of storage whose copies go over domains lost a host
            storage, domain = rest.split("@", 1)
            lost = [self.node(i) for i in self.gates[name].inputs if self.holds(i)]
            return Node("copies-lost", domain, {"storage": storage}, tuple(lost))
        if name == "cluster-down":
            # Its votes (with no-quorum-policy=ignore, `cluster-votes`, and a split: live hosts cut off).
            gate = self.gates[name] if self.gates[name].kind == "atleast" else self.gates["cluster-votes"]
            lost = [self.node(i) for i in gate.inputs if self.holds(i)]
            notes = self.model.notes.get(name, {})
            restarts = self.phase == "after-restart" and self.model.restarts is not None and self.model.restarts.enabled
            return Node("quorum-lost", "cluster", {"up": len(gate.inputs) - len(lost), "total": len(gate.inputs),
                                                   "stops": notes.get("stops", False),
                                                   "freeze": notes.get("freeze", False), "restarts": restarts,
                                                   "split": notes.get("split", False)},
                        tuple(lost))
        if kind == "unfenced":
            levels = [i for i in self.gates[name].inputs if i.startswith("level-down:")]
            return Node("unfenced", rest, {"levels": len(levels)}, tuple(self.node(level) for level in levels))
        if kind == "level-down":
            level, host = rest.split("@", 1)
            why = [self.node(i) for i in self.gates[name].inputs if self.holds(i)]
            return Node("level-down", level, {"host": host}, tuple(why))
        if name == "migration-blocked":
            servers = [i for i in self.gates[name].inputs if self.holds(i)]
            why = [self.node(i) for s in servers for i in self.gates[s].inputs if self.holds(i)]
            return Node("migration-blocked", "", {"servers": [s.split(":", 1)[1] for s in servers]},
                        tuple(_distinct(why)))
        raise ValueError(f"no explanation for {name}")

    def _storage_down(self, storage: str) -> Node:
        """Storage down: failed as a whole (its leaf), out of the main side's reach (the switch it sits
        behind), or more of its hosts or failure domains lost than it tolerates, or its monitors without a
        majority."""
        if self.holds(f"storage:{storage}"):
            return self.node(f"storage:{storage}")
        notes = self.model.notes.get(f"storage-down:{storage}", {})
        facts: dict[str, Any] = {"tolerates": notes.get("tolerates"), "storage": notes.get("kind"), "lost": 0,
                                 "total": 0, "unit": "hosts"}
        reach = [i for i in self.gates[f"storage-down:{storage}"].inputs
                 if i.startswith(("switch:", "unreachable:")) and self.holds(i)]
        if reach:
            return Node("storage-down", storage, {**facts, "unreachable": reach[0].split(":", 1)[1]},
                        (self.node(reach[0]),))
        children: list[Node] = []
        for spread, unit in ((f"storage-hosts:{storage}", "hosts"), (f"storage-domains:{storage}", "failure domains")):
            if self.holds(spread):
                lost = [self.node(i) for i in self.gates[spread].inputs if self.holds(i)]
                facts |= {"lost": len(lost), "total": len(self.gates[spread].inputs), "unit": unit}
                children += lost
        monitors = self.gates.get(f"storage-monitors:{storage}")
        if monitors is not None and self.holds(monitors.name):
            lost = [self.node(i) for i in monitors.inputs if self.holds(i)]
            children.append(Node("monitors-lost", storage, {"up": len(monitors.inputs) - len(lost),
                                                            "total": len(monitors.inputs)}, tuple(lost)))
        return Node("storage-down", storage, facts, tuple(children))

    def _cut(self, name: str) -> list[Node]:
        """The failed switches that hold a cut-off gate: its own inputs, or those of its first term that
        holds (a split can come about in several ways)."""
        gate = self.gates[name]
        if gate.inputs and gate.inputs[0].startswith("split:"):
            gate = self.gates[next(term for term in gate.inputs if self.holds(term))]
        return [self.node(i) for i in gate.inputs]

    def _vm(self, vm: str) -> Node:
        down = self.placement.down.get(vm)
        if down is None:  # down by the gates though the placement has it run (not reached: they agree)
            raise ValueError(f"{vm} is down by the gates but the placement runs it")
        failed = f"vm:{vm}" in down.causes
        children = [self.node(c) for c in down.causes if c != f"vm:{vm}"]
        if down.blockers:
            blockers = [self.node(b) if b in self.gates else Node(b, vm, {"host": down.host}) for b in down.blockers]
            children.append(Node("no-restart", vm, {"move": down.move}, tuple(blockers)))
        return Node(VM, vm, {"host": down.host, "failed": failed}, tuple(children))

    # ---- the scenario's root causes ------------------------------------------------------------------

    def effects(self) -> list[Node]:
        """What the failed parts did to the platform in this phase, once each, in the order a person
        reads them: the cluster's quorum, hosts cut off, storage lost, hosts no fencing level fenced, VMs
        the restarts left down, and services that stay down after losing every member at once."""
        found: list[Node] = [Node("offline", host) for host in sorted(self.model.offline)]
        if self.holds("cluster-down"):
            found.append(self.node("cluster-down"))
        # hosts cut off, and (where the cluster counts votes and keeps quorum) the votes the others keep
        votes = self.gates.get("cluster-votes") or self.gates.get("cluster-down")
        kept = {} if votes is None or self.holds("cluster-down") else {
            "kept": {"up": sum(not self.holds(i) for i in votes.inputs), "total": len(votes.inputs)}}
        found += [self.node(f"isolated:{h}").reached("", **kept) for h in sorted(self.model.isolating)
                  if self.holds(f"isolated:{h}") and not self.holds(f"host:{h}")]
        found += [self.node(f"storage-down:{s}") for s in self.model.part_events
                  if self.model.part_events[s].startswith("storage:") and self.holds(f"storage-down:{s}")
                  and not self.holds(f"storage:{s}")]
        down = self.placement.down
        blocked = [vm for vm in self.model.vms if vm in down and down[vm].blockers]
        fences = dict.fromkeys(b for vm in blocked for b in self.placement.down[vm].blockers
                               if b.startswith("unfenced:"))
        found += [self.node(b) for b in fences]
        for word in ("local-disk", "no-room", "siblings"):
            vms = [vm for vm in blocked if word in self.placement.down[vm].blockers]
            if vms:
                found.append(Node(word, ", ".join(vms), {"vms": vms}))
        found += [self._latched(sid) for sid in self.model.services
                  if self.holds(f"latched:{sid}") and not self.holds(f"service:{sid}")]
        return found

    def _latched(self, sid: str) -> Node:
        still = [self.node(g) for g in self._member_gates(sid) if self.holds(g)]
        return Node("latched", sid, {"down": [n.name for n in still]}, tuple(still))



def _distinct(nodes: list[Node]) -> list[Node]:
    """Each node once (by kind, name and link), in order."""
    seen: dict[tuple[str, str, str], Node] = {}
    for node in nodes:
        seen.setdefault((node.kind, node.name, node.link), node)
    return list(seen.values())
