"""HTML building blocks: escaping, relative links, tables, pagination and safe Markdown.

Every string that came from a ticket, an article or a survey goes through `e()`
(or `safe_markdown` for KB articles, which refuses raw HTML, any link that is
not http, https, mailto or relative, and any image from another host), so customer
text can never become markup.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Iterable, Sequence
from typing import Any

from gitdesk.i18n import N_, Np_, Translator

SAFE_SCHEMES = ("http", "https", "mailto")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.I)


def e(text: Any) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def text_block(text: str) -> str:
    """Plain customer text as paragraphs: escaped, line breaks kept, nothing ever a link."""
    paras = [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]
    return "".join(f"<p>{e(p).replace(chr(10), '<br>')}</p>" for p in paras)


def rel(from_url: str, to_url: str) -> str:
    """Relative link between two site URLs ('' is the home page; directory URLs end in '/')."""
    base = from_url if not from_url or from_url.endswith("/") else posixpath.dirname(from_url)
    out = posixpath.relpath(to_url or ".", base or ".")
    if to_url.endswith("/") or to_url == "":
        out = out.rstrip("/") + "/"
    return "./" if out in ("./", "/") else out


def link(from_url: str, to_url: str, label: str) -> str:
    return f'<a href="{e(rel(from_url, to_url))}">{e(label)}</a>'


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], raw: bool = False) -> str:
    """A table; cells are escaped unless `raw` (then the caller built them from escaped parts)."""
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c if raw else e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def pager(page_urls: Sequence[str], current: int, from_url: str, tr: Translator) -> str:
    """'Page 2 of 9' with previous/next links; nothing when there is one page."""
    if len(page_urls) <= 1:
        return ""
    parts = []
    if current > 0:
        prev = e(tr._("Previous"))
        parts.append(f'<a rel="prev" href="{e(rel(from_url, page_urls[current - 1]))}">&larr; {prev}</a>')
    parts.append(f"<span>{e(tr._('Page {page} of {pages}', page=current + 1, pages=len(page_urls)))}</span>")
    if current + 1 < len(page_urls):
        nxt = e(tr._("Next"))
        parts.append(f'<a rel="next" href="{e(rel(from_url, page_urls[current + 1]))}">{nxt} &rarr;</a>')
    return '<nav class="gd-pager">' + " ".join(parts) + "</nav>"


# The status names a badge shows (the class keeps the status key, for the stylesheet).
STATUS_NAMES = {
    "new": Np_("status", "new"),
    "triaged": Np_("status", "triaged"),
    "in_progress": Np_("status", "in progress"),
    "waiting": Np_("status", "waiting"),
    "proposed": Np_("status", "proposed"),
    "resolved": Np_("status", "resolved"),
    "closed": Np_("status", "closed"),
    "split": Np_("status", "split"),
    "cancelled": Np_("status", "cancelled"),
}


def badge(status: str, tr: Translator) -> str:
    name = tr.pgettext("status", STATUS_NAMES[status]) if status in STATUS_NAMES else status.replace("_", " ")
    return f'<span class="gd-status gd-{e(status)}">{e(name)}</span>'


def _sanitise_url(url: str) -> str | None:
    compact = re.sub(r"[\x00-\x20]+", "", html.unescape(url or ""))
    match = _SCHEME.match(compact)
    if match and match.group(1).lower() not in SAFE_SCHEMES:
        return None
    return url


def _same_site(url: str) -> bool:
    compact = re.sub(r"[\x00-\x20]+", "", html.unescape(url or ""))
    # a browser reads a backslash in a URL as a slash: any two of them make "//host", another host
    return bool(compact) and not _SCHEME.match(compact) and not re.match(r"[/\\]{2}", compact)


def safe_markdown(text: str) -> str:
    """Markdown to HTML with raw HTML shown as text and unsafe links turned into plain text."""
    import markdown
    from markdown.extensions import Extension
    from markdown.treeprocessors import Treeprocessor

    class _Links(Treeprocessor):
        def run(self, root: Any) -> None:
            for heading in root.iter("h2"):  # a section heading is a ticket's title: the customer's text
                text = "".join(heading.itertext())
                for child in list(heading):
                    heading.remove(child)
                heading.text = text
            for el in root.iter():
                if el.tag == "img" and not _same_site(el.attrib.get("src", "")):
                    el.tag = "span"  # an image from elsewhere would be a request to another host
                    el.text = el.attrib.pop("alt", "")
                    el.attrib.pop("src", None)
                    el.attrib.pop("title", None)
                for attr in ("href", "src"):
                    if attr in el.attrib and _sanitise_url(el.attrib[attr]) is None:
                        del el.attrib[attr]
                        if el.tag == "a":
                            el.tag = "span"
                        elif el.tag == "img":
                            el.tag = "span"
                            el.text = el.attrib.pop("alt", "")

    class _NoRawHtml(Extension):
        def extendMarkdown(self, md: Any) -> None:  # noqa: N802 - Markdown's API name
            md.preprocessors.deregister("html_block")
            md.inlinePatterns.deregister("html")
            md.treeprocessors.register(_Links(md), "gitdesk-links", 0)

    converter = markdown.Markdown(extensions=[_NoRawHtml(), "tables", "fenced_code", "sane_lists"])
    return converter.convert(text or "")


# The nav: a handful of entries. Ticket pages, list pages and articles stay out of it,
# because MkDocs renders the whole nav into every page. The standalone ticket pages show the
# same entries in their header, so a customer goes from their request to the board and back.
NAV = (
    (N_("Status board"), "index.md"),
    (N_("Requests"), "requests/index.md"),
    (N_("Teams"), "queues/index.md"),
    (N_("Knowledge base"), "kb/index.md"),
    (N_("Metrics"), "metrics.md"),
    (N_("Surveys"), "surveys.md"),
)


def _nav_url(uri: str) -> str:
    stem = uri[:-3]
    return "" if stem == "index" else stem[: -len("index")] if stem.endswith("/index") else stem + "/"


def site_nav(root: str, tr: Translator) -> str:
    links = "".join(f'<a href="{e(root + _nav_url(uri))}">{e(tr._(title))}</a>' for title, uri in NAV)
    return f'<nav class="gd-nav" aria-label="{e(tr._("Site"))}">{links}</nav>'


def document(title: str, body: str, site_name: str, root: str, noindex: bool, tr: Translator) -> str:
    """A standalone page (ticket pages): no script at all, one stylesheet, nothing from outside;
    the board's header and nav, so the customer can get to the board and the KB and back."""
    robots = '<meta name="robots" content="noindex, nofollow">' if noindex else ""
    return (
        f'<!doctype html><html lang="{e(tr.language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'; script-src 'none'; "
        "object-src 'none'; base-uri 'none'\">"
        '<meta name="referrer" content="no-referrer">'
        f"{robots}<title>{e(title)} · {e(site_name)}</title>"
        f'<link rel="icon" href="{e(root)}assets/images/favicon.png">'
        f'<link rel="stylesheet" href="{e(root)}assets/gitdesk.css"></head>'
        f'<body class="gd-standalone"><a class="gd-skip" href="#gd-content">{e(tr._("Skip to content"))}</a>'
        f'<header class="gd-header"><a class="gd-site" href="{e(root)}">{e(site_name)}</a>{site_nav(root, tr)}</header>'
        f'<main class="gd-main" id="gd-content" tabindex="-1">{body}</main>'
        f'<footer class="gd-footer">{e(site_name)} · <a href="{e(root)}">{e(tr._("status board"))}</a> · '
        f'<a href="{e(root)}kb/">{e(tr._("knowledge base"))}</a></footer></body></html>\n'
    )
