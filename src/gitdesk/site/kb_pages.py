"""The knowledge base: an index, one page per article, tag pages; the articles are searchable.

Only published articles reach the site: `published: true` in the article, or, for an
article written before that flag existed, every ticket it was learned from public.
Articles are technicians' Markdown, but they quote customers (ticket titles,
solutions), so they are scrubbed of every personal value the desk knows, the ID of any
ticket the site may not name is replaced, and they are rendered with `safe_markdown`:
raw HTML, script links and images from other hosts never survive, and a section heading
(a ticket's title) is plain text.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from gitdesk.core import kb
from gitdesk.core.ids import is_slug
from gitdesk.errors import GitdeskError, MalformedTicket
from gitdesk.site.builder import Page, SiteBuilder
from gitdesk.site.customer import when_text
from gitdesk.site.markup import e, link, pager, safe_markdown, table
from gitdesk.site.pages import page_uris, uri_to_url
from gitdesk.site.privacy import PUBLIC_PAGE, can_link

_TICKET_ID = re.compile(r"\b[A-Z][A-Z0-9]*-[0-9a-z]{4,}\b")


@dataclass
class Article:
    slug: str
    title: str
    tags: list[str]
    tickets: list[str]
    created: str
    updated: str
    body: str
    published: bool | None = None  # the article's flag; None: written before the flag existed

    @property
    def url(self) -> str:
        return f"kb/{self.slug}/"


def load_articles(root: Path) -> list[Article]:
    out = []
    for path in sorted((root / kb.KB_DIR).glob("*.md")):
        rel = f"{kb.KB_DIR}/{path.name}"
        try:
            meta, body = kb.parse_article(path.read_text(encoding="utf-8"), rel)
        except UnicodeDecodeError:
            raise MalformedTicket(rel, None, "not UTF-8 text") from None
        tags = meta.get("tags") or []
        tickets = meta.get("tickets") or []
        if not isinstance(tags, list) or not isinstance(tickets, list):
            raise MalformedTicket(rel, 2, "tags and tickets must be lists")
        out.append(
            Article(
                path.stem,
                str(meta.get("title") or path.stem),
                [str(t) for t in tags],
                [str(t) for t in tickets],
                str(meta.get("created") or ""),
                str(meta.get("updated") or meta.get("created") or ""),
                body,
                kb.published_flag(meta),
            )
        )
    return out


def is_published(a: Article, visibility_of: Callable[[str], str]) -> bool:
    if a.published is not None:
        return a.published
    return bool(a.tickets) and all(visibility_of(t) == "public" for t in a.tickets)


def published_slugs(builder: SiteBuilder) -> set[str]:
    """The slugs of the articles the site publishes; known before the ticket pass, which links them."""
    from gitdesk.store.files import TicketStore

    store = TicketStore(builder.root)

    def visibility_of(ticket_id: str) -> str:
        try:
            return store.load(ticket_id).visibility
        except (GitdeskError, OSError):
            return "private"  # a ticket that cannot be read is not proof of anything public

    return {a.slug for a in load_articles(builder.root) if is_published(a, visibility_of)}


def _unnamed_ids(builder: SiteBuilder, text: str) -> str:
    """IDs of tickets the site may not name (private, unlisted, unknown) become 'a request'."""

    def swap(m: re.Match[str]) -> str:
        c = builder.data.cards.get(m.group(0))
        return m.group(0) if c is not None and c.url and can_link(PUBLIC_PAGE, c) else "a request"

    return _TICKET_ID.sub(swap, text)


def public_articles(builder: SiteBuilder) -> list[Article]:
    """Articles with their free text scrubbed and tags that name a product or a person dropped."""
    scrub = builder.data.scrubber
    personal_slugs = {kb.slugify(v, 80) for v in scrub.values()}
    out = []
    for a in load_articles(builder.root):
        if not is_slug(a.slug) or a.slug not in builder.kb_slugs:
            continue  # not published, or a hand-made file name that is not a safe URL: skip rather than guess
        tags = sorted({kb.slugify(t, 40) for t in a.tags} - personal_slugs - {"article"})
        body = scrub(_unnamed_ids(builder, kb.plain_headings(a.body)))
        out.append(Article(a.slug, scrub(a.title), tags, a.tickets, a.created, a.updated, body, True))
    return out


def _tag_links(from_url: str, tags: list[str]) -> str:
    return " ".join(f'<span class="gd-tag">{link(from_url, f"tags/{t}/", t)}</span>' for t in tags)


def article_page(builder: SiteBuilder, a: Article) -> Page:
    url = a.url
    sources = []
    for ref in a.tickets:
        c = builder.data.cards.get(ref)
        if c is not None and c.url and can_link(PUBLIC_PAGE, c):
            sources.append(link(url, c.url, f"{c.id}: {c.title}"))
    tr = builder.tr
    source_html = f"<p>{e(tr._('Learned from:'))} {', '.join(sources)}</p>" if sources else ""
    updated = tr._("Updated {when}", when=when_text(a.updated, tr, long=True))
    body = (
        f'<h1>{e(a.title)}</h1><p class="gd-muted">{e(updated)}</p>'
        f"<p>{_tag_links(url, a.tags)}</p>{source_html}"
        f'<div class="gd-article">{safe_markdown(a.body)}</div>'
    )
    return Page(f"kb/{a.slug}.md", a.title, body, search=True)


def kb_pages(builder: SiteBuilder) -> list[Page]:
    articles = sorted(public_articles(builder), key=lambda a: a.updated, reverse=True)
    builder.articles = articles
    size = builder.page_size * 2
    chunks = [articles[i : i + size] for i in range(0, len(articles), size)] or [[]]
    uris = page_uris("kb/", len(chunks))
    urls = [uri_to_url(u) for u in uris]
    tags: dict[str, list[Article]] = defaultdict(list)
    for a in articles:
        for t in a.tags:
            tags[t].append(a)
    tr = builder.tr
    kb_title, tags_title = tr._("Knowledge base"), tr._("Tags")
    pages = []
    for i, chunk in enumerate(chunks):
        rows = [
            [link(urls[i], a.url, a.title), _tag_links(urls[i], a.tags), e(when_text(a.updated, tr))] for a in chunk
        ]
        columns = (tr._("Article"), tags_title, tr._("Updated"))
        listing = table(columns, rows, raw=True) if rows else f"<p>{e(tr._('No articles yet.'))}</p>"
        nav = pager(urls, i, urls[i], tr)
        intro = (
            f"<p>{e(tr._('What we learned from closed requests. Use the search box to find an answer.'))}</p>"
            f"<p>{e(tags_title)}: {_tag_links(urls[i], sorted(tags))}</p>"
            if i == 0
            else ""
        )
        pages.append(Page(uris[i], kb_title, f"<h1>{e(kb_title)}</h1>{intro}{nav}{listing}{nav}", search=i == 0))
    pages += [article_page(builder, a) for a in articles]
    counts = [[link("tags/", f"tags/{t}/", t), tr.integer(len(tags[t]))] for t in sorted(tags)]
    tag_table = table((tr._("Tag"), tr._("Articles")), counts, raw=True)
    pages.append(Page("tags/index.md", tags_title, f"<h1>{e(tags_title)}</h1>" + tag_table))
    for t, members in sorted(tags.items()):
        rows = [[link(f"tags/{t}/", a.url, a.title), e(when_text(a.updated, tr))] for a in members]
        title = tr._("Tag: {tag}", tag=t)
        tag_columns = (tr._("Article"), tr._("Updated"))
        pages.append(Page(f"tags/{t}.md", title, f"<h1>{e(title)}</h1>" + table(tag_columns, rows, raw=True)))
    return pages
