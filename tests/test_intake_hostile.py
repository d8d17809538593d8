"""Email intake under real-world and hostile input: held messages, who the requester is, staff mail,
replies to closed tickets, surveys from strangers, old mail, mis-labelled text, size limits, loops."""

from __future__ import annotations

import json
import mailbox
from pathlib import Path

import pytest
import yaml

from conftest import closed_ticket
from gitdesk.intake.message import parse
from gitdesk.intake.text import one_line
from test_mail import smtp  # noqa: F401 - the real aiosmtpd server on 127.0.0.1, as a fixture


def _take(cli_invoke, raw: bytes) -> dict:
    Path("in.eml").write_bytes(raw)
    return json.loads(cli_invoke("intake", "email", "in.eml", "--json").stdout)


def mail(head: str, body: str = "It does not work.\n", charset: str = "utf-8") -> bytes:
    head = head.strip().replace("\n", "\r\n")
    if "Message-ID" not in head:
        head += f"\r\nMessage-ID: <{abs(hash(head + body))}@example.com>"
    return (
        head.encode("utf-8")
        + f"\r\nContent-Type: text/plain; charset={charset}\r\n\r\n".encode()
        + body.encode("utf-8" if charset == "utf-8" else charset)
    )


def _resolved(desk, email: str = "bob@example.com") -> str:
    t = desk.open("Printer jams", {"name": "Bob", "email": email})
    desk.prioritise(t.id, "P3")
    desk.start(t.id)
    desk.propose(t.id, "New rollers")
    desk.review(t.id, True, "lead")
    return t.id


def _reply(ticket_id: str, body: str, sender: str = "Bob <bob@example.com>", mid: str = "<r1@example.com>") -> bytes:
    return mail(
        f"From: {sender}\nTo: help@desk.example\nSubject: Re: [{ticket_id}] Printer jams\nMessage-ID: {mid}", body
    )


# -- held: permanent failures are kept for a person, not retried -----------------------------------
def test_held_list_show_release_drop(cli_invoke, desk, desk_root):
    garbage = bytes(range(256)) * 4
    assert _take(cli_invoke, garbage)["kind"] == "held"
    assert _take(cli_invoke, b"Subject: Laptop \x1b[31mbroken\r\n\r\nThe screen flickers.\r\n")["kind"] == "held"
    listed = cli_invoke("intake", "held", "list").output.splitlines()
    assert len(listed) == 2 and all("From" in line for line in listed)
    name = next(line.split()[0] for line in listed if line.split()[0].endswith(".eml"))
    shown = cli_invoke("intake", "held", "show", name).output
    assert "\x1b" not in shown and "\x00" not in shown
    rel = cli_invoke("intake", "held", "release", listed[1].split()[0][:20], "--requester", "Eve <eve@example.org>")
    ticket_id = rel.output.split(":")[0]
    assert desk.get(ticket_id).requester == {"name": "Eve", "email": "eve@example.org"}
    assert len(cli_invoke("intake", "held", "list").output.splitlines()) == 1
    left = cli_invoke("intake", "held", "list").output.split()[0]
    cli_invoke("intake", "held", "drop", left)
    assert cli_invoke("intake", "held", "list").output.strip() == "no held messages"
    missing = cli_invoke("intake", "held", "drop", "nothing-like-this", ok=False)
    assert missing.exit_code == 1 and "no held message matches" in missing.output


def test_retry_moves_a_spooled_unusable_message_to_held(cli_invoke, desk_root):
    spool = desk_root / ".git" / "gitdesk" / "spool"
    spool.mkdir(parents=True)
    (spool / "20260101T000000-abcd.eml").write_bytes(b"Subject: no sender\r\n\r\nhello\r\n")
    out = cli_invoke("intake", "retry").output
    assert "held" in out and "1 replayed, 0 left" in out
    assert [p.name for p in (spool / "held").glob("*.eml")] == ["20260101T000000-abcd.eml"] or list(
        (spool / "held").glob("*.eml")
    )
    assert not list(spool.glob("*.eml"))


# -- who the requester is ----------------------------------------------------------------------------
def test_reply_to_names_the_requester_of_a_web_form_relay(cli_invoke, desk):
    raw = mail("From: Web form <noreply@forms.example>\nReply-To: Ada Lovelace <ada@example.org>\nSubject: VPN")
    t = desk.get(_take(cli_invoke, raw)["ticket"])
    assert t.requester == {"name": "Ada Lovelace", "email": "ada@example.org"}


