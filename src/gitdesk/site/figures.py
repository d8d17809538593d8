"""The metrics and survey pages, drawn from `reports.build_report` (the one implementation).

Charts are static SVG files under assets/charts/, each followed by the same
numbers as a table, so the page works with no script, no network and no images.
Words and numbers are in the desk's language (decimal comma in es and ca).
"""

from __future__ import annotations

from typing import Any

from gitdesk.core.lifecycle import OPEN
from gitdesk.i18n import Translator
from gitdesk.site.builder import Page, SiteBuilder
from gitdesk.site.charts import column_chart, hbar_chart
from gitdesk.site.markup import e, table

WEEKS_SHOWN = 26
CHARTS = "assets/charts/"


def _hours(value: Any, tr: Translator) -> str:
    return "–" if value is None else tr._("{hours} h", hours=tr.number(value))


def _pct(value: Any, tr: Translator, scale: float = 1.0) -> str:
    return "–" if value is None else tr.percent(value * scale)


def _img(name: str, alt: str) -> str:
    return f'<p><img class="gd-chart" src="../{CHARTS}{e(name)}" alt="{e(alt)}"></p>'


def chart_files(report: dict[str, Any], tr: Translator) -> dict[str, str]:
    weeks = (report.get("volume") or [])[-WEEKS_SHOWN:]
    labels = [str(w.get("week", "")) for w in weeks]
    by_priority = report.get("resolution_by_priority") or {}
    sat = report.get("satisfaction") or {}
    return {
        f"{CHARTS}volume.svg": column_chart(
            tr._("Requests opened and resolved per week"),
            labels,
            [
                (tr._("opened"), [float(w.get("opened") or 0) for w in weeks]),
                (tr._("resolved"), [float(w.get("closed") or 0) for w in weeks]),
            ],
            tr,
        ),
        f"{CHARTS}resolution.svg": hbar_chart(
            tr._("Median time to resolution by priority"),
            [
                (p, float(v.get("median_hours") or 0))
                for p, v in sorted(by_priority.items())
                if v.get("median_hours") is not None
            ],
            tr,
            " h",
        ),
        f"{CHARTS}rates.svg": hbar_chart(
            tr._("Escalation and reopen rates"),
            [
                (tr._("escalated"), 100 * float(report.get("escalation_rate") or 0)),
                (tr._("reopened"), 100 * float(report.get("reopen_rate") or 0)),
            ],
            tr,
            "\u00a0%",
        ),
        f"{CHARTS}satisfaction.svg": hbar_chart(
            tr._("Survey scores"),
            [(tr._("score {score}", score=k), float(v)) for k, v in sorted((sat.get("distribution") or {}).items())],
            tr,
        ),
    }


