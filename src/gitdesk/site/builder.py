"""One pass over the desk: ticket pages and JSON written as it goes, everything else collected.

`SiteBuilder.build_tickets(out_dir)` parses each ticket once, writes its page and
JSON file straight into the output directory (so memory stays flat at 100,000
tickets), and keeps only a small `Card` per ticket plus its SLA facts for the
report. `pages()` and `assets()` then build the index pages and files from those.
"""

from __future__ import annotations

import datetime as dt
import heapq
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from gitdesk.core.config import Config
from gitdesk.core.survey import SURVEYS_DIR
from gitdesk.core.ticket import Ticket, iso
from gitdesk.errors import GitdeskError, MalformedTicket
from gitdesk.site import ticket_page
from gitdesk.site.customer import Card, SurveyInvite, card, survey_view, ticket_scrubber, ticket_view, timeline
from gitdesk.site.incidents import incident_of
from gitdesk.site.journey import journey_view, ticket_feed
from gitdesk.site.privacy import PUBLIC_PAGE, Scrubber, can_link, link_version, ticket_json_url
from gitdesk.store.files import TicketStore

Progress = Callable[[int], None]
FEED_EVENTS = 50


@dataclass
class Page:
    """A page handed to MkDocs: its source path, title and (already escaped) HTML body."""

    src_uri: str
    title: str
    html: str
    search: bool = False

    @property
    def url(self) -> str:
        stem = self.src_uri[:-3]
        if stem == "index":
            return ""
        return stem[: -len("index")] if stem.endswith("/index") else stem + "/"


@dataclass
class SiteData:
    """What the index pages, feed and JSON need once the ticket pass is done."""

    cards: dict[str, Card] = field(default_factory=dict)
    facts: list[Any] = field(default_factory=list)
    scrubber: Scrubber = field(default_factory=Scrubber)
    feed: list[tuple[str, str, int, str, str]] = field(default_factory=list)  # newest public events
    incidents: list[Any] = field(default_factory=list)  # incidents.Incident: public P1 or `incident: true`
    unpublished_unlisted: int = 0
    hidden: frozenset[str] = frozenset()  # IDs of private and unlisted tickets: scrubbed from published text


