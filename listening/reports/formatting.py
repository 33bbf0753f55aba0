"""Numbers as analysts read them: no "-0%", no "-0.00", missing values as a dash, never as zero."""

from __future__ import annotations

from typing import Any

import pandas as pd

DASH = "–"


def missing(value: Any) -> bool:
    """None, NaN and pandas' NA are missing."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _unsigned_zero(text: str) -> str:
    """ "-0", "-0.00", "-0%" and the like become their unsigned form."""
    if text.startswith("-") and not any(ch in "123456789" for ch in text):
        return text[1:]
    return text


def _with_sign(value: float, digits: int, suffix: str = "") -> str:
    """+1.20 or -0.30 (with `suffix`), and a zero with no sign at all."""
    text = _unsigned_zero(f"{value:+.{digits}f}{suffix}")
    return text.lstrip("+") if text.lstrip("+-") == f"{0:.{digits}f}{suffix}" else text


def number(value: Any, digits: int = 0) -> str:
    """1,234 or 1,234.5; a dash when missing."""
    if missing(value):
        return DASH
    return _unsigned_zero(f"{float(value):,.{digits}f}")


def signed(value: Any, digits: int = 2) -> str:
    """+0.12, -0.30, 0.00 (never -0.00); a dash when missing."""
    if missing(value):
        return DASH
    return _with_sign(float(value), digits)


def percent(value: Any, digits: int = 0) -> str:
    """A share as 12% (never -0%); a dash when missing."""
    if missing(value):
        return DASH
    return _unsigned_zero(f"{float(value) * 100:.{digits}f}%")


def signed_percent(value: Any, digits: int = 0) -> str:
    """A relative change as +12% or -8%, and 0% for no change (never -0% or +0%)."""
    if missing(value):
        return DASH
    return _with_sign(float(value) * 100, digits, "%")


def points(value: Any, digits: int = 0) -> str:
    """A change in a share, in percentage points: +3 pp, -2 pp, 0 pp."""
    if missing(value):
        return DASH
    return f"{_with_sign(float(value) * 100, digits)} pp"
