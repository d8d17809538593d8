"""How gitdesk commits: git's own rules first (state, locks, hooks, signing), then plumbing on a private index.

A gitdesk verb commits with `commit-tree` on a private index in .git/gitdesk/,
so it commits exactly the files of its action and never sweeps in what else
is staged. Plumbing runs no hooks and signs nothing by itself, so this module
does what `git commit` would: it refuses during a rebase, merge, cherry-pick or
bisect, on a detached HEAD (unless asked), outside a sparse-checkout cone and
while `.git/index.lock` is held; it runs `pre-commit`, `commit-msg` and
`post-commit`; and it signs when `commit.gpgsign` says so.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gitdesk.errors import GitFailure, GitLocked, HookFailed, RepoBusy

if TYPE_CHECKING:
    from gitdesk.git.repo import GitRepo

ZERO = "0" * 40
_SPLIT = ("-c", "core.splitIndex=true")  # for the private index only; the user's index is left as it is
_IN_PROGRESS = (
    ("rebase-merge", "a rebase", "git rebase --continue' or 'git rebase --abort"),
    ("rebase-apply", "a rebase or 'git am'", "git rebase --continue' or 'git rebase --abort"),
    ("MERGE_HEAD", "a merge", "git merge --continue' or 'git merge --abort"),
    ("CHERRY_PICK_HEAD", "a cherry-pick", "git cherry-pick --continue' or 'git cherry-pick --abort"),
    ("REVERT_HEAD", "a revert", "git revert --continue' or 'git revert --abort"),
    ("BISECT_LOG", "a bisect", "git bisect reset"),
)
_CONFIG_KEYS = (
    "commit.gpgsign",
    "core.hookspath",
    "core.sparsecheckout",
    "core.sparsecheckoutcone",
)


@dataclass(frozen=True)
class Settings:
    """What the repository's config says about committing; read once per command (one `git config`)."""

    sign: bool
    hooks_dir: Path
    sparse: bool
    cone: bool


def settings(repo: GitRepo) -> Settings:
    """The repository's commit settings, read once per GitRepo (one command)."""
    cached = getattr(repo, "_commit_settings", None)
    if cached is None:
        cached = _read_settings(repo)
        repo._commit_settings = cached  # type: ignore[attr-defined]
    return cached  # type: ignore[no-any-return]


def _read_settings(repo: GitRepo) -> Settings:
    pattern = "^(" + "|".join(k.replace(".", r"\.") for k in _CONFIG_KEYS) + ")$"
    out = repo.run("config", "-z", "--get-regexp", pattern, check=False)
    values: dict[str, str] = {}
    for entry in out.split("\0"):
        if entry:
            key, _, value = entry.partition("\n")
            values[key.lower()] = value
    hooks = values.get("core.hookspath")
    hooks_dir = (repo.root / Path(hooks).expanduser()) if hooks else common_dir(repo) / "hooks"
    return Settings(
        sign=_true(values.get("commit.gpgsign")),
        hooks_dir=hooks_dir,
        sparse=_true(values.get("core.sparsecheckout")),
        cone=_true(values.get("core.sparsecheckoutcone", "true")),
    )


def _true(value: str | None) -> bool:
    return (value or "").strip().lower() in ("true", "yes", "on", "1")


def common_dir(repo: GitRepo) -> Path:
    """The repository's shared git directory (a linked worktree keeps hooks and refs there)."""
    pointer = repo.git_dir / "commondir"
    if pointer.exists():
        return (repo.git_dir / pointer.read_text(encoding="utf-8").strip()).resolve()
    return repo.git_dir


# -- may we commit at all? ---------------------------------------------------------------------
def check_state(repo: GitRepo, allow_detached: bool = False) -> None:
    """Refuse during an operation in progress or on a detached HEAD, as `git commit` would warn."""
    for name, what, how in _IN_PROGRESS:
        if (repo.git_dir / name).exists():
            raise RepoBusy(
                f"{what} is in progress in this repository; finish it first ('{how}'), then run gitdesk again"
            )
    try:
        head = (repo.git_dir / "HEAD").read_text(encoding="utf-8").strip()
    except OSError:
        return
    if not head.startswith("ref: ") and not allow_detached:
        raise RepoBusy(
            f"HEAD is detached (at {head[:12]}): a commit here would belong to no branch; "
            "check out a branch ('git switch main'), or pass --force to commit on the detached HEAD"
        )


