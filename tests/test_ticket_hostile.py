"""Small hostile ticket files cannot stall or crash the desk: each is refused with one line naming the file."""

from __future__ import annotations

import pytest

from gitdesk.core.ticket import parse
from gitdesk.errors import MalformedTicket

LAUGHS = (
    "---\nid: HD-1\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    + "".join(f"{k}: &{k} [{', '.join([f'*{p}'] * 9)}]\n" for p, k in zip("abcdefgh", "bcdefghi", strict=True))
    + "---\n"
)


@pytest.mark.parametrize(
    "text, problem",
    [
        (LAUGHS, "tickets/HD-1.md:3: YAML anchors and aliases"),
        ("---\nid: HD-1\ntier: " + "9" * 5000 + "\n---\n", "tickets/HD-1.md: invalid value: a number too long"),
        ("---\nid: HD-1\ncreated: 9999-12-31T23:59:59-05:00\n---\n", "tickets/HD-1.md:2: a timestamp is out of range"),
        ("---\nid: HD-1\ncreated: 2026-02-30\n---\n", "tickets/HD-1.md: invalid value: day is out of range"),
        ("---\nid: HD-1\ntitle: " + "x" * (1024 * 1024 + 1) + "\n---\n", "tickets/HD-1.md: front matter larger"),
    ],
)
def test_refused_with_one_line(text, problem):
    with pytest.raises(MalformedTicket) as err:
        parse(text, "tickets/HD-1.md")
    assert str(err.value).startswith(problem) and "\n" not in str(err.value)


def test_ampersands_and_stars_in_values_are_not_anchors():
    t = parse("---\nid: HD-1\ntitle: Fish & chips, *urgent*\nnote: 'a &b *c'\n---\nR&D *bold*\n", "t.md")
    assert t.title == "Fish & chips, *urgent*" and t.meta["note"] == "a &b *c"


def test_validate_names_the_file_for_a_billion_laughs(cli_invoke, desk_root):
    (desk_root / "tickets" / "HD-aaaa1111.md").write_text(LAUGHS.replace("HD-1", "HD-aaaa1111"))
    result = cli_invoke("validate", ok=False)
    assert result.exit_code == 1 and "tickets/HD-aaaa1111.md:3: YAML anchors and aliases" in result.output
