"""intake/record.py: a channel's `Request` opened, threaded or skipped in one desk write.

Through email end to end (policies on closed tickets, staff replies, limits) see test_intake_email.py
and test_intake_hostile.py; here `receive` is called the way every channel calls it.
"""

from __future__ import annotations

import subprocess

import pytest

from gitdesk.core.config import from_mapping
from gitdesk.intake.message import Attachment
from gitdesk.intake.record import Request, author, receive, safe_name
from gitdesk.intake.rules import IntakeSettings, settings

BOB = {"name": "Bob Smith", "email": "bob@example.com"}
ROUTE = {"keyword": "vpn", "queue": "network"}


def commits(root) -> int:
    out = subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=root, capture_output=True, text=True, check=True)
    return int(out.stdout)


def req(message_id: str = "<m1@example.com>", title: str = "Printer jams", **fields) -> Request:
    return Request(fields.pop("channel", "email"), message_id, title, fields.pop("requester", BOB), **fields)


@pytest.mark.parametrize(
    "name, safe",
    [
        ("screen shot.png", "screen_shot.png"),
        ("../../gitdesk.yml", "gitdesk.yml.txt"),  # no way out of the folder, and never config CI reads
        ("..\\..\\tickets\\HD-1.md", "HD-1.md.txt"),
        ("notes.YAML", "notes.YAML.txt"),
        (".bashrc", "bashrc"),
        ("...", "attachment"),
        ("", "attachment"),
        ("Rechnung März.pdf", "Rechnung_M_rz.pdf"),  # ASCII only: every file system and URL takes it
        ("a" * 300 + ".pdf", "a" * 100),
    ],
)
def test_safe_name(name, safe):
    assert safe_name(name) == safe


def test_author_is_the_from_address_else_the_platforms_account():
    assert author(req(sender="Bob@Example.com", requester={"email": "relay@forms.example"})) == "bob@example.com"
    assert author(req(channel="slack", requester={"name": "Ada", "slack": "U1"})) == "slack:U1"
    assert author(req(channel="github", requester={"github": "ada-l"})) == "github:ada-l"


def test_a_new_request_opens_one_ticket_in_one_commit(desk, desk_root):
    before = commits(desk_root)
    outcome = receive(desk, req(body="It jams on tray 2.", location="Floor 3"), IntakeSettings())
    assert outcome.kind == "opened" and outcome.reason == "queue service-desk"
    assert commits(desk_root) == before + 1
    t = desk.get(outcome.ticket_id)
    assert (t.title, t.status, t.meta["channel"], t.meta["location"]) == ("Printer jams", "new", "email", "Floor 3")
    assert t.meta["message_ids"] == ["<m1@example.com>"]
    assert "It jams on tray 2." in t.body


def test_the_same_delivery_twice_is_a_duplicate_and_commits_nothing(desk, desk_root):
    first = receive(desk, req(), IntakeSettings())
    before = commits(desk_root)
    again = receive(desk, req(title="Something else entirely"), IntakeSettings())
    assert (again.kind, again.ticket_id) == ("duplicate", first.ticket_id)
    assert commits(desk_root) == before


def test_a_reply_by_thread_id_is_an_inbound_contact_on_that_ticket(desk):
    opened = receive(desk, req(), IntakeSettings())
    reply = req(
        "<m2@example.com>", "Re: Printer jams", body="Still jams.\n\nOn Mon, Desk wrote:\n> old", thread_ids=["<m1@x>"]
    )
    assert receive(desk, reply, IntakeSettings()).kind == "opened"  # an unknown thread id threads nothing
    reply.message_id, reply.thread_ids = "<m3@example.com>", ["<m1@example.com>"]
    outcome = receive(desk, reply, IntakeSettings())
    assert (outcome.kind, outcome.ticket_id, outcome.reason) == ("replied", opened.ticket_id, "status new")
    t = desk.get(opened.ticket_id)
    event = t.history[-1]
    assert (event["action"], event["direction"], event["summary"]) == ("contact", "inbound", "Still jams.")
    assert t.meta["message_ids"] == ["<m1@example.com>", "<m3@example.com>"]


def test_a_subject_tag_threads_only_on_a_whole_id_in_brackets(desk):
    opened = receive(desk, req(), IntakeSettings())
    tid = opened.ticket_id
    tagged = receive(desk, req("<m2@x>", f"Re: [ {tid.lower()} ] Printer jams", body="More"), IntakeSettings())
    assert (tagged.kind, tagged.ticket_id) == ("replied", tid)
    prefix = receive(desk, req("<m3@x>", f"Re: [{tid[:6]}] Printer jams", body="More"), IntakeSettings())
    bare = receive(desk, req("<m4@x>", f"Re: {tid} Printer jams", body="More"), IntakeSettings())
    assert prefix.kind == "opened" and bare.kind == "opened"


