"""aggregate_week: figures, the k threshold, NULL suppression, idempotence, trend_rows."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select, text

from listening.aggregate.queries import trend_rows
from listening.aggregate.weekly import aggregate_week
from listening.store.db import session_scope
from listening.store.models import Release, WeeklyTrend
from tests.aggregate.support import PROGRAM, Post, authors, insert_posts, make_program, stored_cells

WEEK = "2026-W10"


def example_posts() -> list[Post]:
    posts = [
        Post("r0", "forum", ("roads",), "positive"),
        Post("r1", "forum", ("roads",), "positive"),
        Post("r2", "forum", ("roads",), "positive"),
        Post("r3", "forum", ("roads",), "neutral"),
        Post("r4", "forum", ("roads",), "neutral"),
        Post("r5", "forum", ("roads",), "negative"),
        Post("r0", "forum", ("roads",), "negative", compound=-0.9),
    ]
    posts += authors(5, prefix="t", source="social", topics=("transit", "roads"), label="positive")
    posts += authors(5, prefix="u", source="forum", topics=(), label="neutral")
    return posts


def test_figures_match_a_hand_computed_week(db_url: str) -> None:
    program = make_program(k=5)
    insert_posts(db_url, WEEK, example_posts())
    with session_scope(db_url) as session:
        result = aggregate_week(session, program, WEEK)
    assert result["status"] == "pending"
    assert result["mentions_read"] == 17
    assert (result["cells"], result["published"], result["suppressed_primary"]) == (10, 10, 0)

    cells = stored_cells(db_url, WEEK)
    expected = {
        ("roads", "forum"): (7, 6),
        ("roads", "social"): (5, 5),
        ("roads", "all"): (12, 11),
        ("transit", "social"): (5, 5),
        ("transit", "all"): (5, 5),
        ("all", "forum"): (12, 11),
        ("all", "social"): (5, 5),  # the two-topic mentions count once here
        ("all", "all"): (17, 16),
        ("none", "forum"): (5, 5),  # the mentions that match no topic: topic coverage
        ("none", "all"): (5, 5),
    }
    # No transit/forum cell: it has no mentions.
    assert {key: (c.mentions, c.distinct_authors) for key, c in cells.items()} == expected

    roads_forum = cells[("roads", "forum")]
    assert roads_forum.positive_share == pytest.approx(3 / 7)
    assert roads_forum.neutral_share == pytest.approx(2 / 7)
    assert roads_forum.negative_share == pytest.approx(2 / 7)
    assert roads_forum.mean_compound == pytest.approx((1.5 - 0.5 - 0.9) / 7)
    total = cells[("all", "all")]
    assert (total.positive_share, total.neutral_share, total.negative_share) == pytest.approx(
        (8 / 17, 7 / 17, 2 / 17)
    )
    assert total.mean_compound == pytest.approx((1.5 - 0.5 - 0.9 + 2.5) / 17)
    assert all(c.status == "pending" and not c.suppressed and not c.noisy for c in cells.values())


@pytest.mark.parametrize(("count", "published"), [(4, False), (5, True)])
def test_k_boundary_counts_distinct_authors_not_posts(db_url: str, count: int, published: bool) -> None:
    program = make_program(k=5, topics=("roads",), sources=("forum",))
    # Three posts each: 12 or 15 mentions, but only 4 or 5 authors.
    insert_posts(db_url, WEEK, [p for _ in range(3) for p in authors(count)])
    with session_scope(db_url) as session:
        result = aggregate_week(session, program, WEEK)
    cells = stored_cells(db_url, WEEK)
    assert len(cells) == 4
    for cell in cells.values():
        assert cell.suppressed is (not published)
        assert cell.suppression == (None if published else "primary")
        assert cell.distinct_authors == (count if published else None)
        assert cell.mentions == (3 * count if published else None)
    assert result["suppressed_primary"] == (0 if published else 4)


def test_suppressed_cells_are_stored_as_null_not_zero(db_url: str) -> None:
    program = make_program(k=5, topics=("roads",), sources=("forum",))
    insert_posts(db_url, WEEK, authors(2, label="negative"))
    with session_scope(db_url) as session:
        aggregate_week(session, program, WEEK)
        row = session.execute(
            text(
                "SELECT suppressed, mentions, distinct_authors, positive_share, neutral_share, "
                "negative_share, mean_compound, wow_change FROM weekly_trends "
                "WHERE topic = 'roads' AND source = 'forum'"
            )
        ).one()
    assert bool(row[0]) is True
    assert list(row[1:]) == [None] * 7


def test_complementary_suppression_in_both_directions(db_url: str) -> None:
    program = make_program(k=5, topics=("roads", "snow"), sources=("forum", "social"))
    posts = authors(6, prefix="rf", source="forum", topics=("roads",))
    posts += authors(6, prefix="rs", source="social", topics=("roads",))
    posts += authors(2, prefix="sf", source="forum", topics=("snow",))
    posts += authors(6, prefix="ss", source="social", topics=("snow",))
    insert_posts(db_url, WEEK, posts)
    with session_scope(db_url) as session:
        result = aggregate_week(session, program, WEEK)
    cells = stored_cells(db_url, WEEK)
    marks = {key: c.suppression for key, c in cells.items() if c.suppressed}
    assert marks == {
        ("snow", "forum"): "primary",
        ("snow", "social"): "complementary",  # else snow/forum = snow/all - snow/social
        ("roads", "forum"): "complementary",  # else snow/forum = all/forum - roads/forum
        ("roads", "social"): "complementary",  # else roads/forum = roads/all - roads/social
    }
    assert result["suppressed_primary"] == 1
    assert result["suppressed_complementary"] == 3
    assert result["published"] == 5


def test_reaggregation_replaces_pending_cells(db_url: str) -> None:
    program = make_program(k=5)
    insert_posts(db_url, WEEK, authors(6))
    with session_scope(db_url) as session:
        first = aggregate_week(session, program, WEEK)
    with session_scope(db_url) as session:
        again = aggregate_week(session, program, WEEK)
    assert again == first
    with session_scope(db_url) as session:
        assert session.scalar(select(func.count()).select_from(WeeklyTrend)) == 4
        assert session.scalar(select(func.count()).select_from(Release)) == 1

    insert_posts(db_url, WEEK, authors(3, prefix="late"))
    with session_scope(db_url) as session:
        later = aggregate_week(session, program, WEEK)
    assert later["mentions_read"] == 9
    assert stored_cells(db_url, WEEK)[("all", "all")].mentions == 9
    with session_scope(db_url) as session:
        assert session.scalar(select(func.count()).select_from(WeeklyTrend)) == 4
        release = session.scalars(select(Release)).one()
    assert release.status == "pending"
    manifest: dict[str, Any] = release.manifest
    assert manifest["cells"]["total"] == 4


def test_an_empty_week_has_no_cells(db_url: str) -> None:
    with session_scope(db_url) as session:
        result = aggregate_week(session, make_program(), WEEK)
    assert (result["cells"], result["mentions_read"]) == (0, 0)
    assert stored_cells(db_url, WEEK) == {}


def test_manifest_records_policy_without_dp(db_url: str) -> None:
    program = make_program(k=7)
    insert_posts(db_url, WEEK, authors(8))
    with session_scope(db_url) as session:
        aggregate_week(session, program, WEEK)
        manifest = session.scalars(select(Release)).one().manifest
    assert manifest["privacy_unit"] == "author-week"
    assert manifest["k"] == 7
    assert manifest["config_fingerprint"] == program.fingerprint
    assert manifest["policy_version"] == program.privacy.redaction.version
    assert manifest["differential_privacy"] == {"enabled": False}
    assert manifest["cells"] == {
        "total": 4,
        "published": 4,
        "primary_suppressed": 0,
        "complementary_suppressed": 0,
    }


def test_trend_rows_filters_and_hides_suppressed_figures(db_url: str) -> None:
    program = make_program(k=5)
    for week in ("2026-W08", "2026-W09", "2026-W10"):
        insert_posts(db_url, week, authors(6, source="forum") + authors(2, prefix="s", source="social"))
        with session_scope(db_url) as session:
            aggregate_week(session, program, week)
    with session_scope(db_url) as session:
        rows = trend_rows(session, PROGRAM, weeks=2)
        totals = trend_rows(session, PROGRAM, weeks=5, topic="all", source="all")
        released = trend_rows(session, PROGRAM, released_only=True)
    assert [r["iso_week"] for r in rows][:1] == ["2026-W10"]
    assert {r["iso_week"] for r in rows} == {"2026-W10", "2026-W09"}
    assert (rows[0]["topic"], rows[0]["source"]) == ("all", "all")
    assert [r["iso_week"] for r in totals] == ["2026-W10", "2026-W09", "2026-W08"]
    assert all(r["mentions"] == 8 and r["suppressed"] is False for r in totals)
    hidden = [r for r in rows if r["suppressed"]]
    assert {(r["topic"], r["source"]) for r in hidden} >= {("roads", "social"), ("all", "social")}
    for row in hidden:
        assert row["mentions"] is None
        assert row["distinct_authors"] is None
        assert row["positive_share"] is None
        assert row["spike"] is None
    assert released == []
