"""The status board, the request lists and the queue pages: paginated, public tickets only.

Private and unlisted tickets are only ever counted here, never listed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from gitdesk.core.lifecycle import OPEN, STATUSES
from gitdesk.i18n import N_, Translator
from gitdesk.site import incidents
from gitdesk.site.builder import Page, SiteBuilder
from gitdesk.site.customer import Card, status_text, when_text
from gitdesk.site.markup import badge, e, link, pager, table

TICKET_COLUMNS = (N_("Request"), N_("Status"), N_("Priority"), N_("Team"), N_("Last update"))


def page_uris(base: str, count: int) -> list[str]:
    """base/index.md, base/page_2.md, ...: page 1 keeps the short URL."""
    return [f"{base}index.md" if i == 0 else f"{base}page_{i + 1}.md" for i in range(max(count, 1))]


def uri_to_url(src_uri: str) -> str:
    return Page(src_uri, "", "").url


def ticket_rows(cards: Sequence[Card], from_url: str, queues: dict[str, str], tr: Translator) -> list[list[str]]:
    return [
        [
            link(from_url, c.url, f"{c.id}: {c.title}"),
            badge(c.status, tr),
            e(c.priority or "-"),
            link(from_url, f"queues/{c.queue}/", queues.get(c.queue) or c.queue) if c.queue in queues else e(c.queue),
            e(when_text(c.updated, tr)),
        ]
        for c in cards
    ]


def ticket_table(cards: Sequence[Card], from_url: str, queues: dict[str, str], tr: Translator) -> str:
    if not cards:
        return f"<p>{e(tr._('None at the moment.'))}</p>"
    return table([tr._(h) for h in TICKET_COLUMNS], ticket_rows(cards, from_url, queues, tr), raw=True)


def paginated(builder: SiteBuilder, base: str, title: str, intro: str, cards: list[Card]) -> list[Page]:
    """A list of tickets cut into pages of builder.page_size, with previous/next links."""
    size = builder.page_size
    chunks = [cards[i : i + size] for i in range(0, len(cards), size)] or [[]]
    uris = page_uris(base, len(chunks))
    urls = [uri_to_url(u) for u in uris]
    queues = {q.name: q.description or q.name for q in builder.config.queues}
    tr = builder.tr
    pages = []
    for i, chunk in enumerate(chunks):
        nav = pager(urls, i, urls[i], tr)
        heading = title if i == 0 else tr._("{title} (page {page})", title=title, page=i + 1)
        body = f"<h1>{e(heading)}</h1>{intro}{nav}{ticket_table(chunk, urls[i], queues, tr)}{nav}"
        pages.append(Page(uris[i], heading, body))
    return pages


def _count_table(
    title: str, column: str, counts: Counter[str], order: Sequence[str], labels: Mapping[Any, str], tr: Translator
) -> str:
    rows = [[labels.get(k, e(k)), tr.integer(counts[k])] for k in order if counts[k]]
    rows += [[labels.get(k, e(k)), tr.integer(v)] for k, v in sorted(counts.items()) if k not in order and v]
    inner = table((column, tr._("Open")), rows, raw=True) if rows else f"<p>{e(tr._('None.'))}</p>"
    return f'<div class="gd-count"><h2>{e(title)}</h2>{inner}</div>'


def _tiles(report: dict[str, Any] | None, open_count: int, tr: Translator) -> str:
    median = ((report or {}).get("resolution") or {}).get("median_hours")
    sat = (report or {}).get("satisfaction") or {}
    score = sat.get("mean_score")
    responses = int(sat.get("responses", 0) or 0)
    tiles = [
        (tr._("Open requests"), tr.integer(open_count)),
        (
            tr._("Median time to resolution"),
            tr._("{hours} hours", hours=tr.number(median)) if median is not None else tr._("not enough data"),
        ),
        (
            tr._("Satisfaction"),
            tr.ngettext("{score} / 5 ({n} survey)", "{score} / 5 ({n} surveys)", responses, score=tr.number(score))
            if score is not None
            else tr._("no surveys yet"),
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


def find_box(tr: Translator, prefix: str = "HD") -> str:
    """Find a request by its ID: assets/find.js looks it up in api/requests.json, which lists the
    public requests only (an unlisted one is reached only through its own link). Without
    scripts the form leads to the list of all published requests."""
    label = tr._("Find your request by its ID")
    missing = tr._("No published request has that ID. An unlisted request opens only from its own link.")
    return (
        f'<form class="gd-find" id="gd-find" action="requests/" method="get" data-index="api/requests.json" '
        f'data-missing="{e(missing)}"'
        f' data-bad="{e(tr._("Type the ID from our messages, such as {example}.", example=f"{prefix}-4f7k2m9q"))}">'
        f'<label for="gd-find-id">{e(label)}</label> '
        f'<input id="gd-find-id" name="id" autocomplete="off" spellcheck="false" placeholder="{e(prefix)}-…"> '
        f'<button class="gd-button gd-primary" type="submit">{e(tr._("Find"))}</button> '
        '<span id="gd-find-result" class="gd-muted" role="status"></span></form>'
        '<script src="assets/find.js"></script>'
    )


def home(builder: SiteBuilder) -> Page:
    cards = builder.data.cards.values()
    open_cards = [c for c in cards if c.status in OPEN]
    queues = {q.name: q.description or q.name for q in builder.config.queues}
    public = builder.public_cards()
    recent = sorted((c for c in public if c.status in OPEN), key=lambda c: c.updated, reverse=True)
    resolved = sorted((c for c in public if c.resolved), key=lambda c: c.resolved, reverse=True)
    tr = builder.tr
    queue_links = {q: link("", f"queues/{q}/", label) for q, label in queues.items()}
    status_labels = {s: f"{badge(s, tr)} {e(status_text(s, tr))}" for s in STATUSES}
    not_set = tr._("not set")
    body = [
        f"<h1>{e(tr._('{site}: status board', site=builder.site_name))}</h1>",
        incidents.banner(builder.data.incidents, "", tr),
        find_box(tr, builder.config.prefix),
        _tiles(builder.report(), len(open_cards), tr),
        '<div class="gd-columns">',
        _count_table(
            tr._("By status"), tr._("Status"), Counter(c.status for c in open_cards), STATUSES, status_labels, tr
        ),
        _count_table(
            tr._("By priority"),
            tr._("Priority"),
            Counter(c.priority or not_set for c in open_cards),
            ("P1", "P2", "P3", "P4", not_set),
            {},
            tr,
        ),
        _count_table(
            tr._("By team"), tr._("Team"), Counter(c.queue for c in open_cards), list(queues), queue_links, tr
        ),
        "</div>",
        f"<h2>{e(tr._('Recently updated'))}</h2>",
        ticket_table(recent[: builder.recent], "", queues, tr),
        f"<h2>{e(tr._('Recently resolved'))}</h2>",
        ticket_table(resolved[: builder.recent], "", queues, tr),
        incidents.past(builder.data.incidents, "", tr),
        f"<p>{link('', 'requests/', tr._('All published requests'))} · {link('', 'queues/', tr._('Teams'))} · "
        f'<a href="feed.xml">{e(tr._("Atom feed"))}</a> · '
        f'<a href="incidents.xml">{e(tr._("Incidents feed"))}</a> · <a href="api/status.json">status.json</a></p>',
        '<p class="gd-muted">'
        + e(
            tr._(
                "Requests are listed here only when the person who asked agreed to publish them; "
                "every request still counts in the figures."
            )
        )
        + "</p>",
    ]
    return Page("index.md", tr._("Status board"), "".join(body))


def request_pages(builder: SiteBuilder) -> list[Page]:
    public = sorted(builder.public_cards(), key=lambda c: c.updated, reverse=True)
    public.sort(key=lambda c: c.status not in OPEN)
    tr = builder.tr
    intro = f"<p>{e(tr._('Published requests, open ones first, most recently updated first.'))}</p>"
    return paginated(builder, "requests/", tr._("All published requests"), intro, public)


def queue_pages(builder: SiteBuilder) -> list[Page]:
    public = sorted(builder.public_cards(), key=lambda c: c.updated, reverse=True)
    public.sort(key=lambda c: c.status not in OPEN)
    by_queue: dict[str, list[Card]] = {q.name: [] for q in builder.config.queues}
    for c in public:
        by_queue.setdefault(c.queue, []).append(c)
    open_counts = Counter(c.queue for c in builder.data.cards.values() if c.status in OPEN)
    tr = builder.tr
    rows = [
        [link("queues/", f"queues/{q.name}/", q.description or q.name), e(q.name), tr.integer(open_counts[q.name])]
        for q in builder.config.queues
    ]
    teams = tr._("Teams")
    columns = (tr._("Team"), tr._("Queue"), tr._("Open requests"))
    pages = [Page("queues/index.md", teams, f"<h1>{e(teams)}</h1>" + table(columns, rows, raw=True))]
    for q in builder.config.queues:
        count = open_counts[q.name]
        words = tr.ngettext("{n} open request in this team's queue.", "{n} open requests in this team's queue.", count)
        intro = f"<p>{e(words)}</p>"
        pages += paginated(builder, f"queues/{q.name}/", q.description or q.name, intro, by_queue[q.name])
    return pages
