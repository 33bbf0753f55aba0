"""The privacy-budget ledger: epsilon spent per program and ISO year, charged once per released week."""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from listening.aggregate.errors import BudgetExceeded
from listening.config import ProgramConfig
from listening.periods import week_start
from listening.store.models import BudgetEntry, utcnow

#: Float sums of epsilons must not refuse a release that fits the cap exactly.
TOLERANCE = 1e-9


def week_year(iso_week: str) -> int:
    """The ISO year a week's spending counts against."""
    return week_start(iso_week).isocalendar()[0]


def spent(session: Session, program: str, year: int) -> float:
    """Epsilon charged to a program in an ISO year."""
    total = session.scalar(
        select(func.coalesce(func.sum(BudgetEntry.epsilon), 0.0)).where(
            BudgetEntry.program == program, BudgetEntry.year == year
        )
    )
    return float(total or 0.0)


def _lock(session: Session, program: str) -> None:
    """Serialise charges per program so two releases cannot both fit under the cap."""
    if session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(f"budget:{program}".encode()).digest()[:8], "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
    # SQLite serialises writers; a stale reader fails with "database is locked" rather than overspending.


def charge(session: Session, program: ProgramConfig, iso_week: str, epsilon: float) -> None:
    """Record `epsilon` for the week, or raise BudgetExceeded (nothing recorded) past the yearly cap.

    A week already charged is not charged again.
    """
    if epsilon <= 0:
        raise ValueError("epsilon must be positive")
    _lock(session, program.program)
    year = week_year(iso_week)
    already = session.scalar(
        select(BudgetEntry.id).where(BudgetEntry.program == program.program, BudgetEntry.iso_week == iso_week)
    )
    if already is not None:
        return
    cap = program.privacy.differential_privacy.yearly_epsilon_cap
    used = spent(session, program.program, year)
    if used + epsilon > cap + TOLERANCE:
        raise BudgetExceeded(
            f"{program.program} {iso_week}: epsilon {epsilon:g} would bring {year}'s spending to "
            f"{used + epsilon:g}, over the cap of {cap:g}"
        )
    session.add(
        BudgetEntry(program=program.program, year=year, iso_week=iso_week, epsilon=epsilon, spent_at=utcnow())
    )
    session.flush()
