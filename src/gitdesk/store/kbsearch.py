"""Ranking knowledge-base articles for a question: Okapi BM25 over kb/*.md with a title boost.

Used by `gitdesk kb search`, by `gitdesk new` (related articles) and by the
email acknowledgement. The index is derived and cached in .git/gitdesk/,
keyed by every article's (name, mtime_ns, size), so opening a ticket does not
re-read the KB unless an article changed.
"""

from __future__ import annotations

import contextlib
import math
import os
import pickle
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

K1, B = 1.2, 0.75
TITLE_WEIGHT, TAG_WEIGHT = 3, 2  # a word in the title says more about the article than one in its body
_VERSION = 1
STOPWORDS = frozenset(
    """a an and are as at be but by can do does for from has have how i if in into is it its
me my no not of on or our so that the their then there these this to was we were what when where which who
why will with you your after again all also am any been before being both did doing down each few further
had having he her here him his just more most other out over own same she should some such than them they
those through too under until up very while would""".split()
)


@dataclass(frozen=True)
class Hit:
    slug: str
    title: str
    score: float


def _stem(word: str) -> str:
    """A light suffix strip, enough for 'printers'/'printer', 'jams'/'jammed'/'jamming'."""
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            stem = word[: -len(suffix)] + keep
            if suffix in ("ing", "ed") and len(stem) > 3 and stem[-1] == stem[-2]:
                stem = stem[:-1]  # jamm(ed) -> jam
            return stem
    return word


def tokens(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return [_stem(w) for w in re.findall(r"[^\W_]+", folded) if len(w) > 1 and w not in STOPWORDS]


@dataclass
class Index:
    docs: list[tuple[str, str, int]]  # (slug, title, length)
    postings: dict[str, list[tuple[int, int]]]  # term -> [(doc, weighted tf)]
    avgdl: float

    def search(self, query: str, limit: int = 10) -> list[Hit]:
        n = len(self.docs)
        scores: dict[int, float] = {}
        for term in set(tokens(query)):
            postings = self.postings.get(term)
            if not postings:
                continue
            idf = math.log(1 + (n - len(postings) + 0.5) / (len(postings) + 0.5))
            for doc, tf in postings:
                norm = tf + K1 * (1 - B + B * self.docs[doc][2] / (self.avgdl or 1))
                scores[doc] = scores.get(doc, 0.0) + idf * tf * (K1 + 1) / norm
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], self.docs[kv[0]][0]))
        return [Hit(self.docs[d][0], self.docs[d][1], round(s, 4)) for d, s in ranked[:limit] if s > 0]


def _article(path: Path) -> tuple[str, list[str], str]:
    """(title, tags, body); a malformed article is still searchable by its text."""
    from gitdesk.core.kb import parse_article

    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        meta, body = parse_article(text, f"kb/{path.name}")
    except Exception:  # a hand-broken article must not break intake; search its raw text
        return path.stem.replace("-", " "), [], text
    raw_tags = meta.get("tags")
    tags = raw_tags if isinstance(raw_tags, list) else []
    return str(meta.get("title") or path.stem.replace("-", " ")), [str(t) for t in tags], body


def build(paths: list[Path]) -> Index:
    docs: list[tuple[str, str, int]] = []
    postings: dict[str, list[tuple[int, int]]] = {}
    for doc, path in enumerate(paths):
        title, tags, body = _article(path)
        counts: Counter[str] = Counter(tokens(body))
        for term in tokens(title):
            counts[term] += TITLE_WEIGHT
        for term in tokens(" ".join(tags)):
            counts[term] += TAG_WEIGHT
        docs.append((path.stem, title, sum(counts.values())))
        for term, tf in counts.items():
            postings.setdefault(term, []).append((doc, tf))
    avgdl = sum(d[2] for d in docs) / len(docs) if docs else 0.0
    return Index(docs, postings, avgdl)


def _cache_file(root: Path) -> Path | None:
    git = root / ".git"
    if not git.is_dir():
        return None
    state = git / "gitdesk"
    state.mkdir(exist_ok=True)
    return state / "kb-index.pickle"


def index(root: Path) -> Index:
    """The BM25 index of root/kb, from the cache when no article changed."""
    try:
        entries = sorted(
            (e for e in os.scandir(root / "kb") if e.name.endswith(".md") and e.is_file()), key=lambda e: e.name
        )
    except FileNotFoundError:
        entries = []
    key = tuple((e.name, e.stat().st_mtime_ns, e.stat().st_size) for e in entries)
    cache = _cache_file(root)
    cached = _load(cache)
    if cached and cached[0] == key:
        return cached[1]  # type: ignore[no-any-return]
    built = build([Path(e.path) for e in entries])
    if cache:
        tmp = cache.with_name(f".{cache.name}.{os.getpid()}")
        with contextlib.suppress(OSError):
            with open(tmp, "wb") as fh:
                pickle.dump((_VERSION, key, built), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, cache)
    return built


def _load(cache: Path | None) -> tuple[Any, Index] | None:
    if not cache:
        return None
    try:
        with open(cache, "rb") as fh:
            version, key, built = pickle.load(fh)
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError):
        return None
    return (key, built) if version == _VERSION else None


def search(root: Path, text: str, limit: int = 10) -> list[Hit]:
    return index(root).search(text, limit)


def suggest(root: Path, text: str, limit: int = 3) -> list[tuple[str, str]]:
    """(slug, title) of up to `limit` articles related to `text`, best first."""
    return [(h.slug, h.title) for h in search(root, text, limit)]
