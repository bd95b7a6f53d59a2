"""An architecture compiled once into its failure model (`generator.analysis.gates`): the gates of the
management cluster's own parts, of each VM, service and operation, the gates each phase adds, the data
of the restart procedure, and the notes the phrase table needs to say each gate in words.

Every behaviour the analysis knows is written here, once, as gates over the design's parts: what stops
a VM, what a service's HA model needs of its members, which restarts wait for fencing, what stays down
after a total loss, what impairs a service that still works. The engine, the rules, the pages, the
exports and the explorer's script evaluate these gates; none of them repeats a rule.
"""

from __future__ import annotations

import dataclasses

from generator.analysis import partitions
from generator.analysis.gates import TRUE, FailureModel, Gate, GateKind, Needs, Restarts
from generator.analysis.placement import PRIORITIES, demands, restart_priority
from generator.catalog import Catalog, QuorumPolicy, majority
from generator.model.architecture import ALWAYS_POWERED, HOST_POWERED, Architecture


def compile_model(arch: Architecture, facts: Catalog) -> FailureModel:
    """The failure model of a validated architecture (with the catalog as it holds for its settings)."""
    facts = facts.for_architecture(arch)
    networking = arch.openstack.networking
    deployed = list(dict.fromkeys(s for vm in arch.vms for s in vm.service_ids if s in facts.services))
    order = _dependency_order(facts, deployed)
    deployed_set = set(order)

    def present(sid: str) -> bool:
        """Whether a needed service counts: deployed, or not one that may run outside the cluster."""
        return sid in deployed_set or not facts.services[sid].external

    platform = _platform_gates(arch, facts)
    gates: dict[str, Gate] = dict(platform.gates)
    notes = dict(platform.notes)

    def missing(sid: str) -> str:
        """The gate of a service the design needs and does not deploy: always down."""
        gates.setdefault(f"missing:{sid}", Gate(f"missing:{sid}", "or", (TRUE,)))
        return f"missing:{sid}"

    for vm in arch.vms:
        inputs = [f"host:{vm.host}", f"vm:{vm.name}"]
        if vm.host in platform.isolating:
            inputs.append(f"isolated:{vm.host}")
        if vm.name in platform.vm_storage:
            inputs.append(f"storage-down:{platform.vm_storage[vm.name]}")
        if platform.cluster_stops_vms:
            inputs.append("cluster-down")
        gates[f"vm-down:{vm.name}"] = Gate(f"vm-down:{vm.name}", "or", tuple(inputs))
    members: dict[str, tuple[str, ...]] = {}
    for sid in order:
        service = facts.services[sid]
        members[sid] = tuple(vm.name for vm in arch.vms if sid in vm.service_ids)
        no_member = Gate(f"no-member:{sid}", "and", tuple(f"vm-down:{vm}" for vm in members[sid]))
        gates[no_member.name] = no_member
        inputs = [f"service:{sid}", no_member.name]
        if service.ha_model == "quorum":
            votes = [f"vm-down:{vm}" for vm in members[sid]]
            arbitrator = service.arbitrator
            for vm in arch.vms:
                if arbitrator is not None and arbitrator in vm.service_ids:
                    # An arbitrator's vote is lost with its VM or with the arbitrator service as a whole.
                    vote = Gate(f"vote:{arbitrator}@{vm.name}", "or", (f"vm-down:{vm.name}", f"service:{arbitrator}"))
                    gates[vote.name] = vote
                    votes.append(vote.name)
            lost = len(votes) - majority(len(votes)) + 1
            quorum = Gate(f"quorum:{sid}", "atleast", tuple(votes), (1,) * len(votes), lost)
            gates[quorum.name] = quorum
            inputs.append(quorum.name)
        loss = service.total_loss
        if loss is not None and loss.recovery == "manual":
            # Every member lost at once right after the failure (`before:`), and it does not come back by
            # itself: never (a bootstrap by hand), or (Galera's pc.recovery) not until every member runs.
            again = [f"vm-down:{vm}" for vm in members[sid]] if loss.automatic_when_all_return else []
            latched = [f"before:no-member:{sid}"]
            if again:
                gates[f"latched-until:{sid}"] = Gate(f"latched-until:{sid}", "or", tuple(again))
                latched.append(f"latched-until:{sid}")
            gates[f"latched:{sid}"] = Gate(f"latched:{sid}", "and", tuple(latched))
            inputs.append(f"latched:{sid}")
        gates[f"own:{sid}"] = Gate(f"own:{sid}", "or", tuple(inputs))
        notes[f"service:{sid}"] = _service_notes(facts, sid, members[sid])

        def down(dep: str, over_rpc: bool = False, service=service) -> str:
            if dep not in deployed_set:
                return missing(dep)
            # A caller over RPC reaches the service's workers, not its API's front (load balancer, tokens).
            return f"backend-down:{dep}" if over_rpc and facts.services[dep].front else f"service-down:{dep}"

        requires = [down(dep, dep in service.rpc) for dep in service.requires if present(dep)]
        gates[f"service-down:{sid}"] = Gate(f"service-down:{sid}", "or", (f"own:{sid}", *requires))
        if service.front:
            backend = [down(dep, dep in service.rpc) for dep in service.requires
                       if dep not in service.front and present(dep)]
            gates[f"backend-down:{sid}"] = Gate(f"backend-down:{sid}", "or", (f"own:{sid}", *backend))
    operations: dict[str, str] = {}
    needs: dict[str, Needs] = {}
    for oid, operation in facts.operations.items():
        prefix = "own:" if operation.plane == "data" else "service-down:"
        need = operation.needs(networking)

        def gate_of(sid: str, prefix: str = prefix) -> str:
            return f"{prefix}{sid}" if sid in deployed_set else missing(sid)

        requires = [gate_of(sid) for sid in need.requires if present(sid)]
        groups = [tuple(gate_of(sid) for sid in group) for group in need.requires_any]
        inputs = list(requires)
        for index, group in enumerate(groups):
            # Down when every alternative is (an alternative the design does not deploy is down).
            inputs += _any_down(gates, f"any-down:{oid}:{index}", list(group))
        gates[f"op:{oid}"] = Gate(f"op:{oid}", "or", tuple(dict.fromkeys(inputs)))
        operations[oid] = f"op:{oid}"
        needs[oid] = Needs(operation.plane, tuple(dict.fromkeys(requires)), tuple(groups),
                           tuple(gate_of(sid) for sid in need.uses if sid in deployed_set))
        if lasts := {sid: {"seconds": b.seconds, "what": b.what, "bound": b.bound, "estimate": b.estimate}
                     for sid, b in operation.lasts.items() if sid in deployed_set}:
            notes[f"operation:{oid}"] = {"lasts": lasts}
    # An offline host (an as-built file's) has already failed: every gate reads its `offline:` gate, always
    # down, instead of its event, and it is no part that can fail again.
    offline = frozenset(h.name for h in arch.hosts if h.state == "offline")
    if offline:
        gone = {f"host:{h}": f"offline:{h}" for h in sorted(offline)}
        gates = {**{name: Gate(name, "or", (TRUE,)) for name in gone.values()},
                 **{name: dataclasses.replace(g, inputs=tuple(gone.get(i, i) for i in g.inputs))
                    for name, g in gates.items()}}
    hosts = tuple(h.name for h in arch.hosts if h.name not in offline)
    model = FailureModel(
        arch.id, hosts, (*hosts, *platform.part_events), {h: f"host:{h}" for h in hosts} | platform.part_events,
        tuple(vm.name for vm in arch.vms), tuple(order), {vm.name: vm.host for vm in arch.vms}, gates, operations,
        platform.vm_storage, platform.isolating, platform.cluster_stops_vms, platform.spread_everywhere,
        needs=needs, members=members, restart_events=platform.restart_events,
        restarts=_restarts(arch, facts, "cluster-down" in gates),
        host_domain={host.name: host.failure_domain for host in arch.hosts}, notes=notes, offline=offline)
    return dataclasses.replace(model, phase_gates={
        phase: tuple(_phase_gates(model, facts, settled=phase == "after-restart").values())
        for phase in ("immediate", "after-restart")})


