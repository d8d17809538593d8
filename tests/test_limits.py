"""`limits:` in gitdesk.yml: the ticket file size and the title length, with defaults and one clear line.

The read index keeps rows by blob id, so a limit changed in gitdesk.yml must neither serve a refusal
made under the old one nor an acceptance: every check runs twice, once fresh and once from the index.
"""

from __future__ import annotations

import json

import pytest

from conftest import git
from gitdesk.core.config import Limits, from_mapping
from gitdesk.errors import ConfigError, ExitCode

READERS = [("list",), ("list", "--all"), ("list", "--json"), ("report",), ("sla", "--json"), ("due",)]


def _limit(desk_root, **keys: object) -> None:
    cfg = desk_root / "gitdesk.yml"
    text = cfg.read_text().split("\nlimits:")[0]
    cfg.write_text(text + "\nlimits:\n" + "".join(f"  {k}: {v}\n" for k, v in keys.items()) if keys else text)


def _warnings(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if "warning: skipped" in line]


def test_the_defaults_and_a_bad_key_naming_itself():
    assert Limits() == from_mapping({}).limits == Limits(1024 * 1024, 200)
    assert from_mapping({"limits": {"ticket_file": "2MB", "title": 80}}).limits == Limits(2 * 1024 * 1024, 80)
    for raw, key in [
        ({"ticket_file": "lots"}, "limits.ticket_file: 'lots' is not a size"),
        ({"ticket_file": "1KB"}, "limits.ticket_file: 1.0 KB is outside 64.0 KB to 16.0 MB"),
        ({"ticket_file": "1GB"}, "limits.ticket_file: 1.0 GB is outside"),
        ({"title": 5}, "limits.title: '5' must be a whole number of characters from 20 to 10000"),
        ({"title": "long"}, "limits.title: 'long' must be"),
        ({"titel": 80}, "limits.titel: unknown key"),
    ]:
        with pytest.raises(ConfigError) as caught:
            from_mapping({"limits": raw})
        assert key in str(caught.value)


def test_a_bad_limit_is_one_line_from_validate(cli_invoke, desk_root):
    _limit(desk_root, ticket_file="1KB")
    result = cli_invoke("validate", ok=False)
    assert result.exit_code == ExitCode.FAILED and "Traceback" not in result.output
    assert "gitdesk.yml" in result.output and "limits.ticket_file" in result.output


@pytest.fixture
def big(open_ticket, desk_root):
    """A committed ticket of about 100 KB (a long pasted log in its body) beside two small ones."""
    small = [open_ticket(f"Small {n}") for n in range(2)]
    ticket = open_ticket("Long log pasted")
    path = desk_root / "tickets" / f"{ticket}.md"
    path.write_text(path.read_text() + "".join(f"log line {n:06d} of the pasted log\n" for n in range(3000)))
    git(desk_root, "commit", "-qam", "the customer's whole log, pasted")
    assert 90_000 < path.stat().st_size < 200_000
    return ticket, small


def test_readers_leave_out_a_ticket_over_the_limit_and_follow_a_changed_limit(cli_invoke, desk_root, big):
    ticket, small = big
    for limit, over in [("64KB", True), ("1MB", False), ("64KB", True), (None, False), ("80KB", True)]:
        if limit:
            _limit(desk_root, ticket_file=limit)
        else:
            _limit(desk_root)  # the default, 1 MB
        for args in READERS:
            for _ in range(2):  # the second time from the read index
                result = cli_invoke(*args, ok=not over)
                warnings = _warnings(result)
                if over:
                    assert result.exit_code == ExitCode.DATAERR, (limit, args, result.output)
                    (warning,) = warnings
                    assert f"tickets/{ticket}.md:" in warning and "larger than limits.ticket_file" in warning
                    assert f"({limit[:-2]}.0 KB) in gitdesk.yml" in warning
                else:
                    assert warnings == [], (limit, args)
                if args == ("list", "--json"):
                    listed = {t["id"] for t in json.loads(result.stdout)}
                    assert set(small) <= listed and (ticket in listed) is not over


def test_verbs_and_validate_refuse_a_ticket_over_the_limit_naming_the_key(cli_invoke, desk_root, big):
    ticket, small = big
    _limit(desk_root, ticket_file="64KB")
    shown = cli_invoke("show", ticket, ok=False)
    assert shown.exit_code == ExitCode.FAILED and shown.output.strip().count("\n") == 0
    assert f"tickets/{ticket}.md: " in shown.output and "limits.ticket_file (64.0 KB)" in shown.output
    whole = cli_invoke("validate", ok=False)
    assert whole.exit_code == ExitCode.FAILED
    assert f"tickets/{ticket}.md:1: " in whole.output and "larger than limits.ticket_file (64.0 KB)" in whole.output
    _limit(desk_root)
    assert cli_invoke("validate").exit_code == 0
    assert ticket in cli_invoke("show", ticket).output


