"""store/rows.py: what the read index keeps of one file, and the one error row a broken file always gives."""

from __future__ import annotations

import marshal

import pytest

from gitdesk.core import actions
from gitdesk.core.config import from_mapping
from gitdesk.core.ticket import MAX_TICKET_BYTES, dump
from gitdesk.errors import MalformedTicket
from gitdesk.store.rows import (
    ERROR,
    Summary,
    facts_row,
    is_error,
    is_ticket_file,
    mids_row,
    raise_error,
    summary_row,
    survey_row,
    ticket_of,
    without_history,
)

PATH = "tickets/HD-abc12345.md"


def _text(**extra) -> str:
    ctx = actions.Context(from_mapping({}), "2026-03-02T09:00:00Z", "Ada Tech")
    t = actions.new_ticket(
        ctx, "HD-abc12345", "Printer jams", {"name": "Bob", "email": "bob@example.com"}, priority="P3"
    )
    actions.note(t, ctx, "first line\nhistory:\n- looks like a key")
    t.meta.update(extra)
    return dump(t)


@pytest.mark.parametrize(
    "name,ok",
    [
        ("HD-abc12345.md", True),
        ("OPS2-0zx.md", True),
        ("README.md", False),
        ("HD-abc12345.md~", False),
        ("hd-abc12345.md", False),  # IDs are written canonically: an upper-case prefix
        ("HD-ABC12345.md", False),
        (".HD-abc12345.md.swp", False),
    ],
)
def test_is_ticket_file(name, ok):
    assert is_ticket_file(name) is ok


def test_summary_row_is_the_list_fields_and_message_ids():
    text = _text(message_ids=["<a@mail.example>", "slack:C1:17.1"], assignee="grace")
    row, mids = summary_row(PATH, text.encode())
    summary = Summary._make(row)
    assert (summary.id, summary.status, summary.priority, summary.assignee) == ("HD-abc12345", "triaged", "P3", "grace")
    assert (summary.requester, summary.email, summary.queue, summary.tier) == (
        "Bob",
        "bob@example.com",
        "service-desk",
        1,
    )
    assert mids == ("<a@mail.example>", "slack:C1:17.1")
    assert marshal.loads(marshal.dumps((row, mids))) == (row, mids)  # the index stores rows with marshal


def test_summary_row_names_the_ticket_after_its_file_when_the_id_is_missing():
    text = _text().replace("id: HD-abc12345\n", "", 1)
    row, _ = summary_row(PATH, text.encode())
    assert Summary._make(row).id == "HD-abc12345"


@pytest.mark.parametrize(
    "data,line,problem",
    [
        (b"---\ntitle: \xff\n---\n", None, "not UTF-8 text"),
        (_text().replace("id: HD-abc12345", "id: HD-other000").encode(), 2, "does not match the file name"),
        (b"---\ntitle: [unclosed\n---\n", None, ""),
        (b"x" * (MAX_TICKET_BYTES + 1), None, "the most any desk file may be"),
    ],
)
def test_a_broken_file_gives_one_error_row_naming_the_line(data, line, problem):
    row = summary_row(PATH, data)
    assert is_error(row) and row[0] == ERROR and problem in row[2]
    if line is not None:
        assert row[1] == line
    assert is_error(facts_row(PATH, data))
    with pytest.raises(MalformedTicket) as err:
        raise_error(PATH, row)
    assert err.value.path == PATH and err.value.problem == row[2]


def test_flow_style_history_falls_back_to_the_full_parse_with_the_same_row():
    block = _text()
    flow = _flow(block)
    assert "history: [{" in flow and without_history(flow) is None
    flow_row = summary_row(PATH, flow.encode())
    assert flow_row == summary_row(PATH, block.encode()) and not is_error(flow_row)


def _flow(block: str) -> str:
    """The same ticket with its history written in YAML flow style, as a hand editor might."""
    import yaml

    head, _, rest = block.partition("\n---\n")
    front = yaml.safe_load(head.removeprefix("---\n"))
    history = front.pop("history")
    out = yaml.safe_dump(front, sort_keys=False) + "history: " + yaml.safe_dump(history, default_flow_style=True)
    return "---\n" + out + "---\n" + rest


def test_without_history_cuts_only_the_block_history():
    text = "---\nid: HD-a\nhistory:\n- at: x\n  by: y\n\n  note: z\n---\nbody with\nhistory:\n"
    assert without_history("---\nid: HD-a\n---\n") == "---\nid: HD-a\n---\n"
    assert without_history("---\nid: HD-a\nhistory:\n- at: x\n  by: y\n---\nbody\n") == "---\nid: HD-a\n---\nbody\n"
    assert without_history(text) is None  # a second "history:" line after the cut: not the simple shape
    assert without_history("---\nid: HD-a\nhistory: []\n---\n") is None


def test_mids_row_skips_parsing_a_ticket_without_message_ids():
    assert mids_row(PATH, b"not even a ticket") == ()  # never parsed, so never an error
    assert mids_row(PATH, _text(message_ids=["<a@x>"]).encode()) == ("<a@x>",)
    assert is_error(mids_row(PATH, b"---\nmessage_ids: [\n---\n"))


def test_ticket_of_refuses_an_id_that_is_not_the_file_name():
    assert ticket_of(PATH, _text().encode()).id == "HD-abc12345"
    assert ticket_of(PATH, _text().replace("HD-abc12345", "hd-ABC12345", 1).encode()).id == "hd-ABC12345"
    with pytest.raises(MalformedTicket):
        ticket_of("tickets/HD-zzzzzzzz.md", _text().encode())


def test_survey_row_stores_hand_typed_dates_as_text():
    row = survey_row("surveys/HD-abc12345.yml", b"at: 2026-03-09 10:00:00\nscore: 4\nprevious:\n- at: 2026-03-01\n")
    assert row["ticket"] == "HD-abc12345" and isinstance(row["at"], str) and row["at"].startswith("2026-03-09")
    assert isinstance(row["previous"][0]["at"], str)
    assert marshal.loads(marshal.dumps(row)) == row
    assert is_error(survey_row("surveys/HD-abc12345.yml", b"- a list\n"))
