"""cli/commands/metrics.py: `gitdesk priorities`, `sla`, `report` (with the clock lines of `show` and
`prioritise --impact/--urgency` they share the story with), through the real CLI on a real desk."""

from __future__ import annotations

import csv
import io
import json
import subprocess

import pytest

from conftest import gitdesk_exe
from gitdesk.core.reports import build_report, load_surveys
from gitdesk.errors import ExitCode


def run_story(cli_invoke, open_ticket, clock):
    """Three tickets on Monday 2 March 2026 (UTC business hours): one closed with a survey,
    one P1 left running, one P4 calm."""
    done = open_ticket("Printer jams")
    cli_invoke("prioritise", done, "P3")
    cli_invoke("assign", done, "--to", "grace")
    clock.advance(hours=1)
    cli_invoke("start", done)
    cli_invoke("contact", done, "--via", "phone", "--summary", "Visit booked")
    clock.advance(hours=2)
    cli_invoke("propose", done, "--solution", "Replace the rollers")
    cli_invoke("review", done, "--approve", "--by", "carol")
    cli_invoke("close", done, "--lesson", "Rollers wear out", "--kb", "printer-rollers")
    cli_invoke(
        "survey",
        done,
        "--score",
        "4",
        "--right-questions",
        "yes",
        "--time",
        "adequate",
        "--improve",
        "Call before visiting",
    )
    urgent = open_ticket("Payroll is down")
    cli_invoke("prioritise", urgent, "--impact", "high", "--urgency", "high")
    calm = open_ticket("New starter laptop in April")
    cli_invoke("prioritise", calm, "P4")
    cli_invoke("contact", calm, "--via", "email", "--summary", "Noted, will prepare")
    return done, urgent, calm


@pytest.fixture
def story(cli_invoke, open_ticket, clock):
    return run_story(cli_invoke, open_ticket, clock)


def test_prioritise_from_the_matrix_records_both_inputs(cli_invoke, story):
    _, urgent, _ = story
    shown = json.loads(cli_invoke("show", urgent, "--json").stdout)
    event = shown["history"][-1]
    assert shown["priority"] == "P1" and event["impact"] == "high" and event["urgency"] == "high"


def test_prioritise_with_an_unknown_level_is_one_line_and_changes_nothing(cli_invoke, open_ticket, desk_root):
    ref = open_ticket()
    before = subprocess.run(["git", "rev-parse", "HEAD"], cwd=desk_root, capture_output=True, text=True).stdout
    result = cli_invoke("prioritise", ref, "--impact", "huge", "--urgency", "low", ok=False)
    assert result.exit_code != 0
    assert result.output.strip().splitlines() == ["gitdesk: impact: 'huge' is not one of high, medium, low"]
    after = subprocess.run(["git", "rev-parse", "HEAD"], cwd=desk_root, capture_output=True, text=True).stdout
    assert before == after


def test_a_custom_matrix_is_used_and_a_bad_one_names_its_key(cli_invoke, open_ticket, desk_root):
    config = desk_root / "gitdesk.yml"
    base = config.read_text()
    config.write_text(base + "\nmatrix:\n  big: {now: P2, later: P4}\n  small: {now: P3, later: P4}\n")
    ref = open_ticket()
    cli_invoke("prioritise", ref, "--impact", "big", "--urgency", "now")
    assert json.loads(cli_invoke("show", ref, "--json").stdout)["priority"] == "P2"
    config.write_text(base + "\nmatrix:\n  big: {now: P9}\n")
    result = cli_invoke("priorities", ok=False)
    assert result.exit_code == 1
    assert result.output.strip() == "gitdesk: gitdesk.yml: matrix.big.now: 'P9' is not a priority (P1..P4)"


def test_priorities_prints_criteria_targets_and_calendar(cli_invoke):
    out = cli_invoke("priorities").stdout
    assert "P1  business failure" in out and "24x7" in out
    assert "P3  regular scheduled service" in out
    assert "One business day (1d) = 8h of working time" in out
    data = json.loads(cli_invoke("priorities", "--json").stdout)
    assert [p["priority"] for p in data["priorities"]] == ["P1", "P2", "P3", "P4"]
    assert data["priorities"][1] == {
        "priority": "P2",
        "criteria": "critical situation",
        "response": "4h",
        "resolution": "2d",
        "checkin": "1d",
        "calendar": "business",
    }
    assert data["matrix"]["high"]["high"] == "P1" and data["calendar"]["timezone"] == "UTC"


def test_show_prints_the_clocks(cli_invoke, story, clock):
    done, urgent, calm = story
    clock.advance(hours=1)  # 13:00 on Monday; the P1 was opened at 12:00
    out = cli_invoke("show", done).stdout
    assert "  response    met after 1h (target 1d)" in out
    assert "  resolution  met after 3h (target 5d)" in out
    urgent_out = cli_invoke("show", urgent).stdout
    assert "  response    running, 1h of 1h used (100 %), due 2026-03-02 13:00 UTC" in urgent_out
    assert "  check-in    due in 1h" in urgent_out


