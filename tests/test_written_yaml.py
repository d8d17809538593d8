"""The fast path reads what gitdesk writes exactly as the full YAML parser does, and declines the rest."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gitdesk.core import actions, written_yaml
from gitdesk.core.actions import Context
from gitdesk.core.config import from_mapping
from gitdesk.core.ticket import dump, dump_yaml, parse, pyyaml_dump, split_front_matter
from gitdesk.errors import GitdeskError

GOLDEN = Path(__file__).parent / "golden"
_MISSING = object()


def full(text: str) -> Any:
    """What CSafeLoader makes of `text`; _MISSING when it refuses it."""
    try:
        return yaml.load(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return _MISSING


def same(a: Any, b: Any) -> bool:
    """Equal values of the same types in the same key order (True == 1 and dict order do not count)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def agrees(text: str) -> Any:
    """The fast result, after checking it is None or exactly the full parser's result."""
    fast = written_yaml.load(text)
    if fast is not None:
        slow = full(text)
        assert slow is not _MISSING, f"the fast path read text the full parser refuses:\n{text}"
        assert same(fast, slow), f"fast {fast!r}\nfull {slow!r}\ntext:\n{text}"
    return fast


# -- values a person or a channel may put into a ticket -------------------------------------
TRICKY = [
    "yes",
    "No",
    "on",
    "OFF",
    "null",
    "~",
    "true",
    "1",
    "-1",
    "+3",
    "007",
    "0x1f",
    "1.5",
    ".5",
    "1e5",
    ".inf",
    "12:30",
    "2026-03-02",
    "2026-03-02T09:00:00Z",
    "1_000",
    "<<",
    "=",
    "-",
    "- item",
    "key: value",
    "a #b",
    "#c",
    "trailing:",
    "[x]",
    "{y}",
    "&a",
    "*b",
    "!t",
    "|",
    ">",
    "'q'",
    '"d"',
    "%p",
    "@x",
    "`b`",
    "",
    " lead",
    "trail ",
    "two\nlines",
    "\nfirst blank",
    "last blank\n",
    "\n",
    "  \n x",
    "tab\there",
    "ünï",
    "emoji 🎫",
    "nbsp\xa0here",
    "line\u2028sep",
    "bell\x07",
    "back\\slash",
    "quote's",
    'dq"in',
    "+41 44 179 50 86",
    "1.2.3",
    "-foo",
    "?x",
    ":x",
    "x: ",
    "...",
    "---",
    "a\n\n\nb",
    "a\n  indented\nb",
    "x\n ",
    "keep\n\n",
    " \n",
    "0",
    "-0",
    "0o7",
    "0b1",
    "1:2:3",
]
text = st.one_of(st.sampled_from(TRICKY), st.text(max_size=40), st.text(alphabet="ab :#-'\"\n\\ 1.", max_size=30))
word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_-", min_size=1, max_size=12)
scalar = st.one_of(text, st.integers(-(10**6), 10**6), st.booleans(), st.none())
tree = st.recursive(
    scalar,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(word, inner, max_size=4)),
    max_leaves=12,
)
CONFIG = from_mapping({})


@st.composite
def written_ticket(draw: st.DrawFn) -> str:
    """A ticket as gitdesk writes it: `new` and a random run of verbs with awkward text."""
    ctx = Context(CONFIG, "2026-03-02T09:00:00Z", draw(st.sampled_from(["ada", "bob", "yes", "1"])))
    title = draw(text.filter(lambda s: s.strip() and "\n" not in s))
    try:
        t = actions.new_ticket(
            ctx,
            "HD-" + draw(st.text(alphabet="0123456789abcdefghjkmnpqrstvwxyz", min_size=4, max_size=8)),
            title,
            {"name": draw(text), "email": "ada@example.org", "phone": draw(text)},
            location=draw(text),
            product=draw(st.dictionaries(word, text, max_size=3)),
            language=draw(st.sampled_from([None, "en", "es", "ca", "es-ES", "CA"])),  # the customer's, normalised
            body=draw(text),
            extra={"message_ids": draw(st.lists(text, max_size=3)), **draw(st.dictionaries(word, tree, max_size=2))},
        )
        for _ in range(draw(st.integers(0, 6))):
            verb = draw(st.sampled_from(["note", "prioritise", "wait", "propose", "assign", "contact", "edit"]))
            if verb == "note":
                actions.note(t, ctx, draw(text))
            elif verb == "prioritise":
                actions.prioritise(t, ctx, draw(st.sampled_from(["P1", "P2", "P3", "P4"])), draw(text) or None)
            elif verb == "wait" and t.status in ("triaged", "in_progress"):
                actions.wait(t, ctx, draw(text))
            elif verb == "propose" and t.status == "in_progress":
                actions.propose(t, ctx, draw(text))
            elif verb == "assign":
                actions.assign(t, ctx, draw(word))
            elif verb == "edit":  # the customer's language set or changed later (`edit --language`)
                actions.edit(t, ctx, {"language": draw(st.sampled_from(["en", "es", "ca", "ca_ES"]))})
            elif verb == "contact":
                actions.contact(t, ctx, "phone", draw(text), draw(st.booleans()), auto=draw(st.booleans()))
    except GitdeskError:
        pass  # a verb refused its input: the ticket so far is still one gitdesk writes
    return dump(t)


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(written_ticket())
def test_every_ticket_gitdesk_writes_reads_the_same_both_ways(ticket_text):
    front = split_front_matter(ticket_text)[0]
    agrees(front)
    assert same(parse(ticket_text).meta, _full_parse_meta(ticket_text))


