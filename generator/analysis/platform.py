"""What the management cluster itself does when its parts fail: quorum, fencing, isolation, storage,
management servers, restart capacity and order, per platform (facts from the catalog, with sources).

The failure model (`generator.failure_model`) says *whether* a part's failure stops a VM (its gates
`isolated:`, `storage-down:`, `cluster-down`); this module says what the platform then does about it
(restart or not, after how long) and puts each cause into words. The engine asks it; it reads only
the architecture, the catalog and the model.
"""

from __future__ import annotations

from collections.abc import Mapping

from generator.analysis.gates import FailureModel, cluster_votes, vm_storage
from generator.catalog import Catalog, deployment
from generator.model.architecture import VM, Architecture, FencingLevel

PRIORITIES = ("high", "medium", "low")  # restart order: each after the one before is up
ALWAYS_POWERED = "independent"
HOST_POWERED = ("host", "failure-domain")  # `powered_by` values: the host's own power


def starts_first(vm: VM) -> bool:
    """Whether a VM runs a database, queue or load balancer, which start and restart before the APIs."""
    return bool(set(vm.services) & set(deployment().first))


def restart_priority(vm: VM) -> str:
    """A VM's restart priority: its own, or high for databases, queues and load balancers."""
    return vm.restart_priority or ("high" if starts_first(vm) else "medium")


