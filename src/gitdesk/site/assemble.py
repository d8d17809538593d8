"""The whole site as data: which pages exist, which are in the nav and the search index.

`build_site(builder, out_dir)` writes the per-ticket files, then returns the pages
(title + HTML) and the other generated files for whatever renders them: MkDocs
today through plugin.py, something else tomorrow.
"""

from __future__ import annotations

import json
from pathlib import Path

from gitdesk.site.builder import Page, Progress, SiteBuilder
from gitdesk.site.figures import metrics_page, surveys_page
from gitdesk.site.kb_pages import kb_pages, published_slugs
from gitdesk.site.markup import NAV  # noqa: F401 - plugin.py's nav; ticket pages show the same one
from gitdesk.site.outputs import generated_files
from gitdesk.site.pages import home, queue_pages, request_pages


def build_site(
    builder: SiteBuilder, out_dir: Path, progress: Progress | None = None
) -> tuple[list[Page], dict[str, str]]:
    builder.kb_slugs = published_slugs(builder)  # before the pass: ticket pages link published articles only
    builder.build_tickets(out_dir, progress)
    pages = kb_pages(builder)  # first: the feed and status.json list the published articles
    pages += [
        home(builder),
        *request_pages(builder),
        *queue_pages(builder),
        metrics_page(builder),
        surveys_page(builder),
    ]
    return pages, generated_files(builder)


def page_source(page: Page) -> str:
    """The Markdown MkDocs reads: front matter and a marker. The plugin swaps in the HTML after
    rendering, because Python-Markdown's raw-HTML pass over large tables costs more than the rest."""
    meta = [f"title: {json.dumps(page.title, ensure_ascii=False)}"]
    if not page.search:
        meta.append("search:\n  exclude: true")
    if not page.src_uri.startswith("kb/"):
        meta.append("hide:\n  - toc")
    return "---\n" + "\n".join(meta) + "\n---\n\n" + PLACEHOLDER + "\n"


PLACEHOLDER = "gitdesk generated page"


def page_html(page: Page) -> str:
    return f'<div class="gd-page">{page.html}</div>'
