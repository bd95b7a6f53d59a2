"""A Pacemaker cluster read from its CIB (`pcs cluster cib`, `cibadmin --query`) or from crm_mon's XML
(`crm_mon --output-as=xml`).

A VM is every primitive of type VirtualDomain, whatever its class and provider, at top level or in a
group or clone. From a CIB: the nodes and their state (the status section: a member node is online; the
`standby` attribute), where each VM runs now (its last operation on each node), utilization (`cpu` as
CPUs; `hv_memory` in MiB, or `memory` taken as GiB, as refarch's pcs export writes it), anti-affinity
(utilization slots or -INFINITY colocations: mandatory; finite negative colocations: preferred), the
fencing devices and topology (levels collapsed by index across nodes), `no-quorum-policy` and
`stonith-enabled`. crm_mon's XML carries the nodes, the placement, the policy and the fencing devices,
but no utilization, colocations or levels: those are recorded as not in the source.

Sources: Pacemaker Explained (nodes, utilization, colocation, fencing topology, cluster options),
https://clusterlabs.org/projects/pacemaker/doc/2.1/Pacemaker_Explained/html/ .
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from xml.etree.ElementTree import Element

from generator.imports import Built, BuiltHost, BuiltLevel, BuiltVM, SourceError, slug, vm_name
from generator.imports.safexml import parse

# Fence agents by the kind of fencing level refarch models (fence-agents' names, Pacemaker's watchdog).
AGENT_KINDS = {"fence_ipmilan": "ipmi", "fence_idrac": "ipmi", "fence_ilo": "ipmi", "fence_ilo3": "ipmi",
               "fence_ilo4": "ipmi", "fence_ilo5": "ipmi", "fence_imm": "ipmi", "fence_redfish": "redfish",
               "fence_sbd": "sbd", "fence_watchdog": "sbd", "fence_apc": "pdu", "fence_apc_snmp": "pdu",
               "fence_raritan": "pdu", "fence_eaton_snmp": "pdu", "fence_cdu": "pdu"}
RUNNING_OPS = ("start", "migrate_from", "promote")
TRUE_WORDS = ("true", "on", "yes", "1", "y")


def read(raw: bytes, file: str) -> Built:
    root = parse(raw, file)
    if root.tag == "cib":
        return _from_cib(root, file)
    if root.tag in ("pacemaker-result", "crm_mon"):
        return _from_crm_mon(root, file)
    raise SourceError(file, f"<{root.tag}>", "neither a CIB (<cib>) nor crm_mon's XML (<pacemaker-result>)")


# ---- a CIB --------------------------------------------------------------------------------------------


def _from_cib(root: Element, file: str) -> Built:
    configuration = root.find("configuration")
    if configuration is None:
        raise SourceError(file, "<cib>", "no <configuration>: an empty CIB")
    nodes = configuration.findall("nodes/node")
    if not nodes:
        raise SourceError(file, "<configuration><nodes>", "no node: an empty CIB")
    built = Built("pacemaker", file, root.get("cib-last-written"), "kvm", "pacemaker", [], [])
    properties = _properties(configuration)
    built.no_quorum_policy = properties.get("no-quorum-policy")
    status = root.find("status")
    states = {s.get("uname"): s for s in status.findall("node_state")} if status is not None else {}
    if status is None:
        built.missing.append("node state and placement (the CIB has no status section)")
    ids: dict[str, str] = {}
    for node in nodes:
        uname = node.get("uname") or node.get("id") or ""
        host = BuiltHost(_name(uname, file, "<node>", built.hosts), f"node {uname}")
        ids[node.get("id", "")] = uname
        usage = _nvpairs(node.findall("utilization"))
        host.cpus, host.memory_gib = _usage(usage, host.notes, "node")
        if "standby" in _nvpairs(node.findall("instance_attributes")) and \
                _nvpairs(node.findall("instance_attributes"))["standby"].lower() in TRUE_WORDS:
            host.state = "standby"
        state = states.get(uname)
        if status is not None and (state is None or not _online(state)):
            host.state = "offline"
        elif state is not None and _transient_standby(state):
            host.state = "standby"
        built.hosts.append(host)
    resources = configuration.find("resources")
    primitives = list(_primitives(resources)) if resources is not None else []
    domains = [p for p in primitives if p.get("type") == "VirtualDomain"]
    devices = {p.get("id", ""): p.get("type", "") for p in primitives if p.get("class") == "stonith"}
    built.ignored = sorted(f"{p.get('id')} ({p.get('class')}:{p.get('type')})" for p in primitives
                           if p.get("type") != "VirtualDomain" and p.get("class") != "stonith")
    running = _running(states, {p.get("id", "") for p in domains}) if status is not None else {}
    locations = _preferred_nodes(configuration)
    host_names = {h.origin.removeprefix("node "): h.name for h in built.hosts}
    for primitive in domains:
        rid = primitive.get("id", "")
        usage = _nvpairs(primitive.findall("utilization"))
        vm = BuiltVM(_name(vm_name(rid), file, f"<primitive id=\"{rid}\">", built.vms, original=rid), "",
                     f"primitive {rid}")
        vm.vcpus, vm.memory_gib = _usage(usage, vm.notes, "VM")
        where = running.get(rid)
        if where is None:
            vm.running = False
            where = locations.get(rid)
            vm.notes.append("stopped: host is its preferred node" if where else "stopped, with no preferred node")
        if where is None or where not in host_names:
            where = built.hosts[0].origin.removeprefix("node ")
            vm.notes.append(f"placed on {host_names[where]} for want of another")
        vm.host = host_names[where]
        built.vms.append(vm)
    if not built.vms:
        raise SourceError(file, "<resources>", "no VirtualDomain primitive: no VM to import")
    built.anti_affinity, built.anti_affinity_origin = _anti_affinity(configuration, primitives)
    if properties.get("stonith-enabled", "true").lower() not in TRUE_WORDS:
        built.fencing = []
        built.notes.append("stonith-enabled=false: Pacemaker fences nothing")
    else:
        built.fencing = _levels(configuration, devices, ids, built)
    return built


def _properties(configuration: Element) -> dict[str, str]:
    return _nvpairs(configuration.findall("crm_config/cluster_property_set"))


def _nvpairs(holders: Iterable[Element]) -> dict[str, str]:
    return {pair.get("name", ""): pair.get("value", "") for holder in holders for pair in holder.iter("nvpair")}


def _primitives(element: Element) -> Iterator[Element]:
    for child in element:
        if child.tag == "primitive":
            yield child
        elif child.tag in ("group", "clone", "master", "bundle"):
            yield from _primitives(child)


def _online(state: Element) -> bool:
    """A node_state of a member node: in the membership and its controller up (Pacemaker writes "true"
    and "online", or since 2.1.7 timestamps, for both)."""
    in_ccm, crmd = state.get("in_ccm", "false"), state.get("crmd", "offline")
    return in_ccm not in ("false", "0") and crmd not in ("offline", "false", "0") and \
        state.get("join", "member") == "member"


def _transient_standby(state: Element) -> bool:
    return _nvpairs(state.findall("transient_attributes")).get("standby", "").lower() in TRUE_WORDS


def _running(states: dict[str, Element], resources: set[str]) -> dict[str, str]:
    """Where each resource runs: on an online node whose last operation on it (by call-id) started it or
    found it running."""
    found: dict[str, str] = {}
    for uname, state in sorted(states.items()):
        if not _online(state):
            continue
        for resource in state.iter("lrm_resource"):
            rid = resource.get("id", "")
            if rid not in resources:
                continue
            ops = [op for op in resource.findall("lrm_rsc_op") if op.get("call-id", "").lstrip("-").isdigit()]
            if not ops:
                continue
            last = max(ops, key=lambda op: int(op.get("call-id", "0")))
            code = last.get("rc-code", "")
            operation = last.get("operation", "")
            if (operation in RUNNING_OPS and code == "0") or (operation == "monitor" and code in ("0", "8")):
                found.setdefault(rid, uname)
    return found


def _preferred_nodes(configuration: Element) -> dict[str, str]:
    """Each resource's most preferred node by its location constraints (positive scores)."""
    best: dict[str, tuple[float, str]] = {}
    for location in configuration.iter("rsc_location"):
        rid, node, score = location.get("rsc"), location.get("node"), _score(location.get("score", "0"))
        if rid and node and score > 0 and (rid not in best or score > best[rid][0]):
            best[rid] = (score, node)
    return {rid: node for rid, (_, node) in best.items()}


