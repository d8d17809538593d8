"""The store's one writer: atomic file writes, for the Desk (and the few layers below the faces).

Kept apart from the readers in `files.py` so the import contract can say it:
faces (CLI, intake, site, channels, checks) read through the store but never
write through it; their writes go through the `Desk`.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def atomic_write(path: Path, text: str | bytes) -> None:
    """Write via a temporary file and rename, so a crash never leaves half a file.

    Bytes are written as they are: intake stores mail attachments beside tickets.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        with open(tmp, "wb") as fh:  # bytes either way: no platform newline translation
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
