"""The write gate: the one way anything reaches the desk's git history.

`Desk.write(prepare)` takes the lock, undoes what a crashed write left behind
(journal.py), checks that git allows a commit now, and hands `prepare` a
`Draft`. The draft loads tickets and compares each with HEAD, so a hand edit is
never swept into a commit unnoticed. `prepare` applies a pure change and returns
a `Change`; the gate then judges the files it would write with the rules
`gitdesk validate` runs (core.changeset), journals, writes them atomically and
commits exactly those files. A refusal at any step leaves the repo untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gitdesk.core import actions, review_policy
from gitdesk.core.actions import Context
from gitdesk.core.changeset import check_changeset
from gitdesk.core.ticket import Ticket, parse
from gitdesk.errors import GitdeskError, HandEdit, MalformedTicket, RulesRefused
from gitdesk.git.commit import blob_id, check_sparse
from gitdesk.store.entries import read_plain
from gitdesk.store.files import new_id
from gitdesk.store.writer import atomic_write

if TYPE_CHECKING:
    from gitdesk.desk.facade import Desk


@dataclass
class Change:
    """What one action writes: files (path -> contents) and how its one commit is named.

    `files` empty: nothing to write (a redelivered message), so no commit. `result`
    is handed back to the caller of `Desk.write` untouched.
    """

    files: dict[str, str | bytes]
    subject: str
    ticket_id: str | None
    action: str
    body: str = ""
    result: Any = None


class Draft:
    """What a write reads on its way to a change: tickets checked against HEAD, fresh IDs, the context."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.ctx: Context = desk.context()
        self.head = desk.repo.head()
        self.loaded: dict[str, bytes | None] = {}  # path -> the bytes it was read as from the work tree
        self.included: list[str] = []  # paths whose hand edit --include-edits takes in
        self._head_ids: dict[str, str | None] = {}
        self._taken: set[str] = set()

    # -- reading ---------------------------------------------------------------------------
    def ticket(self, ref: str) -> Ticket:
        """The ticket as the work tree has it, which must be what HEAD has (or --include-edits)."""
        ticket_id = self.desk.resolve(ref)
        rel = self.desk.store.rel(ticket_id)
        ticket = self.desk.store.load(ticket_id).copy()
        if not ticket.id:  # writing it back would create tickets/.md
            raise MalformedTicket(ticket.path or rel, 2, "no 'id:' field; add one equal to the file name")
        data = read_plain(self.desk.root / rel, rel)
        self.loaded[rel] = data
        if self.hand_edited(rel, data):
            self._take_in(rel, ticket)
        return ticket

    def fresh_id(self) -> str:
        """A ticket ID no file has and no other ticket of this draft got."""
        for _ in range(100):
            candidate = new_id(self.desk.config.prefix)
            if candidate not in self._taken and not self.desk.store.exists(candidate):
                self._taken.add(candidate)
                return candidate
        raise GitdeskError("could not find a free ticket ID")  # 2**40 IDs: practically unreachable

    def head_ids(self, paths: Sequence[str]) -> dict[str, str | None]:
        """path -> its blob id at HEAD (None: not there); one `git ls-tree` for those not asked before."""
        missing = [p for p in dict.fromkeys(paths) if p not in self._head_ids]
        if missing:
            found = self.desk.repo.blob_ids(self.head, missing) if self.head else {}
            self._head_ids.update({p: found.get(p) for p in missing})
        return {p: self._head_ids[p] for p in paths}

    def head_files(self, paths: list[str]) -> dict[str, bytes | None]:
        """The files as HEAD has them; read from the work tree where it agrees (no git process)."""
        ids = self.head_ids(paths)
        out: dict[str, bytes | None] = {}
        from_git = []
        for p in paths:
            if ids[p] is None:
                out[p] = None
                continue
            data = self.loaded[p] if p in self.loaded else _read(self.desk, p)
            if data is not None and blob_id(data, len(ids[p] or "")) == ids[p]:
                out[p] = data
            else:
                from_git.append(p)
        if from_git:
            blobs = self.desk.repo.read_blobs([str(ids[p]) for p in from_git])
            out.update({p: blobs.get(str(ids[p])) for p in from_git})
        return out

    def hand_edited(self, rel: str, data: bytes | None) -> bool:
        """Whether the work tree's `rel` differs from HEAD's; refused unless --include-edits."""
        head_id = self.head_ids([rel])[rel]
        same = (data is None and head_id is None) or (
            data is not None and head_id is not None and blob_id(data, len(head_id)) == head_id
        )
        if same:
            return False
        if not self.desk.include_edits:
            raise HandEdit(rel, committed=head_id is not None, deleted=data is None)
        self.included.append(rel)
        return True

    def _take_in(self, rel: str, ticket: Ticket) -> None:
        """Record the hand edit of a ticket as an `edit` event, so the history says what changed."""
        before_data = self.head_files([rel])[rel]
        changes: dict[str, Any] = {}
        if before_data is not None:
            before = parse(before_data.decode("utf-8"), rel)
            for key in sorted(set(before.meta) | set(ticket.meta)):
                if key not in ("history", "updated") and before.meta.get(key) != ticket.meta.get(key):
                    changes[key] = {"from": before.meta.get(key), "to": ticket.meta.get(key)}
            if before.body != ticket.body:
                changes["description"] = {"from": "(as committed)", "to": "(edited by hand)"}
            if len(before.history) != len(ticket.history):
                changes["history"] = {"from": f"{len(before.history)} events", "to": f"{len(ticket.history)} events"}
        if not changes:
            changes["file"] = {"from": "(as committed)" if before_data else None, "to": "(edited by hand)"}
        actions.record(ticket, self.ctx, "edit", changes=changes, source="hand edit")


