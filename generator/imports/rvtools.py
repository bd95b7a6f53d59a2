"""A vSphere cluster read from an RVTools export: the workbook (`.xlsx`, read with python-calamine) or the
folder of its CSV export (`RVTools_tab<tab>.csv`).

`vInfo` gives the VMs (power state, host, cluster, CPUs, memory in MiB, DNS name, HA restart priority,
the datastore in its path, and the DRS rules each VM is in: `Cluster rule(s)` their types, `Cluster rule
name(s)` their names), `vHost` the hosts (cores, memory in MiB, maintenance mode, connection state),
`vCluster` whether HA is on, its isolation response and admission control, `vDatastore` each datastore's
type, and `vMetaData` when the export was taken. `--cluster NAME` picks the management cluster when the
export holds several. Column names differ between RVTools versions: each is looked up under the names
those versions use.

A VM-VM anti-affinity rule makes anti-affinity `preferred`: whether vSphere HA respects such rules when it
restarts VMs (which would make it `mandatory`) is an HA setting RVTools does not export, so the file says
so. Affinity and VM-host rules are listed as not modelled.

A workbook is a zip archive: before anything is unpacked, its members' count, declared sizes and
compression ratios are bounded, and each member is read with a cap at its declared size, so that a zip
bomb is refused without being unpacked (https://docs.python.org/3/library/zipfile.html#decompression-pitfalls).
"""

from __future__ import annotations

import csv
import io
import math
import zipfile
import zlib
from pathlib import Path

from generator.imports import Built, BuiltHost, BuiltVM, SourceError, slug, unique_name

MAX_FILE = 256 * 1024 * 1024
MAX_MEMBERS = 2_000
MAX_MEMBER = 512 * 1024 * 1024  # uncompressed, declared
MAX_TOTAL = 1024 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed for a member of more than a megabyte
TABS = ("vInfo", "vHost", "vCluster", "vDatastore", "vMetaData")
# Each column under the names RVTools versions give it.
COLUMNS = {
    "vm": ("VM",), "power": ("Powerstate", "Power state"), "template": ("Template",), "cpus": ("CPUs",),
    "memory": ("Memory",), "host": ("Host",), "cluster": ("Cluster",), "dns": ("DNS Name",),
    "priority": ("HA Restart Priority", "DAS Restart Priority"), "path": ("Path",),
    "cores": ("# Cores",), "host_memory": ("# Memory",), "maintenance": ("in Maintenance Mode", "Maintenance Mode"),
    "connection": ("Connection state", "Connection State"), "name": ("Name",), "ha": ("HA enabled", "HA Enabled"),
    "isolation": ("Isolation Response", "HA Isolation Response"), "type": ("Type",),
    "created": ("xlsx creation datetime", "Creation date", "Export date"),
    "rule_types": ("Cluster rule(s)",), "rule_names": ("Cluster rule name(s)",),
    "admission": ("AdmissionControlEnabled", "Admission Control Enabled"), "failover_level": ("Failover Level",),
}
ISOLATION = {"none": "disabled", "disabled": "disabled", "poweroff": "power-off", "power-off": "power-off",
             "shutdown": "shutdown"}
PRIORITY = {"highest": "high", "high": "high", "medium": "medium", "low": "low", "lowest": "low"}
KINDS = {"vmfs": "san", "nfs": "nfs", "nfs41": "nfs", "vsan": "vsan", "vvol": "san"}


