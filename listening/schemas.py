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


class TrendRow(BaseModel):
    """One released cell of the weekly trend table, as exported to analysts."""

    model_config = ConfigDict(extra="forbid")

    iso_week: str = Field(pattern=r"^\d{4}-W\d{2}$")
    week_start: dt.date
    topic: str = Field(description="A topic id, or `all`.")
    source: str = Field(description="A source name, or `all`.")
    suppressed: bool = Field(description="True when the cell is withheld; its figures are then null.")
    suppression: str | None = Field(description="`primary` (fewer than k authors) or `complementary`.")
    mentions: int | None = Field(ge=0)
    distinct_authors: int | None = Field(ge=0)
    positive_share: float | None = Field(ge=0, le=1)
    neutral_share: float | None = Field(ge=0, le=1)
    negative_share: float | None = Field(ge=0, le=1)
    mean_compound: float | None = Field(ge=-1, le=1)
    wow_change: float | None = Field(description="Relative change in mentions from the previous week.")
    spike: bool | None = Field(
        description="Mentions well above the previous released weeks; null when suppressed."
    )
    noisy: bool = Field(description="Counts carry differential-privacy noise.")
    status: str = Field(description="`released` in exports.")


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