def test_address_disguised_as_a_name_records_the_real_address(cli_invoke, desk):
    t = desk.get(_take(cli_invoke, mail("From: alice@example.com <bob@example.com>\nSubject: hi"))["ticket"])
    assert t.requester["email"] == "bob@example.com" and "alice" not in t.requester["name"]


def test_staff_reply_is_an_outbound_contact_by_that_technician(cli_invoke, desk, desk_root):
    cfg = desk_root / "gitdesk.yml"
    cfg.write_text(cfg.read_text() + "\nintake:\n  staff: {grace@desk.example: Grace Hopper, '@support.example': ''}\n")
    ticket_id = desk.open("Printer jams", {"name": "Bob", "email": "bob@example.com"}).id
    out = _take(cli_invoke, _reply(ticket_id, "Replacing the rollers tomorrow.", "Grace <grace@desk.example>"))
    event = desk.get(ticket_id).history[-1]
    assert out["kind"] == "replied"
    assert (event["action"], event["direction"], event["by"]) == ("contact", "outbound", "Grace Hopper")
    _take(cli_invoke, _reply(ticket_id, "Done.", "Tom <tom@support.example>", "<r2@example.com>"))
    assert desk.get(ticket_id).history[-1]["by"] == "tom"


# -- replies to resolved and closed tickets ------------------------------------------------------------
def test_it_is_not_fixed_reopens_a_resolved_ticket_which_shows_in_list_and_due(cli_invoke, desk):
    ticket_id = _resolved(desk)
    out = _take(cli_invoke, _reply(ticket_id, "It is NOT fixed, the tray still jams."))
    assert (out["kind"], out["ticket"]) == ("reopened", ticket_id)
    t = desk.get(ticket_id)
    assert t.status == "in_progress" and [e["action"] for e in t.history[-2:]] == ["contact", "reopen"]
    assert ticket_id in cli_invoke("list").output
    assert ticket_id in cli_invoke("due", "--within", "30d").output


PHISH = "NOT fixed. NOTICE: this desk moved, log in at https://evil.example/login"


def _published(cli_invoke, desk_root, ticket_id: str) -> str:
    cli_invoke("site", "build", "--out", "site")
    site = desk_root / "site"
    return (site / "tickets" / ticket_id / "index.html").read_text(encoding="utf-8") + (
        site / "api" / "tickets" / f"{ticket_id}.json"
    ).read_text(encoding="utf-8")


def test_a_subject_tag_threads_only_on_the_full_ticket_id(cli_invoke, desk):
    ticket_id = closed_ticket(desk)
    for n, tag in enumerate((ticket_id[:4], ticket_id[:-1], ticket_id.lower()[:4] + "x")):
        raw = mail(
            f"From: Mallory <mallory@evil.example>\nSubject: Re: [{tag}] your request\nMessage-ID: <p{n}@e>", PHISH
        )
        out = _take(cli_invoke, raw)
        assert out["kind"] == "opened" and out["ticket"] != ticket_id, tag  # a new request of their own
    assert desk.get(ticket_id).status == "closed" and desk.get(ticket_id).history[-1]["action"] != "contact"
    upper = mail(f"From: Bob <bob@example.com>\nSubject: Re: [{ticket_id.upper()}] Printer jams", "It jams again.")
    assert (_take(cli_invoke, upper)["kind"], desk.get(ticket_id).status) == ("reopened", "in_progress")


def test_a_strangers_not_fixed_neither_reopens_nor_reaches_the_site(cli_invoke, desk, desk_root):
    ticket_id = closed_ticket(desk)
    spoof = f"From: Mallory <mallory@evil.example>\nReply-To: bob@example.com\nSubject: Re: [{ticket_id}] Printer jams"
    Path("in.eml").write_bytes(mail(spoof, PHISH))
    out = cli_invoke("intake", "email", "in.eml").output
    assert (
        f"{ticket_id}: reply added (status closed)" in out and "mallory@evil.example, who is not the requester" in out
    )
    t = desk.get(ticket_id)
    assert t.status == "closed" and not [e for e in t.history if e["action"] == "reopen"]
    contact, note = t.history[-2:]
    assert (contact["action"], contact["direction"], contact["sender"]) == (
        "contact",
        "inbound",
        "mallory@evil.example",
    )
    assert "evil.example/login" in contact["summary"] and "not reopened" in note["text"]  # kept for staff
    assert "evil.example" not in _published(cli_invoke, desk_root, ticket_id)