def read(path: Path, file: str, cluster: str | None = None) -> Built:
    tabs = _folder(path, file) if path.is_dir() else _workbook(path, file)
    for needed in ("vInfo", "vHost"):
        if needed not in tabs:
            raise SourceError(file, needed, f"no {needed} tab (an RVTools export has one)")
    info, hosts = tabs["vInfo"], tabs["vHost"]
    clusters = sorted({row.get("cluster", "") for row in info.rows} - {""})
    if cluster is None:
        if len(clusters) > 1:
            raise SourceError(file, "vInfo Cluster", f"{len(clusters)} clusters ({', '.join(clusters)}): name the "
                                                      "management cluster with --cluster")
        cluster = clusters[0] if clusters else ""
    elif cluster not in clusters:
        raise SourceError(file, "vInfo Cluster", f"no VM in cluster `{cluster}`; the export has "
                                                  f"{', '.join(clusters) or 'none'}")
    meta = tabs.get("vMetaData")
    taken = next((row["created"] for row in meta.rows if row.get("created")), None) if meta else None
    built = Built("rvtools", file, taken, "vsphere", "vsphere-ha", [], [])
    settings = next((row for row in tabs["vCluster"].rows if row.get("name") == cluster), None) \
        if "vCluster" in tabs else None
    if settings is None:
        built.missing.append("HA settings (no vCluster row for the cluster)")
    else:
        if settings.get("ha", "").lower() in ("false", "no", "0"):
            built.ha = "none"
        response = ISOLATION.get(settings.get("isolation", "").lower().replace(" ", ""))
        if response and response != "disabled":
            built.isolation_response = response
        admission = settings.get("admission", "").lower()
        if admission in ("false", "no", "0"):
            built.notes.append("vCluster: admission control is off, so nothing reserves room for HA restarts")
        elif admission in ("true", "yes", "1"):
            level = settings.get("failover_level")
            built.notes.append(f"vCluster: admission control is on{f' (failover level {level})' if level else ''}")
    names: dict[str, str] = {}
    rules: dict[str, set[str]] = {}  # anti-affinity rule name -> the VMs in it
    for number, row in hosts.numbered():
        if row.get("cluster", cluster) != cluster:
            continue
        full = row.get("host", "")
        host = BuiltHost(unique_name(_short(full, [r.get("host", "") for r in hosts.rows]), built.hosts, file,
                                     f"vHost row {number}", "rows"), f"vHost {full}")
        host.cpus = _whole(row.get("cores"))
        mib = _whole(row.get("host_memory"))
        host.memory_gib = max(1, math.ceil(mib / 1024)) if mib else None
        if row.get("maintenance", "").lower() in ("true", "yes", "1"):
            host.state = "standby"
            host.notes.append("in maintenance mode")
        if row.get("connection", "connected").lower() in ("notresponding", "disconnected"):
            host.state = "offline"
            host.notes.append(f"connection state {row['connection']}")
        names[full] = host.name
        built.hosts.append(host)
    if not built.hosts:
        raise SourceError(file, "vHost", f"no host in cluster `{cluster}`")
    kinds = {row.get("name", ""): KINDS.get(row.get("type", "").lower().replace(" ", ""))
             for row in tabs["vDatastore"].rows} if "vDatastore" in tabs else {}
    for number, row in info.numbered():
        if row.get("cluster", cluster) != cluster or row.get("template", "").lower() in ("true", "yes"):
            continue
        host = row.get("host", "")
        if host not in names:
            raise SourceError(file, f"vInfo row {number}", f"VM `{row.get('vm', '')}` is on host `{host}`, which "
                                                           "vHost does not list in the cluster")
        vm = BuiltVM(unique_name(slug(row.get("vm", "")), built.vms, file, f"vInfo row {number}", "rows"), names[host],
                     f"vInfo {row.get('vm', '')}", dns_name=row.get("dns") or None)
        vm.vcpus = _whole(row.get("cpus"))
        mib = _whole(row.get("memory"))
        vm.memory_gib = max(1, math.ceil(mib / 1024)) if mib else None
        if row.get("power", "").lower() not in ("poweredon", "on"):
            vm.running = False
            vm.notes.append(f"power state {row.get('power', 'unknown')}")
        priority = PRIORITY.get(row.get("priority", "").lower())
        if priority:
            vm.notes.append(f"HA restart priority {priority}")
            vm.restart_priority = priority
        datastore = row.get("path", "").split("]", 1)[0].lstrip("[") if row.get("path", "").startswith("[") else ""
        if datastore and kinds.get(datastore):
            vm.storage = slug(datastore)
            built.storage.setdefault(vm.storage, (kinds[datastore], f"vDatastore {datastore}"))
        _rules(row, vm, rules, built)
        built.vms.append(vm)
    if not built.vms:
        raise SourceError(file, "vInfo", f"no VM in cluster `{cluster}`")
    if "rule_names" not in info.columns:
        built.missing.append("anti-affinity (this export has no `Cluster rule name(s)` column)")
    elif rules:
        built.anti_affinity = "preferred"
        built.anti_affinity_origin = (f"DRS anti-affinity rule(s) {', '.join(sorted(rules))}; whether HA respects "
                                      "them during failover is not in the export")
        running = [vm for vm in built.vms if vm.running]
        outside = [vm.name for vm in running if not any(vm.name in members for members in rules.values())]
        if outside and len(outside) < len(running):
            built.notes.append(f"VMs in no anti-affinity rule: {', '.join(outside)}")
    return built


