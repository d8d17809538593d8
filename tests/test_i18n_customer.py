"""An `es` desk end to end: the site and every mail carry no English message of the catalog."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from gitdesk.i18n import translator
from test_mail import MAIL, _take, smtp  # noqa: F401 - the real SMTP server on 127.0.0.1 (aiosmtpd)

LOCALE = Path(__file__).resolve().parents[1] / "src" / "gitdesk" / "i18n" / "locale"


def english_patterns() -> list[tuple[str, re.Pattern[str]]]:
    """Every English message (two words or more) whose Spanish differs, as a regex over plain text."""
    from babel.messages.pofile import read_po

    with (LOCALE / "es" / "LC_MESSAGES" / "gitdesk.po").open("rb") as handle:
        catalog = read_po(handle, locale="es")
    out = []
    for m in catalog:
        ids = list(m.id) if isinstance(m.id, tuple) else [m.id]
        strings = list(m.string) if isinstance(m.id, tuple) else [m.string]
        for msgid in ids:
            if not msgid or len(msgid.split()) < 2 or msgid in strings:
                continue
            parts = [re.escape(p.strip()) for p in re.split(r"\{[a-z_]*\}", msgid) if p.strip()]
            if parts and max(len(p) for p in parts) >= 8:
                out.append((msgid, re.compile(r".{0,200}?".join(parts))))
    return out


def english_left(text: str) -> list[str]:
    plain = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text)))
    return [msgid for msgid, pattern in english_patterns() if pattern.search(plain)]


# Words English uses all the time and Spanish and Catalan never write (Catalan's "on", "us"
# and Spanish "has" are left out): a line with two of them is English, marked or not.
ENGLISH_ONLY = frozenset(
    "the your you we what this with and our was are have for it of to is be been tell who which will".split()
)


def english_lines(text: str) -> list[str]:
    """Lines of visible text that read as English: finds words no catalog has, i.e. unmarked strings.

    Only meaningful where everything people wrote (titles, questions, solutions, names) is in
    the page's language, as in the desks these tests build."""
    plain = html.unescape(re.sub(r"<(script|style)\b.*?</\1>|<[^>]+>", "\n", text, flags=re.S))
    out = []
    for line in plain.splitlines():
        words = set(re.findall(r"[a-z]+", line.lower()))
        if len(words & ENGLISH_ONLY) >= 2:
            out.append(line.strip())
    return out


@pytest.fixture
def es_desk(desk_root, desk):
    config = desk_root / "gitdesk.yml"
    config.write_text("language: es\n" + config.read_text(encoding="utf-8"), encoding="utf-8")
    from gitdesk.desk.facade import Desk

    return Desk(desk_root, clock=desk.clock)


def test_the_scan_finds_english_when_there_is_some():
    assert "We have received your request and will triage it shortly." in english_left(
        "<p>We have received your request and will triage it shortly.</p>"
    )
    assert english_left(translator("es")._("We have received your request and will triage it shortly.")) == []


def test_every_mail_of_an_es_desk_is_spanish_and_the_survey_reply_reads_back(cli_invoke, es_desk, smtp):  # noqa: F811
    from gitdesk.channels import messages
    from gitdesk.channels.mail import send_survey_invitation
    from gitdesk.intake.survey_reply import read_reply

    out = _take(cli_invoke, (MAIL / "plain.eml").read_bytes())
    ticket = es_desk.get(out["ticket"])
    tr = translator("es")
    send_survey_invitation(es_desk, ticket.id, log=False)
    ack, invitation = smtp.messages()
    for msg in (ack, invitation):
        body = msg.get_content()
        assert english_left(str(msg["Subject"]) + "\n" + body) == [], body
    assert "Hemos recibido su solicitud" in ack.get_content() and str(ack["Subject"]).startswith(
        f"[{ticket.id}] Recibida"
    )
    assert "Puntuación (1-5):" in invitation.get_content()
    reply = invitation.get_content().replace("Puntuación (1-5):", "Puntuación (1-5): 4")
    reply = reply.replace("Preguntas adecuadas (sí/no):", "Preguntas adecuadas (sí/no): sí")
    reply = reply.replace("Tiempo adecuado (sí/no):", "Tiempo adecuado (sí/no): no, demasiado largo")
    answers = read_reply(reply)
    assert (answers.score, answers.right_questions, answers.time, answers.problem) == (4, "yes", "too-long", "")
    how = messages.how_to_answer("email", ticket.id, tr)
    for message in (
        messages.question(ticket, "¿Qué modelo de impresora es?", how, "https://s.example/t/", tr),
        messages.proposed(ticket, "Cambiar los rodillos", how, "", True, tr),
        messages.changes(ticket, "Sigue atascándose", "", tr),
        messages.resolved(ticket, "", tr),
        messages.closed(ticket, "", tr),
        messages.reopened(ticket, "Vuelve a fallar", "", tr),
        messages.cancelled(ticket, "Duplicada", "", tr),
    ):
        assert english_left(message.subject + "\n" + message.text()) == [], message.text()


