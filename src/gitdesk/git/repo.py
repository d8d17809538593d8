"""The one git seam: every git call gitdesk makes goes through this module.

Commits are built with plumbing on a private index, so a gitdesk command
commits exactly the files of its action and never sweeps in whatever else is
staged or modified in the work tree. The hot path shells out to git directly
(GitPython costs ~120 ms to import); GitPython is loaded only by the callers
that want an object database, through `GitRepo.open_gitpython()`.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from gitdesk.errors import DeskBusy, GitFailure, NotADesk

_UNSURE = object()


def _spawn(args: list[str], **kwargs: Any) -> Any:
    """subprocess.run, imported on first use: 3 ms of start-up that `show` and `list` never need."""
    import subprocess  # noqa: PLC0415

    return subprocess.run(args, **kwargs)  # noqa: PLW1510 - callers pass check= or read returncode


def find_root(start: Path) -> Path:
    """The top of the git work tree around `start`."""
    here = start.resolve()
    for candidate in (here, *here.parents):
        if (candidate / ".git").exists():
            return candidate
    raise NotADesk(f"{start}: not inside a git repository (run 'git init' and 'gitdesk init', or use --desk)")


class GitRepo:
    """A git work tree, addressed by its top directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._git_dir: Path | None = None
        self.allow_detached = False  # --force: commits on a detached HEAD are wanted

    # -- plumbing ---------------------------------------------------------------------
    def run(
        self,
        *args: str,
        input: str | bytes | None = None,
        env: dict[str, str] | None = None,
        check: bool = True,
        text: bool = True,
    ) -> Any:
        full_env = {**os.environ, **(env or {})}
        try:
            proc = _spawn(["git", *args], cwd=self.root, input=input, env=full_env, capture_output=True, text=text)
        except FileNotFoundError:
            raise GitFailure("git is not installed or not on PATH") from None
        if check and proc.returncode != 0:
            err = proc.stderr if text else proc.stderr.decode("utf-8", "replace")
            last = err.strip().splitlines()[-1] if err.strip() else proc.returncode
            raise GitFailure(f"git {args[0]} failed: {last}")
        return proc.stdout.strip() if text and isinstance(proc.stdout, str) else proc.stdout

    @property
    def git_dir(self) -> Path:
        if self._git_dir is None:
            dot = self.root / ".git"
            if dot.is_file():  # a worktree or submodule: "gitdir: <path>"
                target = dot.read_text().split(":", 1)[1].strip()
                dot = (self.root / target).resolve()
            self._git_dir = dot
        return self._git_dir

    def state_dir(self) -> Path:
        """Private, untracked scratch space for gitdesk (lock, caches, index)."""
        path = self.git_dir / "gitdesk"
        path.mkdir(exist_ok=True)
        return path

    def head(self) -> str | None:
        """The commit HEAD points at, or None on an unborn branch."""
        fast = _read_head(self.git_dir)  # a file read instead of a 5 ms `git rev-parse`
        if fast is not _UNSURE:
            return fast
        out = self.run("rev-parse", "--verify", "-q", "HEAD", check=False)
        return out or None

    def ident(self) -> tuple[str, str]:
        """(name, email) of the configured author."""
        name, email = os.environ.get("GIT_AUTHOR_NAME"), os.environ.get("GIT_AUTHOR_EMAIL")
        if name and email is not None:  # what `git var` would answer first, without its process
            return name.strip(), email.strip()
        raw = self.run("var", "GIT_AUTHOR_IDENT", check=False)
        if "<" not in raw:
            return (os.environ.get("USER", "unknown"), "")
        name, rest = raw.split("<", 1)
        return name.strip(), rest.split(">", 1)[0].strip()

    def show(self, rev: str, path: str) -> bytes | None:
        """A file's bytes at a revision, or None where it does not exist there."""

        proc = _spawn(["git", "cat-file", "blob", f"{rev}:{path}"], cwd=self.root, capture_output=True)
        return proc.stdout if proc.returncode == 0 else None

    def changed(self, base: str, head: str | None = None, paths: Sequence[str] = ()) -> list[tuple[str, str]]:
        """(status letter, path) for files that differ between base and head (or the work tree)."""
        args = ["diff", "--name-status", "--no-renames", "-z", base]
        if head:
            args.append(head)
        out = self.run(*args, "--", *paths)
        parts = [p for p in out.split("\0") if p]
        return [(parts[i][0], parts[i + 1]) for i in range(0, len(parts) - 1, 2)]

    # -- the one way gitdesk commits (git/commit.py: git's rules, hooks, signing) ------------
    def commit_paths(self, paths: Sequence[str], message: str, env: dict[str, str] | None = None) -> str:
        """Commit exactly `paths` (as they are in the work tree) on top of HEAD; returns the commit id."""
        from gitdesk.git import commit  # noqa: PLC0415 - the write path only

        return commit.commit_paths(self, paths, message, env, self.allow_detached)

    # -- one writer at a time ------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self, timeout: float = 15.0) -> Iterator[None]:
        """Serialise gitdesk writers on one desk; waits, then fails with a clear message.

        An `flock` on .git/gitdesk/lock: the kernel drops it when its holder exits,
        however it dies, so the lock is never stale and no PID is ever probed.
        """
        import fcntl  # noqa: PLC0415

        path = self.state_dir() / "lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)  # not inherited by git or hooks (O_CLOEXEC)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise DeskBusy(
                            f"another gitdesk command is writing to this desk (it holds {path}); try again in a moment"
                        ) from None
                    time.sleep(0.02)
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the lock

    # -- revisions, branches and the remote: validate, the merge driver, sync ----------------
    def read_blobs(self, specs: Sequence[str]) -> dict[str, bytes | None]:
        """Many blobs (ids, or `REV:path`) through one `git cat-file --batch`.

        One process for the whole batch, so validating a change costs the size of
        the change, however large the desk. Missing objects map to None.
        """
        if not specs:
            return {}
        proc = _spawn(
            ["git", "cat-file", "--batch"],
            cwd=self.root,
            capture_output=True,
            input="".join(f"{s}\n" for s in specs).encode("utf-8"),
        )
        return _blobs_of(specs, proc.returncode, proc.stdout, proc.stderr)

    def start_read_blobs(self, specs: Sequence[str]) -> Any:
        """`read_blobs` started now and collected by `.result()`: git unpacks while Python works.

        The ids and the output go through unnamed temporary files, not pipes, so git never
        waits for a reader and the whole batch is ready when it is asked for."""
        return _PendingBlobs(self, list(specs))

    def changed_blobs(self, base: str | None, head: str | None) -> list[tuple[str, str, str, str, str]]:
        """(status, path, old blob, new blob, new mode) from base to head; head None = the index (staged).
        The mode tells a regular file (100644/100755) from a symlink (120000) or a submodule (160000).

        The blob ids come with the diff, so reading the files needs no path
        lookups in large trees (a lookup scans the whole tickets/ tree).
        """
        base = base or self.run("hash-object", "-t", "tree", "/dev/null")
        sides = [base, head] if head else ["--cached", base]
        out = self.run("diff", "--raw", "-z", "--no-renames", "--no-abbrev", *sides)
        parts = out.split("\0")
        rows = []
        for i in range(0, len(parts) - 1, 2):
            meta = parts[i].lstrip(":").split()
            if len(meta) >= 5:
                rows.append((meta[4][0], parts[i + 1], meta[2], meta[3], meta[1]))
        return rows

    def blob_ids(self, rev: str, paths: Sequence[str]) -> dict[str, str]:
        """path -> blob id at `rev` ("" = the index), for the paths that exist there; one tree walk."""
        if not paths:
            return {}
        if rev:
            out = self.run("ls-tree", "-z", "--full-tree", rev, "--", *paths)
        else:
            out = self.run("ls-files", "-s", "-z", "--", *paths)
        ids = {}
        for entry in out.split("\0"):
            if "\t" in entry:
                meta, path = entry.split("\t", 1)
                fields = meta.split()
                if rev and len(fields) == 3 and fields[1] == "blob":
                    ids[path] = fields[2]
                elif not rev and len(fields) == 3:
                    ids[path] = fields[1]
        return ids

    # -- what the read index (store/index.py) is built from ------------------------------------
    def tree_files(self, rev: str, folders: Sequence[str]) -> dict[str, str]:
        """path -> blob id of every file (under `folders`) at `rev`, a commit or a tree: one `git ls-tree -r`."""
        out = self._z("ls-tree", "-r", "-z", "--full-tree", rev, "--", *folders)
        files = {}
        for entry in out:
            meta, _, path = entry.partition("\t")
            fields = meta.split()
            if len(fields) == 3 and fields[1] == "blob" and fields[0] != "120000":  # files, not symlinks
                files[path] = fields[2]
        return files

    def tree_ids(self, folders: Sequence[str]) -> dict[str, str]:
        """folder -> its tree id in HEAD, for the folders HEAD has: one `git ls-tree` of the root tree."""
        out = self._z("ls-tree", "-z", "HEAD", "--", *folders)
        ids = {}
        for entry in out:
            meta, _, path = entry.partition("\t")
            fields = meta.split()
            if len(fields) == 3 and fields[1] == "tree":
                ids[path] = fields[2]
        return ids

    def diff_files(self, base: str, head: str, folders: Sequence[str]) -> dict[str, str | None]:
        """path -> new blob id (None: deleted) for files (under `folders`) that differ from base to head.

        base and head may be commits or trees; paths are relative to the trees given.
        """
        out = self._z("diff-tree", "-r", "-z", "--no-renames", "--no-abbrev", base, head, "--", *folders)
        changed: dict[str, str | None] = {}
        for i in range(0, len(out) - 1, 2):
            meta = out[i].lstrip(":").split()
            if len(meta) >= 5:  # a symlink (mode 120000) or submodule counts as no file
                gone = meta[4].startswith("D") or not meta[3].strip("0") or meta[1] in ("120000", "160000")
                changed[out[i + 1]] = None if gone else meta[3]
        return changed

    def worktree_changes(self, folders: Sequence[str]) -> dict[str, str | None]:
        """Files under `folders` whose work-tree content may differ from HEAD, from git's own stat check.

        path -> the index's blob id when the work tree matches the index, else "" (to be hashed).
        `--no-optional-locks`: a read never rewrites the user's index. Deleted files are left out
        here; the caller sees them missing from disk.
        """
        return self.start_worktree_changes(folders).result()

    def start_worktree_changes(self, folders: Sequence[str]) -> Any:
        """`worktree_changes` started now and collected by `.result()`: git stats the files meanwhile."""
        args = ["--no-optional-locks", "status", "--porcelain=v2", "-z", "--untracked-files=all", "--no-renames"]
        return _Pending(self, [*args, "--", *folders], _status_entries)

    def hash_paths(self, paths: Sequence[str]) -> list[str]:
        """The blob id each work-tree file would get from `git add`: one `git hash-object --stdin-paths`."""
        if not paths:
            return []
        return str(self.run("hash-object", "--stdin-paths", input="".join(f"{p}\n" for p in paths))).split()

    def is_commit(self, oid: str) -> bool:
        return self.has_ref(f"{oid}^{{commit}}")

    def _z(self, *args: str) -> list[str]:
        """A git command's NUL-separated output, as a list."""
        proc = _spawn(["git", *args], cwd=self.root, capture_output=True)
        return _z_output(args, proc.returncode, proc.stdout, proc.stderr)

    def merge_text(self, ours: str, base: str, theirs: str) -> tuple[str, bool]:
        """Three-way merge of plain text with `git merge-file`; (result, had conflicts)."""
        import tempfile  # noqa: PLC0415 - only the merge driver needs it

        with tempfile.TemporaryDirectory(prefix="gitdesk-merge-") as tmp:
            names = []
            for label, text in (("ours", ours), ("base", base), ("theirs", theirs)):
                path = Path(tmp) / label
                path.write_text(text, encoding="utf-8")
                names.append(str(path))

            proc = _spawn(
                ["git", "merge-file", "-p", "-L", "ours", "-L", "base", "-L", "theirs", *names],
                capture_output=True,
                text=True,
            )
        if proc.returncode < 0 or proc.returncode > 127:
            raise GitFailure(f"git merge-file failed: {proc.stderr.strip()}")
        return proc.stdout, proc.returncode != 0

    def attempt(self, *args: str, env: dict[str, str] | None = None) -> tuple[bool, str]:
        """Run git where failure is an expected outcome (a rejected push); (ok, git's output)."""

        proc = _spawn(["git", *args], cwd=self.root, env={**os.environ, **(env or {})}, capture_output=True, text=True)
        return proc.returncode == 0, (proc.stdout + proc.stderr).strip()

    def current_branch(self) -> str | None:
        return self.run("symbolic-ref", "--short", "-q", "HEAD", check=False) or None

    def has_ref(self, ref: str) -> bool:
        return bool(self.run("rev-parse", "--verify", "-q", ref, check=False))

    def config_get(self, key: str) -> str | None:
        return self.run("config", "--get", key, check=False) or None

    def unmerged_paths(self) -> list[str]:
        out = self.run("diff", "--name-only", "--diff-filter=U", "-z", check=False)
        return [p for p in out.split("\0") if p]


