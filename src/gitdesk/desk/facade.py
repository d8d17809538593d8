"""The Desk facade: every gitdesk action is one method, and every write is one commit.

Every write goes through `Desk.write` (the gate, gate.py): lock, compare with
HEAD, a pure change from `actions`, the rules `gitdesk validate` runs, an
atomic write and one commit of exactly those files. If anything fails, the
files are put back as they were, so the repo is untouched.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitdesk.core.config import CONFIG_FILE, Config
from gitdesk.core.config import load as load_config
from gitdesk.core.ticket import Ticket, iso, parse_time
from gitdesk.core.ticket import dump as _dump
from gitdesk.errors import (
    GitdeskError,
    HandEdit,
    InvalidValue,
    MalformedTicket,
    NotADesk,
    NothingToRecord,
    UsageError,
)
from gitdesk.git.repo import GitRepo, find_root
from gitdesk.store.entries import read_plain
from gitdesk.store.files import TICKETS_DIR, TicketStore, gc_paused
from gitdesk.store.index import DeskIndex

if TYPE_CHECKING:  # the write path (actions, gate, journal, rules) is imported only by commands that write
    from gitdesk.core import review_event
    from gitdesk.core.actions import Context
    from gitdesk.core.sla import Facts
    from gitdesk.desk.gate import Change, Draft
    from gitdesk.store.rows import Summary

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    """Wall clock, or GITDESK_NOW (ISO 8601) when set: demos and tests fix time this way."""
    fixed = os.environ.get("GITDESK_NOW")
    if fixed:
        try:
            return parse_time(fixed)
        except ValueError:
            raise UsageError(
                f"GITDESK_NOW: '{fixed}' is not an ISO 8601 time (e.g. 2026-03-02T09:00:00Z); unset it to use the clock"
            ) from None
    return dt.datetime.now(dt.UTC)


class Desk:
    def __init__(
        self,
        root: Path,
        clock: Clock = system_clock,
        actor: str | None = None,
        include_edits: bool = False,
        allow_detached: bool = False,
    ) -> None:
        self.root = root
        # --include-edits: a hand edit of a file a write rewrites is recorded (as an edit event), not refused
        self.include_edits = include_edits
        self.allow_detached = allow_detached  # --force: commit on a detached HEAD
        self.repo = GitRepo(root)
        self.repo.allow_detached = allow_detached
        self.clock = clock
        self._actor = actor or os.environ.get("GITDESK_USER") or None
        self.index = DeskIndex(root, self.repo, self.repo.state_dir() if (root / ".git").exists() else None)
        self.store = TicketStore(root, self.index)
        self.index.sizes.limit_of = lambda: self.config.limits.ticket_file  # read only if a big ticket is known
        self.read_after_write: tuple[str, ...] = ()  # folders a face reads once its write is committed

    @classmethod
    def find(cls, desk: str | os.PathLike[str] | None = None, **kw: Any) -> Desk:
        """The desk at --desk / GITDESK_DESK, else the git repo around the current directory."""
        start = Path(desk or os.environ.get("GITDESK_DESK") or Path.cwd())
        if not start.exists():
            raise GitdeskError(f"{start}: no such directory")
        root = find_root(start)
        # Without this, `gitdesk new` typed in the wrong repository (a source tree, say)
        # would quietly commit a tickets/ folder there.
        if not (root / CONFIG_FILE).is_file():
            raise NotADesk(f"{root}: not a desk (no {CONFIG_FILE}); run 'gitdesk init' there, or use --desk")
        return cls(root, **kw)

    @cached_property
    def config(self) -> Config:
        from gitdesk.core.config import parse_text
        from gitdesk.store.parsed_config import parsed

        state = self.index.file.parent if self.index.file else None
        return load_config(self.root, lambda text: parsed(state, text, parse_text))

    @property
    def actor(self) -> str:
        if not self._actor:
            self._actor = self.repo.ident()[0] or "unknown"
        return self._actor

    def context(self) -> Context:
        from gitdesk.core.actions import Context

        return Context(self.config, iso(self.clock()), self.actor)

    # -- reading ----------------------------------------------------------------------
    def resolve(self, ref: str) -> str:
        return self.store.resolve(_plain_ref(ref))

    def get(self, ref: str) -> Ticket:
        return self.store.load(self.store.resolve(_plain_ref(ref)))

    def summaries(self) -> list[Summary]:
        return self.store.summaries()

    def tickets(self) -> Iterator[Ticket]:
        return self.store.iter_tickets()

    def kb_slugs(self) -> list[str]:
        """The slugs of the knowledge base's articles (kb/<slug>.md), sorted."""
        from gitdesk.core import kb

        return sorted(p.stem for p in (self.root / kb.KB_DIR).glob("*.md") if p.is_file())

    def facts(self) -> list[Facts]:
        """Every ticket's SLA facts, in ID order, from the read index."""
        from gitdesk.core.sla import Facts

        with gc_paused():
            _, values = self.index.good(*self.index.column("tickets:facts", TICKETS_DIR, "facts")[:2])
            return list(map(Facts._make, values))

    def checkin_dues(self) -> list[tuple[str, str, str, str, float]]:
        """(id, title, priority, status, due instant) of every ticket that owes the customer a check-in.

        Its own column of the read index, named after the calendars and intervals it was counted with:
        `due` reads one small value per ticket (None for most), and a write re-counts only what changed."""
        from gitdesk.core.calendar import from_config
        from gitdesk.core.sla import Facts, checkin_due_of

        config, calendars = self.config, None

        def value(_path: str, row: Any) -> tuple[str, str, str, str, float] | None:
            nonlocal calendars
            facts = Facts._make(row)
            calendars = calendars or from_config(config)
            when = checkin_due_of(facts, config, calendars)
            return None if when is None else (facts.id, facts.title, facts.priority, facts.status, when.timestamp())

        name = "tickets:checkins:" + _clock_digest(config)
        with gc_paused():
            _, values = self.index.good(*self.index.column(name, TICKETS_DIR, "facts", value)[:2])
            return [v for v in values if v is not None]

    def surveys(self) -> list[dict[str, Any]]:
        """Every survey record under surveys/, sorted by ticket, from the read index."""
        from gitdesk.core import survey

        _, values = self.index.good(*self.index.column("surveys", survey.SURVEYS_DIR, "survey")[:2])
        return survey.sort_records([dict(v) for v in values])

    def skipped(self) -> list[MalformedTicket]:
        """The files the whole-desk reads so far left out because they do not parse, by path.

        `list`, `report`, `sla`, `due` and the site carry on without them; the faces warn about each."""
        left_out = {**self.index.skipped, **self.index.odd}
        return [MalformedTicket(path, line, problem) for path, (line, problem) in sorted(left_out.items())]

    def report(self, since: Any = None, until: Any = None, by: str | None = None, now: Any = None) -> dict[str, Any]:
        """`build_report` over this desk's tickets and surveys (the figures of `gitdesk report` and the site)."""
        from gitdesk.core.reports import build_report

        with gc_paused():  # 100k facts and rows are long-lived and acyclic: nothing for the collector to find
            return build_report(self.facts(), self.surveys(), self.config, since, until, by, now)

    # -- writing: the one door ------------------------------------------------------------
    def write(self, prepare: Callable[[Draft], Change]) -> Change:
        """The one way anything is written to the desk (gate.py says what each step guarantees).

        Under the desk lock: settle a crashed write, check git allows a commit now,
        let `prepare` read through a `Draft` (tickets compared with HEAD) and return
        the `Change`; refuse a hand edit or anything `gitdesk validate` would reject;
        write atomically and commit exactly the change's files.
        """
        from gitdesk.desk import gate, journal
        from gitdesk.git.commit import check_state, wait_for_index

        with self.repo.lock():
            journal.recover(self.root, self.repo)
            check_state(self.repo, self.allow_detached)
            wait_for_index(self.repo)
            self.index.changed()  # what is read under the lock is read fresh
            for folder in self.read_after_write:  # git stats it while the change is judged and committed
                self.index.prefetch(folder)
            draft = gate.Draft(self)
            change = prepare(draft)
            if change.files:
                gate.judge(self, change, draft)
                gate.write_and_commit(self, change, draft)
                self.index.changed({path.split("/", 1)[0] for path in change.files})
            return change

    def commit_env(self) -> dict[str, str]:
        if os.environ.get("GITDESK_NOW"):
            stamp = iso(self.clock())
            return {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
        return {}

    def apply(
        self,
        ref: str,
        action: str,
        change: Callable[[Ticket, Context], Any],
        subject: str = "",
        extra_files: Callable[[Ticket, Context], dict[str, str]] | None = None,
    ) -> Ticket:
        """Load one ticket, apply a pure change, write and commit it. The template of every verb."""
        from gitdesk.desk.gate import Change

        def prepare(draft: Draft) -> Change:
            ticket = draft.ticket(ref)  # refuses a ticket without an id (its file would become tickets/.md)
            change(ticket, draft.ctx)
            files: dict[str, str | bytes] = {self.store.rel(ticket.id): _dump(ticket)}
            if extra_files:
                files.update(extra_files(ticket, draft.ctx))
            return Change(files, subject or action, ticket.id, action, result=ticket)

        return self.write(prepare).result  # type: ignore[no-any-return]

    def init(self, files: dict[str, str | bytes], subject: str = "init desk") -> Change:
        """Commit a desk's scaffold (`gitdesk init`, `init --update`): the files it lacks or that changed."""
        from gitdesk.desk.gate import Change

        try:
            return self.write(lambda draft: Change(files, subject, None, "init"))
        except HandEdit as exc:  # init has no --include-edits: a file it rewrites whole is settled by hand
            raise HandEdit(exc.path, exc.committed, exc.deleted, recordable=False) from None

    def sync(self, check: Callable[[str | None], list[str]], remote: str = "origin", retries: int = 3) -> Any:
        """`gitdesk sync`, under the desk lock so no verb commits while the rebase runs; `check` is validate's."""
        from gitdesk.desk import journal
        from gitdesk.desk.sync import sync as do_sync
        from gitdesk.git.commit import check_state

        with self.repo.lock():
            journal.recover(self.root, self.repo)
            check_state(self.repo, allow_detached=True)  # sync names a detached HEAD in its own words
            return do_sync(self.repo, check, remote, retries)

    def install_merge_driver(self) -> list[str]:
        """Register the merge driver (tickets field by field, KB articles by section) in this clone (`gitdesk install`).

        Returns the attribute lines this clone had to add to .git/info/attributes.
        """
        from gitdesk.desk.merging import install_driver

        return install_driver(self.root)

    # -- the verbs ----------------------------------------------------------------------
    def open(self, title: str, requester: dict[str, str], **fields: Any) -> Ticket:
        from gitdesk.core import actions
        from gitdesk.desk.gate import Change

        def prepare(draft: Draft) -> Change:
            ticket = actions.new_ticket(draft.ctx, draft.fresh_id(), title, requester, **fields)
            return Change(
                {self.store.rel(ticket.id): _dump(ticket)}, f"open {ticket.title}", ticket.id, "open", result=ticket
            )

        return self.write(prepare).result  # type: ignore[no-any-return]

    def prioritise(self, ref: str, priority: str, reason: str | None = None, **inputs: Any) -> Ticket:
        from gitdesk.core import actions

        return self.apply(
            ref,
            "prioritise",
            lambda t, c: actions.prioritise(t, c, priority, reason, **inputs),
            f"prioritise {priority.upper()}",
        )

    def assign(self, ref: str, to: str | None = None, queue: str | None = None, unassign: bool = False) -> Ticket:
        """Route to a technician and/or queue; `unassign` (or `to=""`) leaves nobody on it."""
        from gitdesk.core import actions

        unassign = unassign or (to is not None and not to.strip())
        name = to.strip() if to and to.strip() else None
        rest = " ".join(x for x in (f"to {name}" if name else "", f"queue {queue}" if queue else "") if x)
        subject = ("unassign" + (f", {rest}" if rest else "")) if unassign else f"assign {rest}"
        action = "assign" if rest else "unassign"
        return self.apply(ref, action, lambda t, c: actions.assign(t, c, to, queue, unassign), subject)

    def escalate(self, ref: str, reason: str, tier: int | None = None) -> Ticket:
        from gitdesk.core import actions

        return self.apply(ref, "escalate", lambda t, c: actions.escalate(t, c, reason, tier), "escalate")

    def de_escalate(self, ref: str, reason: str, tier: int | None = None) -> Ticket:
        from gitdesk.core import actions

        return self.apply(ref, "de-escalate", lambda t, c: actions.de_escalate(t, c, reason, tier), "de-escalate")

    def quick_resolve(self, ref: str, solution: str) -> Ticket:
        """Resolve a trivial ticket without a review (review.quick_resolve; review_policy says when)."""
        from gitdesk.core import actions

        return self.apply(ref, "resolve", lambda t, c: actions.quick_resolve(t, c, solution), "resolve (quick)")

    def start(self, ref: str) -> Ticket:
        from gitdesk.core import actions

        return self.apply(ref, "start", actions.start, "start work")

    def note(self, ref: str, text: str) -> Ticket:
        from gitdesk.core import actions

        return self.apply(ref, "note", lambda t, c: actions.note(t, c, text), "note")

    def contact(self, ref: str, via: str, summary: str, inbound: bool = False, **extra: Any) -> Ticket:
        from gitdesk.core import actions

        way = "inbound" if inbound else "outbound"
        return self.apply(
            ref,
            "contact",
            lambda t, c: actions.contact(t, c, via, summary, inbound, **extra),
            f"contact {way} via {via}",
        )

    def wait(self, ref: str, question: str) -> Ticket:
        from gitdesk.core import actions

        return self.apply(ref, "wait", lambda t, c: actions.wait(t, c, question), "wait for the customer")

    def propose(self, ref: str, solution: str, branch: str | None = None) -> Ticket:
        from gitdesk.core import actions

        return self.apply(ref, "propose", lambda t, c: actions.propose(t, c, solution, branch), "propose a solution")

    def review(self, ref: str, approve: bool, by: str, comment: str | None = None, **extra: Any) -> Ticket:
        from gitdesk.core import actions, review_event

        verdict = "approve" if approve else "request changes"

        def change(t: Ticket, c: Context) -> None:
            review_event.check_reviewer(t, c.config, by, approve, self.codeowners())
            actions.review(t, c, approve, by, comment, **extra)

        return self.apply(ref, "review", change, f"review: {verdict}")

    def review_from_github(self, found: review_event.ReviewVerdict) -> tuple[Ticket | None, str]:
        """Record a PR review (`review --from-github-event`); (ticket, "") or (ticket or None, why nothing changed)."""
        from gitdesk.core import review_event

        if found.ignored:
            return None, found.ignored
        what = "dismissed" if found.dismiss else "approve" if found.approve else "request changes"
        try:
            change = lambda t, c: review_event.apply_verdict(t, c, found, self.codeowners())  # noqa: E731
            return self.apply(found.ticket, "review", change, f"review: {what}"), ""
        except NothingToRecord as exc:
            return self.get(found.ticket), str(exc)

    def codeowners(self) -> frozenset[str]:
        """The logins CODEOWNERS names, where the desk has one (GitHub's three places)."""
        from gitdesk.core import review_policy

        for rel in ("CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS"):
            path = self.root / rel
            if path.is_file():
                return review_policy.codeowners(path.read_text(encoding="utf-8", errors="replace"))
        return frozenset()

    def customer_review(self, ref: str, approve: bool, feedback: str = "", **extra: Any) -> Ticket:
        """The requester's own verdict (checked to be theirs by the face that took it)."""
        from gitdesk.core import actions

        verdict = "accepted by the customer" if approve else "changes requested by the customer"
        return self.apply(
            ref,
            "review",
            lambda t, c: actions.customer_review(t, c, approve, feedback, **extra),
            f"review: {verdict}",
        )

    def close(
        self,
        ref: str,
        lesson: str,
        cause: str | None = None,
        kb_slug: str | None = None,
        survey_invite: str | None = None,
        kb_public: bool | None = None,
    ) -> Ticket:
        """`kb_public`: True publishes the article (a private ticket's lesson scrubbed), False keeps it
        off the site; None publishes only a public ticket's (see core.kb.publication)."""

        from gitdesk.core import actions, kb
        from gitdesk.core.scrub import Scrubber

        def articles(t: Ticket, ctx: Context) -> dict[str, str]:
            slug = t.history[-1]["kb"]
            existing = self._text(f"{kb.KB_DIR}/{slug}.md")
            text = kb.lesson_article(
                existing, slug, t, lesson, cause, _last_solution(t), ctx.now, kb.default_tags(t), kb_public
            )
            return {f"{kb.KB_DIR}/{slug}.md": text}

        def change(t: Ticket, ctx: Context) -> None:
            # after a reopen, the lesson extends the article the first close wrote, not a second one
            earlier = [str(e["kb"]) for e in t.history if e.get("action") == "close" and e.get("kb")]
            scrub = Scrubber.of(t.meta)
            slug = (
                kb.check_private_slug(kb.check_slug(kb_slug or (earlier[-1] if earlier else "")), scrub)
                if kb_slug or earlier
                else kb.lesson_slug(t.title, scrub, fallback=t.id.lower())
            )
            actions.close(t, ctx, lesson, slug, cause, survey_invite)

        return self.apply(ref, "close", change, "close with a lesson learned", extra_files=articles)

    def _text(self, rel: str) -> str | None:
        """A desk file's text from the work tree, None if there is none; a FIFO or symlink there is refused."""
        try:
            return read_plain(self.root / rel, rel).decode("utf-8")
        except FileNotFoundError:
            return None
        except UnicodeDecodeError:
            raise MalformedTicket(rel, None, "not UTF-8") from None

    def kb_published(self, slug: str) -> bool:
        """Whether kb/<slug>.md is on the public site (its `published` flag)."""
        from gitdesk.core import kb

        text = self._text(f"{kb.KB_DIR}/{slug}.md")
        if text is None:
            return False
        meta, _ = kb.parse_article(text, f"{kb.KB_DIR}/{slug}.md")
        return kb.published_flag(meta) is not False

    def reopen(self, ref: str, reason: str) -> Ticket:
        from gitdesk.core import actions

        return self.apply(ref, "reopen", lambda t, c: actions.reopen(t, c, reason), "reopen")

    def cancel(self, ref: str, reason: str, duplicate_of: str | None = None) -> Ticket:
        """Cancel; as a duplicate, the original gets its back-link (`duplicates`) in the same commit."""
        from gitdesk.core import actions
        from gitdesk.desk.gate import Change

        original_id = self.resolve(duplicate_of) if duplicate_of else None
        if original_id and original_id == self.resolve(ref):
            raise InvalidValue("duplicate-of", "a ticket cannot duplicate itself")

        def prepare(draft: Draft) -> Change:
            ticket = draft.ticket(ref)
            actions.cancel(ticket, draft.ctx, reason, original_id)
            files: dict[str, str | bytes] = {self.store.rel(ticket.id): _dump(ticket)}
            subject = "cancel"
            if original_id:
                original = draft.ticket(original_id)
                _check_original(original)
                if actions.link_duplicate(original, draft.ctx, ticket.id) is not None:
                    files[self.store.rel(original.id)] = _dump(original)
                subject = f"cancel as a duplicate of {original_id}"
            return Change(files, subject, ticket.id, "cancel", result=ticket)

        return self.write(prepare).result  # type: ignore[no-any-return]

    def edit(self, ref: str, changes: dict[str, Any]) -> Ticket:
        from gitdesk.core import actions

        return self.apply(ref, "edit", lambda t, c: actions.edit(t, c, changes), "edit " + ", ".join(sorted(changes)))

    def split(self, ref: str, titles: list[str]) -> list[Ticket]:
        from gitdesk.core import actions
        from gitdesk.desk.gate import Change

        def prepare(draft: Draft) -> Change:
            parent = draft.ticket(ref)
            ids = [draft.fresh_id() for _ in titles]
            children = actions.split_children(parent, draft.ctx, titles, ids)
            files: dict[str, str | bytes] = {self.store.rel(parent.id): _dump(parent)}
            files.update({self.store.rel(c.id): _dump(c) for c in children})
            body = "\n".join(f"- {c.id}: {c.title}" for c in children)
            return Change(files, f"split into {len(children)}", parent.id, "split", body, result=[parent, *children])

        return self.write(prepare).result  # type: ignore[no-any-return]

    def survey(
        self,
        ref: str,
        score: int,
        right_questions: str,
        time: str,
        comment: str = "",
        improve: str = "",
        replace: bool = False,
        source: str = "cli",
        answered_by: str = "",
    ) -> Ticket:
        from gitdesk.core import actions, survey

        def files(t: Ticket, ctx: Context) -> dict[str, str]:
            record = survey.make(t.id, ctx.now, score, right_questions, time, comment, improve, source, answered_by)
            rel = f"{survey.SURVEYS_DIR}/{t.id}.yml"
            earlier = self._text(rel) if replace else None
            if earlier is not None:
                record = survey.replacing(survey.parse(earlier, rel), record)
            return {rel: survey.dump(record)}

        def change(t: Ticket, ctx: Context) -> None:
            if (self.root / survey.SURVEYS_DIR / f"{t.id}.yml").exists() and not replace:
                raise UsageError(f"{t.id} already has a survey (surveys/{t.id}.yml); use --replace")
            survey.make(t.id, ctx.now, score, right_questions, time, comment, improve, source)
            actions.record(t, ctx, "survey", score=score)

        return self.apply(ref, "survey", change, f"survey score {score}", extra_files=files)


def _plain_ref(ref: str) -> str:
    """A shell's tab completion gives `tickets/HD-4f7k2m9q.md`; the ID is what is meant."""
    text = ref.strip().replace("\\", "/")
    if text.lower().endswith(".md"):  # an ID never has a dot in it
        text = text.rsplit("/", 1)[-1][:-3]
    return text


def _last_solution(t: Ticket) -> str | None:
    for event in reversed(t.history):
        if event.get("action") in ("propose", "resolve"):  # a quick resolve carries its solution too
            return str(event.get("solution") or "") or None
    return None


def _clock_digest(config: Config) -> str:
    """Names what a counted clock depends on besides the ticket: the calendar and the priorities' targets."""
    import hashlib
    import json

    spec = {
        "calendar": config.raw.get("calendar"),
        "priorities": {n: (p.response, p.resolution, p.checkin, p.calendar) for n, p in config.priorities.items()},
    }
    return hashlib.sha1(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _check_original(original: Ticket) -> None:
    """A duplicate points at the request that goes on: never at one that is cancelled itself (two tickets
    cancelled as each other's duplicates would lose the request)."""
    if original.status != "cancelled":
        return
    further = next((e.get("duplicate_of") for e in reversed(original.history) if e.get("action") == "cancel"), None)
    hint = f" as a duplicate of {further}; give --duplicate-of {further}" if further else "; reopen it first"
    raise InvalidValue("duplicate-of", f"{original.id} is cancelled itself{hint}")
