"""The board as a status page: incidents, their phases and timelines, the banner and their feed.

An incident is a public ticket of priority P1, or one marked `incident: true`. Its phase
(investigating, identified, monitoring, resolved: Statuspage's words) is derived from the
ticket's status through `lifecycle.INCIDENT_PHASE`, and its timeline has one step each time
that phase changed. The affected service is the ticket's `service` when it names one, else
its team (the queue's description). Only public tickets are ever incidents here: an unlisted
or private one is never named on the board.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from gitdesk.core.config import Config
from gitdesk.core.lifecycle import INCIDENT_PHASE, MOVES, PHASE_NAMES, move_name
from gitdesk.core.ticket import Ticket
from gitdesk.i18n import Translator
from gitdesk.site.markup import e, rel

PAST_INCIDENTS = 5


class Step(NamedTuple):
    at: str
    phase: str
    summary: str  # the move's customer-facing words, untranslated (the board translates them)


class Incident(NamedTuple):
    id: str
    title: str  # already scrubbed
    url: str
    service: str  # already scrubbed
    phase: str
    steps: tuple[Step, ...]  # oldest first

    @property
    def active(self) -> bool:
        return self.phase != "resolved"

    @property
    def updated(self) -> str:
        return self.steps[-1].at if self.steps else ""


def is_incident(t: Ticket) -> bool:
    return t.status in INCIDENT_PHASE and (t.priority == "P1" or t.meta.get("incident") is True)


def incident_of(t: Ticket, title: str, url: str, config: Config, scrub: Any) -> Incident | None:
    """The incident a public ticket is (None when it is none): its phase changes, in order."""
    if not is_incident(t):
        return None
    steps: list[Step] = []
    for event in t.history:
        phase = INCIDENT_PHASE.get(str(event.get("to") or ""))
        if phase and (not steps or steps[-1].phase != phase):
            move = MOVES.get(move_name(event))
            steps.append(Step(str(event.get("at") or ""), phase, move.summary if move else ""))
    queue = next((q for q in config.queues if q.name == t.meta.get("queue")), None)
    named = t.meta.get("service")
    team = (queue.description or queue.name) if queue else ""
    service = scrub(named.strip()) if isinstance(named, str) and named.strip() else team
    return Incident(t.id, title, url, service, INCIDENT_PHASE[t.status], tuple(steps))


def _phase(phase: str, tr: Translator) -> str:
    return f'<span class="gd-phase gd-phase-{e(phase)}">{e(tr.pgettext("incident", PHASE_NAMES[phase]))}</span>'


def _timeline(incident: Incident, tr: Translator) -> str:
    items = "".join(
        f'<li>{_phase(s.phase, tr)} <time datetime="{e(s.at)}">{e(tr.when(s.at))}</time>'
        + (f" {e(tr._(s.summary))}" if s.summary else "")
        + "</li>"
        for s in reversed(incident.steps)  # newest first, as status pages show them
    )
    return f'<ol class="gd-incident-timeline">{items}</ol>'


def _incident(incident: Incident, from_url: str, tr: Translator) -> str:
    name = f'<a href="{e(rel(from_url, incident.url))}">{e(incident.id)}: {e(incident.title)}</a>'
    service = e(tr._("Affected service: {service}", service=incident.service)) if incident.service else ""
    return (
        f'<article class="gd-incident gd-incident-{e(incident.phase)}"><h3>{name}</h3>'
        f"<p>{_phase(incident.phase, tr)} {service}</p>{_timeline(incident, tr)}</article>"
    )


def banner(incidents: list[Incident], from_url: str, tr: Translator) -> str:
    """The top of the board: the open incidents with their timelines, or "All services normal"."""
    active = sorted((i for i in incidents if i.active), key=lambda i: i.updated, reverse=True)
    if not active:
        return (
            '<section class="gd-incidents gd-all-normal" aria-live="polite">'
            f"<p><strong>{e(tr._('All services normal'))}</strong> "
            f'<span class="gd-muted">{e(tr._("No incident is open at the moment."))}</span></p></section>'
        )
    heading = tr.ngettext("{n} open incident", "{n} open incidents", len(active))
    return (
        f'<section class="gd-incidents gd-incident-open" aria-live="polite"><h2>{e(heading)}</h2>'
        + "".join(_incident(i, from_url, tr) for i in active)
        + "</section>"
    )


def past(incidents: list[Incident], from_url: str, tr: Translator) -> str:
    """The latest resolved incidents, one line each."""
    done = sorted((i for i in incidents if not i.active), key=lambda i: i.updated, reverse=True)[:PAST_INCIDENTS]
    if not done:
        return ""
    items = "".join(
        f'<li><a href="{e(rel(from_url, i.url))}">{e(i.id)}: {e(i.title)}</a> {_phase(i.phase, tr)} '
        f'<time datetime="{e(i.updated)}">{e(tr.when(i.updated))}</time>'
        + (f' <span class="gd-muted">{e(i.service)}</span>' if i.service else "")
        + "</li>"
        for i in done
    )
    return f'<h2>{e(tr._("Past incidents"))}</h2><ul class="gd-past-incidents">{items}</ul>'


def incidents_feed(incidents: list[Incident], site_name: str, site_url: str, now: str, tr: Translator) -> str:
    """incidents.xml: one Atom entry per phase change of every public incident, newest first."""
    entries = []
    for i in incidents:
        for n, s in enumerate(i.steps):
            title = ": ".join(x for x in (i.service, i.title, tr.pgettext("incident", PHASE_NAMES[s.phase])) if x)
            summary = tr._(s.summary) if s.summary else tr.pgettext("incident", PHASE_NAMES[s.phase])
            entries.append(
                (
                    (s.at, n),
                    f"<entry><title>{e(title)}</title><id>urn:gitdesk:incident:{e(i.id)}:{n}</id>"
                    f'<updated>{e(s.at)}</updated><link rel="alternate" type="text/html" href="{e(i.url)}"/>'
                    f"<summary>{e(summary)}</summary></entry>",
                )
            )
    entries.sort(key=lambda x: x[0], reverse=True)
    updated = entries[0][0][0] if entries else now
    base = f' xml:base="{e(site_url)}"' if site_url else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{e(tr.language)}"{base}>'
        f"<title>{e(tr._('{site}: incidents', site=site_name))}</title>"
        f"<id>urn:gitdesk:incidents:{e(site_name.replace(' ', '-').lower())}</id>"
        f"<updated>{e(updated)}</updated><author><name>{e(site_name)}</name></author>"
        '<link rel="self" type="application/atom+xml" href="incidents.xml"/><link rel="alternate" href="./"/>'
        + "".join(x for _, x in entries)
        + "</feed>\n"
    )