class SiteBuilder:
    def __init__(
        self,
        root: Path,
        config: Config,
        site_name: str,
        key: str | None,
        now: dt.datetime,
        page_size: int = 50,
        recent: int = 10,
        site_url: str = "",
        repo_url: str = "",
    ) -> None:
        self.root, self.config, self.site_name, self.key, self.now = Path(root), config, site_name, key, now
        self.page_size, self.recent, self.site_url = page_size, recent, site_url
        self.data = SiteData()
        self.articles: list[Any] = []  # set by kb_pages: the published articles, for the feed
        self.kb_slugs: set[str] = set()  # the published articles: assemble.build_site sets them first
        self.answered = {p.stem for p in (self.root / SURVEYS_DIR).glob("*.yml")}
        self.invite = SurveyInvite.of(self.root, config, repo_url)
        from gitdesk.i18n import for_ticket

        self.tr = for_ticket(config)  # the desk's language: the board, the lists, the KB, the feed

    # -- the ticket pass ------------------------------------------------------------------
    @cached_property
    def desk(self) -> Any:
        """The desk whose read index the build reads tickets and surveys through."""
        from gitdesk.desk.facade import Desk

        return Desk(self.root)

    def ticket_count(self) -> int:
        return len(TicketStore(self.root).ids())

    def build_tickets(self, out_dir: Path, progress: Progress | None = None) -> SiteData:
        """Parse every ticket once; write the pages of published ones; collect cards and facts."""
        from gitdesk.core.sla import Facts, checkin_due

        related: list[Ticket] = []
        self.data.hidden = self._hidden_ids()
        self.data.scrubber.hide_ids(self.data.hidden)
        for n, t in enumerate(self.desk.store.every_ticket(), 1):
            if not self._collected(t, Facts):
                continue
            if self.data.cards[t.id].url:
                if t.meta.get("children") or t.meta.get("parent") or t.status == "cancelled":
                    related.append(t)  # needs its relatives' cards: written after the pass
                else:
                    self._write(out_dir, t, checkin_due, self._scrub)
            if progress and n % 200 == 0:
                progress(200)
        for t in related:
            self._write(out_dir, t, checkin_due)
        if progress:
            progress(len(self.data.cards) % 200)
        return self.data

    def _hidden_ids(self) -> frozenset[str]:
        """The tickets with no public page, known before the pass so any page's text can drop their IDs."""
        return frozenset(str(s.id) for s in self.desk.summaries() if getattr(s, "visibility", "public") != "public")

    def _collected(self, t: Ticket, facts_of: Any) -> bool:
        """Collect one ticket; one whose fields do not read is left out, noted beside the unparsable ones."""
        facts = len(self.data.facts)
        try:
            self._collect(t, facts_of)
        except GitdeskError as exc:
            self.data.cards.pop(t.id, None)
            del self.data.facts[facts:]
            line = exc.line if isinstance(exc, MalformedTicket) else None
            problem = exc.problem if isinstance(exc, MalformedTicket) else str(exc)
            self.desk.index.skipped[t.path] = (line, problem)
            return False
        return True

    def _collect(self, t: Ticket, facts_of: Any) -> None:
        if not t.id:
            raise MalformedTicket(t.path, 2, "a ticket needs an id")
        scrub = self._scrub = ticket_scrubber(t, self.data.hidden)  # its page, written next, uses it too
        own = self.data.cards[t.id] = card(t, scrub, self.key)
        self.data.facts.append(facts_of.of(t))
        self.data.scrubber.merge(scrub)
        if can_link(PUBLIC_PAGE, own):
            self._feed_events(t)
            incident = incident_of(t, own.title, own.url, self.config, scrub)
            if incident is not None:
                self.data.incidents.append(incident)
        if t.visibility == "unlisted" and self.key is None:
            self.data.unpublished_unlisted += 1

    def _feed_events(self, t: Ticket) -> None:
        """Keep the newest FEED_EVENTS customer-visible events of public tickets (a bounded heap)."""
        for n, entry in enumerate(timeline(t, self.config, self.tr)):
            item = (iso(entry["at"]), t.id, n, entry["event"], entry["detail"])
            if len(self.data.feed) < FEED_EVENTS:
                heapq.heappush(self.data.feed, item)
            elif item > self.data.feed[0]:
                heapq.heapreplace(self.data.feed, item)

    def _write(self, out_dir: Path, t: Ticket, checkin_due: Any, scrub: Any = None) -> None:
        from gitdesk.i18n import for_ticket

        tr = for_ticket(self.config, t.meta)  # the ticket's page is in the ticket's language
        survey = survey_view(t, t.id in self.answered, self.invite, tr)
        journey = journey_view(t, self.config, self.invite.mailbox, self.key, tr, self.data.hidden)
        view = ticket_view(
            t, self.config, self.data.cards, self.now, checkin_due, survey, tr, journey, self.data.hidden, scrub
        )
        for entry in view["timeline"]:
            if entry.get("kb") not in self.kb_slugs:
                entry.pop("kb", None)  # an article that is not published is not named either
        page_html = ticket_page.render(view, self.site_name, self.data.cards, self.kb_slugs, tr)
        page_path = out_dir / view["url"] / "index.html"
        page_path.parent.mkdir(parents=True, exist_ok=True)
        page_path.write_text(page_html, encoding="utf-8")
        (page_path.parent / "feed.xml").write_text(ticket_feed(view, self.site_name), encoding="utf-8")
        json_rel = ticket_json_url(t.id, t.visibility, self.key, link_version(t.meta))
        assert json_rel is not None
        json_path = out_dir / json_rel
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(view, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")

    # -- after the pass -------------------------------------------------------------------
    def report(self) -> dict[str, Any]:
        from gitdesk.core.reports import build_report

        if not hasattr(self, "_report"):
            self._surveys = self.desk.surveys()
            self._report = build_report(self.data.facts, self._surveys, self.config, now=self.now)
        return self._report

    def public_cards(self) -> list[Card]:
        return [c for c in self.data.cards.values() if can_link(PUBLIC_PAGE, c)]


def write_files(out_dir: Path, files: dict[str, str | bytes]) -> None:
    """Write generated files (feed, JSON, charts) into the output directory."""
    for rel, content in files.items():
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        path.chmod(0o644)
