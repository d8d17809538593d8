"""core/actions.py: the lifecycle verbs as pure functions; what each records, and what each refuses.

test_lifecycle.py holds the move table itself (and prioritise, escalate, start); here are the verbs' own rules.
"""

from __future__ import annotations

import pytest

from gitdesk.core import actions
from gitdesk.core.config import from_mapping
from gitdesk.core.lifecycle import check_event
from gitdesk.core.ticket import Ticket
from gitdesk.errors import IllegalTransition, InvalidValue, MalformedTicket, UsageError

NOW = "2026-03-02T09:00:00Z"
BOB = {"name": "Bob Smith", "email": "bob@example.com"}


def ctx(**config) -> actions.Context:
    return actions.Context(from_mapping({"queues": ["service-desk", "network"], **config}), NOW, "Ada Tech")


def ticket(priority: str | None = "P3", **kw) -> Ticket:
    return actions.new_ticket(ctx(), "HD-abc12345", "Printer jams", dict(BOB), priority=priority, **kw)


def in_progress() -> Ticket:
    t = ticket()
    actions.start(t, ctx())
    return t


def replays(t: Ticket) -> bool:
    status = None
    for event in t.history:
        if check_event(event, status) is not None:
            return False
        status = event["to"]
    return status == t.status


def test_a_new_ticket_is_triaged_with_a_priority_and_new_without():
    t = ticket(priority="p2", body="  It jams on tray 2.  \n")
    assert (t.status, t.priority, t.meta["queue"], t.tier) == ("triaged", "P2", "service-desk", 1)
    assert t.body == "\nIt jams on tray 2.\n"
    assert t.history == [
        {"at": NOW, "by": "Ada Tech", "action": "open", "from": None, "to": "triaged", "channel": "web"}
    ]
    assert ticket(priority=None).status == "new" and replays(t)


def test_a_new_ticket_keeps_the_language_as_a_code_and_leaves_a_bad_one_for_the_gate():
    assert ticket(language="es-ES").meta["language"] == "es"
    assert ticket(language="klingon").meta["language"] == "klingon"  # the gate's rules refuse it, naming the key
    assert "language" not in ticket().meta  # the desk's applies


@pytest.mark.parametrize(
    "title,requester,kw,error,field",
    [
        ("   ", BOB, {}, UsageError, None),
        ("Two\nlines", BOB, {}, InvalidValue, "title"),
        ("Printer jams", {"name": "", "email": ""}, {}, InvalidValue, "requester"),
        ("Printer jams", BOB, {"channel": "fax"}, InvalidValue, "channel"),
        ("Printer jams", BOB, {"visibility": "secret"}, InvalidValue, "visibility"),
        ("Printer jams", BOB, {"queue": "payroll"}, InvalidValue, "queue"),
        ("Printer jams", BOB, {"priority": "P5"}, InvalidValue, "priority"),
    ],
)
def test_a_new_ticket_refuses_bad_input(title, requester, kw, error, field):
    with pytest.raises(error) as err:
        actions.new_ticket(ctx(), "HD-abc12345", title, requester, **kw)
    assert field is None or err.value.field == field


def test_a_requester_known_by_phone_alone_is_enough():
    t = actions.new_ticket(ctx(), "HD-abc12345", "No dial tone", {"phone": "+34 612 345 678"}, channel="phone")
    assert t.requester == {"phone": "+34 612 345 678"}


def test_record_refuses_a_hand_edited_status_and_a_broken_last_time():
    t = ticket()
    t.meta["status"] = "done"
    with pytest.raises(MalformedTicket, match="'done' is not one of"):
        actions.note(t, ctx(), "hello")
    t = ticket()
    t.history[-1]["at"] = "yesterday"
    with pytest.raises(MalformedTicket, match="history event 1"):
        actions.note(t, ctx(), "hello")


def test_record_leaves_out_empty_event_data_and_moves_updated():
    t = ticket()
    later = actions.Context(ctx().config, "2026-03-02T10:00:00Z", "Ada Tech")
    event = actions.record(t, later, "note", text="call back", reason="", extra=None, tags=[])
    assert event == {
        "at": later.now,
        "by": "Ada Tech",
        "action": "note",
        "from": "triaged",
        "to": "triaged",
        "text": "call back",
    }
    assert t.meta["updated"] == later.now


def test_a_move_to_a_status_whose_fields_are_missing_is_refused_naming_them():
    t = ticket()
    t.meta["priority"] = None
    with pytest.raises(IllegalTransition, match="'in_progress' needs priority"):
        actions.start(t, ctx())
    assert t.status == "triaged" and len(t.history) == 1  # nothing recorded


