"""Schema v1 of an architecture file, as strict pydantic models.

Strict means no conversion: text stays text and numbers stay numbers (`"8"` is not 8, `NO` is not a
word once YAML has read it as false), unknown keys are errors, and every text a contributor writes is
bounded in length and free of raw HTML. The JSON Schema for editors is generated from these models
(`refarch schema`) and committed as `architectures/architecture.schema.json`.

Rules that span several values (a VM's host exists, the hypervisor has that HA mechanism) are
cross-checks (`generator/crosscheck.py`), where they can point at the right line.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

SCHEMA_VERSION = 1
ALWAYS_POWERED = "independent"  # a fencing level's `powered_by` that no failure takes
HOST_POWERED = ("host", "failure-domain")  # `powered_by` values: the host's own power, or its failure domain's
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
SLUG_MAX = 63
HYPERVISORS = ("vsphere", "hyperv", "kvm")

# Windows cannot create files with these names, and names become file names on the site.
_RESERVED_NAMES = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
                             *(f"lpt{i}" for i in range(10))})
_HTML_TAG = re.compile(r"</?[A-Za-z!?]")  # what a browser would start a tag or comment with


def is_slug(text: str) -> bool:
    """Whether `text` is a slug: what names, ids and the file and anchor names made from them must be."""
    return len(text) <= SLUG_MAX and re.fullmatch(SLUG_PATTERN, text) is not None


def _not_reserved(value: str) -> str:
    if value in _RESERVED_NAMES:
        raise PydanticCustomError("reserved_name", "`{name}` is a reserved device name on Windows", {"name": value})
    return value


def _plain_text(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank_text", "the text is empty")
    if match := _HTML_TAG.search(value):
        raise PydanticCustomError(
            "raw_html", "raw HTML is not allowed (found `{found}`): the site shows text, never HTML",
            {"found": value[match.start():match.start() + 12].split()[0]})
    return value


def _single_line(value: str) -> str:
    if "\n" in value or "\r" in value:
        raise PydanticCustomError("multiline_text", "the text must fit on one line")
    return value


def _management_hypervisor(value: Any) -> Any:
    # Reported as rule RED008 (generator/rules/red008_control_plane_on_its_own_cloud.py).
    if value == "openstack":
        raise PydanticCustomError(
            "control-plane-on-its-own-cloud",
            "`openstack` cannot host its own control plane: it must run on a management cluster outside the "
            "cloud it manages (use vsphere, hyperv or kvm)")
    if isinstance(value, str) and value not in HYPERVISORS:
        raise PydanticCustomError(
            "control-plane-on-its-own-cloud",
            "`{value}` is not a management hypervisor refarch models: use vsphere, hyperv or kvm", {"value": value})
    return value


Slug = Annotated[
    str,
    StringConstraints(pattern=SLUG_PATTERN, max_length=SLUG_MAX),
    AfterValidator(_not_reserved),
    Field(description="A slug: lower-case letters and digits in groups joined by single hyphens, "
                      "at most 63 characters.",
          examples=["kvm-01"]),
]
Title = Annotated[str, StringConstraints(max_length=200), AfterValidator(_plain_text), AfterValidator(_single_line)]
Markdown = Annotated[str, StringConstraints(max_length=20_000), AfterValidator(_plain_text)]
Prose = Annotated[str, StringConstraints(max_length=2_000), AfterValidator(_plain_text)]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


def _witness_from_kind(value: Any) -> Any:
    return {"kind": value} if isinstance(value, str) else value


def _fencing_from_kind(value: Any) -> Any:
    return [{"name": value, "kind": value}] if isinstance(value, str) else value


class Witness(_Strict):
    """The quorum witness of a failover or Pacemaker cluster: one more vote, which can fail."""

    kind: Literal["disk", "file-share", "cloud", "qdevice"] = Field(
        description="disk, file-share or cloud (Hyper-V), qdevice (corosync-qnetd, KVM).", examples=["file-share"])
    name: Slug = Field("witness", description="Its name, unique among the design's names (what `--fail` takes).")
    failure_domain: Slug | None = Field(
        None, description="The failure domain it sits in, when inside one (it then fails with it).")
    switch: Slug | None = Field(
        None, description="The switch it sits behind: its vote goes to the partition that switch is in (default: "
                          "reachable from every partition, as a tie-breaker).")
    unavailability: float | None = Field(
        None, gt=0, lt=1, description="The fraction of time it is down (default: the catalog's estimate).")


class FencingLevel(_Strict):
    """One way Pacemaker can fence a host: a BMC, a switched PDU, SBD."""

    name: Slug = Field(description="Unique among the design's names.", examples=["ipmi"])
    kind: Slug = Field(description="ipmi, redfish, pdu, sbd, or another fence agent's name.", examples=["ipmi"])
    powered_by: Slug = Field(
        "host", description="`host` (it loses power with the host it fences, as a BMC does), `failure-domain` (with "
                            "the host's failure domain, as a PDU in its rack), `independent`, or the name of the "
                            "failure domain that powers it. SBD needs no power of its own.")
    switch: Slug | None = Field(
        None, description="The switch it sits behind: it fails with that switch, and fences only from the partition "
                          "that switch is in (default: reachable from every partition).")


class Storage(_Strict):
    """Where VM disks live: an array, a share, or storage spread over the hosts."""

    name: Slug = Field(description="Unique among the design's names.", examples=["datastore-01"])
    kind: Literal["san", "nfs", "vsan", "csv", "ceph", "local"] = Field(
        description="san, nfs or csv (one shared volume that fails as a whole), vsan or ceph (spread over `hosts`, "
                    "lost when more than `failures_to_tolerate` of them are), local (each host's own disk: a VM on it "
                    "cannot restart elsewhere).")
    failure_domain: Slug | None = Field(None, description="The failure domain it sits in (it fails with it).")
    switch: Slug | None = Field(
        None, description="san, nfs, csv: the switch it sits behind; VMs reach it only from the partition that switch "
                          "is in (default: reachable from every partition).")
    hosts: list[Slug] | None = Field(
        None, min_length=1, max_length=256,
        description="vsan and ceph: the hosts that hold its data (default: every host).")
    failures_to_tolerate: int | None = Field(
        None, ge=0, le=4, description="vsan: failures of its hosts (or, with `replicas_over: failure_domain`, of its "
                                      "fault domains) it survives, vSAN's FTT (default 1); ceph: host failures, "
                                      "for a pool described without `size` and `min_size`.")
    replicas_over: Literal["host", "failure_domain"] | None = Field(
        None, description="vsan and ceph: where the copies of each object go: `host` (default: on different hosts) "
                          "or `failure_domain` (Ceph's CRUSH failure domain, vSAN's fault domains: the hosts' "
                          "declared failure domains). It serves while at most `size - min_size` (Ceph) or FTT "
                          "(vSAN) of them have lost a host.")
    size: int | None = Field(None, ge=1, le=10, description="ceph: copies of each placement group (default 3).")
    min_size: int | None = Field(
        None, ge=1, le=10, description="ceph: copies a placement group needs to serve I/O (default 2); below it, I/O "
                                       "to it blocks.")
    monitors: list[Slug] | None = Field(
        None, min_length=1, max_length=9,
        description="ceph: the hosts its monitors run on, whose majority it needs (default: not modelled).")

    @property
    def copies_tolerated(self) -> int:
        """How many of its hosts (or failure domains) can be lost while it still serves: Ceph's size less
        min_size, vSAN's FTT, or `failures_to_tolerate` (default 1)."""
        if self.kind == "ceph" and (self.size is not None or self.min_size is not None):
            return (3 if self.size is None else self.size) - (2 if self.min_size is None else self.min_size)
        return 1 if self.failures_to_tolerate is None else self.failures_to_tolerate
    unavailability: float | None = Field(
        None, gt=0, lt=1, description="The fraction of time it is down as a whole (default: the catalog's estimate).")