def _score(text: str) -> float:
    text = text.strip().upper()
    if text in ("INFINITY", "+INFINITY"):
        return math.inf
    if text == "-INFINITY":
        return -math.inf
    try:
        return float(text)
    except ValueError:
        return 0.0


def _usage(usage: dict[str, str], notes: list[str], what: str) -> tuple[int | None, int | None]:
    cpus = _whole(usage.get("cpu"))
    memory = None
    if "hv_memory" in usage and _whole(usage["hv_memory"]) is not None:
        memory = max(1, math.ceil(_whole(usage["hv_memory"]) / 1024))  # MiB
    elif "memory" in usage and _whole(usage["memory"]) is not None:
        memory = _whole(usage["memory"])
        notes.append("utilization memory taken as GiB")
    if cpus is None or memory is None:
        notes.append(f"not in the source: {'cpus' if what == 'node' else 'vcpus'}" if cpus is None else
                     "not in the source: memory_gib")
    return cpus, memory


def _whole(text: str | None) -> int | None:
    return int(text) if text is not None and text.strip().isdigit() and int(text) > 0 else None


def _anti_affinity(configuration: Element, primitives: list[Element]) -> tuple[str | None, str]:
    scores = [_score(c.get("score", "0")) for c in configuration.iter("rsc_colocation")]
    # a utilization attribute beyond CPU and memory on the VMs: a slot each node offers once per group
    slots = [p for p in primitives if p.get("type") == "VirtualDomain"
             and set(_nvpairs(p.findall("utilization"))) - {"cpu", "hv_memory", "memory"}]
    if slots or any(score == -math.inf for score in scores):
        return "mandatory", "utilization slots" if slots else "-INFINITY colocations"
    if any(score < 0 for score in scores):
        return "preferred", "negative colocations"
    return None, ""


