from __future__ import annotations

import datetime as dt
from pathlib import Path

from listening.config import FileSource
from listening.records import Reason, Rejected
from listening.sources.files import FileDropSource

DAY = dt.date(2026, 10, 5)


def test_jsonl_day_file_and_glob(tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "2026-10-05.jsonl").write_bytes(b'{"id": "1"}\n\nnot json\n{"id": "\xff"}\n')
    (folder / "2026-10-06.jsonl").write_text('{"id": "2"}\n')
    source = FileDropSource(FileSource(name="drop", path="drop/{date}.jsonl"), tmp_path)
    shards = source.shards(DAY)
    assert [Path(s).name for s in shards] == ["2026-10-05.jsonl"]
    records = list(source.read(shards[0]))
    assert [r.position for r in records] == [1, 3, 4]
    assert records[0].payload == {"id": "1"}
    assert records[1].payload == Rejected(Reason.INVALID_JSON)
    assert records[2].payload == Rejected(Reason.INVALID_UTF8)
    every_day = FileDropSource(FileSource(name="drop", path=str(folder / "*.jsonl")), tmp_path)
    assert len(every_day.shards(DAY)) == 2


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
    source = FileDropSource(FileSource(name="csv", path="{date}.csv", format="csv"), tmp_path)
    records = list(source.read(source.shards(DAY)[0]))
    assert records[0].payload == {
        "id": "1",
        "author_id": "a",
        "text": "bus, late",
        "created_at": "2026-10-05T08:00:00+00:00",
    }
    assert records[1].payload == Rejected(Reason.INVALID_CSV)
    assert records[2].payload == Rejected(Reason.INVALID_UTF8)
    assert records[3].position == 6
    assert "extra" not in records[3].payload