class Switch(_Strict):
    """A network switch the management cluster's hosts reach each other and their clients through."""

    name: Slug = Field(description="Unique among the design's names.", examples=["tor-a1"])
    hosts: list[Slug] = Field(max_length=256, description="The hosts connected through it (none for a core switch "
                                                          "that only links others).")
    uplinks: list[Slug] = Field(
        default_factory=list, max_length=64,
        description="Switches it links to (either side may declare a link). Once any switch declares uplinks, "
                    "switches reach each other only through declared links; with none, every switch reaches every "
                    "other.", examples=[["core-1"]])
    failure_domain: Slug | None = Field(None, description="The failure domain it sits in (it fails with it).")
    unavailability: float | None = Field(
        None, gt=0, lt=1, description="The fraction of time it is down (default: the catalog's estimate).")


class Management(_Strict):
    """A management server of the cluster (vCenter, SCVMM, pcsd): needed for live migration, not for HA restarts."""

    name: Slug = Field(description="Unique among the design's names.", examples=["vcenter"])
    kind: Literal["vcenter", "scvmm", "pcsd"] = Field(description="vcenter, scvmm or pcsd.")
    vm: Slug | None = Field(None, description="The VM it runs as, when it runs on this cluster (absent: outside).")
    failure_domain: Slug | None = Field(None, description="The failure domain it sits in, when outside the cluster.")


