"""`gitdesk site build / url / serve`, and the small pure pieces of the site package."""

from __future__ import annotations

import re
import subprocess
import time
import urllib.request

import pytest

from conftest import gitdesk_exe
from gitdesk.i18n import translator
from gitdesk.site import charts, markup
from gitdesk.site.privacy import REMOVED, Scrubber, personal_values, unlisted_token

K1 = "k1-a-site-key-of-thirty-two-bytes-or-more"


def test_site_build_and_url(cli_invoke, open_ticket, desk_root, tmp_path, monkeypatch):
    public = open_ticket("Public printer", "--visibility", "public")
    unlisted = open_ticket("Quiet printer")
    private = open_ticket("Secret printer", "--visibility", "private")
    result = cli_invoke("site", "build", "--out", tmp_path / "out")
    assert "site built in" in result.output and "1 unlisted tickets have no page" in result.output
    assert (tmp_path / "out" / "tickets" / public / "index.html").exists()
    assert cli_invoke("site", "url", public).stdout.strip() == f"/tickets/{public}/"
    failed = cli_invoke("site", "url", unlisted, ok=False)
    assert failed.exit_code == 1 and "GITDESK_SITE_KEY is not set" in failed.output
    monkeypatch.setenv("GITDESK_SITE_KEY", K1)
    assert cli_invoke("site", "url", unlisted[:6]).stdout.strip() == f"/t/{unlisted_token(K1, unlisted)}/"
    failed = cli_invoke("site", "url", private, ok=False)
    assert failed.exit_code == 1 and "private" in failed.output and "Traceback" not in failed.output
    (desk_root / "mkdocs.yml").write_text(
        (desk_root / "mkdocs.yml")
        .read_text()
        .replace("# site_url: https://support.example.org/", "site_url: https://desk.example.org/help/")
    )
    assert cli_invoke("site", "url", public).stdout.strip() == f"https://desk.example.org/help/tickets/{public}/"


def test_site_build_errors_are_one_line(cli_invoke, desk_root, tmp_path):
    (desk_root / "mkdocs.yml").unlink()
    result = cli_invoke("site", "build", ok=False)
    assert result.exit_code == 1 and result.output.strip().count("\n") == 0
    assert "mkdocs.yml: not found" in result.output
    (desk_root / "mkdocs.yml").write_text("site_name: x\ndocs_dir: docs_site\nplugins:\n  - search\n")
    result = cli_invoke("site", "build", ok=False)
    assert "'gitdesk' plugin is not listed" in result.output
    (desk_root / "gitdesk.yml").write_text("tiers: many\n")
    (desk_root / "mkdocs.yml").write_text("site_name: x\ndocs_dir: docs_site\nplugins:\n  - gitdesk\n")
    result = cli_invoke("site", "build", "--out", tmp_path / "o", ok=False)
    assert result.exit_code == 1 and "tiers" in result.output and "Traceback" not in result.output


def test_progress_bar_on_large_desks(cli_invoke, open_ticket, tmp_path, monkeypatch):
    import gitdesk.cli.commands.site as site_cmd

    open_ticket("One", "--visibility", "public")
    monkeypatch.setattr(site_cmd, "LARGE_DESK", 1)
    result = cli_invoke("site", "build", "--out", tmp_path / "o")
    assert "ticket pages" in result.output


@pytest.mark.slow
def test_site_serve_serves_the_built_site(desk_root, open_ticket):
    ticket = open_ticket("Served printer", "--visibility", "public")
    proc = subprocess.Popen(  # port 0: the server binds it and says which port it got
        [*gitdesk_exe(), "site", "serve", "--port", "0"],
        cwd=desk_root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()  # "serving http://127.0.0.1:PORT/  (Ctrl-C to stop)", once built
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, line + proc.stderr.read()
        port = int(match.group(1))
        deadline = time.monotonic() + 60
        while True:
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/tickets/{ticket}/", timeout=2).read()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
                time.sleep(0.2)
        assert b"Served printer" in page
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# -- pure pieces ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text,expected",
    [
        ("mail me at bob.smith@example.com please", f"mail me at {REMOVED} please"),
        ("call +44 20 7946 0958 now", f"call {REMOVED} now"),
        ("call (555) 123-4567", f"call {REMOVED}"),
        ("on 2026-03-02 at 10.0.0.1", "on 2026-03-02 at 10.0.0.1"),
        ("Bob Smith said hi", f"{REMOVED} said hi"),
        ("bob smithson is someone else", "bob smithson is someone else"),
        ("Leeds office is down", f"{REMOVED} is down"),
    ],
)
def test_scrubber(text, expected):
    assert Scrubber(["Bob Smith", "Leeds office"])(text) == expected


