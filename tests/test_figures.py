"""site/figures.py: the metrics and survey pages and their charts, from `reports.build_report`:
every figure also as a table, a missing one as a dash, survey suggestions scrubbed, comments never shown."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from conftest import START, closed_ticket
from gitdesk.i18n import translator
from gitdesk.site.builder import SiteBuilder
from gitdesk.site.figures import CHARTS, WEEKS_SHOWN, chart_files, metrics_page, surveys_page

EN, ES = translator("en"), translator("es")


def built(desk, tmp_path) -> SiteBuilder:
    b = SiteBuilder(desk.root, desk.config, "Acme IT", None, START)
    b.build_tickets(tmp_path / "out")
    return b


def test_chart_files_are_four_svg_charts_of_the_report():
    report = {
        "volume": [{"week": f"2026-W{n:02d}", "opened": n, "closed": 1} for n in range(1, 31)],
        "resolution_by_priority": {"P2": {"median_hours": 4.0}, "P1": {"median_hours": 2.0}, "P4": {}},
        "escalation_rate": 0.25,
        "reopen_rate": 0.1,
        "satisfaction": {"distribution": {"1": 0, "5": 3}},
    }
    files = chart_files(report, EN)
    assert sorted(files) == [f"{CHARTS}{n}.svg" for n in ("rates", "resolution", "satisfaction", "volume")]
    for svg in files.values():
        ET.fromstring(svg)
    weeks = re.findall(r"<title>(2026-W\d\d) opened", files[f"{CHARTS}volume.svg"])
    assert len(weeks) == WEEKS_SHOWN and weeks[-1] == "2026-W30"  # the latest weeks only
    resolution = files[f"{CHARTS}resolution.svg"]
    assert ">P1<" in resolution and ">P2<" in resolution and ">P4<" not in resolution  # no median: no bar
    assert resolution.index(">P1<") < resolution.index(">P2<")
    assert "25\u00a0%" in files[f"{CHARTS}rates.svg"] and "10\u00a0%" in files[f"{CHARTS}rates.svg"]


def test_chart_files_of_an_empty_report_say_there_is_no_data():
    files = chart_files({}, EN)
    for name in ("volume", "resolution", "satisfaction"):
        assert "No data yet." in files[f"{CHARTS}{name}.svg"], name
    assert ">0\u00a0%<" in files[f"{CHARTS}rates.svg"]  # no escalations yet is a rate of 0, not no data


def test_metrics_page_counts_every_open_request_and_shows_a_missing_figure_as_a_dash(desk, tmp_path):
    desk.open("Public one", {"name": "Bob", "email": "bob@example.com"}, visibility="public")
    desk.open("Private one", {"name": "Eve", "email": "eve@example.com"}, visibility="private")
    page = metrics_page(built(desk, tmp_path))
    assert page.src_uri == "metrics.md" and page.search is False
    assert "<tr><td>Open now</td><td>2</td></tr>" in page.html  # private ones count, unnamed
    assert "<tr><td>Median time to resolution</td><td>–</td></tr>" in page.html
    assert "Private one" not in page.html and "Public one" not in page.html
    for name in ("volume", "resolution", "rates"):
        assert re.search(rf'<img class="gd-chart" src="\.\./{CHARTS}{name}\.svg" alt="[^"]+">', page.html)


def test_metrics_page_is_in_the_desks_language(desk, tmp_path):
    b = built(desk, tmp_path)
    b.tr = ES
    page = metrics_page(b)
    assert page.title == ES._("Metrics") != "Metrics"
    assert "Open now" not in page.html and ES._("Open now") in page.html


def test_surveys_page_scrubs_suggestions_and_never_shows_comments(desk, tmp_path):
    bob = {"name": "Bob Smith", "email": "bob@example.com"}
    ticket = closed_ticket(desk, "Printer jams", bob)
    desk.survey(
        ticket,
        4,
        "yes",
        "too-long",
        comment="Private: my manager is awful",
        improve="Call Bob Smith sooner on 0161 555 0199 or bob@example.com",
    )
    page = surveys_page(built(desk, tmp_path))
    assert page.src_uri == "surveys.md" and page.search is False
    assert "1 survey answered; mean score 4.0 / 5." in page.html
    assert "<li>Call [removed] sooner on [removed] or [removed]</li>" in page.html
    for secret in ("Bob", "Smith", "555", "bob@example.com", "manager", "awful"):
        assert secret not in page.html, secret
    assert "yes: 1 (100" in page.html and "too long: 1 (100" in page.html


def test_surveys_page_with_no_surveys(desk, tmp_path):
    page = surveys_page(built(desk, tmp_path))
    assert "0 surveys answered; mean score not available yet." in page.html
    assert "No suggestions yet." in page.html