@SETTINGS
@given(st.dictionaries(word, tree, min_size=1, max_size=6))
def test_any_mapping_gitdesk_dumps_reads_the_same_both_ways(data):
    text_ = dump_yaml(data)
    fast = agrees(text_)
    assert fast is None or same(fast, data)


def dumps_as_pyyaml(data: Any) -> str | None:
    """The fast dump, after checking it is None or exactly what PyYAML writes."""
    fast = written_yaml.dump(data)
    if fast is not None:
        assert fast == pyyaml_dump(data), f"fast:\n{fast}\nPyYAML:\n{pyyaml_dump(data)}"
    return fast


@SETTINGS
@given(st.dictionaries(word, tree, min_size=1, max_size=6))
def test_any_mapping_is_dumped_as_pyyaml_dumps_it_or_left_to_pyyaml(data):
    dumps_as_pyyaml(data)


@SETTINGS
@given(written_ticket())
def test_every_ticket_gitdesk_writes_is_dumped_as_pyyaml_dumps_it(ticket_text):
    meta = parse(ticket_text).meta
    dumps_as_pyyaml(meta)
    assert dump_yaml(meta) == pyyaml_dump(meta)


@pytest.mark.parametrize("name", ["canonical-new.md", "canonical-closed.md"])
def test_the_fast_dump_is_taken_for_ordinary_tickets(name):
    meta = parse((GOLDEN / name).read_text(encoding="utf-8")).meta
    assert dumps_as_pyyaml(meta) is not None


@pytest.mark.parametrize(
    "value",
    [
        "",
        "yes",
        "No",
        "~",
        "null",
        "1",
        "0x1f",
        "1.5",
        "2026-03-02",
        "2026-03-02T09:00:00Z",
        "-",
        "- a",
        "? x",
        ": x",
        "#x",
        "a #b",
        "a: b",
        "a:",
        "'quoted'",
        '"dq"',
        " lead",
        "trail ",
        "tab\there",
        "nul\x00",
        "bom\ufeff",
        "line\u2028sep",
        "a\nb",
        "a\nb\n",
        "a\nb\n\n",
        "\nlead",
        " a\nb",
        "a \nb",
        "a\n\nb",
        "a\n  b",
        "x" * 3000,
        "señora Núñez, l'Hospitalet 🙂",
        "[flow]",
        "{flow}",
        "*alias",
        "&anchor",
        "!tag",
        "%directive",
        "@at",
        "`tick",
        "|pipe",
        ">gt",
        "<<",
        "=",
        "---",
        "...",
        ".inf",
        "+1",
        "+44 20 7946 0000",
        "555 0100",
        "1_000",
        "0o17",
        "017",
        "0b101",
        "1:30",
        "1:30.5",
        "190:20:30",
        "1e5",
        "1.0e+5",
        "2026-3-2",
        "2026-03-02 09:00:00",
        "2026-03-02t09:00:00.5 +01:00",
        "2026-03-02T09:00:00Zx",
        "-1",
        "-x",
        "?x",
        ":x",
        "~x",
        "<<x",
        "=x",
        ".x",
        ".nan",
        ".NaN",
        "-.inf",
        "yEs",
        "y",
        "n",
    ],
)
@pytest.mark.parametrize("where", ["value", "item", "nested"])
def test_tricky_strings_are_dumped_as_pyyaml_dumps_them_or_left_to_it(value, where):
    value = value.encode().decode("unicode_escape") if "\\" in value else value
    shapes = {"value": {"k": value}, "item": {"k": [value, {"a": value, "b": value}]}, "nested": {"k": {"m": value}}}
    data = shapes[where]
    dumps_as_pyyaml(data)


