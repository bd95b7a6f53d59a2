"""A Hyper-V failover cluster read from what `scripts/collect-hyperv.ps1` writes: nodes and their state
(Up online, Paused standby, Down offline), the quorum type and witness, the VM roles with their owner
node, state, anti-affinity class names, processors and startup memory, and the Cluster Shared Volumes.

The collector's output is `Collection` below; `hyperv.schema.json` beside this module is its JSON Schema
(tests hold the two equal). Sources: Get-ClusterNode, Get-ClusterQuorum, Get-ClusterGroup, Hyper-V's
Get-VM and Get-ClusterSharedVolume (https://learn.microsoft.com/powershell/module/failoverclusters/).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from generator.imports import Built, BuiltHost, BuiltVM, SourceError, slug, unique_name

MAX_BYTES = 64 * 1024 * 1024
SCHEMA = Path(__file__).resolve().parent / "hyperv.schema.json"
NODE_STATES = {"Up": "online", "Paused": "standby", "Down": "offline", "Joining": "offline"}
WITNESSES = {"NodeAndFileShareMajority": "file-share", "NodeAndDiskMajority": "disk", "DiskOnly": "disk",
             "NodeAndCloudMajority": "cloud"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ClusterInfo(_Strict):
    name: str = Field(max_length=256)
    enforced_anti_affinity: int = Field(0, ge=0, le=1)  # ClusterEnforcedAntiAffinity


class Quorum(_Strict):
    type: str = Field(max_length=64)  # QuorumType: NodeMajority, NodeAndFileShareMajority, ...
    resource: str = Field("", max_length=256)


class Node(_Strict):
    name: str = Field(max_length=256)
    state: str = Field(max_length=32)


class VirtualMachine(_Strict):
    name: str = Field(max_length=256)
    owner: str = Field(max_length=256)
    state: str = Field(max_length=32)  # the role's state: Online, Offline, Failed, ...
    anti_affinity: list[str] = Field(default_factory=list, max_length=64)
    processors: int = Field(ge=0)
    memory_startup_bytes: int = Field(ge=0)
    path: str = Field("", max_length=1024)


class Volume(_Strict):
    name: str = Field(max_length=256)
    path: str = Field("", max_length=1024)


class Collection(_Strict):
    """What scripts/collect-hyperv.ps1 writes."""

    model_config = ConfigDict(extra="forbid", strict=True, title="refarch Hyper-V collection (refarch-hyperv/1)")

    format: Literal["refarch-hyperv/1"]
    taken: str = Field(max_length=64)
    cluster: ClusterInfo
    quorum: Quorum
    nodes: list[Node] = Field(min_length=1, max_length=64)
    vms: list[VirtualMachine] = Field(max_length=4096)
    csvs: list[Volume] = Field(default_factory=list, max_length=256)


def json_schema() -> dict:
    return Collection.model_json_schema()


def read(raw: bytes, file: str) -> Built:
    if len(raw) > MAX_BYTES:
        raise SourceError(file, "", f"{len(raw):,} bytes, more than a collection holds")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise SourceError(file, f"byte {error.start}", "not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise SourceError(file, f"line {error.lineno}, column {error.colno}", f"not JSON ({error.msg})") from None
    try:
        found = Collection.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "top level"
        raise SourceError(file, where, f"{first['msg']} (the collector's format: {SCHEMA.name})") from None
    built = Built("hyperv", file, found.taken, "hyperv", "failover-cluster", [], [])
    names: dict[str, str] = {}
    for node in found.nodes:
        host = BuiltHost(unique_name(slug(node.name), built.hosts, file, f"nodes {node.name}"), f"node {node.name}")
        host.state = NODE_STATES.get(node.state, "offline")
        if node.state not in NODE_STATES:
            host.notes.append(f"state {node.state} taken as offline")
        names[node.name.lower()] = host.name
        built.hosts.append(host)
    built.missing.append("host CPUs and memory (the collector does not read them)")
    volumes = sorted(found.csvs, key=lambda v: -len(v.path))
    for volume in found.csvs:
        built.storage.setdefault(unique_name(slug(volume.name), [], file, f"csvs {volume.name}"),
                                 ("csv", f"csv {volume.name}"))
    classes = False
    for vm in found.vms:
        owner = names.get(vm.owner.lower())
        if owner is None:
            raise SourceError(file, f"vms {vm.name}", f"owned by `{vm.owner}`, which is no node listed")
        item = BuiltVM(unique_name(slug(vm.name), built.vms, file, f"vms {vm.name}"), owner, f"VM role {vm.name}")
        item.vcpus = vm.processors or None
        item.memory_gib = max(1, math.ceil(vm.memory_startup_bytes / 2**30)) if vm.memory_startup_bytes else None
        if vm.state != "Online":
            item.running = False
            item.notes.append(f"role state {vm.state}")
        volume = next((v for v in volumes if v.path and vm.path.lower().startswith(v.path.lower())), None)
        if volume is not None:
            item.storage = slug(volume.name)
        classes |= bool(vm.anti_affinity)
        built.vms.append(item)
    if classes:
        built.anti_affinity = "mandatory" if found.cluster.enforced_anti_affinity else "preferred"
        built.anti_affinity_origin = (f"AntiAffinityClassNames, ClusterEnforcedAntiAffinity="
                                      f"{found.cluster.enforced_anti_affinity}")
    kind = WITNESSES.get(found.quorum.type)
    if kind is not None:
        built.witness = {"kind": kind, "name": slug(found.quorum.resource) or "witness",
                         "origin": f"quorum {found.quorum.type} {found.quorum.resource}"}
    elif found.quorum.type != "NodeMajority":
        built.notes.append(f"quorum type {found.quorum.type}: no witness taken")
    if not built.vms:
        raise SourceError(file, "vms", "no VM role: no VM to import")
    return built