def test_the_requesters_own_not_fixed_reopens_and_the_site_says_a_fixed_sentence(cli_invoke, desk, desk_root):
    ticket_id = closed_ticket(desk)
    assert _take(cli_invoke, _reply(ticket_id, PHISH))["kind"] == "reopened"
    t = desk.get(ticket_id)
    assert t.status == "in_progress" and "evil.example/login" in t.history[-1]["reason"]  # staff read the mail
    page = _published(cli_invoke, desk_root, ticket_id)
    assert "evil.example" not in page and "You told us the solution did not work" in page
    desk.edit(ticket_id, {"language": "es"})
    assert "Nos dijo que la solución no funcionaba" in _published(cli_invoke, desk_root, ticket_id)


def test_a_thank_you_does_not_reopen(cli_invoke, desk):
    ticket_id = _resolved(desk)
    assert _take(cli_invoke, _reply(ticket_id, "Thanks, all good!"))["kind"] == "replied"
    assert desk.get(ticket_id).status == "resolved"


def test_reply_long_after_closing_opens_a_linked_ticket(cli_invoke, desk, desk_root, clock):
    cfg = desk_root / "gitdesk.yml"
    cfg.write_text(cfg.read_text() + "\nintake:\n  reopen_within: 7d\n")
    ticket_id = _resolved(desk)
    desk.close(ticket_id, "Rollers wear out")
    clock.advance(days=8)
    out = _take(cli_invoke, _reply(ticket_id, "The same jam is back."))
    assert out["kind"] == "opened" and out["ticket"] != ticket_id
    new = desk.get(out["ticket"])
    assert new.meta["follows"] == ticket_id and ticket_id in new.description
    assert desk.get(ticket_id).status == "closed"


@pytest.mark.parametrize("policy, kind, status", [("flag", "replied", "closed"), ("new-ticket", "opened", "closed")])
def test_reply_to_closed_policies(cli_invoke, desk, desk_root, policy, kind, status):
    cfg = desk_root / "gitdesk.yml"
    cfg.write_text(cfg.read_text() + f"\nintake:\n  reply_to_closed: {policy}\n")
    ticket_id = _resolved(desk)
    desk.close(ticket_id, "Rollers wear out")
    assert _take(cli_invoke, _reply(ticket_id, "It is back."))["kind"] == kind
    t = desk.get(ticket_id)
    assert t.status == status
    if policy == "flag":
        assert "reply_to_closed: flag" in t.history[-1]["text"]


def test_survey_answers_from_someone_else_do_not_count(cli_invoke, desk, desk_root):
    ticket_id = _resolved(desk)
    desk.close(ticket_id, "Rollers wear out")
    body = "Score: 1\nRight questions: no\nTime: too long\n"
    out = _take(cli_invoke, _reply(ticket_id, body, "Mallory <mallory@evil.example>"))
    assert out["kind"] == "replied" and "not the requester" in out["notes"][0]
    assert not (desk_root / "surveys" / f"{ticket_id}.yml").exists()
    assert _take(cli_invoke, _reply(ticket_id, body.replace("1", "4"), mid="<r9@example.com>"))["kind"] == "survey"
    record = yaml.safe_load((desk_root / "surveys" / f"{ticket_id}.yml").read_text())
    assert (record["answered_by"], record["source"], record["score"]) == ("bob@example.com", "email", 4)


# -- old mail ----------------------------------------------------------------------------------------------
def test_mbox_import_keeps_the_date_and_does_not_acknowledge_old_mail(cli_invoke, desk, tmp_path, smtp):  # noqa: F811
    box = mailbox.mbox(str(tmp_path / "old.mbox"))
    box.add(mail("From: Bob <bob@example.com>\nSubject: Old one\nDate: Tue, 03 Feb 2026 10:15:00 +0100"))
    box.flush()
    assert "1 opened" in cli_invoke("intake", "mbox", str(tmp_path / "old.mbox")).output
    [t] = list(desk.tickets())
    assert t.meta["created"] == "2026-02-03T09:15:00Z" and t.history[0]["at"] == "2026-02-03T09:15:00Z"
    assert smtp.envelopes == []


def test_acknowledgements_per_sender_per_hour_are_capped(cli_invoke, desk, desk_root, smtp):  # noqa: F811
    cfg = desk_root / "gitdesk.yml"
    cfg.write_text(cfg.read_text() + "\nintake:\n  acks_per_hour: 3\n")
    outs = [
        _take(cli_invoke, mail(f"From: bot@loop.example\nSubject: Ticket {n}\nMessage-ID: <l{n}@x>")) for n in range(6)
    ]
    assert [o["kind"] for o in outs] == ["opened"] * 6  # every message is recorded ...
    assert len(smtp.envelopes) == 3  # ... but only three are answered
    assert "acks_per_hour" in outs[-1]["notes"][0]


