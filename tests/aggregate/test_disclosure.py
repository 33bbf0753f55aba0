"""Disclosure control: primary and complementary suppression, including a property-based check."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from listening.aggregate.cells import ALL, Cell, Key, compute_cells
from listening.aggregate.disclosure import suppress

K = 5


def cell(topic: str, source: str, authors: int, mentions: int | None = None) -> Cell:
    n = authors if mentions is None else mentions
    return Cell(topic, source, n, authors, n, 0, 0, 0.0)


def grid(values: dict[Key, int]) -> dict[Key, Cell]:
    return {key: cell(*key, authors) for key, authors in values.items()}


def marks(cells: dict[Key, Cell]) -> dict[Key, str]:
    return {key: c.suppression for key, c in cells.items() if c.suppression is not None}


def expected_groups(keys: set[Key]) -> list[list[Key]]:
    """Written independently of the module: every total with the cells that (may) add up to it."""
    topics = {t for t, _ in keys} - {ALL}
    sources = {s for _, s in keys} - {ALL}
    found = []
    for t in [*topics, ALL]:
        members = [(t, s) for s in sources if (t, s) in keys]
        if members and (t, ALL) in keys:
            found.append([(t, ALL), *members])
    for s in [*sources, ALL]:
        members = [(t, s) for t in topics if (t, s) in keys]
        if members and (ALL, s) in keys:
            found.append([(ALL, s), *members])
    return found


def test_a_small_source_hides_its_smallest_sibling() -> None:
    cells = grid(
        {
            ("all", "all"): 40,
            ("all", "a"): 20,
            ("all", "b"): 17,
            ("all", "c"): 3,
            ("t", "all"): 40,
            ("t", "a"): 20,
            ("t", "b"): 17,
            ("t", "c"): 3,
        }
    )
    counts = suppress(cells, K)
    # all/c is primary too, so the all-topics group {all/all, all/a, all/b, all/c} needs a second cell:
    # the smallest, b, in both groups.
    assert marks(cells) == {
        ("t", "c"): "primary",
        ("all", "c"): "primary",
        ("t", "b"): "complementary",
        ("all", "b"): "complementary",
    }
    assert counts == {"cells": 8, "published": 4, "primary": 2, "complementary": 2}


def test_a_lone_member_hides_its_total() -> None:
    cells = grid({("t", "all"): 12, ("t", "a"): 3})
    suppress(cells, K)
    assert marks(cells) == {("t", "a"): "primary", ("t", "all"): "complementary"}


def test_a_hidden_total_hides_a_member() -> None:
    # Possible with noisy counts: the total falls under k while its members pass.
    cells = grid({("t", "all"): 4, ("t", "a"): 6, ("t", "b"): 9})
    suppress(cells, K)
    assert marks(cells) == {("t", "all"): "primary", ("t", "a"): "complementary"}


def test_topics_within_a_source_are_protected() -> None:
    cells = grid({("all", "a"): 30, ("x", "a"): 20, ("y", "a"): 2, ("z", "a"): 9})
    suppress(cells, K)
    assert marks(cells) == {("y", "a"): "primary", ("z", "a"): "complementary"}


def test_suppression_cascades_until_stable() -> None:
    cells = grid(
        {
            ("all", "all"): 50,
            ("all", "a"): 30,
            ("all", "b"): 20,
            ("x", "all"): 24,
            ("x", "a"): 21,
            ("x", "b"): 3,
            ("y", "all"): 26,
            ("y", "a"): 9,
            ("y", "b"): 17,
        }
    )
    suppress(cells, K)
    # x/b primary -> x/a (its topic) and y/b (its source); y/b -> y/a; then every group has two.
    assert marks(cells) == {
        ("x", "b"): "primary",
        ("x", "a"): "complementary",
        ("y", "b"): "complementary",
        ("y", "a"): "complementary",
    }


def test_nothing_is_suppressed_when_every_cell_passes() -> None:
    cells = grid({("all", "all"): 10, ("all", "a"): 5, ("t", "all"): 5, ("t", "a"): 5})
    assert suppress(cells, K)["published"] == 4
    assert marks(cells) == {}


@st.composite
def cell_grids(draw: st.DrawFn) -> dict[Key, Cell]:
    topics = [f"t{i}" for i in range(draw(st.integers(1, 4)))]
    sources = [f"s{i}" for i in range(draw(st.integers(1, 3)))]
    cells: dict[Key, Cell] = {}
    for t in [ALL, *topics]:
        for s in [ALL, *sources]:
            detail = t != ALL and s != ALL
            if detail and draw(st.booleans()) and draw(st.booleans()):
                continue  # an absent (zero) cell
            cells[(t, s)] = cell(t, s, draw(st.integers(0, 3 * K)))
    return cells


@settings(max_examples=300, deadline=None)
@given(cell_grids())
def test_no_group_has_exactly_one_hidden_cell(cells: dict[Key, Cell]) -> None:
    authors = {key: c.distinct_authors for key, c in cells.items()}
    suppress(cells, K)
    for group in expected_groups(set(cells)):
        hidden = [key for key in group if cells[key].suppressed]
        assert len(hidden) != 1, (group, hidden)
    for key, c in cells.items():
        assert (c.suppression == "primary") == (authors[key] < K)
        assert c.suppressed or c.distinct_authors >= K


mention_rows = st.lists(
    st.tuples(
        st.integers(0, 25),  # author
        st.sampled_from(["s0", "s1", "s2"]),
        st.sets(st.sampled_from(["t0", "t1", "t2"]), max_size=3),
        st.sampled_from(["positive", "neutral", "negative"]),
    ),
    max_size=120,
)


@settings(max_examples=150, deadline=None)
@given(mention_rows)
def test_weeks_of_mentions_never_leave_a_recomputable_cell(
    rows: list[tuple[int, str, set[str], str]],
) -> None:
    mentions = pd.DataFrame(
        [(i, source, author, 0.0, label) for i, (author, source, _, label) in enumerate(rows)],
        columns=["mention_id", "source", "author", "compound", "label"],
    )
    topics = pd.DataFrame(
        [(i, t) for i, (_, _, tags, _) in enumerate(rows) for t in sorted(tags)],
        columns=["mention_id", "topic"],
    )
    cells = compute_cells(mentions, topics, topic_ids=["t0", "t1", "t2"], source_ids=["s0", "s1", "s2"])
    for t in {t for t, _ in cells}:
        members = [c.mentions for (tt, s), c in cells.items() if tt == t and s != ALL]
        assert sum(members) == cells[(t, ALL)].mentions, "sources must add up exactly"
    suppress(cells, K)
    for group in expected_groups(set(cells)):
        assert sum(cells[key].suppressed for key in group) != 1
    assert all(c.suppressed or c.distinct_authors >= K for c in cells.values())
