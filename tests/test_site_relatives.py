"""The relatives matrix: public / unlisted / private x parent / child / duplicate.

Which relative a page may name and link is one rule (privacy.can_link); this test states the
expected outcome for each of the 27 cases as a table and checks the built pages, their JSON and
every other file of the site against it.
"""

from __future__ import annotations

import json
import os
from unittest import mock

import pytest

from site_audit import check_machine_outputs
from test_site_privacy import every_file

KEY = "relatives-test-key-0123456789abcdefghijklmn"
VIS = ("public", "unlisted", "private")
# (the page's ticket, the relative it shows) -> may the page name and link the relative?
# A public relative may be named by any page; an unlisted one only by an unlisted page of the
# same requester (a split keeps the requester, a duplicate is someone else's); a private one never.
SAME_REQUESTER = {
    ("public", "public"): True,
    ("unlisted", "public"): True,
    ("public", "unlisted"): False,
    ("unlisted", "unlisted"): True,
    ("public", "private"): False,
    ("unlisted", "private"): False,
}
OTHER_REQUESTER = {**SAME_REQUESTER, ("unlisted", "unlisted"): False}


@pytest.fixture(scope="module")
def matrix(tmp_path_factory):
    """Every pair: a parent split into one child, and a ticket cancelled as a duplicate of another."""
    import subprocess

    from click.testing import CliRunner

    from gitdesk.cli.main import cli
    from gitdesk.desk.facade import Desk
    from gitdesk.site.run import build

    root = tmp_path_factory.mktemp("relatives") / "desk"
    root.mkdir()
    env = {
        "GITDESK_NOW": "2026-03-02T09:00:00Z",
        "GITDESK_SITE_KEY": KEY,
        "GIT_AUTHOR_NAME": "Ada Tech",
        "GIT_AUTHOR_EMAIL": "ada@desk.example",
        "GIT_COMMITTER_NAME": "Ada Tech",
        "GIT_COMMITTER_EMAIL": "ada@desk.example",
    }
    with mock.patch.dict(os.environ, env):
        subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
        assert CliRunner().invoke(cli, ["init", str(root)]).exit_code == 0
        desk = Desk(root)
        cases = {}
        for a in VIS:
            for b in VIS:
                who = {"name": f"Pat Quill{len(cases)}", "email": f"pat.quill{len(cases)}@example.com"}
                parent = desk.open(f"PARENT-{a}-{b}", who, visibility=a)
                _, child = desk.split(parent.id, [f"CHILD-{a}-{b}"])
                if b != a:
                    desk.edit(child.id, {"visibility": b})
                original = desk.open(f"ORIGINAL-{a}-{b}", {"name": "Other Person"}, visibility=b)
                duplicate = desk.open(f"DUPLICATE-{a}-{b}", who, visibility=a)
                desk.cancel(duplicate.id, "asked twice", duplicate_of=original.id)
                cases[("child", a, b)] = (parent.id, child.id)  # the parent's page shows its child
                cases[("parent", b, a)] = (child.id, parent.id)  # the child's page shows its parent
                cases[("duplicate", a, b)] = (duplicate.id, original.id)
        out = root.parent / "out"
        build(root, out)
    tickets = {t.id: t for t in desk.tickets()}
    return out, cases, tickets


def _page(out, ticket):
    from gitdesk.site.privacy import ticket_json_url, ticket_url

    url = ticket_url(ticket.id, ticket.visibility, KEY)
    if url is None:
        return None, None
    html = (out / url / "index.html").read_text(encoding="utf-8")
    view = json.loads((out / ticket_json_url(ticket.id, ticket.visibility, KEY)).read_text(encoding="utf-8"))
    return html, view


@pytest.mark.parametrize("relation", ["parent", "child", "duplicate"])
@pytest.mark.parametrize("from_vis", VIS)
@pytest.mark.parametrize("to_vis", VIS)
def test_a_page_names_a_relative_only_where_it_may(matrix, relation, from_vis, to_vis):
    from gitdesk.site.privacy import ticket_url

    out, cases, tickets = matrix
    page_id, other_id = cases[(relation, from_vis, to_vis)]
    page, other = tickets[page_id], tickets[other_id]
    html, view = _page(out, page)
    if html is None:
        assert from_vis == "private"
        return  # a private ticket has no page: nothing of it, or of its relatives, to show
    table = OTHER_REQUESTER if relation == "duplicate" else SAME_REQUESTER
    allowed = table[(from_vis, to_vis)]
    key = {"child": "children", "parent": "parent", "duplicate": "duplicate_of"}[relation]
    shown = view[key][0] if relation == "child" else view[key]
    other_url = ticket_url(other.id, other.visibility, KEY)
    if allowed:
        assert shown["id"] == other.id and shown["title"] == other.title and shown["url"] == other_url
        assert other.title in html and other_url.split("/")[1] in html
    else:
        assert shown["id"] == "" and shown["url"] == "" and shown["title"] == "A related request (not published)"
        assert other.title not in html and other.id not in html
        if other_url:
            assert other_url not in html and other_url.split("/")[1] not in json.dumps(view)


def test_json_and_feed_of_the_matrix_desk(matrix):
    out, cases, tickets = matrix
    assert check_machine_outputs(out) >= sum(t.visibility != "private" for t in tickets.values())


def test_no_other_file_names_an_unlisted_or_private_ticket(matrix):
    from gitdesk.site.privacy import unlisted_token

    out, cases, tickets = matrix
    hidden = [t for t in tickets.values() if t.visibility != "public"]
    for path, text in every_file(out):
        for t in hidden:
            if path.is_relative_to(out / "t"):
                continue  # unlisted pages: checked case by case above
            assert t.id not in text and t.title not in text, (path, t.id)
            assert unlisted_token(KEY, t.id) not in text, (path, t.id)
