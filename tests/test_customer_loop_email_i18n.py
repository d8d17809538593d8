"""The customer's whole loop by email in Spanish, and a Catalan verdict and survey, through real SMTP on 127.0.0.1.

The desk writes English (no `language:` in gitdesk.yml); the customers' mails say
Content-Language: es-ES or ca, so their tickets carry that language and every message to them
is written in it. They answer as people do, in their own words and with their mail client's
quote header: the question's answer, "No está resuelto: ...", "Acepto", the survey's answer
lines. Every reply is parsed and recorded: contact, verdict, survey file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from gitdesk.cli.main import cli
from gitdesk.desk.facade import Desk
from recording_servers import inbox  # noqa: F401 - the aiosmtpd fixture
from test_i18n_customer import english_left, english_lines

CUSTOMERS = {
    "es": ("Lucía Martín", "lucia@tailspin.example", "El lun, 2 mar 2026 a las 10:00, Service desk {to} escribió:"),
    "ca": ("Jordi Puig", "jordi@wideworld.example", "El dl., 2 de març 2026 a les 10:00, {to} va escriure:"),
}


def request(language: str, subject: str, body: str) -> bytes:
    name, address, _ = CUSTOMERS[language]
    return (
        f"From: {name} <{address}>\nTo: help@desk.example\nSubject: {subject}\n"
        f"Message-ID: <{language}-0@customer.example>\nContent-Language: {language}-ES\n"
        f"Content-Type: text/plain; charset=utf-8\n\n{body}\n"
    ).encode()


def reply(language: str, to_msg, body: str, n: int) -> bytes:
    """A customer's answer to one of our messages, quoting it under their client's header."""
    name, address, header = CUSTOMERS[language]
    quoted = "\n".join(f"> {line}" for line in to_msg.get_content().splitlines())
    return (
        f"From: {name} <{address}>\nTo: help@desk.example\nSubject: Re: {to_msg['Subject']}\n"
        f"Message-ID: <{language}-{n}@customer.example>\nIn-Reply-To: {to_msg['Message-ID']}\n"
        f"References: {to_msg['Message-ID']}\nContent-Language: {language}\nContent-Type: text/plain; charset=utf-8\n\n"
        f"{body}\n\n{header.format(to='<help@desk.example>')}\n{quoted}\n"
    ).encode()


@pytest.fixture
def gd(customer_desk_root, clock):
    runner = CliRunner()

    def run(*args: str, mail: bytes | None = None):
        if mail is not None:
            Path("in.eml").write_bytes(mail)
        clock.advance(minutes=30)
        result = runner.invoke(cli, [*args])
        assert result.exit_code == 0, result.output
        return result

    return run


def _last(box, subject_start: str):
    found = [m for m in box.messages() if str(m["Subject"]).split("] ", 1)[-1].startswith(subject_start)]
    assert found, [m["Subject"] for m in box.messages()]
    return found[-1]


def _in_language(msg, language: str) -> str:
    """The mail's text, after checking it is marked and written in `language` (no English left)."""
    body = msg.get_content()
    assert msg["Content-Language"] == language, msg["Subject"]
    assert english_left(f"{msg['Subject']}\n{body}") == [], body
    assert english_lines(body) == [], body
    return body