def _service_notes(facts: Catalog, sid: str, members: tuple[str, ...]) -> dict[str, object]:
    """What the phrase table needs to say a service's states: its catalog facts."""
    service = facts.services[sid]
    loss = service.total_loss
    return {"title": service.name, "model": service.ha_model, "writer": service.writer,
            "unit": "shard" if service.ha_model == "shards" else "instance",
            "failover": service.failover_seconds or 0, "stall": service.stall_seconds or 0,
            "reschedule": service.reschedule_seconds, "noun": service.resource or "resource",
            "partial": service.partial_loss, "copies": min(service.per_resource, len(members)),
            "recovery": service.recovery_seconds, "whole": loss.seconds if loss else None,
            "basis": loss.basis if loss else None,
            "self_recovers": bool(loss and loss.automatic_when_all_return), "uses": list(service.uses)}


def _restarts(arch: Architecture, facts: Catalog, quorum: bool) -> Restarts:
    platform = facts.platforms[arch.platform.hypervisor]
    response = arch.platform.isolation_response
    # vSphere's isolation response applies to a host that lost every switch; a host on the other side of a
    # split still reaches its isolation address and keeps its VMs (HA does not restart them: their locks hold)
    alone_too = (response in ("power-off", "shutdown") if arch.platform.hypervisor == "vsphere"
                 else platform.isolation.restarts)
    kinds = {store.name: store.kind for store in arch.storage}
    owned = frozenset(vm for vm, store in vm_storage(arch).items()
                      if store is not None and kinds[store] in platform.isolation.restarts_on)
    every = frozenset(vm.name for vm in arch.vms)
    return Restarts(
        enabled=arch.platform.ha != "none", anti_affinity=arch.platform.anti_affinity,
        capacity=arch.platform.capacity != "ignored", demands=demands(arch),
        priority={vm.name: PRIORITIES.index(restart_priority(vm)) for vm in arch.vms},
        local_disk=frozenset(vm for vm, store in vm_storage(arch).items() if store and kinds[store] == "local"),
        alone_restart=every if alone_too else owned,
        cut_off_restart=every if platform.isolation.restarts else owned, blocked_by="cluster-down" if quorum else None,
        fenced=arch.platform.ha == "pacemaker",
        restart_seconds=arch.platform.restart_seconds or platform.restart_seconds,
        boot_seconds=platform.boot_seconds, standby=frozenset(h.name for h in arch.hosts if h.state == "standby"),
        isolation_seconds=platform.isolation.seconds + (platform.isolation.shutdown_seconds
                                                        if response == "shutdown" else 0))


