"""`make bench`: how long validation takes, on the shipped architectures and on the hostile corpus.

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

from generator.validate import check_bytes  # noqa: E402


def measure(raw: bytes, stem: str, repeat: int) -> float:
    """The median wall time in milliseconds of checking `raw`."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        check_bytes(raw, stem + ".yaml", stem)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    rows = []
    for path in sorted((ROOT / "architectures").glob("*.yaml")):
        rows.append(("shipped", path.stem, measure(path.read_bytes(), path.stem, 50)))
    for path in sorted(HOSTILE.glob("*.yaml")):
        rows.append(("hostile", path.stem, measure(path.read_bytes(), path.stem, 10)))
    for name, make in GENERATED.items():
        rows.append(("hostile, generated", name, measure(make(), name, 3)))
    width = max(len(name) for _, name, _ in rows)
    print(f"{'kind':<20} {'input':<{width}}  median ms")
    for kind, name, ms in rows:
        print(f"{kind:<20} {name:<{width}}  {ms:9.2f}")
    worst = max(rows, key=lambda row: row[2])
    print(f"\nslowest: {worst[1]} at {worst[2]:.1f} ms (in-process; a CLI run adds about 0.2 s of start-up)")


if __name__ == "__main__":
    main()
