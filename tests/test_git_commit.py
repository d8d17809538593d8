"""Git's own rules hold for gitdesk's plumbing commits (git/commit.py): state, locks, hooks, signing, sparse cones."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from conftest import git


def _hook(root, name: str, body: str) -> None:
    hook = root / ".git" / "hooks" / name
    hook.write_text("#!/bin/sh\n" + body)
    hook.chmod(0o755)


def test_a_failing_pre_commit_hook_refuses_and_leaves_the_repo_untouched(desk_root, open_ticket, refused, cli_invoke):
    tid = open_ticket()
    _hook(desk_root, "pre-commit", "echo 'lint: trailing whitespace in the ticket' >&2\nexit 1\n")
    line = refused("note", tid, "blocked by the hook", code=1)
    assert line == (
        "gitdesk: the pre-commit hook refused the commit: lint: trailing whitespace in the ticket; "
        "nothing was committed"
    )
    (desk_root / ".git" / "hooks" / "pre-commit").unlink()
    cli_invoke("note", tid, "hook gone")  # and the refused write left nothing behind in the private index
    touched = git(desk_root, "diff-tree", "--no-commit-id", "--name-only", "-r", "HEAD").splitlines()
    assert touched == [f"tickets/{tid}.md"]
    assert "blocked by the hook" not in git(desk_root, "show", f"HEAD:tickets/{tid}.md")


def test_pre_commit_sees_exactly_the_change_staged(desk_root, open_ticket, cli_invoke):
    """The hook runs on gitdesk's private index, so `git diff --cached` shows this commit and nothing else."""
    tid = open_ticket()
    (desk_root / "README.md").write_text("my own staged work\n")
    git(desk_root, "add", "README.md")
    seen = desk_root.parent / "seen.txt"
    _hook(desk_root, "pre-commit", f"git diff --cached --name-only > '{seen}'\n")
    cli_invoke("note", tid, "with a hook")
    assert seen.read_text().split() == [f"tickets/{tid}.md"]
    assert git(desk_root, "status", "--porcelain") == "M  README.md"  # the user's own staging is left alone


def test_commit_msg_hook_may_edit_or_refuse_the_message(desk_root, open_ticket, cli_invoke, refused):
    tid = open_ticket()
    _hook(desk_root, "commit-msg", 'printf "Change-Id: I1234\\n" >> "$1"\n')
    cli_invoke("note", tid, "with a trailer")
    message = git(desk_root, "log", "-1", "--format=%B")
    assert message.endswith("Change-Id: I1234") and f"Gitdesk-Ticket: {tid}" in message
    _hook(desk_root, "commit-msg", "echo 'message must mention a JIRA key' >&2\nexit 1\n")
    line = refused("note", tid, "no key", code=1)
    assert "the commit-msg hook refused the commit: message must mention a JIRA key" in line


def test_hooks_path_from_config_is_honoured(desk_root, open_ticket, refused):
    tid = open_ticket()
    hooks = desk_root.parent / "shared-hooks"
    hooks.mkdir()
    (hooks / "pre-commit").write_text("#!/bin/sh\necho 'shared policy says no' >&2\nexit 1\n")
    (hooks / "pre-commit").chmod(0o755)
    git(desk_root, "config", "core.hooksPath", str(hooks))
    assert "shared policy says no" in refused("note", tid, "x", code=1)


def test_gpgsign_without_a_usable_key_is_one_clear_line(desk_root, open_ticket, refused, tmp_path, monkeypatch):
    tid = open_ticket()
    monkeypatch.setenv("GNUPGHOME", str(tmp_path / "empty-gnupg"))  # no keys at all
    (tmp_path / "empty-gnupg").mkdir(mode=0o700)
    git(desk_root, "config", "commit.gpgsign", "true")
    git(desk_root, "config", "user.signingkey", "nobody@nowhere.example")
    line = refused("note", tid, "unsigned", code=1)
    assert line.startswith("gitdesk: commit.gpgsign is set but git could not sign the commit")
    assert "user.signingkey" in line and line.endswith("nothing was committed")


