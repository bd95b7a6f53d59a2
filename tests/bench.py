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

from test_hostile import GENERATED, HOSTILE  # noqa: E402

from generator import catalog, scenarios  # noqa: E402
from generator.impact import Engine  # noqa: E402
from generator.model import Architecture  # noqa: E402
from generator.tolerance import tolerance  # noqa: E402
from generator.validate import check_bytes, check_file  # noqa: E402

FACTS = catalog.load()
CONTROLLER = ["keystone", "glance-api", "placement-api", "nova-api", "nova-scheduler", "nova-conductor",
              "neutron-server", "memcached", "cinder-api", "cinder-scheduler", "heat-api", "heat-engine", "horizon"]


def measure(raw: bytes, stem: str, repeat: int) -> float:
    """The median wall time in milliseconds of checking `raw`."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        check_bytes(raw, stem + ".yaml", stem)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def analyse(arch: Architecture, max_order: int | None = None) -> tuple[int, float]:
    """Scenarios evaluated and seconds taken for every scenario set (both phases) plus tolerance."""
    start = time.perf_counter()
    engine = Engine(arch, FACTS)
    sets = scenarios.all_sets(arch, set(FACTS.services))
    count = 0
    for scenario_list in sets.values():
        for scenario in scenario_list:
            engine.evaluate(scenario)
            count += 1
    tolerance(engine, max_order)
    return count, time.perf_counter() - start


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
    for hosts, groups, order in ((12, 4, None), (30, 10, 3), (60, 20, 2)):
        count, seconds = analyse(synthetic(hosts, groups), order)
        label = f"{hosts} hosts, {groups * 9} VMs ({count} scenarios + tolerance to order {order or hosts})"
        rows.append(("impact, synthetic", label, seconds * 1000))
    return rows


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
    print("impact rows are one run each, wall-clock, all scenario sets in both phases plus tolerance")


if __name__ == "__main__":
    main()
