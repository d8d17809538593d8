"""cli/commands/intake.py: what the intake, notify, due and kb commands print and which exit status
tells a mail server, a cron job or a person what happened."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import git
from gitdesk.errors import ExitCode

MAIL = Path(__file__).parent / "fixtures" / "mail"


def test_an_opened_request_is_one_json_outcome(cli_invoke, desk):
    out = cli_invoke("intake", "email", MAIL / "plain.eml", "--json").stdout
    (line,) = out.splitlines()
    outcome = json.loads(line)
    assert sorted(outcome) == ["kind", "notes", "reason", "ticket"]
    assert outcome["kind"] == "opened" and desk.get(outcome["ticket"]).title == "Printer on floor 3 jams"


def test_an_opened_request_points_at_related_kb_articles(cli_invoke, desk_root):
    (desk_root / "kb" / "printer-jams.md").write_text(
        "---\ntitle: Printer jams on tray 2\ntags: []\n---\n\nWorn rollers jam the printer.\n"
    )
    git(desk_root, "add", "kb")
    git(desk_root, "commit", "-qm", "an article")
    lines = cli_invoke("intake", "email", MAIL / "plain.eml").stdout.splitlines()
    assert lines[0].startswith("HD-") and lines[0].endswith(": opened (queue service-desk)")
    assert "  related: kb/printer-jams.md  Printer jams on tray 2" in lines


def test_a_message_the_desk_cannot_take_yet_stays_spooled_on_retry(cli_invoke, desk_root):
    config = desk_root / "gitdesk.yml"
    good = config.read_text()
    config.write_text(good + "\nintake:\n  max_attachment: lots\n")
    assert cli_invoke("intake", "email", MAIL / "plain.eml", ok=False).exit_code == ExitCode.TEMPFAIL
    again = cli_invoke("intake", "retry", ok=False)
    assert again.exit_code == ExitCode.TEMPFAIL
    assert again.stdout.splitlines()[-1] == "spool: 0 replayed, 1 left"
    spool = desk_root / ".git" / "gitdesk" / "spool"
    (kept,) = spool.glob("*.eml")
    first, last = again.stderr.splitlines()
    assert first.startswith(f"{kept}: still failing: gitdesk.yml: intake.max_attachment: 'lots' is not a size")
    assert last == f"  a message that can never be taken can be deleted from {spool}"
    config.write_text(good)
    assert cli_invoke("intake", "retry").stdout.splitlines()[-1] == "spool: 1 replayed, 0 left"


def test_retry_of_an_empty_spool(cli_invoke):
    assert cli_invoke("intake", "retry").stdout == "spool: 0 replayed, 0 left\n"


def test_an_empty_mbox_imports_nothing(cli_invoke, tmp_path):
    box = tmp_path / "empty.mbox"
    box.write_bytes(b"")
    result = cli_invoke("intake", "mbox", box)
    assert result.stdout == "no messages\n"


def test_held_list_json_names_each_message_and_why(cli_invoke):
    cli_invoke("intake", "email", "-", input="Subject: hi\n\nno sender here\n")
    (row,) = json.loads(cli_invoke("intake", "held", "list", "--json").stdout)
    assert sorted(row) == ["name", "reason", "size"]
    assert row["name"].endswith(".eml") and row["size"] > 0 and "From:" in row["reason"]
    shown = cli_invoke("intake", "held", "show", row["name"]).stdout
    assert shown.startswith(f"{row['name']}: held: ") and "no sender here" in shown


def test_serve_needs_the_signing_secret_before_it_listens(cli_invoke, monkeypatch):
    monkeypatch.delenv("GITDESK_SLACK_SIGNING_SECRET", raising=False)
    result = cli_invoke("intake", "serve", "--port", "0", ok=False)
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr == "gitdesk: set GITDESK_SLACK_SIGNING_SECRET to the Slack app's signing secret\n"


def test_due_with_nothing_due(cli_invoke):
    assert cli_invoke("due", "--within", "4h").stdout == "no check-ins due within 4h\n"
    assert json.loads(cli_invoke("due", "--json").stdout) == []


def test_kb_search_with_no_match_and_its_limits(cli_invoke):
    assert cli_invoke("kb", "search", "printer").stdout == "no matching articles\n"
    assert json.loads(cli_invoke("kb", "search", "printer", "--json").stdout) == []
    assert cli_invoke("kb", "search", "printer", "--limit", "0", ok=False).exit_code == ExitCode.USAGE
    assert cli_invoke("kb", "search", ok=False).exit_code == ExitCode.USAGE  # TEXT is required


def test_notify_without_mail_settings_is_one_line(open_ticket, refused):
    tid = open_ticket()
    line = refused("notify", tid, "--message", "The toner arrives tomorrow")
    assert line == "gitdesk: mail.from is not set in gitdesk.yml (or GITDESK_MAIL_FROM): who does the desk write as?"