def _z_output(args: Sequence[str], code: int, out: bytes, err: bytes) -> list[str]:
    if code != 0:
        text = err.decode("utf-8", "replace").strip()
        raise GitFailure(f"git {args[0]} failed: {text.splitlines()[-1] if text else code}")
    return [p for p in out.decode("utf-8", "surrogateescape").split("\0") if p]


def _status_entries(out: list[str]) -> dict[str, str | None]:
    changes: dict[str, str | None] = {}
    for entry in out:
        if entry.startswith("1 "):
            fields = entry.split(" ", 8)
            if len(fields) == 9:
                xy, index_blob, path = fields[1], fields[7], fields[8]
                changes[path] = index_blob if xy[1] == "." and index_blob.strip("0") else ""
        elif entry.startswith(("? ", "u ")):
            changes[entry.split(" ", 10)[-1] if entry[0] == "u" else entry[2:]] = ""
    return changes


class _Pending:
    """A read-only git command running beside Python's own work; `.result()` waits for it."""

    def __init__(self, repo: GitRepo, args: list[str], parse: Any) -> None:
        import subprocess  # noqa: PLC0415

        self.args, self.parse = args, parse
        try:
            self.proc = subprocess.Popen(
                ["git", *args], cwd=repo.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL
            )
        except FileNotFoundError:
            raise GitFailure("git is not installed or not on PATH") from None

    def result(self) -> Any:
        out, err = self.proc.communicate()
        return self.parse(_z_output(self.args, self.proc.returncode, out, err))


