"""The one read index: everything gitdesk derives from the desk's files, keyed by git blob id.

One SQLite file, `.git/gitdesk/index.sqlite`. Per kind of file (ticket summary,
ticket SLA facts, survey, KB article) a table maps a blob id to the row made from
that content (`rows.py`), so a row means the same in every clone and is made once
per content. The index also remembers which commit it last saw, the blob of every
file under tickets/, kb/ and surveys/ in that commit, and the work-tree files that
differ from it. Each command brings that up to date:

- committed changes: `git diff-tree` from the indexed commit to HEAD (a fresh or
  unknown start: one `git ls-tree`);
- uncommitted ones: git's own stat check (`git status`), with the changed files
  hashed by one `git hash-object --stdin-paths`, so their key is a blob id too;
- the rows of new blobs: one `git cat-file --batch` per few thousand blobs.

Readers get whole columns (every ticket's summary, facts, ...) lined up with the
files, stored marshalled beside the rows; after a write a column is moved along by
the files changed since its state, never rebuilt from the whole folder. `list`'s
ordered listings are kept in pieces of a few thousand lines, so a write re-stores
only the piece or two it changed.
The files stay the only truth: deleting the index, or finding it corrupt, only
means it is rebuilt.
"""

from __future__ import annotations

import bisect
import contextlib
import marshal
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from gitdesk.errors import GitdeskError, GitFailure
from gitdesk.store import rows as kinds
from gitdesk.store.entries import read_plain, special_entries
from gitdesk.store.parallel import made_on_both_cores
from gitdesk.store.rows import is_ticket_file
from gitdesk.store.sizes import SIZED_KINDS, Sizes

FILE = "index.sqlite"
SCHEMA = 3  # 3: ordered listings kept in pieces
FOLDERS = ("tickets", "kb", "surveys")
_KINDS: dict[str, Callable[[str, bytes], Any]] = {
    "summary": kinds.summary_row,
    "mids": kinds.mids_row,
    "facts": kinds.facts_row,
    "survey": kinds.survey_row,
    "article": kinds.article_row,
}
_BATCH = 4000  # blobs per `git cat-file --batch`: bounded memory at 100,000 tickets
_MISSING = object()


def in_folder(folder: str, path: str) -> bool:
    """Which files under a folder the readers see: tickets/PREFIX-id.md, kb/*.md, surveys/*.yml."""
    name = path[len(folder) + 1 :]
    if "/" in name or name.startswith("."):
        return False
    if folder == "tickets":
        return is_ticket_file(name)
    return name.endswith(".md" if folder == "kb" else ".yml")


class _Corrupt(Exception):
    """Stored data that does not read back: the index is rebuilt."""


def _loads(raw: Any) -> Any:
    try:
        return marshal.loads(raw)
    except (ValueError, EOFError, TypeError) as exc:
        raise _Corrupt(str(exc)) from None


class IndexBusy(GitdeskError):
    """Another gitdesk process holds the index for longer than we wait."""