def test_the_scan_finds_unmarked_english_too():
    assert english_lines("<p>Accept the solution</p><p>We need an answer from you</p>") == [
        "We need an answer from you"
    ]
    assert english_lines("<p>Necesitamos una respuesta suya</p><p>Això resol el seu problema?</p>") == []


def _journey(cli_invoke, desk) -> dict[str, str]:
    """One public ticket in each state of the customer's journey, everything people wrote in Spanish."""
    who = {"name": "Lucía", "email": "lucia@example.es"}
    ids = {}
    for state in ("new", "waiting", "proposed", "changes", "cancelled"):
        ids[state] = t = desk.open(f"La impresora se atasca ({state})", who, visibility="public").id
        if state == "new":
            continue
        cli_invoke("prioritise", t, "P3")
        if state == "cancelled":
            cli_invoke("cancel", t, "--reason", "Duplicada de otra solicitud")
            continue
        cli_invoke("start", t)
        if state == "waiting":
            cli_invoke("wait", t, "--question", "¿Qué modelo de impresora es?")
            continue
        cli_invoke("propose", t, "--solution", "Cambiar los rodillos de la bandeja 2.")
        if state == "changes":
            cli_invoke("review", t, "--request-changes", "--customer", "--comment", "Sigue atascándose.")
    return ids


def test_the_site_of_an_es_desk_has_no_english_message(cli_invoke, es_desk, desk_root, tmp_path):
    from gitdesk.site.run import build

    config = desk_root / "gitdesk.yml"
    text = config.read_text(encoding="utf-8").replace("customer: optional", "customer: required")
    config.write_text(text + "\nmail:\n  from: help@desk.example\n", encoding="utf-8")  # where replies go
    ids = _journey(cli_invoke, es_desk)
    t = es_desk.get(ids["new"])
    cli_invoke("prioritise", t.id, "P3")
    result = build(desk_root, tmp_path / "site")
    pages = [p for p in result.out_dir.rglob("*.html") if "assets" not in p.parts and "search" not in p.parts]
    assert len(pages) >= 10
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert 'lang="es"' in text, page
        assert english_left(re.sub(r"<script.*?</script>", "", text, flags=re.S)) == [], page
        assert english_lines(text) == [], (page, english_lines(text))  # all people wrote is Spanish
    read = {state: (result.out_dir / "tickets" / tid / "index.html").read_text() for state, tid in ids.items()}
    assert "Necesitamos una respuesta suya" in read["waiting"]
    assert "¿Resuelve esto su problema?" in read["proposed"] and "Aceptar la solución" in read["proposed"]
    assert "Nos pidió cambiar la solución" in read["changes"]
    assert "Motivo: Duplicada de otra solicitud" in read["cancelled"]
    from urllib.parse import unquote

    from gitdesk.intake.review_reply import read_verdict

    for kind, approve in (("accept", True), ("change", False)):  # prepared replies in Spanish, read back
        link = re.search(rf'class="gd-button[^"]* gd-{kind}" href="([^"]+)"', read["proposed"])
        assert link, kind
        body = html.unescape(unquote(link.group(1).split("body=", 1)[1]))
        assert body.startswith("Veredicto: acepto" if approve else "Veredicto: cambiar\nQué sigue fallando: "), body
        assert read_verdict(body + ("" if approve else "la bandeja 1 también")).approve is approve
    feed = (result.out_dir / "tickets" / ids["waiting"] / "feed.xml").read_text(encoding="utf-8")
    assert 'xml:lang="es"' in feed and english_lines(feed) == []
    ticket_page = (result.out_dir / "tickets" / t.id / "index.html").read_text(encoding="utf-8")
    assert "días laborables" in ticket_page or "día laborable" in ticket_page
