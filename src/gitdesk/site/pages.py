"""The status board, the request lists and the queue pages: paginated, public tickets only.

Private and unlisted tickets are only ever counted here, never listed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from gitdesk.core.lifecycle import OPEN, STATUS_TEXT, STATUSES
from gitdesk.site.builder import Page, SiteBuilder
from gitdesk.site.customer import Card, when_text
from gitdesk.site.markup import badge, e, link, pager, table

TICKET_COLUMNS = ("Request", "Status", "Priority", "Team", "Last update")


def page_uris(base: str, count: int) -> list[str]:
    """base/index.md, base/page_2.md, ...: page 1 keeps the short URL."""
    return [f"{base}index.md" if i == 0 else f"{base}page_{i + 1}.md" for i in range(max(count, 1))]


def uri_to_url(src_uri: str) -> str:
    return Page(src_uri, "", "").url


def ticket_rows(cards: Sequence[Card], from_url: str, queues: dict[str, str]) -> list[list[str]]:
    return [
        [
            link(from_url, c.url, f"{c.id}: {c.title}"),
            badge(c.status),
            e(c.priority or "-"),
            link(from_url, f"queues/{c.queue}/", queues.get(c.queue) or c.queue) if c.queue in queues else e(c.queue),
            e(when_text(c.updated)),
        ]
        for c in cards
    ]


def ticket_table(cards: Sequence[Card], from_url: str, queues: dict[str, str]) -> str:
    if not cards:
        return "<p>None at the moment.</p>"
    return table(TICKET_COLUMNS, ticket_rows(cards, from_url, queues), raw=True)


def paginated(builder: SiteBuilder, base: str, title: str, intro: str, cards: list[Card]) -> list[Page]:
    """A list of tickets cut into pages of builder.page_size, with previous/next links."""
    size = builder.page_size
    chunks = [cards[i : i + size] for i in range(0, len(cards), size)] or [[]]
    uris = page_uris(base, len(chunks))
    urls = [uri_to_url(u) for u in uris]
    queues = {q.name: q.description or q.name for q in builder.config.queues}
    pages = []
    for i, chunk in enumerate(chunks):
        nav = pager(urls, i, urls[i])
        heading = title if i == 0 else f"{title} (page {i + 1})"
        body = f"<h1>{e(heading)}</h1>{intro}{nav}{ticket_table(chunk, urls[i], queues)}{nav}"
        pages.append(Page(uris[i], heading, body))
    return pages


def _count_table(title: str, counts: Counter[str], order: Sequence[str], labels: Mapping[Any, str]) -> str:
    rows = [[labels.get(k, k), str(counts[k])] for k in order if counts[k]]
    rows += [[labels.get(k, k), str(v)] for k, v in sorted(counts.items()) if k not in order and v]
    inner = table(("", "Open"), rows, raw=True) if rows else "<p>None.</p>"
    return f'<div class="gd-count"><h3>{e(title)}</h3>{inner}</div>'


def _tiles(report: dict[str, Any] | None, open_count: int) -> str:
    median = ((report or {}).get("resolution") or {}).get("median_hours")
    sat = (report or {}).get("satisfaction") or {}
    score = sat.get("mean_score")
    tiles = [
        ("Open requests", str(open_count)),
        ("Median time to resolution", f"{median:.1f} hours" if median is not None else "not enough data"),
        (
            "Satisfaction",
            f"{score:.1f} / 5 ({sat.get('responses', 0)} surveys)" if score is not None else "no surveys yet",
        ),
    ]
    return (
        '<div class="gd-tiles">'
        + "".join(
            f'<div class="gd-tile"><div class="gd-tile-label">{e(k)}</div><div class="gd-tile-value">{e(v)}</div></div>'
            for k, v in tiles
        )
        + "</div>"
    )


def home(builder: SiteBuilder) -> Page:
    cards = builder.data.cards.values()
    open_cards = [c for c in cards if c.status in OPEN]
    queues = {q.name: q.description or q.name for q in builder.config.queues}
    public = builder.public_cards()
    recent = sorted((c for c in public if c.status in OPEN), key=lambda c: c.updated, reverse=True)
    resolved = sorted((c for c in public if c.resolved), key=lambda c: c.resolved, reverse=True)
    queue_links = {q: link("", f"queues/{q}/", label) for q, label in queues.items()}
    status_labels = {s: f"{badge(s)} {e(STATUS_TEXT[s])}" for s in STATUSES}
    body = [
        f"<h1>{e(builder.site_name)}: status board</h1>",
        _tiles(builder.report(), len(open_cards)),
        '<div class="gd-columns">',
        _count_table("By status", Counter(c.status for c in open_cards), STATUSES, status_labels),
        _count_table(
            "By priority",
            Counter(c.priority or "not set" for c in open_cards),
            ("P1", "P2", "P3", "P4", "not set"),
            {},
        ),
        _count_table("By team", Counter(c.queue for c in open_cards), list(queues), queue_links),
        "</div>",
        "<h2>Recently updated</h2>",
        ticket_table(recent[: builder.recent], "", queues),
        "<h2>Recently resolved</h2>",
        ticket_table(resolved[: builder.recent], "", queues),
        f"<p>{link('', 'requests/', 'All published requests')} · {link('', 'queues/', 'Teams')} · "
        f'<a href="feed.xml">Atom feed</a> · <a href="api/status.json">status.json</a></p>',
        '<p class="gd-muted">Requests are listed here only when the person who asked agreed to '
        "publish them; every request still counts in the figures.</p>",
    ]
    return Page("index.md", "Status board", "".join(body))


def request_pages(builder: SiteBuilder) -> list[Page]:
    public = sorted(builder.public_cards(), key=lambda c: c.updated, reverse=True)
    public.sort(key=lambda c: c.status not in OPEN)
    intro = "<p>Published requests, open ones first, most recently updated first.</p>"
    return paginated(builder, "requests/", "All published requests", intro, public)


def queue_pages(builder: SiteBuilder) -> list[Page]:
    public = sorted(builder.public_cards(), key=lambda c: c.updated, reverse=True)
    public.sort(key=lambda c: c.status not in OPEN)
    by_queue: dict[str, list[Card]] = {q.name: [] for q in builder.config.queues}
    for c in public:
        by_queue.setdefault(c.queue, []).append(c)
    open_counts = Counter(c.queue for c in builder.data.cards.values() if c.status in OPEN)
    rows = [
        [link("queues/", f"queues/{q.name}/", q.description or q.name), e(q.name), str(open_counts[q.name])]
        for q in builder.config.queues
    ]
    pages = [
        Page(
            "queues/index.md",
            "Teams",
            "<h1>Teams</h1>" + table(("Team", "Queue", "Open requests"), rows, raw=True),
        )
    ]
    for q in builder.config.queues:
        intro = f"<p>{e(open_counts[q.name])} open requests in this team's queue.</p>"
        pages += paginated(builder, f"queues/{q.name}/", q.description or q.name, intro, by_queue[q.name])
    return pages
