"""ticket.py: golden files for parse/dump, unknown keys, hand edits, malformed samples, requesters."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gitdesk.core import actions
from gitdesk.core.config import from_mapping
from gitdesk.core.ticket import FIELD_ORDER, Ticket, dump, iso, parse, parse_requester, parse_time
from gitdesk.errors import InvalidValue, MalformedTicket

GOLDEN = Path(__file__).parent / "golden"
VALID = sorted(GOLDEN.glob("*.md"))
CANONICAL = [p for p in VALID if p.stem != "hand-edited"]
MALFORMED = sorted((GOLDEN / "malformed").glob("*.md"))


def _as_json(value) -> str:
    # Order-sensitive: dict equality would not notice a reordered key.
    return json.dumps(value, ensure_ascii=False, default=str)


def _ctx(**config):
    return actions.Context(from_mapping(config), "2026-03-05T12:00:00Z", "Ada Tech")


def test_golden_set_is_complete():
    assert {p.stem for p in VALID} >= {"canonical-new", "canonical-closed", "unknown-keys", "hand-edited"}
    assert len(MALFORMED) >= 6
    for path in VALID + MALFORMED:
        assert path.with_suffix(".json").exists(), f"{path.name} has no expected .json"


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_golden_parse_matches_expected_json(path):
    expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    ticket = parse(path.read_text(encoding="utf-8"), path.name)
    assert _as_json(ticket.meta) == _as_json(expected["meta"])
    assert ticket.body == expected["body"]


@pytest.mark.parametrize("path", CANONICAL, ids=lambda p: p.stem)
def test_canonical_files_round_trip_byte_identical(path):
    text = path.read_text(encoding="utf-8")
    assert dump(parse(text, path.name)) == text


def test_unknown_keys_keep_their_place_through_an_action():
    text = (GOLDEN / "unknown-keys.md").read_text(encoding="utf-8")
    ticket = parse(text)
    order = list(ticket.meta)
    actions.note(ticket, _ctx(queues=["licensing"]), "Asked the vendor for a quote")
    again = parse(dump(ticket))
    assert list(again.meta) == order  # x-contract stays after title, sla-override stays last
    assert again.meta["x-contract"] == "C-2026-17"
    assert again.meta["sla-override"] == "30d"
    assert again.meta["custom"] == {"nested": {"depth": 2, "flags": [True, 3.5]}}
    assert again.requester["cost-centre"] == "4711"
    assert again.history[0]["source-ref"] == "form-17"
    assert again.history[-1]["text"] == "Asked the vendor for a quote"
    assert again.meta["updated"] == "2026-03-05T12:00:00Z"


def test_hand_edited_file_loads_without_loss():
    text = (GOLDEN / "hand-edited.md").read_text(encoding="utf-8")
    first = parse(text)
    # Flow style, bare and offset timestamps, comments, folded text: all read as data.
    assert first.requester == {"name": "Henry Ford", "email": "henry@example.com", "phone": "555 0100"}
    assert first.meta["created"] == "2026-03-02T09:00:00Z"
    assert first.meta["updated"] == "2026-03-02T10:30:00Z"  # 11:30+01:00 normalised to UTC
    assert first.history[0]["at"] == "2026-03-02T09:00:00Z"
    assert first.meta["due"] == dt.date(2026, 3, 9)
    assert first.meta["labels"] == ["urgent-ish", "vip"]
    assert first.history[-1]["text"] == "Folded text on two lines.\n"
    assert first.description == "Description right after the fence, no blank line."
    rewritten = dump(first)
    second = parse(rewritten)
    assert _as_json(second.meta) == _as_json(first.meta)
    assert second.meta["due"] == dt.date(2026, 3, 9)  # still a date, not a string
    assert second.description == first.description
    assert dump(second) == rewritten  # the canonical form is a fixed point


@pytest.mark.parametrize("path", MALFORMED, ids=lambda p: p.stem)
def test_malformed_samples_name_file_and_line(path):
    expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    rel = f"tickets/{path.name}"
    with pytest.raises(MalformedTicket) as err:
        parse(path.read_text(encoding="utf-8"), rel)
    assert err.value.path == rel
    assert err.value.line == expected["line"]
    message = str(err.value)
    assert message.startswith(f"{rel}:{expected['line']}: ")
    assert "\n" not in message
    for part in expected["contains"]:
        assert part in message


def test_crlf_and_bom_files_parse():
    text = "\ufeff---\r\nid: HD-crlf0001\r\ntitle: Windows editor\r\nstatus: new\r\n---\r\n\r\nBody\r\n"
    ticket = parse(text)
    assert ticket.id == "HD-crlf0001"
    assert ticket.title == "Windows editor"
    assert ticket.description == "Body"


def test_empty_front_matter_is_an_empty_mapping():
    ticket = parse("---\n---\n\nonly a body\n")
    assert ticket.meta == {} and ticket.description == "only a body"


def test_set_puts_a_new_field_in_canonical_order_before_history():
    ticket = parse((GOLDEN / "canonical-new.md").read_text(encoding="utf-8"))
    ticket.set("parent", "HD-aaaa0000")
    ticket.set("children", ["HD-bbbb1111"])
    keys = list(ticket.meta)
    assert keys[-3:] == ["parent", "children", "history"]
    assert [k for k in keys if k in FIELD_ORDER] == [k for k in FIELD_ORDER if k in keys]
    ticket.set("status", "triaged")  # an existing key is changed in place
    assert list(ticket.meta) == keys


def test_typed_views_tolerate_odd_hand_edits():
    ticket = Ticket({"id": "HD-x", "tier": "two", "requester": "just a string", "history": "oops"})
    assert ticket.tier == 1
    assert ticket.requester == {}
    assert ticket.visibility == "unlisted"
    assert ticket.history == []


_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=60)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=_text.filter(lambda s: s.strip() and "\n" not in s and "\r" not in s),
    note=_text,
    body=_text,
    key=st.from_regex(r"[a-z][a-z0-9_-]{0,12}", fullmatch=True),
    value=_text,
)
def test_any_text_survives_dump_and_parse(title, note, body, key, value):
    ticket = actions.new_ticket(_ctx(), "HD-prop0001", title, {"name": "P", "email": "p@example.com"}, body=body)
    if key not in ticket.meta:
        ticket.set(key, value)
    if note.strip():
        actions.note(ticket, _ctx(), note)
    text = dump(ticket)
    again = parse(text)
    assert again.meta == ticket.meta
    assert again.description == ticket.description
    assert dump(again) == text


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Ada Lovelace <Ada@Example.org>", {"name": "Ada Lovelace", "email": "ada@example.org"}),
        ('"Lovelace, Ada" <ada@example.org>', {"name": "Lovelace, Ada", "email": "ada@example.org"}),
        ("ada@example.org", {"name": "ada", "email": "ada@example.org"}),
        ("Front desk (phone only)", {"name": "Front desk (phone only)", "email": ""}),
    ],
)
def test_parse_requester(raw, expected):
    assert parse_requester(raw) == expected


@pytest.mark.parametrize("raw", ["Ada <not-an-email>", "Ada <a@b>", "a@@example.org", "Ada <a b@example.org>"])
def test_parse_requester_refuses_bad_email(raw):
    with pytest.raises(InvalidValue) as err:
        parse_requester(raw)
    assert err.value.field == "requester"


def test_timestamps_are_utc_with_z():
    assert iso(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))) == "2026-03-02T09:00:00Z"
    assert iso(dt.date(2026, 3, 2)) == "2026-03-02T00:00:00Z"
    assert parse_time("2026-03-02T09:00:00Z") == dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    with pytest.raises(ValueError):
        parse_time("yesterday")
