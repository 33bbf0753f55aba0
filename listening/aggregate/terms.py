"""The week's terms: words, hashtags and two-word phrases, counted per distinct author at aggregation.

Counting authors needs the week's keyed author hashes, which release erases; so the counts are taken
when the week is aggregated and only the counts are stored (`weekly_terms`), for terms that at least
`k` distinct authors used that week. A term is kept only when the residual scan finds nothing in it
and the redactor, run over the term itself, takes no part of it for an identifier (a name, a handle).
Under differential privacy no term is stored: exact counts would spend privacy outside the ledger.

Two scopes: `all` (every mention of the week) and `none` (mentions that match no topic), so analysts
see what residents talk about outside the taxonomy.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from spacy.lang.en.stop_words import STOP_WORDS
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from listening.config import ProgramConfig
from listening.store.models import Mention, MentionTopic, WeeklyTerm

SCOPE_ALL = "all"
SCOPE_NO_TOPIC = "none"
WORD, HASHTAG, PHRASE = "word", "hashtag", "phrase"
MAX_TERM = 120

# One pass over redacted text. Placeholders, handles, links and e-mail-like tokens are matched so that
# they are skipped and break a phrase; sentence punctuation breaks a phrase too.
_TOKEN = re.compile(
    r"(?P<skip><[A-Z][A-Z0-9_]*>|https?://\S+|www\.\S+|\S*@\S+|\*{2,})"
    r"|(?P<tag>#[^\W\d_][\w]{1,60})"
    r"|(?P<word>[^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_]))*)"
    r"|(?P<stop>[.!?;:,()\[\]\"“”…/|]|\d[\d.,:]*)"
)
_EXTRA_STOP = frozenset({"amp", "rt", "via", "im", "ive", "dont", "cant", "thats", "youre", "its", "lol"})


def _stop(word: str) -> bool:
    return word in STOP_WORDS or word in _EXTRA_STOP or len(word) < 3


def terms_of(text: str) -> set[tuple[str, str]]:
    """The distinct (term, kind) pairs of one redacted text, lower-cased."""
    found: set[tuple[str, str]] = set()
    previous: str | None = None
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "word":
            word = match.group().lower().replace("’", "'")
            if _stop(word):
                previous = None
                continue
            found.add((word, WORD))
            if previous is not None:
                found.add((f"{previous} {word}", PHRASE))
            previous = word
            continue
        previous = None
        if kind == "tag":
            found.add((match.group().lower(), HASHTAG))
    return found


@dataclass(frozen=True)
class TermCount:
    term: str
    kind: str
    mentions: int
    distinct_authors: int


def count_terms(rows: Iterable[tuple[int, str | None, str]], k: int) -> tuple[list[TermCount], int]:
    """Per term: mentions and distinct authors, for terms with at least `k` authors; and the mentions.

    `rows` are (mention id, author hash or None, redacted text). A mention without an author hash is
    its own author: it never merges with anybody.
    """
    mentions: dict[tuple[str, str], int] = defaultdict(int)
    authors: dict[tuple[str, str], set[str]] = defaultdict(set)
    total = 0
    for mention_id, author, text in rows:
        total += 1
        unit = author or f"mention:{mention_id}"
        for key in terms_of(text):
            mentions[key] += 1
            authors[key].add(unit)
    kept = [
        TermCount(term, kind, mentions[(term, kind)], len(units))
        for (term, kind), units in authors.items()
        if len(units) >= k and len(term) <= MAX_TERM
    ]
    return sorted(kept, key=lambda t: (-t.distinct_authors, t.term)), total


def screen(terms: Sequence[TermCount], program: ProgramConfig) -> list[TermCount]:
    """Terms that pass the residual scan and that the redactor does not take for an identifier.

    The redactor sees each term as stored (lower case; it truecases lower-case text before its name
    model, so "oswaldo" is still a name) and a hashtag without its `#`. A word of a flagged term is
    flagged with it, and so is every term holding a flagged word: "oswaldo pennyworth" is a name, so
    "pennyworth" alone, which the redactor would pass, is not shown either.
    """
    if not terms:
        return []
    from listening.privacy.redactor import get_redactor, topic_terms
    from listening.privacy.residual import residual_scan

    policy = program.privacy.redaction
    words = [t.term.lstrip("#") for t in terms]
    flagged = residual_scan([t.term for t in terms], policy.allow_list)
    found = get_redactor(policy, terms=topic_terms(program.topics)).redact_batch(words)
    taken = {
        word
        for term, residual, red in zip(words, flagged, found, strict=True)
        if residual or red.entities
        for word in term.split()
    }
    return [t for t, term in zip(terms, words, strict=True) if not taken.intersection(term.split())]


def _week_rows(session: Session, program: str, iso_week: str) -> Iterator[tuple[int, str | None, str, bool]]:
    """(mention id, author hash, redacted text, has a topic) for the week's mentions that still have text."""
    tagged = select(MentionTopic.mention_id).where(MentionTopic.mention_id == Mention.id).exists()
    stmt = select(Mention.id, Mention.author_key, Mention.text_redacted, tagged).where(
        Mention.program == program, Mention.iso_week == iso_week, Mention.text_redacted.is_not(None)
    )
    for mention_id, author, text, has_topic in session.execute(stmt):
        yield int(mention_id), author, str(text), bool(has_topic)


def store_week_terms(
    session: Session, program: ProgramConfig, iso_week: str, *, now: dt.datetime
) -> dict[str, Any]:
    """Replace the week's stored term counts; returns what the release manifest records about them."""
    name = program.program
    session.execute(delete(WeeklyTerm).where(WeeklyTerm.program == name, WeeklyTerm.iso_week == iso_week))
    if program.privacy.differential_privacy.enabled:
        return {"stored": 0, "reason": "not published under differential privacy"}
    week = list(_week_rows(session, name, iso_week))
    k = program.privacy.k
    stored: dict[str, int] = {}
    screened_out = 0
    for scope, rows in (
        (SCOPE_ALL, [(m, a, t) for m, a, t, _ in week]),
        (SCOPE_NO_TOPIC, [(m, a, t) for m, a, t, has_topic in week if not has_topic]),
    ):
        counted, total = count_terms(rows, k)
        kept = screen(counted, program)
        screened_out += len(counted) - len(kept)
        stored[scope] = len(kept)
        if kept:
            session.execute(
                insert(WeeklyTerm),
                [
                    {
                        "program": name,
                        "iso_week": iso_week,
                        "scope": scope,
                        "term": t.term,
                        "kind": t.kind,
                        "mentions": t.mentions,
                        "distinct_authors": t.distinct_authors,
                        "scope_mentions": total,
                        "computed_at": now,
                    }
                    for t in kept
                ],
            )
    return {
        "stored": sum(stored.values()),
        "by_scope": stored,
        "screened_out": screened_out,
        "k": k,
        "mentions_with_text": len(week),
    }