class _PendingBlobs:
    def __init__(self, repo: GitRepo, specs: list[str]) -> None:
        import subprocess  # noqa: PLC0415
        import tempfile  # noqa: PLC0415

        self.specs = specs
        # open for the life of the background cat-file, which writes into them; its reader closes them
        self.out, self.err = tempfile.TemporaryFile(), tempfile.TemporaryFile()  # noqa: SIM115
        with tempfile.TemporaryFile() as ids:
            ids.write("".join(f"{s}\n" for s in specs).encode("utf-8"))
            ids.seek(0)
            try:
                self.proc = subprocess.Popen(
                    ["git", "cat-file", "--batch"], cwd=repo.root, stdin=ids, stdout=self.out, stderr=self.err
                )
            except FileNotFoundError:
                raise GitFailure("git is not installed or not on PATH") from None

    def result(self) -> dict[str, bytes | None]:
        code = self.proc.wait()
        with self.out, self.err:
            self.out.seek(0)
            self.err.seek(0)
            return _blobs_of(self.specs, code, self.out.read(), self.err.read())


def _blobs_of(specs: Sequence[str], code: int, out: bytes, err: bytes) -> dict[str, bytes | None]:
    """spec -> bytes from `git cat-file --batch` output (None: missing, or not a blob)."""
    if code != 0:
        raise GitFailure(f"git cat-file failed: {err.decode('utf-8', 'replace').strip()}")
    pos = 0
    blobs: dict[str, bytes | None] = {}
    for spec in specs:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if len(header) == 3 and header[1] == b"blob":
            size = int(header[2])
            blobs[spec] = out[pos : pos + size]
            pos += size + 1
        elif len(header) == 3:  # a tree or commit where a file was expected
            pos += int(header[2]) + 1
            blobs[spec] = None
        else:
            blobs[spec] = None
    return blobs


