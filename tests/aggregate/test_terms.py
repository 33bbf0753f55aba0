"""Emerging-term counts: per distinct author, floored at k, screened, stored without any author hash."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select

from listening.aggregate.terms import count_terms, terms_of
from listening.aggregate.weekly import aggregate_week
from listening.periods import week_start
from listening.privacy import keys
from listening.store.db import session_scope
from listening.store.models import Mention, MentionTopic, WeeklyTerm
from tests.aggregate.support import PROGRAM, make_program

WEEK = "2026-W10"


def test_terms_are_words_hashtags_and_two_word_phrases() -> None:
    text = "Boil water advisory in Riverside! <PERSON> says #BoilWater is up, see @PortAlderCity https://x.example/a"
    assert terms_of(text) == {
        ("boil", "word"),
        ("water", "word"),
        ("advisory", "word"),
        ("boil water", "phrase"),
        ("water advisory", "phrase"),
        ("riverside", "word"),
        ("says", "word"),
        ("#boilwater", "hashtag"),
    }
    # Placeholders, handles, links and e-mail addresses never become terms or join a phrase.
    assert terms_of("<PERSON> <PHONE_NUMBER> someone@example.org @handle www.example.org") == set()


def test_counting_is_per_author_and_floored_at_k() -> None:
    rows = [(1, "a", "water main break"), (2, "a", "water main again"), (3, "b", "water main")]
    rows += [(4, None, "water main"), (5, None, "water main")]  # no hash: each mention is its own author
    counted, total = count_terms(rows, k=4)
    assert total == 5
    found = {(t.term, t.mentions, t.distinct_authors) for t in counted}
    assert found == {("water", 5, 4), ("main", 5, 4), ("water main", 5, 4)}
    assert count_terms(rows, k=5)[0] == []


def _insert(url: str, author: str, text: str, topics: tuple[str, ...]) -> None:
    day = week_start(WEEK) + dt.timedelta(days=1)
    with session_scope(url) as session:
        key = keys.week_key(session, PROGRAM, WEEK)
        mention = Mention(
            program=PROGRAM,
            post_key=uuid.uuid4().hex,
            source="forum",
            platform="test",
            created_hour=dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC),
            day=day,
            iso_week=WEEK,
            author_key=keys.keyed_hash(key, author),
            text_redacted=text,
            sentiment_compound=0.0,
            sentiment_label="neutral",
            policy_version="1",
            run_id="t",
        )
        session.add(mention)
        session.flush()
        session.add_all(MentionTopic(mention_id=mention.id, topic=t) for t in topics)


def test_aggregation_stores_screened_term_counts_and_no_author_hash(db_url: str) -> None:
    program = make_program(k=5)
    for i in range(6):
        _insert(db_url, f"r{i}", f"Roads near the library are flooded again, call 613-555-01{i}0", ("roads",))
        _insert(db_url, f"u{i}", "Heat warning: cooling centre hours? Talk to Oswaldo Pennyworth", ())
    _insert(db_url, "r0", "cooling centre", ())  # r0 wrote about roads too: a seventh author of this term
    with session_scope(db_url) as session:
        aggregate_week(session, program, WEEK)
        stored = session.scalars(select(WeeklyTerm)).all()
        hashes = set(session.scalars(select(Mention.author_key)))
    terms = {(t.scope, t.term): (t.mentions, t.distinct_authors, t.scope_mentions) for t in stored}
    assert terms[("all", "cooling centre")] == (7, 7, 13)
    assert terms[("none", "cooling centre")] == (7, 7, 7)
    assert terms[("all", "library")] == (6, 6, 13)
    assert ("none", "library") not in terms  # those mentions have a topic
    assert all(t.distinct_authors >= 5 for t in stored)
    # A name the redactor missed in context: it takes "oswaldo" and the phrase for a person, so neither
    # they nor "pennyworth" (which alone it would pass) are kept.
    assert not {term for _, term in terms} & {"oswaldo", "pennyworth", "oswaldo pennyworth"}
    assert not any(any(ch.isdigit() for ch in term) for _, term in terms)
    dumped = " ".join(f"{t.term} {t.kind} {t.scope}" for t in stored)
    assert not any(h and h in dumped for h in hashes)


def test_no_terms_under_differential_privacy(db_url: str) -> None:
    program = make_program(k=5, dp={"enabled": True})
    for i in range(8):
        _insert(db_url, f"r{i}", "cooling centre hours", ())
    with session_scope(db_url) as session:
        aggregate_week(session, program, WEEK)
        assert session.scalars(select(WeeklyTerm)).all() == []
