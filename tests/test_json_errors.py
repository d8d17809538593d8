"""Machine-readable errors: with --json a failure is one JSON object on stderr; exit codes have one source."""

from __future__ import annotations

import ast
import importlib.util
import json
import subprocess
from pathlib import Path

import pytest

from gitdesk.errors import MEANING, ExitCode
from gitdesk.git.repo import GitRepo

ROOT = Path(__file__).resolve().parents[1]
KEYS = {"error", "file", "line", "field", "code", "kind"}


@pytest.fixture
def json_error(cli_invoke):
    """Run a command that must fail; return its one JSON error object (and check nothing else was printed)."""

    def run(*args: str, code: int) -> dict:
        result = cli_invoke(*args, ok=False)
        assert result.exit_code == code, result.output
        assert result.stdout == ""
        (line,) = result.stderr.splitlines()
        error = json.loads(line)
        assert set(error) == KEYS and error["code"] == code
        return error

    return run


def test_an_illegal_move_names_the_ticket_file_and_the_status_field(open_ticket, cli_invoke, json_error):
    tid = open_ticket()
    error = json_error("propose", tid, "--solution", "x", "--json", code=1)
    assert error["file"] == f"tickets/{tid}.md" and error["field"] == "status" and error["line"] is None
    assert error["kind"] == "IllegalTransition" and f"{tid}: cannot propose" in error["error"]


def test_an_unknown_ticket(json_error):
    error = json_error("show", "HD-zzzzzzzz", "--json", code=1)
    assert error["kind"] == "UnknownTicket" and "HD-zzzzzzzz" in error["error"] and error["file"] is None


def test_a_malformed_ticket_names_file_and_line(desk_root, open_ticket, json_error):
    tid = open_ticket()
    path = desk_root / "tickets" / f"{tid}.md"
    path.write_text(path.read_text().replace("status: new", "status: [new"))
    error = json_error("show", tid, "--json", code=1)
    assert error["file"] == f"tickets/{tid}.md" and isinstance(error["line"], int) and error["line"] > 1
    assert error["kind"] == "MalformedTicket"


def test_a_bad_config_key_is_the_field(desk_root, json_error):
    (desk_root / "gitdesk.yml").write_text("queues: [a, b]\ndefault_queue: c\n")
    error = json_error("new", "Printer", "--requester", "bob@example.com", "--json", code=1)
    assert error["file"] == "gitdesk.yml" and error["field"] == "default_queue" and error["kind"] == "ConfigError"


def test_a_bad_option_value_is_a_usage_error_naming_the_option(open_ticket, json_error):
    tid = open_ticket()
    error = json_error("prioritise", tid, "P9", "--json", code=2)
    assert error["kind"] == "UsageError" and "P9" in error["error"]
    error = json_error(
        "new", "Printer", "--requester", "bob@example.com", "--body-file", "/nonexistent", "--json", code=2
    )
    assert error["field"] == "--body-file"


def test_a_busy_desk_exits_75(desk_root, open_ticket, json_error, monkeypatch):
    tid = open_ticket()
    import fcntl

    monkeypatch.setattr(GitRepo.lock.__wrapped__, "__defaults__", (0.2,))
    with open(desk_root / ".git" / "gitdesk" / "lock", "a") as held:  # another writer holds the flock
        fcntl.flock(held, fcntl.LOCK_EX)
        error = json_error("note", tid, "blocked", "--json", code=ExitCode.TEMPFAIL)
    assert error["kind"] == "DeskBusy"


def test_without_json_the_error_stays_one_plain_line(open_ticket, cli_invoke):
    tid = open_ticket()
    result = cli_invoke("propose", tid, "--solution", "x", ok=False)
    assert result.exit_code == 1 and result.stderr.startswith(f"gitdesk: {tid}: cannot propose")
    assert result.stderr.count("\n") == 1


def test_json_after_a_double_dash_is_an_argument_not_the_flag(desk_root, cli_invoke):
    result = cli_invoke("show", "--", "--json", ok=False)
    assert result.exit_code == 1 and result.stderr.startswith("gitdesk: ")


def test_a_real_process_prints_the_object_on_stderr(desk_root, open_ticket):
    from conftest import gitdesk_exe

    tid = open_ticket()
    proc = subprocess.run([*gitdesk_exe(), "propose", tid, "--solution", "x", "--json"], capture_output=True, text=True)
    assert proc.returncode == 1 and proc.stdout == ""
    assert json.loads(proc.stderr)["file"] == f"tickets/{tid}.md"


# -- exit codes: one source ------------------------------------------------------------------------
def test_every_exit_code_has_a_meaning_and_a_row_in_docs_cli_md():
    assert set(MEANING) == set(ExitCode)
    docs = (ROOT / "docs" / "cli.md").read_text()
    for code in ExitCode:
        assert f"| {int(code)} | `{code.name}` |" in docs


def test_docs_cli_md_is_what_the_generator_writes():
    spec = importlib.util.spec_from_file_location("cli_reference", ROOT / "scripts" / "cli_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (ROOT / "docs" / "cli.md").read_text() == module.render(), "run scripts/cli_reference.py"


def test_no_exit_in_src_uses_a_bare_number():
    """sys.exit / ctx.exit / click Exit take an ExitCode (or a value that came from one), never a literal."""
    offenders = []
    for path in (ROOT / "src" / "gitdesk").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in {"exit", "Exit"} and isinstance(node.args[0].value, int):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, offenders
    for cls_path in ("gitdesk.errors", "gitdesk.intake.spool"):
        module = __import__(cls_path, fromlist=["*"])
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Exception) and hasattr(value, "exit_code"):
                assert value.exit_code in set(ExitCode), value
