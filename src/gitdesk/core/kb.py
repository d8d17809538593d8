"""Knowledge-base articles: closing a ticket writes or extends one, linked back to it.

Pure text in, text out; the desk writes the files. An article is Markdown with
front matter: title, tags, the tickets it came from, created, updated, and
`published`: whether the public site shows it. An article learned from a private
or unlisted ticket is written through the ticket's scrubber (title, lesson, cause
and solution alike, and without the ticket's ID) and is published only when the
person closing says so (`close --kb-public`). Every lesson is recorded; only its
publication is a choice. A ticket title is the customer's text: it is escaped, so
it can never become a link or an image.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

from gitdesk.core.ids import is_slug
from gitdesk.core.scrub import REMOVED, Scrubber
from gitdesk.core.ticket import Ticket, dump_yaml, load_yaml, split_front_matter
from gitdesk.errors import InvalidValue, MalformedTicket

KB_DIR = "kb"
MergeText = Callable[[str, str, str], "tuple[str, bool]"]  # (ours, base, theirs) -> (text, conflicted)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~-])")
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+!|~-])")
_SECTION = re.compile(r"^(## )(.+)$", re.M)


def slugify(text: str, limit: int = 60, fallback: str = "article") -> str:
    """ASCII slug; `fallback` when nothing survives (a title in Japanese, say)."""
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", norm.lower()).strip("-")
    return slug[:limit].rstrip("-") or fallback


def lesson_slug(title: str, scrub: Scrubber, fallback: str) -> str:
    """The default slug: from the title with the requester's personal data already removed."""
    return slugify(scrub(title).replace(REMOVED, " "), fallback=fallback)


def check_private_slug(slug: str, scrub: Scrubber) -> str:
    """A slug given with --kb must not carry the ticket's personal data either."""
    words = slug.replace("-", " ")
    if scrub(words) != words:
        raise InvalidValue("--kb", f"'{slug}' holds the requester's personal data; choose a slug without it")
    return slug


def escape_markdown(text: str) -> str:
    """Customer text as Markdown that renders as exactly that text: no link, image or markup."""
    text = " ".join(text.split()).replace("&", "&amp;").replace("<", "&lt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def unescape_markdown(text: str) -> str:
    """The inverse of escape_markdown, so escaping what may already be escaped changes nothing."""
    return _ESCAPED.sub(r"\1", text).replace("&lt;", "<").replace("&amp;", "&")


def plain_headings(body: str) -> str:
    """An article's section headings are ticket titles, the customer's text: make each exactly text."""
    return _SECTION.sub(lambda m: m.group(1) + escape_markdown(unescape_markdown(m.group(2))), body)


def check_slug(slug: str) -> str:
    if not is_slug(slug):
        raise MalformedTicket(f"kb/{slug}.md", None, "a KB slug is lowercase letters, digits and '-'")
    return slug


def parse_article(text: str, path: str) -> tuple[dict[str, Any], str]:
    front, body, first = split_front_matter(text, path)
    meta = load_yaml(front, path, first) or {}
    if not isinstance(meta, dict):
        raise MalformedTicket(path, first, "front matter must be a mapping")
    return meta, body


class Lesson:
    """What a close puts in the KB: filtered through the ticket's scrubber unless the ticket is public."""

    def __init__(
        self, ticket: Ticket, lesson: str, cause: str | None, solution: str | None, scrub: Scrubber | None = None
    ) -> None:
        public = ticket.visibility == "public"
        keep = (lambda text: text) if public or scrub is None else scrub
        self.ticket_id = ticket.id
        self.public = public
        self.title = keep(ticket.title)
        self.lesson = keep(lesson)
        self.cause = keep(cause) if cause else None
        self.solution = keep(solution) if solution else None


def _section(lesson: Lesson, date: str) -> str:
    source = lesson.ticket_id if lesson.public else "a request"  # a private ticket's ID stays off the page
    parts = [f"## {escape_markdown(lesson.title)}", "", f"*Learned from {source} on {date[:10]}.*", ""]
    if lesson.cause:
        parts += ["### Cause", "", lesson.cause.strip(), ""]
    if lesson.solution:
        parts += ["### Solution", "", lesson.solution.strip(), ""]
    parts += ["### Lesson learned", "", lesson.lesson.strip(), ""]
    return "\n".join(parts)


def published_flag(meta: dict[str, Any]) -> bool | None:
    """An article's `published`: True or False as written; None where it has none (written before
    the flag). Anything else, a hand edit `gitdesk validate` refuses (`"false"` quoted, `null`),
    keeps the article off the site: only `true` publishes."""
    if "published" not in meta:
        return None
    return meta["published"] is True


def publication(existing: dict[str, Any] | None, slug: str, public_ticket: bool, choice: bool | None) -> bool:
    """Whether the article is published after this close.

    `choice`: True for --kb-public, False for --kb-internal, None when the closer said nothing
    (then a public ticket's new article is published and a private or unlisted one's is not).
    A lesson never silently joins a published article it was not meant for.
    """
    if existing is None:
        return public_ticket if choice is None else choice
    published = published_flag(existing) is not False  # an article from before the flag was on the site
    if choice is True:
        return True
    if published and (choice is False or not public_ticket):
        why = "--kb-internal was given" if choice is False else "the ticket is not public"
        raise InvalidValue(
            "--kb",
            f"{KB_DIR}/{slug}.md is published on the site and {why}: add --kb-public to publish this lesson "
            "there (scrubbed), or name another article with --kb",
        )
    return published


def lesson_article(
    existing: str | None,
    slug: str,
    ticket: Ticket,
    lesson: str,
    cause: str | None,
    solution: str | None,
    now: str,
    tags: list[str] | None = None,
    publish: bool | None = None,
    scrub: Scrubber | None = None,
) -> str:
    """The article text after `ticket` closes with `lesson`: new, or the old one extended.

    `publish` is the closer's choice (see `publication`); `scrub` the ticket's scrubber, which
    filters everything a private or unlisted ticket puts into the article.
    """
    path = f"{KB_DIR}/{slug}.md"
    entry = Lesson(ticket, lesson, cause, solution, scrub or Scrubber.of(ticket.meta))
    section = _section(entry, now)
    if existing is None:
        meta: dict[str, Any] = {
            "title": entry.title,
            "tags": tags or [],
            "tickets": [ticket.id],
            "created": now,
            "updated": now,
            "published": publication(None, slug, entry.public, publish),
        }
        return f"---\n{dump_yaml(meta)}---\n\n{section}"
    meta, body = parse_article(existing, path)
    meta["published"] = publication(meta, slug, entry.public, publish)
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
        if other in (mine, old):
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