def _phase_gates(model: FailureModel, facts: Catalog, settled: bool) -> dict[str, Gate]:
    """The gates a phase adds: when a working operation works less well (the engine's `degraded`), right
    after the failure, or `settled` (after the platform's restarts, minutes later: failovers, cache
    stalls and reschedules are over); and when a service lost members (`thinned:`).

    - `impaired-own:<service>`: its own members impair it, by HA model (one gate of IMPAIRMENTS each):
      a writer's first member lost (Galera moves writes), an active-passive or virtual-IP service's
      active member lost, a cache that lost shards, a scheduled service that lost every agent some
      resource lives on, or (with a standby) one whose active copies fail over;
    - `impaired:<service>`: it, a service it requires, or a service it uses is impaired, or one it
      uses is down;
    - `degraded:<operation>`: a service it requires is impaired, an alternative of its `requires_any`
      is down, or a service it uses is down or impaired (a data-plane operation reads the services'
      own members only).

    Down wins: an operation is degraded when this gate is up and its `op:` gate is not. Losing a spare
    is no degradation, so a quorum that keeps its majority, or an active-active service that keeps an
    instance, impairs nothing; it thins the service, which its own state says."""
    gates: dict[str, Gate] = {}
    deployed = set(model.services)

    def gate(name: str, kind: GateKind, inputs: list[str], weights: tuple[int, ...] = (), k: int = 1) -> str:
        gates[name] = Gate(name, kind, tuple(dict.fromkeys(inputs)), weights, k)
        return name

    for sid in model.services:
        service = facts.services[sid]
        members = [f"vm-down:{vm}" for vm in model.members[sid]]
        # One gate per way its members impair it (IMPAIRMENTS), so that a reason can name the one that holds.
        own: list[str] = []
        if service.ha_model == "quorum" and service.writer and not settled:
            own.append(gate(f"writer-lost:{sid}", "or", members[:1]))
        elif service.ha_model in ("active-passive", "vip") and not settled:
            own.append(gate(f"active-lost:{sid}", "or", members[:1]))
        elif service.ha_model == "shards" and not settled:
            own.append(gate(f"shard-lost:{sid}", "or", members))
        elif service.ha_model == "scheduled":
            copies = min(service.per_resource, len(members))
            if not (settled and service.reschedule_seconds is not None):
                own.append(gate(f"every-copy-lost:{sid}", "atleast", members, (1,) * len(members), copies))
            if service.failover_seconds and not settled:
                own.append(gate(f"copy-lost:{sid}", "or", members))
        gate(f"impaired-own:{sid}", "or", own)
        spread = [f"impaired:{dep}" for dep in service.requires if dep in deployed]
        spread += [name for dep in service.uses if dep in deployed
                   for name in (f"service-down:{dep}", f"impaired:{dep}")]
        gate(f"impaired:{sid}", "or", [f"impaired-own:{sid}", *spread])
        quorum = model.gates.get(f"quorum:{sid}")
        gate(f"thinned:{sid}", "or", list(quorum.inputs) if quorum else members)
    for oid, need in model.needs.items():
        data = need.plane == "data"
        sids = [name.split(":", 1)[1] for name in need.requires]
        inputs = [f"impaired-own:{sid}" if data else f"impaired:{sid}" for sid in sids if sid in deployed]
        for group in need.any_of:
            inputs += group  # some alternatives down: only the others' share works
        for name in need.uses:
            sid = name.split(":", 1)[1]
            inputs += [name, f"impaired-own:{sid}" if data else f"impaired:{sid}"]
        gate(f"degraded:{oid}", "or", inputs)
    return gates