class Platform(_Strict):
    """The management cluster's hypervisor and how it keeps VMs running when a host fails."""

    hypervisor: Annotated[Literal["vsphere", "hyperv", "kvm"], BeforeValidator(_management_hypervisor)] = Field(
        description="The management cluster's hypervisor. The control plane cannot run on the OpenStack cloud "
                    "it manages.",
        examples=["kvm"])
    ha: Literal["vsphere-ha", "failover-cluster", "pacemaker", "none"] = Field(
        description="What restarts a failed host's VMs elsewhere: vsphere-ha (vSphere), failover-cluster (Hyper-V), "
                    "pacemaker (KVM), or none.",
        examples=["pacemaker"])
    restart_seconds: int | None = Field(
        None, ge=1, le=86_400,
        description="Seconds for the platform to restart a failed host's VMs on other hosts (default: the platform's).",
        examples=[120])
    anti_affinity: Literal["mandatory", "preferred"] = Field(
        "preferred",
        description="Whether VMs of one service must (mandatory) or should (preferred) stay on different hosts, "
                    "failover included.")
    witness: Annotated[Witness | None, BeforeValidator(_witness_from_kind)] = Field(
        None, description="The cluster's quorum witness: disk, file-share or cloud (Hyper-V), qdevice (KVM); not for "
                          "vSphere. A kind alone (`witness: qdevice`) names it `witness`.")
    fencing: Annotated[list[FencingLevel] | None, BeforeValidator(_fencing_from_kind)] = Field(
        None, max_length=8,
        description="Pacemaker's fencing levels (KVM only), tried in order; a kind alone (`fencing: ipmi`) is one "
                    "level named after it, powered by its host.")
    no_quorum_policy: Literal["stop", "freeze", "ignore", "demote", "suicide", "fence"] | None = Field(
        None, description="What a Pacemaker partition without quorum does with its VMs (default: stop): stop, demote "
                          "(for VMs the same as stop), suicide (every node of the partition fences itself; `fence` "
                          "is Pacemaker 2.1.9's name for it), freeze (keeps them, restarts nothing), ignore (keeps "
                          "them and acts as if quorate: both sides of a split run the same VMs).")
    two_node: bool | None = Field(
        None, description="Pacemaker: Corosync's two_node, one of two nodes keeps quorum (default: true for exactly "
                          "two hosts and no qdevice, as pcs sets it; it needs exactly that).")
    wait_for_all: bool | None = Field(
        None, description="Pacemaker: Corosync's wait_for_all, a cluster is quorate the first time only once every "
                          "node was up at once (default: true with two_node, false otherwise).")
    isolation_response: Literal["disabled", "power-off", "shutdown"] | None = Field(
        None, description="What a vSphere host that lost its network does with its VMs (default: disabled, "
                          "they keep running and are not restarted elsewhere).")
    capacity: Literal["enforced", "ignored"] | None = Field(
        None, description="Whether restarts need free CPU and memory on the target host. Default enforced: vSphere HA "
                          "places by reservations (reserve the VMs' vcpus and memory), Pacemaker by the utilization "
                          "the pcs export writes, Hyper-V by startup memory; `ignored` when the platform does not "
                          "check (no reservations, or Pacemaker without utilization).")


