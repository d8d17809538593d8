#!/usr/bin/env python3
"""Measure issue 11's bar table: `python bench/bars.py [--sizes 10000,100000] [--runs 3] [--site]`.

Every size gets its own clone of the generated desk (bench/run.py makes those under
--work). "Fresh clone" means no `.git/gitdesk` before the command: it is deleted before
each such run, so the read index (and gitdesk's private commit index) start from nothing,
exactly as after `git clone`. Warm commands run interleaved after one untimed round.
Medians of --runs, wall seconds; CPU (the command plus the git processes it waited for)
beside them, since other work on the machine inflates wall time most.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import compile_bytecode, default_gitdesk, ensure_desk, load_average, timed  # noqa: E402

BARS = {  # (size, operation) -> seconds, from the issue
    (10_000, "first list --all (fresh clone)"): 1.0,
    (10_000, "first report (fresh clone)"): 2.0,
    (10_000, "due"): 0.3,
    (10_000, "validate, whole desk (fresh clone)"): 3.0,
    (10_000, "intake email, new message (fresh clone)"): 1.0,
    (10_000, "show"): 0.12,
    (10_000, "list --all"): 0.20,
    (10_000, "new"): 0.30,
    (10_000, "prioritise"): 0.30,
    (100_000, "first list --all (fresh clone)"): 8.0,
    (100_000, "list --all"): 0.5,
    (100_000, "list --all right after one write"): 0.6,
    (100_000, "new"): 0.5,
    (100_000, "due"): 1.0,
    (100_000, "report"): 2.0,
    (100_000, "first report (fresh clone)"): 20.0,
}
MESSAGE = """From: Bench Customer <customer@example.org>
To: help@desk.example
Subject: Scanner on floor 2 is offline ({n})
Message-ID: <bench-{n}@example.org>
Date: Tue, 01 Dec 2026 10:00:00 +0000

The scanner shows an error since this morning.
"""


def clone_of(desk: Path, work: Path) -> Path:
    """A clone of the generated desk, made once per size and reused (it gains the bench's commits)."""
    target = work / f"clone-{desk.name}"
    if not (target / ".git").exists():
        # --no-local: objects arrive packed, as from a real remote, not hard-linked loose files
        subprocess.run(["git", "clone", "-q", "--no-local", str(desk), str(target)], check=True)
    return target


def fresh(root: Path) -> None:
    shutil.rmtree(root / ".git" / "gitdesk", ignore_errors=True)


def measure(n: int, root: Path, gitdesk: str, runs: int, open_id: str) -> dict[str, list[tuple[float, float]]]:
    gd = [gitdesk]
    out: dict[str, list[tuple[float, float]]] = {}
    cold = {
        "first list --all (fresh clone)": gd + ["list", "--all"],
        "first report (fresh clone)": gd + ["report", "--format", "json"],
    }
    if n <= 10_000:
        cold["validate, whole desk (fresh clone)"] = gd + ["validate"]
    for _ in range(runs):
        for name, cmd in cold.items():
            fresh(root)
            out.setdefault(name, []).append(timed(cmd, root))
        if n <= 10_000:
            fresh(root)
            with tempfile.NamedTemporaryFile("w", suffix=".eml", delete=False) as fh:
                fh.write(MESSAGE.format(n=len(out.get("intake email, new message (fresh clone)", []))))
            cmd = gd + ["intake", "email", fh.name, "--no-ack"]
            out.setdefault("intake email, new message (fresh clone)", []).append(timed(cmd, root))
            Path(fh.name).unlink()
    warm = {
        "list --all": gd + ["list", "--all"],
        "show": gd + ["show", open_id],
        "due": gd + ["due"],
        "report": gd + ["report", "--format", "json"],
        "new": gd + ["new", "Bench ticket", "--requester", "Bench <bench@example.org>", "--body", "By the benchmark."],
        "prioritise": gd + ["prioritise", open_id, "P2", "--reason", "benchmark"],
        "list --all right after one write": gd + ["list", "--all"],
    }
    for round_ in range(runs + 1):
        for name, cmd in warm.items():
            t = timed(cmd, root)
            if round_:
                out.setdefault(name, []).append(t)
    return out


def table(n: int, times: dict[str, list[tuple[float, float]]]) -> list[str]:
    lines = []
    for name, values in times.items():
        wall = statistics.median(w for w, _ in values)
        cpu = statistics.median(c for _, c in values)
        bar = BARS.get((n, name))
        verdict = "" if bar is None else ("ok" if wall <= bar else "OVER")
        lines.append(
            f"| {n:,} | {name} | {wall:.3f} | {min(w for w, _ in values):.3f} | {cpu:.3f} | {bar or ''} | {verdict} |"
        )
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", type=Path, default=Path("/tmp/gitdesk-bench"))
    ap.add_argument("--gitdesk", default=default_gitdesk())
    args = ap.parse_args()
    compile_bytecode()  # as bench/run.py does: time gitdesk, not the bytecode compiler
    print(f"load average before: {load_average()}; runs: {args.runs}")
    print("| tickets | operation | median | min | CPU | bar | |\n|---:|---|---:|---:|---:|---:|---|")
    for n in (int(s) for s in args.sizes.split(",")):
        desk, open_id = ensure_desk(args.work, n)
        root = clone_of(desk, args.work)
        for line in table(n, measure(n, root, args.gitdesk, args.runs, open_id)):
            print(line, flush=True)
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
