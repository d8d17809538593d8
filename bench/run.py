#!/usr/bin/env python3
"""Time gitdesk's hot commands on generated desks: `python bench/run.py [--sizes 1000,10000] [--compare]`.

For each size N a desk is generated once with make_desk.py under --work and reused.
The commands run as real subprocesses of the installed `gitdesk`, interleaved
(list, show, new, prioritise, list, ...) so machine noise hits them alike; the
table shows the median, fastest and slowest wall time of --runs runs after one
warm-up round (the warm-up also builds the summary cache: "warm"), and the median
CPU time (the command plus the git processes it ran), which is what a busy
machine inflates least.
`--compare` then runs the shared peer benchmark (Backlog.md, Fossil) on the same
desks, for sizes up to 10,000 (Backlog.md needs minutes per command beyond that).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
COMPARE = Path("/work/shared/bench/compare.py")
# The bars of issue 2, in seconds: (size, operation) -> median limit.
BARS = {
    (10_000, "list (warm)"): 0.25,
    (10_000, "show"): 0.15,
    (10_000, "new"): 0.35,
    (10_000, "prioritise"): 0.35,
    (100_000, "list (warm)"): 1.0,
}
ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.org",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.org",
}


def compile_bytecode() -> None:
    """An installed package has its bytecode; a source checkout run with PYTHONDONTWRITEBYTECODE
    would otherwise recompile every changed module on every command and time the compiler."""
    import gitdesk

    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(Path(gitdesk.__file__).parent)],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def default_gitdesk() -> str:
    here = Path(sys.executable).parent / "gitdesk"
    return str(here) if here.exists() else (shutil.which("gitdesk") or "gitdesk")


def ensure_desk(work: Path, n: int) -> tuple[Path, str]:
    """The desk of size n under work, generated on first use; (path, an open ticket ID)."""
    root = work / f"desk-{n}"
    id_file = work / f"desk-{n}.id"
    if not id_file.exists():
        shutil.rmtree(root, ignore_errors=True)
        print(f"generating {n} tickets in {root} ...", file=sys.stderr, flush=True)
        out = subprocess.run(
            [sys.executable, str(HERE / "make_desk.py"), str(root), str(n), "--quiet"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        id_file.write_text(out.strip().splitlines()[-1] + "\n")
    return root, id_file.read_text().strip()


def operations(gitdesk: list[str], ticket_id: str) -> dict[str, list[str]]:
    return {  # the first list follows last round's writes (cache refresh); the second finds nothing changed
        "list --all": gitdesk + ["list", "--all"],
        "list (warm)": gitdesk + ["list", "--all"],
        "show": gitdesk + ["show", ticket_id],
        "new": gitdesk
        + ["new", "Bench ticket", "--requester", "Bench <bench@example.org>", "--body", "Created by the benchmark."],
        "prioritise": gitdesk + ["prioritise", ticket_id, "P2", "--reason", "benchmark"],
    }


def timed(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the command and the git processes it waited for)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        cmd,
        cwd=cwd,
        env={**os.environ, **ENV},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(root: Path, ticket_id: str, gitdesk: list[str], runs: int) -> dict[str, list[tuple[float, float]]]:
    ops = operations(gitdesk, ticket_id)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in ops}
    for run in range(runs + 1):
        for name, cmd in ops.items():
            if name == "list (warm)":
                # Files changed in the last 2 s are re-read on every list (racy stat keys, see
                # store.RACY_NS); "warm" means the last write is older than that and a list
                # has seen it since.
                time.sleep(2.1)
                timed(cmd, root)
            t = timed(cmd, root)
            if run:  # run 0 warms the page cache and the summary cache
                times[name].append(t)
    return times


def report(n: int, times: dict[str, list[tuple[float, float]]]) -> list[str]:
    lines = []
    for name, values in times.items():
        wall = [w for w, _ in values]
        med = statistics.median(wall)
        bar = BARS.get((n, name))
        verdict = "" if bar is None else ("ok" if med <= bar else "OVER")
        cpu = statistics.median(c for _, c in values)
        lines.append(
            f"{n:>8} {name:12} {med:8.3f} {min(wall):8.3f} {max(wall):8.3f} {cpu:8.3f} "
            f"{'' if bar is None else f'{bar:.2f}':>6} {verdict}"
        )
    return lines


def load_average() -> str:
    try:
        return ", ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,100000", help="comma-separated ticket counts")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--work", type=Path, default=Path("/tmp/gitdesk-bench"))
    ap.add_argument("--gitdesk", default=default_gitdesk(), help="the gitdesk executable to time")
    ap.add_argument("--compare", action="store_true", help="also run the peer comparison (sizes <= 10000)")
    args = ap.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    args.work.mkdir(parents=True, exist_ok=True)
    desks = {n: ensure_desk(args.work, n) for n in sizes}
    compile_bytecode()
    print(f"runs: {args.runs} (+1 warm-up), interleaved; seconds; load average before: {load_average()}")
    print(f"{'tickets':>8} {'operation':12} {'median':>8} {'min':>8} {'max':>8} {'cpu':>8} {'bar':>6}")
    for n, (root, ticket_id) in desks.items():
        for line in report(n, measure(root, ticket_id, [args.gitdesk], args.runs)):
            print(line, flush=True)
    print(f"load average after: {load_average()}")
    if args.compare:
        for n, (root, ticket_id) in desks.items():
            if n > 10_000:
                continue
            print(f"\npeers at {n} tickets:", flush=True)
            subprocess.run(
                [
                    sys.executable,
                    str(COMPARE),
                    "--desk",
                    str(root),
                    "--id",
                    ticket_id,
                    "--n",
                    str(n),
                    "--runs",
                    str(args.runs),
                    "--gitdesk",
                    args.gitdesk,
                ],
                check=True,
            )


if __name__ == "__main__":
    main()