class OpenStack(_Strict):
    """The OpenStack deployment the control plane serves."""

    release: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9.-]*$", max_length=32)] | None = Field(
        None, description="The OpenStack release, as text (quote numbers: \"2025.1\").", examples=["2025.1"])
    networking: Literal["ovs", "ovn"] = Field(
        "ovs", description="The Neutron back end: ovs (agents) or ovn (OVN databases and northd).")
    l3_ha: bool = Field(
        False, description="ML2/OVS: each router runs on up to three L3 agents under VRRP (neutron `l3_ha`), so "
                           "losing an agent fails its routers over in seconds. Default false, as in Neutron and "
                           "kolla-ansible: a router lives on one agent and stops with it.")
    dhcp_agents_per_network: int = Field(
        1, ge=1, le=16, description="ML2/OVS: DHCP agents serving each network (neutron `dhcp_agents_per_network`). "
                                    "Default 1, as in Neutron and kolla-ansible: losing that agent stops boots on "
                                    "its networks until Neutron reschedules them (about 75 s).")
    storage_backend: Literal["ceph", "lvm", "nfs", "san"] = Field(
        "ceph", description="What Cinder volumes (and Glance images) are stored on: ceph (RBD: cinder-volume "
                            "active-active, image and volume operations need the Ceph monitors' quorum when "
                            "ceph-mon runs on this cluster), nfs or san (a shared back end: cinder-volume "
                            "active-passive), lvm (each cinder-volume serves the volumes on its own disks).")
    cells: list[Slug] = Field(
        default_factory=list, max_length=64,
        description="Nova cells v2 beyond the one every deployment has: each cell's database, message queue and "
                    "conductors run on the VMs that name it in `cell`; the API database, the global queue and the "
                    "super-conductor stay on VMs without one. Empty: one cell sharing the global services.",
        examples=[["cell1", "cell2"]])
    backup_target: Literal["ceph", "swift", "nfs", "s3"] = Field(
        "ceph", description="Where cinder-backup writes backups (`backup_driver`): ceph (kolla-ansible's default, "
                            "whatever the volumes are on: backups then need the Ceph monitors' quorum), swift, nfs "
                            "or s3 (outside what refarch models).")
    encrypted_volumes: bool = Field(
        False, description="Whether the cloud offers encrypted volume types, whose keys Nova and Cinder keep in "
                           "Barbican: creating, attaching and live-migrating with them then need barbican-api.")
    coordination: Literal["etcd", "valkey", "zookeeper", "none"] = Field(
        "etcd", description="The tooz coordination back end that active-active cinder-volume (with ceph) locks "
                            "through (`[coordination] backend_url`): etcd or valkey (kolla-ansible), zookeeper "
                            "(OpenStack-Ansible), which it then requires; or none (one shared `backend_host` "
                            "without locks, which the Cinder team discourages).")


class Host(_Strict):
    """A hypervisor host of the management cluster."""

    name: Slug = Field(description="Unique among hosts and VMs.", examples=["kvm-01"])
    failure_domain: Slug | None = Field(
        None, description="A failure domain declared under failure_domains (rack, power feed, chassis).",
        examples=["rack-a"])
    cpus: int | None = Field(None, ge=1, le=4_096, description="CPUs this host offers to VMs.", examples=[32])
    memory_gib: int | None = Field(None, ge=1, le=65_536, description="Memory in GiB this host offers to VMs.",
                                   examples=[256])
    unavailability: float | None = Field(
        None, gt=0, lt=1,
        description="The fraction of time this host is down (MTTR / (MTBF + MTTR)), for availability figures; "
                    "default: the platform's estimate in the catalog.", examples=[0.0001])
    state: Literal["online", "standby", "offline"] = Field(
        "online", description="As the cluster has it (an as-built file): online; standby (runs no VM and takes no "
                              "restarts, but still votes); offline (already failed: its vote, its copies and its "
                              "VMs are gone, and every analysis starts from there).")


