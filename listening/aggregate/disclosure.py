"""Disclosure control: primary suppression below k authors, then complementary suppression.

Additive groups (a total equals the sum of its members, for mentions, label counts and compound sums):

- sources within a topic: (t, all) = sum over s of (t, s), for every topic t and for t = all, because
  each mention has exactly one source. These are exact equations.
- topics within a source: (all, s) against the (t, s) over topics t, for every source s and s = all.
  Topics overlap (a mention may carry several, or none), so this is not an equation in general; but in
  a week where every mention has exactly one topic it is one, and otherwise it still bounds a hidden
  cell from below. We protect it as if it were additive.

Rule, repeated until nothing changes: in no group is exactly one of {total, members} suppressed.
A cell absent from the week (no mentions) is a known zero and counts as published.
"""

from __future__ import annotations

from collections.abc import Iterable

from listening.aggregate.cells import ALL, Cell, Key

PRIMARY = "primary"
COMPLEMENTARY = "complementary"

Group = tuple[Key, list[Key]]


def groups(keys: Iterable[Key]) -> list[Group]:
    """The additive (or protected-as-additive) groups among the given cells: (total, members)."""
    present = set(keys)
    topics = sorted({t for t, _ in present if t != ALL})
    sources = sorted({s for _, s in present if s != ALL})
    found: list[Group] = []
    for topic in [*topics, ALL]:
        members = [(topic, s) for s in sources if (topic, s) in present]
        if members and (topic, ALL) in present:
            found.append(((topic, ALL), members))
    for source in [*sources, ALL]:
        members = [(t, source) for t in topics if (t, source) in present]
        if members and (ALL, source) in present:
            found.append(((ALL, source), members))
    return found


def suppress(cells: dict[Key, Cell], k: int) -> dict[str, int]:
    """Mark cells in place; returns counts of published, primary and complementary cells."""
    for cell in cells.values():
        cell.suppression = PRIMARY if cell.distinct_authors < k else None
    hierarchy = groups(cells)
    changed = True
    while changed:
        changed = False
        for total, members in hierarchy:
            hidden = [key for key in (total, *members) if cells[key].suppressed]
            if len(hidden) != 1:
                continue
            candidates = [m for m in members if not cells[m].suppressed] or [total]
            # The smallest published cell costs the analyst least.
            pick = min(candidates, key=lambda m: (cells[m].distinct_authors, cells[m].mentions, m))
            cells[pick].suppression = COMPLEMENTARY
            changed = True
    return tally(cells.values())


def tally(cells: Iterable[Cell]) -> dict[str, int]:
    counts = {"cells": 0, "published": 0, PRIMARY: 0, COMPLEMENTARY: 0}
    for cell in cells:
        counts["cells"] += 1
        counts[cell.suppression or "published"] += 1
    return counts