def _rules(row: dict[str, str], vm: BuiltVM, rules: dict[str, set[str]], built: Built) -> None:
    """The DRS rules a VM is in, from its comma-separated rule types and names (one type per name)."""
    names = [name.strip() for name in row.get("rule_names", "").split(",") if name.strip()]
    types = [kind.strip() for kind in row.get("rule_types", "").split(",")]
    for index, name in enumerate(names):
        kind = types[index] if index < len(types) else ""
        spelled = kind.lower().replace("-", "").replace(" ", "")
        if "antiaffinity" in spelled and "host" not in spelled:
            rules.setdefault(name, set()).add(vm.name)
            vm.notes.append(f"DRS rule {name}")
        else:
            item = f"DRS rule {name} ({kind or 'type not in the export'})"
            if item not in built.ignored:
                built.ignored.append(item)


class Tab:
    """One tab's rows as {column key: text}, the keys of COLUMNS, with their row numbers (the header is 1)."""

    def __init__(self, name: str, file: str, rows: list[list[object]]) -> None:
        if not rows:
            raise SourceError(file, name, "an empty tab")
        header = [str(cell).strip() for cell in rows[0]]
        wanted = {key: next((header.index(n) for n in names if n in header), None) for key, names in COLUMNS.items()}
        required = {"vInfo": ("vm", "host"), "vHost": ("host",), "vCluster": ("name",), "vDatastore": ("name",)}
        for key in required.get(name, ()):
            if wanted[key] is None:
                raise SourceError(file, f"{name} header", f"no `{COLUMNS[key][0]}` column")
        self.columns = {key for key, index in wanted.items() if index is not None}
        self.rows = [{key: _text(row[index]) for key, index in wanted.items() if index is not None and index < len(row)}
                     for row in rows[1:]]

    def numbered(self):
        return enumerate(self.rows, start=2)


def _workbook(path: Path, file: str) -> dict[str, Tab]:
    raw = _bounded(path, file)
    _check_zip(raw, file)
    from python_calamine import CalamineWorkbook  # imported here: only this reader needs it

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(raw))
        return {name: Tab(name, file, book.get_sheet_by_name(name).to_python()) for name in TABS
                if name in book.sheet_names}
    except SourceError:
        raise
    except Exception as error:  # calamine's own errors: a workbook it cannot read
        raise SourceError(file, "", f"not a workbook calamine reads ({type(error).__name__})") from None


def _folder(path: Path, file: str) -> dict[str, Tab]:
    tabs = {}
    for name in TABS:
        candidate = path / f"RVTools_tab{name}.csv"
        if candidate.is_file():
            text = _bounded(candidate, file).decode("utf-8-sig", errors="replace")
            tabs[name] = Tab(name, f"{file}/{candidate.name}", list(csv.reader(io.StringIO(text))))
    return tabs


def _bounded(path: Path, file: str) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE:
            raise SourceError(file, "", f"{size:,} bytes, more than the {MAX_FILE:,} an import reads")
        return path.read_bytes()
    except OSError as error:
        raise SourceError(file, "", f"cannot read it: {error.strerror}") from None


def _check_zip(raw: bytes, file: str) -> None:
    """Refuse a workbook whose archive would unpack into far more than it holds."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile:
        raise SourceError(file, "", "not a workbook (an .xlsx is a zip archive)") from None
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise SourceError(file, "", f"{len(members):,} archive members, more than a workbook has")
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > MAX_MEMBER or total > MAX_TOTAL or (member.file_size > 1_000_000 and ratio > MAX_RATIO):
            raise SourceError(file, member.filename, f"would unpack to {member.file_size:,} bytes from "
                                                     f"{member.compress_size:,}: refused as a zip bomb")
        try:  # the declared size must be the real one (zipfile stops at it and checks the CRC)
            with archive.open(member) as handle:
                read = 0
                while chunk := handle.read(1 << 20):
                    read += len(chunk)
                    if read > member.file_size:
                        raise SourceError(file, member.filename, "unpacks to more than it declares: refused")
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as error:
            raise SourceError(file, member.filename, f"unpacks to more than it declares, or to something else "
                                                     f"({error}): refused") from None


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def _whole(text: str | None) -> int | None:
    try:
        value = float(text) if text else None
    except ValueError:
        return None
    return int(value) if value is not None and value >= 1 else None


def _short(full: str, every: list[str]) -> str:
    """A host's short name when no other host of the export shares it, else its whole name."""
    short = full.split(".")[0]
    return slug(short if sum(1 for h in every if h.split(".")[0] == short) == 1 else full)
