"""`make bench`: how long validation and impact analysis take, on the shipped architectures, the hostile
corpus and synthetic large management clusters.

Prints timings; asserts nothing (tests never assert speed).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from bench_designs import large_region, pacemaker_region  # noqa: E402
from test_hostile import GENERATED, HOSTILE  # noqa: E402

from generator import catalog  # noqa: E402
from generator.analysis import design as analysis  # noqa: E402
from generator.analysis.engine import Engine  # noqa: E402
from generator.analysis.tolerance import tolerance  # noqa: E402
from generator.model.architecture import Architecture  # noqa: E402
from generator.rules.validate import check_bytes, check_file  # noqa: E402

FACTS = catalog.load()
CONTROLLER = ["keystone", "glance-api", "placement-api", "nova-api", "nova-metadata", "nova-scheduler",
              "nova-conductor", "neutron-server", "memcached", "cinder-api", "cinder-scheduler", "heat-api",
              "heat-engine", "horizon"]


def measure(raw: bytes, stem: str, repeat: int) -> float:
    """The median wall time in milliseconds of checking `raw`."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        check_bytes(raw, stem + ".yaml", stem)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def analyse(arch: Architecture) -> tuple[int, float]:
    """Scenarios evaluated and seconds taken for every scenario set the site shows (both phases) plus tolerance."""
    start = time.perf_counter()
    result = analysis.analyse(arch, FACTS)
    count = sum(map(len, result.sets.values())) + sum(map(len, result.summaries.values()))
    return count, time.perf_counter() - start


def region_rows(hosts: int, design=large_region, kind: str = "") -> list[tuple[str, str, float]]:
    """The large-region design: compile, exact tolerance, every site scenario, cost per scenario."""
    arch = check_bytes(design(hosts).encode(), f"large-region-{hosts}.yaml", f"large-region-{hosts}").architecture
    label = f"large-region-{hosts}{kind} ({len(arch.hosts)} hosts, {len(arch.vms)} VMs)"
    start = time.perf_counter()
    engine = Engine(arch, FACTS)
    compiled = time.perf_counter()
    found = tolerance(engine)
    exact = time.perf_counter()
    count, seconds = analyse(arch)
    cuts = sum(op.cut_sets_total for op in found.operations.values())
    return [
        ("region", f"{label}: compile", (compiled - start) * 1000),
        ("region", f"{label}: exact tolerance and availability ({cuts} cut sets, tolerates {found.tolerates})",
         (exact - compiled) * 1000),
        ("region", f"{label}: every site scenario, both phases, and tolerance ({count} scenarios)", seconds * 1000),
        ("region", f"{label}: per scenario", seconds * 1000 / count),
    ]


def synthetic(hosts: int, groups: int) -> Architecture:
    """`hosts` hosts; `groups` sets of three controller, database and load-balancer VMs spread over them."""
    vms = []
    for g in range(groups):
        for i in range(3):
            host = f"h{(3 * g + i) % hosts:03d}"
            vms += [{"name": f"ctl-{g}-{i}", "host": host, "vcpus": 8, "memory_gib": 32, "services": CONTROLLER},
                    {"name": f"db-{g}-{i}", "host": host, "vcpus": 8, "memory_gib": 32,
                     "services": ["galera", "rabbitmq"]},
                    {"name": f"lb-{g}-{i}", "host": host, "vcpus": 2, "memory_gib": 4,
                     "services": ["haproxy", "keepalived", "neutron-dhcp-agent", "neutron-l3-agent",
                                  "neutron-metadata-agent"]}]
    return Architecture.model_validate({
        "id": "synthetic", "title": "Synthetic", "summary": "Synthetic.",
        "platform": {"hypervisor": "kvm", "ha": "pacemaker", "fencing": "ipmi", "anti_affinity": "preferred"},
        "hosts": [{"name": f"h{i:03d}", "cpus": 64, "memory_gib": 512} for i in range(hosts)], "vms": vms})


def impact_rows() -> list[tuple[str, str, float]]:
    rows = []
    for path in sorted((ROOT / "architectures").glob("*.yaml")):
        count, seconds = analyse(check_file(path).architecture)
        rows.append(("impact, shipped", f"{path.stem} ({count} scenarios + tolerance)", seconds * 1000))
    for hosts, groups in ((12, 4), (30, 10), (60, 20)):
        count, seconds = analyse(synthetic(hosts, groups))
        rows.append(("impact, synthetic", f"{hosts} hosts, {groups * 9} VMs ({count} scenarios + exact tolerance)",
                     seconds * 1000))
    return (rows + region_rows(48) + region_rows(96)
            + region_rows(32, pacemaker_region, ", Pacemaker with switches, Ceph, IPMI and SBD"))


def main() -> None:
    rows = []
    for path in sorted((ROOT / "architectures").glob("*.yaml")):
        rows.append(("shipped", path.stem, measure(path.read_bytes(), path.stem, 50)))
    for path in sorted(HOSTILE.glob("*.yaml")):
        rows.append(("hostile", path.stem, measure(path.read_bytes(), path.stem, 10)))
    for name, make in GENERATED.items():
        rows.append(("hostile, generated", name, measure(make(), name, 3)))
    rows += impact_rows()
    width = max(len(name) for _, name, _ in rows)
    print(f"{'kind':<20} {'input':<{width}}  median ms")
    for kind, name, ms in rows:
        print(f"{kind:<20} {name:<{width}}  {ms:9.2f}")
    worst = max(rows, key=lambda row: row[2])
    print(f"\nslowest: {worst[1]} at {worst[2]:.1f} ms (in-process; a CLI run adds about 0.2 s of start-up)")
    print("impact and region rows are one run each, wall-clock (ms; 'per scenario' too), all scenario sets the site")
    print("shows in both phases plus exact tolerance; targets: 48-host tolerance <= 2 s, its site scenarios <= 5 s,")
    print("96 hosts <= 2x the 48-host time")


if __name__ == "__main__":
    main()
