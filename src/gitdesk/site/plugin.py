"""The MkDocs plugin: a thin adapter from MkDocs events to `assemble.build_site`.

Nothing else in gitdesk.site imports MkDocs. If MkDocs 2 drops plugins, this is
the one module to replace.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import Any

from mkdocs.config import config_options as opt
from mkdocs.config.base import Config as MkConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel

from gitdesk.errors import GitdeskError

log = logging.getLogger("mkdocs.plugins.gitdesk")


class GitdeskPluginConfig(MkConfig):
    desk = opt.Optional(opt.Type(str))  # the desk's root; default: where mkdocs.yml is
    page_size = opt.Type(int, default=50)  # tickets per list page
    recent = opt.Type(int, default=10)  # entries in "recently updated/resolved"


class GitdeskPlugin(BasePlugin[GitdeskPluginConfig]):
    def __init__(self) -> None:
        self.progress: Any = None  # set by `gitdesk site build`: called with tickets done
        self.unpublished_unlisted = 0
        self.error: GitdeskError | None = None
        self.html: dict[str, str] = {}  # src_uri -> the generated page's HTML

    def on_config(self, config: Any) -> Any:
        from gitdesk.site.assemble import NAV

        config.use_directory_urls = True  # the URL scheme (/tickets/ID/, /t/TOKEN/) assumes it
        if "assets/gitdesk.css" not in config.extra_css:
            config.extra_css.append("assets/gitdesk.css")
        if not config.nav:
            config.nav = [{title: uri} for title, uri in NAV]
        return config

    def on_files(self, files: Files, config: Any) -> Files:
        from gitdesk.site.assemble import NAV, build_site, page_html, page_source

        try:
            builder = self._builder(config)
            pages, outputs = build_site(builder, Path(config.site_dir), self.progress)
        except GitdeskError as exc:
            self.error = exc  # `gitdesk site build` re-raises it as is: one line, the file and key at fault
            raise PluginError(f"gitdesk: {exc}") from None
        self.unpublished_unlisted = builder.data.unpublished_unlisted
        if self.unpublished_unlisted:
            log.info(
                "gitdesk: GITDESK_SITE_KEY is not set, so %d unlisted tickets have no page",
                self.unpublished_unlisted,
            )
        in_nav = {uri for _, uri in NAV}
        for page in pages:
            level = InclusionLevel.INCLUDED if page.src_uri in in_nav else InclusionLevel.NOT_IN_NAV
            # Themes print titles unescaped, and Jinja's striptags unescapes them again: no angle
            # brackets may survive either way.
            page.title = html.escape(page.title.replace("<", "\u2039").replace(">", "\u203a"))
            files.append(File.generated(config, page.src_uri, content=page_source(page), inclusion=level))
            self.html[page.src_uri] = page_html(page)
        for rel, content in outputs.items():
            files.append(File.generated(config, rel, content=content))
        return files

    def on_page_content(self, html: str, page: Any, config: Any, files: Any) -> str:
        return self.html.pop(page.file.src_uri, html)

    def _builder(self, config: Any) -> Any:
        from gitdesk.core.config import load as load_config
        from gitdesk.desk.facade import system_clock
        from gitdesk.site.builder import SiteBuilder
        from gitdesk.site.privacy import site_key

        base = Path(config.config_file_path or ".").resolve().parent
        root = (base / self.config.desk).resolve() if self.config.desk else base
        return SiteBuilder(
            root,
            load_config(root),
            config.site_name,
            site_key(),
            system_clock(),
            page_size=self.config.page_size,
            recent=self.config.recent,
            site_url=config.site_url or "",
            repo_url=config.repo_url or "",
        )
