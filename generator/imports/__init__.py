"""`refarch import`: a running management cluster read into an as-built architecture file.

Each reader turns one kind of source (a Pacemaker CIB or crm_mon's XML, an RVTools export, the Hyper-V
collector's JSON) into `Built`, the cluster's facts with where each came from and what the source did
not say; `inventory.py` reads which OpenStack services each VM runs from a deployment inventory; and
`write.py` writes the as-built YAML, a comment beside every value naming its source. Nothing here
guesses: a value the sources do not give is left to the schema's documented default and flagged.

Every reader treats its input as hostile: no XML entity is ever resolved, sizes are bounded before
anything is unpacked, and a problem is one `SourceError` line naming the file and the element, row or
column (the command exits 2 and writes nothing).
"""

from __future__ import annotations

import dataclasses
import re

from generator.model.architecture import SLUG_MAX


class SourceError(Exception):
    """An input refarch cannot read as what it claims to be: one line, naming the file and the place."""

    def __init__(self, file: str, where: str, message: str) -> None:
        super().__init__(f"{file}: {where}: {message}" if where else f"{file}: {message}")


@dataclasses.dataclass
class BuiltHost:
    name: str
    origin: str  # the source element it was read from: "node kvm-01 (id 1)"
    state: str = "online"
    cpus: int | None = None
    memory_gib: int | None = None
    notes: list[str] = dataclasses.field(default_factory=list)  # what was assumed or not in the source


@dataclasses.dataclass
class BuiltVM:
    name: str
    host: str
    origin: str
    running: bool = True  # False: stopped; `host` is then where it last ran, or was meant to
    vcpus: int | None = None
    memory_gib: int | None = None
    dns_name: str | None = None  # what an inventory may know it as (RVTools' DNS name)
    storage: str | None = None  # the storage its disks are on, when the source says (a datastore)
    restart_priority: str | None = None
    notes: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class BuiltLevel:
    name: str
    kind: str
    origin: str
    notes: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Built:
    """A running cluster's facts, each with its source; `missing` lists what the source does not carry."""

    kind: str  # pacemaker, crm_mon, rvtools, hyperv
    file: str
    taken: str | None
    hypervisor: str
    ha: str
    hosts: list[BuiltHost]
    vms: list[BuiltVM]
    anti_affinity: str | None = None
    anti_affinity_origin: str = ""
    fencing: list[BuiltLevel] | None = None  # None: the source says nothing of fencing
    no_quorum_policy: str | None = None
    witness: dict[str, str] | None = None
    two_node: bool | None = None
    wait_for_all: bool | None = None
    isolation_response: str | None = None
    storage: dict[str, tuple[str, str]] = dataclasses.field(default_factory=dict)  # name -> (kind, origin)
    missing: list[str] = dataclasses.field(default_factory=list)  # "failure_domain", "utilization", ...
    ignored: list[str] = dataclasses.field(default_factory=list)  # source elements refarch does not model
    notes: list[str] = dataclasses.field(default_factory=list)


def unique_name(name: str, existing: list, file: str, where: str, entries: str = "entries") -> str:
    """`name`, refused when empty or already taken by one of `existing` (what the source calls its
    `entries`: rows, entries)."""
    if not name:
        raise SourceError(file, where, "gives no usable name")
    if any(item.name == name for item in existing):
        raise SourceError(file, where, f"two {entries} give the name `{name}`")
    return name


def slug(text: str) -> str:
    """A source's name as an architecture name: lower case, runs of other characters as one hyphen."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:SLUG_MAX].strip("-")


def vm_name(resource: str) -> str:
    """A VirtualDomain resource's id as a VM name: without the `vm-` prefix the pcs export gives it."""
    return slug(resource[3:] if resource.startswith("vm-") and len(resource) > 3 else resource)