class DeskIndex:
    """The index of one desk; a command makes one and it refreshes at most once until `changed()`."""

    def __init__(self, root: Path, repo: Any, state_dir: Path | None) -> None:
        self.root, self.repo = Path(root), repo
        self.file = Path(state_dir) / FILE if state_dir else None
        self._db: Any = None
        self._tokens: dict[str, str] = {}  # folder -> its state, once looked at
        self._overlay: dict[str, dict[str, str | None]] = {}  # folder -> uncommitted files -> blob (None: deleted)
        self._trees: dict[str, dict[str, str]] = {}  # folder -> committed path -> blob, once loaded
        self._tree_ids: dict[str, str] | None = None  # folder -> its tree id in HEAD
        self._pending: dict[str, Any] = {}  # folder -> git's stat check, running
        self.skipped: dict[str, tuple[int | None, str]] = {}  # path -> (line, problem): files a reader left out
        self.odd: dict[str, tuple[int | None, str]] = {}  # the same for what is not a regular file (FIFO, ...)
        self.sizes = Sizes(self._load_sizes, self._save_sizes)
        self._served: dict[str, str] = {}  # column name -> the token of the column handed out

    # -- freshness --------------------------------------------------------------------------
    def changed(self, folders: Iterable[str] | None = None) -> None:
        """The desk was written to (only `folders`, when given): the next read of them looks again."""
        touched = set(self._tokens) | set(self._pending) if folders is None else set(folders)
        for folder in touched:
            pending = self._pending.pop(folder, None)
            if pending is not None:
                with contextlib.suppress(GitFailure):
                    pending.result()  # a stat check started before the write says nothing now
            self._tokens.pop(folder, None)
        if folders is None or "tickets" in touched:
            self.skipped.clear()
            self.odd.clear()
        self.sizes.forget_limit()  # the write may have been to gitdesk.yml
        self._tree_ids = None  # HEAD moved; a folder the write left alone keeps its tree and its token

    def token(self, folder: str) -> str:
        """Names the state of a folder: its tree id in HEAD plus its uncommitted changes."""
        if folder not in self._tokens:
            self._guarded(lambda: self._refresh(folder))
        return self._tokens[folder]

    def prefetch(self, folder: str) -> None:
        """Start git's stat check of `folder` now, so it runs while Python reads the stored columns."""
        if folder in self._tokens or folder in self._pending or not (self.root / ".git").exists():
            return
        with contextlib.suppress(GitFailure):
            self._pending[folder] = self.repo.start_worktree_changes((folder,))

    def _refresh(self, folder: str) -> None:
        self.prefetch(folder)
        tree_id = self._head_trees().get(folder, "")
        overlay = self._work_tree(folder)
        self._specials(folder)
        token = tree_id or "empty"
        if overlay:
            import hashlib

            token += "+" + hashlib.sha1(marshal.dumps(sorted(overlay.items()))).hexdigest()[:20]
        self._overlay[folder], self._tokens[folder] = overlay, token
        self._trees.pop(folder, None)  # the committed listing is brought up to date when `files` needs it

    def _head_trees(self) -> dict[str, str]:
        if self._tree_ids is None:
            self._tree_ids = self.repo.tree_ids(FOLDERS) if self.repo.head() else {}
        return self._tree_ids

    def _current_tree(self, folder: str) -> dict[str, str]:
        """path -> blob of the folder in HEAD: the stored listing, moved along to HEAD's tree if it is older."""
        tree_id = self._head_trees().get(folder, "")
        known = self._meta(f"treeid:{folder}").get(f"treeid:{folder}")
        if known == tree_id:
            return self._load_tree(folder) or {}
        tree = self._committed(folder, known, tree_id)
        paths = sorted(tree)
        blobs = list(map(tree.__getitem__, paths))
        self._set_meta(**{f"tree:{folder}": marshal.dumps((paths, blobs)), f"treeid:{folder}": tree_id})
        return dict(zip(paths, blobs, strict=True))  # in path order: a moved-along tree has its new files last

    def changes_since(
        self, folder: str, token: str, overlay_then: list[str], most: int = 500
    ) -> dict[str, str | None] | None:
        """Files under `folder` that may differ between the state `token` named and now -> their blob now
        (None: gone). `overlay_then` are the uncommitted paths that state had. None: more than `most`
        changes, or a state this clone cannot compare with (the caller then reads the whole folder)."""
        return self._guarded(lambda: self._changes_since(folder, token, overlay_then, most))  # type: ignore[no-any-return]

    def _changes_since(
        self, folder: str, token: str, overlay_then: list[str], most: int
    ) -> dict[str, str | None] | None:
        now = self.token(folder)
        old_tree, new_tree = token.split("+", 1)[0], now.split("+", 1)[0]
        if "empty" in (old_tree, new_tree):
            return None
        prefix = folder + "/"
        changes: dict[str, str | None] = {}
        if old_tree != new_tree:
            try:
                changes = {prefix + p: b for p, b in self.repo.diff_files(old_tree, new_tree, ()).items()}
            except GitFailure:
                return None
        overlay = self._overlay.get(folder, {})
        if len(changes) + len(overlay) + len(overlay_then) > most:
            return None
        back = [p for p in overlay_then if p not in changes and p not in overlay]  # hand edits since undone
        if back:
            committed = self.repo.tree_files(new_tree, [p[len(prefix) :] for p in back])
            changes.update({p: committed.get(p[len(prefix) :]) for p in back})
        changes.update(overlay)
        return {p: b for p, b in changes.items() if in_folder(folder, p)}

    def overlay_paths(self, folder: str) -> list[str]:
        """The uncommitted files under `folder` in the state `token(folder)` names."""
        self.token(folder)
        return sorted(self._overlay.get(folder, {}))

    def _committed(self, folder: str, known: str | None, tree_id: str) -> dict[str, str]:
        """path -> blob in the folder's tree: the stored one moved along by a tree diff, or read whole."""
        if not tree_id:
            return {}
        tree = self._load_tree(folder) if known else None
        prefix = folder + "/"
        if tree is not None and known:
            try:
                changes = self.repo.diff_files(known, tree_id, ())
            except GitFailure:  # the old tree is gone (a shallow clone, a cache from elsewhere): read it whole
                changes = None
            if changes is not None:
                for path, blob in changes.items():
                    if blob is None:
                        tree.pop(prefix + path, None)
                    else:
                        tree[prefix + path] = blob
                return tree
        return {prefix + path: blob for path, blob in self.repo.tree_files(tree_id, ()).items()}

    def _work_tree(self, folder: str) -> dict[str, str | None]:
        """Work-tree files under `folder` that differ from HEAD -> their blob id (None: deleted)."""
        if not (self.root / ".git").exists():
            return _plain_folder(self.root, folder)
        try:
            pending = self._pending.pop(folder, None)
            changes = pending.result() if pending is not None else self.repo.worktree_changes((folder,))
        except GitFailure:
            return {}
        overlay: dict[str, str | None] = {}
        to_hash = []
        for path, blob in changes.items():
            if not is_regular(self.root / path):  # gone, or a symlink, directory or FIFO: no ticket
                overlay[path] = None
            elif blob:
                overlay[path] = blob
            else:
                to_hash.append(path)
        overlay.update(zip(to_hash, self.repo.hash_paths(to_hash), strict=True))
        return overlay

    def _specials(self, folder: str) -> None:
        """Note in `odd` each symlink, directory, FIFO, socket or device named like a file the readers
        see: left out, with a warning. git's stat check never lists a FIFO (nor an empty directory), so
        the folder itself is looked at, and listed again only when its stat changed (see entries.py).
        Kept apart from `skipped`: a stored listing carries those, but a FIFO does not change the token."""
        key = f"odd:{folder}"
        raw = self._meta(key).get(key)
        stored = None if raw is None else _loads(raw)
        found, stamp = special_entries(self.root, folder, lambda p: in_folder(folder, p), stored)
        if stamp != stored:
            self._set_meta(**{key: marshal.dumps(stamp)})
        for path, kind in found.items():
            self.odd[path] = (None, f"{kind}, not a file: left out (gitdesk validate reports it)")

    def files(self, folder: str) -> tuple[list[str], list[str]]:
        """(paths, blob ids) of the files a reader sees under `folder`, sorted by path."""
        self.token(folder)
        if folder not in self._trees:
            self._trees[folder] = self._guarded(lambda: self._current_tree(folder))
        tree = self._trees[folder]
        overlay = self._overlay.get(folder)
        if overlay:
            tree = dict(tree)
            for path, blob in overlay.items():
                if blob is None:
                    tree.pop(path, None)
                else:
                    tree[path] = blob
            tree = dict(sorted(tree.items()))
        pairs = [(p, b) for p, b in tree.items() if in_folder(folder, p)]
        return [p for p, _ in pairs], [b for _, b in pairs]

    # -- columns: one value per file, lined up with files(folder) -------------------------------
    def column(
        self, name: str, folder: str, kind: str, value: Callable[[str, Any], Any] | None = None
    ) -> tuple[list[str], list[Any], dict[str, list[Any]]]:
        """(paths, values, derived) for every file under `folder`, made from `kind` rows.

        `value(path, row)` turns a row into the stored value (default: the row). `derived` holds
        extra columns callers keep beside it (rendered lines, orders), dropped when anything changed.
        """
        return self._guarded(lambda: self._column(name, folder, kind, value))  # type: ignore[no-any-return]

    def _column(
        self, name: str, folder: str, kind: str, value: Callable[[str, Any], Any] | None
    ) -> tuple[list[str], list[Any], dict[str, list[Any]]]:
        self.prefetch(folder)
        stored = self.get_column(name)
        sized = kind in SIZED_KINDS
        token = self.token(folder) + (self.sizes.key() if sized else "")  # a column holds one limit's refusals
        self._served[name] = token
        if stored is not None and stored[0] == token:
            return stored[1], stored[3], stored[4]
        moved = self._moved_along(stored, folder, kind, value)
        if moved is not None:
            paths, blobs, values = moved
            derived = stored[4] if values is stored[3] else {}
        else:
            paths, blobs = self.files(folder)
            if stored is not None and stored[1] == paths and stored[2] == blobs:
                values, derived = stored[3], stored[4]
            else:
                values = self._patched(stored, paths, blobs, kind, value)
                derived = {}
        if sized:  # held to today's limit; what is derived from other values is made again
            limited = self.sizes.apply(
                blobs, values, lambda i: self._patched(None, paths[i : i + 1], [blobs[i]], kind, value)[0]
            )
            values, derived = limited, derived if limited is values else {}
        self.put_column(name, (token, paths, blobs, values, derived, self.overlay_paths(folder)))
        return paths, values, derived

    def _moved_along(
        self, stored: Any, folder: str, kind: str, value: Callable[[str, Any], Any] | None
    ) -> tuple[list[str], list[str], list[Any]] | None:
        """The stored column with only the files changed since its state made again: after a write,
        no whole-folder listing is loaded or compared. None when that is not the cheap way (nothing
        stored, or many changes). The values list is the stored one itself when nothing changed."""
        if stored is None:
            return None
        changes = self._changes_since(folder, stored[0].split("@", 1)[0], stored[5], 500)
        if changes is None:
            return None
        paths, blobs, values = stored[1], stored[2], stored[3]
        todo: dict[str, str] = {}  # path -> its blob now, to be made
        edited = False
        for path, blob in sorted(changes.items()):
            at = bisect.bisect_left(paths, path)
            present = at < len(paths) and paths[at] == path
            if present and blob == blobs[at]:
                continue
            if not edited:
                paths, blobs, values, edited = list(paths), list(blobs), list(values), True
            if present:
                del paths[at], blobs[at], values[at]
            if blob is not None:
                paths.insert(at, path)
                blobs.insert(at, blob)
                values.insert(at, _MISSING)
                todo[path] = blob
        if todo:
            made = self._patched(None, list(todo), list(todo.values()), kind, value)
            for path, row in zip(todo, made, strict=True):
                values[bisect.bisect_left(paths, path)] = row
        return paths, blobs, values

    def values(
        self, name: str, folder: str, kind: str, value: Callable[[str, Any], Any] | None = None
    ) -> tuple[list[str], list[Any]]:
        """(paths, values) like `column`; a file whose row is an error fails with its one-line message."""
        paths, values, _ = self.column(name, folder, kind, value)
        raise_first_error(paths, values)
        return paths, values

    def good(self, paths: list[str], values: list[Any]) -> tuple[list[str], list[Any]]:
        """(paths, values) without the files whose row is an error; those are noted in `skipped`.

        Errors are rows keyed by the file's blob like any other, so a fixed file is read afresh.
        """
        if not any(map(kinds.is_error, values)):
            return paths, values
        keep = []
        for i, value in enumerate(values):
            if kinds.is_error(value):
                self.skipped[paths[i]] = (value[1], value[2])
            else:
                keep.append(i)
        return [paths[i] for i in keep], [values[i] for i in keep]

    def put_derived(self, name: str, derived: dict[str, list[Any]]) -> None:
        """Keep `derived` beside the column this index handed out; not when another process has stored
        the column of another state since (an order of its rows would then line up with the wrong rows)."""

        def write() -> None:
            with self._write():
                row = self._conn().execute("SELECT row FROM col WHERE name=?", (name,)).fetchone()
                stored = _loads(row[0]) if row else None
                if stored is not None and stored[0] == self._served.get(name):
                    data = marshal.dumps((*stored[:4], derived, *stored[5:]))
                    self._conn().execute("INSERT OR REPLACE INTO col VALUES (?, ?)", (name, data))

        self._guarded(write)

    def _patched(
        self, stored: Any, paths: list[str], blobs: list[str], kind: str, value: Callable[[str, Any], Any] | None
    ) -> list[Any]:
        old = {} if stored is None else dict(zip(stored[1], zip(stored[2], stored[3], strict=True), strict=True))
        hits = list(map(old.get, paths))
        values = [h[1] if h is not None and h[0] == b else _MISSING for h, b in zip(hits, blobs, strict=True)]
        todo = [i for i, v in enumerate(values) if v is _MISSING]
        found = self.rows(kind, {blobs[i]: paths[i] for i in todo})
        for i in todo:
            row = found[blobs[i]]
            values[i] = row if value is None or kinds.is_error(row) else value(paths[i], row)
        return values

    def rows(self, kind: str, wanted: dict[str, str]) -> dict[str, Any]:
        """blob -> row for the blobs in `wanted` (blob -> a path holding it), making the missing ones."""
        db = self._conn()
        found: dict[str, Any] = {}
        blobs = list(wanted)
        if len(blobs) > 2000:  # a fresh start or a big pull: one pass over the table beats many lookups
            known = {b for (b,) in db.execute(f"SELECT blob FROM {kind}")}  # noqa: S608 - kind is ours
            ask = [b for b in blobs if b in known]
        else:
            ask = blobs
        for start in range(0, len(ask), 500):
            part = ask[start : start + 500]
            marks = ",".join("?" * len(part))
            query = f"SELECT blob, row FROM {kind} WHERE blob IN ({marks})"  # noqa: S608 - kind is ours
            found.update((b, _loads(r)) for b, r in db.execute(query, part))
        sized = kind in SIZED_KINDS and bool(self.sizes.known())
        found.update((b, self.sizes.refusal(b)) for b in (blobs if sized else ()) if self.sizes.over(b))
        missing = [b for b in blobs if b not in found]
        make, refused = _KINDS[kind], set()
        parts = [missing[start : start + _BATCH] for start in range(0, len(missing), _BATCH)]
        reading = self._start_contents(wanted, parts[0]) if parts else None
        for at in range(len(parts)):
            texts = reading() if reading else {}
            reading = self._start_contents(wanted, parts[at + 1]) if at + 1 < len(parts) else None  # git unpacks on
            if kind in SIZED_KINDS:  # a ticket over limits.ticket_file is not parsed, and its refusal is not kept
                self.sizes.note({b: len(d) for b, d in texts.items()})
                over = [b for b in texts if self.sizes.over(b)]
                refused.update(over)
                found.update((b, self.sizes.refusal(b)) for b in over)
                texts = {b: d for b, d in texts.items() if b not in refused} if over else texts
            found.update(zip(texts, made_on_both_cores(make, [(wanted[b], d) for b, d in texts.items()]), strict=True))
        if missing and self.file is not None:
            with self._write():  # in key order: appending to the table's B-tree is three times cheaper
                db.executemany(
                    f"INSERT OR REPLACE INTO {kind}(blob, row) VALUES (?, ?)",  # noqa: S608 - kind is ours
                    [(b, marshal.dumps(found[b])) for b in sorted(missing) if b not in refused],
                )
        return found

    def contents(self, wanted: dict[str, str], blobs: list[str] | None = None) -> dict[str, bytes]:
        """The bytes of each blob: from the object database, or from the work tree for uncommitted files."""
        return self._start_contents(wanted, list(wanted) if blobs is None else blobs, wait=True)()

    def _start_contents(
        self, wanted: dict[str, str], blobs: list[str], wait: bool = False
    ) -> Callable[[], dict[str, bytes]]:
        """`contents`, with the object database read started now (in the background unless `wait`)."""
        out: dict[str, bytes] = {}
        in_odb = []
        for b in blobs:
            path = wanted[b]
            if self._overlay.get(path.split("/", 1)[0], {}).get(path) == b:
                try:
                    out[b] = read_plain(self.root / path, path)
                    continue
                except (OSError, GitdeskError):
                    pass
            in_odb.append(b)
        if wait or not in_odb:
            read = self.repo.read_blobs(in_odb)
            pending = None
        else:
            pending = self.repo.start_read_blobs(in_odb)

        def collect() -> dict[str, bytes]:
            for b, data in (pending.result() if pending is not None else read).items():
                out[b] = data if data is not None else read_plain(self.root / wanted[b], wanted[b])
            return out

        return collect

    # -- storage -------------------------------------------------------------------------------
    def _conn(self) -> Any:
        if self._db is None:
            self._db = self._open()
        return self._db

    def _open(self) -> Any:
        import sqlite3

        db = sqlite3.connect(str(self.file) if self.file else ":memory:", timeout=30, isolation_level=None)
        db.execute("PRAGMA synchronous=OFF")
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        version = None
        if "meta" in tables:
            row = db.execute("SELECT v FROM meta WHERE k='schema'").fetchone()
            version = row[0] if row else None
        if version != SCHEMA:
            with db:
                for name in tables:
                    db.execute(f'DROP TABLE "{name}"')
                db.execute("CREATE TABLE meta(k TEXT PRIMARY KEY, v) WITHOUT ROWID")
                for kind in (*_KINDS, "col"):
                    key = "name" if kind == "col" else "blob"
                    db.execute(f"CREATE TABLE {kind}({key} TEXT PRIMARY KEY, row BLOB NOT NULL) WITHOUT ROWID")
                db.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA,))
        return db

    @contextlib.contextmanager
    def _write(self) -> Iterator[None]:
        db = self._conn()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _guarded(self, work: Callable[[], Any]) -> Any:
        """Run `work`; a corrupt or foreign index file is deleted and rebuilt once, never a traceback."""
        import sqlite3

        for attempt in (1, 2):
            try:
                return work()
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "busy" in str(exc):
                    raise IndexBusy(f"{self.file}: another gitdesk command holds the read index; try again") from None
                self._reset(exc, attempt)
            except (sqlite3.DatabaseError, _Corrupt) as exc:
                self._reset(exc, attempt)
        raise AssertionError("unreachable")

    def _reset(self, exc: Exception, attempt: int) -> None:
        if attempt == 2 or self.file is None:
            raise GitdeskError(f"{self.file or 'the read index'}: cannot be rebuilt ({exc})") from None
        if self._db is not None:
            with contextlib.suppress(Exception):
                self._db.close()
        self._db = None
        self._trees.clear()
        self.sizes = Sizes(self._load_sizes, self._save_sizes)
        self.changed()
        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{self.file}{suffix}")

    def _meta(self, *keys: str) -> dict[str, Any]:
        marks = ",".join("?" * len(keys))
        return dict(self._conn().execute(f"SELECT k, v FROM meta WHERE k IN ({marks})", keys))  # noqa: S608

    def _set_meta(self, **values: Any) -> None:
        with self._write():
            self._conn().executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(values.items()))

    def _load_sizes(self) -> Any:
        return self._guarded(lambda: self._meta("sizes:tickets").get("sizes:tickets"))

    def _save_sizes(self, raw: bytes) -> None:
        if self.file is not None:
            self._guarded(lambda: self._set_meta(**{"sizes:tickets": raw}))

    def _load_tree(self, folder: str) -> dict[str, str] | None:
        row = self._conn().execute("SELECT v FROM meta WHERE k=?", (f"tree:{folder}",)).fetchone()
        if row is None:
            return None
        raw = row[0]
        paths, blobs = _loads(raw)
        return dict(zip(paths, blobs, strict=True))

    def get_column(self, name: str) -> Any:
        def read() -> Any:
            row = self._conn().execute("SELECT row FROM col WHERE name=?", (name,)).fetchone()
            data = _loads(row[0]) if row else None
            if data is not None and not (isinstance(data, tuple) and len(data) == 6):
                raise _Corrupt("foreign column")
            return data

        return self._guarded(read)

    def put_column(self, name: str, data: Any) -> None:
        with self._write():
            self._conn().execute("INSERT OR REPLACE INTO col VALUES (?, ?)", (name, marshal.dumps(data)))

    # -- pieces: a long listing kept in parts, so that a write rewrites only the parts it changed ------
    def get_pieces(self, name: str, part: str) -> tuple[tuple[Any, ...], dict[int, Any]] | None:
        """(header, piece id -> piece) stored under `name`, with only the pieces of `part` read.

        The header's second item lists the piece ids in order; None when one of them is missing."""

        def read() -> tuple[tuple[Any, ...], dict[int, Any]] | None:
            first, last = f"{name}#{part}", f"{name}#{part}~"
            query = "SELECT name, row FROM col WHERE name = ? OR (name > ? AND name < ?)"
            header, pieces = None, {}
            for key, raw in self._conn().execute(query, (name, first, last)):
                if key == name:
                    header = _loads(raw)
                else:
                    pieces[int(key[len(first) :])] = _loads(raw)
            if header is None:
                return None
            if not (isinstance(header, tuple) and len(header) == 4 and isinstance(header[1], list)):
                raise _Corrupt("foreign listing")
            if any(i not in pieces for i in header[1]):
                return None
            return header, pieces

        return self._guarded(read)  # type: ignore[no-any-return]

    def put_pieces(
        self,
        name: str,
        header: tuple[Any, ...],
        parts: dict[str, dict[int, Any]],
        drop: Iterable[int] = (),
        whole: bool = False,
        expect: tuple[Any, ...] | None = None,
    ) -> None:
        """Store the header and the given pieces of each part (one transaction); `whole` first forgets every
        piece stored under `name`, `drop` the ids no longer in the header. `expect`: the header the pieces
        were patched from; when another process has stored since, nothing is (its pieces and ours would mix)."""
        if self.file is None:
            return

        def write() -> None:
            with self._write():
                db = self._conn()
                if expect is not None:
                    row = db.execute("SELECT row FROM col WHERE name=?", (name,)).fetchone()
                    if row is None or _loads(row[0]) != expect:
                        return
                if whole:
                    db.execute("DELETE FROM col WHERE name > ? AND name < ?", (f"{name}#", f"{name}#~"))
                for part in parts:
                    db.executemany("DELETE FROM col WHERE name = ?", [(f"{name}#{part}{i}",) for i in drop])
                rows = [
                    (f"{name}#{part}{i}", marshal.dumps(piece))
                    for part, got in parts.items()
                    for i, piece in got.items()
                ]
                db.executemany("INSERT OR REPLACE INTO col VALUES (?, ?)", [(name, marshal.dumps(header)), *rows])

        self._guarded(write)


def is_regular(path: Path) -> bool:
    """A regular file, not followed through a symlink: `gitdesk validate` reports the others."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _plain_folder(root: Path, folder: str) -> dict[str, str | None]:
    """Outside git (an exported desk): every file is uncommitted, keyed by the id git would give it."""
    import hashlib

    out: dict[str, str | None] = {}
    try:
        names = sorted(os.listdir(root / folder))
    except FileNotFoundError:
        return out
    for name in names:
        path = f"{folder}/{name}"
        if in_folder(folder, path) and is_regular(root / path):
            data = read_plain(root / path, path)
            out[path] = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
    return out


def raise_first_error(paths: list[str], values: list[Any]) -> None:
    """A broken file fails every reader that needs it, with the same one line naming it."""
    if any(map(kinds.is_error, values)):
        for path, value in zip(paths, values, strict=True):
            if kinds.is_error(value):
                kinds.raise_error(path, value)
