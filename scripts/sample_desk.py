#!/usr/bin/env python3
"""Build the sample desk with the gitdesk CLI: realistic requests taken through their lifecycle.

    python scripts/sample_desk.py DESK_DIR          # a fresh desk at DESK_DIR (git init + gitdesk init)
    python scripts/sample_desk.py --into REPO       # regenerate REPO's tickets/, kb/, surveys/ (one commit)

Every step is a real `gitdesk` command, printed as it runs, with the clock fixed through
GITDESK_NOW so the timeline (and so every SLA figure) is the same on each run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

START = dt.datetime(2026, 3, 2, 8, 40, tzinfo=dt.UTC)  # a Monday morning
REPO = Path(__file__).resolve().parent.parent
TEAM = {"ada": "Ada Lovelace", "grace": "Grace Hopper", "linus": "Linus Chen", "carol": "Carol Reviewer"}


class Run:
    """Runs gitdesk commands in one desk on a simulated clock, echoing them like a shell would."""

    def __init__(self, root: Path, quiet: bool = False) -> None:
        self.root, self.quiet, self.now = root, quiet, START
        self.env = {**os.environ, "GIT_AUTHOR_EMAIL": "desk@example.org", "GIT_COMMITTER_EMAIL": "desk@example.org"}
        self.env.pop("GITDESK_DESK", None)

    def at(self, **delta: float) -> Run:
        """Move the clock on; work happens in office hours (Mon-Fri, 08:30-18:00 UTC)."""
        now = self.now + dt.timedelta(**delta)
        if now.hour >= 18:
            now = (now + dt.timedelta(days=1)).replace(hour=8, minute=30 + now.minute % 30)
        elif now.hour < 8:
            now = now.replace(hour=8, minute=30 + now.minute % 30)
        while now.weekday() >= 5:
            now += dt.timedelta(days=1)
        self.now = now
        return self

    def __call__(self, *args: str, who: str = "ada", mail: str | None = None) -> dict:
        stamp = self.now.strftime("%Y-%m-%dT%H:%M:%SZ")
        env = {
            **self.env,
            "GITDESK_NOW": stamp,
            "GITDESK_USER": TEAM[who],
            "GIT_AUTHOR_NAME": TEAM[who],
            "GIT_COMMITTER_NAME": TEAM[who],
        }
        cmd = [sys.executable, "-m", "gitdesk", *args]
        if not self.quiet:
            print(
                f"[{stamp[:16].replace('T', ' ')}] {TEAM[who].split()[0].lower()}$ "
                + ("<mail> | " if mail else "")
                + "gitdesk "
                + shlex.join(args),
                flush=True,
            )
        proc = subprocess.run(
            [*cmd, "--json"] if args[0] not in ("init",) else cmd,
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            input=mail,
            stdin=None if mail else subprocess.DEVNULL,
        )
        if proc.returncode != 0:
            raise SystemExit(f"sample desk: 'gitdesk {shlex.join(args)}' failed:\n{proc.stderr}")
        data = json.loads(proc.stdout) if proc.stdout.strip().startswith(("{", "[")) else {}
        if not self.quiet:
            tickets = data if isinstance(data, list) else [data]
            for t in tickets:
                if isinstance(t, dict) and t.get("id"):
                    print(f"    -> {t['id']}  {t.get('status')}  {t.get('title')}")
                elif isinstance(t, dict) and t.get("kind"):  # an intake outcome
                    print(f"    -> {t.get('ticket')}  {t['kind']}")
        return data


def build(run: Run) -> None:
    """The sample requests. Each block is one customer's story."""
    # 1. A printer jam: the everyday request, through the whole lifecycle, with a survey.
    t = run(
        "new",
        "Printer on floor 3 jams on every job",
        "--requester",
        "Mia Novak <mia.novak@northwind.example>",
        "--phone",
        "+1 555 0101",
        "--org",
        "Northwind Traders",
        "--channel",
        "phone",
        "--location",
        "Northwind HQ, floor 3, copy room",
        "--product",
        "model=HP LaserJet M404",
        "--product",
        "account=NW-1001",
        "--visibility",
        "public",
        "--body",
        "Every print job jams in tray 2 since Monday. Tray 1 works. About 40 people share this printer.",
    )["id"]
    run.at(minutes=20)("prioritise", t, "P3")
    run.at(minutes=5)("assign", t, "--to", "grace", "--queue", "hardware")
    run.at(minutes=30)("start", t, who="grace")
    run.at(minutes=10)(
        "contact", t, "--via", "phone", "--summary", "Asked Mia to use tray 1 meanwhile; visit booked.", who="grace"
    )
    run.at(hours=3)(
        "note", t, "On site: tray 2 pickup roller is glazed and worn; 212k pages on the counter.", who="grace"
    )
    run.at(minutes=30)(
        "propose", t, "--solution", "Replace the tray 2 pickup and separation rollers (kit RM2-5741).", who="grace"
    )
    run.at(hours=1)("review", t, "--approve", "--by", "carol", "--comment", "Matches the vendor bulletin.", who="carol")
    run.at(minutes=30)("review", t, "--approve", "--customer")  # the requester accepts (phone)
    run.at(hours=20)(
        "close",
        t,
        "--lesson",
        "HP M404 tray 2 rollers wear out around 200k pages; check the page "
        "counter first and keep a roller kit in stock.",
        "--cause",
        "Worn pickup roller",
        "--kb",
        "printer-tray-jams",
        who="grace",
    )
    run.at(hours=2)(
        "survey",
        t,
        "--score",
        "5",
        "--right-questions",
        "yes",
        "--time",
        "adequate",
        "--comment",
        "Fixed the next day, thank you.",
        "--improve",
        "Tell us when the technician is on the way.",
    )

    # 2. VPN drops: escalated to tier 2, waits on the customer, the first solution is sent back.
    v = run.at(hours=1)(
        "new",
        "VPN disconnects every 10 minutes when working from home",
        "--requester",
        "Omar Haddad <omar.haddad@contoso.example>",
        "--org",
        "Contoso Ltd",
        "--channel",
        "email",
        "--location",
        "Home office",
        "--product",
        "model=GlobalProtect 6.1",
        "--product",
        "licence=VPN-CT-0042",
        "--visibility",
        "public",
        "--body",
        "Since the client update the tunnel drops every ~10 minutes; Teams calls cut out.",
    )["id"]
    run.at(minutes=15)("prioritise", v, "P2", "--reason", "Blocks remote work for a sales team")
    run.at(minutes=5)("assign", v, "--to", "ada", "--queue", "network")
    run.at(minutes=10)("start", v)
    run.at(minutes=20)("wait", v, "--question", "Which client version and which Wi-Fi router do you use?")
    run.at(hours=5)(
        "contact",
        v,
        "--via",
        "email",
        "--inbound",
        "--summary",
        "Client 6.1.2; drops happen on Wi-Fi and cable alike. Logs attached.",
    )
    run.at(hours=1)("escalate", v, "--reason", "Not a local problem: logs show IKE rekey failures.")
    run.at(minutes=30)("assign", v, "--to", "linus", who="ada")
    run.at(hours=4)("propose", v, "--solution", "Roll the client back to 6.0.", who="linus")
    run.at(hours=2)(
        "review",
        v,
        "--request-changes",
        "--by",
        "carol",
        "--comment",
        "A rollback hides the cause; check the gateway's rekey timer first.",
        who="carol",
    )
    run.at(hours=3)("note", v, "Gateway rekey lifetime is 600 s, the client expects 3600 s.", who="linus")
    run.at(minutes=30)(
        "propose", v, "--solution", "Set the gateway IKE rekey lifetime to 3600 s to match the 6.1 client.", who="linus"
    )
    run.at(hours=1)("review", v, "--approve", "--by", "carol", who="carol")
    run.at(minutes=30)("review", v, "--approve", "--customer")  # the requester accepts (phone)
    run.at(hours=18)(
        "contact", v, "--via", "email", "--summary", "Confirmed with Omar: no drops for a full day.", who="linus"
    )
    run.at(minutes=10)(
        "close",
        v,
        "--lesson",
        "After a VPN client upgrade, compare the gateway's IKE rekey "
        "lifetime with the client's default before anything else.",
        "--cause",
        "Rekey lifetime mismatch",
        "--kb",
        "vpn-drops-after-client-upgrade",
        who="linus",
    )
    run.at(hours=3)(
        "survey",
        v,
        "--score",
        "3",
        "--right-questions",
        "yes",
        "--time",
        "too-long",
        "--comment",
        "Good fix in the end.",
        "--improve",
        "Escalate sooner when the logs show a server problem.",
    )

    # 3. An outage: P1 business failure, straight to tier 3, with a split and a quick close.
    o = run.at(days=1)(
        "new",
        "Outage: nobody in the Leeds office can send email",
        "--requester",
        "Priya Shah <priya.shah@fabrikam.example>",
        "--phone",
        "+44 113 496 0000",
        "--org",
        "Fabrikam",
        "--channel",
        "phone",
        "--location",
        "Leeds office",
        "--product",
        "account=FB-7788",
        "--visibility",
        "public",
        "--body",
        "Outgoing mail bounces with '550 relay denied' for all 120 staff since 09:10.",
    )["id"]
    run.at(minutes=5)("prioritise", o, "P1")
    run.at(minutes=2)("assign", o, "--to", "linus", "--queue", "network")
    run.at(minutes=3)("escalate", o, "--tier", "3", "--reason", "Business failure for a whole site.")
    run.at(minutes=5)("start", o, who="linus")
    run.at(minutes=10)(
        "contact", o, "--via", "phone", "--summary", "Priya informed: working on it, next update 30 min.", who="linus"
    )
    run.at(minutes=25)(
        "propose",
        o,
        "--solution",
        "Re-add the Leeds egress IP to the relay allow-list after the ISP changed it.",
        who="linus",
    )
    run.at(minutes=10)("review", o, "--approve", "--by", "carol", who="carol")
    run.at(minutes=30)("review", o, "--approve", "--customer")  # the requester accepts (phone)
    run.at(hours=2)(
        "close",
        o,
        "--lesson",
        "Monitor the office egress IPs; an ISP change silently breaks the mail relay allow-list.",
        "--cause",
        "ISP changed the office's public IP",
        "--kb",
        "mail-relay-denied-after-ip-change",
        who="linus",
    )
    run.at(hours=1)(
        "survey",
        o,
        "--score",
        "4",
        "--right-questions",
        "yes",
        "--time",
        "adequate",
        "--improve",
        "Warn us before ISP maintenance.",
    )

    # 4. A new starter: one request with three problems, split so each moves on its own.
    n = run.at(days=1)(
        "new",
        "New starter Jonas: laptop, VPN account and CAD licence",
        "--requester",
        "Mia Novak <mia.novak@northwind.example>",
        "--org",
        "Northwind Traders",
        "--channel",
        "web",
        "--location",
        "Northwind HQ, floor 2",
        "--product",
        "account=NW-1001",
        "--visibility",
        "public",
        "--body",
        "Jonas starts on the 16th and needs a laptop, VPN access and AutoCAD.",
    )["id"]
    run.at(minutes=30)("prioritise", n, "P4")
    kids = [
        c["id"]
        for c in run.at(minutes=5)(
            "split",
            n,
            "--into",
            "Laptop for new starter Jonas",
            "--into",
            "VPN account for new starter Jonas",
            "--into",
            "AutoCAD licence for new starter Jonas",
        )[1:]
    ]
    laptop, vpn, cad = kids
    run.at(minutes=10)("assign", laptop, "--to", "grace", "--queue", "hardware")
    run.at(hours=1)("start", laptop, who="grace")
    run.at(hours=4)("propose", laptop, "--solution", "Image a ThinkPad T14 with the standard build.", who="grace")
    run.at(hours=1)("review", laptop, "--approve", "--by", "carol", who="carol")
    run.at(minutes=30)("review", laptop, "--approve", "--customer")  # the requester accepts (phone)
    run.at(hours=2)(
        "close",
        laptop,
        "--lesson",
        "Keep two imaged laptops ready for starters.",
        "--kb",
        "new-starter-checklist",
        who="grace",
    )
    run.at(minutes=10)("assign", vpn, "--to", "ada", "--queue", "network")
    run.at(minutes=30)("start", vpn)
    run.at(minutes=20)("wait", vpn, "--question", "Which manager approves Jonas's VPN access?")
    run.at(minutes=10)("assign", cad, "--to", "ada", "--queue", "licensing")

    # 5. A licence renewal that was already handled: cancelled as a duplicate.
    d = run.at(hours=2)(
        "new",
        "AutoCAD licence expired",
        "--requester",
        "Omar Haddad <omar.haddad@contoso.example>",
        "--channel",
        "email",
        "--product",
        "licence=ACAD-2026-CT",
    )["id"]
    run.at(minutes=30)("cancel", d, "--reason", "Already renewed by the customer's purchasing team.")

    # 6. Open work in various states, for the status board.
    s = run.at(hours=1)(
        "new",
        "Scanner shows error E-42 when scanning to email",
        "--requester",
        "Lena Fischer <lena.fischer@adatum.example>",
        "--org",
        "Adatum",
        "--channel",
        "slack",
        "--location",
        "Adatum Berlin, reception",
        "--product",
        "model=Canon iR-ADV C5535",
        "--visibility",
        "public",
    )["id"]
    run.at(minutes=40)("prioritise", s, "P3")
    run.at(minutes=5)("assign", s, "--to", "grace", "--queue", "hardware")
    run.at(hours=1)("start", s, who="grace")
    run.at(hours=2)("propose", s, "--solution", "Renew the SMTP password stored on the scanner.", who="grace")

    w = run.at(hours=1)(
        "new",
        "Cannot open shared finance folder",
        "--requester",
        "Tom Berg <tom.berg@adatum.example>",
        "--org",
        "Adatum",
        "--channel",
        "email",
        "--visibility",
        "private",
        "--body",
        "Access denied on \\\\fs01\\finance since Friday.",
    )["id"]
    run.at(minutes=20)("prioritise", w, "P3")
    run.at(minutes=5)("assign", w, "--to", "ada", "--queue", "service-desk")
    run.at(minutes=5)("start", w)
    run.at(minutes=10)("wait", w, "--question", "Which account do you sign in with?")

    run.at(hours=2)(
        "new",
        "Request: projector for the board meeting on 30 March",
        "--requester",
        "Lena Fischer <lena.fischer@adatum.example>",
        "--channel",
        "web",
        "--visibility",
        "public",
        "--location",
        "Adatum Berlin, board room",
    )

    # 6b. A request by email: intake routes it by keyword, a reply threads onto it by its [ID] tag.
    e = run.at(hours=1)("intake", "email", "-", mail=RECEPTION_MAIL)["ticket"]
    run.at(minutes=20)("prioritise", e, "P3")
    run.at(minutes=5)("assign", e, "--to", "grace")
    run.at(minutes=10)("start", e, who="grace")
    run.at(minutes=10)("wait", e, "--question", "Does it jam with the paper from tray 1 too?", who="grace")
    reply = RECEPTION_REPLY.replace("{id}", e)
    run.at(hours=2)("intake", "email", "-", mail=reply)
    # The customer's half: Lena reviews the proposed solution by replying to the email.
    run.at(hours=1)("propose", e, "--solution", "Clean the tray 2 separation pad.", who="grace")
    run.at(hours=1)("intake", "email", "-", mail=RECEPTION_VERDICT.format(id=e, n=3, text=RECEPTION_REJECT))
    run.at(hours=2)("propose", e, "--solution", "Replace the tray 2 separation pad (kit RM2-5745).", who="grace")
    run.at(hours=1)("intake", "email", "-", mail=RECEPTION_VERDICT.format(id=e, n=4, text="Accept, thank you!"))

    # 7. A resolved ticket that came back: reopened, the resolution clock resumes.
    r = run.at(hours=1)(
        "new",
        "Laptop battery drains overnight",
        "--requester",
        "Priya Shah <priya.shah@fabrikam.example>",
        "--channel",
        "email",
        "--product",
        "model=ThinkPad X1 Carbon",
        "--visibility",
        "public",
    )["id"]
    run.at(minutes=30)("prioritise", r, "P4")
    run.at(minutes=5)("assign", r, "--to", "grace", "--queue", "hardware")
    run.at(hours=1)("start", r, who="grace")
    run.at(hours=3)("propose", r, "--solution", "Disable modern standby network connectivity.", who="grace")
    run.at(hours=1)("review", r, "--approve", "--by", "carol", who="carol")
    run.at(minutes=30)("review", r, "--approve", "--customer")  # the requester accepts (phone)
    run.at(days=1)("reopen", r, "--reason", "Still drains 30 % overnight.", who="grace")
    run.at(hours=1)("note", r, "Next: BIOS update 1.32 fixes a sleep-state bug.", who="grace")
    spanish_customer(run)
    catalan_customer(run)