def test_sla_lists_breaches_and_fails_on_request(cli_invoke, story, clock):
    _, urgent, calm = story
    early = json.loads(cli_invoke("sla", "--json", "--at", "2026-03-02T12:30:00Z").stdout)
    assert early["alerts"] == []
    assert "no tickets at risk or breached" in cli_invoke("sla", "--at", "2026-03-02T12:30:00Z").stdout
    risky = json.loads(cli_invoke("sla", "--json", "--at", "2026-03-02T12:50:00Z").stdout)["alerts"]
    assert {(a["id"], a["clock"], a["state"]) for a in risky} == {(urgent, "response", "at-risk")}
    clock.set(clock.now.replace(hour=15))
    alerts = json.loads(cli_invoke("sla", "--json").stdout)["alerts"]
    # 15:00: the P1 (24x7, opened 12:00) is 2h past its 1h response and 1h past its 2h check-in;
    # its resolution has used 3h of 8h, not yet at risk.
    assert {(a["id"], a["clock"], a["state"]) for a in alerts} == {
        (urgent, "response", "breached"),
        (urgent, "checkin", "breached"),
    }
    clock.set(clock.now.replace(hour=18, minute=30))  # 6h30m of 8h = 81 %
    later = json.loads(cli_invoke("sla", "--json").stdout)["alerts"]
    assert (urgent, "resolution", "at-risk") in {(a["id"], a["clock"], a["state"]) for a in later}
    clock.set(clock.now.replace(hour=15, minute=0))
    assert alerts[0]["left_seconds"] == -2 * 3600 and alerts[0]["clock"] == "response"
    table = cli_invoke("sla").stdout
    assert urgent in table and calm not in table and "2h over" in table
    result = cli_invoke("sla", "--fail-on-breach", ok=False)
    assert result.exit_code == 3
    assert cli_invoke("sla", "--fail-on-breach", "--at", "2026-03-02T12:30:00Z").exit_code == 0


def test_sla_rejects_a_bad_time(cli_invoke):
    result = cli_invoke("sla", "--at", "tuesday", ok=False)
    assert result.exit_code == 2
    assert result.output.strip() == "gitdesk: --at: 'tuesday' is not a date (YYYY-MM-DD) or ISO 8601 time"


def test_report_json_is_build_report_over_the_files(cli_invoke, story, desk, clock):
    got = json.loads(cli_invoke("report", "--format", "json", "--by", "priority").stdout)
    want = build_report(list(desk.tickets()), load_surveys(desk.root), desk.config, by="priority", now=clock())
    assert got == json.loads(json.dumps(want))
    assert got["counts"] == {"opened": 3, "closed": 1, "open": 2, "cancelled": 0}
    assert got["satisfaction"]["improve"][0]["text"] == "Call before visiting"
    assert got["technicians"] == [{"assignee": "grace", "closed": 1, "median_resolution_hours": 3.0}]
    assert sorted(got["groups"]) == ["P1", "P3", "P4"]


def test_report_table_and_csv(cli_invoke, story):
    table = cli_invoke("report", "--by", "queue").stdout
    assert "first response median h" in table and "service-desk" in table
    assert "Did we ask the right questions?       yes 1  no 0" in table
    assert "- " in table and "Call before visiting" in table
    rows = list(csv.DictReader(io.StringIO(cli_invoke("report", "--format", "csv", "--by", "priority").stdout)))
    assert [r["group"] for r in rows] == ["all", "P1", "P3", "P4"]
    assert rows[0]["opened"] == "3" and rows[0]["score_4"] == "1" and rows[2]["resolution_median_hours"] == "3.0"


def test_report_window_and_bad_options(cli_invoke, story, clock):
    clock.advance(days=2)
    empty = json.loads(cli_invoke("report", "--format", "json", "--since", "2026-03-03").stdout)
    assert empty["counts"]["opened"] == 0 and empty["counts"]["open"] == 2
    result = cli_invoke("report", "--since", "2026-03-05", "--until", "2026-03-01", ok=False)
    assert result.exit_code == 2 and result.output.strip() == "gitdesk: --since is after --until"
    assert cli_invoke("report", "--by", "colour", ok=False).exit_code == 2


def test_bad_calendar_is_one_line_naming_the_key(cli_invoke, story, desk_root):
    config = desk_root / "gitdesk.yml"
    config.write_text(config.read_text().replace("timezone: UTC", "timezone: Mars/Olympus"))
    problem = "gitdesk.yml: calendar.timezone: 'Mars/Olympus' is not a time zone (e.g. Europe/Amsterdam)"
    for args in (("sla",), ("report",), ("priorities",)):
        result = cli_invoke(*args, ok=False)
        assert result.exit_code == 1
        assert result.output.strip() == f"gitdesk: {problem}"
    # `show` still shows the ticket and says why its clocks are missing.
    assert problem in cli_invoke("show", story[0]).stdout


