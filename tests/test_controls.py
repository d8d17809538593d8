"""Control characters and escape sequences: refused in desk files, escaped on the terminal, never run."""

from __future__ import annotations

import subprocess

import pytest

from gitdesk.core import controls
from gitdesk.errors import ExitCode

ESCAPES = {
    "csi colour": "\x1b[31mred",
    "osc window title": "\x1b]0;pwned\x07",
    "clear screen": "\x1b[2J",
    "nul": "a\x00b",
    "bell": "ding\x07",
    "del": "x\x7f",
    "c1 csi": "\x9b31m",
    "rtl override": "abc\u202eevil",
    "line separator": "one\u2028two",
    "nel": "one\x85two",
}


@pytest.mark.parametrize("text", ESCAPES.values(), ids=ESCAPES.keys())
def test_every_escape_is_refused_and_printed_as_a_replacement_character(text):
    from gitdesk.cli.views import terminal_text

    assert controls.first_refused(text) is not None
    printed = terminal_text(text)
    assert controls.first_refused(printed) is None and "\ufffd" in printed


@pytest.mark.parametrize("text", ["plain", "tab\tand\nnewline", "Größe ñandú İstanbul 東京 🙂", ""])
def test_text_is_text(text):
    from gitdesk.cli.views import terminal_text

    assert controls.first_refused(text) is None and terminal_text(text) == text


def test_every_string_of_a_parsed_value_is_looked_at_keys_included():
    value = {"title": "ok", "requester": {"name": "a\x1b[2Jb"}, "history": [{"text": "fine"}, {"text": "x\x00"}]}
    value["bad\x07key"] = "v"
    found = dict(controls.refused_fields(value))
    assert found == {("requester", "name"): "\x1b", ("history", 1, "text"): "\x00", (): "\x07"}
    assert controls.name_of("\x1b") == "U+001B ESC" and controls.name_of("\u202e").startswith("U+202E RIGHT-TO-LEFT")


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["new", "ansi \x1b[31mred", "--requester", "a@b.example"], "title"),
        (["new", "title", "--requester", "a@b.example", "--location", "hall\u202e"], "location"),
    ],
)
def test_a_verb_refuses_a_control_character_with_one_line_naming_the_field(cli_invoke, desk_root, args, field):
    before = subprocess.run(["git", "rev-parse", "HEAD"], cwd=desk_root, capture_output=True, text=True).stdout
    result = cli_invoke(*args, ok=False)
    assert result.exit_code == ExitCode.FAILED
    line = result.output.strip()
    assert "\n" not in line and f":{field}:" in line and "control character" in line and "\x1b" not in line
    after = subprocess.run(["git", "rev-parse", "HEAD"], cwd=desk_root, capture_output=True, text=True).stdout
    assert after == before  # nothing committed


def test_a_nul_in_a_body_file_is_refused(cli_invoke, desk_root, tmp_path):
    body = tmp_path / "nul.md"
    body.write_bytes(b"a\x00b\n")
    result = cli_invoke("new", "nul", "--requester", "a@b.example", "--body-file", str(body), ok=False)
    assert result.exit_code == ExitCode.FAILED and "U+0000 NUL" in result.output


def test_validate_refuses_a_hand_edited_escape_and_list_and_show_never_print_it(cli_invoke, open_ticket, desk_root):
    tid = open_ticket("Printer")
    path = desk_root / "tickets" / f"{tid}.md"
    path.write_text(path.read_text(encoding="utf-8").replace("title: Printer", 'title: "Printer \\e]0;pwned\\a"'))
    refused = cli_invoke("validate", ok=False)
    assert refused.exit_code == 1 and f"tickets/{tid}.md:" in refused.output and "U+001B ESC" in refused.output
    for args in (("list",), ("show", tid)):
        out = cli_invoke(*args).output
        assert "Printer \ufffd]0;pwned\ufffd" in out and "\x1b" not in out and "\x07" not in out


def test_an_argument_that_is_not_utf8_is_a_usage_error(desk_root):
    result = subprocess.run(
        ["gitdesk", "--desk", str(desk_root), "new", b"x\xff".decode("utf-8", "surrogateescape"), "--requester", "a@b"],
        capture_output=True,
        text=True,
        errors="replace",
    )
    assert result.returncode == ExitCode.USAGE
    assert result.stderr.strip() == "gitdesk: argument 'x\\xff' is not UTF-8 text (see 'gitdesk --help')"
