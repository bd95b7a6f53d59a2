"""What a rule sees: the validated architecture, where its values stand in the file, and the catalog."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from generator.catalog import Catalog, Service
from generator.loader import Path, SourceMap
from generator.model import VM, Architecture, Host


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
class RuleContext:
    arch: Architecture
    source: SourceMap
    catalog: Catalog

    def host(self, name: str) -> Host:
        return next(host for host in self.arch.hosts if host.name == name)

    def deployed(self) -> list[str]:
        """Service ids deployed on some VM, in order of first appearance."""
        return list(dict.fromkeys(service for vm in self.arch.vms for service in vm.services))

    def placements(self, service: str) -> list[Placement]:
        return [
            Placement(vm, i, ("vms", i, "services", vm.services.index(service)))
            for i, vm in enumerate(self.arch.vms)
            if service in vm.services
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

    def capacities_given(self) -> bool:
        return all(h.cpus is not None and h.memory_gib is not None for h in self.arch.hosts) and all(
            vm.vcpus is not None and vm.memory_gib is not None for vm in self.arch.vms)