class PlatformView:
    """One architecture's platform behaviour, for the engine's placements and reasons."""

    def __init__(self, arch: Architecture, facts: Catalog, model: FailureModel) -> None:
        self.arch = arch
        self.model = model
        self.facts = facts.platforms[arch.platform.hypervisor]
        self.vms = {vm.name: vm for vm in arch.vms}
        self.hosts = {host.name: host for host in arch.hosts}
        self.storage_of = vm_storage(arch)
        self.storage = {store.name: store for store in arch.storage}
        self.switches_of: dict[str, list[str]] = {}
        for switch in arch.switches:
            for host in switch.hosts:
                self.switches_of.setdefault(host, []).append(switch.name)
        self.capacity = arch.platform.capacity != "ignored"
        response = arch.platform.isolation_response
        if arch.platform.hypervisor == "vsphere":
            self.restarts_isolated = response in ("power-off", "shutdown")
        else:
            self.restarts_isolated = self.facts.isolation.restarts
        self.isolation_seconds = self.facts.isolation.seconds + (
            self.facts.isolation.shutdown_seconds if response == "shutdown" else 0)

    # ---- which hosts and VMs ------------------------------------------------------------------------

    def isolated(self, state: Mapping[str, bool], scenario) -> set[str]:
        """Hosts that run but reach no other host: every switch they are connected through failed."""
        return {host for host in self.model.isolating if state.get(f"isolated:{host}") and host not in scenario.hosts}

    def migration_blocked(self, scenario) -> str | None:
        """Why live migration (so emptying a host for maintenance) is impossible, if it is."""
        if not self.facts.management.blocks_maintenance:
            return None
        for server in self.arch.management:
            if self._server_down(server.name, server.vm, scenario):
                return f"live migration needs {server.name}, which is down"
        return None

    def _server_down(self, name: str, vm: str | None, scenario) -> bool:
        if name in scenario.parts:
            return True
        return vm is not None and (vm in scenario.vms or self.vms[vm].host in scenario.hosts)

    def restarts_blocked(self, state: Mapping[str, bool], scenario) -> str | None:
        """Why the platform restarts nothing at all, if it does not: the cluster lost quorum."""
        if not state.get("cluster-down"):
            return None
        votes = self.votes(state, scenario)
        if self.arch.platform.no_quorum_policy == "freeze":
            return f"the cluster lost quorum ({votes}) and no-quorum-policy=freeze restarts nothing"
        return f"the cluster lost quorum ({votes})"

    def kept_down(self, vm: str, origin: str | None, state: Mapping[str, bool], scenario) -> str | None:
        """Why a VM whose host failed or is cut off cannot be restarted elsewhere, if it cannot."""
        storage = self.storage_of.get(vm)
        if storage is not None and self.storage[storage].kind == "local":
            return f"its disk is local to {origin}"
        if storage is not None and state.get(f"storage-down:{storage}"):
            return self._storage_words(storage, state, scenario)
        if self.arch.platform.ha == "pacemaker" and origin is not None:
            unfenced = self.fence_failure(origin, scenario)
            if unfenced:
                return f"Pacemaker cannot fence {origin} ({unfenced}) and starts nothing of it elsewhere"
        return None

    def fence_failure(self, host: str, scenario) -> str | None:
        """Why no fencing level can fence `host` in this scenario (None: one can)."""
        levels = self.arch.platform.fencing or []
        if not levels:
            return "no fencing level is declared"
        reasons = []
        for level in levels:
            why = self._level_down(level, host, scenario)
            if why is None:
                return None
            reasons.append(f"{level.name} {why}")
        return "; ".join(reasons)

    def _level_down(self, level: FencingLevel, host: str, scenario) -> str | None:
        if level.name in scenario.parts:
            return "failed"
        if level.switch is not None and level.switch in scenario.parts:
            return f"is reached through {level.switch}, which failed"
        if level.kind == "sbd" or level.powered_by == ALWAYS_POWERED:
            return None  # SBD's watchdog resets the node on its own; nothing to reach
        domain = self.hosts[host].failure_domain
        if level.powered_by in HOST_POWERED and domain is not None and domain in scenario.domains:
            return f"lost power with {host} ({domain} failed)"
        if level.powered_by not in HOST_POWERED and level.powered_by in scenario.domains:
            return f"lost power ({level.powered_by} failed)"
        return None

    # ---- words --------------------------------------------------------------------------------------

    def votes(self, state: Mapping[str, bool], scenario) -> str:
        """The cluster's votes in a scenario: "1 of 3 votes up, kvm-01 and kvm-02 lost"."""
        total, witness_votes = cluster_votes(self.arch)
        lost = [h for h in self.hosts if h in scenario.hosts or state.get(f"isolated:{h}")]
        witness = self.arch.platform.witness
        if witness is not None and witness_votes and witness.name in scenario.parts:
            lost.append("the witness" if witness.name == "witness" else f"the witness {witness.name}")
        return f"{total - len(lost)} of {total} votes up, {_join(lost)} lost"

    def explain(self, stops: list[str], state: Mapping[str, bool], scenario) -> str:
        """The platform gates that stop a VM, in words."""
        words = []
        for gate in stops:
            if gate.startswith("isolated:"):
                host = gate.split(":", 1)[1]
                text = (f"{host} is cut off: every switch it is connected through "
                        f"({_join(self.switches_of[host])}) failed, so its VMs are unreachable")
                if not self.restarts_isolated:
                    text += ("; its isolation response (disabled) leaves them running there and vSphere HA "
                             "does not restart them")
                words.append(text)
            elif gate.startswith("storage-down:"):
                words.append(self._storage_words(gate.split(":", 1)[1], state, scenario))
            elif gate == "cluster-down":
                words.append(f"the cluster lost quorum ({self.votes(state, scenario)}) and stops every VM it runs")
        return "; ".join(words)

    def _storage_words(self, name: str, state: Mapping[str, bool], scenario) -> str:
        store = self.storage[name]
        if name in scenario.parts:
            return f"its storage {name} failed"
        members = store.hosts or list(self.hosts)
        gone = [h for h in members if h in scenario.hosts or state.get(f"isolated:{h}")]
        tolerated = 1 if store.failures_to_tolerate is None else store.failures_to_tolerate
        return (f"its storage {name} ({store.kind}) lost {len(gone)} of its {len(members)} hosts "
                f"({_join(gone)}) and tolerates {tolerated}")


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1] if names else "none"