def test_assign_routes_and_unassign_takes_the_technician_off():
    t = ticket()
    event = actions.assign(t, ctx(), to="  grace ", queue="network")
    assert (event["assignee"], event["queue"], t.meta["assignee"], t.meta["queue"]) == (
        "grace",
        "network",
        "grace",
        "network",
    )
    event = actions.assign(t, ctx(), to="")  # `--to ''`: nobody
    assert (event["action"], event["previous"], t.meta["assignee"]) == ("unassign", "grace", None)
    actions.assign(t, ctx(), to="grace")
    event = actions.assign(t, ctx(), unassign=True, queue="service-desk")  # off, then routed: two events
    assert [e["action"] for e in t.history[-2:]] == ["unassign", "assign"] and event["queue"] == "service-desk"
    assert replays(t)


@pytest.mark.parametrize(
    "kw,match",
    [
        ({}, "assign needs"),
        ({"to": "grace", "unassign": True}, "not both"),
        ({"unassign": True}, "not assigned to anyone"),
    ],
)
def test_assign_refusals(kw, match):
    with pytest.raises(UsageError, match=match):
        actions.assign(ticket(), ctx(), **kw)


def test_assign_to_an_unknown_queue_names_the_field():
    with pytest.raises(InvalidValue) as err:
        actions.assign(ticket(), ctx(), queue="payroll")
    assert err.value.field == "queue"


def test_de_escalate_goes_down_only_and_needs_a_reason():
    t = in_progress()
    actions.escalate(t, ctx(), "network team", tier=3)
    event = actions.de_escalate(t, ctx(), "the hard part is done")
    assert (event["tier"], event["previous_tier"], t.tier) == (2, 3, 2)
    with pytest.raises(InvalidValue, match="not below"):
        actions.de_escalate(t, ctx(), "sideways", tier=2)
    with pytest.raises(UsageError):
        actions.de_escalate(t, ctx(), "  ")
    actions.de_escalate(t, ctx(), "back to first line")
    with pytest.raises(InvalidValue, match="no tier 0"):
        actions.de_escalate(t, ctx(), "lower still")


def test_contact_checks_how_and_an_inbound_reply_ends_the_wait():
    t = in_progress()
    actions.wait(t, ctx(), "Which tray?")
    event = actions.contact(t, ctx(), "email", "Tray 2", inbound=True, message_id="<a@x>")
    assert (event["direction"], event["to"], event["message_id"]) == ("inbound", "in_progress", "<a@x>")
    assert actions.contact(t, ctx(), "phone", "Called back")["direction"] == "outbound"
    with pytest.raises(InvalidValue) as err:
        actions.contact(t, ctx(), "pigeon", "Sent a bird")
    assert err.value.field == "via"
    with pytest.raises(UsageError):
        actions.wait(t, ctx(), "")


def test_edit_records_each_change_from_and_to():
    t = ticket(body="Old description\nwith a second line")
    event = actions.edit(t, ctx(), {"title": "Printer jams on floor 3", "requester": {"phone": "123", "email": ""}})
    assert event["changes"]["title"] == {"from": "Printer jams", "to": "Printer jams on floor 3"}
    # a requester edit merges into what is there; an empty value takes a key away
    assert t.requester == {"name": "Bob Smith", "phone": "123"}
    event = actions.edit(t, ctx(), {"description": "New one", "visibility": "unlisted", "incident": True})
    assert event["changes"]["description"] == {"from": "Old description…", "to": "New one"}
    assert "visibility" not in event["changes"] and t.description == "New one" and t.meta["incident"] is True
    assert replays(t)


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"channel": "fax"}, "channel"),
        ({"visibility": "secret"}, "visibility"),
        ({"updates": "sometimes"}, "updates"),
        ({"incident": "yes"}, "incident"),
        ({"service": "mail\nand more"}, "service"),
        ({"title": "  "}, "title"),
        ({"title": "two\nlines"}, "title"),
    ],
)
def test_edit_refuses_bad_values_naming_the_field(changes, field):
    with pytest.raises(InvalidValue) as err:
        actions.edit(ticket(), ctx(), changes)
    assert err.value.field == field


def test_an_edit_that_changes_nothing_is_refused():
    t = ticket()
    with pytest.raises(UsageError, match="nothing to change"):
        actions.edit(t, ctx(), {"title": "Printer jams", "requester": {"name": "Bob Smith"}, "language": None})
    assert len(t.history) == 1


def test_link_duplicate_records_the_back_link_once():
    original = ticket()
    assert actions.link_duplicate(original, ctx(), "HD-dup00001")["duplicate"] == "HD-dup00001"
    assert actions.link_duplicate(original, ctx(), "HD-dup00001") is None
    assert original.meta["duplicates"] == ["HD-dup00001"] and len(original.history) == 2


