"""site/charts.py: hand-drawn SVG charts: well-formed, titled, bars to scale, words escaped and translated."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from gitdesk.i18n import translator
from gitdesk.site.charts import column_chart, hbar_chart

SVG = "{http://www.w3.org/2000/svg}"
EN, ES = translator("en"), translator("es")


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # well-formed XML, or this raises
    assert root.tag == f"{SVG}svg"
    return root


def bars(root: ET.Element) -> list[ET.Element]:
    """The data rects: not the white background, not the legend swatches (12 x 12)."""
    return [r for r in root.iter(f"{SVG}rect") if r.get("fill") != "#ffffff" and r.get("height") != "12"]


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_hbar_chart_has_a_title_readable_with_images_off():
    root = parse(hbar_chart('Time to "fix" <P1>', [("P1", 2.0)], EN))
    assert root.get("role") == "img"
    assert root.get("aria-label") == 'Time to "fix" <P1>'
    assert root.find(f"{SVG}title").text == 'Time to "fix" <P1>'


def test_hbar_chart_draws_bars_to_scale_with_the_largest_full_width():
    root = parse(hbar_chart("T", [("P1", 2.0), ("P2", 8.0), ("P3", 4.0)], EN, " h"))
    widths = [float(r.get("width")) for r in bars(root)]
    assert len(widths) == 3
    assert widths[1] == max(widths) and widths[1] > 0
    assert widths[0] == widths[1] / 4 and widths[2] == widths[1] / 2
    assert {"P1", "P2", "P3", "2 h", "8 h", "4 h"} <= set(texts(root))


def test_hbar_chart_draws_a_negative_or_zero_value_as_no_bar_and_never_divides_by_zero():
    root = parse(hbar_chart("T", [("a", 0.0), ("b", -3.0)], EN))
    assert [float(r.get("width")) for r in bars(root)] == [0.0, 0.0]


def test_hbar_chart_with_no_rows_says_so():
    root = parse(hbar_chart("T", [], EN))
    assert bars(root) == []
    assert "No data yet." in texts(root)
    assert "No data yet." not in texts(parse(hbar_chart("T", [("a", 1.0)], EN)))


def test_labels_are_escaped_text_never_markup():
    root = parse(hbar_chart("T", [("</text><script>alert(1)</script>", 1.0)], EN))
    assert root.find(f".//{SVG}script") is None
    assert "</text><script>alert(1)</script>" in texts(root)


def test_numbers_are_in_the_readers_language():
    assert "4,5 h" in texts(parse(hbar_chart("T", [("P1", 4.5)], ES, " h")))
    assert "4.5 h" in texts(parse(hbar_chart("T", [("P1", 4.5)], EN, " h")))
    assert "12 h" in texts(parse(hbar_chart("T", [("P1", 12.3)], EN, " h")))  # from 10 on, no decimals


def test_column_chart_draws_one_column_per_value_each_with_its_own_tooltip_and_a_legend():
    root = parse(column_chart("Volume", ["w1", "w2"], [("opened", [1.0, 2.0]), ("resolved", [0.0, 4.0])], EN))
    columns = bars(root)
    assert [c.find(f"{SVG}title").text for c in columns] == [
        "w1 opened: 1",
        "w2 opened: 2",
        "w1 resolved: 0",
        "w2 resolved: 4",
    ]
    heights = [float(c.get("height")) for c in columns]
    assert heights[3] == max(heights) and heights[2] == 0.0 and heights[1] == heights[3] / 2
    assert {"opened", "resolved", "w1", "w2", "4", "0"} <= set(texts(root))  # legend, axis labels, y maximum
    swatches = [r for r in root.iter(f"{SVG}rect") if r.get("height") == "12"]
    assert len(swatches) == 2 and swatches[0].get("fill") != swatches[1].get("fill")


def test_column_chart_labels_at_most_about_eight_weeks_on_the_axis():
    weeks = [f"2026-W{n:02d}" for n in range(1, 27)]
    root = parse(column_chart("V", weeks, [("opened", [1.0] * 26)], EN))
    shown = [t for t in texts(root) if t.startswith("2026-W")]
    assert 8 <= len(shown) <= 9 and shown[0] == "2026-W01"
    assert len(bars(root)) == 26  # every week still has its column


def test_column_chart_with_no_weeks_says_so():
    root = parse(column_chart("V", [], [("opened", [])], EN))
    assert "No data yet." in texts(root)
    assert bars(root) == []
