"""site/run.py: finding mkdocs.yml and its site_url without MkDocs, MkDocs' log kept to its warnings, and
the static server: files only, never a directory listing, every 404 the site's own 404.html, on loopback.

`build()` itself runs once, in test_plugin.py (one real MkDocs build pins both modules' parts of it).
"""

from __future__ import annotations

import http.client
import logging
import socket
import threading

import pytest

from gitdesk.errors import GitdeskError
from gitdesk.site.run import MKDOCS_FILE, SiteBuildFailed, _quiet_mkdocs, config_file, server, site_url


def test_config_file_is_mkdocs_yml_at_the_root_or_a_refusal_saying_where(tmp_path):
    with pytest.raises(SiteBuildFailed) as info:
        config_file(tmp_path)
    assert str(info.value) == f"mkdocs.yml: not found in {tmp_path} (gitdesk init writes one)"
    (tmp_path / MKDOCS_FILE).write_text("site_name: x\n")
    assert config_file(tmp_path) == tmp_path / "mkdocs.yml"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("site_name: x\n# site_url: https://support.example.org/\n", ""),  # the scaffold's: commented out
        ("site_name: x\nsite_url: https://desk.example.org/help/\n", "https://desk.example.org/help/"),
        ("site_url:\n", ""),  # null
        ("", ""),  # an empty file
        ("- a\n- list\n", ""),  # not a mapping: no site_url in it
        # tags MkDocs knows and a plain YAML loader does not: they do not stop site_url being read
        (
            "site_url: https://d.example/\nsite_dir: !ENV [SITE_DIR, site]\n"
            "markdown_extensions:\n  - pymdownx.emoji:\n"
            "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n",
            "https://d.example/",
        ),
    ],
)
def test_site_url_reads_mkdocs_yml_leniently(tmp_path, text, expected):
    (tmp_path / MKDOCS_FILE).write_text(text, encoding="utf-8")
    assert site_url(tmp_path) == expected


def test_site_url_refuses_invalid_yaml_and_a_missing_file_in_one_line(tmp_path):
    with pytest.raises(SiteBuildFailed, match="not found"):
        site_url(tmp_path)
    (tmp_path / MKDOCS_FILE).write_text("site_url: [unclosed\n", encoding="utf-8")
    with pytest.raises(SiteBuildFailed) as info:
        site_url(tmp_path)
    assert str(info.value).startswith("mkdocs.yml: invalid YAML: ")
    assert isinstance(info.value, GitdeskError)  # the CLI turns it into one line and an exit code


def test_quiet_mkdocs_passes_only_mkdocs_warnings_and_restores_the_logger(capsys):
    logger = logging.getLogger("mkdocs")
    before = logger.level, logger.propagate, list(logger.handlers)
    with _quiet_mkdocs():
        logger.info("Building documentation")  # chatter
        logging.getLogger("mkdocs.plugins.gitdesk").warning("gitdesk: tiers: must be a list")  # re-raised, not logged
        logging.getLogger("mkdocs.structure").warning("a link to nowhere")
    assert capsys.readouterr().err == "mkdocs: a link to nowhere\n"
    assert (logger.level, logger.propagate, list(logger.handlers)) == before


# -- the static server ----------------------------------------------------------------------------
@pytest.fixture
def serve(tmp_path):
    """Serve a directory on a free loopback port; return a function that requests a path: (status, headers, body)."""
    servers = []

    def start(directory):
        httpd = server(directory, port=0)
        servers.append(httpd)
        threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True).start()  # a quick shutdown

        def request(path: str, method: str = "GET"):
            conn = http.client.HTTPConnection(*httpd.server_address[:2], timeout=5)
            try:
                conn.request(method, path)
                response = conn.getresponse()
                return response.status, dict(response.getheaders()), response.read()
            finally:
                conn.close()

        return httpd, request

    yield start
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def site_dir(tmp_path):
    out = tmp_path / "site"
    (out / "tickets" / "HD-aaaaaaaa").mkdir(parents=True)
    (out / "tickets" / "HD-aaaaaaaa" / "index.html").write_text("<p>ticket page</p>")
    (out / "t" / "0123456789abcdef").mkdir(parents=True)  # a secret link's folder
    (out / "t" / "0123456789abcdef" / "index.html").write_text("<p>secret</p>")
    (out / "404.html").write_text("<h1>Not found here</h1>")
    return out


def test_the_server_listens_on_loopback_by_default_and_serves_files(serve, site_dir):
    httpd, get = serve(site_dir)
    assert httpd.server_address[0] == "127.0.0.1"
    status, _, body = get("/tickets/HD-aaaaaaaa/")  # a folder with index.html: its page
    assert (status, body) == (200, b"<p>ticket page</p>")


@pytest.mark.parametrize("path", ["/t/", "/tickets/", "/nowhere/", "/t/guessed/index.html"])
def test_no_directory_is_listed_and_every_404_is_the_sites_own_page(serve, site_dir, path):
    _, get = serve(site_dir)
    status, headers, body = get(path)
    assert status == 404 and body == b"<h1>Not found here</h1>"  # /t/ would list every secret link
    assert b"0123456789abcdef" not in body
    assert headers["Content-Type"] == "text/html; charset=utf-8" and headers["Content-Length"] == str(len(body))


def test_a_head_request_for_a_missing_page_gets_the_404_headers_without_a_body(serve, site_dir):
    httpd, _ = serve(site_dir)
    with socket.create_connection(
        httpd.server_address[:2], timeout=5
    ) as sock:  # raw: http.client never reads a HEAD body
        sock.sendall(b"HEAD /t/ HTTP/1.0\r\nHost: x\r\n\r\n")
        raw = b"".join(iter(lambda: sock.recv(65536), b""))  # "Connection: close": read to the end
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 404") and body == b""
    assert f"Content-Length: {len(b'<h1>Not found here</h1>')}".encode() in head


def test_without_a_404_page_the_plain_error_is_sent_and_still_no_listing(serve, site_dir):
    (site_dir / "404.html").unlink()
    _, get = serve(site_dir)
    status, _, body = get("/t/")
    assert status == 404 and b"0123456789abcdef" not in body and b"Error response" in body


def test_a_port_in_use_is_one_gitdesk_error(serve, site_dir):
    httpd, _ = serve(site_dir)
    with pytest.raises(GitdeskError, match=rf"^cannot serve on 127\.0\.0\.1:{httpd.server_address[1]}: "):
        server(site_dir, port=httpd.server_address[1])
