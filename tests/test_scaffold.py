"""desk/scaffold.py: what `gitdesk init` lays out, which action its workflows call, and what `--update` rewrites."""

from __future__ import annotations

import pytest

from gitdesk import __version__
from gitdesk.desk.scaffold import (
    ACTION_TOKEN,
    LOCAL_ACTION,
    VERSION_TOKEN,
    check_action,
    create_repository,
    desk_action,
    missing_files,
    render_workflow,
    repository_around,
    template_files,
    with_action,
)
from gitdesk.errors import InvalidValue


@pytest.mark.parametrize(
    "value",
    [
        "acme/gitdesk@v1",
        "acme/gitdesk@v1.2.3",
        "acme/tools/ci/gitdesk@main",
        "./.github/actions/gitdesk",
        " acme/x@sha ",
    ],
)
def test_check_action_takes_a_github_action_reference(value):
    assert check_action(value, "--action") == value.strip()


@pytest.mark.parametrize(
    "value",
    ["acme/gitdesk", "gitdesk@v1", "./../outside", "acme/gitdesk/../../x@v1", "acme/git desk@v1", "", None, "../x"],
)
def test_check_action_refuses_anything_else_naming_where_it_was_given(value):
    with pytest.raises(InvalidValue) as err:
        check_action(value, "gitdesk.yml: action")
    assert err.value.field == "gitdesk.yml: action"


def test_the_action_is_the_one_given_else_the_desks_else_its_own_copy(tmp_path):
    assert desk_action(tmp_path) == LOCAL_ACTION  # no gitdesk.yml yet
    (tmp_path / "gitdesk.yml").write_text("prefix: HD\n")
    assert desk_action(tmp_path) == LOCAL_ACTION
    (tmp_path / "gitdesk.yml").write_text("action: acme/gitdesk@v2\n")
    assert desk_action(tmp_path) == "acme/gitdesk@v2"
    assert desk_action(tmp_path, "other/gitdesk@v3") == "other/gitdesk@v3"
    (tmp_path / "gitdesk.yml").write_text("action: 'rm -rf /'\n")
    with pytest.raises(InvalidValue, match="not a GitHub Action reference"):
        desk_action(tmp_path)


def test_render_workflow_pins_the_version_and_the_action():
    text = f"steps:\n  - uses: {ACTION_TOKEN}\n    with:\n      install: gitdesk=={VERSION_TOKEN}\n"
    assert render_workflow(text, "1.2.3", "acme/gitdesk@v1") == (
        "steps:\n  - uses: acme/gitdesk@v1\n    with:\n      install: gitdesk==1.2.3\n"
    )
    assert "install: git+https://example.org/gitdesk.git" in render_workflow(
        text, install="git+https://example.org/gitdesk.git"
    )


def test_template_files_are_named_as_a_desk_has_them_with_no_token_left():
    files = dict(template_files("9.9.9"))
    assert {".gitattributes", ".gitignore", ".github/CODEOWNERS", "gitdesk.yml", "tickets/.gitkeep"} <= set(files)
    assert not [rel for rel in files if "dot-" in rel or "__pycache__" in rel or rel.endswith(".pyc")]
    workflows = {rel: data.decode() for rel, data in files.items() if rel.startswith(".github/workflows/")}
    assert len(workflows) == 4
    for rel, text in workflows.items():
        assert VERSION_TOKEN not in text and ACTION_TOKEN not in text, rel
        assert "install: gitdesk==9.9.9" in text and f"uses: {LOCAL_ACTION}" in text, rel
    assert ".github/actions/gitdesk/action.yml" in files


def test_a_published_action_replaces_the_local_copy_and_is_kept_in_gitdesk_yml():
    files = dict(template_files(action="acme/gitdesk@v1"))
    assert not [rel for rel in files if rel.startswith(".github/actions/")]
    assert "uses: acme/gitdesk@v1" in files[".github/workflows/validate.yml"].decode()
    assert files["gitdesk.yml"].decode().endswith("\naction: acme/gitdesk@v1\n")


def test_with_action_replaces_the_line_or_adds_one():
    assert (
        with_action("prefix: HD\naction: old/a@v1\ntiers: 3\n", "new/a@v2")
        == "prefix: HD\naction: new/a@v2\ntiers: 3\n"
    )
    added = with_action("prefix: HD\n\n\n", "new/a@v2")
    assert (
        added.startswith("prefix: HD\n\n# ") and added.endswith("\naction: new/a@v2\n") and added.count("action:") == 1
    )
    assert with_action(added, "new/a@v2") == added  # already so: unchanged


def test_missing_files_leaves_the_desks_own_files_and_update_rewrites_only_gitdesks(tmp_path):
    fresh = missing_files(tmp_path, version="1.0.0")
    assert set(fresh) == {rel for rel, _ in template_files("1.0.0")}
    for rel, data in fresh.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data if isinstance(data, bytes) else data.encode())
    (tmp_path / "README.md").write_text("Our desk\n")
    assert missing_files(tmp_path, version="1.0.0") == {}
    assert missing_files(tmp_path, version="2.0.0") == {}  # init alone never overwrites
    updated = missing_files(tmp_path, update=True, version="2.0.0")
    assert set(updated) == {rel for rel in fresh if rel.startswith(".github/workflows/")}  # same action.yml
    assert missing_files(tmp_path, update=True, version="1.0.0") == {}


def test_an_action_given_for_an_existing_desk_goes_into_its_gitdesk_yml(tmp_path):
    (tmp_path / "gitdesk.yml").write_text("prefix: OPS\n")
    out = missing_files(tmp_path, action="acme/gitdesk@v1")
    assert out["gitdesk.yml"].startswith("prefix: OPS\n") and out["gitdesk.yml"].endswith("action: acme/gitdesk@v1\n")
    assert ".github/actions/gitdesk/action.yml" not in out
    assert f"install: gitdesk=={__version__}" in out[".github/workflows/validate.yml"].decode()


def test_repository_around_finds_the_top_or_none(tmp_path):
    root = tmp_path / "desk"
    assert repository_around(tmp_path) is None
    create_repository(root)
    (root / "tickets").mkdir()
    assert repository_around(root / "tickets").resolve() == root.resolve()
