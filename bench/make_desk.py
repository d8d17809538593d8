#!/usr/bin/env python3
"""Generate a realistic desk of N tickets for benchmarks: `python bench/make_desk.py DIR N`.

The tickets are built with gitdesk's own pure functions (`actions.*`, `ticket.dump`,
`kb.lesson_article`, `survey.make`), so every history follows the lifecycle table and
`gitdesk validate` accepts the result. Files are written directly and committed with
one `git add` + `git commit` (a desk made by N real commands would take hours at
100k). Prints one open ticket ID on the last line, for `compare.py --id`.

Options: --seed S (content is reproducible; IDs are random by design),
--quiet (print only the ID).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from gitdesk.core import actions, kb, survey
from gitdesk.core.actions import Context
from gitdesk.core.config import load as load_config
from gitdesk.core.ticket import Ticket, dump, iso
from gitdesk.desk.scaffold import missing_files
from gitdesk.store.files import new_id

BENCH_ENV = {
    "GIT_AUTHOR_NAME": "Desk Generator",
    "GIT_AUTHOR_EMAIL": "bench@desk.example",
    "GIT_COMMITTER_NAME": "Desk Generator",
    "GIT_COMMITTER_EMAIL": "bench@desk.example",
}
START = dt.datetime(2024, 1, 8, 8, 0, tzinfo=dt.UTC)
SPAN_DAYS = 700
CHUNK = 5000  # tickets per worker job
LESSON = "Check the firmware version before replacing hardware."

FIRST = (
    "Ada",
    "Bob",
    "Chen",
    "Dana",
    "Emeka",
    "Fatima",
    "Goran",
    "Hana",
    "Ivan",
    "Jo",
    "Kofi",
    "Lena",
    "Mateo",
    "Nadia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tomoko",
    "Uma",
    "Viktor",
    "Wen",
    "Yusuf",
)
LAST = (
    "Smith",
    "Okafor",
    "Novak",
    "Garcia",
    "Lindqvist",
    "Tanaka",
    "Haddad",
    "Müller",
    "Kowalski",
    "Rossi",
    "Nguyen",
    "Ivanova",
    "Dubois",
    "Patel",
    "Moreau",
    "Jensen",
)
ORGS = ("Finance", "Sales", "Logistics", "HR", "Legal", "Research", "Plant Nord", "Plant Süd")
TECHS = ("alice", "bruno", "carla", "deniz", "erik", "farah")
REVIEWERS = ("grace", "henrik")
# (queue, title template, product keys): what a service desk actually sees.
PROBLEMS = (
    ("hardware", "Printer on floor {n} jams on duplex jobs", {"model": "HP LaserJet M60{n}"}),
    ("hardware", "Laptop battery drains within an hour", {"model": "ThinkPad T14 Gen {n}"}),
    ("hardware", "Docking station does not detect second monitor", {"model": "USB-C Dock {n}"}),
    ("network", "VPN drops every few minutes from home office", {"client": "WireGuard 1.{n}"}),
    ("network", "Wi-Fi in meeting room {n} is unusable", {"site": "HQ"}),
    ("network", "Cannot reach file share \\\\fs{n}", {"share": "fs{n}"}),
    ("licensing", "CAD licence expired for the design team", {"licence": "CAD-{n}0{n}"}),
    ("licensing", "Need an Office licence for a new hire", {"licence": "O365-E{n}"}),
    ("licensing", "Account locked after password change", {"account": "user{n}"}),
    ("service-desk", "Outlook keeps asking for the password", {"account": "mail{n}"}),
    ("service-desk", "Request access to the sales dashboard", {"account": "bi{n}"}),
    ("service-desk", "Phone extension {n}0 has no dial tone", {"extension": "{n}0{n}"}),
)
# Final status -> share of the desk. Most tickets on a real desk are done.
STATUS_MIX = (
    ("closed", 50),
    ("resolved", 6),
    ("cancelled", 5),
    ("split", 2),
    ("new", 8),
    ("triaged", 8),
    ("in_progress", 11),
    ("waiting", 5),
    ("proposed", 5),
)
PRIORITY_MIX = (("P1", 2), ("P2", 12), ("P3", 60), ("P4", 26))
CHANNELS = ("email", "email", "web", "web", "phone", "slack", "github")


class Generator:
    """Walks each ticket through real lifecycle actions up to a chosen final status."""

    def __init__(self, root: Path, seed: int) -> None:
        self.root = root
        self.rng = random.Random(seed)
        self.config = load_config(root)
        self.files: dict[str, str] = {}
        self.articles: dict[str, list[tuple[str, Ticket | None, str]]] = {}
        self.open_ids: list[str] = []
        self.taken: set[str] = set()
        self._statuses = [s for s, w in STATUS_MIX for _ in range(w)]
        self._priorities = [p for p, w in PRIORITY_MIX for _ in range(w)]

    def fresh_id(self) -> str:
        while True:  # workers generate in parallel: the file system is the shared registry of IDs
            candidate = new_id(self.config.prefix)
            if candidate not in self.taken and not (self.root / "tickets" / f"{candidate}.md").exists():
                self.taken.add(candidate)
                return candidate

    def ctx(self, when: dt.datetime, actor: str) -> Context:
        return Context(self.config, iso(when), actor)

    def make(self, n: int) -> None:
        count = 0
        while count < n:
            count += self.one(n - count)

    def one(self, room: int) -> int:
        """Generate one ticket (or a split family); return how many tickets it added."""
        r = self.rng
        status = r.choice(self._statuses)
        if status == "split" and room < 3:
            status = "closed"
        when = START + dt.timedelta(minutes=r.randrange(SPAN_DAYS * 24 * 60))
        queue, template, product = r.choice(PROBLEMS)
        k = r.randrange(1, 10)
        name = f"{r.choice(FIRST)} {r.choice(LAST)}"
        requester = {
            "name": name,
            "email": f"{name.split(maxsplit=1)[0].lower()}.{r.randrange(100)}@corp.example",
            "org": r.choice(ORGS),
        }
        if r.random() < 0.3:
            requester["phone"] = f"+41 44 {r.randrange(100, 999)} {r.randrange(10, 99)} {r.randrange(10, 99)}"
        t = actions.new_ticket(
            self.ctx(when, "intake"),
            self.fresh_id(),
            template.format(n=k),
            requester,
            channel=r.choice(CHANNELS),
            queue=queue,
            location=f"Building {r.choice('ABC')}, floor {k}",
            product={key: v.format(n=k) for key, v in product.items()},
            visibility=r.choice(("unlisted", "unlisted", "public", "private")),
            body=f"{name} reports: {template.format(n=k).lower()}.\n\nIt started this week and blocks daily work.",
        )
        children = self.walk(t, status, when)
        self.add(t)
        if status in ("new", "triaged", "in_progress", "waiting"):
            self.open_ids.append(t.id)
        for child in children:
            self.add(child)
        return 1 + len(children)

    def walk(self, t: Ticket, status: str, when: dt.datetime) -> list[Ticket]:
        r = self.rng
        tech = r.choice(TECHS)

        def step(fn: Any, *args: Any, actor: str = tech, **kw: Any) -> None:
            nonlocal when
            when += dt.timedelta(minutes=r.randrange(5, 600))
            fn(t, self.ctx(when, actor), *args, **kw)

        if status == "new":
            return []
        if status == "cancelled":
            step(actions.cancel, "Duplicate request; the requester solved it meanwhile")
            return []
        step(actions.prioritise, r.choice(self._priorities))
        if status == "split":
            kids = [f"{t.title}: part {i}" for i in (1, 2)]
            return actions.split_children(t, self.ctx(when, tech), kids, [self.fresh_id() for _ in kids])
        if r.random() < 0.7:
            step(actions.assign, tech, None)
        if status == "triaged":
            return []
        step(actions.start)
        if r.random() < 0.15:
            step(actions.escalate, "Needs a specialist", None)
        for _ in range(r.randrange(0, 3)):
            step(
                actions.note,
                r.choice(
                    (
                        "Checked the logs; nothing obvious.",
                        "Reproduced on a spare device.",
                        "Vendor ticket opened.",
                        "Asked the network team for a trace.",
                    )
                ),
            )
        if r.random() < 0.5 or status == "waiting":
            step(actions.contact, r.choice(("phone", "email")), "Asked for the exact error message")
            step(actions.wait, "Can you send a screenshot of the error?")
            if status == "waiting":
                return []
            step(actions.contact, "email", "Screenshot received", inbound=True)
        if status == "in_progress":
            return []
        step(actions.propose, "Replaced the faulty part and updated the driver.")
        if status == "proposed":
            return []
        if r.random() < 0.2:
            step(actions.review, False, r.choice(REVIEWERS), "Please confirm with the requester first.")
            step(actions.propose, "Confirmed with the requester; fix applied again.")
        step(actions.review, True, r.choice(REVIEWERS))
        step(actions.customer_review, True)  # the requester accepts: the desk's default process
        if status == "closed":
            self.close(t, step)
        return []

    def close(self, t: Ticket, step: Any) -> None:
        r = self.rng
        slug = f"{kb.slugify(t.title)}"
        step(actions.close, LESSON, slug, "Outdated firmware")
        lessons = self.articles.setdefault(slug, [])
        # only the first few lessons become sections; the rest are just linked (and cheap to pickle)
        lessons.append((t.id, t.copy() if len(lessons) < 3 else None, t.history[-1]["at"]))
        if r.random() < 0.35:
            score = r.choice((5, 5, 4, 4, 3, 2, 1))
            step(lambda tt, c: actions.record(tt, c, "survey", score=score), actor="requester")
            record = survey.make(
                t.id,
                t.history[-1]["at"],
                score,
                r.choice(("yes", "yes", "no")),
                r.choice(("adequate", "adequate", "too-long")),
                "Thanks for the quick help.",
            )
            self.files[f"{survey.SURVEYS_DIR}/{t.id}.yml"] = survey.dump(record)

    def add(self, t: Ticket) -> None:
        self.files[f"tickets/{t.id}.md"] = dump(t)

    def write_files(self) -> None:
        for rel, text in self.files.items():
            with open(self.root / rel, "w", encoding="utf-8", newline="\n") as fh:  # no fsync: rebuildable
                fh.write(text)
        self.files.clear()

    def write_articles(self) -> None:
        """One article per problem; the first few lessons get a section, all tickets are linked."""
        for slug, closed in self.articles.items():
            text = None
            for _, t, at in [c for c in closed if c[1] is not None][:3]:
                text = kb.lesson_article(
                    text,
                    slug,
                    t,
                    LESSON,
                    "Outdated firmware",
                    "Replaced the faulty part and updated the driver.",
                    at,
                    kb.default_tags(t),
                    publish=True,  # as if closed with --kb-public: the bench site publishes every article
                )
            assert text is not None
            meta, body = kb.parse_article(text, f"kb/{slug}.md")
            meta["tickets"] = [ticket_id for ticket_id, _, _ in closed]
            self.files[f"{kb.KB_DIR}/{slug}.md"] = f"---\n{kb.dump_yaml(meta)}---\n{body}"


def git(root: Path, *args: str) -> str:
    env = {**os.environ, **BENCH_ENV}
    return subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True).stdout.strip()


def _generate_chunk(job: tuple[str, int, int]) -> tuple[list[str], dict[str, list[tuple[str, Ticket | None, str]]]]:
    """Worker: generate and write `n` tickets; return open IDs and the lessons for KB articles."""
    root, n, seed = job
    gen = Generator(Path(root), seed)
    gen.make(n)
    gen.write_files()
    return gen.open_ids, gen.articles


def make_desk(root: Path, n: int, seed: int = 1, jobs: int | None = None) -> str:
    """Lay out a desk in `root`, fill it with `n` tickets in one commit; return an open ticket ID."""
    root.mkdir(parents=True, exist_ok=True)
    if not (root / ".git").exists():
        git(root, "init", "-q", "-b", "main")
    scaffold = missing_files(root)
    for rel, data in scaffold.items():  # a generator, not a desk user: it writes and commits in bulk itself
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    if scaffold:
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "gitdesk init")
    jobs = jobs or min(os.cpu_count() or 1, max(1, n // CHUNK))
    chunks = [(str(root), min(CHUNK, n - start), seed * 100003 + i) for i, start in enumerate(range(0, n, CHUNK))]
    if jobs > 1:  # YAML dumping is the cost; split it over the cores
        from multiprocessing import Pool

        with Pool(jobs) as pool:
            results = pool.map(_generate_chunk, chunks)
    else:
        results = [_generate_chunk(c) for c in chunks]
    gen = Generator(root, seed)
    for _, articles in results:
        for slug, closed in articles.items():
            gen.articles.setdefault(slug, []).extend(closed)
    gen.write_articles()
    gen.write_files()
    git(root, "add", "--", "tickets", "kb", "surveys")
    git(root, "commit", "-q", "--no-verify", "-m", f"bench: generate {n} tickets")
    open_ids = [i for ids, _ in results for i in ids]
    return open_ids[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir", type=Path)
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--jobs", type=int, default=None, help="worker processes (default: one per core)")
    args = ap.parse_args()
    if args.n < 1:
        sys.exit("make_desk.py: N must be at least 1")
    if (args.dir / "tickets").is_dir() and any((args.dir / "tickets").glob("*.md")):
        sys.exit(f"make_desk.py: {args.dir} already holds tickets; give an empty or new directory")
    start = time.perf_counter()
    open_id = make_desk(args.dir, args.n, args.seed, args.jobs)
    if not args.quiet:
        print(f"{args.n} tickets in {args.dir} ({time.perf_counter() - start:.1f} s)", file=sys.stderr)
    print(open_id)


if __name__ == "__main__":
    main()