class VM(_Strict):
    """A control-plane VM and the services it runs."""

    name: Slug = Field(description="Unique among hosts and VMs.", examples=["db-01"])
    host: Slug = Field(description="The host this VM is intended to run on.", examples=["kvm-01"])
    vcpus: int | None = Field(None, ge=1, le=1_024, description="Virtual CPUs.", examples=[8])
    memory_gib: int | None = Field(None, ge=1, le=24_576, description="Memory in GiB.", examples=[32])
    services: list[Slug] = Field(
        max_length=64, description="Service ids from the catalog that run on this VM (empty only for a VM that a "
                                   "management server runs as).",
        examples=[["galera", "rabbitmq"]])
    storage: Slug | None = Field(
        None, description="The storage its disks are on (default: the design's one shared storage, when it declares "
                          "one).")
    cell: Slug | None = Field(
        None, description="The Nova cell (declared under openstack.cells) whose database, queue, conductors or "
                          "console proxies this VM runs; absent: the global ones.", examples=["cell1"])
    restart_priority: Literal["high", "medium", "low"] | None = Field(
        None, description="Restart order after a host failure: high first, each group once the one before is ready "
                          "(default: high for databases, queues and load balancers, medium for the rest).")


    @property
    def service_ids(self) -> list[str]:
        """Its services as the failure model names them: in a cell, `galera@cell1` (that cell's own
        cluster), in the same order as `services`."""
        return [f"{sid}@{self.cell}" for sid in self.services] if self.cell else list(self.services)


class Decision(_Strict):
    """A design decision, with why it was taken and what it implies."""

    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=32)] = Field(
        description="A short id, unique in this file.", examples=["D01"])
    decision: Prose = Field(description="What was decided.")
    justification: Prose = Field(description="Why.")
    implication: Prose = Field(description="What follows from it, good and bad.")


class Waiver(_Strict):
    """Accept one finding of one rule for one target, with a reason."""

    rule: Annotated[str, StringConstraints(pattern=r"^[A-Z]+[0-9]{3}$", max_length=16)] = Field(
        description="The rule id, e.g. RED003.", examples=["RED003"])
    target: Annotated[str, StringConstraints(pattern=SLUG_PATTERN[:-1] + r"(@[a-z0-9]+(-[a-z0-9]+)*)?$",
                                             max_length=2 * SLUG_MAX + 1)] = Field(
        description="The host, VM or service the finding is about (a Nova cell's own: `galera@cell1`).")
    reason: Prose = Field(description="Why the finding is acceptable in this design.")


class Reliability(_Strict):
    """This design's own figures for the failure events beyond hardware (default: the catalog's estimates in
    generator/catalog/reliability.yaml)."""

    guest_unavailability: float | None = Field(
        None, ge=0, lt=1, description="The fraction of time a VM is down by its own failure (a crash or hang; 0: "
                                      "never).")
    process_unavailability: float | None = Field(
        None, ge=0, lt=1, description="The fraction of time one service's process on one VM is down by itself "
                                      "(0: never).")
    common_cause_beta: float | None = Field(
        None, ge=0, lt=1, description="The fraction of a member's failures that hit every member of a quorum or "
                                      "active-active service at once (a bad release or configuration change).")
    maintenance_per_year: float | None = Field(
        None, ge=0, le=365, description="How often each host is emptied for planned work, a year (0: never).")
    maintenance_hours: float | None = Field(None, gt=0, le=168, description="How long each such emptying lasts.")


