"""Differential privacy: noise scale, contribution bounds, noisy cells, stored releases never redrawn."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import select

from listening.aggregate import cells as cells_module
from listening.aggregate import noise
from listening.aggregate.cells import ALL, NO_TOPIC, bound_contributions, compute_cells, expand
from listening.aggregate.queries import trend_rows
from listening.aggregate.release import AlreadyReleased, release_week
from listening.aggregate.weekly import aggregate_week
from listening.config import DifferentialPrivacy
from listening.store.db import session_scope
from listening.store.models import BudgetEntry, Release
from tests.aggregate.support import PROGRAM, Post, authors, insert_posts, make_program, stored_cells

DP: dict[str, Any] = {
    "enabled": True,
    "epsilon_per_release": 1.0,
    "max_posts_per_author_per_cell": 3,
    "max_cells_per_author": 4,
}
WEEK = "2026-W10"


def test_scales_follow_bounds_and_the_epsilon_split() -> None:
    plan = noise.plan(DifferentialPrivacy(**DP))
    # Half of epsilon each; sensitivity 4 cells x 3 posts for labels, 4 cells for authors.
    assert plan.scale_mentions == pytest.approx(12 / 0.5)
    assert plan.scale_authors == pytest.approx(4 / 0.5)
    assert noise.measurement(plan.scale_mentions).map(plan.sensitivity_mentions) <= 0.5 + 1e-12
    assert noise.measurement(plan.scale_authors).map(plan.sensitivity_authors) <= 0.5 + 1e-12
    doubled = noise.plan(DifferentialPrivacy(**{**DP, "epsilon_per_release": 2.0}))
    assert doubled.scale_authors == pytest.approx(plan.scale_authors / 2)


@pytest.mark.parametrize("scale", [noise.plan(DifferentialPrivacy(**DP)).scale_authors, 24.0])
def test_noise_spread_matches_the_theoretical_scale(scale: float) -> None:
    draws = noise.add_noise([1000] * 50_000, scale)
    errors = [d - 1000 for d in draws]
    variance = noise.discrete_laplace_variance(scale)
    # Tolerances are about five standard errors of each estimate at 50,000 draws.
    assert statistics.fmean(errors) == pytest.approx(0.0, abs=5 * (variance / 50_000) ** 0.5)
    assert statistics.pvariance(errors) == pytest.approx(variance, rel=0.05)
    q = math.exp(-1 / scale)
    assert statistics.fmean(abs(e) for e in errors) == pytest.approx(2 * q / (1 - q * q), rel=0.04)


def frame(rows: Sequence[tuple[str, str, Sequence[str]]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    mentions = pd.DataFrame(
        [(i, source, author, 0.0, "neutral") for i, (author, source, _) in enumerate(rows)],
        columns=cells_module.MENTION_COLUMNS,
    )
    topics = pd.DataFrame(
        [(i, t) for i, (_, _, tags) in enumerate(rows) for t in tags], columns=cells_module.TOPIC_COLUMNS
    )
    return mentions, topics


def test_contributions_are_bounded_per_cell_and_per_author() -> None:
    heavy = [("heavy", "a", ["x", "y"])] * 10 + [("heavy", "b", ["z"])] * 2
    light = [("light", "a", ["x"])] * 2
    long = expand(*frame(heavy + light))
    bounded = bound_contributions(long, max_posts=3, max_cells=4)
    per_cell = bounded.groupby(["author", "topic", "source"]).size()
    assert per_cell.max() == 3
    heavy_cells = set(per_cell.loc["heavy"].index)
    assert len(heavy_cells) == 4
    # Totals come first: the author's (all, all), both (all, source) and one (topic, all).
    assert {(ALL, ALL), (ALL, "a"), (ALL, "b")} <= heavy_cells
    # Another author's rows do not depend on the heavy one.
    assert per_cell.loc["light"].to_dict() == {(ALL, ALL): 2, (ALL, "a"): 2, ("x", ALL): 2, ("x", "a"): 2}
    alone = bound_contributions(expand(*frame(light)), max_posts=3, max_cells=4)
    assert len(alone) == len(bounded[bounded["author"] == "light"])


def test_noisy_cells_spread_like_the_author_scale() -> None:
    plan = noise.plan(DifferentialPrivacy(**DP))
    topics_, sources_ = [f"t{i}" for i in range(30)], [f"s{i}" for i in range(9)]
    rows = [(f"{t}-{s}-{i}", s, [t]) for t in topics_ for s in sources_ for i in range(50)]
    mentions, topics = frame(rows)
    exact = compute_cells(mentions, topics, topic_ids=topics_, source_ids=sources_)
    errors: list[int] = []
    for _ in range(20):
        noisy = compute_cells(mentions, topics, topic_ids=topics_, source_ids=sources_, dp_plan=plan)
        # The grid also holds the no-topic cells, which this data never fills (every row has a topic).
        assert set(noisy) == set(exact) | {(NO_TOPIC, s) for s in (ALL, *sources_)}
        errors += [noisy[key].distinct_authors - exact[key].distinct_authors for key in exact]
    expected = noise.discrete_laplace_variance(plan.scale_authors)
    assert statistics.pvariance(errors) == pytest.approx(expected, rel=0.12)


def test_the_dp_grid_is_fixed_by_the_configuration() -> None:
    plan = noise.plan(DifferentialPrivacy(**DP))
    mentions, topics = frame([("a1", "forum", ["roads"]), ("a2", "elsewhere", ["unknown"])])
    cells = compute_cells(
        mentions, topics, topic_ids=["roads", "snow"], source_ids=["forum", "social"], dp_plan=plan
    )
    assert set(cells) == {(t, s) for t in (ALL, "roads", "snow", NO_TOPIC) for s in (ALL, "forum", "social")}
    assert all(c.compound_sum is None and c.mentions >= 0 for c in cells.values())


def shift(by: int):  # type: ignore[no-untyped-def]
    def add(counts: Sequence[int], scale: float) -> list[int]:
        return [c + by for c in counts]

    return add


def test_k_applies_to_noisy_authors_and_figures_use_noisy_values(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cells_module, "add_noise", shift(-3))
    program = make_program(k=5, dp=DP, topics=("roads",), sources=("forum",))
    insert_posts(db_url, WEEK, authors(7, label="positive") + authors(3, prefix="n", label="negative"))
    insert_posts(db_url, WEEK, authors(9, prefix="only", topics=()))
    with session_scope(db_url) as session:
        result = aggregate_week(session, program, WEEK)
    cells = stored_cells(db_url, WEEK)
    assert result["noisy"] == 1
    assert len(cells) == 6  # all, roads and no topic, by all sources and forum
    assert cells[(NO_TOPIC, ALL)].distinct_authors == 9 - 3
    roads = cells[("roads", "forum")]
    # 10 authors - 3 = 7 >= 5; labels (7, 0, 3) - 3 each, clamped at 0 -> (4, 0, 0).
    assert (roads.distinct_authors, roads.mentions) == (7, 7)
    assert (roads.positive_share, roads.neutral_share, roads.negative_share) == (1.0, 0.0, 0.0)
    assert roads.mean_compound is None
    assert roads.noisy is True
    total = cells[(ALL, ALL)]
    assert total.distinct_authors == 19 - 3
    # Labels (7, 9, 3) - 3 each -> (4, 6, 0).
    assert total.neutral_share == pytest.approx(6 / (4 + 6 + 0))


def test_exactly_k_authors_fall_below_k_after_negative_noise(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cells_module, "add_noise", shift(-1))
    program = make_program(k=5, dp=DP, topics=("roads",), sources=("forum",))
    insert_posts(db_url, WEEK, authors(5))
    with session_scope(db_url) as session:
        aggregate_week(session, program, WEEK)
    assert all(c.suppression == "primary" and c.mentions is None for c in stored_cells(db_url, WEEK).values())


def test_wow_change_uses_released_noisy_values(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cells_module, "add_noise", shift(7))
    program = make_program(k=5, dp=DP)
    insert_posts(db_url, "2026-W09", authors(20))
    insert_posts(db_url, WEEK, authors(30))
    with session_scope(db_url) as session:
        aggregate_week(session, program, "2026-W09")
        release_week(session, program, "2026-W09", approved_by="auto")
    with session_scope(db_url) as session:
        aggregate_week(session, program, WEEK)
    before, after = stored_cells(db_url, "2026-W09")[(ALL, ALL)], stored_cells(db_url, WEEK)[(ALL, ALL)]
    # Labels (0, n, 0) + 7 each: 20 -> 41 mentions, 30 -> 51; the exact change would be 0.5.
    assert (before.mentions, after.mentions) == (41, 51)
    assert after.wow_change == pytest.approx(10 / 41)


def test_dp_manifest_records_the_release_parameters(db_url: str) -> None:
    program = make_program(k=6, dp=DP)
    insert_posts(db_url, WEEK, authors(40))
    with session_scope(db_url) as session:
        aggregate_week(session, program, WEEK)
        manifest: dict[str, Any] = session.scalars(select(Release)).one().manifest
    dp = manifest["differential_privacy"]
    assert manifest["privacy_unit"] == dp["privacy_unit"] == "author-week"
    assert manifest["k"] == 6
    assert manifest["config_fingerprint"] == program.fingerprint
    assert manifest["policy_version"] == program.privacy.redaction.version
    assert dp["epsilon"] == 1.0
    assert dp["bounds"] == {"max_posts_per_author_per_cell": 3, "max_cells_per_author": 4}
    assert dp["queries"]["distinct_authors"] == {"epsilon": 0.5, "l1_sensitivity": 4, "scale": 8.0}
    assert dp["queries"]["mentions_by_label"] == {"epsilon": 0.5, "l1_sensitivity": 12, "scale": 24.0}
    counts = manifest["cells"]
    assert counts["total"] == 15  # (all, 3 topics, no topic) x (all, 2 sources)
    assert counts["published"] + counts["primary_suppressed"] + counts["complementary_suppressed"] == 15


def test_a_released_dp_week_is_never_redrawn(db_url: str) -> None:
    program = make_program(k=5, dp=DP)
    insert_posts(db_url, WEEK, authors(60) + [Post(f"s{i}", "social", ("snow",)) for i in range(60)])
    with session_scope(db_url) as session:
        aggregate_week(session, program, WEEK)
        release_week(session, program, WEEK, approved_by="auto")
    with session_scope(db_url) as session:
        published = trend_rows(session, PROGRAM, released_only=True)
    assert published
    assert all(r["noisy"] for r in published)

    for _ in range(3):
        with session_scope(db_url) as session:
            again = aggregate_week(session, program, WEEK)
            assert again["status"] == "released"
            with pytest.raises(AlreadyReleased):
                release_week(session, program, WEEK, approved_by="auto")
        with session_scope(db_url) as session:
            assert trend_rows(session, PROGRAM, released_only=True) == published
    with session_scope(db_url) as session:
        ledger = session.scalars(select(BudgetEntry)).all()
    assert [(e.iso_week, e.epsilon, e.year) for e in ledger] == [(WEEK, 1.0, 2026)]


def test_pending_dp_weeks_are_not_charged(db_url: str) -> None:
    program = make_program(k=5, dp=DP)
    insert_posts(db_url, WEEK, authors(30))
    with session_scope(db_url) as session:
        aggregate_week(session, program, WEEK)
        aggregate_week(session, program, WEEK)
        assert session.scalars(select(BudgetEntry)).all() == []