def _read(desk: Desk, rel: str) -> bytes | None:
    """The work tree's bytes at `rel`, None if nothing is there; a FIFO or symlink there is refused."""
    try:
        return read_plain(desk.root / rel, rel)
    except FileNotFoundError:
        return None


# -- the gate ----------------------------------------------------------------------------------
def judge(desk: Desk, change: Change, draft: Draft) -> None:
    """Refuse a change that would sweep in a hand edit or that `gitdesk validate` would reject."""
    paths = sorted(change.files)
    check_sparse(desk.repo, paths)
    ids = draft.head_ids(paths)
    for p in paths:
        if p not in draft.loaded:
            draft.hand_edited(p, _read(desk, p))
    new = {p: _bytes(v) for p, v in change.files.items()}

    def read_new(wanted: list[str]) -> dict[str, bytes | None]:
        rest = [p for p in wanted if p not in new]
        found = draft.head_files(rest) if rest else {}
        return {p: new[p] if p in new else found[p] for p in wanted}

    entries = [("M" if ids[p] else "A", p) for p in paths]
    config = desk.config
    verdict = check_changeset(
        entries,
        read_new,
        draft.head_files,
        config.queue_names(),
        config.tiers,
        limits=config.limits,
        quick_resolve=lambda t: review_policy.quick_resolve_refusal(t, config),
    )
    if verdict.problems:
        raise RulesRefused(verdict.problems)


def write_and_commit(desk: Desk, change: Change, draft: Draft) -> str:
    """Journal, write the files atomically, commit exactly them; on any failure put everything back."""
    from gitdesk.desk import journal

    files = {p: _bytes(v) for p, v in change.files.items()}
    backups = {p: _read(desk, p) for p in files}
    made = _missing_dirs(desk, files)
    journal.begin(desk.repo.state_dir(), files, backups)
    try:
        for rel, data in files.items():
            atomic_write(desk.root / rel, data)
        message = _message(change, draft)
        commit = desk.repo.commit_paths(sorted(files), message, env=desk.commit_env())
    except BaseException:
        journal.undo(desk.root, files, backups, made)
        journal.end(desk.repo.state_dir())
        raise
    journal.end(desk.repo.state_dir())
    return commit


def _message(change: Change, draft: Draft) -> str:
    head = f"{change.ticket_id}: {change.subject}" if change.ticket_id else f"gitdesk: {change.subject}"
    body = change.body.rstrip()
    if draft.included:
        body += ("\n\n" if body else "") + "Includes uncommitted hand edits of " + ", ".join(draft.included) + "."
    trailers = (
        f"Gitdesk-Ticket: {change.ticket_id}\n" if change.ticket_id else ""
    ) + f"Gitdesk-Action: {change.action}\n"
    return f"{head}\n\n" + (body + "\n\n" if body else "") + trailers


def _missing_dirs(desk: Desk, files: dict[str, bytes]) -> list[str]:
    """Directories this write will create (attachment folders): removed again if it fails."""
    made: list[str] = []
    for rel in files:
        path = desk.root / rel
        for folder in reversed(path.parents):
            if folder.is_relative_to(desk.root) and folder != desk.root and not folder.exists():
                made.append(str(folder.relative_to(desk.root)))
    return list(dict.fromkeys(made))


def _bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8")
