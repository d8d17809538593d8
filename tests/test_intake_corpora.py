"""Real mail nobody on the project wrote: CPython's email test messages (Debian libpython3.11-testsuite),
SpamAssassin's samples (Debian spamassassin) and mail-parser's test mails (its sdist, fetched with pip
into a cache). Every message must end in one documented outcome; the counts are printed (-s) for the notes."""

from __future__ import annotations

import collections
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from gitdesk.intake import Unusable
from gitdesk.intake.mailgate import take_email

CPYTHON = Path("/usr/lib/python3.11/test/test_email/data")
SPAMASSASSIN = Path("/usr/share/doc/spamassassin/examples")
OUTCOMES = {"opened", "replied", "reopened", "duplicate", "ignored", "survey", "held"}


def _mail_parser_mails() -> list[Path]:
    cache = Path(os.environ.get("GITDESK_CORPUS_CACHE", Path.home() / ".cache" / "gitdesk-corpora"))
    folder = cache / "mail-parser"
    if not folder.exists():
        cache.mkdir(parents=True, exist_ok=True)
        get = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:", "mail-parser"]
        subprocess.run([*get, "-d", str(cache / "sdist")], check=True, capture_output=True, timeout=300)
        [sdist] = list((cache / "sdist").glob("mail*parser-*.tar.gz"))
        with tarfile.open(sdist) as tar:
            members = [m for m in tar.getmembers() if "/tests/mails/" in m.name and m.isfile()]
            tar.extractall(folder, members=members, filter="data")
    return sorted(p for p in folder.rglob("*") if p.is_file())


def corpus(name: str) -> list[Path]:
    if name == "cpython":
        return sorted(CPYTHON.glob("msg_*.txt"))
    if name == "spamassassin":
        return sorted(SPAMASSASSIN.glob("sample-*spam.txt"))
    return _mail_parser_mails()


@pytest.mark.slow
@pytest.mark.parametrize("name", ["cpython", "spamassassin", "mail-parser"])
def test_every_message_ends_in_one_documented_outcome(desk, name, capsys):
    messages = corpus(name)
    if not messages and os.environ.get("CI") != "true":
        pytest.skip(f"the {name} corpus is not installed (.ci/run installs it)")
    assert messages, f"the {name} corpus is missing"
    counts: collections.Counter[str] = collections.Counter()
    for path in messages:
        try:
            outcome = take_email(desk, path.read_bytes(), acknowledge=False)
        except Unusable:
            counts["held"] += 1
            continue
        assert outcome.kind in OUTCOMES, (path, outcome)
        counts[outcome.kind] += 1
    assert sum(counts.values()) == len(messages)
    for t in desk.tickets():  # what was written is readable and clean
        assert "\x1b" not in t.title and "\x00" not in t.description
    with capsys.disabled():
        print(f"\ncorpus {name}: {len(messages)} messages: {dict(sorted(counts.items()))}")
