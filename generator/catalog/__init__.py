"""What refarch knows about OpenStack services, user operations and management platforms.

The knowledge is data: `services.yaml`, `operations.yaml`, `platforms.yaml` and `reliability.yaml` beside this module,
every entry with the sources it rests on. They are read with the same safe loader as architecture
files and checked by the strict models below; `integrity_problems` checks that references resolve
and that the dependency graph has no cycle.

Some facts depend on how a design deploys OpenStack (`openstack.l3_ha`, `storage_backend`, ...): an
entry's `variants` say what changes with which setting, and `Catalog.for_design` gives the catalog as
it holds for one design's settings. Everything that judges a design reads that catalog.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints, ValidationError

from generator.catalog import releases
from generator.model import loader
from generator.model.architecture import Architecture, OpenStack

HERE = Path(__file__).resolve().parent
HOURS_PER_YEAR = 8_760

HaModel = Literal["active-active", "quorum", "active-passive", "shards", "vip", "arbitrator", "scheduled"]
Networking = Literal["ovs", "ovn"]
Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


Setting = str | int | bool  # the value of one of a design's `openstack` settings


class TotalLoss(_Strict):
    """What a quorum service needs after losing every member at once."""

    recovery: Literal["automatic", "manual"]  # manual: it stays down until an operator bootstraps it
    # manual, unless every member of the last quorum comes back (Galera's pc.recovery): then automatic
    automatic_when_all_return: bool = False
    seconds: int = Field(ge=0)  # automatic: until it serves again once its members run
    basis: str
    sources: list[Url] = Field(min_length=1)


class _Variant(_Strict):
    """Facts that hold when a design's `openstack` settings match `when` and, with `since_release`, when
    the design names that release or a later one."""

    when: dict[str, Setting] = Field(min_length=1)
    since_release: str | None = None

    def matches(self, settings: dict[str, object]) -> bool:
        release = settings.get("release")
        return (all(settings.get(key) == value for key, value in self.when.items())
                and (self.since_release is None
                     or releases.since(release if isinstance(release, str) else None, self.since_release)))


class StandIn(_Strict):
    """A deployed service that does a service's work where the design does not deploy it, in releases
    before `before_release` (nova-api serving metadata before Nova 2026.1 removed the combined server)."""

    service: str
    before_release: str
    # what the design must configure for the stand-in to do it, told in the rule finding that reports it
    needs: str
    basis: str
    sources: list[Url] = Field(min_length=1)


class ServiceVariant(_Variant):
    """What changes for a service when a design's settings match `when` (fields given here replace the
    service's own)."""

    ha_model: HaModel | None = None
    requires: list[str] | None = None
    uses: list[str] | None = None
    min_instances: int | None = Field(None, ge=1)
    recommended_instances: int | None = Field(None, ge=1)
    failover_seconds: int | None = None
    per_resource: int | None = Field(None, ge=1)
    reschedule_seconds: int | None = None
    resource: str | None = None
    role: str | None = None
    when_down: str | None = None
    partial_loss: str | None = None
    basis: str
    sources: list[Url] = Field(min_length=1)


class RoundRobin(_Strict):
    """Clients that send each heartbeat to one instance in turn, and an instance that declares a client
    failed after `timeout_seconds` without one (Octavia's amphorae and health managers)."""

    interval_seconds: int = Field(ge=1)
    timeout_seconds: int = Field(ge=1)
    basis: str
    sources: list[Url] = Field(min_length=1)

    def false_failures(self, instances: int) -> bool:
        """Whether one survivor of this many instances hears a healthy client too seldom (its turn comes
        every `instances` heartbeats) and declares it failed."""
        return instances * self.interval_seconds >= self.timeout_seconds


