"""The metrics and survey pages, drawn from `reports.build_report` (the one implementation).

Charts are static SVG files under assets/charts/, each followed by the same
numbers as a table, so the page works with no script, no network and no images.
"""

from __future__ import annotations

from typing import Any

from gitdesk.core.lifecycle import OPEN
from gitdesk.site.builder import Page, SiteBuilder
from gitdesk.site.charts import column_chart, hbar_chart
from gitdesk.site.markup import e, table

WEEKS_SHOWN = 26
CHARTS = "assets/charts/"


def _fmt(value: Any, unit: str = "", scale: float = 1.0) -> str:
    if value is None:
        return "–"
    return f"{value * scale:.1f}{unit}"


def _img(name: str, alt: str) -> str:
    return f'<p><img class="gd-chart" src="../{CHARTS}{e(name)}" alt="{e(alt)}"></p>'


def chart_files(report: dict[str, Any]) -> dict[str, str]:
    weeks = (report.get("volume") or [])[-WEEKS_SHOWN:]
    labels = [str(w.get("week", "")) for w in weeks]
    by_priority = report.get("resolution_by_priority") or {}
    sat = report.get("satisfaction") or {}
    return {
        f"{CHARTS}volume.svg": column_chart(
            "Requests opened and resolved per week",
            labels,
            [
                ("opened", [float(w.get("opened") or 0) for w in weeks]),
                ("resolved", [float(w.get("closed") or 0) for w in weeks]),
            ],
        ),
        f"{CHARTS}resolution.svg": hbar_chart(
            "Median time to resolution by priority",
            [
                (p, float(v.get("median_hours") or 0))
                for p, v in sorted(by_priority.items())
                if v.get("median_hours") is not None
            ],
            " h",
        ),
        f"{CHARTS}rates.svg": hbar_chart(
            "Escalation and reopen rates",
            [
                ("escalated", 100 * float(report.get("escalation_rate") or 0)),
                ("reopened", 100 * float(report.get("reopen_rate") or 0)),
            ],
            " %",
        ),
        f"{CHARTS}satisfaction.svg": hbar_chart(
            "Survey scores",
            [(f"score {k}", float(v)) for k, v in sorted((sat.get("distribution") or {}).items())],
        ),
    }


def metrics_page(builder: SiteBuilder) -> Page:
    r = builder.report()
    counts = r.get("counts") or {}
    weeks = (r.get("volume") or [])[-WEEKS_SHOWN:]
    by_priority = r.get("resolution_by_priority") or {}
    sla = r.get("sla_compliance") or {}
    open_now = sum(c.status in OPEN for c in builder.data.cards.values())
    body = [
        "<h1>Metrics</h1>",
        table(
            ("Figure", "Value"),
            [
                ("Requests opened", str(counts.get("opened", 0))),
                ("Requests resolved", str(counts.get("closed", 0))),
                ("Open now", str(open_now)),
                ("Median first response", _fmt((r.get("first_response") or {}).get("median_hours"), " h")),
                ("Median time to resolution", _fmt((r.get("resolution") or {}).get("median_hours"), " h")),
                ("Escalation rate", _fmt(r.get("escalation_rate"), " %", 100)),
                ("Reopen rate", _fmt(r.get("reopen_rate"), " %", 100)),
                ("Responses within target", _fmt(sla.get("response_pct"), " %")),
                ("Resolutions within target", _fmt(sla.get("resolution_pct"), " %")),
            ],
        ),
        "<h2>Volume over time</h2>",
        _img("volume.svg", "Requests opened and resolved per week"),
        table(
            ("Week", "Opened", "Resolved"),
            [(str(w.get("week")), str(w.get("opened", 0)), str(w.get("closed", 0))) for w in weeks],
        ),
        "<h2>Resolution time by priority</h2>",
        _img("resolution.svg", "Median time to resolution by priority"),
        table(
            ("Priority", "Resolved", "Median", "90th percentile"),
            [
                (p, str(v.get("count", 0)), _fmt(v.get("median_hours"), " h"), _fmt(v.get("p90_hours"), " h"))
                for p, v in sorted(by_priority.items())
            ],
        ),
        "<h2>Escalation rate</h2>",
        _img("rates.svg", "Escalation and reopen rates"),
        f"<p>{_fmt(r.get('escalation_rate'), ' %', 100)} of requests were escalated to a higher tier.</p>",
    ]
    return Page("metrics.md", "Metrics", "".join(body), search=False)


def _answers(question: str, answers: dict[str, Any]) -> list[str]:
    total = sum(int(v) for v in answers.values()) or 1
    return [question, ", ".join(f"{k}: {v} ({100 * int(v) / total:.0f} %)" for k, v in answers.items())]


def surveys_page(builder: SiteBuilder) -> Page:
    sat = builder.report().get("satisfaction") or {}
    scrub = builder.data.scrubber
    questions = sat.get("questions") or {}
    improve = [scrub(item.get("text") if isinstance(item, dict) else item) for item in sat.get("improve") or []]
    mean = sat.get("mean_score")
    body = [
        "<h1>Satisfaction surveys</h1>",
        f"<p>{e(sat.get('responses', 0))} surveys answered; mean score "
        f"{e(f'{mean:.1f} / 5' if mean is not None else 'not available yet')}.</p>",
        "<h2>Score distribution</h2>",
        _img("satisfaction.svg", "Survey scores"),
        table(("Score", "Answers"), [(k, str(v)) for k, v in sorted((sat.get("distribution") or {}).items())]),
        "<h2>Per question</h2>",
        table(
            ("Question", "Answers"),
            [
                _answers("Did we ask the right questions?", questions.get("right_questions") or {}),
                _answers("Was the time to resolve adequate?", questions.get("time") or {}),
            ],
        ),
        "<h2>What we should improve</h2>",
        "<ul>" + "".join(f"<li>{e(text)}</li>" for text in improve if text) + "</ul>"
        if improve
        else "<p>No suggestions yet.</p>",
        '<p class="gd-muted">Comments are shown without names, email addresses, phone numbers or '
        "other personal details.</p>",
    ]
    return Page("surveys.md", "Surveys", "".join(body), search=False)