class Source(_Strict):
    """What `refarch import` read an as-built file from."""

    kind: Literal["pacemaker", "crm_mon", "rvtools", "hyperv"] = Field(description="The kind of source.")
    file: Annotated[str, StringConstraints(max_length=256)] = Field(description="Its file name, as given.")
    taken: Annotated[str, StringConstraints(max_length=64)] | None = Field(
        None, description="The source's own time (a CIB's cib-last-written, crm_mon's last update, the RVTools "
                          "export's), as it gives it; never the import's clock.")


class Architecture(_Strict):
    """A reference architecture: an OpenStack control plane as VMs on a management cluster."""

    model_config = ConfigDict(title="refarch architecture (schema v1)")

    id: Slug = Field(description="Equals the file name without .yaml.", examples=["kvm-three-hosts"])
    title: Title = Field(description="Plain text, one line.", examples=["KVM with Pacemaker, three hosts"])
    summary: Markdown = Field(description="Why this design, for whom. Markdown; raw HTML is not allowed.")
    status: Literal["reference", "example", "counterexample"] = Field(
        "reference", description="reference (a design to follow), example, or counterexample (a design that "
                                 "shows what fails; it must raise errors).")
    platform: Platform
    openstack: OpenStack = Field(default_factory=OpenStack)
    failure_domains: list[Slug] = Field(
        default_factory=list, max_length=64, description="Racks, power feeds or chassis that hosts belong to.",
        examples=[["rack-a", "rack-b", "rack-c"]])
    hosts: list[Host] = Field(min_length=1, max_length=256, description="The management cluster's hosts.")
    storage: list[Storage] = Field(default_factory=list, max_length=64,
                                   description="Where VM disks live (none declared: shared storage that cannot fail).")
    switches: list[Switch] = Field(default_factory=list, max_length=256,
                                   description="Switches the hosts are connected through (none: the network "
                                               "cannot fail).")
    management: list[Management] = Field(default_factory=list, max_length=8,
                                         description="Management servers: vCenter, SCVMM, pcsd.")
    vms: list[VM] = Field(min_length=1, max_length=1_024, description="The control-plane VMs.")
    decisions: list[Decision] = Field(default_factory=list, max_length=100, description="Design decisions.")
    as_built_of: Slug | None = Field(
        None, description="An as-built file (read from a running cluster by `refarch import`): the id of the design "
                          "it was built from, which the site and `refarch drift` compare it with.")
    source: Source | None = Field(None, description="Where an as-built file was read from (`refarch import`).")
    reliability: Reliability = Field(
        default_factory=Reliability, description="Figures for failures beyond hardware, where you know better than "
                                                 "the catalog's estimates.")
    waivers: list[Waiver] = Field(default_factory=list, max_length=100,
                                  description="Findings accepted for this design, each with a reason.")

    def platform_parts(self) -> list[PlatformPart]:
        """The management cluster's own parts that can fail alone, in the order a reader meets them: the
        witness, the fencing levels (in order), shared storage, switches, management servers. A host's
        local disk is none: it fails with its host."""
        witness = self.platform.witness
        parts = [PlatformPart(witness.name, "witness", witness.kind, witness.failure_domain)] if witness else []
        parts += [PlatformPart(level.name, "fencing", level.kind, None, order=i)
                  for i, level in enumerate(self.platform.fencing or [], start=1)]
        parts += [PlatformPart(s.name, "storage", s.kind, s.failure_domain) for s in self.storage if s.kind != "local"]
        parts += [PlatformPart(s.name, "switch", "switch", s.failure_domain) for s in self.switches]
        parts += [PlatformPart(m.name, "management", m.kind, m.failure_domain, vm=m.vm) for m in self.management]
        return parts


@dataclasses.dataclass(frozen=True)
class PlatformPart:
    """One of the management cluster's own parts: its name, what it is (witness, fencing, storage, switch,
    management) and of which kind (file-share, ipmi, ceph, vcenter, ...), where it sits."""

    name: str
    what: str
    kind: str
    failure_domain: str | None
    order: int = 0  # a fencing level's place in the order Pacemaker tries them
    vm: str | None = None  # a management server's VM, when it runs on the cluster


def json_schema() -> dict[str, Any]:
    """The JSON Schema editors use to complete and check architecture files."""
    schema = Architecture.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
