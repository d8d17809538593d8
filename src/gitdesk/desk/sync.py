"""Working with branches and the remote: solution branches for PR review, and `gitdesk sync`.

All git goes through `GitRepo`. Sync is `pull --rebase` then `push`, with the
ticket merge driver active even in a clone where `gitdesk install` was never
run, and a few retries when someone else pushed in between. What the rebase
produced is checked by the caller's `check` (the CLI passes `gitdesk
validate`) before every push: sync never pushes what validate rejects.
"""

from __future__ import annotations

import shlex
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gitdesk.core.review_event import SOLUTION_BRANCH
from gitdesk.errors import GitFailure, SyncFailed

if TYPE_CHECKING:
    from gitdesk.core.ticket import Ticket
    from gitdesk.desk.facade import Desk
    from gitdesk.git.repo import GitRepo

DRIVER_KEY = "merge.gitdesk.driver"


def solution_branch(ticket_id: str) -> str:
    return f"{SOLUTION_BRANCH}{ticket_id}"


def propose_on_branch(desk: Desk, ref: str, solution: str) -> tuple[Ticket, str]:
    """Propose on `solution/<ID>` (created from the current branch if missing) and stay there.

    If the proposal is refused, the previous branch is checked out again and a
    branch made for it is removed, so bad input leaves the repository as it was.
    """
    repo = desk.repo
    ticket_id = desk.resolve(ref)
    branch = solution_branch(ticket_id)
    previous = repo.current_branch()
    created = False
    if previous != branch:
        created = not repo.has_ref(f"refs/heads/{branch}")
        repo.run("switch", *(["-c"] if created else []), branch)
    try:
        return desk.propose(ticket_id, solution, branch), branch  # the event names it: its PR is reviewed
    except BaseException:
        if previous and previous != branch:
            repo.run("switch", previous, check=False)
            if created:
                repo.run("branch", "-D", branch, check=False)
        raise


def push_branch(repo: GitRepo, branch: str, remote: str = "origin") -> None:
    ok, out = repo.attempt("push", "-u", remote, f"{branch}:refs/heads/{branch}")
    if not ok:
        raise GitFailure(
            f"the commit is on {branch}, but pushing it to {remote} failed: {_last_line(out)} "
            f"(retry with 'git push -u {remote} {branch}')"
        )


@dataclass(frozen=True)
class SyncResult:
    branch: str
    remote: str
    attempts: int


def driver_config(repo: GitRepo) -> list[str]:
    """`-c` options that register the merge driver for one git call, unless the clone has it already."""
    if repo.config_get(DRIVER_KEY):
        return []
    command = f"{shlex.quote(sys.executable)} -m gitdesk merge-driver %O %A %B %P"
    return ["-c", f"{DRIVER_KEY}={command}", "-c", "merge.gitdesk.name=gitdesk ticket merge"]


Check = Callable[["str | None"], "list[str]"]  # base revision (None: the whole desk) -> problems, one line each


def sync(repo: GitRepo, check: Check, remote: str = "origin", retries: int = 3, pause: float = 0.3) -> SyncResult:
    """Pull with rebase (the driver merging tickets), check, then push; retry a rejected push `retries` times.

    `check` gets the remote branch the push would update (None if the remote
    has no such branch yet) and returns the problems of what is about to be
    pushed; any problem stops the sync before the push.
    """
    branch = repo.current_branch()
    if not branch:
        raise SyncFailed("HEAD is detached; check out a branch before 'gitdesk sync'")
    if not repo.config_get(f"remote.{remote}.url"):
        raise SyncFailed(f"there is no remote '{remote}' (add one with 'git remote add {remote} URL')")
    last = ""
    for attempt in range(1, retries + 2):
        _pull_rebase(repo, remote, branch)
        _refuse_invalid(repo, check, remote, branch)
        ok, last = repo.attempt("push", "-u", remote, f"HEAD:refs/heads/{branch}")
        if ok:
            return SyncResult(branch, remote, attempt)
        if "rejected" not in last and "failed to push" not in last:
            raise GitFailure(f"git push failed: {_last_line(last)}")
        time.sleep(pause * attempt)  # someone else is pushing: give them a moment, then rebase on them
    raise SyncFailed(
        f"the push to {remote}/{branch} was rejected {retries + 1} times "
        f"(last: {_last_line(last)}); your commits are safe locally, run 'gitdesk sync' again"
    )


def _refuse_invalid(repo: GitRepo, check: Check, remote: str, branch: str) -> None:
    upstream = f"refs/remotes/{remote}/{branch}"
    problems = check(upstream if repo.has_ref(upstream) else None)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise SyncFailed(
            f"sync did not push: 'gitdesk validate' rejects {problems[0]}{more}; your commits are "
            "safe locally: fix that, commit, and run 'gitdesk sync' again"
        )


def _pull_rebase(repo: GitRepo, remote: str, branch: str) -> None:
    ok, out = repo.attempt("fetch", remote)
    if not ok:
        raise GitFailure(f"git fetch {remote} failed: {_last_line(out)}")
    upstream = f"refs/remotes/{remote}/{branch}"
    if not repo.has_ref(upstream):
        return  # a branch the remote has never seen: nothing to rebase onto
    ok, out = repo.attempt(*driver_config(repo), "rebase", "--autostash", upstream)
    if ok:
        return
    conflicted = repo.unmerged_paths()
    if conflicted:
        raise SyncFailed(
            f"sync stopped: {', '.join(conflicted)} really conflict (both sides changed the "
            "same field; 'gitdesk validate' names it). Edit the file, 'git add' it and run "
            "'git rebase --continue', then 'gitdesk sync' again; or 'git rebase --abort'"
        )
    repo.run("rebase", "--abort", check=False)
    raise GitFailure(f"git rebase onto {remote}/{branch} failed: {_last_line(out)}")


def _last_line(text: str) -> str:
    lines = [x.strip() for x in text.strip().splitlines() if x.strip() and not x.startswith("hint:")]
    return lines[-1] if lines else "no message"
