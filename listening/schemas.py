"""JSON Schemas of the project's records, generated from the pydantic models and checked in."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from listening.config import ProgramConfig
from listening.records import MentionIn
from listening.settings import PROJECT_ROOT

SCHEMA_DIR = PROJECT_ROOT / "schemas"


Share = Field(ge=0, le=1)


class TrendRow(BaseModel):
    """One cell of the weekly trend table as exported to analysts (trends.csv and trends.parquet have
    exactly these columns, in this order). Suppressed cells carry null figures, never zeros.

    Intervals are 95%: Poisson (Garwood) for counts, Wilson for shares. A week-over-week change is
    significant only when this week's and last week's intervals do not overlap.
    """

    model_config = ConfigDict(extra="forbid")

    iso_week: str = Field(pattern=r"^\d{4}-W\d{2}$")
    week_start: dt.date
    topic: str = Field(description="A topic id, `all` (every mention) or `none` (no topic matched).")
    topic_label: str = Field(description="The topic's label from the pipeline file.")
    source: str = Field(description="A source name, or `all`.")
    source_label: str = Field(description="The source's display name from the pipeline file.")
    status: str = Field(description="`released` in exports.")
    suppressed: bool = Field(description="True when the cell is withheld; its figures are then null.")
    suppression: str | None = Field(description="`primary` (fewer than k authors) or `complementary`.")
    noisy: bool = Field(description="Counts carry differential-privacy noise.")
    mentions: int | None = Field(ge=0)
    mentions_low: float | None = Field(ge=0, description="95% Poisson interval, lower bound.")
    mentions_high: float | None = Field(ge=0, description="95% Poisson interval, upper bound.")
    distinct_authors: int | None = Field(ge=0)
    positive_share: float | None = Share
    positive_low: float | None = Share
    positive_high: float | None = Share
    neutral_share: float | None = Share
    neutral_low: float | None = Share
    neutral_high: float | None = Share
    negative_share: float | None = Share
    negative_low: float | None = Share
    negative_high: float | None = Share
    mean_compound: float | None = Field(ge=-1, le=1, description="Mean VADER compound score.")
    previous_mentions: int | None = Field(
        ge=0, description="The same cell last week, when that week is released and the cell published."
    )
    wow_change: float | None = Field(description="Relative change in mentions from the previous week.")
    wow_significant: bool | None = Field(description="The two weeks' Poisson intervals do not overlap.")
    positive_change: float | None = Field(description="Change in the positive share, as a fraction.")
    positive_change_significant: bool | None
    neutral_change: float | None = Field(description="Change in the neutral share, as a fraction.")
    neutral_change_significant: bool | None
    negative_change: float | None = Field(description="Change in the negative share, as a fraction.")
    negative_change_significant: bool | None
    spike: bool | None = Field(
        description="spike_z reached the pipeline file's trends.spike_z_threshold; null when suppressed."
    )
    spike_z: float | None = Field(
        description="(mentions - trailing mean) / trailing deviation over the released weeks before."
    )


class EmergingTermRow(BaseModel):
    """One emerging term as exported to analysts (terms.csv and terms.parquet have these columns).

    Only terms that at least k distinct authors used in the week, that pass the residual scan and
    that the redactor does not take for a name or handle; counted at aggregation, per author.
    """

    model_config = ConfigDict(extra="forbid")

    iso_week: str = Field(pattern=r"^\d{4}-W\d{2}$")
    scope: str = Field(description="`all` (every mention) or `none` (mentions that match no topic).")
    rank: int = Field(ge=1)
    term: str
    kind: str = Field(description="`word`, `hashtag` or `phrase` (two words).")
    mentions: int = Field(ge=0)
    distinct_authors: int = Field(ge=0)
    share: float = Field(ge=0, le=1, description="Share of the scope's mentions that use the term.")
    baseline_share: float | None = Field(
        ge=0,
        le=1,
        description="Pooled share over the trailing released weeks (counted as 0 where below the k floor).",
    )
    baseline_weeks: int = Field(ge=0, description="Trailing released weeks the baseline covers.")
    rise: float = Field(description="share - baseline_share (share alone without a baseline).")
    significant: bool | None = Field(
        description="The Wilson 95% intervals of share and baseline do not overlap; null without a baseline."
    )


class RedactionLogRecord(BaseModel):
    """One redacted entity, as the privacy officer sees it: never the value."""

    model_config = ConfigDict(extra="forbid")

    program: str
    day: dt.date
    entity_type: str
    start: int = Field(ge=0, description="Offset into the original text.")
    end: int = Field(ge=0)
    score: float = Field(ge=0, le=1)
    recognizer: str
    policy_version: str


SCHEMAS: dict[str, type[BaseModel]] = {
    "pipeline.schema.json": ProgramConfig,
    "mention.schema.json": MentionIn,
    "trend_row.schema.json": TrendRow,
    "emerging_term.schema.json": EmergingTermRow,
    "redaction_log.schema.json": RedactionLogRecord,
}


def render(model: type[BaseModel]) -> str:
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **model.model_json_schema(mode="validation"),
    }
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def write_schemas(directory: Path = SCHEMA_DIR) -> list[Path]:
    """(Re)write every schema file; returns the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in SCHEMAS.items():
        path = directory / name
        path.write_text(render(model))
        written.append(path)
    return written
