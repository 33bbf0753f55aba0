"""A second, stricter regex pass over redacted text: what still looks like contact or ID data."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

_PATTERNS = (
    # Email addresses.
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    # Handles: "@" + name, not preceded by a word character (emails are caught above); Reddit's "u/name".
    re.compile(r"(?<![\w@])@[A-Za-z0-9_][A-Za-z0-9_.-]*|(?<![\w/.])/?u/[A-Za-z0-9_-]{3,20}(?![\w/-])"),
    # Phone numbers: 7 to 15 digits in groups, optional +country code and extension.
    re.compile(
        r"(?<![\w.])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]\d{2,4}){1,4}(?![\w.])"
    ),
    # ID numbers: a run of 8 or more digits, or letters followed by 6 or more digits.
    re.compile(r"(?<![\w])(?:[A-Za-z]{1,4}[\s-]?)?\d{8,19}(?![\w])"),
)
_PLACEHOLDER = re.compile(r"<[A-Z][A-Z0-9_]*>")
#: What each pattern above looks for, in the same order: the kinds a privacy review counts.
KINDS = ("email", "handle", "phone", "id_number")


def _digits(value: str) -> int:
    return sum(ch.isdigit() for ch in value)


def residual_kinds(text: str, allowed: Collection[str] = ()) -> list[str]:
    """The kind (see KINDS) of each thing in one redacted text that still looks like an email, phone,
    handle or ID number. `allowed` holds lower-cased allow-list values (public accounts kept on purpose).
    """
    scrubbed = _PLACEHOLDER.sub(" ", text)
    taken: list[tuple[int, int]] = []
    found: list[str] = []
    for index, pattern in enumerate(_PATTERNS):
        for match in pattern.finditer(scrubbed):
            start, end = match.span()
            if index == 2 and not 7 <= _digits(match.group()) <= 15:
                continue
            if any(start < b and a < end for a, b in taken):
                continue
            taken.append((start, end))
            if match.group().lower() not in allowed:
                found.append(KINDS[index])
    return found


def residual_count(text: str, allowed: Collection[str] = ()) -> int:
    """How many things in one redacted text still look like an email, phone, handle or ID number."""
    return len(residual_kinds(text, allowed))


def residual_scan(texts: Sequence[str], allow_list: Collection[str] = ()) -> list[int]:
    """Per redacted text, the number of things that still look like an email, phone, handle or ID,
    not counting the policy's allow-listed public accounts."""
    allowed = {value.strip().lower() for value in allow_list}
    return [residual_count(t, allowed) for t in texts]
