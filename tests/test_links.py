"""core/links.py: the cross-file rules (family, duplicates' back-links, KB articles, surveys)."""

from __future__ import annotations

from gitdesk.core import links
from gitdesk.core.ticket import Ticket


def _t(tid, status="new", **meta):
    history = meta.pop("history", [])
    return Ticket({"id": tid, "status": status, **meta, "history": history})


def _lookup(*tickets):
    known = {t.id: t for t in tickets}
    return known.get


def test_duplicates_must_be_cancelled_as_duplicates_of_the_original():
    dup = _t("HD-dup00001", "cancelled", history=[{"action": "cancel", "duplicate_of": "HD-orig0001"}])
    other = _t("HD-othr0001", "cancelled", history=[{"action": "cancel", "duplicate_of": "HD-else0001"}])
    original = _t("HD-orig0001", duplicates=["HD-dup00001", "HD-othr0001", "HD-gone0001"])
    problems = links.check_duplicates(original, _lookup(dup, other))
    assert problems == [
        (("duplicates", 1), "HD-othr0001 is listed as a duplicate but was never cancelled as one of HD-orig0001"),
        (("duplicates", 2), "duplicate HD-gone0001 does not exist"),
    ]
    # reopened since: the back-link still stands, the cancel is in its history
    dup.history.append({"action": "reopen"})
    assert links.check_duplicates(_t("HD-orig0001", duplicates=["HD-dup00001"]), _lookup(dup)) == []
    assert "tickets/HD-dup00001.md" in links.wanted(original)


def test_family_agrees_both_ways():
    parent = _t("HD-par00001", "split", children=["HD-kid00001"])
    kid = _t("HD-kid00001", parent="HD-par00001")
    assert links.check_family(parent, _lookup(kid)) == [] and links.check_family(kid, _lookup(parent)) == []
    stray = _t("HD-kid00001", parent="HD-else0001")
    assert "names parent 'HD-else0001'" in links.check_family(parent, _lookup(stray))[0][1]
    assert (
        "does not list HD-kid00001" in links.check_family(kid, _lookup(_t("HD-par00001", "split", children=[])))[0][1]
    )
    assert links.dropped_children(_t("HD-par00001", children=[]), parent) == ["HD-kid00001"]


def test_a_closed_ticket_needs_its_article_and_a_survey_its_closure():
    closed = _t("HD-cls00001", "closed", history=[{"action": "close", "kb": "printer-jams"}])
    assert links.kb_slug(closed) == "printer-jams" and "kb/printer-jams.md" in links.wanted(closed)
    assert links.check_kb(closed, lambda path: False)[0][1].endswith("kb/printer-jams.md does not exist")
    assert links.check_kb(closed, lambda path: True) == []
    assert links.check_survey_ticket({"ticket": "HD-cls00001"}, _lookup(closed)) == []
    assert "never closed" in links.check_survey_ticket({"ticket": "HD-new00001"}, _lookup(_t("HD-new00001")))[0]
    assert "no such ticket" in links.check_survey_ticket({"ticket": "HD-zzz00001"}, _lookup())[0]