class Service(_Strict):
    name: str
    role: str
    in_front: bool = False  # requests pass through it to the services that require it
    ha_model: HaModel
    arbitrator: str | None = None  # a service whose instances vote in this one's quorum
    min_instances: int = Field(ge=1)
    recommended_instances: int = Field(ge=1)
    failover_seconds: int | None = None  # active-passive and vip: time for a standby to take over
    # quorum, `writer`: written through one member (the first) behind the load balancer, the others
    # backups; losing it moves writes after `failover_seconds`.
    writer: bool = False
    total_loss: TotalLoss | None = None
    # scheduled: each resource (a router, a network) lives on `per_resource` of the instances, or as
    # many as the design's setting `per_resource_setting` says; `reschedule_seconds` after losing them
    # all it moves to a live one (None: it stays where it is until its instances return).
    per_resource: int = Field(1, ge=1)
    per_resource_setting: str | None = None
    reschedule_seconds: int | None = None
    resource: str | None = None  # scheduled: what is scheduled ("router", "network")
    stall_seconds: int | None = None  # shards: clients wait on a lost member until they mark it dead
    partial_loss: str | None = None  # shards, scheduled: what losing some members does, a phrase
    requires: list[str] = []
    uses: list[str] = []
    # Of `requires`, what a request to this service's API passes first (the load balancer, token
    # validation); a caller over RPC (`rpc`) needs only the rest.
    front: list[str] = []
    rpc: list[str] = []  # of `requires`, services it calls over the message queue, not through their API
    deploy: Literal["required", "optional"]
    # It may run outside the management cluster (storage nodes): deployed on no VM, it is taken as
    # running elsewhere, beyond the failures refarch models, instead of missing.
    external: bool = False
    # Nova cells v2: each cell runs its own (its database, queue, conductors, console proxies).
    cell_scoped: bool = False
    networking: Literal["both", "ovs", "ovn"]
    recovery_seconds: int = Field(ge=0)
    when_down: str
    keeps_working: str
    notes: str | None = None
    sources: list[Url] = Field(min_length=1)
    variants: list[ServiceVariant] = []
    stand_in: StandIn | None = None
    round_robin: RoundRobin | None = None

    def belongs_to(self, networking: Networking) -> bool:
        return self.networking in ("both", networking)

    def for_design(self, settings: dict[str, object]) -> Service:
        """This service as it holds with a design's settings: matching variants applied in order."""
        changes: dict[str, object] = {}
        for variant in self.variants:
            if variant.matches(settings):
                changes |= variant.model_dump(exclude_none=True, exclude={"when", "basis", "sources"})
                changes["sources"] = list(dict.fromkeys([*changes.get("sources", self.sources), *variant.sources]))
                changes["notes"] = " ".join(filter(None, [changes.get("notes", self.notes), variant.basis]))
        if self.per_resource_setting is not None and isinstance(settings.get(self.per_resource_setting), int):
            changes.setdefault("per_resource", settings[self.per_resource_setting])
        return self.model_copy(update=changes) if changes else self


class Needs(_Strict):
    requires: list[str] = []
    uses: list[str] = []
    # Groups of services of which any one will do: the operation stops when every service of a group
    # is down, and works partly while some are (each serves its own share, e.g. routed or isolated networks).
    requires_any: list[list[str]] = []


class Lasting(_Strict):
    """How long an operation keeps working from what it holds once a service it uses is down."""

    seconds: int = Field(ge=1)
    what: str  # what it keeps working from, a phrase: "BIND's copy of the zones"
    bound: str  # what sets the bound, a phrase: "the zones' SOA expire"
    estimate: bool = False  # the bound is inferred, not stated by a source
    basis: str
    sources: list[Url] = Field(min_length=1)


class OperationVariant(_Variant):
    """Services an operation needs too when a design's settings match `when`, and services it needs
    instead of others (`instead`: the one it no longer needs -> the one it needs in its place)."""

    requires: list[str] = []
    uses: list[str] = []
    instead: dict[str, str] = {}
    lasts: dict[str, Lasting] = {}
    basis: str
    sources: list[Url] = Field(min_length=1)