def _any_down(gates: dict[str, Gate], name: str, alternatives: list[str]) -> list[str]:
    """The gates that say every alternative is down, added to `gates`. What all alternatives require
    alike (the agents' shared message queue) is factored out: and(or(a, c), or(b, c)) = or(c, and(a, b)),
    so cut sets and min cuts never multiply the large families of what they share."""
    inputs = {alt: gates[alt].inputs if alt in gates and alt.startswith("service-down:") else (alt,)
              for alt in alternatives}
    common = [g for g in inputs[alternatives[0]] if all(g in rest for rest in inputs.values())]
    rest = []
    for alt in alternatives:
        own = [g for g in inputs[alt] if g not in common]
        if len(own) == 1:
            rest.append(own[0])
        else:
            gates[f"{name}@{alt}"] = Gate(f"{name}@{alt}", "or", tuple(own))
            rest.append(f"{name}@{alt}")
    gates[name] = Gate(name, "and", tuple(rest))
    return [*common, name]


@dataclasses.dataclass
class _Platform:
    gates: dict[str, Gate]
    part_events: dict[str, str]  # the parts other than hosts
    restart_events: dict[str, str]  # fencing levels, management servers, failure domains' power
    vm_storage: dict[str, str]
    isolating: frozenset[str]
    cluster_stops_vms: bool
    spread_everywhere: tuple[str, ...]
    notes: dict[str, dict[str, object]]


def cluster_votes(arch: Architecture) -> tuple[int, bool]:
    """The management cluster's votes (hosts, and the witness when it has a vote), and whether the
    witness has one: Hyper-V's dynamic witness votes only when the number of nodes is even."""
    witness = arch.platform.witness is not None
    if witness and arch.platform.ha == "failover-cluster" and len(arch.hosts) % 2:
        witness = False
    return len(arch.hosts) + witness, witness


def cluster_has_quorum(arch: Architecture) -> bool:
    """Whether the platform has a cluster quorum that decides which hosts may run VMs (on Pacemaker with
    no-quorum-policy=ignore only where a split leaves a side without it)."""
    return arch.platform.ha in ("failover-cluster", "pacemaker")


