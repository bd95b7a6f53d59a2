"""Writing a file whole or not at all, for the caches: a reader never sees half of one."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def write_whole(path: Path, data: bytes) -> OSError | None:
    """Write `data` to `path` through a temporary file renamed over it (so two writers at once leave one
    whole file), making its folder; the error instead when the disk is full, the folder read-only or a
    directory is where the file goes, with no temporary file left behind."""
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(data)
        partial.replace(path)
    except OSError as error:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        return error
    return None
