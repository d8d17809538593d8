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
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel

from gitdesk.errors import GitdeskError

log = logging.getLogger("mkdocs.plugins.gitdesk")

# The lunr language Material's search uses per desk language: with Material's default pipeline
# (no stemmer, prefix search as you type) it picks the stop words. lunr-languages has no Catalan
# (and Material's ca translation names none, so it would fall back to English); Spanish is the
# nearest it ships (measured against the others in docs/i18n.md).
SEARCH_STEMMER = {"en": "en", "es": "es", "ca": "es"}


def _add_overrides(config: Any) -> None:
    """Our template overrides (CSP, skip link) go after the desk's own custom_dir, before Material's."""
    from importlib import resources

    ours = str(resources.files("gitdesk.site") / "theme" / "overrides")
    dirs = config.theme.dirs
    if ours not in dirs:
        dirs.insert(1 if config.theme.custom_dir else 0, ours)


_UNSET: Any = object()  # `progress` when MkDocs itself runs the build


class GitdeskPluginConfig(MkConfig):
    desk = opt.Optional(opt.Type(str))  # the desk's root; default: where mkdocs.yml is
    page_size = opt.Type(int, default=50)  # tickets per list page
    recent = opt.Type(int, default=10)  # entries in "recently updated/resolved"


class GitdeskPlugin(BasePlugin[GitdeskPluginConfig]):
    def __init__(self) -> None:
        self.progress: Any = _UNSET  # set by `gitdesk site build`: called with tickets done, or None
        self.skipped: list[str] = []  # one line per ticket file left out because it does not parse
        self.unpublished_unlisted = 0
        self.error: GitdeskError | None = None
        self.html: dict[str, str] = {}  # src_uri -> the generated page's HTML

    @event_priority(100)  # before the search plugin's, which reads theme.language
    def on_config(self, config: Any) -> Any:
        from gitdesk.i18n import translator
        from gitdesk.site.assemble import NAV

        config.use_directory_urls = True  # the URL scheme (/tickets/ID/, /t/TOKEN/) assumes it
        _add_overrides(config)
        if "assets/gitdesk.css" not in config.extra_css:
            config.extra_css.append("assets/gitdesk.css")
        language = self._language(config)
        config.theme["language"] = language  # the theme's own words and lang= on every page follow the desk
        config.extra.setdefault("generator", False)  # Material's "Made with" line has no translation
        # Material registers its search as "material/search" (a plain `search` in mkdocs.yml resolves to it)
        search = config.plugins.get("material/search") or config.plugins.get("search")
        if search is not None and not search.config.get("lang"):
            search.config["lang"] = [SEARCH_STEMMER[language]]
        if not config.nav:
            tr = translator(language)
            config.nav = [{tr._(title): uri} for title, uri in NAV]
        return config

    def _root(self, config: Any) -> Path:
        base = Path(config.config_file_path or ".").resolve().parent
        return (base / self.config.desk).resolve() if self.config.desk else base

    def _language(self, config: Any) -> str:
        from gitdesk.core.config import load as load_config

        try:
            return load_config(self._root(config)).language
        except GitdeskError:
            return "en"  # the build itself reports the bad gitdesk.yml, naming the key

    def on_files(self, files: Files, config: Any) -> Files:
        from gitdesk.site.assemble import NAV, build_site, page_html, page_source

        try:
            builder = self._builder(config)
            pages, outputs = build_site(
                builder, Path(config.site_dir), None if self.progress is _UNSET else self.progress
            )
        except GitdeskError as exc:
            self.error = exc  # `gitdesk site build` re-raises it as is: one line, the file and key at fault
            raise PluginError(f"gitdesk: {exc}") from None
        self.unpublished_unlisted = builder.data.unpublished_unlisted
        self.skipped = [str(exc) for exc in builder.desk.skipped()]
        for line in self.skipped:  # a plain `mkdocs build` warns (and --strict fails); `gitdesk site build` prints them
            (log.info if self.progress is not _UNSET else log.warning)("gitdesk: skipped %s", line)
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

    def on_post_page(self, output: str, page: Any, config: Any) -> str:
        from gitdesk.site.page_policy import finish_page

        return finish_page(output)

    def on_post_template(self, output: str, template_name: str, config: Any) -> str:
        from gitdesk.site.page_policy import finish_page

        return finish_page(output) if template_name.endswith(".html") else output

    def _builder(self, config: Any) -> Any:
        from gitdesk.core.config import load as load_config
        from gitdesk.desk.facade import system_clock
        from gitdesk.site.builder import SiteBuilder
        from gitdesk.site.privacy import site_key

        root = self._root(config)
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
