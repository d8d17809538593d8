"""A derived cache of each ticket's SLA facts, so reports over 100,000 tickets skip YAML parsing.

Keyed like the list cache in store.py: by each file's (mtime_ns, size). The facts do not
depend on gitdesk.yml (targets and calendars are applied when a report is built), so a
config change never stales the cache. Deleting it is always safe.
"""

from __future__ import annotations

import contextlib
import os
import pickle
from pathlib import Path
from typing import Any

from .sla import Facts
from .store import is_ticket_file

CACHE_FILE = "sla-facts.pickle"
SURVEYS_CACHE = "surveys.pickle"
VERSION = 5  # bump whenever Facts changes shape


def desk_facts(desk: Any) -> list[Facts]:
    """Every ticket's facts, sorted by ID, re-reading only files whose stat changed."""
    state = _state_dir(desk)
    cache_path = state / CACHE_FILE if state else None
    cached = _read(cache_path)
    fresh: dict[str, tuple[int, int, tuple[Any, ...]]] = {}
    changed = False
    try:
        entries = list(os.scandir(desk.store.dir))
    except FileNotFoundError:
        entries = []
    for entry in entries:
        name = entry.name
        if not is_ticket_file(name):
            continue
        st = entry.stat()
        hit = cached.get(name)
        if hit is not None and hit[0] == st.st_mtime_ns and hit[1] == st.st_size:
            fresh[name] = hit
            continue
        changed = True
        # Plain tuples: they unpickle about twice as fast as NamedTuples.
        fresh[name] = (st.st_mtime_ns, st.st_size, tuple(Facts.of(desk.store.load(name[:-3]))))
    if cache_path and (changed or len(fresh) != len(cached)):
        _write(cache_path, fresh)
    make = Facts._make
    return [make(fresh[name][2]) for name in sorted(fresh)]


def desk_surveys(desk: Any) -> list[dict[str, Any]]:
    """Every survey record under surveys/, like reports.load_surveys, parsing only changed files."""
    from .reports import parse_survey_file, sort_surveys
    from .survey import SURVEYS_DIR

    state = _state_dir(desk)
    cache_path = state / SURVEYS_CACHE if state else None
    cached = _read(cache_path)
    fresh: dict[str, tuple[int, int, dict[str, Any]]] = {}
    try:
        entries = list(os.scandir(desk.root / SURVEYS_DIR))
    except FileNotFoundError:
        entries = []
    changed = False
    for entry in entries:
        if not entry.name.endswith(".yml") or entry.name.startswith("."):
            continue
        st = entry.stat()
        hit = cached.get(entry.name)
        if hit is not None and hit[0] == st.st_mtime_ns and hit[1] == st.st_size:
            fresh[entry.name] = hit
            continue
        changed = True
        fresh[entry.name] = (st.st_mtime_ns, st.st_size, parse_survey_file(Path(entry.path)))
    if cache_path and (changed or len(fresh) != len(cached)):
        _write(cache_path, fresh)
    return sort_surveys([dict(hit[2]) for hit in fresh.values()])


def _state_dir(desk: Any) -> Path | None:
    if not (desk.root / ".git").exists():
        return None
    try:
        return Path(desk.repo.state_dir())
    except OSError:
        return None


def _read(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        with open(path, "rb") as fh:
            version, data = pickle.load(fh)
        return data if version == VERSION else {}
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, ImportError):
        return {}


def _write(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            pickle.dump((VERSION, data), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
