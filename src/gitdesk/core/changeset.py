"""Judge a change to the desk: every file's own rules (`rules.check_change`), then the cross-file rules.

Pure: the files come through two readers (path list -> bytes or None), one for
the desk after the change and one for before it. `gitdesk validate` reads them
from git revisions; the write gate (desk/gate.py) reads HEAD with the files it
is about to commit laid over it. Both call `check_changeset`, so the CLI can
never write what CI would refuse.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from gitdesk.core.config import Limits, human_size
from gitdesk.core.ids import TICKETS_DIR
from gitdesk.core.kb import KB_DIR, parse_article
from gitdesk.core.links import (
    check_duplicates,
    check_family,
    check_kb,
    check_survey_ticket,
    dropped_children,
    kb_slug,
    wanted,
)
from gitdesk.core.rules import Locator, Problem, check_change, kind_of, load_ticket
from gitdesk.core.ticket import Ticket
from gitdesk.errors import MalformedTicket

Reader = Callable[[list[str]], "dict[str, bytes | None]"]


@dataclass
class Verdict:
    checked: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def check_changeset(
    entries: Sequence[tuple[str, str]],
    read_new: Reader,
    read_old: Reader | None,
    queues: Sequence[str] = (),
    tiers: int = 9,
    complete: bool = False,
    now: dt.datetime | None = None,
    limits: Limits | None = None,
    quick_resolve: Callable[[Ticket], str] | None = None,
) -> Verdict:
    """`entries`: (status letter A/M/D, path) of the changed files. `complete`: the whole desk is
    being checked (every ticket is among the entries), so ids must also be unique. `now`: new
    history events may not be dated later (None: not checked). `limits`: gitdesk.yml's `limits:`.
    `quick_resolve`: why a new `resolve` event is not allowed for a ticket ("" = it is), from the
    desk's review rules (review_policy.quick_resolve_refusal); None: not checked."""
    changeset = _Changeset(entries, read_new, read_old, complete)
    changeset.limits = limits or Limits()
    changeset.quick_resolve = quick_resolve
    return changeset.run(list(queues), tiers, now)


