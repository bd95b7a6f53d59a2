"""OpenStack releases in order, for facts that hold from or before a release.

Since 2023.1 a release is numbered `YYYY.N` (two a year) and also carries a name (2023.1 Antelope); the
releases before it carry only their names, in alphabetical order from Austin to Zed. A design names its
release as text (`openstack.release`); `order` places either spelling on one scale, and knows nothing of
anything else ("master", a distribution's version), which then matches no release-bound fact.
"""

from __future__ import annotations

import re

# Releases before the numbered scheme, oldest first (https://releases.openstack.org/).
NAMED = ("austin", "bexar", "cactus", "diablo", "essex", "folsom", "grizzly", "havana", "icehouse", "juno",
         "kilo", "liberty", "mitaka", "newton", "ocata", "pike", "queens", "rocky", "stein", "train", "ussuri",
         "victoria", "wallaby", "xena", "yoga", "zed")
# The names of numbered releases (https://releases.openstack.org/), for designs that use them.
NUMBERED = {"antelope": "2023.1", "bobcat": "2023.2", "caracal": "2024.1", "dalmatian": "2024.2",
            "epoxy": "2025.1", "flamingo": "2025.2", "gazpacho": "2026.1"}
_NUMBER = re.compile(r"^(20[2-9][0-9])\.([12])$")


def order(release: str | None) -> tuple[int, int] | None:
    """Where a release stands among the others (comparable), or None for text that names no release."""
    if release is None:
        return None
    text = NUMBERED.get(release.lower(), release)
    if match := _NUMBER.match(text):
        return int(match[1]), int(match[2])
    if release.lower() in NAMED:
        return 0, NAMED.index(release.lower())
    return None


def before(release: str | None, bound: str) -> bool:
    """Whether a release is known and older than `bound` (a numbered release)."""
    here, limit = order(release), order(bound)
    return here is not None and limit is not None and here < limit


def since(release: str | None, bound: str) -> bool:
    """Whether a release is known and is `bound` or newer."""
    here, limit = order(release), order(bound)
    return here is not None and limit is not None and here >= limit
