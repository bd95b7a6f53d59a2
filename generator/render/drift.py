"""`refarch drift` in words: text, JSON (the contract below) or GitHub workflow annotations.

JSON: {"design", "as_built", "tolerates": {"design", "as_built"}, "operations": {<op>: {"design": {...},
"as_built": {...} or null}}, "placement": [{"vm", "design", "as_built"}], "missing", "extra", "members",
"sharing", "hosts", "settings", "lost"}.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from generator.analysis.availability import in_words
from generator.analysis.drift import Drift, Side

FORMATS = ("text", "json", "github")


def render(drift: Drift, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(to_data(drift), indent=2) + "\n"
    if fmt == "github":
        return _github(drift)
    return _text(drift)


def to_data(drift: Drift) -> dict[str, Any]:
    return {
        "design": drift.design, "as_built": drift.as_built,
        "tolerates": {"design": drift.tolerates[0], "as_built": drift.tolerates[1]},
        "operations": {oid: {"design": dataclasses.asdict(design),
                             "as_built": dataclasses.asdict(built) if built is not None else None}
                       for oid, (design, built) in drift.operations.items()},
        "placement": [{"vm": vm, "design": then, "as_built": now} for vm, then, now in drift.placement],
        "missing": drift.missing, "extra": drift.extra,
        "members": [{"service": sid, "lost": lost, "gained": gained} for sid, lost, gained in drift.members],
        "sharing": [{"service": sid, "scope": scope, "where": where, "vms": vms}
                    for sid, scope, where, vms in drift.sharing],
        "hosts": [{"host": host, "state": state} for host, state in drift.hosts],
        "settings": [{"setting": key, "design": then, "as_built": now} for key, then, now in drift.settings],
        "stranded": [{"vm": vm, "host": host} for vm, host in drift.stranded], "unseen": drift.unseen,
        "lost": drift.lost,
    }


def _tolerates(value: int | None) -> str:
    return "does not work" if value is None else str(value)


def _side(side: Side | None) -> str:
    if side is None:
        return "not offered"
    unavailable = "" if side.unavailability is None else f", {in_words(side.unavailability)[1]}"
    return f"{_tolerates(side.tolerates)} host failures{unavailable}"


def _text(drift: Drift) -> str:
    design, built = drift.tolerates
    lines = [f"{drift.as_built} as built against the design {drift.design}",
             f"Tolerates: {design} host failure(s) as designed, {_tolerates(built)} as built "
             f"(the fewest over the control-plane operations).", ""]
    width = max(len(oid) for oid in drift.operations) + 2
    lines.append(f"{'operation'.ljust(width)}{'as designed'.ljust(34)}as built")
    for oid, (then, now) in drift.operations.items():
        mark = "  <- less" if oid in drift.lost else ""
        lines.append(f"{oid.ljust(width)}{_side(then).ljust(34)}{_side(now)}{mark}")
    lines.append("")
    found = differences(drift)
    lines += ["What differs:", *(f"- {line}" for line in found)] if found else [
        "The running cloud is placed and configured as designed."]
    if drift.unseen:
        lines += ["", "Not in the as-built file (its sources do not show them, so they are not analysed there): "
                  + ", ".join(drift.unseen) + "."]
    lines.append("")
    lines.append(f"{len(drift.lost)} operation(s) tolerate less as built." if drift.lost
                 else "No operation tolerates less as built.")
    return "\n".join(lines) + "\n"


def differences(drift: Drift) -> list[str]:
    found = [f"{vm} runs on {now}, not {then}" for vm, then, now in drift.placement]
    found += [f"{vm} is in the design and does not run" for vm in drift.missing]
    found += [f"{vm} runs and is not in the design" for vm in drift.extra]
    for sid, lost, gained in drift.members:
        parts = ([f"lost {', '.join(lost)}"] if lost else []) + ([f"gained {', '.join(gained)}"] if gained else [])
        found.append(f"{sid} {' and '.join(parts)}")
    found += [f"{sid}: {', '.join(vms)} share {scope} {where}" for sid, scope, where, vms in drift.sharing]
    found += [f"host {host} is {state}" for host, state in drift.hosts]
    found += [f"{vm} is down: its host {host} is offline" for vm, host in drift.stranded]
    found += [f"{key}: {then} in the design, {now} as built" for key, then, now in drift.settings]
    return found


def _github(drift: Drift) -> str:
    lines = []
    for oid in drift.lost:
        then, now = drift.operations[oid]
        lines.append(f"::error title=drift {oid}::{drift.as_built} tolerates {_side(now)} for {oid}, "
                     f"the design {drift.design} {_side(then)}")
    lines += [f"::warning title=drift::{line}" for line in differences(drift)]
    return "\n".join(lines) + ("\n" if lines else "")
