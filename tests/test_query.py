"""cli/commands/query.py: `list` (its cached fast path and its filtered path agree) and `show` (links by title)."""

from __future__ import annotations

import json

import pytest

from conftest import git
from gitdesk.core.lifecycle import OPEN


@pytest.fixture
def four(cli_invoke, open_ticket, clock):
    """Four tickets opened a minute apart: P3, P1, no priority, and a P1 cancelled."""
    ids = []
    for title, extra in (
        ("Alpha printer", ("--priority", "P3", "--queue", "hardware")),
        ("Bravo VPN", ("--priority", "P1", "--queue", "network")),
        ("Charlie licence", ("--queue", "licensing")),
        ("Delta gone", ("--priority", "P1", "--queue", "network")),
    ):
        ids.append(open_ticket(title, *extra))
        clock.advance(minutes=1)
    cli_invoke("cancel", ids[3], "--reason", "asked twice")
    return ids


def _ids(text: str) -> list[str]:
    return [line.split()[0] for line in text.splitlines()[1:]]


def test_the_everyday_listing_is_the_filtered_listing(four, cli_invoke):
    a, b, c, d = four
    fast = cli_invoke("list").stdout
    assert _ids(fast) == [b, a, c]  # open only, most urgent first, unset last
    statuses = [arg for s in sorted(OPEN) for arg in ("--status", s)]
    assert cli_invoke("list", *statuses).stdout == fast  # the same lines by the filtering path
    every = cli_invoke("list", "--all").stdout
    assert _ids(every) == [b, d, a, c]  # P1s oldest first
    assert cli_invoke("list", "--all", "--sort", "priority,").stdout == every


def test_list_sorts_by_several_keys_the_first_leading(four, cli_invoke):
    a, b, c, d = four
    rows = json.loads(cli_invoke("list", "--all", "--json", "--sort", "queue,-created").stdout)
    assert [r["id"] for r in rows] == [a, c, d, b]  # hardware, licensing, then network newest first
    assert _ids(cli_invoke("list", "--sort", " -priority , id ").stdout)[0] == c


def test_list_refuses_an_unknown_status_naming_the_choices(cli_invoke):
    result = cli_invoke("list", "--status", "done", ok=False)
    assert result.exit_code == 2
    assert "'done' is not one of new, triaged, in_progress, waiting, proposed" in result.stderr


def test_a_queue_that_only_a_ticket_names_is_no_typo(four, cli_invoke, desk_root):
    a = four[0]
    path = desk_root / "tickets" / f"{a}.md"
    path.write_text(path.read_text().replace("queue: hardware", "queue: legacy", 1))
    git(desk_root, "commit", "-qam", "a queue from before the config changed")
    assert _ids(cli_invoke("list", "--queue", "legacy").stdout) == [a]


def test_list_of_an_empty_desk(cli_invoke):
    assert cli_invoke("list").stdout == "no tickets match\n"
    assert json.loads(cli_invoke("list", "--json", "--all").stdout) == []


def test_show_names_linked_tickets_by_their_titles(four, cli_invoke):
    a, b, _, _ = four
    cli_invoke("cancel", a, "--reason", "same outage", "--duplicate-of", b)
    shown = cli_invoke("show", a).stdout
    assert f"duplicate_of: {b}  Bravo VPN" in shown
    back = cli_invoke("show", b).stdout
    assert f"duplicate: {a}" in back


def test_show_of_a_dangling_link_is_the_bare_id(four, cli_invoke, desk_root):
    a = four[0]
    path = desk_root / "tickets" / f"{a}.md"
    text = path.read_text()
    path.write_text(text.replace("queue: hardware\n", "queue: hardware\nparent: HD-zzzzzzzz\n", 1))
    shown = cli_invoke("show", a).stdout  # the parent's title cannot be read: no error, the ID alone
    assert "  parent      HD-zzzzzzzz\n" in shown


def test_show_json_is_the_ticket_as_stored_without_the_terminal_lines(four, cli_invoke, desk):
    data = json.loads(cli_invoke("show", four[1], "--json").stdout)
    assert data == json.loads(json.dumps(desk.get(four[1]).to_json(), default=str))
    assert data["description"] == "" and "next" not in data  # no clock or next-move lines