def spanish_customer(run: Run) -> None:
    """8. Lucía writes in Spanish (her mail says Content-Language: es-ES): every mail, her ticket's
    page and the survey are in Spanish; she turns down the first solution, accepts the second, and
    answers the survey by replying to its invitation. The board and the KB stay in the desk's English."""
    m = run.at(hours=1)("intake", "email", "-", mail=MADRID_MAIL)["ticket"]
    run.at(minutes=15)("prioritise", m, "P3")
    run.at(minutes=5)("assign", m, "--to", "grace", "--queue", "hardware")
    run.at(minutes=10)("edit", m, "--visibility", "public")  # Lucía agreed to a public status page
    run.at(minutes=10)("start", m, who="grace")
    run.at(minutes=10)(
        "wait",
        m,
        "--question",
        "¿La raya sale también al hacer fotocopias, o solo al imprimir desde el ordenador?",
        who="grace",
    )
    run.at(hours=2)("intake", "email", "-", mail=MADRID_REPLY.format(id=m, n=2, subject="", text=MADRID_ANSWER))
    run.at(hours=1)(
        "propose",
        m,
        "--solution",
        "Sustituir la unidad de tambor (DR-3400): ha superado las 30.000 páginas de vida útil.",
        who="grace",
    )
    verdict = MADRID_REPLY.format(id=m, n=3, subject="Solución propuesta: ", text=MADRID_REJECT)
    run.at(hours=3)("intake", "email", "-", mail=verdict)
    run.at(hours=2)(
        "propose",
        m,
        "--solution",
        "Sustituir también el cartucho de tóner (TN-3480) y limpiar el hilo de corona del tambor nuevo.",
        who="grace",
    )
    accept = "Acepto, ya imprime perfectamente. ¡Muchas gracias!"
    run.at(hours=1)(
        "intake", "email", "-", mail=MADRID_REPLY.format(id=m, n=4, subject="Solución propuesta: ", text=accept)
    )
    run.at(hours=20)(
        "close",
        m,
        "--lesson",
        "Brother HL-L6400: a vertical black stripe on prints and copies is the drum; grey smudges "
        "right after a new drum mean the toner cartridge is worn too. Replace both together.",
        "--cause",
        "Worn drum unit and toner cartridge",
        "--kb",
        "printer-stripes-drum-and-toner",
        who="grace",
    )
    survey = MADRID_REPLY.format(id=m, n=5, subject="¿Qué tal lo hemos hecho? ", text=MADRID_SURVEY)
    run.at(hours=2)("intake", "email", "-", mail=survey)