def test_a_write_that_would_pass_the_limit_is_refused_and_nothing_is_committed(cli_invoke, desk_root, big):
    ticket, _ = big
    _limit(desk_root, ticket_file="128KB")
    git(desk_root, "commit", "-qam", "a lower limit")
    head = git(desk_root, "rev-parse", "HEAD").strip()
    refused = cli_invoke("note", ticket, "x" * 40_000, ok=False)
    assert refused.exit_code == ExitCode.FAILED and "Traceback" not in refused.output
    assert "larger than limits.ticket_file (128.0 KB) in gitdesk.yml" in refused.output
    assert git(desk_root, "rev-parse", "HEAD").strip() == head
    assert git(desk_root, "status", "--porcelain").strip() == ""
    cli_invoke("note", ticket, "a short one still fits")


def test_a_title_over_the_limit_is_refused_where_it_is_written(cli_invoke, open_ticket, desk_root):
    long = "The printer on the third floor " * 8  # 248 characters
    refused = cli_invoke("new", long, "--requester", "Bob <bob@example.com>", ok=False)
    assert refused.exit_code == ExitCode.FAILED
    assert f"title is {len(long.strip())} characters, over limits.title (200)" in refused.output
    assert list((desk_root / "tickets").glob("*.md")) == []
    _limit(desk_root, title=300)
    git(desk_root, "commit", "-qam", "longer titles")
    ticket = open_ticket(long)
    _limit(desk_root, title=40)
    git(desk_root, "commit", "-qam", "shorter titles")
    cli_invoke("note", ticket, "a lowered limit leaves the titles already written be")
    edit = cli_invoke("edit", ticket, "--title", long[:60], ok=False)
    assert edit.exit_code == ExitCode.FAILED and "over limits.title (40)" in edit.output
    whole = cli_invoke("validate", ok=False)  # the whole desk is held to it
    assert f"tickets/{ticket}.md:" in whole.output and "over limits.title (40)" in whole.output


def test_intake_cuts_a_subject_to_the_desks_title_limit(cli_invoke, desk, desk_root, tmp_path):
    _limit(desk_root, title=40)
    subject = "Printer on the third floor jams on every single page since Monday"
    eml = tmp_path / "in.eml"
    eml.write_bytes(
        f"From: Ann <ann@example.com>\r\nSubject: {subject}\r\nMessage-ID: <t1@example.com>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nIt jams.\r\n".encode()
    )
    opened = json.loads(cli_invoke("intake", "email", str(eml), "--json").stdout)
    title = desk.get(opened["ticket"]).title
    assert len(title) <= 40 and subject.startswith(title.rstrip("…").rstrip())


def test_site_build_leaves_out_a_ticket_over_the_limit_and_publishes_the_rest(cli_invoke, desk_root, big, tmp_path):
    ticket, small = big
    _limit(desk_root, ticket_file="64KB")
    result = cli_invoke("site", "build", "--out", tmp_path / "site", ok=False)
    assert result.exit_code == ExitCode.DATAERR, result.output
    (warning,) = _warnings(result)
    assert f"tickets/{ticket}.md: " in warning and "limits.ticket_file (64.0 KB)" in warning
    assert (tmp_path / "site" / "index.html").exists()


def test_a_reply_that_would_pass_the_limit_is_spooled_until_the_limit_is_raised(
    cli_invoke, desk, desk_root, big, tmp_path
):
    ticket, _ = big
    size = (desk_root / "tickets" / f"{ticket}.md").stat().st_size
    _limit(desk_root, ticket_file=size + 50)  # room for nothing more
    git(desk_root, "commit", "-qam", "a tight limit")
    eml = tmp_path / "reply.eml"
    eml.write_bytes(
        f"From: Bob Smith <bob@example.com>\r\nTo: help@desk.example\r\nSubject: Re: [{ticket}] Long log pasted\r\n"
        "Message-ID: <r1@example.com>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Still broken, see above.\r\n".encode()
    )
    refused = cli_invoke("intake", "email", str(eml), ok=False)
    assert refused.exit_code == ExitCode.TEMPFAIL and "limits.ticket_file" in refused.output
    assert (desk_root / "tickets" / f"{ticket}.md").stat().st_size == size, git(desk_root, "status", "--short")
    _limit(desk_root)
    git(desk_root, "commit", "-qam", "the limit raised again")
    cli_invoke("intake", "retry")
    assert "Still broken, see above." in cli_invoke("show", ticket).output  # recorded once the limit allows it
