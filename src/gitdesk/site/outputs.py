"""Machine-readable outputs: the Atom feed, api/status.json, and the JSON schemas they follow."""

from __future__ import annotations

import heapq
import json
from collections import Counter
from importlib import resources
from typing import Any

from gitdesk.core.lifecycle import OPEN
from gitdesk.core.ticket import iso
from gitdesk.site.builder import SiteBuilder
from gitdesk.site.customer import Card
from gitdesk.site.markup import e

FEED_ENTRIES = 50
SCHEMAS = ("status.schema.json", "ticket.schema.json", "requests.schema.json")


def theme_file(name: str) -> str:
    return (resources.files("gitdesk.site") / "theme" / name).read_text(encoding="utf-8")


def _ref(c: Card) -> dict[str, Any]:
    return {
        "id": c.id,
        "title": c.title,
        "status": c.status,
        "priority": c.priority or None,
        "queue": c.queue,
        "updated": c.updated,
        "resolved": c.resolved or None,
        "url": c.url,
        "json": f"api/tickets/{c.id}.json",
    }


def status_json(builder: SiteBuilder) -> str:
    cards = builder.data.cards.values()
    open_cards = [c for c in cards if c.status in OPEN]
    public = builder.public_cards()
    recent = heapq.nlargest(builder.recent, (c for c in public if c.status in OPEN), key=lambda c: c.updated)
    resolved = heapq.nlargest(builder.recent, (c for c in public if c.resolved), key=lambda c: c.resolved)
    r = builder.report()
    sat = r.get("satisfaction") or {}
    data = {
        "site": builder.site_name,
        "generated": iso(builder.now),
        "open": {
            "total": len(open_cards),
            "by_status": dict(sorted(Counter(c.status for c in open_cards).items())),
            "by_priority": dict(sorted(Counter(c.priority or "none" for c in open_cards).items())),
            "by_queue": dict(sorted(Counter(c.queue for c in open_cards).items())),
        },
        "published_tickets": len(public),
        "figures": {
            "median_first_response_hours": (r.get("first_response") or {}).get("median_hours"),
            "median_resolution_hours": (r.get("resolution") or {}).get("median_hours"),
            "escalation_rate": r.get("escalation_rate"),
            "satisfaction": {"mean_score": sat.get("mean_score"), "responses": sat.get("responses", 0)},
        },
        "recently_updated": [_ref(c) for c in recent],
        "recently_resolved": [_ref(c) for c in resolved],
        "kb_articles": len(getattr(builder, "articles", [])),
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def public_requests(builder: SiteBuilder) -> str:
    """The find box's index: every PUBLIC request's ID and page; unlisted and private ones never."""
    pages = {c.id: c.url for c in sorted(builder.public_cards(), key=lambda c: c.id)}
    return json.dumps({"requests": pages}, separators=(",", ":")) + "\n"


def _entry(title: str, entry_id: str, updated: str, href: str, summary: str) -> str:
    return (
        f"<entry><title>{e(title)}</title><id>{e(entry_id)}</id><updated>{e(updated)}</updated>"
        f'<link rel="alternate" type="text/html" href="{e(href)}"/><summary>{e(summary)}</summary></entry>'
    )


def atom_feed(builder: SiteBuilder) -> str:
    """Updates to public tickets and new KB articles, newest first."""
    items: list[tuple[str, str]] = []
    tr = builder.tr
    for at, ticket_id, n, event, detail in builder.data.feed:
        c = builder.data.cards[ticket_id]
        text = f"{event}: {detail}" if detail else event
        items.append(
            (
                at,
                _entry(f"{c.id}: {c.title}: {event}", f"urn:gitdesk:ticket:{c.id}:event:{n}", at, c.url, text),
            )
        )
    for a in getattr(builder, "articles", []):
        stamp = iso(a.created or a.updated)
        items.append(
            (
                stamp,
                _entry(
                    tr._("New article: {title}", title=a.title),
                    f"urn:gitdesk:kb:{a.slug}",
                    stamp,
                    a.url,
                    tr._("Tags: {tags}", tags=", ".join(a.tags) or tr._("none")),
                ),
            )
        )
    items.sort(key=lambda item: item[0], reverse=True)
    items = items[:FEED_ENTRIES]
    updated = items[0][0] if items else iso(builder.now)
    base = f' xml:base="{e(builder.site_url)}"' if builder.site_url else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{e(tr.language)}"{base}>'
        f"<title>{e(tr._('{site}: updates', site=builder.site_name))}</title>"
        f"<id>urn:gitdesk:feed:{e(builder.site_name.replace(' ', '-').lower())}</id>"
        f"<updated>{e(updated)}</updated><author><name>{e(builder.site_name)}</name></author>"
        '<link rel="self" type="application/atom+xml" href="feed.xml"/><link rel="alternate" href="./"/>'
        + "".join(entry for _, entry in items)
        + "</feed>\n"
    )


def generated_files(builder: SiteBuilder) -> dict[str, str]:
    """Every generated non-page file except the per-ticket ones (written during the ticket pass)."""
    from gitdesk.site.figures import chart_files
    from gitdesk.site.incidents import incidents_feed

    files = {
        "assets/gitdesk.css": theme_file("gitdesk.css"),
        "assets/find.js": theme_file("find.js"),
        "feed.xml": atom_feed(builder),
        "incidents.xml": incidents_feed(
            builder.data.incidents, builder.site_name, builder.site_url, iso(builder.now), builder.tr
        ),
        "api/status.json": status_json(builder),
        "api/requests.json": public_requests(builder),
    }
    files.update({f"api/schema/{name}": theme_file(f"schema/{name}") for name in SCHEMAS})
    files.update(chart_files(builder.report(), builder.tr))
    return files
