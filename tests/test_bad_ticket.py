"""One bad ticket does not take down the desk: whole-desk reads skip it with one warning and exit 65."""

from __future__ import annotations

import json
import subprocess

import pytest

from conftest import git
from gitdesk.errors import ExitCode

BROKEN = {
    "bad YAML": b"---\nid: {id}\ntitle: [unclosed\n---\nbody\n",
    "not UTF-8": b"---\nid: {id}\ntitle: Dr\xfccker\n---\nbody\n",
    "id mismatch": b"---\nid: HD-zzzzzzzz\ntitle: Someone else\nstatus: new\n---\nbody\n",
}


@pytest.fixture
def three_good(open_ticket):
    """Three public tickets, made through the CLI."""
    return [open_ticket(f"Good ticket {n}", "--visibility", "public") for n in range(3)]


def _break(desk_root, ticket_id: str, content: bytes) -> str:
    path = desk_root / "tickets" / f"{ticket_id}.md"
    path.write_bytes(content.replace(b"{id}", ticket_id.encode()))
    return f"tickets/{ticket_id}.md"


def _warnings(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if "warning: skipped" in line]


COMMANDS = [
    ("list",),
    ("list", "--all"),
    ("list", "--json"),
    ("list", "--sort", "id"),
    ("report",),
    ("report", "--format", "json"),
    ("sla", "--json"),
    ("due", "--within", "30d"),
]


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_every_reader_skips_the_bad_ticket_and_fixing_it_ends_the_warning(
    kind, cli_invoke, open_ticket, desk_root, three_good
):
    bad = open_ticket("Soon broken")
    original = (desk_root / "tickets" / f"{bad}.md").read_bytes()
    rel = _break(desk_root, bad, BROKEN[kind])
    for args in COMMANDS:
        for _ in range(2):  # cold, then from the read index
            result = cli_invoke(*args, ok=False)
            assert result.exit_code == ExitCode.DATAERR, (args, result.output)
            assert "Traceback" not in result.output
            assert _warnings(result) == [line for line in _warnings(result) if rel in line]
            assert len(_warnings(result)) == 1, (args, result.stderr)
            if args[0] == "list":
                assert all(t in result.stdout for t in three_good), (args, result.stdout)
                assert bad not in result.stdout
    report = cli_invoke("report", "--format", "json", ok=False)
    assert json.loads(report.stdout)["counts"]["opened"] == 3  # the 3 good ones, not 4
    (desk_root / "tickets" / f"{bad}.md").write_bytes(original)
    for args in COMMANDS:
        result = cli_invoke(*args)
        assert _warnings(result) == []
        if args[0] == "list":
            assert all(t in result.stdout for t in [*three_good, bad])


def test_a_bad_field_type_is_skipped_by_the_clock_readers(cli_invoke, open_ticket, desk_root, three_good, tmp_path):
    bad = open_ticket("Typed wrong", "--visibility", "public")
    path = desk_root / "tickets" / f"{bad}.md"
    text = path.read_text()
    path.write_text(text.replace("\ncreated: ", "\ncreated: [1, 2]\nwas_created: ", 1))
    git(desk_root, "commit", "-qam", "a hand edit gone wrong")  # committed: read from the object database
    for args in (("report",), ("sla",), ("due",), ("site", "build", "--out", tmp_path / "o")):
        result = cli_invoke(*args, ok=False)
        assert result.exit_code == ExitCode.DATAERR, (args, result.output)
        (warning,) = _warnings(result)
        assert f"tickets/{bad}.md" in warning and "created" in warning
    assert all((tmp_path / "o" / "tickets" / t / "index.html").exists() for t in three_good)
    path.write_text(text)
    assert _warnings(cli_invoke("sla")) == []


def test_a_verb_on_the_bad_ticket_still_refuses_with_file_and_line(cli_invoke, open_ticket, desk_root):
    bad = open_ticket("Soon broken")
    rel = _break(desk_root, bad, BROKEN["bad YAML"])
    result = cli_invoke("note", bad, "hello", ok=False)
    assert result.exit_code == ExitCode.FAILED
    assert result.output.strip().count("\n") == 0 and f"{rel}:" in result.output