def metrics_page(builder: SiteBuilder) -> Page:
    r, tr = builder.report(), builder.tr
    counts = r.get("counts") or {}
    weeks = (r.get("volume") or [])[-WEEKS_SHOWN:]
    by_priority = r.get("resolution_by_priority") or {}
    sla = r.get("sla_compliance") or {}
    open_now = sum(c.status in OPEN for c in builder.data.cards.values())
    title = tr._("Metrics")
    escalated = _pct(r.get("escalation_rate"), tr, 100)
    body = [
        f"<h1>{e(title)}</h1>",
        table(
            (tr._("Figure"), tr._("Value")),
            [
                (tr._("Requests opened"), tr.integer(counts.get("opened", 0))),
                (tr._("Requests resolved"), tr.integer(counts.get("closed", 0))),
                (tr._("Open now"), tr.integer(open_now)),
                (tr._("Median first response"), _hours((r.get("first_response") or {}).get("median_hours"), tr)),
                (tr._("Median time to resolution"), _hours((r.get("resolution") or {}).get("median_hours"), tr)),
                (tr._("Escalation rate"), _pct(r.get("escalation_rate"), tr, 100)),
                (tr._("Reopen rate"), _pct(r.get("reopen_rate"), tr, 100)),
                (tr._("Responses within target"), _pct(sla.get("response_pct"), tr)),
                (tr._("Resolutions within target"), _pct(sla.get("resolution_pct"), tr)),
            ],
        ),
        f"<h2>{e(tr._('Volume over time'))}</h2>",
        _img("volume.svg", tr._("Requests opened and resolved per week")),
        table(
            (tr._("Week"), tr.pgettext("count", "Opened"), tr.pgettext("count", "Resolved")),
            [(str(w.get("week")), tr.integer(w.get("opened", 0)), tr.integer(w.get("closed", 0))) for w in weeks],
        ),
        f"<h2>{e(tr._('Resolution time by priority'))}</h2>",
        _img("resolution.svg", tr._("Median time to resolution by priority")),
        table(
            (tr._("Priority"), tr.pgettext("count", "Resolved"), tr._("Median"), tr._("90th percentile")),
            [
                (p, tr.integer(v.get("count", 0)), _hours(v.get("median_hours"), tr), _hours(v.get("p90_hours"), tr))
                for p, v in sorted(by_priority.items())
            ],
        ),
        f"<h2>{e(tr._('Escalation rate'))}</h2>",
        _img("rates.svg", tr._("Escalation and reopen rates")),
        f"<p>{e(tr._('{rate} of requests were escalated to a higher tier.', rate=escalated))}</p>",
    ]
    return Page("metrics.md", title, "".join(body), search=False)


def _answers(question: str, answers: dict[str, Any], tr: Translator) -> list[str]:
    total = sum(int(v) for v in answers.values()) or 1
    names = {"yes": tr._("yes"), "no": tr._("no"), "adequate": tr._("adequate"), "too-long": tr._("too long")}
    parts = [
        f"{names.get(k, k)}: {tr.integer(int(v))} ({tr.percent(100 * int(v) / total, 0)})" for k, v in answers.items()
    ]
    return [question, ", ".join(parts)]


def surveys_page(builder: SiteBuilder) -> Page:
    tr = builder.tr
    sat = builder.report().get("satisfaction") or {}
    scrub = builder.data.scrubber
    questions = sat.get("questions") or {}
    improve = [scrub(item.get("text") if isinstance(item, dict) else item) for item in sat.get("improve") or []]
    mean = sat.get("mean_score")
    responses = int(sat.get("responses", 0) or 0)
    mean_text = tr._("{score} / 5", score=tr.number(mean)) if mean is not None else tr._("not available yet")
    summary = tr.ngettext(
        "{n} survey answered; mean score {mean}.", "{n} surveys answered; mean score {mean}.", responses, mean=mean_text
    )
    title = tr._("Satisfaction surveys")
    body = [
        f"<h1>{e(title)}</h1>",
        f"<p>{e(summary)}</p>",
        f"<h2>{e(tr._('Score distribution'))}</h2>",
        _img("satisfaction.svg", tr._("Survey scores")),
        table(
            (tr._("Score"), tr._("Answers")),
            [(k, tr.integer(v)) for k, v in sorted((sat.get("distribution") or {}).items())],
        ),
        f"<h2>{e(tr._('Per question'))}</h2>",
        table(
            (tr._("Question"), tr._("Answers")),
            [
                _answers(tr._("Did we ask the right questions?"), questions.get("right_questions") or {}, tr),
                _answers(tr._("Was the time to resolve adequate?"), questions.get("time") or {}, tr),
            ],
        ),
        f"<h2>{e(tr._('What we should improve'))}</h2>",
        "<ul>" + "".join(f"<li>{e(text)}</li>" for text in improve if text) + "</ul>"
        if improve
        else f"<p>{e(tr._('No suggestions yet.'))}</p>",
        '<p class="gd-muted">'
        + e(tr._("Comments are shown without names, email addresses, phone numbers or other personal details."))
        + "</p>",
    ]
    return Page("surveys.md", tr._("Surveys"), "".join(body), search=False)