def test_facts_cache_follows_file_changes(cli_invoke, story, desk_root, clock):
    done, urgent, _ = story
    cli_invoke("report", "--format", "json")
    assert (desk_root / ".git" / "gitdesk" / "index.sqlite").exists()
    clock.advance(minutes=5)
    cli_invoke("contact", urgent, "--via", "phone", "--summary", "On it")
    after = json.loads(cli_invoke("report", "--format", "json").stdout)
    assert after["first_response"]["count"] == 3  # the cached facts saw the new contact


def test_facts_cache_drops_removed_tickets_and_survives_a_foreign_file(cli_invoke, story, desk_root):
    first = json.loads(cli_invoke("report", "--format", "json").stdout)
    cache = desk_root / ".git" / "gitdesk" / "index.sqlite"
    again = json.loads(cli_invoke("report", "--format", "json").stdout)  # from the cache, unchanged
    assert again == first
    (desk_root / "tickets" / f"{story[0]}.md").unlink()
    fewer = json.loads(cli_invoke("report", "--format", "json").stdout)
    assert fewer["counts"]["opened"] == first["counts"]["opened"] - 1
    cache.write_bytes(b"not an index at all" * 100)
    assert json.loads(cli_invoke("report", "--format", "json").stdout) == fewer


@pytest.mark.slow
def test_real_subprocess_report_and_sla_exit_codes(story, desk_root, clock):
    env_now = {"GITDESK_NOW": "2026-03-02T15:00:00Z"}
    import os

    env = {**os.environ, **env_now}
    report = subprocess.run(
        [*gitdesk_exe(), "report", "--format", "json"], cwd=desk_root, env=env, capture_output=True, text=True
    )
    assert report.returncode == 0, report.stderr
    assert json.loads(report.stdout)["counts"]["opened"] == 3
    sla = subprocess.run(
        [*gitdesk_exe(), "sla", "--fail-on-breach"], cwd=desk_root, env=env, capture_output=True, text=True
    )
    assert sla.returncode == 3 and "breached their SLA" in sla.stderr and "Traceback" not in sla.stderr


def test_unreadable_time_names_the_file_and_field(cli_invoke, open_ticket, desk_root):
    tid = open_ticket("Printer jams")
    path = desk_root / "tickets" / f"{tid}.md"
    text = path.read_text()
    created = next(line for line in text.splitlines() if line.startswith("created:"))
    path.write_text(text.replace(created, "created: yesterday-ish"))
    for args in (("report",), ("sla",), ("show", tid)):
        result = cli_invoke(*args, ok=False)
        out = result.output
        if args[0] == "show":  # show still shows the ticket, and says why its clocks are missing
            assert result.exit_code == 0 and "clocks      unavailable" in out and "created" in out
            continue
        assert result.exit_code == 65, out  # the ticket is left out, named on one line; the rest is printed
        (warning,) = result.stderr.splitlines()
        assert f"tickets/{tid}.md" in warning and "created: 'yesterday-ish'" in warning
        assert tid not in result.stdout


def test_priorities_shows_each_target_as_gitdesk_yml_writes_it(cli_invoke, desk_root):
    config = desk_root / "gitdesk.yml"
    config.write_text(config.read_text().replace("response: 1d, resolution: 5d", "response: 5400, resolution: 1.5w"))
    p3 = json.loads(cli_invoke("priorities", "--json").stdout)["priorities"][2]
    assert (p3["response"], p3["resolution"]) == ("5400", "1.5w")  # not re-spelt as 5400s
    line = next(x for x in cli_invoke("priorities").stdout.splitlines() if x.startswith("P3"))
    assert line.split()[-4:] == ["5400", "1.5w", "2d", "business"]


def test_report_json_is_one_compact_line_for_a_pipe(cli_invoke, story):
    out = cli_invoke("report", "--format", "json").stdout
    assert out.count("\n") == 1 and '": ' in out and ', "' in out  # the default separators, no indent
    assert json.loads(out)["counts"]["opened"] == 3


def test_report_csv_ends_with_one_newline(cli_invoke, story):
    out = cli_invoke("report", "--format", "csv").stdout
    assert out.endswith("\n") and not out.endswith("\n\n") and len(out.splitlines()) == 2


def test_a_breach_outranks_a_skipped_file_in_the_exit_status(cli_invoke, story, desk_root, clock):
    clock.set(clock.now.replace(hour=15))  # the P1's response is breached by then
    (desk_root / "tickets" / "HD-zzzzzzzz.md").write_text("---\nid: [unclosed\n---\n")
    plain = cli_invoke("sla", ok=False)
    assert plain.exit_code == ExitCode.DATAERR and "warning: skipped tickets/HD-zzzzzzzz.md" in plain.stderr
    failing = cli_invoke("sla", "--fail-on-breach", ok=False)
    assert failing.exit_code == ExitCode.BREACH
    assert failing.stderr.splitlines()[0] == f"gitdesk: 1 ticket(s) breached their SLA: {story[1]}"
    assert "warning: skipped tickets/HD-zzzzzzzz.md" in failing.stderr  # still named
