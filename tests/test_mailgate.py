"""intake/mailgate.py: one message in, a ticket or a reply out, the acknowledgement decided in its commit.

The CLI verbs over the mail corpus (threading, loops, mbox and Maildir imports, the per-hour cap end to
end) are in test_intake_email.py and test_intake_hostile.py; here the module's functions directly.
"""

from __future__ import annotations

import datetime as dt
import json
import mailbox
import subprocess

import pytest

from gitdesk.intake import Unusable
from gitdesk.intake.mailgate import ack_allowed, batch, mailbox_messages, own_addresses, take_email
from recording_servers import inbox  # noqa: F401 - the aiosmtpd fixture on 127.0.0.1

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def mail(headers: str = "", body: str = "The printer on floor 3 jams.", **fields: str) -> bytes:
    head = {"From": "Bob Smith <bob@example.com>", "To": "help@desk.example", "Subject": "Printer jams"}
    head.update({k.replace("_", "-"): v for k, v in fields.items()})
    text = "".join(f"{k}: {v}\r\n" for k, v in head.items()) + headers.replace("\n", "\r\n")
    return (text + "\r\n" + body).encode()


def commits(root) -> int:
    out = subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=root, capture_output=True, text=True, check=True)
    return int(out.stdout)


def add_config(root, text: str, clock):
    """gitdesk.yml with `text` added, and a Desk that reads it (a Desk reads its config once)."""
    from gitdesk.desk.facade import Desk

    path = root / "gitdesk.yml"
    path.write_text(path.read_text() + "\n" + text)
    return Desk(root, clock=clock)


def test_own_addresses_are_the_intake_addresses_and_the_mail_sender(desk_root, clock, monkeypatch):
    desk = add_config(desk_root, "intake:\n  address: [Help@Desk.Example, printers@desk.example]\n", clock)
    monkeypatch.setenv("GITDESK_MAIL_FROM", "Service desk <noreply@desk.example>")
    assert own_addresses(desk) == ("help@desk.example", "printers@desk.example", "noreply@desk.example")


def test_a_loop_is_ignored_and_writes_nothing(desk, desk_root):
    before = commits(desk_root)
    outcome = take_email(desk, mail(Auto_Submitted="auto-replied"))
    assert (outcome.kind, outcome.reason) == ("ignored", "auto-submitted (auto-replied)")
    assert commits(desk_root) == before


@pytest.mark.parametrize("sender", ["", "not an address", "bob@"])
def test_no_usable_sender_is_unusable(desk, sender):
    with pytest.raises(Unusable, match="From"):
        take_email(desk, mail(From=sender))
    assert list(desk.tickets()) == []


def test_without_smtp_the_ticket_opens_and_says_no_acknowledgement_went_out(desk):
    outcome = take_email(desk, mail(Message_ID="<m1@example.com>"))
    assert outcome.kind == "opened"
    assert outcome.notes == ["no acknowledgement sent: mail.smtp.host and mail.from are not both set"]
    assert not [e for e in desk.get(outcome.ticket_id).history if e.get("action") == "contact"]


def test_the_acknowledgement_is_sent_and_recorded_in_the_opening_commit(desk, desk_root, inbox):  # noqa: F811
    before = commits(desk_root)
    outcome = take_email(desk, mail(Message_ID="<m1@example.com>"))
    assert outcome.notes[0].startswith("acknowledgement sent (<")
    assert commits(desk_root) == before + 1  # the ticket and its acknowledgement: one commit
    [ack] = inbox.messages()
    assert ack["To"] == "Bob Smith <bob@example.com>" and ack["In-Reply-To"] == "<m1@example.com>"
    assert outcome.ticket_id in str(ack["Subject"])
    [contact] = [e for e in desk.get(outcome.ticket_id).history if e.get("action") == "contact"]
    assert contact["direction"] == "outbound" and contact["via"] == "email"