class _Changeset:
    def __init__(self, entries: Sequence[tuple[str, str]], new: Reader, old: Reader | None, complete: bool) -> None:
        self.entries = [(s, p) for s, p in entries if kind_of(p) and kind_of(p) != "config"]
        self.read_new, self.read_old, self.complete = new, old, complete
        self.seen: dict[str, bytes | None] = {}
        self.verdict = Verdict()
        self.tickets: dict[str, tuple[Ticket, Locator]] = {}
        self.bases: dict[str, Ticket] = {}
        self.deleted_articles: list[str] = []
        self.surveys: dict[str, dict[str, Any]] = {}
        self.limits = Limits()
        self.quick_resolve: Callable[[Ticket], str] | None = None

    def new(self, paths: list[str]) -> dict[str, bytes | None]:
        wanted_paths = [p for p in dict.fromkeys(paths) if p not in self.seen]
        if wanted_paths:
            self.seen.update(self.read_new(wanted_paths))
        return {p: self.seen.get(p) for p in paths}

    def run(self, queues: list[str], tiers: int, now: dt.datetime | None = None) -> Verdict:
        texts = self.new([p for s, p in self.entries if s != "D"])
        modified = [p for s, p in self.entries if s == "M" and kind_of(p) in ("ticket", "survey")]
        before = self.read_old(modified) if self.read_old and modified else {}
        for status, path in self.entries:
            data = None if status == "D" else texts.get(path)
            if data is None and status != "D":
                continue
            if data is not None and not self._within_limits(path, data):
                continue
            result = check_change(path, before.get(path), data, queues, tiers, now)
            self.verdict.problems.extend(result.problems)
            self._title_within_limit(path, result)
            self._quick_resolves(path, result)
            if status == "D":
                if result.kind == "article":
                    self.deleted_articles.append(path)
                continue
            self.verdict.checked.append(path)
            if result.ticket is not None and result.locator is not None:
                self.tickets[path] = (result.ticket, result.locator)
                if result.base is not None:
                    self.bases[path] = result.base
            if result.survey is not None:
                self.surveys[path] = result.survey
        if self.complete:
            self._unique_ids()
        self._links()
        self.verdict.problems.sort(key=lambda p: (p.path, p.line, p.message))
        return self.verdict

    def _within_limits(self, path: str, data: bytes) -> bool:
        """A ticket file larger than limits.ticket_file is reported and not parsed."""
        limit = self.limits.ticket_file
        if kind_of(path) != "ticket" or len(data) <= limit:
            return True
        size = f"{human_size(len(data))}, larger than limits.ticket_file ({human_size(limit)}) in gitdesk.yml"
        self.problem(path, 1, f"{size}: split the ticket or raise the limit")
        return False

    def _title_within_limit(self, path: str, result: Any) -> None:
        """A title longer than limits.title is refused where it is written (a lowered limit leaves old ones be)."""
        t, limit = result.ticket, self.limits.title
        if t is None or result.locator is None or not isinstance(t.title, str) or len(t.title) <= limit:
            return
        if result.base is not None and result.base.title == t.title:
            return
        where = result.locator.line("title")
        self.problem(path, where, f"title is {len(t.title)} characters, over limits.title ({limit})", "title")

    def _quick_resolves(self, path: str, result: Any) -> None:
        """A `resolve` event new in this change skips the review: only where the desk's rules allow it."""
        t, loc = result.ticket, result.locator
        if self.quick_resolve is None or t is None or loc is None:
            return
        kept = len(result.base.history) if result.base is not None else 0  # append-only is checked apart
        for i, event in enumerate(t.history[kept:], kept):
            why = self.quick_resolve(t) if isinstance(event, dict) and event.get("action") == "resolve" else ""
            if why:
                self.problem(
                    path,
                    loc.line("history", i),
                    f"history event {i + 1}: resolved without review, but {why}",
                    "history",
                )

    def problem(self, path: str, line: int, message: str, field_name: str = "") -> None:
        self.verdict.problems.append(Problem(path, line, message, field_name))

    def _unique_ids(self) -> None:
        """File names are IDs, so only a case-insensitive clash can make two tickets share one."""
        seen: dict[str, str] = {}
        for path in sorted(self.tickets):
            key = path.lower()
            if key in seen:
                self.problem(path, 1, f"ticket id clashes with {seen[key]} (IDs are case-insensitive)", "id")
            seen[key] = path

    def _links(self) -> None:
        needed = [p for path, (t, _) in self.tickets.items() for p in wanted(t, self.bases.get(path))]
        needed += [f"{TICKETS_DIR}/{rec.get('ticket')}.md" for rec in self.surveys.values()]
        lessons = self._deleted_lessons()
        needed += [f"{TICKETS_DIR}/{i}.md" for ids in lessons.values() for i in ids]
        self.new(needed)
        for path, ids in lessons.items():
            for ticket_id in ids:
                other = self._other(ticket_id)
                if isinstance(other, Ticket) and f"{KB_DIR}/{kb_slug(other)}.md" == path:
                    self.problem(path, 1, f"deleted, but closed ticket {ticket_id} keeps its lesson here")
        for path, (t, loc) in list(self.tickets.items()):
            dropped = dropped_children(t, self.bases.get(path))
            found = [*check_family(t, self._other, dropped), *check_duplicates(t, self._other)]
            for where, msg in [*found, *check_kb(t, self._exists)]:
                self.problem(path, loc.line(*where), msg, str(where[0]))
        for path, record in self.surveys.items():
            for msg in check_survey_ticket(record, self._other):
                text = (self.seen.get(path) or b"").decode("utf-8", "replace")
                self.problem(path, Locator(text, text).line("ticket"), msg, "ticket")

    def _deleted_lessons(self) -> dict[str, list[str]]:
        """Deleted KB article -> the tickets its base version says it came from."""
        if not self.deleted_articles or self.read_old is None:
            return {}
        out = {}
        for path, data in self.read_old(self.deleted_articles).items():
            try:
                meta, _ = parse_article((data or b"").decode("utf-8"), path)
            except (MalformedTicket, UnicodeDecodeError):
                continue
            out[path] = [str(i) for i in meta.get("tickets") or [] if isinstance(i, str)]
        return out

    def _exists(self, path: str) -> bool:
        return self.new([path])[path] is not None

    def _other(self, ticket_id: str) -> Ticket | None | bool:
        """The ticket with that id after the change; None if missing; True if present but unreadable."""
        path = f"{TICKETS_DIR}/{ticket_id}.md"
        if path in self.tickets:
            return self.tickets[path][0]
        data = self.new([path])[path]
        if data is None:
            return None
        ticket = load_ticket(path, data)[0]
        return ticket if ticket is not None else True
