"""Which OpenStack services each host of a deployment runs: a kolla-ansible inventory (INI, the
multinode layout or refarch's own export, with `[group:children]` and host ranges like `ctl[01:03]`),
limited by what its globals.yml enables; or OpenStack-Ansible's `openstack_inventory.json`.

An inventory says where services would run, not which are enabled: kolla-ansible's defaults (in
`generator/catalog/deployment.yaml`, with sources) stand for a flag globals.yml does not set, and the
services they leave out are listed. Groups refarch does not map to a service are listed too.
"""

from __future__ import annotations

import dataclasses
import json
import re

from generator import catalog
from generator.imports import SourceError
from generator.model import loader

MAX_BYTES = 16 * 1024 * 1024
_RANGE = re.compile(r"\[([0-9]+):([0-9]+)\]")


@dataclasses.dataclass
class Inventory:
    hosts: dict[str, list[str]]  # inventory host -> service ids, in the catalog's order
    unknown_groups: list[str]
    disabled: list[str]  # services an inventory places that globals.yml (or kolla's default) leaves off
    networking: str | None  # ovs or ovn, where the inventory says
    # `openstack` settings the deployment's configuration gives: setting -> (value, where it came from)
    settings: dict[str, tuple[object, str]] = dataclasses.field(default_factory=dict)


def kolla(raw: bytes, file: str, globals_raw: bytes | None = None, globals_file: str = "") -> Inventory:
    text = _text(raw, file)
    groups: dict[str, set[str]] = {}
    children: dict[str, set[str]] = {}
    section: tuple[str, str] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].split(";", 1)[0].strip() if not line.lstrip().startswith(("#", ";")) else ""
        if not line:
            continue
        if line.startswith("["):
            if not line.endswith("]") or len(line) < 3:
                raise SourceError(file, f"line {number}", f"`{line}` is no [group] header")
            name, _, kind = line[1:-1].partition(":")
            section = (name.strip(), kind.strip())
            groups.setdefault(section[0], set())
            continue
        if section is None:
            raise SourceError(file, f"line {number}", "a host before any [group] header")
        name, kind = section
        token = line.split()[0]
        if kind == "children":
            children.setdefault(name, set()).add(token)
            groups.setdefault(token, set())
        elif kind == "vars":
            continue
        elif kind:
            raise SourceError(file, f"line {number}", f"[{name}:{kind}]: only :children and :vars are sections")
        else:
            groups[name] |= set(_expand(token, file, number))
    members = {group: _members(group, groups, children, set()) for group in groups}
    settings = _globals(globals_raw, globals_file) if globals_raw is not None else {}
    deployment = catalog.deployment().kolla
    plugin = str(settings.get("neutron_plugin_agent", "openvswitch"))
    known = {"all", "ungrouped", *deployment.top_groups, *(g for s in deployment.services.values() for g in s.groups)}
    hosts: dict[str, list[str]] = {}
    disabled: set[str] = set()
    for sid, placement in deployment.services.items():
        runs_on = set().union(*(members.get(group, set()) for group in placement.groups))
        if not runs_on:
            continue
        enable = deployment.enable[sid]
        value = settings.get(enable.flag, enable.default)
        on = _truthy(value) if isinstance(value, (bool, str, int)) else enable.default
        if not on or (enable.plugin is not None and enable.plugin != plugin):
            disabled.add(sid)
            continue
        for host in runs_on:
            hosts.setdefault(host, []).append(sid)
    every = {h for group in groups.values() for h in group}
    for host in every:
        hosts.setdefault(host, [])
    order = list(deployment.services)
    return Inventory({h: sorted(s, key=order.index) for h, s in sorted(hosts.items())},
                     sorted(g for g in groups if g not in known), sorted(disabled, key=order.index),
                     "ovn" if plugin == "ovn" else "ovs", _kolla_settings(settings, globals_file))


