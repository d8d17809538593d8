"""cli/commands/setup.py: `init`, `upgrade` and `install` say what they did, in one commit or none."""

from __future__ import annotations

from conftest import git
from gitdesk import __version__


def test_a_fresh_init_counts_what_it_committed_and_says_what_is_next(tmp_path, cli_invoke, monkeypatch):
    root = tmp_path / "fresh"
    root.mkdir()
    monkeypatch.chdir(root)
    first, second = cli_invoke("init").stdout.splitlines()  # PATH defaults to the current directory
    committed = git(root, "ls-tree", "-r", "--name-only", "HEAD").splitlines()
    assert first.startswith(f"{root}: desk ready ({len(committed)} files committed; workflows call ")
    assert second == "next: gitdesk install   (registers the ticket merge driver in this clone)"
    assert git(root, "log", "-1", "--format=%s") == "gitdesk: init desk"


def test_init_brings_back_a_missing_file_and_lists_it(cli_invoke, desk_root):
    (desk_root / "surveys" / ".gitkeep").unlink()
    git(desk_root, "commit", "-qam", "lost a file")
    lines = cli_invoke("init").stdout.splitlines()
    assert lines[0] == f"{desk_root}: 1 file written for gitdesk {__version__} and committed:"
    assert lines[1:] == ["  surveys/.gitkeep"]
    assert git(desk_root, "log", "-1", "--format=%s") == "gitdesk: init desk"  # no --update: not an upgrade


def test_upgrade_of_an_up_to_date_desk_commits_nothing(cli_invoke, desk_root):
    before = git(desk_root, "rev-parse", "HEAD")
    out = cli_invoke("upgrade").stdout
    assert out == f"{desk_root}: already a desk for gitdesk {__version__}; nothing to do\n"
    assert git(desk_root, "rev-parse", "HEAD") == before


def test_upgrade_refuses_a_directory_that_is_no_desk(cli_invoke, tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    result = cli_invoke("upgrade", plain, ok=False)
    assert result.exit_code == 2
    assert f"{plain} is not a desk (no gitdesk.yml); run 'gitdesk init' there first" in result.stderr
    assert list(plain.iterdir()) == []  # not even a git repository


def test_init_of_a_file_is_a_usage_error(cli_invoke, tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    result = cli_invoke("init", tmp_path / "notes.txt", ok=False)
    assert result.exit_code == 2 and "is a file" in result.stderr


def test_install_registers_the_driver_once(cli_invoke, desk_root):
    out = cli_invoke("install").stdout
    assert out == "merge driver 'gitdesk' registered for tickets/*.md and kb/*.md\n"  # .gitattributes has both
    cli_invoke("install")
    assert git(desk_root, "config", "--get-all", "merge.gitdesk.driver") == "gitdesk merge-driver %O %A %B %P"
    assert git(desk_root, "status", "--porcelain") == ""  # a clone's setting, nothing to commit
