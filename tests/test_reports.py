"""Reports on a generated desk, checked against figures this test computes on its own.

The expected side never calls gitdesk.sla, gitdesk.calendar or gitdesk.core.reports: it walks the
raw history events and counts business time in 15-minute slots (every generated event falls
on the quarter hour, so slot counting is exact).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import statistics

import pytest

from gitdesk.core import actions, survey
from gitdesk.core.actions import Context
from gitdesk.core.config import from_mapping
from gitdesk.core.reports import build_report, load_surveys, satisfaction

CONFIG = from_mapping({"queues": ["service-desk", "network", "hardware"]})  # 09-17 Mon-Fri UTC; P1 24x7
START = dt.datetime(2026, 3, 2, 0, 0, tzinfo=dt.UTC)  # a Monday
NOW = START + dt.timedelta(days=21)
SLOT = 900
TECHS = ("ada", "grace", "linus")
QUEUES = ("service-desk", "network", "hardware")
TARGETS = {  # hours: (response, resolution); business days are 8 hours
    "P1": (1, 8),
    "P2": (4, 16),
    "P3": (8, 40),
    "P4": (16, 160),
}
RUNNING = {"new", "triaged", "in_progress", "proposed"}


class Maker:
    def __init__(self, rng: random.Random, number: int) -> None:
        self.rng = rng
        self.at = START + dt.timedelta(seconds=rng.randrange(0, 12 * 24 * 4) * SLOT)
        self.t = actions.new_ticket(
            self.ctx(),
            f"HD-{number:08d}",
            f"Ticket {number}",
            {"name": "Bob", "email": "bob@example.com"},
            queue=rng.choice(QUEUES),
        )

    def ctx(self) -> Context:
        return Context(CONFIG, self.at.strftime("%Y-%m-%dT%H:%M:%SZ"), "ada")

    def __call__(self, verb: str, *args, **kw) -> None:
        self.at += dt.timedelta(seconds=self.rng.randrange(1, 48) * SLOT)
        getattr(actions, verb)(self.t, self.ctx(), *args, **kw)

    @property
    def status(self) -> str:
        return self.t.status


def story(rng: random.Random, number: int):
    m = Maker(rng, number)
    if rng.random() < 0.1:
        if rng.random() < 0.5:
            m("cancel", "duplicate")
        return m.t
    m("prioritise", rng.choice(("P1", "P2", "P3", "P4")))
    m("assign", rng.choice(TECHS))
    if rng.random() < 0.2:
        m("escalate", "needs tier 2")
    fate = rng.random()
    if fate < 0.1:
        m("cancel", "no longer needed")
    if fate < 0.2:
        return m.t
    m("start")
    if rng.random() < 0.5:
        m("contact", "phone", "called back")
    if rng.random() < 0.35:
        m("wait", "which model?")
        if rng.random() < 0.3:
            return m.t
        m("contact", "email", "it is an M404", True)
    if rng.random() < 0.15:
        return m.t
    m("propose", "replace the roller")
    m("customer_review", True)  # the requester accepts (review.customer: required)
    if rng.random() < 0.7:
        m("close", "rollers wear out", "printer-rollers")
    if rng.random() < 0.25:
        m("reopen", "jams again")
        if rng.random() < 0.6:
            m("propose", "replace the tray")
            m("customer_review", True)  # the requester accepts (review.customer: required)
    return m.t


def generate(seed: int, n: int):
    rng = random.Random(seed)
    tickets = [story(rng, i) for i in range(n)]
    surveys = []
    for t in tickets:
        if t.status == "closed" and rng.random() < 0.8:
            at = dt.datetime.fromisoformat(t.history[-1]["at"].replace("Z", "+00:00")) + dt.timedelta(hours=1)
            surveys.append(
                survey.make(
                    t.id,
                    at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    rng.randint(1, 5),
                    rng.choice(("yes", "no")),
                    rng.choice(("adequate", "too-long")),
                    comment=rng.choice(("", "thanks", "")),
                    improve=rng.choice(("", "call first")),
                )
            )
    return tickets, surveys


# -- the independent side --------------------------------------------------------------------
def stamp(text: str) -> int:
    return int(dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def working(instant: int, priority: str) -> bool:
    if priority == "P1":
        return True
    moment = dt.datetime.fromtimestamp(instant, dt.UTC)
    return moment.weekday() < 5 and 9 <= moment.hour < 17


def expected_ticket(t, now: int) -> dict:
    events = [(stamp(e["at"]), e) for e in t.history]
    timeline = [(at, e["to"]) for at, e in events]
    touches = [
        at
        for at, e in events
        if (e["action"] == "contact" and e.get("direction") == "outbound") or e["action"] in ("wait", "propose")
    ]
    status = timeline[-1][1]
    resolved_at = (
        next((at for at, s in reversed(timeline) if s == "resolved"), None)
        if status in ("resolved", "closed")
        else None
    )
    created = timeline[0][0]

    def status_at(x: int) -> str:
        return [s for at, s in timeline if at <= x][-1]

    def used(until: int) -> int:
        return sum(SLOT for x in range(created, until, SLOT) if status_at(x) in RUNNING and working(x, t.priority))

    return {
        "id": t.id,
        "priority": t.priority,
        "assignee": t.meta.get("assignee") or "(none)",
        "status": status,
        "created": created,
        "resolved_at": resolved_at,
        "response": used(touches[0]) if touches else None,
        "response_so_far": used(now) if not touches else None,
        "resolution": used(resolved_at if resolved_at else now),
        "escalated": any(e["action"] == "escalate" for _, e in events),
        "reopened": any(e["action"] == "reopen" for _, e in events),
        "ever_resolved": any(s == "resolved" for _, s in timeline),
    }


def hours(values):
    return round(statistics.median(values) / 3600, 2) if values else None


def p90(values):
    return round(sorted(values)[math.ceil(len(values) * 0.9) - 1] / 3600, 2) if values else None


def expected_figures(rows: list[dict]) -> dict:
    prio = [r for r in rows if r["priority"]]
    responded = [r["response"] for r in prio if r["response"] is not None]
    resolved = [r for r in prio if r["resolved_at"]]
    over = lambda r, kind, value: value > TARGETS[r["priority"]][kind] * 3600  # noqa: E731
    resp = [(r, r["response"]) for r in prio if r["response"] is not None] + [
        (r, r["response_so_far"])
        for r in prio
        if r["response"] is None and r["status"] in RUNNING | {"waiting"} and over(r, 0, r["response_so_far"])
    ]
    reso = [(r, r["resolution"]) for r in resolved] + [
        (r, r["resolution"]) for r in prio if r["status"] in RUNNING | {"waiting"} and over(r, 1, r["resolution"])
    ]
    ever = [r for r in rows if r["ever_resolved"]]
    techs = sorted({r["assignee"] for r in rows if r["resolved_at"]})
    return {
        "counts": {
            "opened": len(rows),
            "closed": sum(1 for r in rows if r["resolved_at"]),
            "open": sum(1 for r in rows if r["status"] in RUNNING | {"waiting"}),
            "cancelled": sum(1 for r in rows if r["status"] == "cancelled"),
        },
        "first_response": {
            "count": len(responded),
            "median_hours": hours(responded),
            "p90_hours": p90(responded),
        },
        "resolution": {
            "count": len(resolved),
            "median_hours": hours([r["resolution"] for r in resolved]),
            "p90_hours": p90([r["resolution"] for r in resolved]),
        },
        "resolution_by_priority": {
            p: {"count": len(v), "median_hours": hours(v), "p90_hours": p90(v)}
            for p in TARGETS
            for v in [[r["resolution"] for r in resolved if r["priority"] == p]]
        },
        "escalation_rate": round(sum(r["escalated"] for r in rows) / len(rows), 4) if rows else None,
        "reopen_rate": round(sum(r["reopened"] for r in ever) / len(ever), 4) if ever else None,
        "sla_compliance": {
            "response_pct": round(100 * sum(not over(r, 0, v) for r, v in resp) / len(resp), 1) if resp else None,
            "resolution_pct": round(100 * sum(not over(r, 1, v) for r, v in reso) / len(reso), 1) if reso else None,
            "response_count": len(resp),
            "resolution_count": len(reso),
        },
        "technicians": [
            {
                "assignee": a,
                "closed": sum(1 for r in rows if r["resolved_at"] and r["assignee"] == a),
                "median_resolution_hours": hours([r["resolution"] for r in resolved if r["assignee"] == a]),
            }
            for a in techs
        ],
    }


@pytest.fixture(scope="module")
def generated():
    tickets, surveys = generate(seed=6, n=160)
    now = int(NOW.timestamp())
    truth = [expected_ticket(t, now) for t in tickets]
    return tickets, surveys, truth


def test_generated_desk_is_varied(generated):
    tickets, surveys, truth = generated
    statuses = {r["status"] for r in truth}
    assert statuses >= {"new", "triaged", "in_progress", "waiting", "resolved", "closed", "cancelled"}
    assert any(r["reopened"] for r in truth) and any(r["escalated"] for r in truth) and len(surveys) > 10


def test_report_matches_independent_figures(generated):
    tickets, surveys, truth = generated
    report = build_report(tickets, surveys, CONFIG, now=NOW)
    want = expected_figures(truth)
    for key, value in want.items():
        assert report[key] == value, key


def test_groups_by_priority_match_the_subsets(generated):
    tickets, surveys, truth = generated
    report = build_report(tickets, surveys, CONFIG, now=NOW, by="priority")
    assert sorted(report["groups"]) == ["(none)", "P1", "P2", "P3", "P4"]
    for name, figures in report["groups"].items():
        subset = [r for r in truth if (r["priority"] or "(none)") == name]
        want = expected_figures(subset)
        for key in ("counts", "first_response", "resolution", "sla_compliance", "technicians"):
            assert figures[key] == want[key], (name, key)
        ids = {r["id"] for r in subset}
        assert figures["satisfaction"]["responses"] == sum(1 for s in surveys if s["ticket"] in ids)


def test_satisfaction_answers_every_question(generated):
    _, surveys, _ = generated
    report = build_report([], surveys, CONFIG, now=NOW)["satisfaction"]
    scores = [s["score"] for s in surveys]
    assert report["responses"] == len(surveys)
    assert report["mean_score"] == round(sum(scores) / len(scores), 2)
    assert report["distribution"] == {str(n): scores.count(n) for n in range(1, 6)}
    assert report["questions"]["right_questions"] == {
        a: sum(s["right_questions"] == a for s in surveys) for a in ("yes", "no")
    }
    assert report["questions"]["time"] == {a: sum(s["time"] == a for s in surveys) for a in ("adequate", "too-long")}
    assert [c["ticket"] for c in report["improve"]] == [
        s["ticket"] for s in sorted(surveys, key=lambda s: (s["at"], s["ticket"])) if s.get("improve")
    ]
    assert all(c["text"] == "call first" for c in report["improve"])
    assert len(report["comments"]) == sum(1 for s in surveys if s.get("comment"))


def test_window_since_until(generated):
    tickets, surveys, truth = generated
    since, until = START + dt.timedelta(days=5), START + dt.timedelta(days=9)
    report = build_report(tickets, surveys, CONFIG, since=since.isoformat(), until=until.isoformat())
    lo, hi = int(since.timestamp()), int(until.timestamp())
    assert report["counts"]["opened"] == sum(1 for r in truth if lo <= r["created"] <= hi)
    # Resolved within the window, as it stood at its end.
    closed = 0
    for t in tickets:
        before = [e for e in t.history if stamp(e["at"]) <= hi]
        if before and before[-1]["to"] in ("resolved", "closed"):
            at = max(stamp(e["at"]) for e in before if e["to"] == "resolved")
            closed += lo <= at
    assert report["counts"]["closed"] == closed
    weeks = {v["week"] for v in report["volume"]}
    assert weeks <= {"2026-W10", "2026-W11"}  # 7 to 11 March 2026
    assert report["satisfaction"]["responses"] == sum(1 for s in surveys if lo <= stamp(s["at"]) <= hi)


def test_same_tickets_same_figures_in_any_order(generated):
    tickets, surveys, _ = generated
    first = build_report(tickets, surveys, CONFIG, by="assignee")
    shuffled = list(tickets)
    random.Random(1).shuffle(shuffled)
    second = build_report(shuffled, list(reversed(surveys)), CONFIG, by="assignee")
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    # Without `now`, the end is the latest event in the data, not the wall clock.
    latest = max(stamp(e["at"]) for t in tickets for e in t.history)
    assert first["window"]["until"] == dt.datetime.fromtimestamp(latest, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_empty_desk_gives_empty_figures():
    report = build_report([], [], CONFIG)
    assert report["counts"] == {"opened": 0, "closed": 0, "open": 0, "cancelled": 0}
    assert report["first_response"]["median_hours"] is None and report["escalation_rate"] is None
    assert satisfaction([])["distribution"] == {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0}


def test_load_surveys_reads_files_and_names_a_bad_one(tmp_path):
    from gitdesk.errors import MalformedTicket

    (tmp_path / "surveys").mkdir()
    (tmp_path / "surveys" / "HD-b.yml").write_text(
        survey.dump(survey.make("HD-b", "2026-03-02T10:00:00Z", 4, "yes", "adequate"))
    )
    (tmp_path / "surveys" / "HD-a.yml").write_text(
        survey.dump(survey.make("HD-a", "2026-03-03T10:00:00Z", 2, "no", "too-long", improve="faster"))
    )
    records = load_surveys(tmp_path)
    assert [r["ticket"] for r in records] == ["HD-a", "HD-b"] and records[0]["improve"] == "faster"
    (tmp_path / "surveys" / "HD-c.yml").write_text("score: [1,\n")
    with pytest.raises(MalformedTicket, match="surveys/HD-c.yml"):
        load_surveys(tmp_path)
