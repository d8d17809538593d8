"""Secret links: the site key's strength, `gitdesk site revoke`, and a server that never lists a directory."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request

import pytest

from gitdesk.site.privacy import unlisted_token

KEY = "links-test-key-0123456789abcdefghijklmnopq"


@pytest.mark.parametrize("key", ["short", "x" * 31, "ä" * 15])
def test_a_short_site_key_is_refused_with_one_line_saying_how_to_make_one(cli_invoke, open_ticket, monkeypatch, key):
    ticket = open_ticket("Quiet printer")
    monkeypatch.setenv("GITDESK_SITE_KEY", key)
    for args in (("site", "url", ticket), ("site", "build", "--out", "o"), ("site", "revoke", ticket)):
        result = cli_invoke(*args, ok=False)
        assert result.exit_code != 0 and "Traceback" not in result.output, args
        line = result.output.strip()
        assert "\n" not in line and "at least 32" in line, args
        assert 'python3 -c "import secrets; print(secrets.token_urlsafe(32))"' in line, args
    assert cli_invoke("show", ticket, "--json").stdout.count('"link_version"') == 0  # revoke wrote nothing


def test_a_key_of_32_bytes_is_accepted(cli_invoke, open_ticket, monkeypatch):
    ticket = open_ticket("Quiet printer")
    monkeypatch.setenv("GITDESK_SITE_KEY", "k" * 32)
    assert cli_invoke("site", "url", ticket).stdout.strip() == f"/t/{unlisted_token('k' * 32, ticket)}/"


def test_revoke_changes_one_tickets_secret_link_and_no_other(cli_invoke, open_ticket, desk_root, monkeypatch, tmp_path):
    from conftest import git
    from gitdesk.site.run import build

    monkeypatch.setenv("GITDESK_SITE_KEY", KEY)
    leaked, other = open_ticket("Leaked link"), open_ticket("Other request")
    old = {t: cli_invoke("site", "url", t).stdout.strip() for t in (leaked, other)}
    commits = git(desk_root, "rev-list", "--count", "HEAD")
    result = cli_invoke("site", "revoke", leaked)
    assert int(git(desk_root, "rev-list", "--count", "HEAD")) == int(commits) + 1
    new = cli_invoke("site", "url", leaked).stdout.strip()
    assert new != old[leaked] and new in result.output
    assert cli_invoke("site", "url", other).stdout.strip() == old[other]
    cli_invoke("site", "revoke", leaked)
    assert cli_invoke("site", "url", leaked).stdout.strip() not in (new, old[leaked])
    out = tmp_path / "out"
    build(desk_root, out)
    assert not (out / old[leaked].strip("/")).exists() and not (out / new.strip("/")).exists()
    assert (out / cli_invoke("site", "url", leaked).stdout.strip().strip("/") / "index.html").exists()
    assert (out / old[other].strip("/") / "index.html").exists()
    cli_invoke("validate")


@pytest.mark.parametrize("visibility", ["public", "private"])
def test_revoke_needs_a_secret_link(cli_invoke, open_ticket, monkeypatch, visibility):
    monkeypatch.setenv("GITDESK_SITE_KEY", KEY)
    ticket = open_ticket("Printer", "--visibility", visibility)
    result = cli_invoke("site", "revoke", ticket, ok=False)
    assert result.exit_code != 0 and visibility in result.output and "no secret link" in result.output


@pytest.fixture
def served(cli_invoke, open_ticket, desk_root, monkeypatch, tmp_path):
    """The desk's site built and served by `gitdesk site serve`'s server on 127.0.0.1 (port 0, kept)."""
    from gitdesk.site.run import build, server

    monkeypatch.setenv("GITDESK_SITE_KEY", KEY)
    unlisted = open_ticket("Quiet printer")
    public = open_ticket("Loud printer", "--visibility", "public")
    out = tmp_path / "out"
    build(desk_root, out)
    httpd = server(out, "127.0.0.1", 0)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/", out, unlisted, public
    httpd.shutdown()
    httpd.server_close()


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def test_serve_never_lists_a_directory(served):
    base, out, unlisted, public = served
    token = unlisted_token(KEY, unlisted)
    not_found = (out / "404.html").read_text(encoding="utf-8")
    for path in ("t/", "api/tickets/", "api/", "tickets/", "assets/", f"t/{token}/x/", "nothing-here"):
        status, body = _get(base + path)
        assert status == 404 and body == not_found, path
        assert token not in body and unlisted not in body
    assert _get(f"{base}t/{token}/")[0] == 200
    status, body = _get(f"{base}tickets/{public}/")
    assert status == 200 and "Loud printer" in body