class Operation(_Strict):
    name: str
    description: str
    plane: Literal["control", "data"]
    requires: list[str] = []
    uses: list[str] = []
    requires_any: list[list[str]] = []
    ovs: Needs = Needs()
    ovn: Needs = Needs()
    # Nova cells v2: `instance`, it acts on an existing instance and needs that instance's cell
    # (`cell_needs`: the cell's own services it goes through); `any`, any cell that can take a new
    # instance will do; `list`, it reads every cell and returns partial results while one is down.
    cell: Literal["instance", "any", "list"] | None = None
    cell_needs: list[str] = []
    # Of `uses`, services whose loss it outlasts for a while only: it keeps working from what it holds
    # (BIND from its copy of the zones), for at most `seconds`.
    lasts: dict[str, Lasting] = {}
    sources: list[Url] = Field(min_length=1)
    variants: list[OperationVariant] = []

    def needs(self, networking: Networking) -> Needs:
        """The services this operation needs with that networking flavour."""
        extra: Needs = getattr(self, networking)
        return Needs(requires=[*self.requires, *extra.requires], uses=[*self.uses, *extra.uses],
                     requires_any=[*self.requires_any, *extra.requires_any])

    def for_design(self, settings: dict[str, object]) -> Operation:
        """This operation as it holds with a design's settings: the needs of matching variants added."""
        matching = [v for v in self.variants if v.matches(settings)]
        if not matching:
            return self
        instead = {old: new for v in matching for old, new in v.instead.items()}

        def named(names: list[str], added: list[str]) -> list[str]:
            return list(dict.fromkeys([*(instead.get(s, s) for s in names), *added]))

        return self.model_copy(update={
            "requires": named(self.requires, [s for v in matching for s in v.requires]),
            "uses": named(self.uses, [s for v in matching for s in v.uses]),
            "lasts": {**self.lasts, **{sid: bound for v in matching for sid, bound in v.lasts.items()}},
            "sources": list(dict.fromkeys([*self.sources, *(u for v in matching for u in v.sources)]))})


class AntiAffinity(_Strict):
    enforced: bool  # kept during failover, even if that leaves a VM down
    mechanism: str


class Rate(_Strict):
    """How often something fails and how long it stays down (reliability.yaml); `estimate`: chosen by this
    project within what its sources bound."""

    mtbf_hours: float = Field(gt=0)
    mttr_hours: float = Field(gt=0)
    estimate: bool = False
    basis: str
    sources: list[Url] = Field(min_length=1)

    @property
    def unavailability(self) -> float:
        return self.mttr_hours / (self.mtbf_hours + self.mttr_hours)


class HostReliability(Rate):
    """How often a host of the management cluster fails and how long it stays down, in whole hours: the
    default for availability figures, per platform."""

    mtbf_hours: int = Field(ge=1)
    mttr_hours: int = Field(ge=1)


class CommonCause(_Strict):
    """The beta-factor: the fraction of a member's failures that hit every member of its service at once."""

    beta: float = Field(ge=0, lt=1)
    estimate: bool = False
    basis: str
    sources: list[Url] = Field(min_length=1)


class Maintenance(_Strict):
    """Planned work that empties a host: how often and for how long."""

    per_year: float = Field(ge=0, le=365)
    hours: float = Field(gt=0, le=168)
    estimate: bool = False
    basis: str
    sources: list[Url] = Field(min_length=1)

    @property
    def unavailability(self) -> float:
        return self.per_year * self.hours / HOURS_PER_YEAR


class Reliability(_Strict):
    """Failure events beyond a host's hardware (reliability.yaml), each with its basis and sources."""

    guest: Rate
    process: Rate
    common_cause: CommonCause
    maintenance: Maintenance
    switch: Rate
    storage_array: Rate  # san, nfs, csv
    storage_pool: Rate  # ceph, vsan: the pool as a whole


