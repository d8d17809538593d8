"""Email intake: the message corpus, threading, de-duplication, loops, attachments, routing, the spool."""

from __future__ import annotations

import json
import mailbox
import subprocess
from pathlib import Path

import pytest

from conftest import gitdesk_exe
from gitdesk.intake.message import parse

MAIL = Path(__file__).parent / "fixtures" / "mail"

# file -> (subject, sender, words in the body, product, location, loop reason)
CORPUS = {
    "plain.eml": (
        "Printer on floor 3 jams",
        "bob@example.com",
        ["jamming on tray 2"],
        {"model": "HP-M404", "account": "AC-1001"},
        "Floor 3, room 301",
        "",
    ),
    "multipart-alternative.eml": (
        "VPN drops every 10 minutes",
        "carla@example.org",
        ["Café wifi"],
        {"licence": "LIC-778"},
        "",
        "",
    ),
    "html-only.eml": (
        "VPN fällt aus",
        "dan@example.net",
        ["The VPN drops every 10 minutes.", "- Windows 11"],
        {"licence": "LIC-778"},
        "",
        "",
    ),
    "base64.eml": (
        "Drucker druckt leere Seiten",
        "juergen@example.de",
        ["im Büro druckt"],
        {"model": "Kyocera-2040"},
        "",
        "",
    ),
    "quoted-printable.eml": (
        "Scanner après mise à jour",
        "francois@example.fr",
        ["ne répond plus après la mise à jour — merci."],
        {},
        "",
        "",
    ),
    "iso-8859-1.eml": ("Problème d'accès", "renee@example.fr", ["accès à mon compte", "Gérard"], {}, "", ""),
    "windows-1252.eml": ("Laptop won't boot", "pat@example.ie", ["“no boot device” – costs me €50"], {}, "", ""),
    "forwarded.eml": (
        "Fwd: Monitor flickers",
        "mia@example.com",
        ["Please help Tom", "From: Tom <tom@example.com>", "flickers when the desk lamp"],
        {"model": "Dell-U2720Q"},
        "",
        "",
    ),
    "malformed.eml": (
        "Broken mail client",
        "eve@example.com",
        ["This is not base64 at all!!!"],
        {"model": "Mystery-1"},
        "",
        "",
    ),
    "auto-reply.eml": (
        "Automatic reply: Received: Printer on floor 3 jams",
        "bob@example.com",
        ["out of the office"],
        {},
        "",
        "auto-submitted (auto-replied)",
    ),
    "bulk.eml": ("Our March newsletter", "news@vendor.example", ["offers"], {}, "", "bulk mail (Precedence: bulk)"),
    "bounce.eml": (
        "Undelivered Mail Returned to Sender",
        "mailer-daemon@mx.example.com",
        ["could not be delivered"],
        {},
        "",
        "auto-submitted (auto-replied)",
    ),
}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_parses(name):
    from gitdesk.intake.text import read_fields

    subject, sender, words, product, location, loop = CORPUS[name]
    msg = parse((MAIL / name).read_bytes())
    assert msg.subject == subject
    assert msg.sender_email == sender
    for word in words:
        assert word in msg.body, (word, msg.body)
    assert read_fields(msg.body) == (product, location)
    assert msg.loop_reason == loop


def test_malformed_mime_keeps_the_text():
    msg = parse((MAIL / "malformed.eml").read_bytes())
    # no boundary declared: the parts cannot be split, but the words are salvaged without MIME lines
    assert "Content-Transfer-Encoding" not in msg.body and "--nobody" not in msg.body
    assert msg.message_id == "<broken-1@example.com>"


def test_html_is_text_without_markup():
    body = parse((MAIL / "html-only.eml").read_bytes()).body
    assert "<" not in body and "color:red" not in body


def _take(cli_invoke, name_or_bytes, *extra, ok=True):
    data = (MAIL / name_or_bytes).read_bytes() if isinstance(name_or_bytes, str) else name_or_bytes
    path = Path("incoming.eml")
    path.write_bytes(data)
    return cli_invoke("intake", "email", str(path), "--json", *extra, ok=ok)


