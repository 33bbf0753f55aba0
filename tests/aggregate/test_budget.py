"""The privacy-budget ledger: yearly cap, refusal with nothing charged or released."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from listening.aggregate.budget import BudgetExceeded, charge, spent
from listening.aggregate.release import ReleaseRefused, release_week
from listening.aggregate.weekly import aggregate_week
from listening.privacy import keys
from listening.store.db import session_scope
from listening.store.models import BudgetEntry, Mention, Release
from tests.aggregate.support import PROGRAM, authors, insert_posts, make_program, stored_cells


def dp(cap: float, epsilon: float = 1.0) -> dict[str, object]:
    return {"enabled": True, "epsilon_per_release": epsilon, "yearly_epsilon_cap": cap}


def test_budget_exceeded_is_a_release_refusal() -> None:
    assert issubclass(BudgetExceeded, ReleaseRefused)


def test_charges_add_up_per_year_and_stop_at_the_cap(db_url: str) -> None:
    program = make_program(dp=dp(cap=2.5))
    with session_scope(db_url) as session:
        charge(session, program, "2026-W01", 1.0)
        charge(session, program, "2026-W02", 1.0)
        charge(session, program, "2026-W02", 1.0)  # already charged: not twice
        assert spent(session, PROGRAM, 2026) == pytest.approx(2.0)
        with pytest.raises(BudgetExceeded, match="over the cap"):
            charge(session, program, "2026-W03", 1.0)
        charge(session, program, "2026-W03", 0.5)  # exactly at the cap
        charge(session, program, "2027-W01", 1.0)  # a new year, a new budget
    with session_scope(db_url) as session:
        assert spent(session, PROGRAM, 2026) == pytest.approx(2.5)
        assert spent(session, PROGRAM, 2027) == pytest.approx(1.0)
        assert spent(session, "other_program", 2026) == 0.0
        weeks = sorted(session.scalars(select(BudgetEntry.iso_week)))
    assert weeks == ["2026-W01", "2026-W02", "2026-W03", "2027-W01"]


def test_the_iso_year_decides_which_budget_pays(db_url: str) -> None:
    program = make_program(dp=dp(cap=5.0))
    with session_scope(db_url) as session:
        charge(session, program, "2026-W53", 1.0)  # 2026 has 53 ISO weeks; the week ends in January 2027
        assert spent(session, PROGRAM, 2026) == pytest.approx(1.0)
        assert spent(session, PROGRAM, 2027) == 0.0


def test_a_release_over_the_cap_is_refused_and_changes_nothing(db_url: str) -> None:
    program = make_program(k=5, dp=dp(cap=1.5))
    for week in ("2026-W09", "2026-W10"):
        insert_posts(db_url, week, authors(30))
        with session_scope(db_url) as session:
            aggregate_week(session, program, week)
    with session_scope(db_url) as session:
        release_week(session, program, "2026-W09", approved_by="auto")

    with pytest.raises(BudgetExceeded), session_scope(db_url) as session:
        release_week(session, program, "2026-W10", approved_by="auto")

    with session_scope(db_url) as session:
        assert spent(session, PROGRAM, 2026) == pytest.approx(1.0)
        statuses = dict(session.execute(select(Release.iso_week, Release.status)).tuples().all())
        assert statuses == {"2026-W09": "released", "2026-W10": "pending"}
        assert all(session.scalars(select(Mention.author_key).where(Mention.iso_week == "2026-W10")))
        keys.week_key(session, PROGRAM, "2026-W10")  # not destroyed
    assert {c.status for c in stored_cells(db_url, "2026-W10").values()} == {"pending"}
