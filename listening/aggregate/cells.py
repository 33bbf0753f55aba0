"""The week's cells: counts per topic x source, with all-sources and all-topics totals, from one frame."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from listening.aggregate.noise import DpPlan, add_noise

ALL = "all"
#: The topic of mentions that match no topic of the taxonomy: topic coverage, under disclosure control.
NO_TOPIC = "none"
LABELS = ("positive", "neutral", "negative")
#: Bounding keeps an author's totals before their detail cells.
LEVEL_ALL_ALL, LEVEL_ALL_SOURCE, LEVEL_TOPIC_ALL, LEVEL_TOPIC_SOURCE = range(4)

Key = tuple[str, str]
MENTION_COLUMNS = ["mention_id", "source", "author", "compound", "label"]
TOPIC_COLUMNS = ["mention_id", "topic"]


@dataclass
class Cell:
    """One topic x source cell before it is stored; `suppression` set by disclosure control."""

    topic: str
    source: str
    mentions: int
    distinct_authors: int
    positive: int
    neutral: int
    negative: int
    compound_sum: float | None
    suppression: str | None = None
    wow_change: float | None = None
    spike: bool = False
    spike_z: float | None = None

    @property
    def key(self) -> Key:
        return (self.topic, self.source)

    @property
    def suppressed(self) -> bool:
        return self.suppression is not None

    def shares(self) -> tuple[float, float, float] | None:
        labelled = self.positive + self.neutral + self.negative
        if labelled <= 0:
            return None
        return (self.positive / labelled, self.neutral / labelled, self.negative / labelled)

    def mean_compound(self) -> float | None:
        if self.compound_sum is None or self.mentions <= 0:
            return None
        return max(-1.0, min(1.0, self.compound_sum / self.mentions))


def expand(mentions: pd.DataFrame, topics: pd.DataFrame) -> pd.DataFrame:
    """One row per mention and cell it counts in: (all, all), (all, source), (topic, all), (topic, source).

    A mention without a topic counts in the `none` topic, so topic coverage is a cell like any other.
    """
    base = mentions[MENTION_COLUMNS]
    untagged = base.loc[~base["mention_id"].isin(topics["mention_id"]), ["mention_id"]]
    topics = pd.concat([topics[TOPIC_COLUMNS], untagged.assign(topic=NO_TOPIC)], ignore_index=True)
    tagged = topics.merge(base, on="mention_id", how="inner")
    return pd.concat(
        [
            base.assign(topic=ALL, source=ALL, level=LEVEL_ALL_ALL),
            base.assign(topic=ALL, level=LEVEL_ALL_SOURCE),
            tagged.assign(source=ALL, level=LEVEL_TOPIC_ALL),
            tagged.assign(level=LEVEL_TOPIC_SOURCE),
        ],
        ignore_index=True,
    )


def bound_contributions(long: pd.DataFrame, max_posts: int, max_cells: int) -> pd.DataFrame:
    """Keep at most `max_posts` posts per author and cell, and at most `max_cells` cells per author.

    The choice depends only on the author's own rows (totals first, then a keyed hash of author and
    cell), so adding or removing one author changes no other author's contribution.
    """
    # A mention without an author hash is its own unit: bounding must not merge strangers.
    unit = long["author"].astype("string").fillna("mention:" + long["mention_id"].astype("string"))
    long = long.assign(unit=unit).sort_values(["unit", "topic", "source", "mention_id"], kind="stable")
    long = long[long.groupby(["unit", "topic", "source"], sort=False).cumcount() < max_posts]
    cells = long[["unit", "topic", "source", "level"]].drop_duplicates(["unit", "topic", "source"])
    cells = cells.assign(
        order=pd.util.hash_pandas_object(cells[["unit", "topic", "source"]], index=False).to_numpy()
    ).sort_values(["unit", "level", "order"], kind="stable")
    kept = cells[cells.groupby("unit", sort=False).cumcount() < max_cells][["unit", "topic", "source"]]
    return long.merge(kept, on=["unit", "topic", "source"], how="inner").drop(columns="unit")


def count(long: pd.DataFrame) -> pd.DataFrame:
    """Per (topic, source): mentions, distinct authors, label counts and the compound sum."""
    columns = ["mentions", "distinct_authors", *LABELS, "compound_sum"]
    if long.empty:
        return pd.DataFrame(columns=columns, index=pd.MultiIndex.from_tuples([], names=["topic", "source"]))
    groups = long.groupby(["topic", "source"], sort=True)
    labels = (
        long.groupby(["topic", "source", "label"], sort=True)
        .size()
        .unstack("label", fill_value=0)
        .reindex(columns=list(LABELS), fill_value=0)
    )
    frame = pd.DataFrame(
        {
            "mentions": groups.size(),
            "distinct_authors": groups["author"].nunique(dropna=True),
            "compound_sum": groups["compound"].sum(),
        }
    ).join(labels)
    frame[list(LABELS)] = frame[list(LABELS)].fillna(0)
    return frame[columns]


def grid(topic_ids: Sequence[str], source_ids: Sequence[str]) -> list[Key]:
    """Every cell of a week, fixed by the configuration (DP needs a data-independent set of cells)."""
    topics, sources = [ALL, *topic_ids], [ALL, *source_ids]
    return [(t, s) for t in topics for s in sources]


def exact_cells(long: pd.DataFrame) -> dict[Key, Cell]:
    """Exact figures for every cell with at least one mention."""
    cells: dict[Key, Cell] = {}
    for (topic, source), row in count(long).iterrows():
        cells[(topic, source)] = Cell(
            topic=topic,
            source=source,
            mentions=int(row["mentions"]),
            distinct_authors=int(row["distinct_authors"]),
            positive=int(row["positive"]),
            neutral=int(row["neutral"]),
            negative=int(row["negative"]),
            compound_sum=float(row["compound_sum"]),
        )
    return cells


def noisy_cells(long: pd.DataFrame, keys: Sequence[Key], dp_plan: DpPlan) -> dict[Key, Cell]:
    """Noisy figures for every cell of the grid, from bounded contributions.

    Mentions are the sum of the noisy label counts; the mean compound is not released under DP.
    """
    topics = {t for t, _ in keys}
    sources = {s for _, s in keys}
    long = long[long["topic"].isin(topics) & long["source"].isin(sources)]
    bounded = bound_contributions(long, dp_plan.max_posts, dp_plan.max_cells)
    index = pd.MultiIndex.from_tuples(list(keys), names=["topic", "source"])
    exact = count(bounded).reindex(index, fill_value=0)
    labels = add_noise(exact[list(LABELS)].to_numpy().astype(int).ravel().tolist(), dp_plan.scale_mentions)
    authors = add_noise(exact["distinct_authors"].astype(int).tolist(), dp_plan.scale_authors)
    cells: dict[Key, Cell] = {}
    for i, (topic, source) in enumerate(keys):
        pos, neu, neg = (max(0, v) for v in labels[3 * i : 3 * i + 3])
        n_authors = max(0, authors[i])
        cells[(topic, source)] = Cell(
            topic=topic,
            source=source,
            mentions=max(pos + neu + neg, n_authors),
            distinct_authors=n_authors,
            positive=pos,
            neutral=neu,
            negative=neg,
            compound_sum=None,
        )
    return cells


def compute_cells(
    mentions: pd.DataFrame,
    topics: pd.DataFrame,
    *,
    topic_ids: Sequence[str],
    source_ids: Sequence[str],
    dp_plan: DpPlan | None = None,
) -> dict[Key, Cell]:
    """The week's cells before disclosure control: exact, or noisy over the configured grid."""
    long = expand(mentions, topics)
    if dp_plan is None:
        return exact_cells(long)
    return noisy_cells(long, grid([*topic_ids, NO_TOPIC], source_ids), dp_plan)
