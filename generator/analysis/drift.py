"""Is the cloud we run still the one we designed? A design against its as-built file (`refarch import`):
per operation the tolerance, minimal cut sets, margin and unavailability of both, and the differences
that explain them: VMs on other hosts, siblings now sharing a host or failure domain, members missing
or extra, hosts in standby or offline, settings that differ. Pure: the caller checks both files;
`generator.render.drift` words the result.
"""

from __future__ import annotations

import dataclasses

from generator.analysis.engine import Engine, Scenario
from generator.analysis.tolerance import tolerance
from generator.catalog import Catalog
from generator.model.architecture import Architecture


@dataclasses.dataclass(frozen=True)
class Side:
    state: str  # with nothing failed: ok, degraded or down
    tolerates: int | None  # host failures it survives (None: it does not work at all)
    margin: int | None  # more failures of hosts or platform parts it survives, right after nothing failed
    minimal_cut_sets: list[list[str]]
    unavailability: float | None


@dataclasses.dataclass(frozen=True)
class Drift:
    design: str
    as_built: str
    tolerates: tuple[int, int | None]  # the smallest over the operations the design offers (None: one is gone)
    operations: dict[str, tuple[Side, Side | None]]  # None: the as-built cloud does not offer it
    placement: list[tuple[str, str, str]]  # VM, its host in the design, its host as built
    missing: list[str]  # VMs of the design the cluster does not run
    extra: list[str]  # VMs the cluster runs that the design does not have
    members: list[tuple[str, list[str], list[str]]]  # service, VMs it lost, VMs it gained
    sharing: list[tuple[str, str, str, list[str]]]  # service, host or failure domain, its name, the siblings
    hosts: list[tuple[str, str]]  # host, its state when not online
    settings: list[tuple[str, object, object]]  # setting, in the design, as built
    stranded: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # VM down on its offline host
    unseen: list[str] = dataclasses.field(default_factory=list)  # the design's parts the as-built file lacks

    @property
    def lost(self) -> list[str]:
        """The operations the as-built cloud tolerates less, or does not offer."""
        return [oid for oid, (design, built) in self.operations.items()
                if built is None or (design.tolerates is not None and
                                     (built.tolerates is None or built.tolerates < design.tolerates))]


def compare(design: Architecture, built: Architecture, facts: Catalog) -> Drift:
    engines = Engine(design, facts), Engine(built, facts)
    tolerances = [tolerance(engine) for engine in engines]
    baselines = [engine.phase(Scenario(), "immediate").operations for engine in engines]
    sides = []
    for tol, base in zip(tolerances, baselines, strict=True):
        sides.append({oid: Side(base[oid].state, t.tolerates, base[oid].margin, t.minimal_cut_sets, t.unavailability)
                      for oid, t in tol.operations.items()})
    operations = {oid: (side, sides[1].get(oid)) for oid, side in sides[0].items()}
    offered = [oid for oid in engines[0].facts.control_operations if oid in operations]
    design_tol = min((operations[o][0].tolerates for o in offered if operations[o][0].tolerates is not None),
                     default=len(design.hosts))
    built_values = [operations[o][1].tolerates if operations[o][1] is not None else None for o in offered]
    built_tol = None if any(v is None for v in built_values) else min(built_values, default=len(built.hosts))
    where = {vm.name: vm.host for vm in built.vms}
    return Drift(
        design.id, built.id, (design_tol, built_tol), operations,
        placement=[(vm.name, vm.host, where[vm.name]) for vm in design.vms
                   if vm.name in where and where[vm.name] != vm.host],
        missing=[vm.name for vm in design.vms if vm.name not in where],
        extra=[vm.name for vm in built.vms if vm.name not in {v.name for v in design.vms}],
        members=_members(design, built), sharing=_sharing(design, built),
        hosts=[(h.name, h.state) for h in built.hosts if h.state != "online"],
        settings=_settings(design, built),
        stranded=[(vm.name, vm.host) for vm in built.vms
                  if vm.host in {h.name for h in built.hosts if h.state == "offline"}],
        unseen=_unseen(design, built))


def _members(design: Architecture, built: Architecture) -> list[tuple[str, list[str], list[str]]]:
    """Services that lost or gained members on VMs both files have (a VM missing or extra is said as such)."""
    both = {vm.name for vm in design.vms} & {vm.name for vm in built.vms}

    def members(arch: Architecture) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for vm in arch.vms:
            if vm.name in both:
                for sid in vm.service_ids:
                    found.setdefault(sid, set()).add(vm.name)
        return found

    then, now = members(design), members(built)
    return [(sid, sorted(then.get(sid, set()) - now.get(sid, set())),
             sorted(now.get(sid, set()) - then.get(sid, set())))
            for sid in dict.fromkeys([*then, *now]) if then.get(sid, set()) != now.get(sid, set())]


def _sharing(design: Architecture, built: Architecture) -> list[tuple[str, str, str, list[str]]]:
    """Members of one service that share a host or a failure domain as built and did not in the design."""
    def shared(arch: Architecture) -> dict[tuple[str, str, str], list[str]]:
        domain = {h.name: h.failure_domain for h in arch.hosts}
        groups: dict[tuple[str, str, str], list[str]] = {}
        for vm in arch.vms:
            for sid in vm.service_ids:
                groups.setdefault((sid, "host", vm.host), []).append(vm.name)
                if domain.get(vm.host):
                    groups.setdefault((sid, "failure domain", domain[vm.host]), []).append(vm.name)
        return {key: vms for key, vms in groups.items() if len(vms) > 1}

    before, after = shared(design), shared(built)
    return [(sid, scope, where, sorted(vms)) for (sid, scope, where), vms in after.items()
            if (sid, scope, where) not in before or len(before[sid, scope, where]) < len(vms)]


def _unseen(design: Architecture, built: Architecture) -> list[str]:
    """The design's platform parts and failure domains that the as-built file does not have (its sources
    do not show them): what it does not analyse."""
    have = {part.name for part in built.platform_parts()} | set(built.failure_domains)
    parts = [f"{part.what} {part.name} ({part.kind})" for part in design.platform_parts() if part.name not in have]
    parts += [f"failure domain {domain}" for domain in design.failure_domains if domain not in have]
    return parts


def _settings(design: Architecture, built: Architecture) -> list[tuple[str, object, object]]:
    def values(arch: Architecture) -> dict[str, object]:
        platform = arch.platform
        return {"platform.anti_affinity": platform.anti_affinity,
                "platform.no_quorum_policy": platform.no_quorum_policy or "stop",
                "platform.fencing": [level.kind for level in platform.fencing or []],
                "platform.witness": platform.witness.kind if platform.witness else None,
                "openstack.networking": arch.openstack.networking}

    then, now = values(design), values(built)
    return [(key, then[key], now[key]) for key in then if then[key] != now[key]]
