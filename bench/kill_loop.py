"""The SIGKILL loop: kill gitdesk verbs at random moments and at each git call, and check nothing is lost.

Each run starts a real `gitdesk` verb and kills it with SIGKILL, either after a
random delay or, through a `git` shim first on PATH, at its Nth git call (the
shim kills its parent, then lets the git call run on or not). Then it runs
another verb (which must succeed), makes a plain `git commit` of an unrelated
file, and checks the invariants of issue 10: that commit holds only that file
(no ticket reverted or deleted), `git status` is clean for the desk's paths,
no temporary file is left and `git fsck` is clean.

    python bench/kill_loop.py DIR [--runs 300] [--seed 1]

tests/test_journal.py runs the same loop (50+ runs) in the suite.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from gitdesk.checks.validate import format_text, validate

DESK_PATHS = ("tickets", "kb", "surveys")
FRESH = "{fresh}"  # stands for a ticket opened just before the verb runs
ENV = {
    "GIT_AUTHOR_NAME": "Ada Tech",
    "GIT_AUTHOR_EMAIL": "ada@desk.example",
    "GIT_COMMITTER_NAME": "Ada Tech",
    "GIT_COMMITTER_EMAIL": "ada@desk.example",
}
SHIM = """#!/bin/sh
# gitdesk's kill-loop shim: count git calls; at the Nth, SIGKILL the gitdesk that made it.
n=$(($(cat "$KILL_COUNTER" 2>/dev/null || echo 0) + 1))
echo "$n" > "$KILL_COUNTER"
if [ "$n" = "$KILL_AT" ]; then
  kill -9 "$PPID"
  [ "$KILL_THEN" = "stop" ] && exit 137