class QuorumLoss(_Strict):
    stops_vms: bool  # a host of a partition without quorum stops its VMs (and nothing restarts)
    basis: str
    sources: list[Url] = Field(min_length=1)


class QuorumPolicy(_Strict):
    """What a Pacemaker partition without quorum does under one no-quorum-policy."""

    stops_vms: bool  # it stops the VMs it runs
    restarts: bool  # it still restarts the VMs of nodes it lost (once fenced)
    # `worse-side`: both sides of a split keep running and race to fence each other, so the side without a
    # majority is taken as the one that loses its VMs
    on_split: Literal["worse-side"] | None = None
    basis: str
    sources: list[Url] = Field(min_length=1)


class Isolation(_Strict):
    """A host alive but cut off from the others: what the platform does by default, and after how long."""

    restarts: bool  # the VMs are restarted elsewhere (vSphere: with a power-off or shutdown response)
    seconds: int = Field(ge=0)
    shutdown_seconds: int = Field(0, ge=0)
    # storage kinds whose VMs are restarted elsewhere all the same (vSAN: the partition that owns their
    # objects restarts them, whatever the isolation response), and those whose VMs are paused, not left
    # running, on the cut-off host (Hyper-V on CSV)
    restarts_on: list[str] = []
    paused_on: list[str] = []
    basis: str
    sources: list[Url] = Field(min_length=1)


class ManagementFacts(_Strict):
    kinds: list[str]
    blocks_maintenance: bool  # live migration, so emptying a host, needs it
    basis: str
    sources: list[Url] = Field(min_length=1)


class PlatformFacts(_Strict):
    name: str
    ha: str
    ha_name: str
    restart_seconds: int = Field(ge=1)
    restart_basis: str
    host_reliability: HostReliability
    part_reliability: HostReliability  # witness, switch, storage array: the default estimate
    quorum_loss: QuorumLoss
    quorum_policies: dict[str, QuorumPolicy] = {}  # Pacemaker's no-quorum-policy values, the default first
    isolation: Isolation
    fencing_levels_basis: str | None = None
    fencing_levels_sources: list[Url] = []
    management: ManagementFacts
    storage_kinds: list[str]
    storage_basis: str
    storage_sources: list[Url] = Field(min_length=1)
    boot_seconds: int = Field(ge=0)
    boot_basis: str
    boot_sources: list[Url] = Field(min_length=1)
    witnesses: list[str]
    quorum: str
    anti_affinity: dict[Literal["mandatory", "preferred"], AntiAffinity]
    fencing: Literal["required", "not-applicable"]
    fencing_basis: str
    sources: list[Url] = Field(min_length=1)

    @property
    def management_kinds(self) -> list[str]:
        return self.management.kinds


