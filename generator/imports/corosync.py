"""Corosync's quorum settings, read from corosync.conf: `two_node`, `wait_for_all` and a quorum device
(votequorum(5), corosync-qdevice(8)); the CIB does not hold them."""

from __future__ import annotations

from generator.imports import SourceError, slug

MAX_BYTES = 1024 * 1024


def read(raw: bytes, file: str) -> dict[str, object]:
    """{"two_node": bool, "wait_for_all": bool, "witness": {"kind": "qdevice", "name": ...}} for what the
    quorum section sets."""
    if len(raw) > MAX_BYTES:
        raise SourceError(file, "", f"{len(raw):,} bytes, more than a corosync.conf holds")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SourceError(file, f"byte {error.start}", "not UTF-8 text") from None
    path: list[str] = []
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.endswith("{"):
            path.append(line[:-1].strip())
        elif line == "}":
            if not path:
                raise SourceError(file, f"line {number}", "a `}` closes no section")
            path.pop()
        elif ":" in line:
            key, value = (part.strip() for part in line.split(":", 1))
            values[".".join([*path, key])] = value
        else:
            raise SourceError(file, f"line {number}", "neither `key: value`, `section {` nor `}`")
    if path:
        raise SourceError(file, "end of file", f"section `{path[-1]}` is not closed")
    found: dict[str, object] = {}
    if "quorum.two_node" in values:
        found["two_node"] = values["quorum.two_node"] == "1"
    if "quorum.wait_for_all" in values:
        found["wait_for_all"] = values["quorum.wait_for_all"] == "1"
    if values.get("quorum.device.model") == "net":
        host = values.get("quorum.device.net.host", "")
        found["witness"] = {"kind": "qdevice", "name": slug(host) or "qdevice",
                            "origin": f"quorum.device.net.host {host}"}
    return found
