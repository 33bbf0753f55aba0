"""Report building blocks: number formats, intervals, export rows, the HTML pages, the review's figures."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pandas as pd
import pytest

from listening.config import load_program
from listening.periods import week_start
from listening.reports.exports import TREND_COLUMNS, enrich
from listening.reports.formatting import number, percent, points, signed, signed_percent
from listening.reports.html import analyst_report, privacy_report
from listening.reports.review import low_confidence, privacy_review, score_bucket
from listening.reports.stats import poisson, significant, wilson
from listening.store.db import session_scope
from listening.store.models import Mention, RedactionLog, Release, Run, WeeklyTrend
from tests.support import DEMO_PROGRAM

PROGRAM = load_program(DEMO_PROGRAM)
NEGATIVE_ZERO = re.compile(r"-0(?:\.0+)?(?:%|\b)(?!\.\d*[1-9])")


def test_numbers_never_read_minus_zero_and_missing_is_a_dash() -> None:
    assert signed(-0.001) == "0.00"
    assert signed(-0.004, 2) == "0.00"
    assert signed(0.1234) == "+0.12"
    assert signed(-0.3) == "-0.30"
    assert percent(-0.0004) == "0%"
    assert signed_percent(-0.001) == "0%"
    assert signed_percent(0.5) == "+50%"
    assert signed_percent(-0.25) == "-25%"
    assert points(-0.004) == "0 pp"
    assert points(0.031) == "+3 pp"
    for missing in (None, float("nan"), pd.NA):
        assert number(missing) == percent(missing) == signed(missing) == "–"


def test_intervals() -> None:
    low, high = wilson(5, 20)  # type: ignore[misc]
    assert (low, high) == pytest.approx((0.1119, 0.4687), abs=1e-4)
    assert wilson(0, 0) is None
    # Garwood's exact interval for 10 is (4.795, 18.390); the approximation is within 1%.
    assert poisson(10) == pytest.approx((4.795, 18.390), rel=0.01)
    assert poisson(0)[0] == 0
    assert significant(poisson(100), poisson(200)) is True
    assert significant(poisson(100), poisson(110)) is False
    assert significant(None, poisson(1)) is None


def _cell(week: str, topic: str, source: str = "all", mentions: int | None = 100, **over: Any) -> dict:
    row: dict[str, Any] = {
        "iso_week": week,
        "week_start": week_start(week).isoformat(),
        "topic": topic,
        "source": source,
        "status": "released",
        "suppressed": mentions is None,
        "suppression": "primary" if mentions is None else None,
        "noisy": False,
        "mentions": mentions,
        "distinct_authors": None if mentions is None else max(10, mentions // 2),
        "positive_share": None if mentions is None else 0.3,
        "neutral_share": None if mentions is None else 0.4,
        "negative_share": None if mentions is None else 0.3,
        "mean_compound": None if mentions is None else 0.05,
        "wow_change": None,
        "spike": None if mentions is None else False,
        "spike_z": None,
    }
    return {**row, **over}


def history() -> pd.DataFrame:
    rows = [
        _cell("2026-W40", "all", mentions=300),
        _cell("2026-W41", "all", mentions=600, wow_change=1.0, spike=True, spike_z=5.2),
        _cell("2026-W40", "water", mentions=100),
        _cell("2026-W41", "water", mentions=None),  # suppressed this week
        _cell("2026-W40", "transit", mentions=100),
        _cell("2026-W41", "transit", mentions=104, wow_change=0.04, negative_share=0.6, positive_share=0.1),
        _cell("2026-W41", "none", mentions=60),
        _cell("2026-W41", "all", "mastodon_export", mentions=400, mean_compound=-0.001, wow_change=-0.0004),
        _cell("2026-W41", "all", "forum_export", mentions=None, suppression="complementary"),
    ]
    return pd.DataFrame(rows)


def test_export_rows_carry_labels_intervals_and_changes() -> None:
    frame = enrich(history(), PROGRAM)
    assert tuple(frame.columns) == TREND_COLUMNS
    rows = {(r["iso_week"], r["topic"], r["source"]): r for r in frame.to_dict("records")}
    total = rows[("2026-W41", "all", "all")]
    assert (total["topic_label"], total["source_label"]) == ("All topics", "All sources")
    assert total["previous_mentions"] == 300
    assert total["wow_significant"] is True  # 300 -> 600: the Poisson intervals are far apart
    assert total["mentions_low"] < 600 < total["mentions_high"]
    transit = rows[("2026-W41", "transit", "all")]
    assert transit["wow_significant"] is False  # 100 -> 104 is noise
    assert transit["negative_change"] == pytest.approx(0.3)
    assert transit["negative_change_significant"] is True
    water = rows[("2026-W41", "water", "all")]
    assert water["suppressed"] is True
    for name in ("mentions", "wow_significant", "spike"):
        assert pd.isna(water[name]), name
    assert rows[("2026-W41", "none", "all")]["topic_label"] == "No topic"
    assert rows[("2026-W41", "all", "mastodon_export")]["source_label"] == "Mastodon"


def _report(**kwargs: Any) -> str:
    frame = enrich(history(), PROGRAM)
    terms = pd.DataFrame(
        [
            {
                "iso_week": "2026-W41",
                "scope": "all",
                "rank": 1,
                "term": "boil water",
                "kind": "phrase",
                "mentions": 90,
                "distinct_authors": 70,
                "share": 0.15,
                "baseline_share": 0.0,
                "baseline_weeks": 1,
                "rise": 0.15,
            }
        ]
    )
    release = {"approved_by": "Privacy Officer", "released_at": dt.datetime(2026, 10, 13, 4, tzinfo=dt.UTC)}
    return analyst_report(
        PROGRAM, "2026-W41", frame, terms=terms, untagged_terms=terms.iloc[0:0], release=release, **kwargs
    )


def test_analyst_report_is_self_contained_and_reads_as_analysts_need() -> None:
    page = _report()
    assert not re.search(r"https?://|<script|<link|@import|src=|url\((?!#)", page)  # url(#id) is in-page
    text = re.sub(r"<[^>]+>", " ", page)
    assert not NEGATIVE_ZERO.search(text), NEGATIVE_ZERO.search(text)
    # Sources under their display names, never as ids.
    for label in ("Mastodon", "Port Alder forum"):
        assert label in text
    for source_id in ("mastodon_export", "forum_export"):
        assert source_id not in text
    # A suppressed cell reads "suppressed": its row has no number at all.
    water_row = re.search(r"<tr><td class='l'>Water</td>(.*?)</tr>", page)
    assert water_row is not None
    assert "suppressed" in water_row.group(1)
    assert not re.search(r">\s*0\s*<", water_row.group(1))
    assert "Water, 2026-W41: suppressed" in page  # the chart marks the week instead of drawing 0
    assert "Water, 2026-W41: 0" not in page
    assert "Water, 2026-W40: 100" in page
    # Significance and spikes.
    assert "●" in page
    assert "spike" in page
    assert "boil water" in page
    assert "10%  of this week's mentions matched no topic" in text  # 60 of 600
    assert page.count("<svg") >= 2 * (len(PROGRAM.topics) + 1)


def _review(**over: Any) -> dict[str, Any]:
    review: dict[str, Any] = {
        "program": "p",
        "title": "P",
        "iso_week": "2026-W41",
        "week_start": "2026-10-05",
        "week_end": "2026-10-11",
        "generated_at": "2026-10-12T05:00:00",
        "policy_version": "1",
        "k": 10,
        "privacy_officers": [{"id": "po", "name": "P. O."}],
        "accounting": {
            "read": 10,
            "stored": 7,
            "duplicates": 2,
            "quarantined": 1,
            "balanced": True,
            "mentions_in_database": 7,
            "days_without_run": [],
            "days": [],
        },
        "entities": {
            "total": 3,
            "last_week_total": 1,
            "by_type": [{"type": "PERSON", "count": 3, "last_week": 1, "change": 2}],
            "by_recognizer": [{"recognizer": "<script>", "count": 3, "last_week": 1, "change": 2}],
        },
        "scores": {
            "histogram": [{"bucket": "0.8-0.9", "count": 3}],
            "low_confidence_below": 0.6,
            "low_confidence": 0,
        },
        "low_confidence": {"below": 0.6, "shown": 0, "examples": []},
        "residual": {"mentions_flagged": 0, "findings": 0, "by_kind": {"email": 0}, "text_erased": 0},
        "quarantine": {"total": 1, "by_reason": {"invalid_json": 1}},
        "sources": {"missing": [], "failed": [], "per_source": []},
        "cells": {"total": 4, "published": 3, "suppressed_primary": 1, "suppressed_complementary": 0},
        "privacy_budget": {
            "enabled": False,
            "year": 2026,
            "epsilon_per_release": None,
            "yearly_cap": None,
            "spent": 0.0,
            "left": None,
        },
        "release": {
            "status": "released",
            "approved_by": "auto",
            "released_at": None,
            "authors_erased": 5,
            "key_destroyed": True,
            "decisions": [],
            "manifest": [{"field": "cells.total", "value": "4"}],
        },
        "authors_erased": 5,
    }
    return {**review, **over}


def test_privacy_report_escapes_and_shows_the_manifest_as_a_table() -> None:
    page = privacy_report(_review())
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "invalid_json" in page
    assert "<td class='l'>cells.total</td><td class='l'>4</td>" in page
    assert "{'" not in page  # no Python dict printed
    assert "balanced" in page


def test_score_buckets() -> None:
    assert score_bucket(0.85) == "0.8-0.9"
    assert score_bucket(1.0) == "0.9-1.0"
    assert score_bucket(0.0) == "0.0-0.1"


# --- the review's figures from a database ----------------------------------------------------------------

WEEK = "2026-W41"
DAY = week_start(WEEK)


def _mention(session: Any, text: str | None) -> int:
    row = Mention(
        program=PROGRAM.program,
        post_key=uuid.uuid4().hex,
        source="mastodon_export",
        platform="mastodon",
        created_hour=dt.datetime.combine(DAY, dt.time(9), tzinfo=dt.UTC),
        day=DAY,
        iso_week=WEEK,
        author_key="a",
        text_redacted=text,
        sentiment_compound=0.0,
        sentiment_label="neutral",
        policy_version="1",
        run_id="r1",
    )
    session.add(row)
    session.flush()
    return row.id


def _log(session: Any, mention_id: int, kind: str, start: int, end: int, score: float) -> None:
    session.add(
        RedactionLog(
            program=PROGRAM.program,
            mention_id=mention_id,
            day=DAY,
            entity_type=kind,
            start=start,
            end=end,
            score=score,
            recognizer="SpacyRecognizer" if kind == "PERSON" else "PhoneRecognizer",
            policy_version="1",
            run_id="r1",
        )
    )


def test_low_confidence_detections_show_the_redacted_text_around_them(db_url: str) -> None:
    # Original: "Call Ann Lee about the bus at 613-555-0187 today" (the original is never stored).
    original = "Call Ann Lee about the bus at 613-555-0187 today"
    with session_scope(db_url) as session:
        mention = _mention(session, "Call <PERSON> about the bus at <PHONE_NUMBER> today")
        _log(session, mention, "PERSON", original.index("Ann"), original.index(" about"), 0.45)
        _log(session, mention, "PHONE_NUMBER", original.index("613"), original.index(" today"), 0.5)
        _mention(session, None)  # text erased by retention: nothing to show
        found = low_confidence(session, PROGRAM, WEEK)
    person, phone = found["examples"]
    assert (person["before"], person["placeholder"]) == ("Call", "<PERSON>")
    assert person["after"] == "about the bus at <PHONE_NUMBER> today"
    assert (phone["placeholder"], phone["before"], phone["after"]) == (
        "<PHONE_NUMBER>",
        "Call <PERSON> about the bus at",
        "today",
    )


def _run(session: Any, run_id: str, started: dt.datetime, stage: str, **counts: int) -> None:
    session.add(
        Run(
            run_id=run_id,
            program=PROGRAM.program,
            stage=stage,
            shard="" if stage == "nightly" else f"{counts.pop('shard', 0)}.jsonl",
            period=DAY.isoformat(),
            status=str(counts.pop("status", "success")),
            started_at=started,
            finished_at=started,
            details={"source": counts.pop("source_name", "mastodon_export")} if stage == "collect" else {},
            config_fingerprint="x",
            **counts,
        )
    )


def test_review_counts_the_latest_run_of_each_day_and_names_missing_sources(db_url: str) -> None:
    first = dt.datetime.combine(DAY + dt.timedelta(days=1), dt.time(2), tzinfo=dt.UTC)
    with session_scope(db_url) as session:
        _run(session, "r1", first, "nightly", read=100, stored=90, duplicates=4, quarantined=6)
        _run(session, "r1", first, "collect", read=100, stored=90, duplicates=4, quarantined=6)
        later = first + dt.timedelta(hours=5)
        _run(session, "r2", later, "nightly", read=100, stored=0, duplicates=94, quarantined=6)
        _run(session, "r2", later, "collect", read=100, stored=0, duplicates=94, quarantined=6)
        _run(session, "r2", later, "collect", shard=1, source_name="bluesky_export", status="failed")
        session.add(Release(program=PROGRAM.program, iso_week=WEEK, status="pending", manifest={"k": 10}))
        session.add(
            WeeklyTrend(
                program=PROGRAM.program,
                iso_week=WEEK,
                week_start=DAY,
                topic="all",
                source="all",
                suppressed=True,
                suppression="primary",
            )
        )
        review = privacy_review(session, PROGRAM, WEEK)
    a = review["accounting"]
    assert (a["read"], a["stored"], a["duplicates"], a["quarantined"]) == (100, 0, 94, 6)
    assert a["balanced"]
    assert (a["days"][0]["runs"], a["days"][0]["latest_run"]) == (2, "r2")
    assert len(a["days_without_run"]) == 6
    problems = {
        (p["source"], p["status"]) for p in review["sources"]["missing"] + review["sources"]["failed"]
    }
    assert problems == {("bluesky_export", "failed"), ("forum_export", "missing")}
    assert review["cells"]["suppressed_primary"] == 1
    assert review["release"]["status"] == "pending"
    assert review["release"]["manifest"] == [{"field": "k", "value": "10"}]
    privacy_report(review)  # renders
