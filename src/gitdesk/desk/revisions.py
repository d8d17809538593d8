"""The desk as it is at a git revision, in the index or in the work tree: what `gitdesk validate` reads.

Blob ids known from a diff are read directly; other paths are looked up in one
tree walk per batch, then all are read by one `git cat-file --batch`. So a
check of a change costs the size of the change, however large the desk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gitdesk.errors import GitdeskError, MalformedTicket, UsageError
from gitdesk.git.repo import GitRepo
from gitdesk.store.entries import read_plain


class Files:
    """One side of a check: a git revision, the index (rev ""), or the work tree (rev None)."""

    def __init__(self, repo: GitRepo, rev: str | None, ids: dict[str, str] | None = None) -> None:
        self.repo, self.rev = repo, rev
        self.ids = dict(ids or {})
        self.cache: dict[str, bytes | None] = {}

    def read(self, paths: list[str]) -> dict[str, bytes | None]:
        wanted = [p for p in dict.fromkeys(paths) if p not in self.cache]
        if self.rev is None:
            for p in wanted:
                try:  # validate reports a symlink, FIFO, ... named like a desk file; it is never opened
                    self.cache[p] = read_plain(self.repo.root / p, p)
                except (FileNotFoundError, MalformedTicket):
                    self.cache[p] = None
        elif wanted:
            unknown = [p for p in wanted if p not in self.ids]
            self.ids.update(self.repo.blob_ids(self.rev, unknown))
            found = [p for p in wanted if p in self.ids]
            blobs = self.repo.read_blobs([self.ids[p] for p in found])
            self.cache.update({p: None for p in wanted})
            self.cache.update({p: blobs[self.ids[p]] for p in found})
        return {p: self.cache[p] for p in paths}


@dataclass
class Sides:
    """What a check compares: the desk after (`new`), before (`old`, None: nothing before), and the changed paths."""

    new: Files
    old: Files | None
    entries: list[tuple[str, str]]
    scope: str
    special: dict[str, str] = field(default_factory=dict)  # path -> what it is when not a regular file


def change_sides(root: Path, base: str | None, head: str | None, staged: bool) -> Sides | None:
    """The two sides of a change from `base` to `head` (default HEAD), or of the staged change;
    None when neither is asked for (the whole desk, read from the work tree)."""
    repo = GitRepo(root)
    if head and not base:
        raise UsageError("--head needs --base (the revision the change starts from)")
    if staged and base:
        raise UsageError("give either --staged or --base, not both")
    if staged:
        rows = repo.changed_blobs(repo.head(), None)
        old = Files(repo, "HEAD", _ids(rows, 2)) if repo.head() else None
        return Sides(Files(repo, "", _ids(rows, 3)), old, [r[:2] for r in rows], "staged changes", _special(rows))
    if not base:
        return None
    for rev in (base, head or "HEAD"):
        if not repo.has_ref(f"{rev}^{{commit}}"):
            raise GitdeskError(
                f"--base/--head: '{rev}' is not a commit in this repository "
                "(in CI, check out with full history: fetch-depth: 0)"
            )
    rows = repo.changed_blobs(base, head or "HEAD")
    scope = f"{base[:12]}..{(head or 'HEAD')[:12]}"
    return Sides(
        Files(repo, head or "HEAD", _ids(rows, 3)),
        Files(repo, base, _ids(rows, 2)),
        [r[:2] for r in rows],
        scope,
        _special(rows),
    )


def work_tree(root: Path) -> Files:
    return Files(GitRepo(root), None)


MODES = {"120000": "a symlink", "160000": "a submodule"}


def _special(rows: list[tuple[str, str, str, str, str]]) -> dict[str, str]:
    """Paths added or changed as something other than a regular file; a path *inside* a
    directory named like a desk file (tickets/HD-x.md/...) stands for that directory."""
    out: dict[str, str] = {}
    for status, path, _, _, mode in rows:
        if status == "D":
            continue
        if mode in MODES:
            out[path] = MODES[mode]
        parts = path.split("/")
        if len(parts) > 2 and parts[0] in ("tickets", "kb", "surveys") and parts[1].endswith((".md", ".yml")):
            out["/".join(parts[:2])] = "a directory"
    return out


def _ids(rows: list[tuple[str, str, str, str, str]], side: int) -> dict[str, str]:
    """path -> blob id on one side of a raw diff (all zeros: absent there)."""
    return {row[1]: row[side] for row in rows if row[side].strip("0")}
