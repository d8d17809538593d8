"""What the read index keeps of one file, made from its bytes: the rows behind list, reports, intake and KB search.

Each function takes (path, bytes) and returns a plain, marshal-able row, or an error
row naming the line and the problem, so a broken file is parsed once per content and
fails the readers that need it with the same one-line message every time.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, NamedTuple

from gitdesk.core.ids import ID_PATTERN, canonical
from gitdesk.core.ticket import MAX_TICKET_BYTES
from gitdesk.errors import GitdeskError, MalformedTicket

ERROR = "\0error"  # first element of an error row: (ERROR, line, problem)

# tickets/ holds PREFIX-id.md files; anything else there (a README, an editor's backup) is not a
# ticket, is skipped by every reader, and is reported by `gitdesk validate`.
_TICKET_FILE = re.compile(rf"{ID_PATTERN}\.md")


def is_ticket_file(name: str) -> bool:
    return _TICKET_FILE.fullmatch(name) is not None


class Summary(NamedTuple):
    """What `list` needs of a ticket."""

    id: str
    title: str
    status: str
    priority: str
    queue: str
    tier: int
    assignee: str
    requester: str
    email: str
    created: str
    updated: str
    visibility: str
    parent: str

    @classmethod
    def of(cls, t: Any) -> Summary:
        req = t.requester
        return cls(
            t.id,
            t.title,
            t.status,
            t.priority or "",
            str(t.meta.get("queue") or ""),
            t.tier,
            str(t.meta.get("assignee") or ""),
            str(req.get("name") or ""),
            str(req.get("email") or ""),
            str(t.meta.get("created") or ""),
            str(t.meta.get("updated") or ""),
            t.visibility,
            str(t.meta.get("parent") or ""),
        )


def is_error(row: Any) -> bool:
    return type(row) is tuple and len(row) == 3 and row[0] == ERROR


def raise_error(path: str, row: tuple[str, int | None, str]) -> None:
    raise MalformedTicket(path, row[1], row[2])


def _error(exc: GitdeskError) -> tuple[str, int | None, str]:
    if isinstance(exc, MalformedTicket):
        return (ERROR, exc.line, exc.problem)
    return (ERROR, None, str(exc))


def _text(path: str, data: bytes) -> str:
    if len(data) > MAX_TICKET_BYTES:  # never decoded nor parsed; below this, limits.ticket_file applies at the reader
        most = MAX_TICKET_BYTES // 1024**2
        raise MalformedTicket(path, None, f"larger than {most} MB, the most any desk file may be")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedTicket(path, None, f"not UTF-8 text ({exc.reason})") from None


def ticket_of(path: str, data: bytes) -> Any:
    """The whole ticket; its `id` must match the file name."""
    from gitdesk.core.ticket import parse

    ticket = parse(_text(path, data), path)
    _check_id(path, ticket.meta)
    return ticket


def _check_id(path: str, meta: dict[str, Any]) -> None:
    stem = path.rsplit("/", 1)[-1][:-3]
    if meta.get("id") and canonical(str(meta["id"])) != stem:
        raise MalformedTicket(path, 2, f"id '{meta['id']}' does not match the file name")


def summary_row(path: str, data: bytes) -> Any:
    """(summary fields, message ids): read from the front matter without its history, the bulk of a ticket."""
    from gitdesk.core.ticket import Ticket, load_yaml, split_front_matter
    from gitdesk.core.written_yaml import load

    try:
        text = _text(path, data)
        head = without_history(text)
        meta = None
        if head is not None:
            front = split_front_matter(head, path)[0]
            meta = load(front)
            if meta is None:
                try:
                    meta = load_yaml(front, path, 2)
                except GitdeskError:
                    meta = None
        if not isinstance(meta, dict):  # the cut was not clean: the whole file, errors and all
            meta = ticket_of(path, data).meta
        _check_id(path, meta)
        ticket = Ticket(meta, "", path)
        if not ticket.id:
            meta["id"] = path.rsplit("/", 1)[-1][:-3]
        mids = meta.get("message_ids")
        return (tuple(Summary.of(ticket)), tuple(str(m) for m in mids) if isinstance(mids, list) else ())
    except GitdeskError as exc:
        return _error(exc)


def mids_row(path: str, data: bytes) -> Any:
    """A ticket's message ids alone: intake's threading and duplicate lookups. Most tickets have none,
    which a byte search tells without parsing, so a fresh clone's first intake reads fast."""
    if b"message_ids" not in data:
        return ()
    row = summary_row(path, data)
    return row if is_error(row) else row[1]


def facts_row(path: str, data: bytes) -> Any:
    from gitdesk.core.sla import Facts

    try:
        return tuple(Facts.of(ticket_of(path, data)))
    except GitdeskError as exc:
        return _error(exc)


def survey_row(path: str, data: bytes) -> Any:
    from gitdesk.core import survey

    try:
        return _plain(survey.parse_file(data, path))
    except GitdeskError as exc:
        return _error(exc)


def article_row(path: str, data: bytes) -> Any:
    from gitdesk.store.kbsearch import article_terms

    return article_terms(path, data.decode("utf-8", errors="replace"))


def _plain(value: Any) -> Any:
    """Dates (an unquoted time typed by hand) as ISO text, so every row is marshal-able."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        from gitdesk.core.ticket import iso

        return iso(value)
    return value


# `history:` and its block lines ("- ..." items, indented lines, blank lines); a "---" fence ends it.
_HISTORY = re.compile(r"^history:[ \t]*\r?\n(?:(?:-(?:[ \t][^\n]*)?|[# \t][^\n]*)?\r?\n)*", re.M)


def without_history(text: str) -> str | None:
    """The ticket text with its block-style `history:` cut out; None if it is not written that way."""
    at = text.find("\nhistory:")
    if at < 0:
        return text
    match = _HISTORY.match(text, at + 1)
    if match is None or "\nhistory:" in text[match.end() :]:
        return None
    return text[: match.start()] + text[match.end() :]
