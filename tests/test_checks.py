"""cli/commands/checks.py: what `validate` prints where (and the job summary it appends), and how
`merge-driver` reports to git: the result in OURS, one stderr line per conflict, exit 1."""

from __future__ import annotations

import json

import pytest

from conftest import git

REQ = {"name": "Bob Smith", "email": "bob@example.com"}


def _break(desk_root, tid):
    path = desk_root / "tickets" / f"{tid}.md"
    path.write_text(path.read_text().replace("tier: 1", "tier: 7", 1))
    git(desk_root, "commit", "-qam", "hand edit")


@pytest.fixture
def ticket(desk):
    return desk.open("Printer jams", REQ).id


def test_a_clean_check_says_so_on_stdout(cli_invoke, ticket):
    result = cli_invoke("validate")
    assert result.stderr == ""
    (line,) = result.stdout.splitlines()
    assert line.startswith("gitdesk validate: ") and line.endswith(" file(s) checked, no problems")


def test_problems_go_to_stdout_the_verdict_to_stderr_and_exit_1(cli_invoke, desk_root, ticket):
    _break(desk_root, ticket)
    result = cli_invoke("validate", ok=False)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"tickets/{ticket}.md:{_line(desk_root, ticket, 'tier:')}: tier '7' must be a whole number from 1 to 3"
    ]
    assert result.stderr.splitlines()[-1].endswith(" file(s) checked, 1 problem(s)")


def _line(desk_root, tid, prefix):
    lines = (desk_root / "tickets" / f"{tid}.md").read_text().splitlines()
    return next(n for n, text in enumerate(lines, 1) if text.startswith(prefix))


def test_json_is_the_whole_stdout_with_no_verdict_line(cli_invoke, desk_root, ticket):
    _break(desk_root, ticket)
    result = cli_invoke("validate", "--format", "json", ok=False)
    assert result.exit_code == 1 and result.stderr == ""
    assert json.loads(result.stdout)["ok"] is False


def test_the_job_summary_is_appended_and_only_for_github(cli_invoke, desk_root, ticket, tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    summary.write_text("## an earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    cli_invoke("validate")
    assert summary.read_text() == "## an earlier step\n"  # text format: the summary is not touched
    cli_invoke("validate", "--format", "github")
    text = summary.read_text()
    assert text.startswith("## an earlier step\n") and "## gitdesk validate" in text


def test_an_unknown_format_is_a_usage_error(cli_invoke):
    result = cli_invoke("validate", "--format", "xml", ok=False)
    assert result.exit_code == 2 and "'xml' is not one of 'text', 'github', 'json'" in result.stderr


@pytest.fixture
def sides(desk, desk_root, clock, tmp_path):
    """Write the three versions git hands a merge driver; return a maker of (ancestor, ours, theirs) paths."""

    def make(ours, theirs):
        tid = desk.open("Printer jams", REQ).id
        file = desk_root / "tickets" / f"{tid}.md"
        texts = [file.read_text()]
        for side in (ours, theirs):
            git(desk_root, "reset", "-q", "--hard", "HEAD")
            clock.advance(minutes=5)
            side(desk, tid)
            texts.append(file.read_text())
            git(desk_root, "reset", "-q", "--hard", "HEAD~1")
        paths = []
        for name, text in zip(("base.md", "ours.md", "theirs.md"), texts, strict=True):
            (tmp_path / name).write_text(text)
            paths.append(str(tmp_path / name))
        return tid, paths

    return make


def test_merge_driver_writes_a_clean_merge_to_ours(cli_invoke, sides, tmp_path):
    tid, (base, ours, theirs) = sides(lambda d, t: d.note(t, "from our branch"), lambda d, t: d.note(t, "from theirs"))
    result = cli_invoke("merge-driver", base, ours, theirs, f"tickets/{tid}.md")
    assert result.stdout == "" and result.stderr == ""
    merged = (tmp_path / "ours.md").read_text()
    assert "from our branch" in merged and "from theirs" in merged
    assert (tmp_path / "theirs.md").read_text().count("from our branch") == 0  # only OURS is written


def test_merge_driver_names_each_conflict_and_exits_1(cli_invoke, sides, tmp_path):
    tid, (base, ours, theirs) = sides(lambda d, t: d.prioritise(t, "P2"), lambda d, t: d.prioritise(t, "P4"))
    mine = tmp_path / "mine.md"
    mine.write_text((tmp_path / "ours.md").read_text())
    result = cli_invoke("merge-driver", base, ours, theirs, f"tickets/{tid}.md", ok=False)
    assert result.exit_code == 1 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith(f"gitdesk merge-driver: tickets/{tid}.md: ") for line in lines)
    assert "priority" in result.stderr
    assert "<<<<<<<" in (tmp_path / "ours.md").read_text()
    unnamed = cli_invoke("merge-driver", base, str(mine), theirs, ok=False)
    assert unnamed.exit_code == 1
    assert unnamed.stderr.startswith(f"gitdesk merge-driver: {mine}: ")  # no %P (an old registration): OURS named


def test_sync_without_the_remote_is_one_line(cli_invoke, ticket):
    result = cli_invoke("sync", "--remote", "nowhere", ok=False)
    assert result.exit_code != 0 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("gitdesk: ") and "nowhere" in line