def _levels(configuration: Element, devices: dict[str, str], ids: dict[str, str], built: Built) -> list[BuiltLevel]:
    """The fencing topology's levels, collapsed by index across nodes; without a topology, one level per
    kind of device."""
    by_index: dict[int, dict[str, set[str]]] = {}
    for level in configuration.iter("fencing-level"):
        index = int(level.get("index", "0")) if level.get("index", "").isdigit() else 0
        target = ids.get(level.get("target", ""), level.get("target", ""))
        kinds = {AGENT_KINDS.get(devices.get(device.strip(), ""), slug(devices.get(device.strip(), "")) or "fence")
                 for device in level.get("devices", "").split(",") if device.strip()}
        by_index.setdefault(index, {})[target] = kinds
    levels: list[BuiltLevel] = []
    if by_index:
        for index in sorted(by_index):
            kinds_by_node = by_index[index]
            kinds = sorted(set().union(*kinds_by_node.values()))
            origin = f"fencing-level index {index}"
            level = BuiltLevel(_unique(kinds[0], levels), kinds[0], origin)
            if len(kinds) > 1 or len({frozenset(k) for k in kinds_by_node.values()}) > 1:
                level.notes.append(f"nodes' devices differ at this index ({', '.join(kinds)}); {kinds[0]} kept")
            uncovered = sorted({h.origin.removeprefix("node ") for h in built.hosts} - set(kinds_by_node))
            if uncovered:
                level.notes.append(f"no level {index} for {', '.join(uncovered)}")
            levels.append(level)
    else:
        for kind in sorted({AGENT_KINDS.get(agent, slug(agent) or "fence") for agent in devices.values()}):
            levels.append(BuiltLevel(_unique(kind, levels), kind, "stonith devices (no fencing-topology)"))
    for level in levels:
        if level.kind != "sbd":
            level.notes.append("powered_by not in the source: host assumed (a BMC)")
    return levels