def test_site_build_publishes_the_rest(cli_invoke, open_ticket, desk_root, three_good, tmp_path):
    bad = open_ticket("Soon broken", "--visibility", "public")
    rel = _break(desk_root, bad, BROKEN["bad YAML"])
    out = tmp_path / "site"
    result = cli_invoke("site", "build", "--out", out, ok=False)
    assert result.exit_code == ExitCode.DATAERR, result.output
    (warning,) = _warnings(result)
    assert rel in warning
    for t in three_good:
        assert (out / "tickets" / t / "index.html").exists()
    assert not (out / "tickets" / bad).exists()
    git(desk_root, "checkout", "--", rel)
    again = cli_invoke("site", "build", "--out", tmp_path / "site2")
    assert _warnings(again) == [] and (tmp_path / "site2" / "tickets" / bad / "index.html").exists()


def test_plain_mkdocs_build_warns_and_strict_fails(open_ticket, desk_root, three_good, tmp_path):
    import shutil
    import sys

    bad = open_ticket("Soon broken", "--visibility", "public")
    rel = _break(desk_root, bad, BROKEN["not UTF-8"])
    mkdocs = shutil.which("mkdocs", path=str(__import__("pathlib").Path(sys.executable).parent)) or "mkdocs"
    run = subprocess.run([mkdocs, "build", "-d", str(tmp_path / "m")], cwd=desk_root, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stderr.count(f"skipped {rel}") == 1
    assert all((tmp_path / "m" / "tickets" / t / "index.html").exists() for t in three_good)
    strict = subprocess.run(
        [mkdocs, "build", "--strict", "-d", str(tmp_path / "s")], cwd=desk_root, capture_output=True, text=True
    )
    assert strict.returncode != 0 and f"skipped {rel}" in strict.stderr


def test_a_symlink_or_directory_named_like_a_ticket_is_skipped_with_a_warning(cli_invoke, desk_root, three_good):
    tickets = desk_root / "tickets"
    (tickets / "HD-aaaaaaaa.md").symlink_to(tickets / f"{three_good[0]}.md")
    (tickets / "HD-bbbbbbbb.md").mkdir()
    (tickets / "HD-bbbbbbbb.md" / "notes.txt").write_text("not a ticket\n")
    for args in (("list",), ("list", "--all"), ("report",), ("sla",), ("due",)):
        for _ in range(2):
            result = cli_invoke(*args, ok=False)
            assert result.exit_code == ExitCode.DATAERR, (args, result.output)
            warnings = _warnings(result)
            assert len(warnings) == 2, (args, warnings)
            assert "tickets/HD-aaaaaaaa.md: a symlink" in warnings[0]
            assert "tickets/HD-bbbbbbbb.md: a directory" in warnings[1]
    (tickets / "HD-aaaaaaaa.md").unlink()
    (tickets / "HD-bbbbbbbb.md" / "notes.txt").unlink()
    (tickets / "HD-bbbbbbbb.md").rmdir()
    assert _warnings(cli_invoke("list")) == []


READERS = [("list",), ("list", "--all"), ("list", "--json"), ("report",), ("sla", "--json"), ("due",)]


def _gitdesk(desk_root, *args):
    """The real command in its own process: a reader that opened a FIFO would block, and the timeout says so."""
    import sys
    from pathlib import Path

    exe = Path(sys.executable).parent / "gitdesk"
    return subprocess.run([exe, *map(str, args)], cwd=desk_root, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("stamped", [False, True], ids=["folder-just-changed", "folder-stamp-cached"])
def test_a_fifo_named_like_a_ticket_is_skipped_by_every_reader_and_never_opened(
    stamped, monkeypatch, cli_invoke, desk_root, three_good, tmp_path
):
    import os

    import gitdesk.store.entries

    if stamped:  # the folder's stat is trusted at once, so the cached path is the one under test
        monkeypatch.setattr(gitdesk.store.entries, "RACY_NS", 0)
    tickets = desk_root / "tickets"
    assert _warnings(cli_invoke("list")) == []  # a clean look first: its findings are stamped
    os.mkfifo(tickets / "HD-ffffffff.md")  # untracked: git status never lists a FIFO
    os.unlink(tickets / f"{three_good[2]}.md")
    os.mkfifo(tickets / f"{three_good[2]}.md")  # a tracked ticket replaced by a FIFO
    (tickets / "HD-eeeeeeee.md").mkdir()  # an empty directory: git status does not list it either
    for args in [*READERS, ("site", "build", "--out", tmp_path / "site")]:
        for _ in range(2):  # cold, then with the folder's stamp stored
            result = cli_invoke(*args, ok=False)
            assert result.exit_code == ExitCode.DATAERR, (args, result.output)
            warnings = _warnings(result)
            assert len(warnings) == 3, (args, warnings)
            assert warnings == sorted(warnings)  # by path
            text = "\n".join(warnings)
            assert "tickets/HD-eeeeeeee.md: a directory, not a file" in text
            assert "tickets/HD-ffffffff.md: a FIFO, socket or device, not a file" in text
            assert f"tickets/{three_good[2]}.md: a FIFO, socket or device, not a file" in text
            if args[0] == "list":
                assert three_good[0] in result.stdout and three_good[2] not in result.stdout
    assert (tmp_path / "site" / "tickets" / three_good[0] / "index.html").exists()
    for verb in (("show", three_good[2]), ("note", three_good[2], "hello"), ("show", "HD-ffffffff")):
        refused = _gitdesk(desk_root, *verb)
        assert refused.returncode == ExitCode.FAILED, (verb, refused.stderr)  # one line, and no hang
        assert refused.stderr.strip().count("\n") == 0 and f"no ticket matches '{verb[1]}'" in refused.stderr
    whole = _gitdesk(desk_root, "validate")
    assert whole.returncode == ExitCode.FAILED and "tickets/HD-ffffffff.md:1: a FIFO" in whole.stdout + whole.stderr
    os.unlink(tickets / "HD-ffffffff.md")
    os.unlink(tickets / f"{three_good[2]}.md")
    (tickets / "HD-eeeeeeee.md").rmdir()
    git(desk_root, "checkout", "--", f"tickets/{three_good[2]}.md")
    clean = cli_invoke("list")
    assert _warnings(clean) == [] and all(t in clean.stdout for t in three_good)


@pytest.mark.parametrize("stamped", [False, True], ids=["folder-just-changed", "folder-stamp-cached"])
def test_the_fifo_warning_ends_when_the_fifo_goes_though_the_stored_listing_is_reused(
    stamped, monkeypatch, cli_invoke, desk_root, three_good
):
    import os

    import gitdesk.store.entries

    if stamped:
        monkeypatch.setattr(gitdesk.store.entries, "RACY_NS", 0)
    fifo = desk_root / "tickets" / "HD-ffffffff.md"
    for args in (("list",), ("list", "--all"), ("due",)):
        assert _warnings(cli_invoke(*args)) == []
        os.mkfifo(fifo)
        edited = desk_root / "tickets" / f"{three_good[0]}.md"
        edited.write_text(edited.read_text() + "A legal hand edit of the body.\n")  # so the listing is stored again
        (warning,) = _warnings(cli_invoke(*args, ok=False))
        assert "tickets/HD-ffffffff.md: a FIFO" in warning
        os.unlink(fifo)  # the token (HEAD's tree + the files git lists) does not change: the listing is reused
        again = cli_invoke(*args)
        assert _warnings(again) == []
        assert args[0] != "list" or all(t in again.stdout for t in three_good)
        git(desk_root, "checkout", "--", f"tickets/{three_good[0]}.md")
