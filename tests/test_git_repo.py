"""The git seam's readers: blobs read at once and in the background agree, missing ones included."""

from __future__ import annotations

import subprocess

import pytest

from gitdesk.errors import GitFailure
from gitdesk.git.repo import GitRepo


def _git(root, *args, data=None):
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, input=data).stdout


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "r").mkdir()
    _git(tmp_path / "r", "init", "-q")
    return GitRepo(tmp_path / "r")


def test_blobs_read_in_the_background_are_the_blobs_read_at_once(repo, tmp_path):
    texts = [b"", b"one\n", "d\u00e9j\u00e0 vu\n".encode(), b"x" * 200_000]  # empty, plain, UTF-8, bigger than a pipe
    blobs = [_git(repo.root, "hash-object", "-w", "--stdin", data=t).decode().strip() for t in texts]
    tree = _git(repo.root, "write-tree").decode().strip()
    specs = [*blobs, "0" * 40, tree]
    at_once = repo.read_blobs(specs)
    assert repo.start_read_blobs(specs).result() == at_once
    assert [at_once[b] for b in blobs] == texts
    assert at_once["0" * 40] is None and at_once[tree] is None  # missing, and not a blob


def test_a_failing_background_read_is_one_git_failure(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    broken = GitRepo(tmp_path / "not-a-repo")
    (tmp_path / "not-a-repo").mkdir()
    with pytest.raises(GitFailure, match="cat-file"):
        broken.start_read_blobs(["0" * 40]).result()