def catalan_customer(run: Run) -> None:
    """9. Jordi asks in Catalan on the web form (`new --language ca`): the technician's question and
    the proposed solution reach him in Catalan, and his page waits for his verdict with both choices."""
    j = run.at(hours=1)(
        "new",
        "El portàtil no es connecta a la wifi de la sala de reunions",
        "--requester",
        "Jordi Puig <jordi.puig@wideworld.example>",
        "--org",
        "Wide World Importers",
        "--channel",
        "web",
        "--language",
        "ca",
        "--location",
        "Wide World Barcelona, sala de reunions 3",
        "--product",
        "model=Dell Latitude 5440",
        "--visibility",
        "public",
        "--body",
        "Des de dilluns el meu portàtil no troba la xarxa wifi de la sala de reunions de la tercera planta. "
        "A la resta de l'oficina funciona bé.",
    )["id"]
    run.at(minutes=30)("prioritise", j, "P3")
    run.at(minutes=5)("assign", j, "--to", "ada", "--queue", "network")
    run.at(minutes=10)("start", j)
    run.at(minutes=15)(
        "wait", j, "--question", "Quin missatge apareix quan s'hi intenta connectar? Amb el mòbil s'hi connecta?"
    )
    run.at(hours=3)(
        "contact",
        j,
        "--via",
        "web",
        "--inbound",
        "--summary",
        "Surt «No es pot connectar a aquesta xarxa». Amb el mòbil sí que s'hi connecta.",
    )
    run.at(hours=1)(
        "propose",
        j,
        "--solution",
        "Actualitzar el controlador de la targeta wifi Intel AX211 a la versió 23.40: el punt d'accés de la "
        "sala 3 només emet a 5 GHz amb WPA3, que el controlador antic no admet.",
    )


