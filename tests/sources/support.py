"""Building a program with one platform source, and reading a slice through the registry."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from listening.config import ProgramConfig
from listening.records import Rejected
from listening.sources.base import Connector, ConnectorContext, Credentials, RawRecord, Window
from listening.sources.registry import build_connector

DAY = dt.date(2026, 10, 6)
WINDOW = Window(dt.datetime(2026, 10, 6, tzinfo=dt.UTC), dt.datetime(2026, 10, 7, tzinfo=dt.UTC))


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)


def program_with(source: dict[str, Any], *, queries: list[str] | None = None) -> ProgramConfig:
    return ProgramConfig.model_validate(
        {
            "program": "platform_test",
            "title": "Connector test",
            "governance": {
                "purpose": "Test the platform connectors against fake servers.",
                "approver": "Test office",
                "review_date": "2099-01-01",
            },
            "queries": queries or [],
            "sources": [source],
            "topics": [{"id": "roads", "label": "Roads", "phrases": ["pothole"]}],
            "privacy": {"auto_release": True},
        }
    )


def connector(
    source: dict[str, Any], tmp_path: Path, creds: Credentials | None = None, **kw: Any
) -> Connector:
    program = program_with(source, **kw)
    ctx = ConnectorContext(data_dir=tmp_path, credentials=lambda: creds)
    return build_connector(program, source["name"], ctx)


def read_all(conn: Connector, window: Window = WINDOW) -> list[RawRecord]:
    return [rec for slice_name in conn.plan(window) for rec in conn.read(slice_name, window)]


def payloads(records: list[RawRecord]) -> list[dict[str, Any]]:
    return [r.payload for r in records if isinstance(r.payload, dict)]


def rejections(records: list[RawRecord]) -> list[str]:
    return [r.payload.reason.value for r in records if isinstance(r.payload, Rejected)]
