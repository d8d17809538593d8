#!/usr/bin/env python3
"""Time `gitdesk site build` on generated desks: `python bench/site_build.py [--sizes 1000,10000]`.

Reuses the desks bench/run.py generates under --work. Each size is built --runs
times into a fresh output directory (the first build of a desk is reported apart:
it pays for caches the later ones reuse); prints seconds, the number of files
written and their total size.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import default_gitdesk, ensure_desk  # noqa: E402


def tree_size(root: Path) -> tuple[int, int]:
    files = total = 0
    for base, _, names in os.walk(root):
        for name in names:
            files += 1
            total += os.path.getsize(os.path.join(base, name))
    return files, total


def build(gitdesk: str, desk: Path, out: Path) -> float:
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    proc = subprocess.run([gitdesk, "site", "build", "--out", str(out)], cwd=desk, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"site build failed in {desk}:\n{proc.stderr[-2000:]}")
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", type=Path, default=Path("/tmp/gitdesk-bench"))
    ap.add_argument("--gitdesk", default=default_gitdesk())
    args = ap.parse_args()
    print(f"{'tickets':>8} {'first s':>8} {'median s':>9} {'files':>7} {'MB':>7}")
    for n in (int(s) for s in args.sizes.split(",") if s.strip()):
        desk, _ = ensure_desk(args.work, n)
        out = args.work / f"site-{n}"
        first = build(args.gitdesk, desk, out)
        times = [build(args.gitdesk, desk, out) for _ in range(args.runs)]
        files, size = tree_size(out)
        print(f"{n:>8} {first:8.2f} {statistics.median(times):9.2f} {files:>7} {size / 1e6:7.1f}", flush=True)


if __name__ == "__main__":
    main()