class Catalog(_Strict):
    services: dict[str, Service]
    operations: dict[str, Operation]
    platforms: dict[Literal["vsphere", "hyperv", "kvm"], PlatformFacts]
    reliability: Reliability
    # A design's catalog: services it does not deploy whose work a stand-in does (`Service.stand_in`),
    # each with that stand-in; operations and services name the stand-in instead.
    stood_in: dict[str, str] = {}
    _made_from: Catalog | None = PrivateAttr(default=None)  # a design's catalog: the one it was made from
    _designs: dict[tuple, Catalog] = PrivateAttr(default_factory=dict)  # what for_design and for_architecture made

    @property
    def control_operations(self) -> list[str]:
        """The ids of the control-plane operations (the API's), in the catalog's order."""
        return [oid for oid, op in self.operations.items() if op.plane == "control"]

    def required_services(self, networking: Networking) -> list[str]:
        return [sid for sid, s in self.services.items() if s.deploy == "required" and s.belongs_to(networking)]

    def for_design(self, settings: dict[str, object]) -> Catalog:
        """The catalog as it holds for a design with these `openstack` settings (memoised): variants
        applied, and with Nova cells each cell's own services (`galera@cell1`) and operations. Asked of a
        catalog that is already a design's, it answers from the catalog that one was made from."""
        if self._made_from is not None:
            return self._made_from.for_design(settings)
        key = ("settings", *sorted((k, repr(v)) for k, v in settings.items()))
        if key not in self._designs:
            services = {sid: s.for_design(settings) for sid, s in self.services.items()}
            operations = {oid: o.for_design(settings) for oid, o in self.operations.items()}
            cells = settings.get("cells") or []
            if isinstance(cells, list) and cells:
                services, operations = _with_cells(services, operations, [str(c) for c in cells])
            self._designs[key] = self._made(services=services, operations=operations)
        return self._designs[key]

    def _made(self, **update: object) -> Catalog:
        """A copy of this catalog for a design, remembered as made from this one."""
        made = self.model_copy(update=update)
        made._made_from = self
        made._designs = {}  # a copy shares its source's private values: not this one
        return made


    def for_architecture(self, arch: Architecture) -> Catalog:
        """The catalog as it holds for one architecture: `for_design` with its `openstack` settings, and
        only the operations it offers (`offers`)."""
        design = self.for_design(arch.openstack.model_dump(mode="json"))
        deployed = frozenset(s for vm in arch.vms for s in vm.service_ids)
        key = ("deployed", deployed, arch.openstack.release)
        if key not in design._designs:
            networking = arch.openstack.networking
            stood_in = {sid: s.stand_in.service for sid, s in design.services.items()
                        if s.stand_in is not None and sid not in deployed and s.stand_in.service in deployed
                        and releases.before(arch.openstack.release, s.stand_in.before_release)}
            services, operations = _stand_ins(design.services, design.operations, stood_in)
            offered = {oid: op for oid, op in operations.items() if design.offers(op, deployed, networking)}
            design._designs[key] = design._made(services=services, operations=offered, stood_in=stood_in)
        return design._designs[key]

    def offers(self, operation: Operation, deployed: frozenset[str], networking: Networking) -> bool:
        """Whether a design that deploys these services offers the operation at all: not when an optional
        service it requires is not deployed (no cinder-api, no volumes), nor when it names services and
        none of them runs here (they all run outside this cluster, or nowhere)."""
        needs = operation.needs(networking)
        # what it only outlasts for a while (`lasts`) does not make it this design's
        named = [s for s in (*needs.requires, *needs.uses, *(s for group in needs.requires_any for s in group))
                 if s not in operation.lasts]
        if named and not any(s in deployed for s in named):
            return False
        return all(s in deployed or self.services[s].deploy == "required" or self.services[s].external
                   for s in needs.requires)




def _stand_ins(services: dict[str, Service], operations: dict[str, Operation],
               stood_in: dict[str, str]) -> tuple[dict[str, Service], dict[str, Operation]]:
    """Services and operations naming each stood-in service's stand-in instead."""
    if not stood_in:
        return services, operations

    def named(names: list[str]) -> list[str]:
        return list(dict.fromkeys(stood_in.get(sid, sid) for sid in names))

    def needs(needs: Needs) -> dict[str, object]:
        return {"requires": named(needs.requires), "uses": named(needs.uses),
                "requires_any": [named(group) for group in needs.requires_any]}

    services = {sid: s.model_copy(update={"requires": named(s.requires), "uses": named(s.uses),
                                          "front": named(s.front), "rpc": named(s.rpc)})
                for sid, s in services.items()}
    operations = {oid: op.model_copy(update={
        **needs(op), "ovs": op.ovs.model_copy(update=needs(op.ovs)),
        "ovn": op.ovn.model_copy(update=needs(op.ovn)), "cell_needs": named(op.cell_needs)})
        for oid, op in operations.items()}
    return services, operations