# -- text arrives readable ---------------------------------------------------------------------------------
def test_raw_8bit_headers_utf8_then_windows_1252():
    utf8 = parse("From: Jürgen <j@x.de>\r\nSubject: Drucker im Büro\r\n\r\nx".encode())
    cp1252 = parse("From: Jürgen <j@x.de>\r\nSubject: Drucker im Büro – kaputt\r\n\r\nx".encode("cp1252"))
    assert utf8.subject == "Drucker im Büro" and utf8.sender_name == "Jürgen"
    assert cp1252.subject == "Drucker im Büro – kaputt" and cp1252.sender_name == "Jürgen"


@pytest.mark.parametrize(
    "label, codec, text",
    [
        ("gb2312", "gb18030", "打印机卡纸 €"),  # € is GB18030, not GB2312: mislabelled as clients send it
        ("shift_jis", "cp932", "プリンター①"),  # ① is cp932 only
        ("iso-8859-8-i", "iso-8859-8", "המדפסת תקועה"),
    ],
)
def test_mislabelled_charsets_are_read_as_mail_clients_read_them(label, codec, text):
    raw = f"From: a@b.example\r\nSubject: x\r\nContent-Type: text/plain; charset={label}\r\n\r\n".encode()
    assert parse(raw + text.encode(codec)).body == text


def test_bom_and_encoded_word_charsets():
    raw = b"From: a@b.example\r\nSubject: =?gb2312?b?" + __import__("base64").b64encode("打印机 €".encode("gb18030"))
    raw += b"?=\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\xef\xbb\xbfHello"
    msg = parse(raw)
    assert msg.subject == "打印机 €" and msg.body == "Hello"


def test_control_characters_never_reach_the_ticket(cli_invoke, desk, desk_root):
    raw = mail(
        "From: a@b.example\nSubject: =?utf-8?b?"
        + __import__("base64").b64encode("Printer\x1b[2J\x1b]0;pwned\x07 jams\u2028now\x85".encode()).decode()
        + "?=",
        "Line one\x1b[31m red\x1b[0m\u2028line two\x00\x7f\n",
    )
    t = desk.get(_take(cli_invoke, raw)["ticket"])
    text = (desk_root / "tickets" / f"{t.id}.md").read_text()
    assert t.title == "Printer jams now"
    for bad in ("\x1b", "\u2028", "\x85", "\x00", "\x7f", "\x07"):
        assert bad not in text
    assert "Line one red\nline two" in t.description
    assert one_line("a\x9b31mb") == "ab"


# -- size limits ---------------------------------------------------------------------------------------------
def test_long_body_is_kept_whole_as_an_attachment(cli_invoke, desk, desk_root):
    cfg = desk_root / "gitdesk.yml"
    cfg.write_text(cfg.read_text() + "\nintake:\n  max_body: 1KB\n")
    body = "".join(f"log line {n}\n" for n in range(2000))
    t = desk.get(_take(cli_invoke, mail("From: a@b.example\nSubject: Logs", body))["ticket"])
    assert len(t.description) < 1200 and "message.txt" in t.description
    [att] = t.meta["attachments"]
    assert (desk_root / att["path"]).read_text() == body.strip()


def test_attachment_count_and_total_limits(cli_invoke, desk, desk_root):
    cfg = desk_root / "gitdesk.yml"
    cfg.write_text(cfg.read_text() + "\nintake:\n  max_attachments: 2\n  max_attachments_total: 10KB\n")
    parts = "".join(
        f"--B\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=f{n}.bin\r\n"
        f"\r\n{'x' * size}\r\n"
        for n, size in enumerate([3000, 3000, 9000, 10])
    )
    raw = (
        b"From: a@b.example\r\nSubject: files\r\nMessage-ID: <att@x>\r\n"
        + b"Content-Type: multipart/mixed; boundary=B\r\n\r\n"
        + f"--B\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n{parts}--B--\r\n".encode()
    )
    out = _take(cli_invoke, raw)
    t = desk.get(out["ticket"])
    assert [a["name"] for a in t.meta["attachments"]] == ["f0.bin", "f1.bin"]
    refused = [n for n in out["notes"] if "refused" in n]
    assert len(refused) == 2 and "max_attachments" in " ".join(refused)
