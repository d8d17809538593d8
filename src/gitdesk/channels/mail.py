"""Mail to customers over SMTP: the acknowledgement, status updates and the survey invitation.

The `mail:` section of gitdesk.yml (or GITDESK_SMTP_* in the environment) names
the server. Every message carries the ticket tag in its subject and gets a
Message-ID the desk records, so the customer's reply threads onto the ticket.
Header values are reduced to one line and the envelope recipient is passed
explicitly, so a name or subject with CR/LF can never add a header or a recipient.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any, Literal

from gitdesk.core.config import Config, expect
from gitdesk.core.ticket import Ticket, valid_email
from gitdesk.errors import ConfigError, GitdeskError, InvalidValue
from gitdesk.intake.text import one_line

Security = Literal["none", "starttls", "ssl"]


class MailError(GitdeskError):
    """The message could not be sent (no server configured, refused, unreachable)."""


@dataclass(frozen=True)
class MailSettings:
    sender: str = ""  # "Service desk <help@example.org>"
    host: str = ""
    port: int = 25
    security: Security = "none"
    username: str = ""
    password: str = ""
    timeout: float = 10.0
    acknowledge: bool = True
    site_url: str = ""  # base of the status site, for links
    survey_url: str = ""  # may contain {id}

    @property
    def sender_address(self) -> str:
        from email.utils import parseaddr

        return parseaddr(self.sender)[1].lower()


def settings(config: Config, environ: dict[str, str] | None = None) -> MailSettings:
    """Validate `mail:`; GITDESK_SMTP_HOST/PORT/USER/PASSWORD/SECURITY and GITDESK_MAIL_FROM override it."""
    env = os.environ if environ is None else environ
    raw = config.section("mail")
    smtp = expect(raw.get("smtp") or {}, dict, "mail.smtp", "a mapping {host, port, security, username}")
    for key, allowed in (
        ("mail", ("from", "smtp", "acknowledge", "site_url", "survey_url")),
        ("mail.smtp", ("host", "port", "security", "username", "password_env", "timeout")),
    ):
        section = raw if key == "mail" else smtp
        unknown = sorted(set(section) - set(allowed))
        if unknown:
            raise ConfigError(f"{key}.{unknown[0]}", f"unknown key (use {', '.join(allowed)})")

    def bad(key: str, variable: str, problem: str) -> ConfigError:
        """Blame the environment variable when the value came from there, not gitdesk.yml."""
        return ConfigError(variable, problem, "environment") if env.get(variable) else ConfigError(key, problem)

    sender = one_line(str(env.get("GITDESK_MAIL_FROM") or raw.get("from") or ""))
    if sender and not valid_email(_address(sender)):
        raise bad("mail.from", "GITDESK_MAIL_FROM", f"'{sender}' is not 'Name <address>'")
    port = env.get("GITDESK_SMTP_PORT") or smtp.get("port") or 25
    if not str(port).isdigit() or not 0 < int(port) < 65536:
        raise bad("mail.smtp.port", "GITDESK_SMTP_PORT", f"'{port}' is not a port number")
    security = str(env.get("GITDESK_SMTP_SECURITY") or smtp.get("security") or "none")
    if security not in ("none", "starttls", "ssl"):
        raise bad("mail.smtp.security", "GITDESK_SMTP_SECURITY", f"'{security}' must be none, starttls or ssl")
    timeout = smtp.get("timeout") or 10
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
        raise ConfigError("mail.smtp.timeout", f"'{timeout}' must be a number of seconds")
    password_env = str(smtp.get("password_env") or "GITDESK_SMTP_PASSWORD")
    return MailSettings(
        sender=sender,
        host=str(env.get("GITDESK_SMTP_HOST") or smtp.get("host") or ""),
        port=int(port),
        security=security,  # type: ignore[arg-type]
        username=str(env.get("GITDESK_SMTP_USER") or smtp.get("username") or ""),
        password=env.get(password_env, ""),
        timeout=float(timeout),
        acknowledge=bool(raw.get("acknowledge", True)),
        site_url=str(raw.get("site_url") or ""),
        survey_url=str(raw.get("survey_url") or ""),
    )


def _address(text: str) -> str:
    from email.utils import parseaddr

    return parseaddr(text)[1]


def compose(
    cfg: MailSettings,
    ticket: Ticket,
    subject: str,
    body: str,
    *,
    in_reply_to: str = "",
    references: list[str] | None = None,
    auto: str = "",
    language: str = "",
) -> Any:
    """An EmailMessage to the ticket's requester; raises InvalidValue when there is no address."""
    import secrets
    from email.message import EmailMessage
    from email.policy import SMTP
    from email.utils import formataddr, formatdate

    to = str(ticket.requester.get("email") or "")
    if not valid_email(to):
        raise InvalidValue("requester.email", f"{ticket.id} has no valid email address to write to")
    if not cfg.sender:
        raise MailError("mail.from is not set in gitdesk.yml (or GITDESK_MAIL_FROM): who does the desk write as?")
    msg = EmailMessage(policy=SMTP)
    msg["From"] = cfg.sender
    msg["To"] = formataddr((one_line(str(ticket.requester.get("name") or ""), 100), to))
    msg["Subject"] = one_line(f"[{ticket.id}] {subject}", 200)
    msg["Date"] = formatdate(localtime=False)
    # The ticket ID inside the Message-ID lets a reply thread even when the desk did not log the
    # message (the survey invitation) and the customer's client dropped the [ID] subject tag.
    # Not make_msgid: with the ID its longer form folds the header past 78 columns.
    domain = cfg.sender_address.split("@")[-1] or "gitdesk.invalid"
    msg["Message-ID"] = f"<{secrets.token_hex(10)}.gitdesk-{ticket.id}@{domain}>"
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = " ".join(references[-20:])
    if auto:  # RFC 3834: tells the customer's autoresponder not to answer us
        msg["Auto-Submitted"] = auto
    msg["X-Gitdesk-Ticket"] = ticket.id
    msg.set_content(body)  # before Content-Language: set_content clears every Content-* header
    if language:  # RFC 3282: the customer's client (and a screen reader) knows what it reads
        msg["Content-Language"] = language
    return msg