def _with_cells(services: dict[str, Service], operations: dict[str, Operation],
                cells: list[str]) -> tuple[dict[str, Service], dict[str, Operation]]:
    """Services and operations of a design with Nova cells: each cell-scoped service once per cell,
    needing its cell's own services; each operation on existing instances once per cell, needing that
    cell; boot needing any cell, listing every cell (partial results while one is down)."""
    scoped = {sid for sid, s in services.items() if s.cell_scoped}

    def in_cell(names: list[str], cell: str, only: set[str] = scoped) -> list[str]:
        return [f"{sid}@{cell}" if sid in only else sid for sid in names]

    result = dict(services)
    for cell in cells:
        for sid in scoped:
            service = services[sid]
            result[f"{sid}@{cell}"] = service.model_copy(update={
                "name": f"{service.name} ({cell})", "deploy": "optional",
                "requires": in_cell(service.requires, cell), "uses": in_cell(service.uses, cell),
                "rpc": in_cell(service.rpc, cell), "front": in_cell(service.front, cell),
                "arbitrator": f"{service.arbitrator}@{cell}" if service.arbitrator in scoped else service.arbitrator})
    ops: dict[str, Operation] = {}
    for oid, op in operations.items():
        if op.cell == "instance":
            needs = set(op.cell_needs)
            for cell in cells:
                requires = in_cell(op.requires, cell, needs)
                ops[f"{oid}@{cell}"] = op.model_copy(update={
                    "name": f"{op.name} in {cell}", "cell": None,
                    "requires": [*requires, *(f"{sid}@{cell}" for sid in op.cell_needs if sid not in op.requires)]})
        elif op.cell == "any":
            ops[oid] = op.model_copy(update={"requires_any": [*op.requires_any,
                                                              [f"nova-conductor@{cell}" for cell in cells]]})
        elif op.cell == "list":
            ops[oid] = op.model_copy(update={"uses": [*op.uses, *(f"galera@{cell}" for cell in cells)]})
        else:
            ops[oid] = op
    return result, ops


class KollaService(_Strict):
    top: Literal["control", "network", "storage"]
    groups: list[str]


class KollaEnable(_Strict):
    """What enables a service in kolla-ansible: its globals.yml flag and the flag's default, and for the
    networking agents the neutron_plugin_agent they belong to."""

    flag: str
    default: bool
    plugin: Literal["openvswitch", "ovn"] | None = None


class Kolla(_Strict):
    sources: list[Url] = Field(min_length=1)
    top_groups: list[str]
    services: dict[str, KollaService]
    enable_sources: list[Url] = Field(min_length=1)
    enable: dict[str, KollaEnable]


class OsaRelease(_Strict):
    osa: str
    separator: Literal["-", "_"]
    load_balancer: str


class OpenStackAnsible(_Strict):
    sources: list[Url] = Field(min_length=1)
    releases: dict[str, OsaRelease]
    default_release: str
    services: dict[str, list[str]]

    def groups(self, service: str, release: str) -> list[str]:
        """The host groups of a service with that release's names."""
        facts = self.releases[release]
        return [facts.load_balancer if g == "LOAD_BALANCER" else g.replace("~", facts.separator)
                for g in self.services.get(service, [])]


class Cmdlet(_Strict):
    url: Url
    parameters: list[str]


class DrillCommands(_Strict):
    source: Url
    commands: dict[str, str]


class Deployment(_Strict):
    """How deployment tools and hypervisor command lines express a design (deployment.yaml)."""

    kolla: Kolla
    openstack_ansible: OpenStackAnsible
    first: list[str]  # services whose VMs start and restart first
    cmdlets: dict[str, Cmdlet]
    drill_commands: DrillCommands


class CatalogError(Exception):
    """The catalog data is broken: a bug of this project, never of a contributor's architecture."""


@functools.cache
def load() -> Catalog:
    try:
        catalog = Catalog.model_validate({name: _read(name) for name in ("services", "operations", "platforms",
                                                                          "reliability")})
    except ValidationError as error:
        raise CatalogError(str(error)) from None
    if problems := integrity_problems(catalog):
        raise CatalogError("\n".join(problems))
    return catalog