@pytest.mark.parametrize(
    "data",
    [
        {"k": 1.5},
        {"k": dt.date(2026, 1, 2)},
        {"k": [[1]]},
        {"k": [{}]},
        {"on": 1},
        {"a b": 1},
        {1: 2},
        {"k": b"x"},
        {"k" * 130: 1},
    ],
)
def test_what_the_fast_dump_is_not_sure_of_goes_to_pyyaml(data):
    assert written_yaml.dump(data) is None
    assert dump_yaml(data) == pyyaml_dump(data)


EDITS = [
    lambda s: s.replace("\n", "\n\n", 1),  # a blank line
    lambda s: "# a comment\n" + s,
    lambda s: s.replace(": ", ":  ", 1),  # extra space after a colon
    lambda s: s.replace("\n", "   \n", 2),  # trailing spaces
    lambda s: s.replace("\n- ", "\n  - ", 1),  # an indented sequence
    lambda s: s.replace("  ", "    ", 1),  # deeper indent on one line
    lambda s: s.replace("  ", "\t", 1),  # a tab
    lambda s: s.replace("'", "", 2),  # quotes taken off (a date becomes a date)
    lambda s: s.replace("'", '"', 2),  # single quotes made double
    lambda s: s.replace("\n", "\r\n"),  # Windows line ends
    lambda s: s + "extra: [a, b]\n",  # a flow list
    lambda s: s + "anchor: &a x\nalias: *a\n",
    lambda s: s + "when: 2026-03-02 09:00:00\n",
    lambda s: s + "on: 1\n",
    lambda s: s + "id: again\n",  # a duplicate key
    lambda s: s.replace("|-", "|", 1),
    lambda s: s.replace("|-", "|+", 1),
    lambda s: s.replace("|-", "|2-", 1),
    lambda s: s.replace("|-\n    ", "|-\n      ", 1),
    lambda s: s.replace("- at:", "-   at:", 1),
    lambda s: s.replace("\n", " # c\n", 1),
    lambda s: s[: len(s) // 2],  # cut off
    lambda s: s.replace("title:", "title :", 1),
    lambda s: s.replace(": ", ": |\n  ", 1),
]


@SETTINGS
@given(written_ticket(), st.lists(st.sampled_from(range(len(EDITS))), min_size=1, max_size=3))
def test_hand_edited_variants_read_the_same_or_take_the_full_parser(ticket_text, edits):
    front = split_front_matter(ticket_text)[0]
    for n in edits:
        front = EDITS[n](front)
    agrees(front)


@pytest.mark.parametrize("name", ["canonical-new.md", "canonical-closed.md", "unknown-keys.md", "hand-edited.md"])
def test_golden_files_agree(name):
    front = split_front_matter((GOLDEN / name).read_text(encoding="utf-8"))[0]
    agrees(front)


@pytest.mark.parametrize("name", ["canonical-new.md", "canonical-closed.md"])  # unknown-keys.md holds a float
def test_the_fast_path_is_taken_for_what_gitdesk_writes(name):
    front = split_front_matter((GOLDEN / name).read_text(encoding="utf-8"))[0]
    assert written_yaml.load(front) is not None


@pytest.mark.parametrize(
    "front",
    [
        "a: 1\n# comment\n",
        "a: [1, 2]\n",
        "a: 2026-03-02\n",
        "a: 1.5\n",
        "a: &x 1\nb: *x\n",
        "a:\n\tb: 1\n",
        "a: 1\na: 2\n",
        "yes: 1\n",
        "a: >\n  folded\n",
        "- a\n- b\n",
        "just text\n",
        "tier: " + "9" * 5000 + "\n",  # left to the full parser, which refuses it
        "a: |+\n  kept",  # no final line break: a `|+` block keeps only the breaks there are
    ],
)
def test_what_gitdesk_does_not_write_is_declined(front):
    assert written_yaml.load(front) is None


def _full_parse_meta(ticket_text: str) -> dict[str, Any]:
    front = split_front_matter(ticket_text)[0]
    meta = yaml.load(front, Loader=yaml.CSafeLoader)
    for key in ("created", "updated"):
        if isinstance(meta.get(key), (dt.date, dt.datetime)):
            raise AssertionError("gitdesk writes times as quoted strings")
    return meta
