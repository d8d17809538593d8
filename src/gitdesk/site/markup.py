"""HTML building blocks: escaping, relative links, tables, pagination and safe Markdown.

Every string that came from a ticket, an article or a survey goes through `e()`
(or `safe_markdown` for KB articles, which refuses raw HTML and any link that is
not http, https, mailto or relative), so customer text can never become markup.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Iterable, Sequence
from typing import Any

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
    return "./" if out == "./" or out == "/" else out


def link(from_url: str, to_url: str, label: str) -> str:
    return f'<a href="{e(rel(from_url, to_url))}">{e(label)}</a>'


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], raw: bool = False) -> str:
    """A table; cells are escaped unless `raw` (then the caller built them from escaped parts)."""
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c if raw else e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def pager(page_urls: Sequence[str], current: int, from_url: str) -> str:
    """'Page 2 of 9' with previous/next links; nothing when there is one page."""
    if len(page_urls) <= 1:
        return ""
    parts = []
    if current > 0:
        parts.append(f'<a rel="prev" href="{e(rel(from_url, page_urls[current - 1]))}">&larr; Previous</a>')
    parts.append(f"<span>Page {current + 1} of {len(page_urls)}</span>")
    if current + 1 < len(page_urls):
        parts.append(f'<a rel="next" href="{e(rel(from_url, page_urls[current + 1]))}">Next &rarr;</a>')
    return '<nav class="gd-pager">' + " ".join(parts) + "</nav>"


def badge(status: str) -> str:
    return f'<span class="gd-status gd-{e(status)}">{e(status.replace("_", " "))}</span>'


def _sanitise_url(url: str) -> str | None:
    compact = re.sub(r"[\x00-\x20]+", "", html.unescape(url or ""))
    match = _SCHEME.match(compact)
    if match and match.group(1).lower() not in SAFE_SCHEMES:
        return None
    return url


def safe_markdown(text: str) -> str:
    """Markdown to HTML with raw HTML shown as text and unsafe links turned into plain text."""
    import markdown
    from markdown.extensions import Extension
    from markdown.treeprocessors import Treeprocessor

    class _Links(Treeprocessor):
        def run(self, root: Any) -> None:
            for el in root.iter():
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


def document(title: str, body: str, site_name: str, root: str, noindex: bool) -> str:
    """A standalone page (ticket pages): no script at all, one stylesheet, nothing from outside."""
    robots = '<meta name="robots" content="noindex, nofollow">' if noindex else ""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'; script-src 'none'; "
        "object-src 'none'; base-uri 'none'\">"
        '<meta name="referrer" content="no-referrer">'
        f"{robots}<title>{e(title)} · {e(site_name)}</title>"
        f'<link rel="icon" href="{e(root)}assets/images/favicon.png">'
        f'<link rel="stylesheet" href="{e(root)}assets/gitdesk.css"></head>'
        f'<body class="gd-standalone"><header class="gd-header"><a href="{e(root)}">{e(site_name)}</a></header>'
        f'<main class="gd-main">{body}</main>'
        f'<footer class="gd-footer">{e(site_name)} · <a href="{e(root)}">status board</a> · '
        f'<a href="{e(root)}kb/">knowledge base</a></footer></body></html>\n'
    )
