"""Errors raised by the aggregation and release stages."""

from __future__ import annotations


class ReleaseRefused(RuntimeError):
    """A week cannot be released: not aggregated, no sign-off, changed config or budget exhausted."""


class BudgetExceeded(ReleaseRefused):
    """The release would take the program's privacy budget past its yearly cap."""


class AlreadyReleased(ReleaseRefused):
    """The week was released already: it is never released (or rejected) a second time."""