RECEPTION_MAIL = """\
From: "Lena Fischer" <lena.fischer@adatum.example>
To: help@example.org
Subject: Printer in reception jams on tray 2
Message-ID: <reception-1@adatum.example>
Content-Type: text/plain; charset=utf-8

Hello,

the reception printer jams on every job from tray 2 since this morning.

Model: HP LaserJet M404
Account: AD-2231
Location: Adatum Berlin, reception

Lena
"""

RECEPTION_REJECT = "Not solved: it still jams with the thick envelope paper."
RECEPTION_VERDICT = """\
From: "Lena Fischer" <lena.fischer@adatum.example>
To: help@example.org
Subject: Re: [{id}] Proposed solution: Printer in reception jams on tray 2
Message-ID: <reception-{n}@adatum.example>
Content-Type: text/plain; charset=utf-8

{text}

Lena
"""

RECEPTION_REPLY = """\
From: "Lena Fischer" <lena.fischer@adatum.example>
To: help@example.org
Subject: Re: [{id}] Printer in reception jams on tray 2
Message-ID: <reception-2@adatum.example>
Content-Type: text/plain; charset=utf-8

Tray 1 works fine, only tray 2 jams.

> Does it jam with the paper from tray 1 too?
"""


MADRID_MAIL = """\
From: "Lucía Martín" <lucia.martin@tailspin.example>
To: help@example.org
Subject: La impresora de la planta 2 imprime una raya negra
Message-ID: <madrid-1@tailspin.example>
Content-Language: es-ES
Content-Type: text/plain; charset=utf-8

Hola:

Desde ayer la impresora de la planta 2 saca todas las páginas con una raya negra vertical
en el margen izquierdo. Ya la hemos apagado y encendido, y sigue igual.

Modelo: Brother HL-L6400
Ubicación: Tailspin Madrid, planta 2

Un saludo,
Lucía
"""

