"""What stands at a desk path: a regular file is read; anything else named like one is never opened.

Opening a FIFO blocks until something writes to it, a symlink can point anywhere (/etc/passwd),
a device may do something on open. `read_plain` looks with `lstat` first and opens only a regular
file (non-blocking and without following a symlink, in case it was swapped in between).

`git status` does not list a FIFO, socket or device at all, so the read index would never see one.
`special_entries` lists a folder for them, but only when the folder's own stat changed since the
last look (an entry added, removed or renamed changes it), so a warm read costs one `stat`.
"""

from __future__ import annotations

import errno
import os
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gitdesk.errors import MalformedTicket

RACY_NS = 2_000_000_000  # a folder changed this recently may change again within its mtime's tick: look again


def what(mode: int) -> str:
    """How a non-regular entry is named in warnings and in `gitdesk validate`."""
    if stat.S_ISLNK(mode):
        return "a symlink"
    if stat.S_ISDIR(mode):
        return "a directory"
    return "a FIFO, socket or device"


def refused(rel: str, mode: int) -> MalformedTicket:
    return MalformedTicket(rel, None, f"{what(mode)} named like a desk file, not read: remove it (gitdesk validate)")


def read_plain(path: Path, rel: str) -> bytes:
    """The bytes of the regular file at `path`; FileNotFoundError if nothing is there, and a
    MalformedTicket naming `rel` for a symlink, directory, FIFO, socket or device."""
    try:
        mode = os.lstat(path).st_mode
    except NotADirectoryError:
        raise FileNotFoundError(errno.ENOENT, "not found", str(path)) from None
    if not stat.S_ISREG(mode):
        raise refused(rel, mode)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # a symlink swapped in since the lstat
            raise refused(rel, stat.S_IFLNK) from None
        raise
    with os.fdopen(fd, "rb") as fh:
        mode = os.fstat(fh.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise refused(rel, mode)
        return fh.read()


def special_entries(root: Path, folder: str, keep: Callable[[str], bool], stamp: Any) -> tuple[dict[str, str], Any]:
    """({path: what it is} for each non-regular entry of `folder` that `keep(path)` wants, the stamp to
    store for next time). `stamp` is the one stored last time: while the folder's stat matches it, its
    findings stand and the folder is not listed. A folder changed in the last seconds is not stamped."""
    try:
        st = os.stat(root / folder)
    except OSError:
        return {}, None
    sig = (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_ctime_ns)
    if stamp is not None and tuple(stamp[0]) == sig:
        return dict(stamp[1]), stamp
    found: dict[str, str] = {}
    try:
        with os.scandir(root / folder) as it:
            for entry in it:  # the type from the directory listing first: at 100k files, no per-file work
                if not entry.is_file(follow_symlinks=False) and keep(rel := f"{folder}/{entry.name}"):
                    found[rel] = what(entry.stat(follow_symlinks=False).st_mode)
    except OSError:
        return {}, None
    racy = time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) < RACY_NS
    return found, None if racy else (sig, found)
