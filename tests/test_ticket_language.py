"""A ticket's own `language`: set with new/edit through the gate, taken from Content-Language at intake."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import git
from gitdesk.core.rules import check_change
from gitdesk.core.ticket import parse
from gitdesk.intake.message import content_language
from gitdesk.intake.message import parse as parse_mail
from recording_servers import inbox  # noqa: F401 - the aiosmtpd fixture on 127.0.0.1

REQUEST = """\
From: Lucía Martín <lucia@example.es>
To: help@desk.example
Subject: La impresora de recepción se atasca
Message-ID: <es-1@example.es>
Content-Language: {language}
Content-Type: text/plain; charset=utf-8

La impresora de recepción se atasca con cada trabajo de la bandeja 2.
"""


def _new(cli_invoke, *extra: str) -> dict:
    out = cli_invoke("new", "La impresora se atasca", "--requester", "Lucía <lucia@example.es>", "--json", *extra)
    return json.loads(out.stdout)


def test_new_language_is_written_in_its_place_and_normalised(cli_invoke, desk_root):
    ticket = _new(cli_invoke, "--language", "es-ES")
    text = (desk_root / "tickets" / f"{ticket['id']}.md").read_text(encoding="utf-8")
    assert "\nvisibility: unlisted\nlanguage: es\ncreated:" in text
    assert parse(text).meta["language"] == "es"
    plain = _new(cli_invoke)  # no --language: no key, the desk's language applies
    assert "language" not in parse((desk_root / "tickets" / f"{plain['id']}.md").read_text(encoding="utf-8")).meta


def test_edit_language_is_recorded_and_validate_accepts_it(cli_invoke, desk_root):
    tid = _new(cli_invoke)["id"]
    cli_invoke("edit", tid, "--language", "CA")
    meta = parse((desk_root / "tickets" / f"{tid}.md").read_text(encoding="utf-8")).meta
    assert meta["language"] == "ca"
    assert meta["history"][-1]["changes"] == {"language": {"from": None, "to": "ca"}}
    assert cli_invoke("validate").exit_code == 0


@pytest.mark.parametrize("verb", ["new", "edit"])
def test_an_unknown_language_is_refused_naming_the_field(cli_invoke, refused, verb):
    if verb == "new":
        line = refused("new", "Printer", "--requester", "bob@example.com", "--language", "fr")
    else:
        tid = _new(cli_invoke)["id"]
        line = refused("edit", tid, "--language", "klingon")
    assert ":language:" in line and "is not one of en, es, ca" in line, line


def test_validate_refuses_a_hand_written_unknown_language(cli_invoke, desk_root):
    tid = _new(cli_invoke, "--language", "es")["id"]
    path = desk_root / "tickets" / f"{tid}.md"
    text = path.read_text(encoding="utf-8").replace("language: es\n", "language: fr\n")
    problems = check_change(f"tickets/{tid}.md", None, text.encode()).problems
    assert [(p.field, p.message) for p in problems] == [("language", "language 'fr' is not one of en, es, ca")]
    path.write_text(text, encoding="utf-8")
    git(desk_root, "commit", "-qam", "hand edit")
    result = cli_invoke("validate", ok=False)
    assert result.exit_code != 0 and "language 'fr' is not one of en, es, ca" in result.output


def test_a_language_change_needs_an_edit_event(cli_invoke, desk_root):
    """Like every other field: a language flipped by hand with no edit event is a forgery."""
    tid = _new(cli_invoke, "--language", "es")["id"]
    base = (desk_root / "tickets" / f"{tid}.md").read_text(encoding="utf-8")
    head = base.replace("language: es\n", "language: ca\n")
    problems = check_change(f"tickets/{tid}.md", base.encode(), head.encode()).problems
    assert any(p.field == "language" and "tamper check" in p.message for p in problems), problems


@pytest.mark.parametrize(
    ("header", "code"),
    [("es-ES", "es"), ("ca", "ca"), ("fr, ca-ES", "ca"), ("en-GB;q=0.9", "en"), ("fr", ""), ("", "")],
)
def test_content_language_names_the_first_supported_language(header, code):
    assert content_language(header) == code


def test_intake_takes_the_language_from_content_language_and_answers_in_it(cli_invoke, desk_root, inbox):  # noqa: F811
    Path("in.eml").write_text(REQUEST.format(language="es-ES"), encoding="utf-8")
    out = json.loads(cli_invoke("intake", "email", "in.eml", "--json").stdout)
    meta = parse((desk_root / "tickets" / f"{out['ticket']}.md").read_text(encoding="utf-8")).meta
    assert meta["language"] == "es"
    (ack,) = inbox.messages()
    assert ack["Content-Language"] == "es"
    assert "Hemos recibido su solicitud" in ack.get_content()
    assert str(ack["Subject"]).startswith(f"[{out['ticket']}] Recibida")


def test_intake_ignores_a_language_gitdesk_does_not_write(cli_invoke, desk_root, inbox):  # noqa: F811
    Path("in.eml").write_text(REQUEST.format(language="fr-FR"), encoding="utf-8")
    out = json.loads(cli_invoke("intake", "email", "in.eml", "--json").stdout)
    meta = parse((desk_root / "tickets" / f"{out['ticket']}.md").read_text(encoding="utf-8")).meta
    assert "language" not in meta  # the desk's language (en) then, not a refused message
    assert "We have received your request" in inbox.messages()[0].get_content()
    assert parse_mail(REQUEST.format(language="fr-FR").encode()).language == ""


def test_split_children_keep_the_customers_language(cli_invoke, desk_root):
    tid = _new(cli_invoke, "--language", "ca")["id"]
    cli_invoke("prioritise", tid, "P3")
    cli_invoke("split", tid, "--into", "Safata 1", "--into", "Safata 2")
    children = parse((desk_root / "tickets" / f"{tid}.md").read_text(encoding="utf-8")).meta["children"]
    assert len(children) == 2
    for child in children:
        assert parse((desk_root / "tickets" / f"{child}.md").read_text(encoding="utf-8")).meta["language"] == "ca"


def test_the_fast_path_reads_the_language_gitdesk_writes(cli_invoke, desk_root):
    from gitdesk.core import written_yaml
    from gitdesk.core.ticket import split_front_matter

    tid = _new(cli_invoke, "--language", "ca")["id"]
    front = split_front_matter((desk_root / "tickets" / f"{tid}.md").read_text(encoding="utf-8"))[0]
    assert (written_yaml.load(front) or {}).get("language") == "ca"


def test_the_ticket_page_is_in_the_tickets_language_and_the_board_in_the_desks(cli_invoke, desk_root, tmp_path):
    from gitdesk.site.run import build

    es = _new(cli_invoke, "--language", "es", "--visibility", "public")["id"]
    en = _new(cli_invoke, "--visibility", "public")["id"]
    out = build(desk_root, tmp_path / "site").out_dir
    page_es = (out / "tickets" / es / "index.html").read_text(encoding="utf-8")
    page_en = (out / "tickets" / en / "index.html").read_text(encoding="utf-8")
    assert '<html lang="es"' in page_es and "Solicitud" in page_es
    assert '<html lang="en"' in page_en and "Solicitud" not in page_en
    board = (out / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en"' in board
    assert json.loads((out / "api" / "tickets" / f"{es}.json").read_text(encoding="utf-8"))["language"] == "es"
