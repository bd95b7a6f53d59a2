"""The words of an explanation: one phrase table keyed by node kind (for a service, by how it is down or
impaired), and the few rules that join phrases into a scenario's summary, an operation's short `why`,
its full reason and a VM's or service's reason.

The table is data: `PHRASES` holds templates whose `{fields}` are a node's name and facts. The what-if
explorer's script reads the same table from the page and joins `why` and `summary` by the same rules
(`generator/site/assets/whatif.js`), so for any selection its texts equal the command line's; the tests hold
them equal in Chromium.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from generator.analysis.engine import OperationState, PhaseImpact, ServiceState
from generator.analysis.explanation import SERVICE, VM, Cause, Node
from generator.analysis.gates import Phase
from generator.analysis.scenarios import Scenario
from generator.analysis.tolerance import OperationTolerance

WHY_LIMIT = 200  # characters of an operation's `why`
NAMES_LISTED = 3  # names a `why` lists per group before "and N more" (fewer when it would be too long)

PHRASES: dict[str, dict[str, str]] = {
    # What a root service's own state is, in a `why` ("galera (lost quorum)"), by how it is down or impaired.
    "predicate": {
        "failed": "down on every VM",
        "missing": "not deployed",
        "latched": "stays down after a total loss",
        "quorum": "lost quorum",
        "no-member": "no {unit} running",
        "writer-lost": "writes move to {next}, {failover} s",
        "active-lost": "fails over to {next}, {failover} s",
        "active-lost-vip": "VIP moves to {next}, {failover} s",
        "shard-lost": "lost {lost} of {total} shards",
        "every-copy-lost": "lost every agent some {noun}s live on",
        "copy-lost": "{noun}s fail over, {failover} s",
        "only": "{predicate}, so only {serving} {serve}",
    },
    # How an operation reaches its root services, in a `why`.
    "link": {"needs": "needs", "one of": "needs", "uses": "uses", "only": "partly needs"},
    # What made the root services so, in a `why`: failed parts by group ({names}), effects alone.
    "cause": {
        "failed": "{names} failed",
        "offline": "{names} offline",
        "maintenance": "{names} in maintenance",
        "isolated": "{names} cut off",
        "unfenced": "{names} not fenced",
        "local-disk": "{names} on local disk",
        "no-room": "no room for {names}",
        "siblings": "only hosts with a sibling for {names}",
        "quorum-lost": "the cluster lost quorum",
        "storage-down": "storage {name} lost {lost} of {total} {unit}",
        "storage-down-monitors": "storage {name} lost its monitors",
        "storage-down-unreachable": "storage {name} out of reach",
        "migration-blocked": "live migration blocked",
    },
    # A failed part as the subject of "failed".
    "subject": {
        "host": "{name}", "vm": "{name}", "service": "{name}", "witness": "witness {name}",
        "storage": "storage {name}", "switch": "switch {name}", "fencing": "fencing {name}",
        "management": "{name}", "domain": "{name}", "maintenance": "{name}",
    },
    # A scenario's summary: what failed, then what that did to the platform.
    "summary": {
        "nothing": "Nothing failed.",
        "failed": "{names} failed.",
        "maintenance": "{maintenance} in maintenance, then {names} failed.",
        "quorum-lost": "the cluster lost quorum ({up} of {total} votes up)",
        "quorum-lost-stops": "the cluster lost quorum ({up} of {total} votes up) and stops every VM it runs",
        "quorum-lost-restarts": "the cluster lost quorum ({up} of {total} votes up), so nothing restarts",
        "quorum-lost-stops-restarts": "the cluster lost quorum ({up} of {total} votes up): it stops every VM it "
                                      "runs and restarts nothing",
        "quorum-lost-split": "the cluster lost quorum ({up} of {total} votes up) while cut-off hosts run on: with "
                             "no-quorum-policy=ignore each side fences the other, and this side, without a majority, "
                             "is taken to lose its VMs",
        "offline-one": "host {names} is offline",
        "offline-many": "hosts {names} are offline",
        "isolated-one": "host {names} is cut off from the others",
        "isolated-many": "hosts {names} are cut off from the others",
        "isolated-kept": ", which keep quorum ({up} of {total} votes up)",
        "storage-down": "storage {name} lost {lost} of its {total} {unit} ({names}) and tolerates {tolerates}",
        "storage-down-monitors": "storage {name} lost its monitors' majority",
        "storage-down-unreachable": "storage {name} is out of reach (behind switch {unreachable})",
        "unfenced": "Pacemaker cannot fence {names}",
        "local-disk": "local disks keep {names} from restarting elsewhere",
        "no-room": "no host has room for {names}",
        "siblings": "every host with room runs a sibling of {names}",
        "latched": "service {name} stays down after losing every member at once",
        "vms-none": "every VM runs",
        "vms-one": "{down} of {total} VMs is down",
        "vms-many": "{down} of {total} VMs are down",
    },
    # Each node's own text (the `text` of `refarch impact --format json`'s explanations).
    "text": {
        "operation-down": "{name} stops",
        "operation-degraded": "{name} works less well",
        "failed": "{name} is down on every VM",
        "missing": "{name} is not deployed",
        "latched": "{name} lost every member at once and stays down",
        "quorum": "{name} lost quorum: {up} of {total} votes up",
        "no-member": "{name} has no {unit} running",
        "needs": "{name} needs {deps}",
        "writer-lost": "{name} moves writes from {first} to {next} in about {failover} s",
        "active-lost": "{name} fails over to {next} in about {failover} s",
        "active-lost-vip": "{name} moves the virtual IP to {next} in about {failover} s",
        "shard-lost": "{name} lost {lost} of {total} shards: {partial}",
        "every-copy-lost": "{name} lost {lost} of {total} agents, and each {noun} lives on {copies}: {partial}, "
                           "{until}",
        "copy-lost": "{name} lost {lost} of {total} agents: the {noun}s active there fail over to a standby copy "
                     "in about {failover} s",
        "thinned": "{name} runs {up} of {total} instances",
        "thinned-quorum": "{name} runs on {up} of {total} votes, still a majority",
        "shared": "{name} runs {first} and {second} both {where} {spot} now: one more {scope} failure would "
                  "take both",
        "vm": "{name} is down",
        "vm-failed": "{name} failed",
        "host": "{name} failed",
        "offline": "{name} is offline",
        "witness": "the witness {name} failed",
        "storage": "storage {name} failed",
        "switch": "switch {name} failed",
        "fencing": "fencing level {name} failed",
        "management": "{name} failed",
        "domain": "failure domain {name} failed",
        "maintenance": "{name} is in maintenance",
        "quorum-lost": "the cluster lost quorum: {up} of {total} votes up",
        "storage-down": "storage {name} ({storage}) lost {lost} of its {total} {unit} and tolerates {tolerates}",
        "storage-down-monitors": "storage {name} ({storage}) lost its monitors' majority",
        "storage-down-unreachable": "storage {name} ({storage}) is out of reach: it sits behind switch {unreachable}",
        "copies-lost": "failure domain {name} lost a host, and with it copies of {storage}",
        "monitors-lost": "the monitors of {name} lost their majority: {up} of {total} up",
        "isolated": "{name} is cut off: every switch it is connected through ({switches}) failed",
        "isolated-split": "{name} is on a side of the split that does not carry on: {switches} failed",
        "unreachable": "switch {name} is on a side of the split that does not carry on: {switches} failed",
        "unfenced": "Pacemaker cannot fence {name}",
        "level-down": "fencing level {name} cannot fence {host}",
        "latched-node": "{name} lost every member at once and stays down",
        "no-restart": "{name} cannot restart",
        "no-restart-migration": "{name} cannot leave {host} for maintenance",
        "local-disk": "its disk is local to {host}",
        "no-room": "no available host has the free CPU and memory for it",
        "siblings": "every available host with room already runs a VM of the same service (mandatory "
                    "anti-affinity)",
        "migration-blocked": "live migration needs {servers}, which {verb} down",
    },
}

LINK_ORDER = ("needs", "one of", "only", "uses")  # how a `why` orders the services an operation reaches
FAILED_PARTS = ("host", "vm", "service", "witness", "storage", "switch", "fencing", "management", "domain")


def fill(template: str, facts: Mapping[str, Any]) -> str:
    """A template with its `{fields}` from `facts` (the explorer's script fills the same way)."""
    out, rest = [], template
    while "{" in rest:
        head, _, tail = rest.partition("{")
        key, _, rest = tail.partition("}")
        out += [head, str(facts[key])]
    return "".join(out) + rest


def join_and(names: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    if not names:
        return ""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def join_listed(names: list[str], limit: int) -> str:
    """`join_and`, naming at most `limit` and counting the rest: `a, b and 3 more`."""
    if len(names) <= limit:
        return join_and(names)
    return ", ".join(names[:limit]) + f" and {len(names) - limit} more"


def _service_facts(node: Node) -> dict[str, Any]:
    notes = node.facts
    reschedule = notes.get("reschedule")
    noun = notes.get("noun", "resource")
    facts = {"name": node.name, "unit": notes.get("unit", "instance"), "failover": notes.get("failover", 0),
             "noun": noun, "copies": notes.get("copies", 1),
             "until": (f"until Neutron moves them to a live agent, about {reschedule} s" if reschedule is not None
                       else "until their agents return"), **node.facts}
    how = node.facts.get("how")
    facts["partial"] = notes.get("partial") or (
        "their part of the cache is gone" if how == "shard-lost" else f"the {noun}s that lived only there stop")
    return facts


def _service_key(node: Node) -> str:
    how = node.facts["how"]
    if how == "active-lost" and node.facts.get("model") == "vip":
        return "active-lost-vip"
    if how == "thinned" and node.facts.get("quorum"):
        return "thinned-quorum"
    return how


# ---- a node's own text ------------------------------------------------------------------------------------


def text(node: Node) -> str:
    """A node's own text: "galera lost quorum: 1 of 3 votes up", "kvm-01 failed", ..."""
    table = PHRASES["text"]
    if node.kind == "operation":
        return fill(table[f"operation-{node.facts['state']}"], {"name": node.name})
    if node.kind == SERVICE:
        facts = _service_facts(node)
        if node.facts["how"] == "needs":
            facts["deps"] = join_and([c.name for c in node.children if c.kind == SERVICE]) or "what is down"
        if node.facts["how"] == "shared":
            pair, scope = node.facts["pair"], node.facts["scope"]
            facts |= {"first": pair[0], "second": pair[1], "where": "on" if scope == "host" else "in"}
        return fill(table[_service_key(node)], facts)
    if node.kind == VM:
        return fill(table["vm-failed" if node.facts.get("failed") else "vm"], {"name": node.name})
    if node.kind == "latched":
        return fill(table["latched-node"], {"name": node.name})
    if node.kind in ("isolated", "unreachable"):
        key = "isolated" if node.kind == "isolated" and node.facts.get("alone", True) else (
            "isolated-split" if node.kind == "isolated" else "unreachable")
        return fill(table[key], {"name": node.name, "switches": join_and(node.facts["switches"])})
    if node.kind == "no-restart":
        key = "no-restart-migration" if node.facts.get("move") == "migration" else "no-restart"
        return fill(table[key], {"name": node.name, "host": node.facts.get("host", "")})
    if node.kind == "migration-blocked":
        servers = node.facts["servers"]
        return fill(table["migration-blocked"], {"servers": join_and(servers), "verb": "is" if len(servers) == 1
                                                 else "are"})
    return fill(table[_effect_key(node)], {"name": node.name, **node.facts})


def tree(node: Node) -> dict[str, Any]:
    """An explanation as JSON-ready data: every node's kind, name, text and children (a tree: a cause
    reached twice is repeated)."""
    return {"kind": node.kind, "name": node.name, "text": text(node),
            **({"link": node.link} if node.link else {}),
            "children": [tree(child) for child in node.children]}


def tree_lines(node: Node, depth: int = 0) -> list[str]:
    """An explanation as indented lines, for `refarch impact --explain`."""
    link = f"{node.link}: " if node.link and node.kind == SERVICE else ""
    lines = [f"{'  ' * depth}- {link}{text(node)}"]
    for child in node.children:
        lines += tree_lines(child, depth + 1)
    return lines


# ---- why: an operation's state in at most WHY_LIMIT characters ------------------------------------------


def predicate(node: Node) -> str:
    """A root service's own state, short: "lost quorum", "no instance running", ..."""
    facts = _service_facts(node)
    words = fill(PHRASES["predicate"][_service_key(node)], facts)
    if node.link == "only":
        serving = node.facts.get("serving", [])
        words = fill(PHRASES["predicate"]["only"], {"predicate": words, "serving": join_and(serving),
                                                      "serve": "serves" if len(serving) == 1 else "serve"})
    return words


def causes(roots: Iterable[Node]) -> list[tuple[str, list[str], Node]]:
    """What made the roots so, in the order met: (group, subjects, first node) per group of failed parts
    or effect. A cause is the first part or effect on each path below a root: the VMs down, and what
    kept them from restarting, are walked through."""
    groups: dict[str, tuple[list[str], Node]] = {}

    def add(node: Node) -> None:
        if node.kind in FAILED_PARTS and not (node.kind == VM and not node.facts.get("failed")) and not (
                node.kind == SERVICE and node.facts.get("how") != "failed"):
            group, subject = "failed", fill(PHRASES["subject"][node.kind], {"name": node.name})
        elif node.kind in ("offline", "isolated", "unfenced", "maintenance"):
            group, subject = node.kind, node.name
        elif node.kind in ("local-disk", "no-room", "siblings"):
            group, subject = node.kind, node.name
        elif node.kind in ("quorum-lost", "migration-blocked"):
            group, subject = node.kind, ""
        elif node.kind == "storage-down":
            group, subject = f"storage-down:{node.name}", node.name
        else:
            for child in node.children:  # a VM, what kept it down, a service's total loss: walk through
                if child.kind != SERVICE or child.facts.get("how") == "failed":
                    add(child)
            return
        names, _ = groups.setdefault(group, ([], node))
        if subject and subject not in names:
            names.append(subject)

    for root in roots:
        for child in root.children:
            if child.kind != SERVICE or child.facts.get("how") == "failed":
                add(child)
    order = ["failed", "offline", "maintenance", "quorum-lost", "storage-down", "isolated", "unfenced", "local-disk",
             "no-room", "siblings", "migration-blocked"]
    ranked = sorted(groups.items(), key=lambda item: order.index(item[0].split(":", 1)[0]))
    return [(group, names, first) for group, (names, first) in ranked]


def why(op: OperationState) -> str:
    """An operation's state in short: what it needs that is down (or impaired), and what made it so,
    naming the root causes; "" when it works as it should. Within WHY_LIMIT characters: fewer names of
    services first, then fewer names of parts, then the last causes counted instead of named."""
    if op.explanation is None:
        return ""
    roots = [_as_reached(cause) for cause in op.root_causes]
    found = causes(roots)
    words = ""
    for kept in range(len(found), -1, -1):
        for cause_limit in (NAMES_LISTED, 2, 1):
            said = [_cause_words(group, names, first, cause_limit) for group, names, first in found[:kept]]
            if kept < len(found):
                said.append(f"{len(found) - kept} more")
            for limit in (NAMES_LISTED, 2, 1, 0):
                words = _needs(roots, limit) + (f": {'; '.join(said)}" if said else "")
                if len(words) <= WHY_LIMIT:
                    return words
    return words[:WHY_LIMIT - 1] + "…"


def _as_reached(cause: Cause) -> Node:
    """A root service as the operation reaches it: its first link (with the alternatives that still
    serve), or uses anywhere on the way."""
    link = "uses" if cause.uses else cause.links[0]
    serving = cause.first.facts.get("serving", []) if cause.first is not None and link == "only" else None
    return cause.node.reached(link, **({"serving": serving} if serving is not None else {}))


def _needs(roots: list[Node], limit: int) -> str:
    """The root services grouped by how the operation reaches them and their state: "needs keystone and
    haproxy (no instance running), galera (lost quorum)"."""
    groups: dict[tuple[str, str], list[str]] = {}
    for root in sorted(roots, key=lambda r: LINK_ORDER.index(r.link or "needs")):
        groups.setdefault((PHRASES["link"][root.link or "needs"], predicate(root)), []).append(root.name)
    parts, verb = [], ""
    for (link, words), names in groups.items():
        listed = join_listed(names, max(limit, 1)) if limit or len(names) == 1 else f"{len(names)} services"
        parts.append(f"{link + ' ' if link != verb else ''}{listed} ({words})")
        verb = link
    return ", ".join(parts)


def _cause_words(group: str, names: list[str], first: Node, limit: int) -> str:
    key = _effect_key(first) if group.startswith("storage-down:") else group.split(":", 1)[0]
    return fill(PHRASES["cause"][key], {"names": join_listed(names, limit), "name": first.name, **first.facts})


def _effect_key(node: Node) -> str:
    """A node's key in the phrase table: its kind, or for storage down out of reach or by its monitors
    alone, that."""
    if node.kind == "storage-down" and node.facts.get("unreachable"):
        return "storage-down-unreachable"
    return "storage-down-monitors" if node.kind == "storage-down" and not node.facts.get("lost") else node.kind


def consequence(node: Node) -> str:
    """A service's state and what made it so, short, as a rule says a single point of failure's
    consequence: "galera lost quorum: 0 of 3 votes up (storage ceph-mgmt lost 8 of 32 hosts)"."""
    said = "; ".join(_cause_words(group, names, first, NAMES_LISTED) for group, names, first in causes([node]))
    return text(node) + (f" ({said})" if said else "")


# ---- the scenario's summary ---------------------------------------------------------------------------


def summary(scenario: Scenario, phase: PhaseImpact) -> str:
    """The root causes of a scenario in one phase, in one or two sentences: what failed, then what that
    did to the platform and how many VMs are down."""
    table = PHRASES["summary"]
    failed = scenario.failed
    if scenario.maintenance:
        first = fill(table["maintenance"], {"maintenance": join_and(sorted(scenario.maintenance)),
                                            "names": join_and(failed) or "nothing"})
    else:
        first = fill(table["failed"], {"names": join_and(failed)}) if failed else table["nothing"]
    said = effect_words(phase.effects, phase.phase)
    down = sum(host is None for host in phase.where.values())
    total = len(phase.where)
    said.append(table["vms-none"] if not down else fill(table["vms-one" if down == 1 else "vms-many"],
                                                        {"down": down, "total": total}))
    second = "; ".join(said)
    return f"{first} {second[0].upper()}{second[1:]}."


def effect_words(effects: Iterable[Node], phase: Phase) -> list[str]:
    """What the failed parts did to the platform, one phrase per effect (hosts cut off together)."""
    table = PHRASES["summary"]
    said: list[str] = []
    cut_off = [node.name for node in effects if node.kind == "isolated"]
    offline = [node.name for node in effects if node.kind == "offline"]
    if offline:
        said.append(fill(table["offline-one" if len(offline) == 1 else "offline-many"], {"names": join_and(offline)}))
    for node in effects:
        if node.kind == "offline":
            continue
        if node.kind == "quorum-lost":
            restarts = phase == "after-restart" and node.facts.get("restarts")
            key = "quorum-lost-split" if node.facts.get("split") else (
                "quorum-lost" + ("-stops" if node.facts.get("stops") else "") + ("-restarts" if restarts else ""))
            said.append(fill(table[key], node.facts))
        elif node.kind == "isolated":
            if node.name == cut_off[0]:
                kept = node.facts.get("kept")
                said.append(fill(table["isolated-one" if len(cut_off) == 1 else "isolated-many"],
                                 {"names": join_and(cut_off)}) + (fill(table["isolated-kept"], kept) if kept else ""))
        elif node.kind in ("local-disk", "no-room", "siblings"):
            said.append(fill(table[node.kind], {"names": join_and(node.facts["vms"])}))
        elif node.kind == "unfenced":
            said.append(fill(table["unfenced"], {"names": node.name}))
        else:
            names = join_listed([c.name for c in node.children if c.kind != "monitors-lost"], NAMES_LISTED)
            said.append(fill(table[_effect_key(node)], {"name": node.name, "names": names, **node.facts}))
    return said


# ---- full sentences: an operation's reason, a VM's, a service's ---------------------------------------


def reason(op: OperationState) -> str | None:
    """Every root cause of an operation's state in one sentence, with every VM down and why: "needs
    keystone, which needs galera, which lost quorum: 1 of 3 votes up (db-01 failed; db-02 failed)"."""
    if not op.root_causes:
        return None
    groups: dict[tuple[str, str], list[Cause]] = {}
    for cause in op.root_causes:
        words = cause_phrase(cause.node)
        if cause.links[0] == "only" and cause.first is not None:  # an alternative down, others serving
            serving = cause.first.facts.get("serving", [])
            words += f", so only what {join_and(serving)} {'serves' if len(serving) == 1 else 'serve'} works"
        if cause.links == ("uses",) and cause.first is not None and (lasts := cause.first.facts.get("lasts")):
            words += lasting(lasts)
        groups.setdefault((words, _steps(cause)[0]), []).append(cause)
    parts = []
    for (words, verb), group in groups.items():
        if len(group) == 1:
            cause = group[0]
            chain, links = [*cause.via, cause.service], _steps(cause)
            sentence = f"{links[0]} {chain[0]}"
            for link, sid in zip(links[1:], chain[1:], strict=True):
                sentence += f", which {link} {sid}"
            parts.append(f"{sentence}, which {words}")
        else:
            names = [c.service if not c.via else f"{c.service} (through {', '.join(c.via)})" for c in group]
            parts.append(f"{verb} {join_and(names)}, which each {words}")
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + ", and " + parts[-1]


def lasting(lasts: dict) -> str:
    """How long an operation keeps working from what it holds, as the end of a reason: "; it works from
    BIND's copy of the zones for at most 24 h (86,400 s, the zones' SOA expire)"."""
    seconds = lasts["seconds"]
    span = f"{seconds // 3600} h" if seconds % 3600 == 0 else f"{seconds // 60} min" if seconds % 60 == 0 else (
        f"{seconds} s")
    estimate = ", an estimate" if lasts["estimate"] else ""
    return f"; it works from {lasts['what']} for at most {span} ({seconds:,} s, {lasts['bound']}{estimate})"


def _steps(cause: Cause) -> list[str]:
    return ["needs" if link in ("", "one of") else "uses" if link == "uses" else "needs" for link in cause.links]


def cause_phrase(node: Node) -> str:
    """A service's own state without its subject, with its VMs down: "lost quorum: 1 of 3 votes up
    (db-01 failed; db-02 was on kvm-02, which failed)"."""
    own = text(node)[len(node.name) + 1:]
    how = node.facts.get("how")
    if how == "latched":
        latched = next(c for c in node.children if c.kind == "latched")
        down = latched.facts["down"]
        still = f" while {join_and(down)} {'is' if len(down) == 1 else 'are'} down" if down else ""
        return f"lost every member at once and stays down{still}: {node.facts.get('basis')}"
    details = [vm_reason(child) for child in node.children if child.kind == VM]
    details += [f"the arbitrator {child.name} is down on every VM" for child in node.children
                if child.kind == SERVICE and child.facts.get("how") == "failed"]
    return f"{own} ({'; '.join(details)})" if details else own


def vm_reason(node: Node) -> str:
    """Why a VM does not serve, in a sentence: "db-01 was on kvm-01, which failed, and cannot restart: ..."."""
    host = node.facts.get("host")
    stops = [c for c in node.children if c.kind != "no-restart"]
    blocked = next((c for c in node.children if c.kind == "no-restart"), None)
    if node.facts.get("failed"):
        words = f"{node.name} failed"
    elif any(c.kind == "maintenance" for c in stops):
        words = f"{node.name} could not leave {host} for maintenance"
    elif any(c.kind == "host" for c in stops):
        words = f"{node.name} was on {host}, which failed"
    elif any(c.kind == "offline" for c in stops):
        words = f"{node.name} was on {host}, which is offline"
    elif blocked is not None and stops and stops[0].kind == "isolated":
        words = f"{node.name} was on {host}, which is cut off"
    else:
        words = f"{node.name} on {host} is down: " + "; ".join(_stop_words(c, node.name) for c in stops)
    if blocked is not None:
        reasons = "; ".join(_blocker_words(c, host) for c in blocked.children)
        if blocked.facts.get("move") == "migration":
            words += f": {reasons}"
        elif any(c.kind == "quorum-lost" for c in blocked.children):
            words += f", and nothing restarts: {reasons}"
        else:
            words += f", and cannot restart: {reasons}"
    return words


def _votes(node: Node) -> str:
    lost = [("the witness" if c.name == "witness" else f"the witness {c.name}") if c.kind == "witness" else c.name
            for c in node.children]
    return f"{node.facts['up']} of {node.facts['total']} votes up, {join_and(lost) or 'none'} lost"


def _stop_words(node: Node, vm: str) -> str:
    """A platform effect that stops a VM where it runs, in words."""
    if node.kind == "isolated":
        paused = vm in node.facts.get("paused", ())
        alone = node.facts.get("alone", True)
        words = (text(node) + f", so {vm} is "
                 + ("paused there (Paused-Critical, its disks on shared block storage) and unreachable" if paused
                    else "unreachable"))
        if vm in node.facts.get("stays", ()):
            words += ("; its isolation response (disabled) leaves it running there and vSphere HA does not "
                      "restart it" if alone else "; it keeps running there, where the isolation address is still "
                      "reached, and vSphere HA does not restart it while its datastore lock holds")
        return words
    if node.kind == "quorum-lost":
        if node.facts.get("split"):
            return (f"the cluster lost quorum ({_votes(node)}) while cut-off hosts run on, and with "
                    "no-quorum-policy=ignore this side is taken to lose the race to fence the other")
        return f"the cluster lost quorum ({_votes(node)}) and stops every VM it runs"
    return _storage_words(node)


def _storage_words(node: Node) -> str:
    if node.kind == "storage":
        return f"its storage {node.name} failed"
    said = []
    if node.facts.get("lost"):
        gone = [c.name for c in node.children if c.kind != "monitors-lost"]
        said.append(f"lost {node.facts['lost']} of its {node.facts['total']} {node.facts['unit']} ({join_and(gone)}) "
                    f"and tolerates {node.facts['tolerates']}")
    said += [f"lost its monitors' majority ({c.facts['up']} of {c.facts['total']} up)" for c in node.children
             if c.kind == "monitors-lost"]
    return f"its storage {node.name} ({node.facts['storage']}) {' and '.join(said)}"


def _blocker_words(node: Node, host: str | None) -> str:
    """What keeps a VM from moving, in words."""
    if node.kind == "quorum-lost":
        words = f"the cluster lost quorum ({_votes(node)})"
        return words + (" and no-quorum-policy=freeze restarts nothing" if node.facts.get("freeze") else "")
    if node.kind in ("storage", "storage-down"):
        return _storage_words(node)
    if node.kind == "unfenced":
        levels = [_level_words(c) for c in node.children]
        why = "; ".join(levels) if levels else "no fencing level is declared"
        return f"Pacemaker cannot fence {node.name} ({why}) and starts nothing of it elsewhere"
    if node.kind == "migration-blocked":
        return text(node)
    return fill(PHRASES["text"][node.kind], {"host": host or ""})


def _level_words(node: Node) -> str:
    """Why one fencing level could not fence a host: it failed, its switch did, or its power went."""
    words = []
    for why in node.children:
        if why.kind == "fencing":
            words.append("failed")
        elif why.kind == "switch":
            words.append(f"is reached through {why.name}, which failed")
        else:
            words.append(f"lost power ({why.name} failed)")
    return f"{node.name} {' and '.join(words)}"


def service_cause(state: ServiceState) -> str | None:
    """A service's state without its subject: "lost quorum: ...", "needs galera, which ..."."""
    node = state.explanation
    if node is None:
        return None
    if node.facts.get("how") == "needs":
        first = next((c for c in node.children if c.kind == SERVICE), None)
        if first is not None:
            return (f"{'uses' if first.link == 'uses' else 'needs'} {first.name}, which "
                    f"{service_cause(ServiceState('down', first))}")
    return cause_phrase(node)


def unavailable(tolerance: OperationTolerance) -> str | None:
    """Why an operation does not work even with nothing failed (it needs what the design lacks)."""
    return reason(tolerance.unavailable) if tolerance.unavailable is not None else None


def describe(scenario: Scenario) -> str:
    """A scenario in words: "esxi-01 in maintenance, then esxi-02 fails"."""
    parts = []
    if scenario.maintenance:
        parts.append(f"{join_and(sorted(scenario.maintenance))} in maintenance")
    failing = scenario.failed
    if failing:
        parts.append(f"{join_and(failing)} {'fail' if len(failing) > 1 else 'fails'}")
    return ", then ".join(parts) or "no failure"
