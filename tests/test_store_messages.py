"""store/messages.py: which ticket holds a message (email Message-ID, Slack ts, GitHub issue) for threading."""

from __future__ import annotations

from gitdesk.store.messages import MessageIndex, ids_of


def test_ids_of_reads_the_list_as_text_and_nothing_else():
    assert ids_of({"message_ids": ["<a@mail.example>", "slack:C1:1700000000.1", 42]}) == [
        "<a@mail.example>",
        "slack:C1:1700000000.1",
        "42",
    ]
    assert ids_of({}) == []
    assert ids_of({"message_ids": "<a@mail.example>"}) == []  # a hand-typed string is not a list of ids
    assert ids_of({"message_ids": None}) == []


class Store:
    """What MessageIndex asks of the ticket store: the index's (paths, ids) column, and whether a ticket is there."""

    def __init__(self, tickets: dict[str, list[str]], present: set[str] | None = None) -> None:
        self.tickets, self.present = tickets, set(tickets) if present is None else present
        self.reads = 0

    def message_ids(self):
        self.reads += 1
        paths = [f"tickets/{tid}.md" for tid in self.tickets]
        return paths, [tuple(mids) for mids in self.tickets.values()]

    def exists(self, ticket_id: str) -> bool:
        return ticket_id in self.present


def test_lookup_maps_a_message_to_its_ticket_reading_the_index_once():
    store = Store({"HD-aaaaaaaa": ["<a@x>", "<b@x>"], "HD-bbbbbbbb": ["github:acme/app#7"]})
    index = MessageIndex(store)
    assert index.lookup("<b@x>") == "HD-aaaaaaaa"
    assert index.lookup("github:acme/app#7") == "HD-bbbbbbbb"
    assert index.lookup("<unknown@x>") is None
    assert store.reads == 1


def test_first_takes_the_first_known_message_whose_ticket_is_still_there():
    store = Store({"HD-aaaaaaaa": ["<old@x>"], "HD-bbbbbbbb": ["<new@x>"]}, present={"HD-bbbbbbbb"})
    index = MessageIndex(store)
    # a reply's References, oldest first: the first one names a ticket since removed from the work tree
    assert index.first(["<stranger@x>", "<old@x>", "<new@x>"]) == "HD-bbbbbbbb"
    assert index.first(["<old@x>"]) is None
    assert index.first([]) is None


def test_a_real_desk_threads_by_its_tickets_message_ids(desk, desk_root):
    first = desk.open("Mail bounces", {"name": "Bob Smith", "email": "bob@example.com"})
    second = desk.open("VPN drops", {"name": "Bob Smith", "email": "bob@example.com"})
    for tid, mid in ((first.id, "<one@mail.example>"), (second.id, "<two@mail.example>")):
        path = desk_root / "tickets" / f"{tid}.md"
        path.write_text(path.read_text().replace("history:", f"message_ids:\n- {mid}\nhistory:", 1))
    from gitdesk.desk.facade import Desk

    index = MessageIndex(Desk(desk_root).store)
    assert index.first(["<none@mail.example>", "<two@mail.example>", "<one@mail.example>"]) == second.id
    assert index.lookup("<one@mail.example>") == first.id