def _unique(name: str, levels: list[BuiltLevel]) -> str:
    taken = {level.name for level in levels}
    if name not in taken:
        return name
    return next(f"{name}-{i}" for i in range(2, len(levels) + 3) if f"{name}-{i}" not in taken)


def _name(text: str, file: str, where: str, existing: list, original: str | None = None) -> str:
    name = slug(text)
    if not name:
        raise SourceError(file, where, f"`{original or text}` gives no usable name")
    if any(item.name == name for item in existing):
        raise SourceError(file, where, f"two elements give the name `{name}`")
    return name


# ---- crm_mon's XML -------------------------------------------------------------------------------------


def _from_crm_mon(root: Element, file: str) -> Built:
    nodes = root.findall("nodes/node")
    if not nodes:
        raise SourceError(file, "<nodes>", "no node: an empty cluster")
    update = root.find("summary/last_update")
    built = Built("crm_mon", file, update.get("time") if update is not None else None, "kvm", "pacemaker", [], [])
    options = root.find("summary/cluster_options")
    if options is not None:
        built.no_quorum_policy = options.get("no-quorum-policy")
        if options.get("stonith-enabled", "true") not in TRUE_WORDS:
            built.fencing = []
    built.missing += ["utilization (CPUs, memory)", "anti-affinity (colocations)", "fencing levels"]
    for node in nodes:
        name = node.get("name", "")
        host = BuiltHost(_name(name, file, f"<node name=\"{name}\">", built.hosts), f"node {name}")
        if node.get("online") != "true":
            host.state = "offline"
        elif node.get("standby") == "true" or node.get("standby_onfail") == "true":
            host.state = "standby"
        built.hosts.append(host)
    by_name = {h.origin.removeprefix("node "): h.name for h in built.hosts}
    agents: set[str] = set()
    for resource in root.iter("resource"):
        rid, agent = resource.get("id", ""), resource.get("resource_agent", "")
        if agent.startswith("stonith:"):
            agents.add(agent.removeprefix("stonith:"))
            continue
        if not agent.endswith(":VirtualDomain"):
            built.ignored.append(f"{rid} ({agent})")
            continue
        on = [n.get("name", "") for n in resource.findall("node")]
        vm = BuiltVM(_name(vm_name(rid), file, f"<resource id=\"{rid}\">", built.vms, original=rid), "",
                     f"resource {rid}", notes=["not in the source: vcpus, memory_gib"])
        if resource.get("active") == "true" and on:
            if on[0] not in by_name:
                raise SourceError(file, f"<resource id=\"{rid}\">", f"runs on `{on[0]}`, which is no node listed")
            vm.host = by_name[on[0]]
        else:
            vm.running = False
            vm.host = built.hosts[0].name
            vm.notes.append(f"stopped: placed on {vm.host} for want of another")
        built.vms.append(vm)
    if not built.vms:
        raise SourceError(file, "<resources>", "no VirtualDomain resource: no VM to import")
    if built.fencing is None:
        built.fencing = [BuiltLevel(kind, kind, "stonith resources (crm_mon has no levels)",
                                    ["powered_by not in the source: host assumed (a BMC)"] if kind != "sbd" else [])
                         for kind in sorted({AGENT_KINDS.get(a, slug(a) or "fence") for a in agents})]
    built.ignored.sort()
    return built