fi
exec "$REAL_GIT" "$@"
"""


@dataclass
class Counts:
    runs: int = 0
    killed: int = 0  # the verb died of the SIGKILL (some finish first: a random delay can be too long)
    by_moment: collections.Counter[str] = field(default_factory=collections.Counter)
    recovered: int = 0  # the next verb found a journal and settled it
    failures: list[str] = field(default_factory=list)


def gitdesk_cmd() -> list[str]:
    exe = shutil.which("gitdesk", path=os.path.dirname(sys.executable))
    return [exe] if exe else [sys.executable, "-m", "gitdesk"]


def git(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {proc.stderr.strip()}")
    return proc.stdout


class Loop:
    def __init__(self, root: Path, seed: int = 1) -> None:
        self.root = root
        self.rng = random.Random(seed)
        self.env = {**os.environ, **ENV, "GITDESK_DESK": str(root)}
        self.env.pop("GITDESK_NOW", None)
        self.shim_dir = Path(tempfile.mkdtemp(prefix="gitdesk-shim-"))
        (self.shim_dir / "git").write_text(SHIM)
        (self.shim_dir / "git").chmod(0o755)
        self.counter = self.shim_dir / "count"
        self.real_git = shutil.which("git") or "/usr/bin/git"
        self.counts = Counts()
        self.calls: dict[str, int] = {}

    def gitdesk(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*gitdesk_cmd(), *args], cwd=self.root, env=env or self.env, capture_output=True, text=True
        )

    def ticket_ids(self) -> list[str]:
        out = git(self.root, "ls-tree", "--name-only", "HEAD", "tickets/")
        return sorted(p[8:-3] for p in out.split() if p.endswith(".md") and not p.startswith("tickets/."))

    def verbs(self) -> list[list[str]]:
        """Verbs to kill: one file, several files (split), new files in new folders (close --kb)."""
        ids = self.ticket_ids()
        some = self.rng.choice(ids)
        return [
            ["new", f"Kill test {self.counts.runs}", "--requester", "Bob <bob@example.com>"],
            ["note", some, f"note {self.counts.runs}"],
            ["contact", some, "--via", "phone", "--summary", f"call {self.counts.runs}"],
            ["split", FRESH, "--into", f"part A {self.counts.runs}", "--into", f"part B {self.counts.runs}"],
            ["edit", some, "--location", f"Room {self.counts.runs}"],
        ]

    def fresh_ticket(self) -> str:
        """A ticket just opened (unkilled), for verbs that only a new ticket allows (split)."""
        from gitdesk.desk.facade import Desk

        return Desk(self.root).open(f"To split {self.counts.runs}", {"email": "bob@example.com"}).id

    def ready(self, verb: list[str]) -> list[str]:
        return [self.fresh_ticket() if arg == FRESH else arg for arg in verb]

    def count_calls(self, verb: list[str]) -> int:
        """How many git calls `verb` makes, by running it once through the shim without a kill."""
        key = verb[0]
        if key not in self.calls:
            verb = self.ready(verb)
            self.counter.write_text("0")
            env = {**self.shim_env(), "KILL_AT": "0"}
            done = self.gitdesk(*verb, env=env)
            if done.returncode != 0:
                raise RuntimeError(f"gitdesk {key} failed unkilled: {done.stderr.strip()}")
            self.calls[key] = int(self.counter.read_text())
        return self.calls[key]

    def shim_env(self) -> dict[str, str]:
        return {
            **self.env,
            "PATH": f"{self.shim_dir}{os.pathsep}{self.env.get('PATH', '')}",
            "KILL_COUNTER": str(self.counter),
            "REAL_GIT": self.real_git,
        }

    def kill_at_git_call(self, verb: list[str], n: int, then: str) -> bool:
        self.counter.write_text("0")
        env = {**self.shim_env(), "KILL_AT": str(n), "KILL_THEN": then}
        done = self.gitdesk(*verb, env=env)
        return done.returncode == -signal.SIGKILL

    def kill_after(self, verb: list[str], delay: float) -> bool:
        proc = subprocess.Popen(
            [*gitdesk_cmd(), *verb], cwd=self.root, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        return proc.wait() == -signal.SIGKILL

    def one_run(self, moment: str, verb: list[str], kill: int | float, then: str = "run") -> None:
        self.counts.runs += 1
        verb = self.ready(verb)
        before = set(self.ticket_ids())
        head_before = git(self.root, "rev-parse", "HEAD").strip()
        died = self.kill_at_git_call(verb, kill, then) if isinstance(kill, int) else self.kill_after(verb, kill)
        self.counts.killed += died
        self.counts.by_moment[moment] += 1
        journal = (self.root / ".git" / "gitdesk" / "journal.json").exists()
        self.check_after(moment, verb, before, head_before, journal)

    def check_after(self, moment: str, verb: list[str], before: set[str], head_before: str, journal: bool) -> None:
        """Every third run the user commits first (before any gitdesk verb could settle the crash)."""
        where = f"run {self.counts.runs} ({moment}, gitdesk {verb[0]})"
        commit_first = self.counts.runs % 3 == 0
        if commit_first:
            self.plain_commit(where, strict=False)
        other = self.gitdesk("note", self.rng.choice(sorted(before)), f"after run {self.counts.runs}")
        if other.returncode != 0:
            self.counts.failures.append(f"{where}: the next verb failed: {other.stderr.strip()}")
            return
        self.counts.recovered += journal
        status = git(self.root, "status", "--porcelain", "--untracked-files=all", "--", *DESK_PATHS)
        if status.strip():
            self.counts.failures.append(f"{where}: git status not clean for the desk: {status.strip()!r}")
        temp = [str(p) for d in DESK_PATHS for p in (self.root / d).rglob(".*.tmp")]
        if temp:
            self.counts.failures.append(f"{where}: temporary files left: {temp}")
        if not commit_first:
            self.plain_commit(where, strict=True)
        lost = before - set(self.ticket_ids())
        if lost:
            self.counts.failures.append(f"{where}: tickets gone from HEAD: {sorted(lost)}")
        checked = validate(self.root, base=head_before)  # append-only histories, nothing deleted (in-process)
        if not checked.ok:
            self.counts.failures.append(f"{where}: validate --base: {format_text(checked)}")
        fsck = subprocess.run(["git", "fsck", "--no-progress"], cwd=self.root, capture_output=True, text=True)
        if fsck.returncode != 0 or "error" in fsck.stderr:
            self.counts.failures.append(f"{where}: git fsck: {fsck.stderr.strip()}")

    def plain_commit(self, where: str, strict: bool) -> None:
        """`git add` one unrelated file and `git commit`, as a user would.

        strict: gitdesk has had its say, so the commit must hold that file alone. Right after a
        kill it may also carry the killed verb's change, if it was staged (never a deletion).
        """
        unrelated = self.root / "notes" / f"unrelated-{self.counts.runs}.txt"
        unrelated.parent.mkdir(exist_ok=True)
        unrelated.write_text(f"run {self.counts.runs}\n")
        git(self.root, "add", str(unrelated), env=self.env)
        git(self.root, "commit", "-q", "-m", f"unrelated {self.counts.runs}", env=self.env)
        listed = git(self.root, "diff-tree", "--no-commit-id", "--name-status", "-r", "HEAD")
        touched = [t for t in listed.split("\n") if t.strip()]
        mine = f"A\tnotes/unrelated-{self.counts.runs}.txt"
        if strict and touched != [mine]:
            self.counts.failures.append(f"{where}: a plain git commit also changed {touched}")
        if not strict and [t for t in touched if t != mine and not t.startswith(("A\t", "M\t"))]:
            self.counts.failures.append(f"{where}: a plain git commit right after the kill deleted {touched}")

    def run(self, runs: int, every_call_first: bool = True) -> Counts:
        """Kills at each git call of each verb (alternately letting the call run on or not), then random ones."""
        plan: list[tuple[str, list[str], int | float, str]] = []
        if every_call_first:
            for verb in self.verbs():
                for n in range(1, self.count_calls(verb) + 1):
                    then = "run" if n % 2 else "stop"
                    plan.append((f"git call {n}", verb, n, then))
        while len(plan) < runs:
            plan.append(("random", [], self.rng.uniform(0.05, 0.6), "run"))
        for moment, verb, kill, then in plan[:runs]:
            self.one_run(moment, verb or self.rng.choice(self.verbs()), kill, then)
        return self.counts


def make_desk(root: Path, tickets: int = 3) -> None:
    env = {**os.environ, **ENV}
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True, env=env)
    subprocess.run([*gitdesk_cmd(), "init", str(root)], check=True, env=env, capture_output=True)
    for i in range(tickets):
        subprocess.run(
            [*gitdesk_cmd(), "--desk", str(root), "new", f"Ticket {i}", "--requester", "Bob <bob@example.com>"],
            check=True,
            env=env,
            capture_output=True,
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", type=Path, help="where to make the desk (must not exist)")
    ap.add_argument("--runs", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    for key, value in ENV.items():  # the loop also opens tickets in-process
        os.environ.setdefault(key, value)
    make_desk(args.dir)
    started = time.monotonic()
    counts = Loop(args.dir, args.seed).run(args.runs)
    summary = {
        "runs": counts.runs,
        "killed": counts.killed,
        "moments": dict(counts.by_moment),
        "recovered_by_next_verb": counts.recovered,
        "failures": counts.failures,
        "seconds": round(time.monotonic() - started, 1),
    }
    print(json.dumps(summary, indent=2))
    sys.exit(1 if counts.failures else 0)


if __name__ == "__main__":
    main()
