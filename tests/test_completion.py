"""Shell completion through click's protocol (_GITDESK_COMPLETE, COMP_WORDS, COMP_CWORD) and a real bash."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from gitdesk.cli.main import cli


def complete(words: str, shell: str = "bash") -> list[str]:
    """What the shell would offer for the last word of `words` (a trailing space: a new, empty word)."""
    parts = words.split(" ")
    # bash and zsh send the index of the word being completed; fish sends the word itself
    cword = parts[-1] if shell == "fish" else str(len(parts) - 1)
    env = {"_GITDESK_COMPLETE": f"{shell}_complete", "COMP_WORDS": words, "COMP_CWORD": cword}
    result = CliRunner().invoke(cli, [], prog_name="gitdesk", env=env)
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line]
    if shell == "zsh":  # type, value, help: three lines per item
        return [lines[i + 1] for i in range(0, len(lines), 3)]
    return [line.split(",", 1)[1].split("\t")[0] for line in lines]


@pytest.fixture
def tickets(open_ticket, cli_invoke):
    a = open_ticket("Printer on floor 3 jams", "--queue", "hardware")
    b = open_ticket("VPN drops every hour")
    cli_invoke("assign", a, "--to", "grace")
    cli_invoke("assign", b, "--to", "alan")
    return a, b


def test_ticket_ids_complete_by_id_and_by_the_part_after_the_prefix(tickets):
    a, b = tickets
    assert sorted(complete("gitdesk show ")) == sorted([a, b])
    assert complete(f"gitdesk start {a[:5]}") == [a] or a[:5] == b[:5]
    assert complete(f"gitdesk note {b.split('-', 1)[1][:4].upper()}") == [b]
    assert complete("gitdesk show HD-zzzzzzzz") == []


def test_ticket_paths_complete_as_paths(tickets):
    a, b = tickets
    assert sorted(complete("gitdesk show tickets/")) == sorted([f"tickets/{a}.md", f"tickets/{b}.md"])
    assert complete(f"gitdesk show tickets/{a}") == [f"tickets/{a}.md"]


def test_options_complete_queues_assignees_statuses_and_kb_slugs(tickets, desk_root, cli_invoke):
    assert "hardware" in complete("gitdesk assign --queue ")
    assert complete("gitdesk list --queue hard") == ["hardware"]
    assert complete("gitdesk assign --to ") == ["alan", "grace"]
    assert complete("gitdesk list --assignee g") == ["grace"]
    assert complete("gitdesk list --status wa") == ["waiting"]
    (desk_root / "kb" / "printer-tray-jams.md").write_text("---\ntitle: Tray jams\n---\n")
    (desk_root / "kb" / "vpn-drops.md").write_text("---\ntitle: VPN drops\n---\n")
    assert complete("gitdesk close --kb pr") == ["printer-tray-jams"]
    assert complete(f"gitdesk cancel --duplicate-of {tickets[0][:6]}")[0] == tickets[0]


def test_zsh_and_fish_get_the_ids_with_their_titles(tickets):
    a, b = tickets
    assert sorted(complete("gitdesk show ", "zsh")) == sorted([a, b])
    assert sorted(complete("gitdesk show ", "fish")) == sorted([a, b])
    env = {"_GITDESK_COMPLETE": "zsh_complete", "COMP_WORDS": "gitdesk show ", "COMP_CWORD": "2"}
    out = CliRunner().invoke(cli, [], prog_name="gitdesk", env=env).output
    assert "Printer on floor 3 jams" in out and "VPN drops every hour" in out


def test_commands_complete(desk_root):
    assert "completion" in complete("gitdesk comp")
    assert {"new", "show"} <= set(complete("gitdesk "))


def test_outside_a_desk_nothing_is_offered_and_nothing_is_printed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert complete("gitdesk show ") == []
    assert complete("gitdesk assign --queue ") == []


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_the_script(shell):
    result = CliRunner().invoke(cli, ["completion", shell])
    assert result.exit_code == 0
    assert "_GITDESK_COMPLETE" in result.output and f"{shell}_complete" in result.output


def test_an_unknown_shell_is_a_usage_error():
    result = CliRunner().invoke(cli, ["completion", "tcsh"])
    assert result.exit_code == 2 and "tcsh" in result.output


def test_the_bash_script_completes_ticket_ids_in_a_real_bash(tickets, desk_root):
    """The printed script, sourced in bash, calls the installed gitdesk and fills COMPREPLY."""
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    a, b = tickets
    script = CliRunner().invoke(cli, ["completion", "bash"]).output
    driver = (
        f"{script}\n"
        'COMP_WORDS=(gitdesk show ""); COMP_CWORD=2; COMP_LINE="gitdesk show "; COMP_POINT=13\n'
        "_gitdesk_completion gitdesk\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    env = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]}
    proc = subprocess.run(["bash", "-c", driver], cwd=desk_root, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert sorted(proc.stdout.split()) == sorted([a, b])