@pytest.mark.skipif(not shutil.which("ssh-keygen"), reason="needs ssh-keygen for an SSH signing key")
def test_gpgsign_signs_the_commit(desk_root, open_ticket, cli_invoke, tmp_path):
    tid = open_ticket()
    key = tmp_path / "signing"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    for k, v in (("gpg.format", "ssh"), ("user.signingkey", f"{key}.pub"), ("commit.gpgsign", "true")):
        git(desk_root, "config", k, v)
    cli_invoke("note", tid, "signed")
    assert "-----BEGIN SSH SIGNATURE-----" in git(desk_root, "cat-file", "commit", "HEAD")


def test_a_present_index_lock_refuses_before_committing(desk_root, open_ticket, refused, cli_invoke):
    tid = open_ticket()
    lock = desk_root / ".git" / "index.lock"
    lock.write_text("")
    line = refused("note", tid, "while git holds the index", code=75)
    assert f"{lock} exists" in line and f"rm '{lock}'" in line and "nothing was committed" in line
    lock.unlink()
    cli_invoke("note", tid, "after")
    assert git(desk_root, "status", "--porcelain") == ""


def test_a_rebase_in_progress_refuses(desk_root, open_ticket, cli_invoke, refused):
    tid = open_ticket()
    cli_invoke("note", tid, "one")
    env = {**os.environ, "GIT_SEQUENCE_EDITOR": "sed -i 's/^pick/edit/'"}
    subprocess.run(["git", "rebase", "-q", "-i", "HEAD~1"], cwd=desk_root, env=env, check=True, capture_output=True)
    line = refused("note", tid, "mid-rebase", code=1)
    assert "a rebase is in progress" in line and "git rebase --continue" in line
    git(desk_root, "rebase", "--abort")
    cli_invoke("note", tid, "after the rebase")


def test_a_merge_in_progress_refuses(desk_root, open_ticket, cli_invoke, refused):
    tid = open_ticket()
    (desk_root / "notes.txt").write_text("base\n")
    git(desk_root, "add", "notes.txt")
    git(desk_root, "commit", "-qm", "notes")
    git(desk_root, "switch", "-qc", "other")
    (desk_root / "notes.txt").write_text("theirs\n")
    git(desk_root, "commit", "-qam", "theirs")
    git(desk_root, "switch", "-q", "main")
    (desk_root / "notes.txt").write_text("ours\n")
    git(desk_root, "commit", "-qam", "ours")
    subprocess.run(["git", "merge", "-q", "other"], cwd=desk_root, capture_output=True)
    assert (desk_root / ".git" / "MERGE_HEAD").exists()
    line = refused("note", tid, "mid-merge", code=1)
    assert "a merge is in progress" in line and "git merge --abort" in line


def test_a_detached_head_refuses_unless_forced(desk_root, open_ticket, cli_invoke, refused):
    tid = open_ticket()
    git(desk_root, "switch", "-q", "--detach", "HEAD")
    line = refused("note", tid, "detached", code=1)
    assert "HEAD is detached" in line and "git switch" in line and "--force" in line
    cli_invoke("note", tid, "on purpose", "--force")
    assert "on purpose" in git(desk_root, "show", f"HEAD:tickets/{tid}.md")
    assert git(desk_root, "status", "--porcelain") == ""


def test_writing_outside_a_sparse_checkout_cone_refuses(desk_root, open_ticket, cli_invoke, refused):
    tid = open_ticket()
    git(desk_root, "sparse-checkout", "set", "docs")
    assert not (desk_root / "tickets").exists()
    line = refused("new", "Outside", "--requester", "bob@example.com", code=1)
    assert "is outside the sparse checkout" in line and "git sparse-checkout add tickets" in line
    git(desk_root, "sparse-checkout", "add", "tickets")
    cli_invoke("note", tid, "inside again")