def quorum_policy(arch: Architecture, facts: Catalog) -> QuorumPolicy | None:
    """What a partition without quorum does: Pacemaker's no-quorum-policy (`fence` is Pacemaker 2.1.9's name
    for suicide), a failover cluster's fixed behaviour, or None where there is no cluster quorum."""
    if not cluster_has_quorum(arch):
        return None
    platform = facts.platforms[arch.platform.hypervisor]
    if arch.platform.ha == "pacemaker":
        name = {"fence": "suicide", None: "stop"}.get(arch.platform.no_quorum_policy, arch.platform.no_quorum_policy)
        return platform.quorum_policies[name]
    loss = platform.quorum_loss
    return QuorumPolicy(stops_vms=loss.stops_vms, restarts=False, basis=loss.basis, sources=loss.sources)


def two_node(arch: Architecture) -> bool:
    """Corosync's two_node (one of two votes keeps quorum): as declared, or as pcs sets it, for a Pacemaker
    cluster of exactly two hosts and no qdevice."""
    if arch.platform.ha != "pacemaker":
        return False
    if arch.platform.two_node is not None:
        return arch.platform.two_node
    return len(arch.hosts) == 2 and arch.platform.witness is None


def network_of(arch: Architecture) -> partitions.Network:
    """The design's hosts and switches as a network: declared uplinks as links (either side may declare
    one), or, with none declared, every switch reaching every other."""
    attached: dict[str, list[str]] = {}
    for switch in arch.switches:
        for host in switch.hosts:
            attached.setdefault(host, []).append(switch.name)
    declared = [frozenset({s.name, other}) for s in arch.switches for other in s.uplinks]
    witness = arch.platform.witness
    return partitions.Network(
        tuple(h.name for h in arch.hosts), tuple(s.name for s in arch.switches),
        {host: tuple(names) for host, names in attached.items()}, frozenset(declared) if declared else None,
        witness.switch if witness is not None else None)


def vm_storage(arch: Architecture) -> dict[str, str | None]:
    """Each VM's storage: its own, or the design's one shared storage (local disks aside); None when
    none is declared."""
    shared = [s.name for s in arch.storage if s.kind != "local"]
    default = shared[0] if len(shared) == 1 else arch.storage[0].name if len(arch.storage) == 1 else None
    return {vm.name: vm.storage or default for vm in arch.vms}