def send(cfg: MailSettings, msg: Any) -> str:
    """Send over SMTP to the To address only; returns the Message-ID."""
    import smtplib
    import ssl

    if not cfg.host:
        raise MailError("no SMTP server configured (mail.smtp.host in gitdesk.yml or GITDESK_SMTP_HOST)")
    recipient = _address(str(msg["To"]))
    try:
        if cfg.security == "ssl":
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                cfg.host, cfg.port, timeout=cfg.timeout, context=ssl.create_default_context()
            )
        else:
            server = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
        with server:
            if cfg.security == "starttls":
                server.starttls(context=ssl.create_default_context())
            if cfg.username:
                server.login(cfg.username, cfg.password)
            server.send_message(msg, from_addr=cfg.sender_address, to_addrs=[recipient])
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"SMTP {cfg.host}:{cfg.port}: {one_line(str(exc), 200)}") from None
    return str(msg["Message-ID"])


def status_link(desk: Any, ticket: Ticket, cfg: MailSettings) -> str:
    """The ticket's status page (unlisted link for unlisted tickets), or '' when it has none."""
    try:
        from gitdesk.site import privacy
    except ImportError:
        return ""
    page = privacy.ticket_url(ticket.id, ticket.visibility, privacy.site_key(), privacy.link_version(ticket.meta))
    if page is None:
        return ""
    base = cfg.site_url or _mkdocs_site_url(desk.root)
    return f"{base.rstrip('/')}/{page}" if base else ""


def _mkdocs_site_url(root: Any) -> str:
    try:
        text = (root / "mkdocs.yml").read_text(encoding="utf-8")
    except OSError:
        return ""
    match = re.search(r"^site_url:\s*['\"]?([^'\"\s#]+)", text, re.M)
    return match.group(1) if match else ""


