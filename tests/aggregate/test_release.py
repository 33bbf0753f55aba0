"""release_week: sign-off, author-key destruction, hash erasure, idempotence, changes from released values."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from listening.aggregate.release import AlreadyReleased, ReleaseRefused, release_week
from listening.aggregate.weekly import aggregate_week
from listening.privacy import keys
from listening.store.db import session_scope
from listening.store.models import Mention, Release
from tests.aggregate.support import PROGRAM, authors, insert_posts, make_program, stored_cells

WEEK = "2026-W10"


def aggregate(url: str, week: str, **program: object) -> None:
    with session_scope(url) as session:
        aggregate_week(session, make_program(**program), week)  # type: ignore[arg-type]


def release(url: str, week: str, approved_by: str = "auto", **program: object) -> dict[str, int | str]:
    with session_scope(url) as session:
        return release_week(session, make_program(**program), week, approved_by=approved_by)  # type: ignore[arg-type]


def author_keys(url: str, week: str) -> list[str | None]:
    with session_scope(url) as session:
        return list(session.scalars(select(Mention.author_key).where(Mention.iso_week == week)))


def test_release_destroys_the_key_and_erases_author_hashes(db_url: str) -> None:
    insert_posts(db_url, WEEK, authors(6))
    insert_posts(db_url, "2026-W11", authors(6))
    aggregate(db_url, WEEK)
    assert all(author_keys(db_url, WEEK))

    result = release(db_url, WEEK, approved_by="privacy.officer")

    assert result["status"] == "released"
    assert (result["authors_erased"], result["key_destroyed"]) == (6, 1)
    assert (result["cells_published"], result["cells_suppressed"]) == (4, 0)
    assert author_keys(db_url, WEEK) == [None] * 6
    assert all(author_keys(db_url, "2026-W11")), "another week keeps its hashes until its own release"
    with session_scope(db_url) as session:
        with pytest.raises(keys.KeyDestroyedError):
            keys.week_key(session, PROGRAM, WEEK)
        keys.week_key(session, PROGRAM, "2026-W11")
        stored = session.scalars(select(Release)).one()
    assert (stored.status, stored.approved_by) == ("released", "privacy.officer")
    assert stored.released_at is not None
    assert all(c.status == "released" for c in stored_cells(db_url, WEEK).values())


def test_the_same_author_hashes_differently_in_two_weeks(db_url: str) -> None:
    with session_scope(db_url) as session:
        first = keys.keyed_hash(keys.week_key(session, PROGRAM, "2026-W10"), "resident@example")
        second = keys.keyed_hash(keys.week_key(session, PROGRAM, "2026-W11"), "resident@example")
        again = keys.keyed_hash(keys.week_key(session, PROGRAM, "2026-W10"), "resident@example")
    assert first != second
    assert first == again


def test_a_released_week_is_never_released_again(db_url: str) -> None:
    insert_posts(db_url, WEEK, authors(6))
    aggregate(db_url, WEEK)
    first = release(db_url, WEEK, approved_by="first.officer")
    assert first["authors_erased"] == 6
    with pytest.raises(AlreadyReleased, match=r"already released .* approved by first\.officer"):
        release(db_url, WEEK, approved_by="second.officer")
    with session_scope(db_url) as session:
        assert session.scalars(select(Release.approved_by)).one() == "first.officer"
    with session_scope(db_url) as session:
        again = aggregate_week(session, make_program(), WEEK)
    assert again["status"] == "released"
    assert stored_cells(db_url, WEEK)[("all", "all")].status == "released"


def test_auto_release_needs_the_program_to_allow_it(db_url: str) -> None:
    insert_posts(db_url, WEEK, authors(6))
    aggregate(db_url, WEEK, auto_release=False)
    with pytest.raises(ReleaseRefused, match="sign-off"):
        release(db_url, WEEK, approved_by="auto", auto_release=False)
    assert all(author_keys(db_url, WEEK))
    with session_scope(db_url) as session:
        assert session.scalars(select(Release.status)).one() == "pending"
        keys.week_key(session, PROGRAM, WEEK)

    result = release(db_url, WEEK, approved_by="privacy.officer", auto_release=False)
    assert result["status"] == "released"


def test_release_refuses_a_week_not_aggregated(db_url: str) -> None:
    insert_posts(db_url, WEEK, authors(6))
    with pytest.raises(ReleaseRefused, match="not been aggregated"):
        release(db_url, WEEK)
    assert all(author_keys(db_url, WEEK))


def test_release_refuses_when_the_config_changed(db_url: str) -> None:
    insert_posts(db_url, WEEK, authors(6))
    aggregate(db_url, WEEK, k=5)
    with pytest.raises(ReleaseRefused, match="configuration changed"):
        release(db_url, WEEK, k=6)


def test_week_over_week_change_uses_released_weeks_only(db_url: str) -> None:
    insert_posts(db_url, "2026-W09", authors(10))
    insert_posts(db_url, WEEK, authors(15))
    aggregate(db_url, "2026-W09")
    aggregate(db_url, WEEK)
    assert stored_cells(db_url, WEEK)[("all", "all")].wow_change is None, "W09 is still pending"

    release(db_url, "2026-W09")
    aggregate(db_url, WEEK)
    assert stored_cells(db_url, WEEK)[("all", "all")].wow_change == pytest.approx(0.5)


def test_change_is_computed_at_release_when_the_previous_week_was_released_later(db_url: str) -> None:
    insert_posts(db_url, "2026-W09", authors(20))
    insert_posts(db_url, WEEK, authors(15))
    aggregate(db_url, "2026-W09")
    aggregate(db_url, WEEK)
    release(db_url, "2026-W09")
    release(db_url, WEEK)
    assert stored_cells(db_url, WEEK)[("all", "all")].wow_change == pytest.approx(-0.25)


def test_change_is_none_against_a_suppressed_previous_cell(db_url: str) -> None:
    program: dict[str, Any] = {"topics": ("roads",), "sources": ("forum",)}
    insert_posts(db_url, "2026-W09", authors(3))
    insert_posts(db_url, WEEK, authors(8))
    aggregate(db_url, "2026-W09", **program)
    release(db_url, "2026-W09", **program)
    aggregate(db_url, WEEK, **program)
    cell = stored_cells(db_url, WEEK)[("all", "all")]
    assert cell.mentions == 8
    assert cell.wow_change is None


def spike_weeks(url: str, *, release_baseline: bool) -> None:
    baseline = ["2026-W06", "2026-W07", "2026-W08", "2026-W09"]
    for week in baseline:
        insert_posts(url, week, authors(20))
        aggregate(url, week)
        if release_baseline:
            release(url, week)
    insert_posts(url, WEEK, authors(60) + authors(30, prefix="s", source="social"))
    aggregate(url, WEEK)


def test_spike_against_released_baseline(db_url: str) -> None:
    # Four steady weeks of 20: the deviation is the Poisson floor sqrt(20), so 60 is z = 8.9.
    assert make_program().trends.spike_z_threshold <= (60 - 20) / 20**0.5
    spike_weeks(db_url, release_baseline=True)
    cells = stored_cells(db_url, WEEK)
    assert cells[("all", "forum")].spike is True
    assert cells[("all", "forum")].spike_z == pytest.approx((60 - 20) / 20**0.5, abs=1e-3)
    assert cells[("all", "forum")].wow_change == pytest.approx(2.0)
    assert cells[("all", "all")].spike is True
    assert cells[("all", "social")].spike is False, "no social mentions in the baseline"
    assert cells[("all", "social")].wow_change is None


def test_no_spike_without_released_baseline(db_url: str) -> None:
    spike_weeks(db_url, release_baseline=False)
    cells = stored_cells(db_url, WEEK)
    assert cells[("all", "forum")].spike is False
    assert cells[("all", "forum")].wow_change is None


def test_rises_within_the_weeks_own_spread_are_not_spikes(db_url: str) -> None:
    for week, count in (("2026-W07", 8), ("2026-W08", 20), ("2026-W09", 8)):
        insert_posts(db_url, week, authors(count))
        aggregate(db_url, week)
        release(db_url, week)
    insert_posts(db_url, WEEK, authors(20))  # 2.5x last week, but as high as two weeks ago
    aggregate(db_url, WEEK)
    cell = stored_cells(db_url, WEEK)[("all", "all")]
    assert cell.wow_change == pytest.approx(1.5)
    assert cell.spike_z is not None
    assert cell.spike_z < make_program().trends.spike_z_threshold
    assert cell.spike is False
    with session_scope(db_url) as session:
        assert session.scalar(select(func.count()).select_from(Release)) == 4


def test_no_spike_score_without_enough_released_weeks(db_url: str) -> None:
    for week in ("2026-W08", "2026-W09"):
        insert_posts(db_url, week, authors(8))
        aggregate(db_url, week)
        release(db_url, week)
    insert_posts(db_url, WEEK, authors(80))
    aggregate(db_url, WEEK)
    cell = stored_cells(db_url, WEEK)[("all", "all")]
    assert make_program().trends.spike_min_weeks > 2
    assert (cell.spike, cell.spike_z) == (False, None)
