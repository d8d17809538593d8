"""Ranking knowledge-base articles for a question: Okapi BM25 over kb/*.md with a title boost.

Used by `gitdesk kb search`, by `gitdesk new` (related articles) and by the
email acknowledgement. Each article's weighted term counts are a row of the
read index (index.py), keyed by its blob id, so opening a ticket re-reads no
article that did not change.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Any

K1, B = 1.2, 0.75
TITLE_WEIGHT, TAG_WEIGHT = 3, 2  # a word in the title says more about the article than one in its body
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


def article_terms(path: str, text: str) -> tuple[str, str, dict[str, int], int]:
    """(slug, title, weighted term counts, length) of one article: the row the read index keeps.

    A malformed article is still searchable by its text: a hand-broken file must not break intake.
    """
    from gitdesk.core.kb import parse_article

    slug = path.rsplit("/", 1)[-1][:-3]
    try:
        meta, body = parse_article(text, path)
        raw_tags = meta.get("tags")
        tags = [str(t) for t in raw_tags] if isinstance(raw_tags, list) else []
        title = str(meta.get("title") or slug.replace("-", " "))
    except Exception:  # noqa: BLE001 - any broken front matter: search the raw text
        title, tags, body = slug.replace("-", " "), [], text
    counts: Counter[str] = Counter(tokens(body))
    for term in tokens(title):
        counts[term] += TITLE_WEIGHT
    for term in tokens(" ".join(tags)):
        counts[term] += TAG_WEIGHT
    return slug, title, dict(counts), sum(counts.values())


def build(articles: list[tuple[str, str, dict[str, int], int]]) -> Index:
    docs: list[tuple[str, str, int]] = []
    postings: dict[str, list[tuple[int, int]]] = {}
    for doc, (slug, title, counts, length) in enumerate(articles):
        docs.append((slug, title, length))
        for term, tf in counts.items():
            postings.setdefault(term, []).append((doc, tf))
    avgdl = sum(d[2] for d in docs) / len(docs) if docs else 0.0
    return Index(docs, postings, avgdl)


def index(source: Any) -> Index:
    """The BM25 index of the desk's kb/, from the read index's article rows (only changed articles are read)."""
    _, rows = source.values("kb", "kb", "article")
    return build(rows)


def search(source: Any, text: str, limit: int = 10) -> list[Hit]:
    """Articles ranked for `text`; `source` is the desk's read index (`desk.index`)."""
    return index(source).search(text, limit)


def suggest(source: Any, text: str, limit: int = 3) -> list[tuple[str, str]]:
    """(slug, title) of up to `limit` articles related to `text`, best first."""
    return [(h.slug, h.title) for h in search(source, text, limit)]