def test_the_whole_loop_in_spanish(gd, inbox, customer_desk_root, clock):  # noqa: F811
    desk = Desk(customer_desk_root, clock=clock)
    title = "La impresora de recepción se atasca"
    out = gd("intake", "email", "in.eml", "--json", mail=request("es", title, "Se atasca con la bandeja 2."))
    tid = json.loads(out.stdout)["ticket"]
    assert desk.get(tid).meta["language"] == "es"
    ack = _in_language(inbox.messages()[0], "es")
    assert "Hemos recibido su solicitud" in ack and f"[{tid}]" in ack

    gd("prioritise", tid, "P3")
    gd("start", tid)
    gd("wait", tid, "--question", "¿Se atasca también con la bandeja 1?")
    question = _last(inbox, "Tenemos una pregunta")
    assert "¿Se atasca también con la bandeja 1?" in _in_language(question, "es")
    gd("intake", "email", "in.eml", mail=reply("es", question, "No, solo con la bandeja 2.", 1))
    t = desk.get(tid)
    answer = next(e for e in reversed(t.history) if e.get("direction") == "inbound")
    assert t.status == "in_progress" and answer["summary"] == "No, solo con la bandeja 2."  # the quote left out

    gd("propose", tid, "--solution", "Limpiar la almohadilla de separación de la bandeja 2.")
    proposal = _in_language(_last(inbox, "Solución propuesta"), "es")
    assert "acepto" in proposal and "cambiar:" in proposal and "¿Resuelve su problema?" in proposal
    verdict = "No está resuelto: sigue atascándose con el papel grueso."
    out = gd("intake", "email", "in.eml", mail=reply("es", _last(inbox, "Solución propuesta"), verdict, 2))
    assert "customer's verdict recorded" in out.output
    t = desk.get(tid)
    review = next(e for e in reversed(t.history) if e["action"] == "review")
    assert (review["verdict"], review["role"]) == ("request-changes", "requester")
    assert review["by"] == "lucia@tailspin.example"
    assert review["feedback"] == "sigue atascándose con el papel grueso."
    assert "sigue atascándose" in _in_language(_last(inbox, "Cambios registrados"), "es")

    gd("propose", tid, "--solution", "Sustituir la almohadilla de separación de la bandeja 2.")
    gd("intake", "email", "in.eml", mail=reply("es", _last(inbox, "Solución propuesta"), "Acepto, muchas gracias.", 3))
    t = desk.get(tid)
    review = next(e for e in reversed(t.history) if e["action"] == "review")
    assert t.status == "resolved" and (review["verdict"], review["by"]) == ("approve", "lucia@tailspin.example")
    _in_language(_last(inbox, "Resuelta"), "es")

    gd("close", tid, "--lesson", "Separation pads wear before rollers")
    invitation = _last(inbox, "¿Qué tal lo hemos hecho?")
    form = _in_language(invitation, "es")
    assert "Puntuación (1-5):" in form and "Preguntas adecuadas (sí/no):" in form
    answers = (
        form.replace("Puntuación (1-5):", "Puntuación (1-5): 4")
        .replace("Preguntas adecuadas (sí/no):", "Preguntas adecuadas (sí/no): sí")
        .replace("Tiempo adecuado (sí/no):", "Tiempo adecuado (sí/no): no, demasiado largo")
        .replace("Qué deberíamos mejorar:", "Qué deberíamos mejorar: Avisar antes de la visita.")
    )
    labels = ("Puntuación", "Preguntas adecuadas", "Tiempo adecuado", "Qué deberíamos mejorar", "Algo más")
    answers = "\n".join(line for line in answers.splitlines() if line.startswith(labels))  # the form, filled in
    gd("intake", "email", "in.eml", mail=reply("es", invitation, answers, 4))
    survey = yaml.safe_load((customer_desk_root / "surveys" / f"{tid}.yml").read_text(encoding="utf-8"))
    assert (survey["score"], survey["right_questions"], survey["time"]) == (4, "yes", "too-long")
    assert survey["improve"] == "Avisar antes de la visita." and survey["answered_by"] == "lucia@tailspin.example"

    subjects = [str(m["Subject"]).split("] ", 1)[1].split(":")[0] for m in inbox.messages()]
    assert subjects == [
        "Recibida",
        "Tenemos una pregunta",
        "Solución propuesta",
        "Cambios registrados",
        "Solución propuesta",
        "Resuelta",
        f"¿Qué tal lo hemos hecho? {title}",
    ]


def test_a_catalan_verdict_and_survey(gd, inbox, customer_desk_root, clock):  # noqa: F811
    desk = Desk(customer_desk_root, clock=clock)
    title = "El portàtil no es connecta a la wifi"
    out = gd("intake", "email", "in.eml", "--json", mail=request("ca", title, "No troba la xarxa de la sala 3."))
    tid = json.loads(out.stdout)["ticket"]
    assert desk.get(tid).meta["language"] == "ca"
    assert "Hem rebut la seva sol·licitud" in _in_language(inbox.messages()[0], "ca")
    gd("prioritise", tid, "P3")
    gd("start", tid)
    gd("propose", tid, "--solution", "Actualitzar el controlador de la targeta wifi.")
    proposal = _last(inbox, "Solució proposada")
    assert "accepto" in _in_language(proposal, "ca")
    rejected = "No està resolt: encara es desconnecta cada hora."
    gd("intake", "email", "in.eml", mail=reply("ca", proposal, rejected, 1))
    review = next(e for e in reversed(desk.get(tid).history) if e["action"] == "review")
    assert (review["verdict"], review["feedback"]) == ("request-changes", "encara es desconnecta cada hora.")
    _in_language(_last(inbox, "Canvis registrats"), "ca")
    gd("propose", tid, "--solution", "Desactivar l'estalvi d'energia de la targeta wifi.")
    gd("intake", "email", "in.eml", mail=reply("ca", _last(inbox, "Solució proposada"), "Accepto, gràcies!", 2))
    assert desk.get(tid).status == "resolved"
    gd("close", tid, "--lesson", "Wi-Fi power saving drops 5 GHz WPA3 links")
    invitation = _last(inbox, "Com ho hem fet?")
    assert "Puntuació (1-5):" in _in_language(invitation, "ca")
    typed = "Puntuació (1-5): 5\nPreguntes adequades (sí/no): sí\nTemps adequat (sí/no): no, massa llarg\n"
    gd("intake", "email", "in.eml", mail=reply("ca", invitation, typed, 3))
    survey = yaml.safe_load((customer_desk_root / "surveys" / f"{tid}.yml").read_text(encoding="utf-8"))
    assert (survey["score"], survey["right_questions"], survey["time"]) == (5, "yes", "too-long")
