"""Knowledge-base articles: closing a ticket writes or extends one, linked back to it.

Pure text in, text out; the desk writes the files. An article is Markdown with
front matter: title, tags, the tickets it came from, created and updated.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from gitdesk.core.ticket import Ticket, dump_yaml, load_yaml, split_front_matter
from gitdesk.errors import MalformedTicket

KB_DIR = "kb"


def slugify(text: str, limit: int = 60, fallback: str = "article") -> str:
    """ASCII slug; `fallback` when nothing survives (a title in Japanese, say)."""
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", norm.lower()).strip("-")
    return slug[:limit].rstrip("-") or fallback


def check_slug(slug: str) -> str:
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,79}", slug):
        raise MalformedTicket(f"kb/{slug}.md", None, "a KB slug is lowercase letters, digits and '-'")
    return slug


def parse_article(text: str, path: str) -> tuple[dict[str, Any], str]:
    front, body, first = split_front_matter(text, path)
    meta = load_yaml(front, path, first) or {}
    if not isinstance(meta, dict):
        raise MalformedTicket(path, first, "front matter must be a mapping")
    return meta, body


def _section(ticket: Ticket, lesson: str, cause: str | None, solution: str | None, date: str) -> str:
    parts = [f"## {ticket.title}", "", f"*Learned from {ticket.id} on {date[:10]}.*", ""]
    if cause:
        parts += ["### Cause", "", cause.strip(), ""]
    if solution:
        parts += ["### Solution", "", solution.strip(), ""]
    parts += ["### Lesson learned", "", lesson.strip(), ""]
    return "\n".join(parts)


def lesson_article(
    existing: str | None,
    slug: str,
    ticket: Ticket,
    lesson: str,
    cause: str | None,
    solution: str | None,
    now: str,
    tags: list[str] | None = None,
) -> str:
    """The article text after `ticket` closes with `lesson`: new, or the old one extended."""
    path = f"{KB_DIR}/{slug}.md"
    section = _section(ticket, lesson, cause, solution, now)
    if existing is None:
        meta: dict[str, Any] = {
            "title": ticket.title,
            "tags": tags or [],
            "tickets": [ticket.id],
            "created": now,
            "updated": now,
        }
        return f"---\n{dump_yaml(meta)}---\n\n{section}"
    meta, body = parse_article(existing, path)
    tickets = list(meta.get("tickets") or [])
    if ticket.id not in tickets:
        tickets.append(ticket.id)
    meta["tickets"] = tickets
    meta["tags"] = sorted(set(meta.get("tags") or []) | set(tags or []))
    meta["updated"] = now
    return f"---\n{dump_yaml(meta)}---\n{body.rstrip()}\n\n{section}"


def default_tags(ticket: Ticket) -> list[str]:
    """Tags a new article starts with: the queue and the product model, if known."""
    tags = [str(ticket.meta.get("queue") or "")]
    product = ticket.meta.get("product") or {}
    if isinstance(product, dict) and product.get("model"):
        tags.append(slugify(str(product["model"]), 30))
    return [t for t in tags if t]