MADRID_REPLY = """\
From: "Lucía Martín" <lucia.martin@tailspin.example>
To: help@example.org
Subject: Re: [{id}] {subject}La impresora de la planta 2 imprime una raya negra
Message-ID: <madrid-{n}@tailspin.example>
Content-Language: es-ES
Content-Type: text/plain; charset=utf-8

{text}

--
Lucía Martín
Tailspin Toys, Madrid
"""
MADRID_ANSWER = "Sí, también en las fotocopias, siempre en el mismo sitio."
MADRID_REJECT = "No está resuelto: la raya ha desaparecido, pero ahora salen manchas grises en toda la página."
MADRID_SURVEY = """\
Puntuación (1-5): 4
Preguntas adecuadas (sí/no): sí
Tiempo adecuado (sí/no): no, demasiado largo
Qué deberíamos mejorar: Cambiar el tambor y el tóner en la misma visita.
Algo más: El técnico fue muy amable."""


def fresh_desk(root: Path) -> None:
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    subprocess.run(["git", "config", "user.name", "Sample Desk"], cwd=root, check=True)
    subprocess.run(["git", "config", "user.email", "desk@example.org"], cwd=root, check=True)
    subprocess.run([sys.executable, "-m", "gitdesk", "init", str(root)], check=True, stdout=subprocess.DEVNULL)
    # the sample desk's own configuration: queues, calendar, intake routing and mail sender
    shutil.copy(REPO / "gitdesk.yml", root / "gitdesk.yml")
    subprocess.run(["git", "commit", "-q", "-m", "Configure the desk", "--", "gitdesk.yml"], cwd=root, check=True)


def regenerate_into(repo: Path, quiet: bool) -> None:
    """Build in a scratch desk, then replace repo's sample data in one commit."""
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp) / "desk"
        fresh_desk(scratch)
        build(Run(scratch, quiet))
        for name in ("tickets", "kb", "surveys"):
            shutil.rmtree(repo / name, ignore_errors=True)
            shutil.copytree(scratch / name, repo / name)
    subprocess.run(["git", "add", "--", "tickets", "kb", "surveys"], cwd=repo, check=True)
    subprocess.run(
        [
            "git",
            "commit",
            "-q",
            "-m",
            "Regenerate the sample desk (scripts/sample_desk.py)",
            "--",
            "tickets",
            "kb",
            "surveys",
        ],
        cwd=repo,
        check=False,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("desk", nargs="?", type=Path, help="where to create a fresh sample desk")
    ap.add_argument("--into", type=Path, help="regenerate this repo's tickets/, kb/ and surveys/")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()
    if args.into:
        regenerate_into(args.into.resolve(), args.quiet)
    elif args.desk:
        root = args.desk.resolve()
        fresh_desk(root)
        build(Run(root, args.quiet))
    else:
        ap.error("give DESK_DIR or --into REPO")


if __name__ == "__main__":
    main()