def test_split_children_inherit_the_parents_routing_and_clocks():
    parent = in_progress()
    actions.assign(parent, ctx(), to="grace", queue="network")
    actions.contact(parent, actions.Context(ctx().config, "2026-03-02T09:30:00Z", "Ada Tech"), "phone", "Called")
    parent.meta.update(location="Leeds office", product={"model": "HP 4000"}, language="ca")
    children = actions.split_children(parent, ctx(), ["Tray 2", "Toner"], ["HD-child001", "HD-child002"])
    assert parent.status == "split" and parent.meta["children"] == ["HD-child001", "HD-child002"]
    for child in children:
        assert (child.status, child.priority, child.meta["queue"], child.meta["assignee"]) == (
            "triaged",
            "P3",
            "network",
            "grace",
        )
        assert child.meta["parent"] == parent.id and child.meta["location"] == "Leeds office"
        assert child.meta["language"] == "ca" and child.requester == BOB
        opened = child.history[0]
        assert (opened["split_from"], opened["requested"], opened["responded"]) == (
            parent.id,
            parent.meta["created"],
            "2026-03-02T09:30:00Z",
        )
        assert replays(child)
    assert children[0].meta["product"] is not parent.meta["product"]  # a copy: editing one leaves the other
    with pytest.raises(UsageError):
        actions.split_children(ticket(), ctx(), [], [])


def test_a_child_of_a_new_ticket_is_new():
    (child,) = actions.split_children(ticket(priority=None), ctx(), ["Part"], ["HD-child001"])
    assert child.status == "new"


def test_quick_resolve_only_where_the_desk_allows_it():
    allowed = actions.Context(from_mapping({"review": {"quick_resolve": ["P4"], "customer": "optional"}}), NOW, "Ada")
    t = actions.new_ticket(allowed, "HD-abc12345", "Toner", dict(BOB), priority="P4")
    assert actions.quick_resolve(t, allowed, "Replaced the toner")["to"] == "resolved"
    p3 = actions.new_ticket(allowed, "HD-abc12346", "Toner", dict(BOB), priority="P3")
    with pytest.raises(UsageError, match="P4 only"):
        actions.quick_resolve(p3, allowed, "Replaced the toner")
    with pytest.raises(UsageError, match="does not allow a quick resolve"):
        actions.quick_resolve(ticket(), ctx(), "Replaced the toner")
    with pytest.raises(IllegalTransition):
        actions.quick_resolve(t, allowed, "again")  # already resolved: the status is refused first


def test_request_changes_needs_feedback_and_an_approval_resolves_when_enough():
    t = in_progress()
    actions.propose(t, ctx(), "New rollers")
    with pytest.raises(UsageError):
        actions.review(t, ctx(), approve=False, by="lead")
    optional = ctx(review={"customer": "optional"})
    assert actions.review(t, optional, approve=False, by="lead", comment="check firmware")["to"] == "in_progress"
    actions.propose(t, optional, "Firmware update")
    assert actions.review(t, optional, approve=True, by="lead")["to"] == "resolved"
    assert replays(t)


def test_customer_review_is_recorded_as_the_requesters_and_refused_when_off():
    t = in_progress()
    actions.propose(t, ctx(), "New rollers")
    event = actions.customer_review(t, ctx(), approve=True)
    assert (event["by"], event["role"]) == ("bob@example.com", "requester")
    with pytest.raises(UsageError, match="review.customer: off"):
        actions.customer_review(t, ctx(review={"customer": "off"}), approve=True)


def test_a_customer_reopen_keeps_their_words_and_is_told_from_a_staff_reopen():
    t = in_progress()
    actions.cancel(t, ctx(), "asked twice")
    event = actions.customer_reopen(t, ctx(), "email", "  It is back  ")
    assert event["reason"] == "The customer replied after it was cancelled: It is back" and event["via"] == "email"
    assert actions.by_customer(event)
    assert actions.by_customer({"action": "reopen", "reason": "The customer replied after it was closed: hi"})
    assert not actions.by_customer({"action": "reopen", "reason": "the fix did not hold"})


def test_close_needs_a_lesson():
    t = in_progress()
    actions.propose(t, ctx(), "New rollers")
    actions.review(t, ctx(review={"customer": "optional"}), approve=True, by="lead")
    with pytest.raises(UsageError):
        actions.close(t, ctx(), " ", kb="printer-jams")
    event = actions.close(t, ctx(), "Rollers wear out", kb="printer-jams", survey_invite="email")
    assert (event["to"], event["kb"], event["survey_invite"]) == ("closed", "printer-jams", "email")
