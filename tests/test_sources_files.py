from __future__ import annotations

import datetime as dt
from pathlib import Path

from listening.config import FileSource, ProgramConfig
from listening.records import Reason, Rejected
from listening.sources.base import ConnectorContext, Window
from listening.sources.files import FileConnector

DAY = dt.date(2026, 10, 5)
WINDOW = Window(dt.datetime(2026, 10, 5, tzinfo=dt.UTC), dt.datetime(2026, 10, 6, tzinfo=dt.UTC))


def program_with(*sources: FileSource) -> ProgramConfig:
    return ProgramConfig.model_validate(
        {
            "program": "files_test",
            "title": "Files",
            "governance": {"purpose": "Testing file drops.", "approver": "QA", "review_date": "2030-01-01"},
            "privacy": {"auto_release": True},
            "sources": [s.model_dump() for s in sources],
            "topics": [{"id": "transit", "label": "Transit", "phrases": ["bus"]}],
        }
    )


def connector(source: FileSource, data_dir: Path) -> FileConnector:
    return FileConnector(program_with(source), source, ConnectorContext(data_dir))


def test_jsonl_day_file_and_glob(tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "2026-10-05.jsonl").write_bytes(b'{"id": "1"}\n\nnot json\n{"id": "\xff"}\n')
    (folder / "2026-10-06.jsonl").write_text('{"id": "2"}\n')
    source = connector(FileSource(name="drop", path="drop/{date}.jsonl"), tmp_path)
    shards = source.plan(WINDOW)
    assert shards == ["drop/2026-10-05.jsonl"]
    records = list(source.read(shards[0], WINDOW))
    assert [r.position for r in records] == [1, 3, 4]
    assert records[0].payload == {"id": "1"}
    assert records[1].payload == Rejected(Reason.INVALID_JSON)
    assert records[2].payload == Rejected(Reason.INVALID_UTF8)
    every_day = connector(FileSource(name="drop", path=str(folder / "*.jsonl")), tmp_path)
    assert len(every_day.plan(WINDOW)) == 2


def test_csv_rows(tmp_path: Path) -> None:
    path = tmp_path / "2026-10-05.csv"
    path.write_bytes(
        b"id,author_id,text,created_at,extra\n"
        b'1,a,"bus, late",2026-10-05T08:00:00+00:00,x\n'
        b"2,b,too,few\n"
        b"3,c,caf\xe9,2026-10-05T08:00:00+00:00,x\n"
        b"\n"
        b"4,d,ok,2026-10-05T09:00:00+00:00,\n"
    )
    source = connector(FileSource(name="csv", path="{date}.csv", format="csv"), tmp_path)
    records = list(source.read(source.plan(WINDOW)[0], WINDOW))
    assert records[0].payload == {
        "id": "1",
        "author_id": "a",
        "text": "bus, late",
        "created_at": "2026-10-05T08:00:00+00:00",
    }
    assert records[1].payload == Rejected(Reason.INVALID_CSV)
    assert records[1].position == 3
    assert records[2].payload == Rejected(Reason.INVALID_UTF8)
    assert records[3].position == 6
    assert "extra" not in records[3].payload
