"""What refarch knows about OpenStack services, user operations and management platforms.

The knowledge is data: `services.yaml`, `operations.yaml` and `platforms.yaml` beside this module,
every entry with the sources it rests on. They are read with the same safe loader as architecture
files and checked by the strict models below; `integrity_problems` checks that references resolve
and that the dependency graph has no cycle.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from generator import loader

HERE = Path(__file__).resolve().parent

HaModel = Literal["active-active", "quorum", "active-passive", "shards", "vip", "arbitrator"]
Networking = Literal["ovs", "ovn"]
Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Service(_Strict):
    name: str
    role: str
    in_front: bool = False  # requests pass through it to the services that require it
    ha_model: HaModel
    arbitrator: str | None = None  # a service whose instances vote in this one's quorum
    min_instances: int = Field(ge=1)
    recommended_instances: int = Field(ge=1)
    failover_seconds: int | None = None  # active-passive and vip: time for a standby to take over
    requires: list[str] = []
    uses: list[str] = []
    deploy: Literal["required", "optional"]
    networking: Literal["both", "ovs", "ovn"]
    recovery_seconds: int = Field(ge=0)
    when_down: str
    keeps_working: str
    notes: str | None = None
    sources: list[Url] = Field(min_length=1)

    def belongs_to(self, networking: Networking) -> bool:
        return self.networking in ("both", networking)


class Needs(_Strict):
    requires: list[str] = []
    uses: list[str] = []


class Operation(_Strict):
    name: str
    description: str
    plane: Literal["control", "data"]
    requires: list[str] = []
    uses: list[str] = []
    ovs: Needs = Needs()
    ovn: Needs = Needs()
    sources: list[Url] = Field(min_length=1)

    def needs(self, networking: Networking) -> Needs:
        """The services this operation needs with that networking flavour."""
        extra: Needs = getattr(self, networking)
        return Needs(requires=[*self.requires, *extra.requires], uses=[*self.uses, *extra.uses])


class AntiAffinity(_Strict):
    enforced: bool  # kept during failover, even if that leaves a VM down
    mechanism: str


class HostReliability(_Strict):
    """How often a host of the management cluster fails and how long it stays down: the default for
    availability figures, per platform."""

    mtbf_hours: int = Field(ge=1)
    mttr_hours: int = Field(ge=1)
    basis: str
    sources: list[Url] = Field(min_length=1)

    @property
    def unavailability(self) -> float:
        return self.mttr_hours / (self.mtbf_hours + self.mttr_hours)


class QuorumLoss(_Strict):
    stops_vms: bool  # a host of a partition without quorum stops its VMs (and nothing restarts)
    basis: str
    sources: list[Url] = Field(min_length=1)


class Isolation(_Strict):
    """A host alive but cut off from the others: what the platform does by default, and after how long."""

    restarts: bool  # the VMs are restarted elsewhere (vSphere: with a power-off or shutdown response)
    seconds: int = Field(ge=0)
    shutdown_seconds: int = Field(0, ge=0)
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

    def required_services(self, networking: Networking) -> list[str]:
        return [sid for sid, s in self.services.items() if s.deploy == "required" and s.belongs_to(networking)]


class KollaService(_Strict):
    top: Literal["control", "network", "storage"]
    groups: list[str]


class Kolla(_Strict):
    sources: list[Url] = Field(min_length=1)
    top_groups: list[str]
    services: dict[str, KollaService]


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
        catalog = Catalog.model_validate({name: _read(name) for name in ("services", "operations", "platforms")})
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
    for sid, service in known.items():
        for other in (*service.requires, *service.uses, *([service.arbitrator] if service.arbitrator else [])):
            if other not in known:
                problems.append(f"service {sid} refers to unknown service {other}")
        if service.ha_model in ("active-passive", "vip") and service.failover_seconds is None:
            problems.append(f"service {sid} ({service.ha_model}) needs failover_seconds")
    for oid, operation in catalog.operations.items():
        for networking in ("ovs", "ovn"):
            needs = operation.needs(networking)
            for other in (*needs.requires, *needs.uses):
                if other not in known:
                    problems.append(f"operation {oid} refers to unknown service {other}")
    problems += [f"dependency cycle: {' -> '.join(cycle)}" for cycle in _cycles(catalog)]
    return problems


def _cycles(catalog: Catalog) -> list[list[str]]:
    """Cycles in the requires/uses graph, found by depth-first search."""
    graph = {sid: [*s.requires, *s.uses] for sid, s in catalog.services.items()}
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
