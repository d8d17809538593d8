"""site/plugin.py: the MkDocs adapter. Its small parts directly (the search language per desk language, its
options, where our theme overrides go, the desk root and language it reads), then ONE real build through
`run.build` of a small desk, shared by the tests below it: what the plugin does to MkDocs' config and pages,
and what `build` returns."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
from importlib import resources
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest

from conftest import AUTHOR, START, _copy_desk
from gitdesk.core.config import LANGUAGES
from gitdesk.i18n import translator
from gitdesk.site.markup import NAV
from gitdesk.site.page_policy import finish_page
from gitdesk.site.plugin import SEARCH_STEMMER, GitdeskPlugin, _add_overrides

MATERIAL = Path(resources.files("material")) / "templates"  # type: ignore[arg-type]
OURS = str(resources.files("gitdesk.site") / "theme" / "overrides")


# -- the small parts --------------------------------------------------------------------------
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_desk_language_has_a_theme_language_and_a_search_language_material_ships(language):
    assert (MATERIAL / "partials" / "languages" / f"{language}.html").is_file()  # theme.language = the desk's
    stemmer = SEARCH_STEMMER[language]  # a KeyError here would fail every build of that desk
    assert (
        stemmer == "en" or (MATERIAL / "assets" / "javascripts" / "lunr" / "min" / f"lunr.{stemmer}.min.js").is_file()
    )


def test_the_plugins_options_have_their_defaults_and_refuse_a_wrong_type():
    plugin = GitdeskPlugin()
    errors, _ = plugin.load_config({})
    assert errors == [] and (plugin.config.desk, plugin.config.page_size, plugin.config.recent) == (None, 50, 10)
    errors, _ = GitdeskPlugin().load_config({"page_size": "many"})
    assert [name for name, _ in errors] == ["page_size"]


@pytest.mark.parametrize(
    "custom_dir,dirs,expected",
    [
        (None, ["/material"], [OURS, "/material"]),  # before Material's templates
        (
            "/desk/overrides",
            ["/desk/overrides", "/material"],
            ["/desk/overrides", OURS, "/material"],
        ),  # after the desk's
        (None, [OURS, "/material"], [OURS, "/material"]),  # once, however often on_config runs
    ],
)
def test_our_overrides_go_after_the_desks_own_and_before_materials(custom_dir, dirs, expected):
    config = SimpleNamespace(theme=SimpleNamespace(custom_dir=custom_dir, dirs=list(dirs)))
    _add_overrides(config)
    assert config.theme.dirs == expected


def test_the_desk_is_where_mkdocs_yml_is_unless_the_desk_option_says_where(tmp_path):
    config = SimpleNamespace(config_file_path=str(tmp_path / "site" / "mkdocs.yml"))
    plugin = GitdeskPlugin()
    plugin.load_config({})
    assert plugin._root(config) == (tmp_path / "site").resolve()
    plugin.load_config({"desk": "../desk"})
    assert plugin._root(config) == (tmp_path / "desk").resolve()


def test_the_site_language_is_the_desks_and_a_bad_gitdesk_yml_leaves_english_for_the_build_to_refuse(tmp_path):
    config = SimpleNamespace(config_file_path=str(tmp_path / "mkdocs.yml"))
    plugin = GitdeskPlugin()
    plugin.load_config({})
    (tmp_path / "gitdesk.yml").write_text("language: ca_ES\n")
    assert plugin._language(config) == "ca"
    (tmp_path / "gitdesk.yml").write_text("language: tlh\n")  # no such language: on_files reports it
    assert plugin._language(config) == "en"


def test_page_content_is_swapped_for_the_generated_html_once_and_only_html_templates_are_finished():
    plugin = GitdeskPlugin()
    plugin.html["kb/index.md"] = "<h1>KB</h1>"
    page = SimpleNamespace(file=SimpleNamespace(src_uri="kb/index.md"))
    assert plugin.on_page_content("<p>gitdesk generated page</p>", page, None, None) == "<h1>KB</h1>"
    assert plugin.html == {}  # handed over once: 100,000 pages do not stay in memory
    hand_written = SimpleNamespace(file=SimpleNamespace(src_uri="about.md"))
    assert plugin.on_page_content("<p>About us</p>", hand_written, None, None) == "<p>About us</p>"
    template = '<head><meta http-equiv="Content-Security-Policy" content="gitdesk-csp"></head>'
    assert plugin.on_post_template(template, "404.html", None) == finish_page(template) != template
    assert plugin.on_post_template(template, "sitemap.xml", None) == template


# -- one real build ---------------------------------------------------------------------------
BROKEN = "tickets/HD-zzzz9999.md"
ARTICLE_TITLE = "<script>alert(1)</script> Printer rollers"


@pytest.fixture(scope="module")
def built(tmp_path_factory, _template_desks):
    """(desk, site dir, BuildResult): a Catalan desk with a public, an unlisted and an unreadable ticket
    and one article, built by `run.build` (strict, no site key) with `use_directory_urls: false` in mkdocs.yml."""
    from gitdesk.desk.facade import Desk
    from gitdesk.site.run import build

    top = tmp_path_factory.mktemp("plugin")
    (top / ".gitconfig").write_text("[user]\n\tname = Ada Tech\n\temail = ada@desk.example\n")
    env = {**AUTHOR, "HOME": str(top), "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": str(top / ".gitconfig")}
    with mock.patch.dict(os.environ, env):
        for key in ("GITDESK_SITE_KEY", "GITDESK_DESK", "GITDESK_USER"):
            os.environ.pop(key, None)
        root = _copy_desk(_template_desks["desk"], top / "desk")
        config = root / "gitdesk.yml"
        config.write_text("language: ca\n" + config.read_text(encoding="utf-8"), encoding="utf-8")
        mkdocs_yml = root / "mkdocs.yml"
        mkdocs_yml.write_text(
            mkdocs_yml.read_text(encoding="utf-8").replace("use_directory_urls: true", "use_directory_urls: false")
        )
        (root / BROKEN).write_text("no front matter here\n", encoding="utf-8")
        (root / "kb" / "rollers.md").write_text(
            f"---\ntitle: '{ARTICLE_TITLE}'\ntags: [hardware]\npublished: true\n---\n\nClean them.\n", encoding="utf-8"
        )
        subprocess.run(["git", "add", "-A"], cwd=root, check=True)
        subprocess.run(["git", "commit", "-qm", "the desk under test"], cwd=root, check=True)
        desk = Desk(root, clock=lambda: START)
        public = desk.open("Printer <b>jams</b>", {"name": "Bob", "email": "bob@example.com"}, visibility="public")
        desk.open("Quiet printer", {"name": "Eve", "email": "eve@example.com"}, visibility="unlisted")
        out = top / "out"
        result = build(root, out)
    return root, out, result, public.id


def test_build_returns_the_site_dir_the_ticket_count_and_what_it_left_out(built):
    root, out, result, _ = built
    assert result.out_dir == out.resolve()
    assert result.tickets == 3  # every ticket file, the unreadable one too
    assert result.unpublished_unlisted == 1  # no GITDESK_SITE_KEY: the unlisted ticket has no page
    assert len(result.skipped) == 1 and result.skipped[0].startswith(BROKEN)  # left out, and strict still builds


def test_the_site_speaks_the_desks_language_and_searches_with_its_stemmer(built):
    _, out, _, _ = built
    home = (out / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<html[^>]*\slang="ca"', home)
    tr = translator("ca")
    nav = [html.escape(tr._(title), quote=False) for title, _uri in NAV]  # no nav in mkdocs.yml: ours, translated
    assert nav != [title for title, _uri in NAV] and all(title in home for title in nav)
    search = json.loads((out / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert search["config"]["lang"] == ["es"]  # lunr has no Catalan


def test_directory_urls_are_forced_and_no_title_brings_markup(built):
    _, out, _, ticket = built
    assert (out / "kb" / "rollers" / "index.html").is_file() and not (out / "kb" / "rollers.html").exists()
    page = (out / "kb" / "rollers" / "index.html").read_text(encoding="utf-8")
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert "<" not in title and "\u2039script\u203a" in title
    assert "<script>alert(1)" not in page
    requests = (out / "requests" / "index.html").read_text(encoding="utf-8")
    assert f"tickets/{ticket}/" in requests and "<b>jams</b>" not in requests


def test_every_page_is_the_generated_html_with_its_policy_filled_in_and_the_desk_is_untouched(built):
    root, out, _, _ = built
    pages = sorted(out.rglob("*.html"))
    assert out / "404.html" in pages  # a template page: finished by on_post_template
    for path in pages:
        text = path.read_text(encoding="utf-8")
        assert "gitdesk generated page" not in text and 'content="gitdesk-csp"' not in text, path
    assert (out / "assets" / "gitdesk.css").is_file()
    assert 'href="assets/gitdesk.css"' in (out / "index.html").read_text(encoding="utf-8")
    assert not any((root / "docs_site").rglob("*.md"))  # the pages were generated in memory
