#!/usr/bin/env python3
"""Time CI validation of a small change and the report on a big desk: `python bench/checks.py [--size 100000]`.

- `gitdesk validate --base B`: B is HEAD before 10 tickets change (10 prioritise
  commits made here), so the check should cost the size of the change, not the desk.
- `gitdesk validate` (the whole desk), once, for contrast.
- `gitdesk report --format json`: every ticket's history, SLA clocks included.
The desk is the one bench/run.py generates under --work (it gains 10 commits per call).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import ENV, default_gitdesk, ensure_desk  # noqa: E402


def run(cmd: list[str], cwd: Path, ok_codes: tuple[int, ...] = (0,)) -> tuple[float, str]:
    import os

    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env={**os.environ, **ENV})
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok_codes:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}{proc.stdout[-2000:]}")
    return elapsed, proc.stdout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--work", type=Path, default=Path("/tmp/gitdesk-bench"))
    ap.add_argument("--gitdesk", default=default_gitdesk())
    ap.add_argument("--skip-full", action="store_true", help="skip the whole-desk validate and the report")
    args = ap.parse_args()
    desk, _ = ensure_desk(args.work, args.size)
    gd = [args.gitdesk]
    rows = json.loads(run(gd + ["list", "--json"], desk)[1])  # open tickets: prioritise is legal on them
    base = run(["git", "rev-parse", "HEAD"], desk)[1].strip()
    for i, row in enumerate(rows[:10]):
        run(gd + ["prioritise", row["id"], "P1" if row["priority"] != "P1" else "P2", "--reason", f"bench {i}"], desk)
    times = [run(gd + ["validate", "--base", base], desk)[0] for _ in range(args.runs)]
    print(
        f"{args.size} tickets: validate --base (10 changed tickets): median {statistics.median(times):.3f} s "
        f"(min {min(times):.3f}, {args.runs} runs)",
        flush=True,
    )
    if args.skip_full:
        return
    elapsed, _ = run(gd + ["validate"], desk, ok_codes=(0, 1))
    print(f"{args.size} tickets: validate (whole desk): {elapsed:.2f} s", flush=True)
    first, _ = run(gd + ["report", "--format", "json"], desk)
    again, _ = run(gd + ["report", "--format", "json"], desk)
    print(f"{args.size} tickets: report --format json: first {first:.2f} s, again {again:.2f} s", flush=True)


if __name__ == "__main__":
    main()