def wait_for_index(repo: GitRepo, wait: float = 2.0) -> None:
    """`.git/index.lock` held: wait a moment for the git command holding it, then refuse.

    gitdesk stages the committed files in the user's index; with the lock held it
    could not, and a success reported then would leave `git status` wrong.
    """
    lock = repo.git_dir / "index.lock"
    deadline = time.monotonic() + wait
    while lock.exists():
        if time.monotonic() > deadline:
            raise GitLocked(lock)
        time.sleep(0.05)


def outside_sparse(repo: GitRepo, paths: Sequence[str], cfg: Settings) -> list[str]:
    """The paths a sparse checkout leaves out of the work tree (empty when it is not sparse)."""
    if not cfg.sparse:
        return []
    out = repo.run("ls-files", "-t", "-z", "--", *paths, check=False)
    tagged = {e[2:]: e[0] for e in out.split("\0") if len(e) > 2}
    outside = [p for p in paths if tagged.get(p) == "S"]
    fresh = [p for p in paths if p not in tagged]
    if fresh:
        inside = _cone(repo) if cfg.cone else None
        for p in fresh:
            parent = p.rsplit("/", 1)[0] if "/" in p else ""
            ok = inside(p) if inside else (not parent or (repo.root / parent).is_dir())
            if not ok:
                outside.append(p)
    return outside


def check_sparse(repo: GitRepo, paths: Sequence[str]) -> None:
    """Refuse to write where a sparse checkout has no work tree: git would not see the file."""
    outside = outside_sparse(repo, paths, settings(repo))
    if outside:
        folder = outside[0].rsplit("/", 1)[0] if "/" in outside[0] else outside[0]
        raise RepoBusy(
            f"{outside[0]} is outside the sparse checkout; add its folder "
            f"('git sparse-checkout add {folder}') and run gitdesk again; nothing was written"
        )


def _cone(repo: GitRepo) -> Callable[[str], bool]:
    """A test for 'is this path in the cone', from .git/info/sparse-checkout in cone mode."""
    try:
        lines = (common_dir(repo) / "info" / "sparse-checkout").read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    listed = {x.strip().strip("/") for x in lines if x.strip().startswith("/") and x.strip().endswith("/")}
    parents = {x.strip()[2:].rsplit("/*/", 1)[0] for x in lines if x.strip().startswith("!/") and x.endswith("/*/")}
    recursive = listed - parents

    def inside(path: str) -> bool:
        folder = path.rsplit("/", 1)[0] if "/" in path else ""
        return not folder or folder in listed or any(path.startswith(r + "/") for r in recursive)

    return inside


# -- hooks ------------------------------------------------------------------------------------
def run_hook(repo: GitRepo, cfg: Settings, name: str, args: Sequence[str], env: dict[str, str]) -> bool:
    """Run the repository's `name` hook if it has one; raise HookFailed when it refuses. True if it ran."""
    hook = cfg.hooks_dir / name
    if not (hook.is_file() and os.access(hook, os.X_OK)):
        return False
    ok, output = repo.attempt("hook", "run", name, *(["--", *args] if args else []), env=env)
    if not ok:
        raise HookFailed(name, output)
    return True


def message_through_hooks(repo: GitRepo, cfg: Settings, message: str, env: dict[str, str]) -> str:
    """The commit message after the `commit-msg` hook had its say (it may edit or refuse it)."""
    hook = cfg.hooks_dir / "commit-msg"
    if not (hook.is_file() and os.access(hook, os.X_OK)):
        return message
    path = repo.state_dir() / "COMMIT_EDITMSG"
    path.write_text(message, encoding="utf-8")
    run_hook(repo, cfg, "commit-msg", [str(path)], env)
    edited = path.read_text(encoding="utf-8")
    return edited if edited.endswith("\n") else edited + "\n"


