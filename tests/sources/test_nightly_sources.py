"""A nightly run over several sources: each source's outcome in the run log, a failing source that does
not stop the others, cursors, reruns of a day, a CSV field over the reader's limit, deleting inputs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from listening import stages
from listening.config import ProgramConfig
from listening.reports.runlog import day_sources
from listening.store.db import session_scope
from listening.store.models import Mention, Quarantine, Run, SourceCursor
from tests.support import DEMO_PROGRAM

DAY = dt.date(2026, 10, 5)
NOW = dt.datetime(2026, 10, 6, 3, tzinfo=dt.UTC)


def _program(sources: list[dict[str, Any]]) -> ProgramConfig:
    raw = yaml.safe_load(DEMO_PROGRAM.read_text())
    raw["sources"] = sources
    raw["queries"] = []
    return ProgramConfig.model_validate(raw)


def _post(i: int, **fields: object) -> dict[str, object]:
    return {
        "id": f"post-{i}",
        "author_id": f"author-{i % 5}",
        "text": f"The bus on route {i} was late again this morning",
        "created_at": f"2026-10-05T{8 + i % 10:02d}:15:00+00:00",
        "lang": "en",
        **fields,
    }


@pytest.fixture
def data(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    (root / "jsonl").mkdir(parents=True)
    (root / "csv").mkdir()
    (root / "jsonl" / f"{DAY}.jsonl").write_text("".join(json.dumps(_post(i)) + "\n" for i in range(6)))
    rows = ["id,author_id,text,created_at,lang"]
    rows += [f"c{i},b{i},Snow plows missed street {i},2026-10-05T09:0{i}:00+00:00,en" for i in range(3)]
    rows.insert(2, f"c-huge,b9,{'x' * 140_000},2026-10-05T09:30:00+00:00,en")  # issue 7, item 3
    (root / "csv" / f"{DAY}.csv").write_text("\n".join(rows) + "\n")
    return root


SOURCES = [
    {"name": "posts", "kind": "file", "path": "jsonl/{date}.jsonl", "delete_after_store": True},
    {"name": "sheet", "kind": "file", "path": "csv/{date}.csv", "format": "csv"},
    {"name": "quiet", "kind": "file", "path": "quiet/{date}.jsonl"},
    {"name": "escape", "kind": "file", "path": "../outside/{date}.jsonl"},
]


def _night(program: ProgramConfig, data: Path, url: str, run_id: str) -> tuple[dict[str, Any], list[str]]:
    planned = stages.plan_shards(program, DAY, data, today=DAY)
    errors = []
    for shard in planned:
        try:
            stages.collect_redact_store(program, shard, run_id=run_id, url=url, data_dir=data, now=NOW)
        except stages.StageError as exc:
            errors.append(str(exc))
    return stages.summarise_day(program, DAY, run_id=run_id, url=url, planned=planned, data_dir=data), errors


def test_each_source_gets_its_outcome_and_a_failing_one_stops_no_other(data: Path, db_url: str) -> None:
    program = _program(SOURCES)
    summary, errors = _night(program, data, db_url, "night-1")
    assert summary["sources"] == {
        "posts": "success",
        "sheet": "success",
        "quiet": "missing",
        "escape": "failed",
    }
    assert summary["failed"] == ["escape"]
    assert summary["missing"] == ["quiet"]
    assert errors == ["source escape: path leaves the data folder ('..' is not allowed)"]
    assert stages.day_problems(summary) == "failed: escape; delivered nothing: quiet"
    # The CSV row over the reader's limit is quarantined; the rest of the file is stored, with a run row.
    assert summary["stored"] == 6 + 3
    assert summary["read"] == summary["stored"] + summary["duplicates"] + summary["quarantined"]
    with session_scope(db_url) as session:
        quarantined = session.execute(select(Quarantine.source, Quarantine.position, Quarantine.reason)).all()
        assert [tuple(q) for q in quarantined] == [("sheet", 3, "field_too_long")]
        collect = {r.shard: r.status for r in session.scalars(select(Run).where(Run.stage == "collect"))}
        assert collect == {
            "jsonl/2026-10-05.jsonl": "success",
            "csv/2026-10-05.csv": "success",
            "escape": "failed",
        }
        nightly = session.scalars(select(Run).where(Run.stage == "nightly")).one()
        assert nightly.status == "incomplete"
        cursors = {(c.source, c.query): c.watermark for c in session.scalars(select(SourceCursor))}
    end = stages.day_window(program, DAY).end
    assert {k: v.replace(tzinfo=dt.UTC) if v.tzinfo is None else v for k, v in cursors.items()} == {
        ("posts", "jsonl/{date}.jsonl"): end,
        ("sheet", "csv/{date}.csv"): end,
    }
    # `listening runs` reads the same outcomes back, with the failure's reason.
    shown = {r["source"]: (r["status"], r["note"]) for r in day_sources(program, days=7, url=db_url)}
    assert shown["escape"] == (
        "failed",
        "failed: source escape: path leaves the data folder ('..' is not allowed)",
    )
    assert shown["quiet"] == ("missing", "delivered nothing")
    assert shown["posts"] == ("success", "")
    # The privacy review lists them too.
    from listening.periods import iso_week
    from listening.reports.review import privacy_review

    with session_scope(db_url) as session:
        review = privacy_review(session, program, iso_week(DAY))["sources"]
    assert [(p["source"], p["reason"]) for p in review["failed"]] == [
        ("escape", "source escape: path leaves the data folder ('..' is not allowed)")
    ]
    assert [(p["source"], p["reason"]) for p in review["missing"]] == [("quiet", "no data")]
    # delete_after_store: the stored day's input is gone; the other sources' files stay.
    assert not (data / "jsonl" / f"{DAY}.jsonl").exists()
    assert (data / "csv" / f"{DAY}.csv").exists()


def test_a_rerun_fetches_the_same_window_and_stores_nothing_twice(data: Path, db_url: str) -> None:
    program = _program(SOURCES[1:2])
    first, _ = _night(program, data, db_url, "night-1")
    with session_scope(db_url) as session:
        cursor = session.scalars(select(SourceCursor)).one()
        mark, _run = cursor.watermark, cursor.last_run_id
    second, _ = _night(program, data, db_url, "night-2")
    assert first["stored"] == 3
    assert second["stored"] == 0
    assert second["duplicates"] == 3
    assert second["sources"] == {"sheet": "success"}
    with session_scope(db_url) as session:
        assert len(session.scalars(select(Mention)).all()) == 3
        cursor = session.scalars(select(SourceCursor)).one()
        assert (cursor.watermark, cursor.last_run_id) == (mark, "night-2")
        # Platform ids are used for keyed hashes only.
        keys = session.execute(select(Mention.post_key, Mention.author_key)).all()
        assert all(len(k) == 64 and int(k, 16) >= 0 for pair in keys for k in pair)


def test_a_rerun_of_an_earlier_day_leaves_the_watermark(data: Path, db_url: str) -> None:
    program = _program(SOURCES[1:2])
    _night(program, data, db_url, "night-1")
    (data / "csv" / "2026-10-04.csv").write_text("id,author_id,text,created_at\n")
    planned = stages.plan_shards(program, DAY - dt.timedelta(days=1), data, today=DAY)
    stages.collect_redact_store(program, planned[0], run_id="night-0", url=db_url, data_dir=data, now=NOW)
    with session_scope(db_url) as session:
        cursor = session.scalars(select(SourceCursor)).one()
    watermark = cursor.watermark if cursor.watermark.tzinfo else cursor.watermark.replace(tzinfo=dt.UTC)
    assert watermark == stages.day_window(program, DAY).end
    assert cursor.last_run_id == "night-0"


def test_watermarks_are_kept_in_utc_and_only_move_forward(db_url: str) -> None:
    from zoneinfo import ZoneInfo

    from listening.sources.base import Window
    from listening.store.repository import advance_cursor

    zone = ZoneInfo("America/Toronto")
    day = dt.datetime(2026, 10, 5, tzinfo=zone)
    later = Window(day, day + dt.timedelta(days=1))
    earlier = Window(day - dt.timedelta(days=1), day)
    for window, run in ((later, "r2"), (earlier, "r1")):
        with session_scope(db_url) as session:
            advance_cursor(session, program="p", source="s", query="q", window=window, run_id=run, read=1)
    with session_scope(db_url) as session:
        cursor = session.scalars(select(SourceCursor)).one()
    mark = cursor.watermark if cursor.watermark.tzinfo else cursor.watermark.replace(tzinfo=dt.UTC)
    assert mark == later.end  # 2026-10-06 04:00 UTC, whatever the database keeps of offsets
    assert cursor.last_run_id == "r1"
