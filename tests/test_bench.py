"""Smoke test of the benchmark desk generator: a small desk that gitdesk itself reads back."""

from __future__ import annotations

import collections
import json
import subprocess
import sys
from pathlib import Path

from conftest import gitdesk_exe

BENCH = Path(__file__).resolve().parent.parent / "bench"


def test_make_desk_builds_a_desk_that_lists_and_validates(tmp_path):
    root = tmp_path / "bench-desk"
    out = subprocess.run(
        [sys.executable, str(BENCH / "make_desk.py"), str(root), "50", "--jobs", "1", "--quiet"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    open_id = out.strip().splitlines()[-1]
    rows = json.loads(
        subprocess.run(
            [*gitdesk_exe(), "list", "--all", "--json"], cwd=root, check=True, capture_output=True, text=True
        ).stdout
    )
    assert len(rows) == 50
    statuses = collections.Counter(r["status"] for r in rows)
    assert len(statuses) >= 4, statuses  # a spread, not fifty copies of one state
    assert open_id in {r["id"] for r in rows if r["status"] in ("new", "triaged", "in_progress", "waiting")}
    git = ["git", "-C", str(root)]
    assert subprocess.run([*git, "status", "--porcelain"], capture_output=True, text=True).stdout == ""
    assert subprocess.run([*git, "rev-list", "--count", "HEAD"], capture_output=True, text=True).stdout.strip() == "2"
    shown = subprocess.run([*gitdesk_exe(), "show", open_id], cwd=root, capture_output=True, text=True)
    assert shown.returncode == 0 and open_id in shown.stdout
    checked = subprocess.run([*gitdesk_exe(), "validate"], cwd=root, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr  # histories follow the move table
