"""Knowledge-base articles: closing a ticket writes or extends one, linked back to it.

Pure text in, text out; the desk writes the files. An article is Markdown with
front matter: title, tags, the tickets it came from, created and updated.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

from gitdesk.core.ticket import Ticket, dump_yaml, load_yaml, split_front_matter
from gitdesk.errors import MalformedTicket

KB_DIR = "kb"
MergeText = Callable[[str, str, str], "tuple[str, bool]"]  # (ours, base, theirs) -> (text, conflicted)


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


def merge_article(base: str, ours: str, theirs: str, merge_text: MergeText) -> tuple[str, list[str]]:
    """Three-way merge of an article two branches extended: both lessons kept, front matter united.

    Closing two tickets into one article on two branches appends one section
    on each side; a line merge would conflict at the end of the file. Here the
    sections both sides added are kept once each (ours first), `tickets` and
    `tags` are united and `updated` is the later. A side that edited an old
    section instead is merged line by line by `merge_text`. Returns the text
    and what still conflicts (empty: a clean merge).
    """
    try:
        (om, ob), (am, ab), (bm, bb) = (
            parse_article(t, name) if t.strip() else ({}, "")
            for t, name in ((base, "base"), (ours, "ours"), (theirs, "theirs"))
        )
    except MalformedTicket:
        text, conflicted = merge_text(ours, base, theirs)
        return text, ["one side is not a KB article; merged line by line"] if conflicted else []
    meta = {**om, **bm, **am}  # ours wins plain fields both changed (a title); lists are united below
    for key in ("tickets", "tags"):
        united = [*(am.get(key) or []), *(x for x in bm.get(key) or [] if x not in (am.get(key) or []))]
        meta[key] = sorted(set(united)) if key == "tags" else united
    stamps = [str(m["updated"]) for m in (am, bm) if m.get("updated")]
    if stamps:
        meta["updated"] = max(stamps)
    body, conflicts = _merge_sections(ob, ab, bb, merge_text)
    return f"---\n{dump_yaml(meta)}---\n{body}", conflicts


def _sections(body: str) -> list[str]:
    """The article body cut before each `## ` heading (the first part is what precedes them)."""
    parts = re.split(r"(?m)^(?=## )", body.strip("\n"))
    return [p.rstrip("\n") for p in parts if p.strip()]


def _merge_sections(o: str, a: str, b: str, merge_text: MergeText) -> tuple[str, list[str]]:
    """Old sections merged one by one (three ways), then every section either side added, ours first."""
    base, ours, theirs = _sections(o), _sections(a), _sections(b)
    n = len(base)
    if len(ours) < n or len(theirs) < n:  # a side removed a section: only a line merge can tell
        text, conflicted = merge_text(a, o, b)
        return text, ["the article text: both sides changed the same lines"] if conflicted else []
    merged, conflicted = [], False
    for old, mine, other in zip(base, ours, theirs, strict=False):
        if mine == other or other == old:
            merged.append(mine)
        elif mine == old:
            merged.append(other)
        else:
            text, clash = merge_text(mine + "\n", old + "\n", other + "\n")
            merged.append(text.rstrip("\n"))
            conflicted = conflicted or clash
    merged += ours[n:] + [x for x in theirs[n:] if x not in ours[n:]]
    return "\n" + "\n\n".join(merged) + "\n", [
        "the article text: both sides changed the same lines"
    ] if conflicted else []
