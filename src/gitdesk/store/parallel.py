"""Making many index rows on both cores: a fresh clone's first command parses every ticket once."""

from __future__ import annotations

import marshal
import os
import sys
from collections.abc import Callable
from typing import Any

PARALLEL_FROM = 1000  # rows to make at once before a second core is worth a fork


def made_on_both_cores(make: Callable[[str, bytes], Any], items: list[tuple[str, bytes]]) -> list[Any]:
    """make(path, data) for every item; a big batch is split with a forked child, so a fresh
    clone's first command parses on two cores. Rows come back marshalled through a pipe."""
    threads = sys.modules.get("threading")
    if len(items) < PARALLEL_FROM or (os.cpu_count() or 1) < 2 or (threads and threads.active_count() > 1):
        return [make(p, d) for p, d in items]
    half = len(items) // 2
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: make the second half, hand it over, leave without cleanup handlers
        status = 1
        try:
            os.close(read_end)
            with os.fdopen(write_end, "wb") as out:
                out.write(marshal.dumps([make(p, d) for p, d in items[half:]]))
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    first = [make(p, d) for p, d in items[:half]]
    with os.fdopen(read_end, "rb") as fh:
        data = fh.read()
    _, status = os.waitpid(pid, 0)
    if status != 0:
        return first + [make(p, d) for p, d in items[half:]]
    return first + marshal.loads(data)