def _outcome(result):
    return json.loads(result.stdout.splitlines()[0])


def _commits(root: Path) -> int:
    return int(
        subprocess.run(
            ["git", "rev-list", "--count", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout
    )


def test_new_message_opens_a_ticket_with_its_details(cli_invoke, desk):
    out = _outcome(_take(cli_invoke, "plain.eml"))
    assert out["kind"] == "opened"
    t = desk.get(out["ticket"])
    assert t.title == "Printer on floor 3 jams"
    assert t.requester == {"name": "Bob Smith", "email": "bob@example.com"}
    assert t.meta["channel"] == "email" and t.status == "new"
    assert t.meta["product"] == {"model": "HP-M404", "account": "AC-1001"}
    assert t.meta["location"] == "Floor 3, room 301"
    assert t.meta["message_ids"] == ["<plain-1@mail.example.com>"]
    assert "jamming on tray 2" in t.description


def test_same_message_twice_changes_nothing(cli_invoke, desk_root):
    first = _outcome(_take(cli_invoke, "plain.eml"))
    before = _commits(desk_root)
    again = _take(cli_invoke, "plain.eml")
    assert _outcome(again) == {
        "kind": "duplicate",
        "ticket": first["ticket"],
        "reason": "<plain-1@mail.example.com> was delivered before",
        "notes": [],
    }
    assert _commits(desk_root) == before


def test_reply_threads_by_in_reply_to_and_brings_waiting_back(cli_invoke, desk):
    ticket_id = _outcome(_take(cli_invoke, "plain.eml"))["ticket"]
    desk.prioritise(ticket_id, "P3")
    desk.start(ticket_id)
    desk.wait(ticket_id, "Which tray?")
    reply = (
        (MAIL / "reply-template.eml")
        .read_text()
        .replace("{ticket}", "HD-00000000")
        .replace("{in_reply_to}", "<plain-1@mail.example.com>")
    )
    out = _outcome(_take(cli_invoke, reply.encode()))
    assert out["kind"] == "replied" and out["ticket"] == ticket_id
    t = desk.get(ticket_id)
    assert t.status == "in_progress"
    event = t.history[-1]
    assert event["action"] == "contact" and event["direction"] == "inbound" and event["via"] == "email"
    assert event["summary"] == "It is tray 2, and only with thick paper."  # quoted history cut off
    assert event["message_id"] == "<reply-1@mail.example.com>"
    assert "<reply-1@mail.example.com>" in t.meta["message_ids"]


def test_reply_threads_by_subject_tag_when_headers_are_lost(cli_invoke, desk):
    ticket_id = _outcome(_take(cli_invoke, "plain.eml"))["ticket"]
    reply = (
        (MAIL / "reply-template.eml")
        .read_text()
        .replace("{ticket}", ticket_id)
        .replace("{in_reply_to}", "<unknown@elsewhere>")
    )
    out = _outcome(_take(cli_invoke, reply.encode()))
    assert (out["kind"], out["ticket"]) == ("replied", ticket_id)


@pytest.mark.parametrize("name", ["auto-reply.eml", "bulk.eml", "bounce.eml"])
def test_loops_never_open_tickets(cli_invoke, desk_root, name):
    before = _commits(desk_root)
    out = _outcome(_take(cli_invoke, name))
    assert out["kind"] == "ignored" and out["reason"]
    assert _commits(desk_root) == before
    assert not list((desk_root / "tickets").glob("*.md"))


def test_mail_from_the_desks_own_address_is_ignored(cli_invoke, desk_root):
    (desk_root / "gitdesk.yml").write_text(
        (desk_root / "gitdesk.yml").read_text() + "\nintake:\n  address: [bob@example.com]\n"
    )
    assert _outcome(_take(cli_invoke, "plain.eml"))["kind"] == "ignored"


def test_attachment_is_stored_beside_the_ticket_with_a_safe_name(cli_invoke, desk, desk_root):
    out = _outcome(_take(cli_invoke, "attachment.eml"))
    t = desk.get(out["ticket"])
    [record] = t.meta["attachments"]
    assert record["name"] == "screen_shot.png"  # no path escape, no space
    stored = desk_root / record["path"]
    assert stored.parent == desk_root / "tickets" / t.id / "attachments"
    assert stored.read_bytes().startswith(b"\x89PNG") and record["size"] == stored.stat().st_size == 1032
    tracked = subprocess.run(["git", "ls-files", record["path"]], cwd=desk_root, capture_output=True, text=True)
    assert tracked.stdout.strip() == record["path"]
    assert (
        subprocess.run(
            ["git", "status", "--porcelain", "tickets"], cwd=desk_root, capture_output=True, text=True
        ).stdout
        == ""
    )


def test_20mb_attachment_is_refused_with_a_note(cli_invoke, desk, desk_root):
    import base64

    # built by hand: the stdlib generator takes seconds to fold 27 MB of base64
    dump = base64.encodebytes(b"\0" * (20 * 1024 * 1024)).replace(b"\n", b"\r\n")
    raw = (
        b"From: Bob <bob@example.com>\r\nTo: help@desk.example\r\nSubject: Crash dump\r\n"
        b"Message-ID: <big-1@example.com>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n'
        b"The dump is attached.\r\n--b\r\nContent-Type: application/octet-stream\r\n"
        b'Content-Disposition: attachment; filename="crash.dmp"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        + dump
        + b"--b--\r\n"
    )
    out = _outcome(_take(cli_invoke, raw))
    assert out["kind"] == "opened"
    t = desk.get(out["ticket"])
    assert "attachments" not in t.meta
    note = t.history[-1]
    assert note["action"] == "note" and "'crash.dmp' (20.0 MB) refused" in note["text"]
    assert "10.0 MB limit" in note["text"]
    assert not (desk_root / "tickets" / t.id).exists()


@pytest.mark.parametrize(
    ("rule", "queue"),
    [
        ("{to: network@desk.example, queue: network}", "network"),
        ("{keyword: [tray], queue: hardware}", "hardware"),
        ("{product: {model: 'hp-*'}, queue: hardware}", "hardware"),
        ("{keyword: vpn, queue: network}", "service-desk"),
    ],
)
def test_routing_rules_pick_the_queue(cli_invoke, desk, desk_root, rule, queue):
    (desk_root / "gitdesk.yml").write_text(
        (desk_root / "gitdesk.yml").read_text() + f"\nintake:\n  routes:\n    - {rule}\n"
    )
    raw = (
        (MAIL / "plain.eml").read_bytes().replace(b"To: Service Desk <help@desk.example>", b"To: network@desk.example")
    )
    assert desk.get(_outcome(_take(cli_invoke, raw))["ticket"]).meta["queue"] == queue


def test_bad_routing_config_names_the_key(cli_invoke, desk_root):
    (desk_root / "gitdesk.yml").write_text(
        (desk_root / "gitdesk.yml").read_text() + "\nintake:\n  routes:\n    - {keyword: vpn, queue: nowhere}\n"
    )
    result = _take(cli_invoke, "plain.eml", ok=False)
    assert result.exit_code == 75
    assert "intake.routes[0].queue: 'nowhere' is not one of the queues" in result.output


def test_failure_mid_intake_spools_then_retry_succeeds(cli_invoke, desk_root, monkeypatch):
    from gitdesk.git.repo import GitRepo

    real_commit = GitRepo.commit_paths

    def disk_full(self, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(GitRepo, "commit_paths", disk_full)
    result = _take(cli_invoke, "attachment.eml", ok=False)
    assert result.exit_code == 75
    assert "No space left on device" in result.output and "intake retry" in result.output
    assert "Traceback" not in result.output
    spool = desk_root / ".git" / "gitdesk" / "spool"
    [kept] = [p for p in spool.iterdir() if p.suffix == ".eml"]
    assert kept.read_bytes() == (MAIL / "attachment.eml").read_bytes()
    assert not list((desk_root / "tickets").glob("*.md")) and not list((desk_root / "tickets").glob("HD-*"))

    monkeypatch.setattr(GitRepo, "commit_paths", real_commit)
    again = cli_invoke("intake", "retry")
    assert "1 replayed, 0 left" in again.output
    assert len(list((desk_root / "tickets").glob("*.md"))) == 1
    assert not [p for p in spool.iterdir() if p.suffix == ".eml"]


def test_subprocess_spool_on_broken_config_and_retry(desk_root):
    """A real `gitdesk` process fed through a pipe, as a mail server does."""
    config = desk_root / "gitdesk.yml"
    good = config.read_text()
    config.write_text(good + "\nintake:\n  max_attachment: lots\n")
    raw = (MAIL / "plain.eml").read_bytes()
    proc = subprocess.run([*gitdesk_exe(), "intake", "email"], input=raw, cwd=desk_root, capture_output=True)
    assert proc.returncode == 75, proc.stderr
    err = proc.stderr.decode()
    assert "intake.max_attachment: 'lots' is not a size" in err and len(err.strip().splitlines()) == 1
    config.write_text(good)
    proc = subprocess.run([*gitdesk_exe(), "intake", "retry"], cwd=desk_root, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "opened" in proc.stdout
    # the mail server's own retry of the same message now changes nothing
    proc = subprocess.run([*gitdesk_exe(), "intake", "email"], input=raw, cwd=desk_root, capture_output=True)
    assert proc.returncode == 0 and b"already received" in proc.stdout


def test_mbox_import_with_progress(cli_invoke, desk_root, tmp_path):
    box = mailbox.mbox(str(tmp_path / "old.mbox"))
    for name in ("plain.eml", "base64.eml", "bulk.eml", "windows-1252.eml"):
        box.add((MAIL / name).read_bytes())
    box.flush()
    result = cli_invoke("intake", "mbox", str(tmp_path / "old.mbox"), "--no-ack")
    assert "3 opened" in result.output and "1 ignored" in result.output
    assert len(list((desk_root / "tickets").glob("*.md"))) == 3


def test_maildir_import(cli_invoke, desk_root, tmp_path):
    box = mailbox.Maildir(str(tmp_path / "Maildir"))
    for name in ("plain.eml", "quoted-printable.eml"):
        box.add((MAIL / name).read_bytes())
    result = cli_invoke("intake", "maildir", str(tmp_path / "Maildir"), "--no-ack")
    assert "2 opened" in result.output


def test_message_without_sender_is_held_not_retried(cli_invoke, desk_root):
    """It can never succeed: held for a person with the reason, exit 0 (no retry loop, no backscatter)."""
    raw = b"Subject: hi\r\n\r\nno sender here\r\n"
    result = _take(cli_invoke, raw)
    assert '"kind": "held"' in result.output and "From:" in result.output
    held = desk_root / ".git" / "gitdesk" / "spool" / "held"
    [kept] = [p for p in held.iterdir() if p.suffix == ".eml"]
    assert kept.read_bytes() == raw and "From:" in (held / f"{kept.name}.error").read_text()
    assert not list((desk_root / "tickets").glob("*.md"))


@pytest.mark.parametrize(
    ("body", "product", "location"),
    [
        ("Modelo: Brother HL-L6400\nUbicación: Madrid, planta 2\n", {"model": "Brother HL-L6400"}, "Madrid, planta 2"),
        (
            "Model: Dell Latitude 5440\nUbicació: Barcelona, sala 3\nLlicència: W11-88\n",
            {"model": "Dell Latitude 5440", "licence": "W11-88"},
            "Barcelona, sala 3",
        ),
    ],
)
def test_field_lines_in_spanish_and_catalan(body, product, location):
    from gitdesk.intake.text import read_fields

    assert read_fields(body) == (product, location)