def email_thread(ticket: Ticket) -> list[str]:
    """The email Message-IDs stored on the ticket, oldest first."""
    from gitdesk.store.messages import ids_of

    return [m for m in ids_of(ticket.meta) if m.startswith("<")]


# -- the three messages the desk sends -----------------------------------------------------
def sent_contact(t: Ticket, ctx: Any, summary: str, message_id: str, auto: bool = False) -> None:
    """Record mail the desk sent as an outbound contact, and its Message-ID so replies thread.

    `auto` marks a message no person wrote (the acknowledgement): it is documented like any
    contact but is not a response to the customer, so no SLA clock stops or restarts at it.
    """
    from gitdesk.core import actions
    from gitdesk.store.messages import FIELD, ids_of

    flags = {"auto": True} if auto else {}
    actions.contact(t, ctx, "email", summary, inbound=False, message_id=message_id, **flags)
    t.set(FIELD, ids_of(t.meta) + [message_id])


def _log(desk: Any, ref: str, summary: str, message_id: str) -> Ticket:
    def change(t: Ticket, ctx: Any) -> None:
        sent_contact(t, ctx, summary, message_id)

    return desk.apply(ref, "contact", change, "contact outbound via email")  # type: ignore[no-any-return]


def words(desk: Any, ticket: Ticket) -> Any:
    """The Translator of the ticket's language (the desk's when it has none): every mail to a customer."""
    from gitdesk.i18n import for_ticket

    return for_ticket(desk.config, ticket.meta)


def greeting(ticket: Ticket, tr: Any) -> str:
    name = one_line(str(ticket.requester.get("name") or ""), 80)
    return tr._("Hello {name},", name=name) if name else tr._("Hello,")


def refusal_line(note: str, tr: Any) -> str:
    """A refused attachment, told to the customer in their language (the ticket's note stays English)."""
    from gitdesk.intake.record import Refusal

    if not isinstance(note, Refusal):
        return note
    return tr._(
        "Your attachment '{name}' ({size}) was not accepted: {why}.", name=note.name, size=note.size, why=tr._(note.why)
    )


def _kb_lines(desk: Any, ticket: Ticket, cfg: MailSettings) -> list[str]:
    from gitdesk.store.kbsearch import suggest

    base = cfg.site_url or _mkdocs_site_url(desk.root)
    hits = suggest(desk.index, f"{ticket.title}\n{ticket.description}", limit=3)
    return [
        f"- {title}: {base.rstrip('/')}/kb/{slug}/" if base else f"- {title} (kb/{slug}.md)" for slug, title in hits
    ]


def acknowledge(desk: Any, ticket: Ticket, ctx: Any, in_reply_to: str = "", notes: list[str] | None = None) -> str:
    """Tell the requester their ticket ID, status link and related KB articles; returns the Message-ID.

    `ticket` is the one being opened, not yet committed: the acknowledgement is recorded on it
    (an automatic outbound contact) only once the server took the message, so the opening commit
    carries both and the history never claims a mail that did not go out.
    """
    cfg = settings(desk.config)
    tr = words(desk, ticket)
    link = status_link(desk, ticket, cfg)
    lines = [
        greeting(ticket, tr),
        "",
        tr._('We have received your request "{title}".', title=ticket.title),
        tr._("Your ticket is {id}.", id=ticket.id),
    ]
    lines += [tr._("Follow its progress here: {link}", link=link)] if link else []
    lines += ["", tr._("To add information, reply to this message and keep [{id}] in the subject.", id=ticket.id)]
    related = _kb_lines(desk, ticket, cfg)
    if related:
        lines += ["", tr._("These articles may already help:"), *related]
    if notes:
        lines += ["", *[refusal_line(note, tr) for note in notes]]
    lines += ["", "-- ", desk.config.title]
    msg = compose(
        cfg,
        ticket,
        tr._("Received: {title}", title=ticket.title),
        "\n".join(lines) + "\n",
        in_reply_to=in_reply_to,
        references=[in_reply_to] if in_reply_to else [],
        auto="auto-replied",
        language=tr.language,
    )
    message_id = send(cfg, msg)
    sent_contact(ticket, ctx, "Acknowledgement sent by email", message_id, auto=True)
    return message_id


