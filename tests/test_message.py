"""intake/message.py: one RFC 5322 message read leniently into an `Inbound` (the corpus is in test_intake_email)."""

from __future__ import annotations

import base64

import pytest

from gitdesk.intake.message import decode_bytes, decode_words, parse


def mail(headers: str, body: str = "The printer jams.") -> bytes:
    return (headers.strip().replace("\n", "\r\n") + "\r\n\r\n" + body).encode("utf-8")


def test_thread_ids_are_in_reply_to_first_then_references_nearest_first_without_repeats():
    msg = parse(mail("From: a@b.example\nIn-Reply-To: <r2@x>\nReferences: <r0@x> <r1@x> <r2@x>"))
    assert msg.thread_ids() == ["<r2@x>", "<r1@x>", "<r0@x>"]


def test_message_id_is_the_first_bracketed_id_and_a_missing_one_is_derived_from_the_bytes():
    assert parse(mail("From: a@b.example\nMessage-ID: junk <id-1@x> <id-2@x>")).message_id == "<id-1@x>"
    first, again = parse(mail("From: a@b.example")), parse(mail("From: a@b.example"))
    other = parse(mail("From: a@b.example", "Another text"))
    assert first.message_id == again.message_id  # redelivery of the same bytes is recognised
    assert first.message_id != other.message_id
    assert first.message_id.endswith("@gitdesk.invalid>")


def test_addresses_are_lowercased_and_recipients_come_from_every_delivery_header():
    msg = parse(
        mail(
            'From: Ada <Ada@Example.COM>\nReply-To: "Bob B" <Bob@Relay.Example>\n'
            "To: Help <HELP@desk.example>, x@y.example\nCc: c@d.example\nDelivered-To: printers@desk.example\n"
            "X-Original-To: orig@desk.example"
        )
    )
    assert (msg.sender_name, msg.sender_email) == ("Ada", "ada@example.com")
    assert (msg.reply_name, msg.reply_to) == ("Bob B", "bob@relay.example")
    assert msg.recipients == [
        "help@desk.example",
        "x@y.example",
        "c@d.example",
        "printers@desk.example",
        "orig@desk.example",
    ]


def test_an_encoded_name_cannot_add_an_address_or_a_header():
    name = base64.b64encode(b"Eve\r\nBcc: <mallory@evil.example>").decode()
    msg = parse(mail(f"From: =?utf-8?b?{name}?= <eve@example.com>\nSubject: hello"))
    assert msg.sender_email == "eve@example.com"
    assert "\n" not in msg.sender_name and "\r" not in msg.sender_name


def test_a_reply_to_without_an_address_is_no_reply_to():
    msg = parse(mail("From: a@b.example\nReply-To: just some words"))
    assert msg.reply_to == "" and msg.reply_name == ""


def test_attachments_are_what_is_not_body_text_and_their_names_are_one_line():
    raw = mail(
        'From: a@b.example\nSubject: files\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b1"',
        "\r\n".join(
            [
                "--b1",
                "Content-Type: text/plain; charset=utf-8",
                "",
                "See attached.",
                "--b1",
                'Content-Type: text/plain; name="log.txt"',
                'Content-Disposition: attachment; filename="log.txt"',
                "",
                "line 1",
                "--b1",
                'Content-Type: text/html; name="page.html"',
                "",
                "<p>page</p>",
                "--b1",
                "Content-Type: image/png",
                "Content-Transfer-Encoding: base64",
                "",
                "iVBORw0KGgo=",
                "--b1",
                'Content-Type: application/pdf; name="=?utf-8?q?Rechnung_M=C3=A4rz=0D=0A.pdf?="',
                'Content-Disposition: attachment; filename="=?utf-8?q?Rechnung_M=C3=A4rz=0D=0A.pdf?="',
                "",
                "%PDF",
                "--b1--",
                "",
            ]
        ),
    )
    msg = parse(raw)
    assert msg.body == "See attached."  # only the inline text/plain part is the body
    got = [(a.name, a.content_type, a.data) for a in msg.attachments]
    assert got == [
        ("log.txt", "text/plain", b"line 1"),  # text, but the sender attached it
        ("page.html", "text/html", b"<p>page</p>"),  # a named HTML file is a file, not the body
        ("attachment.png", "image/png", b"\x89PNG\r\n\x1a\n"),  # unnamed: named by its type, decoded
        ("Rechnung März .pdf", "application/pdf", b"%PDF"),  # the encoded CR LF is not in the name
    ]


def test_an_empty_plain_alternative_falls_back_to_the_html_one():
    raw = mail(
        'From: a@b.example\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary="b"',
        "--b\r\nContent-Type: text/plain\r\n\r\n  \r\n--b\r\nContent-Type: text/html\r\n\r\n"
        "<p>The VPN <b>drops</b></p>\r\n--b--\r\n",
    )
    assert parse(raw).body == "The VPN drops"


@pytest.mark.parametrize(
    "headers, reason",
    [
        ("Auto-Submitted: auto-generated; owner=x", "auto-submitted (auto-generated)"),
        ("X-Autoreply: yes", "auto-reply"),
        ("Precedence: junk", "bulk mail (Precedence: junk)"),
        ("Precedence: list", "bulk mail (Precedence: list)"),
        ("List-Id: <printers.lists.example>", "mailing-list mail"),
        ("List-Unsubscribe: <mailto:leave@lists.example>", "mailing-list mail"),
        ("Return-Path: <>", "bounce"),
        ("Content-Type: multipart/report; report-type=delivery-status; boundary=x", "bounce"),
        ("Subject: Out of Office: back Monday", "auto-reply (by its subject)"),
        ("Subject: Abwesenheitsnotiz", "auto-reply (by its subject)"),
    ],
)
def test_loop_reasons(headers, reason):
    assert parse(mail(f"From: bob@example.com\n{headers}")).loop_reason == reason


@pytest.mark.parametrize(
    "headers",
    [
        "Auto-Submitted: no",  # RFC 3834: a person wrote it
        "Precedence: first-class",
        "Subject: Re: out of office laptop will not boot",  # the words, but not at the start
    ],
)
def test_a_person_writing_is_not_a_loop(headers):
    assert parse(mail(f"From: bob@example.com\n{headers}")).loop_reason == ""


def test_bouncer_addresses_and_the_desks_own_address_are_loops():
    assert parse(mail("From: MAILER-DAEMON@mx.example")).loop_reason == "bounce"
    assert parse(mail("From: postmaster@mx.example")).loop_reason == "bounce"
    own = ("help@desk.example",)
    assert parse(mail("From: Desk <Help@Desk.Example>"), own).loop_reason == "mail from the desk's own address"
    assert parse(mail("From: ada@desk.example"), own).loop_reason == ""


def test_decode_bytes_falls_back_from_an_unknown_or_wrong_label():
    assert decode_bytes("café".encode(), "us-ascii") == "café"  # 8-bit UTF-8 labelled ASCII
    assert decode_bytes("café".encode("cp1252"), "x-no-such-charset") == "café"
    assert decode_bytes(b"\x81\xff", "utf-8") == "\ufffdÿ"  # neither label nor UTF-8: Windows-1252, never raises
    assert decode_bytes(b"", None) == ""


def test_decode_words_leaves_malformed_words_as_written():
    assert decode_words("=?utf-8?q?never_closed") == "=?utf-8?q?never_closed"
    assert decode_words("Re: =?utf-8?q?Caf=C3=A9?= ok") == "Re: Café ok"