# -- the commit ---------------------------------------------------------------------------------
def commit_paths(
    repo: GitRepo, paths: Sequence[str], message: str, env: dict[str, str] | None = None, allow_detached: bool = False
) -> str:
    """Commit exactly `paths` (as they are in the work tree) on top of HEAD; returns the new commit id.

    Order matters for crash safety: the private index's stamp goes first (a crash
    then makes the next command rebuild it, so no stray path rides along); the
    user's index is staged before HEAD moves, so a crash between the two leaves
    the change staged, never a `git status` that would revert it at the next
    `git commit`. `Desk` journals the work tree around this (desk/journal.py).
    """
    cfg = settings(repo)
    check_state(repo, allow_detached)
    check_sparse(repo, paths)
    wait_for_index(repo)
    index = repo.state_dir() / "index"
    stamp = repo.state_dir() / "index.head"
    genv = {**(env or {}), "GIT_INDEX_FILE": str(index)}
    head = repo.head()
    mirrored = stamp.read_text().strip() if stamp.exists() and index.exists() else ""
    stamp.unlink(missing_ok=True)
    tree = _private_tree(repo, paths, head, head is not None and mirrored == head, genv)
    hook_env = {**genv, "GIT_EDITOR": ":"}
    run_hook(repo, cfg, "pre-commit", [], hook_env)
    message = message_through_hooks(repo, cfg, message, hook_env)
    commit = _commit_tree(repo, tree, head, message, cfg.sign, genv)
    _stage_in_user_index(repo, paths, env)
    try:
        repo.run("update-ref", "-m", message.splitlines()[0], "HEAD", commit, head or ZERO, env=env)
    except BaseException:
        reset_user_index(repo, head, paths, env)
        raise
    stamp.write_text(commit + "\n")
    run_hook_quietly(repo, cfg, "post-commit", env or {})
    return commit


def run_hook_quietly(repo: GitRepo, cfg: Settings, name: str, env: dict[str, str]) -> None:
    """post-commit: the commit is made; like git, its failure changes nothing."""
    with contextlib.suppress(HookFailed):
        run_hook(repo, cfg, name, [], env)


def _private_tree(repo: GitRepo, paths: Sequence[str], head: str | None, fresh: bool, genv: dict[str, str]) -> str:
    """The tree of HEAD plus `paths`, built in the private index.

    The index mirrors HEAD between commands (index.head says which commit), so
    the O(desk size) `read-tree` runs only after someone else moved HEAD (or a
    crash). It is a split index: each command then writes a few hundred bytes
    instead of the whole index (10 MB at 100k tickets). A broken index is rebuilt once.
    """
    index = Path(genv["GIT_INDEX_FILE"])
    for attempt in (1, 2):
        try:
            if attempt == 2 or not fresh:
                index.unlink(missing_ok=True)
                repo.run(*_SPLIT, "read-tree", *([head] if head else ["--empty"]), env=genv)
            repo.run(*_SPLIT, "update-index", "--add", "--remove", "--", *paths, env=genv)
            return str(repo.run(*_SPLIT, "write-tree", env=genv))
        except GitFailure:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _commit_tree(repo: GitRepo, tree: str, head: str | None, message: str, sign: bool, genv: dict[str, str]) -> str:
    args = ["commit-tree", tree, *(["-p", head] if head else []), "-S" if sign else "--no-gpg-sign"]
    try:
        return str(repo.run(*args, input=message, env=genv))
    except GitFailure as exc:
        if sign:
            raise GitFailure(
                "commit.gpgsign is set but git could not sign the commit "
                f"({exc}); set user.signingkey to a usable key (or 'git config commit.gpgsign false' "
                "for this desk); nothing was committed"
            ) from None
        raise


def _stage_in_user_index(repo: GitRepo, paths: Sequence[str], env: dict[str, str] | None) -> None:
    """Stage the committed versions in the user's index, so `git status` stays clean for these paths."""
    wait_for_index(repo, wait=1.0)
    ok, out = repo.attempt("update-index", "--add", "--remove", "--", *paths, env=env)
    if not ok:
        if "index.lock" in out:
            raise GitLocked(repo.git_dir / "index.lock")
        raise GitFailure(f"git update-index failed: {out.strip().splitlines()[-1] if out.strip() else 'no message'}")


def reset_user_index(repo: GitRepo, head: str | None, paths: Sequence[str], env: dict[str, str] | None = None) -> None:
    """Put the user's index entries for `paths` back to HEAD's (a commit that did not happen)."""
    if not paths:
        return
    listed = repo.run("ls-tree", "-z", "--full-tree", head, "--", *paths, check=False) if head else ""
    info = []
    present = set()
    for entry in listed.split("\0"):
        if "\t" in entry:
            meta, path = entry.split("\t", 1)
            mode, _, oid = meta.split()
            info.append(f"{mode} {oid}\t{path}")
            present.add(path)
    if info:
        repo.run("update-index", "--index-info", input="".join(x + "\n" for x in info), env=env, check=False)
    gone = [p for p in paths if p not in present]
    if gone:
        repo.run("update-index", "--force-remove", "--", *gone, env=env, check=False)


def blob_id(data: bytes, length: int = 40) -> str:
    """The id git gives these bytes as a blob (sha1, or sha256 in a sha256 repository)."""
    algo = hashlib.sha256 if length == 64 else hashlib.sha1
    return algo(b"blob %d\0" % len(data) + data).hexdigest()
