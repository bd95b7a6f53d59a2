"""What a rule sees: the validated architecture, where its values stand in the file, and the catalog."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator, Mapping

from generator.analysis.engine import Engine
from generator.analysis.explanation import Node
from generator.analysis.gates import FailureModel
from generator.analysis.scenarios import Scenario
from generator.catalog import Catalog, Service, majority
from generator.model.architecture import VM, Architecture, Host
from generator.model.loader import Path, SourceMap


@dataclasses.dataclass(frozen=True)
class Finding:
    """One judgement of a rule: where (a path into the file), what, and about which host, VM or service."""

    at: Path
    message: str
    target: str
    hint: str | None = None


@dataclasses.dataclass(frozen=True)
class Placement:
    """One instance of a service: the VM it runs on and where the service is listed."""

    vm: VM
    vm_index: int
    at: Path  # ("vms", i, "services", j)


@dataclasses.dataclass(frozen=True)
class QuorumLoss:
    """A quorum service whose majority one platform part takes with it: the members and votes it stops."""

    service: str
    facts: Service
    members: list[Placement]
    voters: list[Placement]
    stopped_members: list[Placement]
    stopped_votes: list[Placement]
    state: Mapping[str, bool]  # the failure model's platform gates with that part failed
    explanation: Node  # why the engine says the service stops, right after the part fails

    @property
    def everyone(self) -> bool:
        return len(self.stopped_members) == len(self.members)

    @property
    def spare(self) -> int:
        """Votes the service can lose and keep its majority."""
        return len(self.voters) - majority(len(self.voters))


@dataclasses.dataclass(frozen=True)
class RuleContext:
    arch: Architecture
    source: SourceMap
    catalog: Catalog

    def host(self, name: str) -> Host:
        return next(host for host in self.arch.hosts if host.name == name)

    def deployed(self) -> list[str]:
        """Service ids deployed on some VM, in order of first appearance."""
        return list(dict.fromkeys(service for vm in self.arch.vms for service in vm.service_ids))

    def placements(self, service: str) -> list[Placement]:
        return [
            Placement(vm, i, ("vms", i, "services", vm.service_ids.index(service)))
            for i, vm in enumerate(self.arch.vms)
            if service in vm.service_ids
        ]

    def voters(self, service: str) -> list[Placement]:
        """The instances that vote in a quorum service: its members and its arbitrator's instances."""
        facts = self.catalog.services[service]
        return self.placements(service) + (self.placements(facts.arbitrator) if facts.arbitrator else [])

    def services(self) -> Iterator[tuple[str, Service]]:
        """Deployed services the catalog knows, with their facts."""
        for sid in self.deployed():
            if sid in self.catalog.services:
                yield sid, self.catalog.services[sid]

    @functools.cached_property
    def engine(self) -> Engine:
        """The failure-impact engine of the architecture (its compiled model, evaluated)."""
        return Engine(self.arch, self.catalog)

    @property
    def model(self) -> FailureModel:
        """The architecture's compiled failure model."""
        return self.engine.model

    def stops(self, scenario: Scenario, sid: str) -> Node | None:
        """Why the engine says a deployed service is down right after `scenario`'s failures (None: it is
        not): what a rule words a single point of failure's consequence from."""
        state = self.engine.phase(scenario, "immediate", margins=False).services[sid]
        return state.explanation if state.state == "down" else None

    def quorum_losses(self, part: str) -> Iterator[QuorumLoss]:
        """The quorum services (of two or more members) whose majority the failure of one platform part
        (a storage, a switch) takes, as the compiled failure model says. Where no vote is to spare at
        all, RED002 reports the service already, so only the loss of every member counts then."""
        state = self.model.platform_state({part})
        stopped = {vm.name for vm in self.arch.vms if self.model.stopping(vm.name, vm.host, state)}
        for sid, facts in self.services():
            members = self.placements(sid)
            if facts.ha_model != "quorum" or len(members) < 2:
                continue
            voters = self.voters(sid)
            stopped_members = [p for p in members if p.vm.name in stopped]
            stopped_votes = [p for p in voters if p.vm.name in stopped]
            spare = len(voters) - majority(len(voters))
            if not (len(stopped_members) == len(members) or 0 < spare < len(stopped_votes)):
                continue
            explanation = self.stops(Scenario(parts=frozenset([part])), sid)
            if explanation is not None:
                yield QuorumLoss(sid, facts, members, voters, stopped_members, stopped_votes, state, explanation)

    def capacities_given(self) -> bool:
        return all(h.cpus is not None and h.memory_gib is not None for h in self.arch.hosts) and all(
            vm.vcpus is not None and vm.memory_gib is not None for vm in self.arch.vms)