def _read_head(git_dir: Path) -> Any:
    """HEAD's commit read from the ref files; _UNSURE when only git itself can tell."""
    try:
        if (git_dir / "commondir").exists():  # a linked worktree: refs live elsewhere
            return _UNSURE
        head = (git_dir / "HEAD").read_text(encoding="utf-8").strip()
        if not head.startswith("ref: "):
            return head if _is_oid(head) else _UNSURE
        ref = head[5:].strip()
        if not ref.startswith("refs/") or ".." in ref:
            return _UNSURE
        try:
            oid = (git_dir / ref).read_text(encoding="utf-8").strip()
            return oid if _is_oid(oid) else _UNSURE
        except (FileNotFoundError, NotADirectoryError):
            pass
        try:
            packed = (git_dir / "packed-refs").read_text(encoding="utf-8")
        except FileNotFoundError:
            return None  # an unborn branch: no loose ref and no packed refs
        for line in packed.splitlines():
            if line.endswith(" " + ref):
                oid = line.split(" ", 1)[0]
                return oid if _is_oid(oid) else _UNSURE
        return None
    except (OSError, UnicodeDecodeError):
        return _UNSURE


def _is_oid(text: str) -> bool:
    return len(text) in (40, 64) and all(c in "0123456789abcdef" for c in text)
