"""The one exception family: every failure the library reports to a user, and the exit codes they map to."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Every exit status gitdesk uses, in one place; docs/cli.md's table is generated from MEANING."""

    OK = 0
    FAILED = 1
    USAGE = 2
    BREACH = 3
    DATAERR = 65  # EX_DATAERR: a whole-desk read left out a ticket file that does not parse
    INTERNAL = 70  # EX_SOFTWARE
    TEMPFAIL = 75  # EX_TEMPFAIL: the caller (a mail server, a script) retries
    INTERRUPTED = 130  # 128 + SIGINT, as shells report it


MEANING: dict[ExitCode, str] = {
    ExitCode.OK: "done",
    ExitCode.FAILED: "refused or failed: an illegal move, an unknown ticket, a git failure, "
    "`validate` found problems, the merge driver left a conflict",
    ExitCode.USAGE: "a bad option or argument; nothing was done",
    ExitCode.BREACH: "`sla --fail-on-breach`: at least one SLA promise is broken",
    ExitCode.DATAERR: "`list`, `report`, `sla`, `due` or `site build` left out a malformed ticket file "
    "(one warning line each on stderr); everything else was printed or published",
    ExitCode.INTERNAL: "an internal error, a bug in gitdesk (`GITDESK_DEBUG=1` shows the traceback)",
    ExitCode.TEMPFAIL: "try again later: another command holds the desk lock, or intake spooled a message",
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C); nothing was committed",
}


class GitdeskError(Exception):
    """Base class. The CLI prints str(error) on one line and exits with exit_code.

    `file`, `line` and `field` say where the problem is when the error knows it; the CLI's
    `--json` error object carries them.
    """

    exit_code: int = ExitCode.FAILED
    file: str | None = None
    line: int | None = None
    field: str | None = None


class UsageError(GitdeskError):
    """A missing or contradictory option or argument."""

    exit_code = ExitCode.USAGE


class NotADesk(GitdeskError):
    """The directory is not inside a git repository holding a desk."""


class ConfigError(GitdeskError):
    """gitdesk.yml is malformed; names the key at fault."""

    def __init__(self, key: str, problem: str, path: str = "gitdesk.yml") -> None:
        self.key, self.problem, self.path = key, problem, path
        self.file, self.field = path, key
        super().__init__(f"{path}: {key}: {problem}")


class MalformedTicket(GitdeskError):
    """A ticket (or KB/survey) file cannot be parsed."""

    def __init__(self, path: str, line: int | None, problem: str) -> None:
        self.path, self.line, self.problem = path, line, problem
        self.file = path
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {problem}")


class UnknownTicket(GitdeskError):
    def __init__(self, ref: str) -> None:
        self.ref = ref
        super().__init__(f"no ticket matches '{ref}'")


class AmbiguousTicket(GitdeskError):
    def __init__(self, ref: str, candidates: list[str]) -> None:
        self.ref, self.candidates = ref, candidates
        shown = ", ".join(candidates[:10]) + (" ..." if len(candidates) > 10 else "")
        super().__init__(f"'{ref}' is ambiguous: it matches {shown}")


class IllegalTransition(GitdeskError):
    def __init__(self, ticket_id: str, action: str, status: str, allowed: list[str], detail: str = "") -> None:
        self.ticket_id, self.action, self.status, self.allowed = ticket_id, action, status, allowed
        self.file, self.field = f"tickets/{ticket_id}.md", "status"
        allowed_txt = ", ".join(allowed) if allowed else "none"
        extra = f" ({detail})" if detail else ""
        super().__init__(
            f"{ticket_id}: cannot {action} a ticket that is '{status}'{extra}; allowed from '{status}': {allowed_txt}"
        )


class InvalidValue(GitdeskError):
    """A field value that the ticket schema refuses, naming the field."""

    field: str

    def __init__(self, field: str, problem: str) -> None:
        self.field, self.problem = field, problem
        super().__init__(f"{field}: {problem}")


class DeskBusy(GitdeskError):
    """Another gitdesk command holds the desk lock for too long."""

    exit_code = ExitCode.TEMPFAIL


class GitFailure(GitdeskError):
    """A git command failed; carries git's own message."""


class BadEvent(GitdeskError):
    """A webhook payload gitdesk does not understand; nothing is changed."""

    def __init__(self, source: str, problem: str) -> None:
        self.source, self.problem = source, problem
        super().__init__(f"{source}: {problem}; nothing was changed")


class SyncFailed(GitdeskError):
    """`gitdesk sync` could not finish: a real conflict, or the remote kept rejecting the push."""


class RepoBusy(GitdeskError):
    """Git would not commit here either: a rebase or merge in progress, a detached HEAD, outside a sparse checkout."""


class GitLocked(GitdeskError):
    """`.git/index.lock` is held: gitdesk could not stage its commit in the user's index, so it commits nothing."""

    exit_code = ExitCode.TEMPFAIL

    def __init__(self, path: object) -> None:
        self.path = path
        super().__init__(
            f"{path} exists: another git command is running in this repository, or one crashed and left it behind; "
            f"if no git command is running, remove it (rm '{path}') and run gitdesk again; nothing was committed"
        )


class HookFailed(GitdeskError):
    """A repository hook (pre-commit, commit-msg) refused the commit; nothing was committed."""

    def __init__(self, hook: str, output: str) -> None:
        self.hook, self.output = hook, output
        lines = [x.strip() for x in output.strip().splitlines() if x.strip()]
        said = f": {lines[-1]}" if lines else ""
        super().__init__(f"the {hook} hook refused the commit{said}; nothing was committed")


class HandEdit(GitdeskError):
    """The file a write would rewrite has uncommitted changes; they are never swept in silently."""

    def __init__(self, path: str, committed: bool = True, deleted: bool = False, recordable: bool = True) -> None:
        self.path, self.committed, self.deleted = path, committed, deleted
        if deleted:
            what = f"{path} was deleted by hand but not committed; restore it (git checkout -- {path})"
        elif committed:
            what = (
                f"{path} has uncommitted changes that this command would sweep into its commit; "
                f"commit them (git commit {path}) or discard them (git checkout -- {path})"
            )
        else:
            what = f"{path} is not committed yet; commit it (git add {path} && git commit) or remove it"
        # `init --update` rewrites whole files: there a hand edit is the person's to commit or discard
        offer = ", or run again with --include-edits to record them as an edit" if recordable else ""
        super().__init__(f"{what}{offer}; nothing was written")


class RulesRefused(GitdeskError):
    """The change breaks a rule `gitdesk validate` checks; refused before anything is written."""

    def __init__(self, problems: list) -> None:  # type: ignore[type-arg]
        self.problems = problems
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(
            f"{first.path}:{first.field or first.line}: {first.message}{more}; "
            "'gitdesk validate' would reject this, so nothing was written"
        )


class NothingToRecord(GitdeskError):
    """A well-formed request that changes nothing (a redelivered review, a later approval): exit 0."""


class ReviewRefused(GitdeskError):
    """The reviewer may not give this verdict here (not a reviewer, or approving their own proposal)."""