def _platform_gates(arch: Architecture, facts: Catalog) -> _Platform:
    """The gates over the management cluster's own parts: isolation by switches, storage, quorum, and
    what restarts need (fencing, the management servers that live migration needs)."""
    gates: dict[str, Gate] = {}
    events: dict[str, str] = {}
    notes: dict[str, dict[str, object]] = {}
    host_names = [h.name for h in arch.hosts]
    switches_of: dict[str, list[str]] = {}
    for switch in arch.switches:
        events[switch.name] = f"switch:{switch.name}"
        for host in switch.hosts:
            switches_of.setdefault(host, []).append(switch.name)
    network = network_of(arch)
    cuts = None if network.meshed else partitions.cut_sets(network)

    def cut_off(name: str, target: str, alone: tuple[str, ...]) -> str:
        """A gate that holds once failed switches leave `target` outside the main side: with every switch
        reaching every other, once `alone` (its own switches) failed; else once any minimal set did."""
        sets = [alone] if cuts is None else [tuple(s for s in arch_switches if s in found) for found in cuts[target]]
        if len(sets) == 1:
            gates[name] = Gate(name, "and", tuple(f"switch:{s}" for s in sets[0]))
        else:
            terms = []
            for i, switches in enumerate(sets, 1):
                term = Gate(f"split:{target}#{i}", "and", tuple(f"switch:{s}" for s in switches))
                gates[term.name] = term
                terms.append(term.name)
            gates[name] = Gate(name, "or", tuple(terms))
        return name

    arch_switches = [s.name for s in arch.switches]
    lost: dict[str, str] = {}  # host -> the gate or event that says it is gone for the others
    for host in host_names:
        if host in switches_of:
            isolated = cut_off(f"isolated:{host}", host, tuple(switches_of[host]))
            if cuts is not None:  # a host whose own switches all failed, as against one on the other side
                gates[f"alone:{host}"] = Gate(f"alone:{host}", "and", tuple(f"switch:{s}" for s in switches_of[host]))
            gates[f"host-lost:{host}"] = Gate(f"host-lost:{host}", "or", (f"host:{host}", isolated))
            lost[host] = f"host-lost:{host}"
        else:
            lost[host] = f"host:{host}"

    def reach(switch: str) -> str:
        """What says a switch is out of the main side's reach: its failure, or a split that leaves it outside."""
        if cuts is None:
            return f"switch:{switch}"
        name = f"unreachable:{switch}"
        return name if name in gates else cut_off(name, f"switch:{switch}", (switch,))
    kinds = {}
    domain_of = {host.name: host.failure_domain for host in arch.hosts}
    for store in arch.storage:
        kinds[store.name] = store.kind
        if store.kind == "local":
            continue
        events[store.name] = f"storage:{store.name}"
        inputs = [f"storage:{store.name}", *([reach(store.switch)] if store.switch else [])]
        tolerated = store.copies_tolerated
        members = store.hosts or host_names
        notes[f"storage-down:{store.name}"] = {"kind": store.kind, "tolerates": tolerated}
        if store.kind in ("vsan", "ceph"):
            if store.replicas_over == "failure_domain":
                # A copy of every object in each failure domain, on any of its hosts: a domain counts as lost
                # (for some placement group, some object) once any of its hosts is.
                units = []
                for domain in dict.fromkeys(domain_of[h] for h in members):
                    unit = Gate(f"copies-lost:{store.name}@{domain}", "or",
                                tuple(lost[h] for h in members if domain_of[h] == domain))
                    gates[unit.name] = unit
                    units.append(unit.name)
                spread_name = f"storage-domains:{store.name}"
            else:
                units, spread_name = [lost[h] for h in members], f"storage-hosts:{store.name}"
            if tolerated < len(units):
                gates[spread_name] = Gate(spread_name, "atleast", tuple(units), (1,) * len(units), tolerated + 1)
                inputs.append(spread_name)
            if store.monitors:
                # The monitors' majority: without it no client gets a map or a ticket, and I/O stops.
                count = len(store.monitors)
                monitors = Gate(f"storage-monitors:{store.name}", "atleast", tuple(lost[h] for h in store.monitors),
                                (1,) * count, count - majority(count) + 1)
                gates[monitors.name] = monitors
                inputs.append(monitors.name)
        gates[f"storage-down:{store.name}"] = Gate(f"storage-down:{store.name}", "or", tuple(inputs))
    stored = {vm: name for vm, name in vm_storage(arch).items() if name is not None and kinds[name] != "local"}
    stops = False
    if arch.platform.witness is not None:
        events[arch.platform.witness.name] = f"witness:{arch.platform.witness.name}"
    policy = quorum_policy(arch, facts)
    if policy is not None:
        total, witness_votes = cluster_votes(arch)
        votes = [lost[h] for h in host_names]
        witness = arch.platform.witness
        if witness is not None and witness_votes:
            if witness.switch is None:
                votes.append(f"witness:{witness.name}")
            else:  # its vote goes to the side of the switch it sits behind
                gates[f"witness-lost:{witness.name}"] = Gate(f"witness-lost:{witness.name}", "or",
                                                             (f"witness:{witness.name}", reach(witness.switch)))
                votes.append(f"witness-lost:{witness.name}")
        # With two_node one node of two keeps quorum (wait_for_all decides only a node booting alone).
        k = total if two_node(arch) and total == 2 else total - majority(total) + 1
        if policy.on_split == "worse-side":
            # no-quorum-policy=ignore: the survivors of dead nodes carry on; only where a split leaves live
            # hosts on both sides does the side without a majority lose its VMs (the sides race to fence).
            gates["cluster-votes"] = Gate("cluster-votes", "atleast", tuple(votes), (1,) * len(votes), k)
            sides = [f"isolated:{h}" for h in host_names if h in switches_of]
            if sides:
                gates["cluster-split"] = Gate("cluster-split", "or", tuple(sides))
                gates["cluster-down"] = Gate("cluster-down", "and", ("cluster-votes", "cluster-split"))
            stops = bool(sides)
        else:
            gates["cluster-down"] = Gate("cluster-down", "atleast", tuple(votes), (1,) * len(votes), k)
            stops = policy.stops_vms
        notes["cluster-down"] = {"stops": stops, "freeze": not policy.stops_vms and not policy.restarts,
                                 "split": policy.on_split is not None}
    restart_events = {domain: f"power:{domain}" for domain in arch.failure_domains}
    if arch.platform.ha == "pacemaker":
        levels = arch.platform.fencing or []
        for level in levels:
            restart_events[level.name] = f"fencing:{level.name}"
        for host in host_names:
            # A fencing level fails to fence a host when it failed, the switch it is reached through did,
            # or its power went with the failure domain (a BMC with its host's, a PDU with its rack's).
            downs = []
            for level in levels:
                inputs = [f"fencing:{level.name}"]
                if level.switch is not None:  # it fences from the main side only if its switch is there
                    inputs.append(reach(level.switch))
                if level.kind != "sbd" and level.powered_by != ALWAYS_POWERED:
                    domain = domain_of[host] if level.powered_by in HOST_POWERED else level.powered_by
                    if domain is not None:
                        inputs.append(f"power:{domain}")
                gates[f"level-down:{level.name}@{host}"] = Gate(f"level-down:{level.name}@{host}", "or",
                                                                tuple(inputs))
                downs.append(f"level-down:{level.name}@{host}")
            # No fencing level at all: Pacemaker never fences it.
            gates[f"unfenced:{host}"] = Gate(f"unfenced:{host}", "and", tuple(downs)) if downs else Gate(
                f"unfenced:{host}", "or", (TRUE,))
    if facts.platforms[arch.platform.hypervisor].management.blocks_maintenance and arch.management:
        vm_host = {vm.name: vm.host for vm in arch.vms}
        servers = []
        for server in arch.management:
            restart_events[server.name] = f"management:{server.name}"
            inputs = [f"management:{server.name}"]
            if server.vm is not None:
                inputs += [f"vm:{server.vm}", f"host:{vm_host[server.vm]}"]
            gates[f"management-down:{server.name}"] = Gate(f"management-down:{server.name}", "or", tuple(inputs))
            servers.append(f"management-down:{server.name}")
        gates["migration-blocked"] = Gate("migration-blocked", "or", tuple(servers))
    else:
        restart_events |= {server.name: f"management:{server.name}" for server in arch.management}
    storage_of = vm_storage(arch)
    kinds = {store.name: store.kind for store in arch.storage}
    paused_on = facts.platforms[arch.platform.hypervisor].isolation.paused_on
    for host, names in switches_of.items():
        paused = [vm.name for vm in arch.vms if vm.host == host and storage_of[vm.name] is not None
                  and kinds[storage_of[vm.name]] in paused_on]
        notes[f"isolated:{host}"] = {"switches": names, "paused": paused}
    # Storage spread over every host and taken down by nothing else than a number of them (min cuts treat it
    # apart, see cut_sets.MinCuts.of).
    everywhere = tuple(name[len("storage-hosts:"):] for name, gate in gates.items()
                       if name.startswith("storage-hosts:") and len(gate.inputs) == len(host_names)
                       and f"storage-monitors:{name[len('storage-hosts:'):]}" not in gates)
    return _Platform(gates, events, restart_events, stored, frozenset(switches_of), stops, everywhere, notes)


def _dependency_order(facts: Catalog, deployed: list[str]) -> list[str]:
    """Deployed services, each after the services it requires or uses (the catalog has no cycle)."""
    order: list[str] = []

    def visit(sid: str) -> None:
        if sid in order or sid not in deployed:
            return
        for dep in (*facts.services[sid].requires, *facts.services[sid].uses):
            visit(dep)
        order.append(sid)

    for sid in deployed:
        visit(sid)
    return order