def test_a_reply_to_a_desk_message_id_finds_its_ticket(desk):
    opened = receive(desk, req(), IntakeSettings())
    desk_mid = f"<20260302090000.abc.gitdesk-{opened.ticket_id}@desk.example>"  # how mail.compose names them
    outcome = receive(desk, req("<m2@x>", "Re: How did we do?", body="Fine", thread_ids=[desk_mid]), IntakeSettings())
    assert (outcome.kind, outcome.ticket_id) == ("replied", opened.ticket_id)
    gone = "<20260302090000.abc.gitdesk-HD-zzzzzzzz@desk.example>"
    assert receive(desk, req("<m3@x>", "Re: x", body="Hi", thread_ids=[gone]), IntakeSettings()).kind == "opened"


def test_a_missing_title_comes_from_the_body_else_the_requester(desk):
    first = receive(desk, req(title="", body="\n\n  The scanner is offline  \nsince Monday"), IntakeSettings())
    assert desk.get(first.ticket_id).title == "The scanner is offline"
    second = receive(desk, req("<m2@x>", title="  "), IntakeSettings())
    assert desk.get(second.ticket_id).title == "Request by Bob Smith"


def test_the_title_is_one_line_bounded_by_max_title(desk):
    outcome = receive(desk, req(title="Printer\r\njams " + "very " * 30), IntakeSettings(max_title=30))
    title = desk.get(outcome.ticket_id).title
    assert len(title) <= 30 and "\n" not in title and title.startswith("Printer jams very")


def test_routing_picks_the_queue_from_the_title_and_body(desk):
    rules = settings(from_mapping({"queues": ["service-desk", "network"], "intake": {"routes": [ROUTE]}}))
    outcome = receive(desk, req(title="Help", body="The VPN drops"), rules)
    assert outcome.reason == "queue network" and desk.get(outcome.ticket_id).meta["queue"] == "network"
    other = receive(desk, req("<m2@x>", title="Help", body="The printer jams"), rules)
    assert desk.get(other.ticket_id).meta["queue"] == "service-desk"


def test_attachments_get_unique_safe_names_beside_the_ticket(desk, desk_root):
    files = [Attachment("shot.png", "image/png", b"one"), Attachment("shot.png", "image/png", b"two")]
    outcome = receive(desk, req(attachments=files), IntakeSettings())
    t = desk.get(outcome.ticket_id)
    names = [a["name"] for a in t.meta["attachments"]]
    assert names == ["shot.png", "shot-2.png"]
    folder = desk_root / "tickets" / outcome.ticket_id / "attachments"
    assert (folder / "shot.png").read_bytes() == b"one" and (folder / "shot-2.png").read_bytes() == b"two"
    reply = req("<m2@x>", "Re: Printer jams", body="Another", thread_ids=["<m1@example.com>"])
    reply.attachments = [Attachment("shot.png", "image/png", b"three")]
    receive(desk, reply, IntakeSettings())
    t = desk.get(outcome.ticket_id)
    assert [a["name"] for a in t.meta["attachments"]] == ["shot.png", "shot-2.png", "shot-3.png"]
    assert t.history[-1]["attachments"] == ["shot-3.png"]
    assert (folder / "shot-3.png").read_bytes() == b"three"


def test_a_refused_attachment_is_a_note_not_a_file(desk, desk_root):
    files = [Attachment("big.bin", "application/octet-stream", b"x" * 2048), Attachment("ok.txt", "text/plain", b"y")]
    outcome = receive(desk, req(attachments=files), IntakeSettings(max_attachment=1024))
    t = desk.get(outcome.ticket_id)
    assert [a["name"] for a in t.meta["attachments"]] == ["ok.txt"]
    [note] = [e for e in t.history if e["action"] == "note"]
    assert "'big.bin' (2.0 KB) refused: larger than the 1.0 KB limit" in note["text"]
    assert outcome.notes[0] == note["text"]
    assert not (desk_root / "tickets" / outcome.ticket_id / "attachments" / "big.bin").exists()


def test_an_import_keeps_the_messages_own_time_but_never_a_future_one(desk, clock):
    old = receive(desk, req(created="2026-01-05T10:00:00Z"), IntakeSettings())
    assert desk.get(old.ticket_id).meta["created"] == "2026-01-05T10:00:00Z"
    later = receive(desk, req("<m2@x>", created="2027-01-01T00:00:00Z"), IntakeSettings())
    assert desk.get(later.ticket_id).meta["created"] == "2026-03-02T09:00:00Z"  # the clock's now


def test_a_staff_reply_is_their_outbound_contact_and_does_not_reopen(desk, proposed):
    desk.review(proposed, True, "lead")
    assert desk.get(proposed).status == "resolved"
    mid = desk.get(proposed).meta.get("message_ids") or []
    reply = req("<s1@desk.example>", f"Re: [{proposed}] Printer", body="Checked it, all good.", thread_ids=mid)
    reply.technician, reply.sender = "ada", "ada@desk.example"
    outcome = receive(desk, reply, IntakeSettings())
    t = desk.get(proposed)
    assert (outcome.kind, t.status) == ("replied", "resolved")
    assert (t.history[-1]["direction"], t.history[-1]["by"]) == ("outbound", "ada")