def notify(desk: Any, ref: str, message: str = "") -> tuple[Ticket, str]:
    """Send the requester a status update (with an optional message) and log it."""
    from gitdesk.core.lifecycle import STATUS_TEXT

    cfg = settings(desk.config)
    ticket = desk.get(ref)
    tr = words(desk, ticket)
    link = status_link(desk, ticket, cfg)
    lines = [
        greeting(ticket, tr),
        "",
        tr._('An update on {id} "{title}":', id=ticket.id, title=ticket.title),
        "",
        tr._(STATUS_TEXT[ticket.status]) if ticket.status in STATUS_TEXT else ticket.status,
    ]
    if message.strip():
        lines += ["", message.strip()]
    lines += ["", tr._("Follow its progress here: {link}", link=link)] if link else []
    lines += ["", tr._("Reply to this message to answer; keep [{id}] in the subject.", id=ticket.id)]
    lines += ["", "-- ", desk.config.title]
    message_id = send_in_thread(cfg, ticket, tr._("Update: {title}", title=ticket.title), lines, language=tr.language)
    summary = one_line(message, 500) if message.strip() else f"Status update sent ({ticket.status})"
    return _log(desk, ticket.id, summary, message_id), message_id


def send_in_thread(
    cfg: MailSettings, ticket: Ticket, subject: str, lines: list[str], auto: str = "", language: str = ""
) -> str:
    """Send `lines` to the requester as a reply in the ticket's email thread; returns the Message-ID."""
    thread = email_thread(ticket)
    msg = compose(
        cfg,
        ticket,
        subject,
        "\n".join(lines) + "\n",
        in_reply_to=thread[-1] if thread else "",
        references=thread,
        auto=auto,
        language=language,
    )
    return send(cfg, msg)


def survey_invitation_possible(desk: Any, ref: str) -> bool:
    """Whether closing `ref` should invite its requester by email: a server and an address exist."""
    cfg = settings(desk.config)
    return bool(cfg.host and cfg.sender and desk.get(ref).requester.get("email"))


def _answer_form(tr: Any) -> list[str]:
    """The lines a reply fills in, in the ticket's language; intake reads them back in any (survey_reply.py)."""
    from gitdesk.intake.survey_reply import blank_answers

    return [
        tr._("Just reply to this message and write your answers after the colons:"),
        "",
        *blank_answers(tr),
        "",
        tr._('1 is poor and 5 is great. "Right questions": did we ask what we needed to know?'),
        tr._('"Time adequate": was the time to resolve your request acceptable?'),
        tr._("The last two are optional. Thank you!"),
    ]


def send_survey_invitation(desk: Any, ref: str, log: bool = True) -> str:
    """Invite the requester of a closed ticket to the satisfaction survey; returns the Message-ID."""
    cfg = settings(desk.config)
    ticket = desk.get(ref)
    from gitdesk.intake.survey_reply import fill_link
    from gitdesk.site.privacy import site_key

    url = fill_link(cfg.survey_url, ticket.id, site_key()) if cfg.survey_url else ""
    tr = words(desk, ticket)
    lines = [
        greeting(ticket, tr),
        "",
        tr._('Your request {id} "{title}" is closed.', id=ticket.id, title=ticket.title),
        tr._("Please tell us how we did: five short questions, one minute."),
    ]
    lines += ["", url] if url else ["", *_answer_form(tr)]
    lines += ["", "-- ", desk.config.title]
    subject = tr._("How did we do? {title}", title=ticket.title)
    message_id = send_in_thread(cfg, ticket, subject, lines, auto="auto-generated", language=tr.language)
    if log:
        _log(desk, ticket.id, "Survey invitation sent by email", message_id)
    return message_id