def _kolla_settings(settings: dict[str, object], file: str) -> dict[str, tuple[object, str]]:
    """The design settings kolla-ansible's globals.yml decides: the release, the volume back end, and the
    coordination back end cinder locks through (kolla-ansible's default: Valkey if enabled, else etcd if
    enabled, else none)."""
    found: dict[str, tuple[object, str]] = {}
    release = settings.get("openstack_release")
    if isinstance(release, str) and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9.-]*", release):
        found["release"] = (release, f"{file} openstack_release")
    for flag, backend in (("cinder_backend_ceph", "ceph"), ("enable_cinder_backend_lvm", "lvm"),
                          ("enable_cinder_backend_nfs", "nfs")):
        if _truthy(settings.get(flag)):
            found["storage_backend"] = (backend, f"{file} {flag}")
            break
    chosen = settings.get("cinder_coordination_backend")
    if isinstance(chosen, str) and chosen in ("etcd", "valkey", "redis", ""):
        found["coordination"] = ({"redis": "valkey", "": "none"}.get(chosen, chosen),
                                 f"{file} cinder_coordination_backend")
    else:
        enable = catalog.deployment().kolla.enable
        valkey = _truthy(settings.get("enable_valkey", enable["valkey"].default))
        etcd = _truthy(settings.get("enable_etcd", enable["etcd"].default))
        found["coordination"] = ("valkey" if valkey else "etcd" if etcd else "none",
                                 "kolla-ansible's cinder_coordination_backend default")
    return found


def openstack_ansible(raw: bytes, file: str, release: str | None = None) -> Inventory:
    """OpenStack-Ansible's `openstack_inventory.json`: the host groups (`shared-infra_hosts`, ...) list
    the physical hosts (here, the VMs) that run each group's containers."""
    try:
        data = json.loads(_text(raw, file))
    except json.JSONDecodeError as error:
        raise SourceError(file, f"line {error.lineno}, column {error.colno}", f"not JSON ({error.msg})") from None
    if not isinstance(data, dict):
        raise SourceError(file, "top level", "not an object of groups")
    osa = catalog.deployment().openstack_ansible
    release = release if release in osa.releases else osa.default_release
    hosts: dict[str, list[str]] = {}
    known: set[str] = {"_meta", "all", "all_containers", "hosts"}
    for sid in osa.services:
        for group in osa.groups(sid, release):
            variants = {group, group.replace("_", "-", 1), group.replace("-", "_")}
            known |= variants
            for name in variants:
                entry = data.get(name)
                if isinstance(entry, dict) and isinstance(entry.get("hosts"), list):
                    for host in entry["hosts"]:
                        if isinstance(host, str) and sid not in hosts.setdefault(host, []):
                            hosts[host].append(sid)
    order = list(osa.services)
    unknown = sorted(g for g in data if g not in known and not g.endswith(("_container", "_containers")))
    return Inventory({h: sorted(s, key=order.index) for h, s in sorted(hosts.items())}, unknown, [],
                     "ovn" if any("ovn-northd" in s for s in hosts.values()) else None)


def _text(raw: bytes, file: str) -> str:
    if len(raw) > MAX_BYTES:
        raise SourceError(file, "", f"{len(raw):,} bytes, more than an inventory holds")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SourceError(file, f"byte {error.start}", "not UTF-8 text") from None


def _expand(token: str, file: str, number: int) -> list[str]:
    """An Ansible host pattern's hosts: `ctl[01:03]` is ctl01, ctl02, ctl03 (leading zeros kept)."""
    match = _RANGE.search(token)
    if match is None:
        return [token]
    first, last = match[1], match[2]
    if int(last) < int(first) or int(last) - int(first) > 4096:
        raise SourceError(file, f"line {number}", f"`{token}`: a range from {first} to {last}")
    width = len(first) if first.startswith("0") else 0
    return [host for i in range(int(first), int(last) + 1)
            for host in _expand(token[:match.start()] + str(i).zfill(width) + token[match.end():], file, number)]


def _members(group: str, groups: dict[str, set[str]], children: dict[str, set[str]], seen: set[str]) -> set[str]:
    if group in seen:  # a cycle of children: Ansible refuses it, here it adds nothing more
        return set()
    found = set(groups.get(group, set()))
    for child in children.get(group, set()):
        found |= _members(child, groups, children, seen | {group})
    return found


def _globals(raw: bytes, file: str) -> dict[str, object]:
    loaded = loader.load(raw, file)
    if loaded.problems:
        raise SourceError(file, "", str(loaded.problems[0]).removeprefix(f"{file}:"))
    if loaded.data is None:
        return {}
    if not isinstance(loaded.data, dict):
        raise SourceError(file, "top level", "not a mapping of settings")
    return {str(k): v for k, v in loaded.data.items()}


def _truthy(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() in ("yes", "true", "on", "1")) or (
        isinstance(value, int) and not isinstance(value, bool) and value != 0)