def test_no_acknowledgement_when_switched_off_for_old_mail_or_for_staff(desk, desk_root, clock, inbox):  # noqa: F811
    old = take_email(desk, mail(Message_ID="<old@x>", Date="Mon, 05 Jan 2026 10:00:00 +0000"), keep_date=True)
    assert old.notes == ["no acknowledgement: the message is older than intake.ack_max_age"]
    assert desk.get(old.ticket_id).meta["created"] == "2026-01-05T10:00:00Z"
    desk = add_config(desk_root, "intake:\n  staff: [desk.example]\nmail:\n  acknowledge: false\n", clock)
    off = take_email(desk, mail(Message_ID="<off@x>"))
    assert off.notes == ["acknowledgement switched off (mail.acknowledge: false)"]
    staff = take_email(desk, mail(Message_ID="<s@x>", From="Ada <ada@desk.example>"))
    assert staff.notes == []  # staff writing from their own mailbox are never acknowledged
    assert inbox.messages() == []


def test_a_date_in_the_future_or_unreadable_is_not_the_tickets_time(desk, clock):
    future = take_email(desk, mail(Message_ID="<f@x>", Date="Fri, 01 Jan 2027 10:00:00 +0000"), keep_date=True)
    garbled = take_email(desk, mail(Message_ID="<g@x>", Date="the day before yesterday"), keep_date=True)
    for outcome in (future, garbled):
        assert desk.get(outcome.ticket_id).meta["created"] == "2026-03-02T09:00:00Z"  # the clock's now


def test_ack_allowed_counts_per_address_per_hour(tmp_path):
    assert [ack_allowed(tmp_path, "Bob@Example.com", NOW, 2) for _ in range(3)] == [True, True, False]
    assert ack_allowed(tmp_path, "ada@example.com", NOW, 2)  # another sender has their own count
    later = NOW + dt.timedelta(hours=1, seconds=1)
    assert ack_allowed(tmp_path, "bob@example.com", later, 2)  # an hour on, the old ones no longer count
    assert json.loads((tmp_path / "acks.json").read_text()) == {"bob@example.com": [later.timestamp()]}


def test_ack_allowed_with_no_allowance_or_a_broken_file(tmp_path):
    assert not ack_allowed(tmp_path, "bob@example.com", NOW, 0)
    (tmp_path / "acks.json").write_text('{"bob@example.com": "not a list", "x": [')
    assert ack_allowed(tmp_path / "new", "bob@example.com", NOW, 1)  # the folder is made
    (tmp_path / "acks.json").write_text('["not", "a", "mapping"]')
    assert ack_allowed(tmp_path, "bob@example.com", NOW, 1)  # derived counts: a broken file starts afresh


def test_batch_goes_on_past_a_message_that_fails_and_keeps_it(desk, desk_root, clock, tmp_path):
    spool = tmp_path / "spool"
    messages = [mail(Message_ID="<a@x>"), mail(From=""), mail(Message_ID="<c@x>", Subject="Second")]
    results = list(batch(desk, iter(messages), spool, acknowledge=False))
    assert [r[0].kind if r[0] else None for r in results] == ["opened", "held", "opened"]
    assert "kept as" in results[1][0].reason
    assert len(list((spool / "held").glob("*.eml"))) == 1
    desk = add_config(desk_root, "intake: [broken]\n", clock)  # every message fails: spooled, reported
    [(outcome, error)] = list(batch(desk, iter([mail(Message_ID="<d@x>")]), spool, acknowledge=False))
    assert outcome is None and "intake" in error
    assert len(list(spool.glob("*.eml"))) == 1


def test_mailbox_messages_counts_and_reads_an_mbox(tmp_path):
    box = mailbox.mbox(str(tmp_path / "in.mbox"))
    for n in range(3):
        box.add(mail(Message_ID=f"<{n}@x>", Subject=f"Request {n}"))
    box.flush()
    count, messages = mailbox_messages(tmp_path / "in.mbox", "mbox")
    assert count == 3
    assert [b"Subject: Request %d" % n in raw for n, raw in enumerate(messages)] == [True] * 3
