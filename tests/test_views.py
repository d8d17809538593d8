"""cli/views.py: the terminal and JSON renderings of tickets (list lines, show, --json), pure."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from gitdesk.cli.views import (
    TABLE_HEADER,
    show,
    summaries_json,
    table,
    table_line,
    table_lines,
    terminal_text,
    to_json,
)
from gitdesk.core.lifecycle import STATUS_TEXT
from gitdesk.core.ticket import Ticket
from gitdesk.store.rows import Summary


def summary(**fields):
    base = dict(
        id="HD-4f7k2m9q",
        title="Printer jams",
        status="triaged",
        priority="P3",
        queue="hardware",
        tier=1,
        assignee="grace",
        requester="Bob Smith",
        email="bob@example.com",
        created="2026-03-02T09:00:00Z",
        updated="2026-03-02T10:15:00Z",
        visibility="unlisted",
        parent="",
    )
    return Summary(**{**base, **fields})


def event(action, frm, to, at="2026-03-02T09:00:00Z", by="Ada Tech", **extra):
    return {"at": at, "by": by, "action": action, "from": frm, "to": to, **extra}


def ticket(status="in_progress", history=None, body="", **meta):
    base = {
        "id": "HD-4f7k2m9q",
        "title": "Printer jams",
        "status": status,
        "priority": "P3",
        "queue": "hardware",
        "requester": {"name": "Bob Smith", "email": "bob@example.com"},
        "created": "2026-03-02T09:00:00Z",
        "updated": "2026-03-02T10:00:00Z",
        "history": history if history is not None else [event("open", None, "new")],
    }
    return Ticket({**base, **meta}, body)


@pytest.mark.parametrize(
    "raw",
    ["title \x1b]0;pwned\x07", "bell\x07", "rtl \u202eevil", "line\u2028break", "nul\x00", "c1 \x9b31m"],
)
def test_terminal_text_turns_every_control_into_a_visible_replacement(raw):
    shown = terminal_text(raw)
    assert "\ufffd" in shown
    assert not any(c in shown for c in "\x1b\x07\u202e\u2028\x00\x9b")


def test_terminal_text_leaves_ordinary_text_alone():
    text = "Tab\tand newline\nstay; Ünïcode — and emoji 🖨 too"
    assert terminal_text(text) is text  # no copy on the common path


def test_table_line_fills_the_header_columns():
    line = table_line(summary())
    for column in ("STATUS", "PRI", "QUEUE", "ASSIGNEE", "UPDATED", "TITLE"):
        start = TABLE_HEADER.index(column)
        assert line[start - 1] == " " and line[start] != " ", column
    assert line.startswith("HD-4f7k2m9q  triaged     P3  hardware")
    assert "2026-03-02 10:15" in line and line.endswith("Printer jams")


def test_table_line_marks_unset_fields_and_clips_long_ones():
    line = table_line(summary(priority="", assignee="", queue="a-very-long-queue-name"))
    assert " -   a-very-long-q… " in line  # no priority, the queue clipped to 14 with an ellipsis
    long = table_line(summary(assignee="bartholomew.smithers"))
    assert " bartholomew… " in long
    assert len(table_line(summary(assignee="x" * 40))) == len(table_line(summary(assignee="y" * 12)))


def test_table_line_never_prints_a_hand_edited_control_character():
    line = table_line(summary(title="jams \x1b[2J cleared", assignee="ev\x1bil"))
    assert "\x1b" not in line and line.count("\ufffd") == 2


def test_table_of_nothing_says_so_and_of_rows_starts_with_the_header():
    assert table_lines([]) == "no tickets match"
    assert table([]) == "no tickets match"
    lines = table([summary(), summary(id="HD-9x9x9x9x")]).splitlines()
    assert lines[0] == TABLE_HEADER and len(lines) == 3 and lines[2].startswith("HD-9x9x9x9x ")


def test_to_json_of_a_ticket_list_and_plain_values():
    t = ticket(body="\nThe tray jams.\n")
    one = json.loads(to_json(t))
    assert one["id"] == "HD-4f7k2m9q" and one["description"] == "The tray jams."
    many = json.loads(to_json([t, ticket(id="HD-2")]))
    assert [x["id"] for x in many] == ["HD-4f7k2m9q", "HD-2"]
    assert json.loads(to_json([])) == []
    when = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    assert json.loads(to_json({"at": when, "who": "Zoë"})) == {"at": str(when), "who": "Zoë"}
    assert "Zoë" in to_json({"who": "Zoë"})  # not \u-escaped


def test_summaries_json_names_every_field():
    rows = json.loads(summaries_json([summary(), summary(id="HD-2", tier=2)]))
    assert list(rows[0]) == list(Summary._fields)
    assert rows[1]["id"] == "HD-2" and rows[1]["tier"] == 2


def test_show_heads_with_status_words_people_and_next_moves():
    t = ticket(
        status="in_progress",
        assignee="grace",
        requester={"name": "Bob Smith", "email": "bob@example.com", "phone": "+31 20 555", "org": "Adatum"},
        location="Floor 3",
        product={"model": "HP-4050"},
    )
    lines = show(t).splitlines()
    assert lines[0] == "HD-4f7k2m9q  Printer jams"
    assert f"  status      in_progress  — {STATUS_TEXT['in_progress']}" in lines
    assert "  requester   Bob Smith <bob@example.com>, +31 20 555, Adatum" in lines
    assert "  location    Floor 3" in lines and "  product     model=HP-4050" in lines
    assert "queue       hardware    tier 1    assignee grace" in show(t)
    (nxt,) = [line for line in lines if line.startswith("  next")]
    moves = nxt.split(None, 1)[1].split(", ")
    assert "propose" in moves and "wait" in moves and "start" not in moves and "close" not in moves


def test_show_of_a_hand_edited_ticket_still_renders():
    t = ticket(status="limbo", priority=None, product=["not", "a", "map"], children="HD-1", requester="bob")
    out = show(t)
    assert "  status      limbo  — (not a gitdesk status)" in out
    assert "  priority    unset" in out and "  requester   -" in out
    assert "  product     ?=['not', 'a', 'map']" in out
    assert "children" not in out  # not a list: validate names it, show leaves it out
    assert "  next        -" in out


def test_show_links_relatives_by_title_and_counts_history():
    history = [
        event("open", None, "new"),
        event("cancel", "new", "cancelled", reason="same as the other", duplicate_of="HD-1"),
    ]
    t = ticket(status="cancelled", history=history, parent="HD-1", children=["HD-2", "HD-3"])
    out = show(t, related={"HD-1": "Printer on floor 3", "HD-2": "Tray 2"})
    assert "  parent      HD-1  Printer on floor 3" in out
    assert "  children    HD-2  Tray 2\n              HD-3\n" in out  # no title known: the bare ID
    assert "      duplicate_of: HD-1  Printer on floor 3" in out
    assert "History (2 events)" in out
    assert "History (1 event)\n" in show(ticket())


def test_show_event_lines_say_who_did_what_and_only_the_details_given():
    history = [
        event("open", None, "new", channel="email"),
        event("note", "new", "new", at="2026-03-02T09:30:00Z", by="grace", text="first line\nsecond line", kb=""),
        event(
            "edit",
            "new",
            "new",
            changes={"title": {"from": "Printr", "to": "Printer"}, "location": {"from": None, "to": "F3"}},
        ),
        event("contact", "new", "new", via="phone", cc=["a@x", "b@x"], product={"model": "HP"}),
    ]
    out = show(ticket(status="new", history=history))
    assert "  2026-03-02 09:00  Ada Tech: open (- -> new)\n        channel: email" in out
    assert "  2026-03-02 09:30  grace: note\n        text: first line\n          second line" in out
    assert "kb:" not in out  # empty values are left out
    assert "        title: Printr -> Printer\n        location: - -> F3" in out
    assert "        cc: a@x, b@x" in out and "        product: model=HP" in out


def test_show_puts_open_review_feedback_first_until_a_new_proposal():
    asked = [
        event("open", None, "new"),
        event("propose", "in_progress", "proposed", solution="rollers"),
        event(
            "review", "proposed", "in_progress", by="carol", verdict="request-changes", feedback="Check firmware\nfirst"
        ),
    ]
    lines = show(ticket(history=asked)).splitlines()
    assert lines[2:5] == ["  ! Reviewer carol asked for changes: Check firmware", "    first", ""]
    by_customer = [*asked[:2], {**asked[2], "role": "requester", "feedback": "still jams"}]
    assert "  ! The customer asked for changes: still jams" in show(ticket(history=by_customer))
    again = [*asked, event("propose", "in_progress", "proposed", solution="new pad")]
    assert "asked for changes" not in show(ticket(status="proposed", history=again))
