"""`make bench`: how long `refarch import` takes on sources the size production clusters give.

A CIB of 400 VirtualDomain guests on three nodes (a vendor's agent, the `freeze` policy, names that say nothing
about services, nine of them in a kolla inventory), and RVTools workbooks of 5,000 VMs: one where the management
cluster is a dozen VMs among the rest of a vCenter (the usual export), one where all 5,000 are in it (the worst
case: every row becomes a VM of the as-built file). Each is timed in-process (read, match the inventory, write the
as-built file) and as a command, less the command's start-up (`refarch --help`). Prints timings; asserts nothing.
"""

from __future__ import annotations

import contextlib
import io
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from test_import_pacemaker import production_cib  # noqa: E402
from test_import_rvtools import TABS, workbook  # noqa: E402

from generator.cli import main as refarch  # noqa: E402

REFARCH = Path(sys.executable).parent / "refarch"
KOLLA = ("[control]\nguest_00[0:8]\n" + "".join(f"[{group}:children]\ncontrol\n" for group in (
    "loadbalancer", "mariadb", "rabbitmq", "memcached", "keystone", "nova-api", "nova-conductor")))


def rvtools_tabs(vms: int, in_management: int) -> dict:
    """TABS grown to `vms` powered-on VMs, `in_management` of them on the management cluster's four hosts."""
    header = TABS["vInfo"][0]
    rows = [[f"vm-{i:05d}", "poweredOn", False, 4, 8192,
             f"esxi-0{i % 4 + 1}.lab" if i < in_management else f"esx-{i % 40:02d}.prod", "mgmt" if i < in_management
             else "prod", f"vm-{i:05d}.lab", "medium", f"[ds1] vm-{i:05d}/vm-{i:05d}.vmx"] for i in range(vms)]
    hosts = TABS["vHost"][:5] + [[f"esx-{n:02d}.prod", "prod", 64, 1048576, False, "connected"] for n in range(40)]
    return {**TABS, "vInfo": [header, *rows], "vHost": hosts}


def timed(args: list[str], repeat: int = 5) -> tuple[float, float, float]:
    """Median seconds of `refarch <args>` in-process, as a command less start-up, and of the start-up."""
    inside = []
    for _ in range(repeat):
        start = time.perf_counter()
        with contextlib.redirect_stderr(io.StringIO()):
            code = refarch(args)
        inside.append(time.perf_counter() - start)
        if code != 0:
            raise SystemExit(f"refarch {' '.join(args)} exited {code}")
    commands, startups = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([str(REFARCH), "--help"], check=True, capture_output=True)
        middle = time.perf_counter()
        subprocess.run([str(REFARCH), *args], check=True, capture_output=True)
        startups.append(middle - start)
        commands.append(time.perf_counter() - middle)
    startup = statistics.median(startups)
    return statistics.median(inside), statistics.median(commands) - startup, startup


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "prod.xml").write_text(production_cib(400))
        (work / "inventory").write_text(KOLLA)
        rows = [("CIB, 400 VirtualDomain guests on 3 nodes, 9 in the inventory", timed(
            ["import", "pacemaker", str(work / "prod.xml"), "--inventory", str(work / "inventory"),
             "-o", str(work / "prod-as-built.yaml")]))]
        for in_management in (12, 5000):
            book = workbook(work / f"rvtools-{in_management}.xlsx", rvtools_tabs(5000, in_management))
            rows.append((f"RVTools workbook, 5,000 VMs, {in_management:,} in the management cluster", timed(
                ["import", "rvtools", str(book), "--cluster", "mgmt", "-o", str(work / "mgmt-as-built.yaml")])))
    width = max(len(name) for name, _ in rows)
    print(f"{'import':<{width}}  in-process s  command less start-up s  start-up s")
    for name, (inside, command, startup) in rows:
        print(f"{name:<{width}}  {inside:12.3f}  {command:23.3f}  {startup:10.3f}")
    print("target: each within 1 s beyond start-up")


if __name__ == "__main__":
    main()