@functools.cache
def deployment() -> Deployment:
    try:
        return Deployment.model_validate(_read("deployment"))
    except ValidationError as error:
        raise CatalogError(str(error)) from None


def _read(name: str) -> object:
    path = HERE / f"{name}.yaml"
    loaded = loader.load(path.read_bytes(), path.as_posix())
    if loaded.problems:
        raise CatalogError("\n".join(str(problem) for problem in loaded.problems))
    return loaded.data


def integrity_problems(catalog: Catalog) -> list[str]:
    """References that do not resolve, and dependency cycles, as sentences."""
    problems = []
    known = catalog.services
    settings = set(OpenStack.model_fields)
    for sid, service in known.items():
        variants = [*service.variants]
        named = [*service.requires, *service.uses, *([service.arbitrator] if service.arbitrator else [])]
        for variant in variants:
            named += [*(variant.requires or []), *(variant.uses or [])]
            problems += [f"service {sid} has a variant for unknown setting {key}" for key in variant.when
                         if key not in settings]
        if service.stand_in is not None:
            named.append(service.stand_in.service)
        bounds = [*(v.since_release for v in variants if v.since_release),
                  *([service.stand_in.before_release] if service.stand_in else [])]
        problems += [f"service {sid} names {bound}, not a numbered release" for bound in bounds
                     if releases.order(bound) is None or "." not in bound]
        problems += [f"service {sid} refers to unknown service {other}" for other in named if other not in known]
        if service.per_resource_setting is not None and service.per_resource_setting not in settings:
            problems.append(f"service {sid} takes per_resource from unknown setting {service.per_resource_setting}")
        for resolved in (service, *(service.for_design({**v.when, "release": v.since_release}) for v in variants)):
            if resolved.ha_model in ("active-passive", "vip") and resolved.failover_seconds is None:
                problems.append(f"service {sid} ({resolved.ha_model}) needs failover_seconds")
            if not set(resolved.front) | set(resolved.rpc) <= set(resolved.requires):
                problems.append(f"service {sid}: front and rpc must name services it requires")
    for oid, operation in catalog.operations.items():
        named = [s for v in operation.variants for s in (*v.requires, *v.uses, *v.instead, *v.instead.values())]
        problems += [f"operation {oid} has a variant for unknown setting {key}" for v in operation.variants
                     for key in v.when if key not in settings]
        problems += [f"operation {oid} names {v.since_release}, not a numbered release" for v in operation.variants
                     if v.since_release and (releases.order(v.since_release) is None or "." not in v.since_release)]
        problems += [f"operation {oid} lasts without {sid}, which it does not use" for sid in operation.lasts
                     if sid not in operation.uses]
        problems += [f"operation {oid} lasts without {sid} in a variant that does not use it"
                     for v in operation.variants for sid in v.lasts if sid not in (*operation.uses, *v.uses)]
        for networking in ("ovs", "ovn"):
            needs = operation.needs(networking)
            named += [*needs.requires, *needs.uses, *(s for group in needs.requires_any for s in group)]
        problems += [f"operation {oid} refers to unknown service {other}"
                     for other in dict.fromkeys(named) if other not in known]
    problems += [f"dependency cycle: {' -> '.join(cycle)}" for cycle in _cycles(catalog)]
    return problems


def _cycles(catalog: Catalog) -> list[list[str]]:
    """Cycles in the requires/uses graph, found by depth-first search."""
    graph = {sid: [*s.requires, *s.uses, *(d for v in s.variants for d in (*(v.requires or []), *(v.uses or [])))]
             for sid, s in catalog.services.items()}
    state: dict[str, str] = {}
    found: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for nxt in graph.get(node, []):
            if state.get(nxt) == "open":
                found.append([*trail[trail.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = "done"

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    return found


def majority(votes: int) -> int:
    """The votes a quorum cluster needs to serve: floor(n/2) + 1."""
    return votes // 2 + 1