def test_personal_values_cover_everything_but_safe_keys():
    meta = {
        "id": "HD-1",
        "title": "T",
        "requester": {"name": "Ann Lee", "email": "ann@x.org", "phone": "0123"},
        "location": "Room 5",
        "product": {"account": "AC-9"},
        "custom": ["zzz-val"],
        "queue": "network",
    }
    # the address's own domain names the requester's organisation (a mail provider's would not)
    assert personal_values(meta) == {"Ann Lee", "ann@x.org", "ann", "x.org", "0123", "Room 5", "AC-9", "zzz-val"}


def test_unlisted_token_is_keyed_and_stable():
    assert unlisted_token("a", "HD-1") == unlisted_token("a", "HD-1")
    assert unlisted_token("a", "HD-1") != unlisted_token("b", "HD-1") != unlisted_token("a", "HD-2")
    assert len(unlisted_token("a", "HD-1")) == 32


@pytest.mark.parametrize(
    "src,dst,expected",
    [
        ("", "tickets/HD-1/", "tickets/HD-1/"),
        ("queues/net/", "tickets/HD-1/", "../../tickets/HD-1/"),
        ("queues/net/page_2/", "", "../../../"),
        ("kb/", "kb/", "./"),
        ("kb/a/", "kb/", "../"),
    ],
)
def test_relative_links(src, dst, expected):
    assert markup.rel(src, dst) == expected


def test_safe_markdown_drops_raw_html_and_script_links():
    out = markup.safe_markdown(
        "<script>x()</script> [a](javascript:x()) [b](https://ok.example) [c]( JaVa\tScRiPt:x) ![i](data:text/html,x)"
    )
    assert "<script>" not in out and "javascript" not in out.split("&lt;")[0].lower() or 'href="java' not in out
    assert 'href="https://ok.example"' in out and out.count("<a ") == 1 and "<img" not in out


@pytest.mark.parametrize(
    "seconds,text",
    [
        (3600, "1 hour"),
        (8 * 3600, "8 hours"),
        (2 * 86400, "2 days"),
        (604800, "1 week"),
        (1800, "30 minutes"),
    ],
)
def test_duration_text(seconds, text):
    assert translator("en").duration(seconds) == text


def test_charts_are_well_formed_svg_with_escaped_labels():
    import xml.etree.ElementTree as ET

    svg = charts.column_chart(
        "<b>", ["2026-W01", "2026-W02"], [("opened", [3, 5]), ("closed", [1, 0])], translator("en")
    )
    root = ET.fromstring(svg)
    assert root.find("{http://www.w3.org/2000/svg}title").text == "<b>"
    assert len(root.findall(".//{http://www.w3.org/2000/svg}rect")) >= 5
    assert (
        ET.fromstring(charts.hbar_chart("empty", [], translator("en"))).find(".//{http://www.w3.org/2000/svg}text")
        is not None
    )


def test_a_long_catalan_chart_title_does_not_run_into_the_legend():
    """The legend has a row of its own: 'Sol·licituds obertes i resoltes per setmana' once ran over it."""
    import xml.etree.ElementTree as ET

    ns = "{http://www.w3.org/2000/svg}"
    title = "Sol·licituds obertes i resoltes per setmana"
    root = ET.fromstring(
        charts.column_chart(title, ["2026-W10"], [("obertes", [2]), ("resoltes", [1])], translator("ca"))
    )
    texts = {t.text: float(t.get("y")) for t in root.iter(f"{ns}text")}
    legend_top = min(float(r.get("y")) for r in root.iter(f"{ns}rect") if r.get("width") == "12")
    assert texts[title] < legend_top  # the title's baseline sits above the legend's swatches
    assert texts["obertes"] > texts[title] and texts["resoltes"] > texts[title]
    bars_top = min(float(r.get("y")) for r in root.iter(f"{ns}rect") if r.get("y") and r.get("width") != "12")
    assert bars_top > texts["obertes"]  # and the columns start below the legend
