"""The one exception family: every failure the library reports to a user."""

from __future__ import annotations


class GitdeskError(Exception):
    """Base class. The CLI prints str(error) on one line and exits with exit_code."""

    exit_code = 1


class UsageError(GitdeskError):
    """A missing or contradictory option or argument."""

    exit_code = 2


class NotADesk(GitdeskError):
    """The directory is not inside a git repository holding a desk."""


class ConfigError(GitdeskError):
    """gitdesk.yml is malformed; names the key at fault."""

    def __init__(self, key: str, problem: str, path: str = "gitdesk.yml") -> None:
        self.key, self.problem, self.path = key, problem, path
        super().__init__(f"{path}: {key}: {problem}")


class MalformedTicket(GitdeskError):
    """A ticket (or KB/survey) file cannot be parsed."""

    def __init__(self, path: str, line: int | None, problem: str) -> None:
        self.path, self.line, self.problem = path, line, problem
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
        allowed_txt = ", ".join(allowed) if allowed else "none"
        extra = f" ({detail})" if detail else ""
        super().__init__(
            f"{ticket_id}: cannot {action} a ticket that is '{status}'{extra}; allowed from '{status}': {allowed_txt}"
        )


class InvalidValue(GitdeskError):
    """A field value that the ticket schema refuses, naming the field."""

    def __init__(self, field: str, problem: str) -> None:
        self.field, self.problem = field, problem
        super().__init__(f"{field}: {problem}")


class DeskBusy(GitdeskError):
    """Another gitdesk command holds the desk lock for too long."""

    exit_code = 75


class GitFailure(GitdeskError):
    """A git command failed; carries git's own message."""


class BadEvent(GitdeskError):
    """A webhook payload gitdesk does not understand; nothing is changed."""

    def __init__(self, source: str, problem: str) -> None:
        self.source, self.problem = source, problem
        super().__init__(f"{source}: {problem}; nothing was changed")


class SyncFailed(GitdeskError):
    """`gitdesk sync` could not finish: a real conflict, or the remote kept rejecting the push."""
