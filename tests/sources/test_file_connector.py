"""The file connector: slicing big files, CSV fields over the reader's limit, Parquet, the data folder's
bounds, deleting inputs once stored."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from listening.config import ProgramConfig
from listening.records import Reason, Rejected
from listening.settings import get_settings
from listening.sources.base import ConnectorContext, SourceError, Window
from listening.sources.files import FileConnector, FileSlice
from listening.sources.registry import build_connector

DAY = dt.date(2026, 10, 5)
WINDOW = Window(dt.datetime(2026, 10, 5, tzinfo=dt.UTC), dt.datetime(2026, 10, 6, tzinfo=dt.UTC))


@pytest.fixture
def slice_lines(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("LISTENING_SLICE_LINES", "1000")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("LISTENING_SLICE_LINES")
    get_settings.cache_clear()


def program_with(**source: object) -> ProgramConfig:
    return ProgramConfig.model_validate(
        {
            "program": "files_test",
            "title": "Files",
            "governance": {"purpose": "Testing file drops.", "approver": "QA", "review_date": "2030-01-01"},
            "privacy": {"auto_release": True},
            "sources": [{"name": "drop", "kind": "file", **source}],
            "topics": [{"id": "transit", "label": "Transit", "phrases": ["bus"]}],
        }
    )


def connector(data_dir: Path, **source: object) -> FileConnector:
    program = program_with(**source)
    built = build_connector(program, "drop", ConnectorContext(data_dir))
    assert isinstance(built, FileConnector)
    return built


def record(i: int) -> dict[str, str]:
    return {
        "id": f"p{i}",
        "author_id": f"a{i % 97}",
        "text": f"bus {i} late again",
        "created_at": "2026-10-05T08:00:00+00:00",
    }


def test_a_million_line_file_plans_twenty_slices_that_read_only_their_range(tmp_path: Path) -> None:
    lines = 1_000_000
    path = tmp_path / "2026-10-05.jsonl"
    with path.open("w") as out:
        for i in range(lines):
            out.write(f'{{"id": "p{i}", "n": {i}}}\n')
    source = connector(tmp_path, path="{date}.jsonl")
    assert get_settings().slice_lines == 50_000
    slices = source.plan(WINDOW)
    assert len(slices) == 20
    parts = [FileSlice.parse(s) for s in slices]
    assert parts[0].first_line == 1
    assert parts[-1].last_line == lines
    assert [p.first_line for p in parts[1:]] == [p.last_line + 1 for p in parts[:-1]]  # type: ignore[operator]
    assert [p.start for p in parts[1:]] == [p.end for p in parts[:-1]]
    # A middle slice reads only its lines, starting at its byte offset: exactly 50,000 records.
    middle = list(source.read(slices[7], WINDOW))
    assert len(middle) == 50_000
    assert middle[0].position == 350_001
    assert middle[0].payload == {"id": "p350000", "n": 350000}
    assert middle[-1].payload == {"id": "p399999", "n": 399999}
    assert source.label(slices[7]) == "2026-10-05.jsonl#lines=350001-400000"


def test_slices_cover_every_csv_row_once_even_across_quoted_newlines(
    tmp_path: Path, slice_lines: None
) -> None:
    path = tmp_path / "2026-10-05.csv"
    with path.open("w", newline="") as out:
        out.write("id,author_id,text,created_at\n")
        for i in range(5_000):
            text = f'"bus {i}\nsecond line, quoted"' if i % 7 == 0 else f"bus {i}"
            out.write(f"p{i},a{i},{text},2026-10-05T08:00:00+00:00\n")
    source = connector(tmp_path, path="{date}.csv", format="csv")
    slices = source.plan(WINDOW)
    assert len(slices) >= 5
    ids = [r.payload["id"] for s in slices for r in source.read(s, WINDOW) if isinstance(r.payload, dict)]
    assert ids == [f"p{i}" for i in range(5_000)]
    texts = {r.payload["id"]: r.payload["text"] for r in source.read(slices[2], WINDOW)}
    assert any("\n" in t for t in texts.values())


def test_a_csv_field_over_the_limit_quarantines_that_row_only(tmp_path: Path) -> None:
    """Issue 7.3: a 200,000-character field is `field_too_long`; the rows around it are read."""
    path = tmp_path / "2026-10-05.csv"
    huge = "x" * 200_000
    path.write_text(
        "id,author_id,text,created_at\n"
        "1,a,bus late,2026-10-05T08:00:00+00:00\n"
        f"2,b,{huge},2026-10-05T08:00:00+00:00\n"
        f'3,c,"{huge}",2026-10-05T08:00:00+00:00\n'
        "4,d,train late,2026-10-05T09:00:00+00:00\n"
    )
    source = connector(tmp_path, path="{date}.csv", format="csv")
    records = list(source.read(source.plan(WINDOW)[0], WINDOW))
    assert [r.position for r in records] == [2, 3, 4, 5]
    assert records[1].payload == Rejected(Reason.FIELD_TOO_LONG)
    assert records[2].payload == Rejected(Reason.FIELD_TOO_LONG)
    assert isinstance(records[0].payload, dict)
    assert records[3].payload["text"] == "train late"


def test_an_over_long_line_is_one_quarantined_record(tmp_path: Path) -> None:
    path = tmp_path / "2026-10-05.jsonl"
    with path.open("w") as out:
        out.write(json.dumps(record(1)) + "\n")
        out.write('{"id": "2", "text": "' + "y" * (5 << 20) + '"}\n')
        out.write(json.dumps(record(3)) + "\n")
    source = connector(tmp_path, path="{date}.jsonl")
    records = list(source.read(source.plan(WINDOW)[0], WINDOW))
    assert [(r.position, r.payload) for r in records[1:2]] == [(2, Rejected(Reason.RECORD_TOO_LONG))]
    assert records[2].payload == record(3)


def test_parquet_rows_stream_by_row_group_slices(tmp_path: Path, slice_lines: None) -> None:
    rows = [record(i) for i in range(4_500)]
    table = pa.Table.from_pylist(rows)
    table = table.set_column(
        table.schema.get_field_index("created_at"),
        "created_at",
        pa.array([dt.datetime(2026, 10, 5, 8, tzinfo=dt.UTC)] * len(rows), type=pa.timestamp("s", tz="UTC")),
    )
    pq.write_table(table, tmp_path / "2026-10-05.parquet", row_group_size=500)
    source = connector(tmp_path, path="{date}.parquet", format="parquet")
    slices = source.plan(WINDOW)
    assert slices == [f"2026-10-05.parquet#row_groups={a}-{a + 1}" for a in (0, 2, 4, 6)] + [
        "2026-10-05.parquet#row_groups=8-8"
    ]
    read = [r for s in slices for r in source.read(s, WINDOW)]
    assert [r.position for r in read] == list(range(1, 4_501))
    assert read[1234].payload["id"] == "p1234"
    assert read[0].payload["created_at"] == dt.datetime(2026, 10, 5, 8, tzinfo=dt.UTC)


def test_a_file_that_is_not_parquet_is_one_quarantined_record(tmp_path: Path) -> None:
    (tmp_path / "2026-10-05.parquet").write_text("id,text\n1,not parquet\n")
    source = connector(tmp_path, path="{date}.parquet", format="parquet")
    slices = source.plan(WINDOW)
    assert [r.payload for r in source.read(slices[0], WINDOW)] == [Rejected(Reason.MALFORMED_PAGE)]


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("../elsewhere/{date}.jsonl", "'..' is not allowed"),
        ("/etc/{date}.jsonl", "outside the data folder"),
        ("sub/../../{date}.jsonl", "'..' is not allowed"),
    ],
)
def test_a_path_outside_the_data_folder_is_refused_naming_the_source(
    tmp_path: Path, path: str, says: str
) -> None:
    with pytest.raises(SourceError) as info:
        connector(tmp_path, path=path).plan(WINDOW)
    assert str(info.value).startswith("source drop: ")
    assert says in str(info.value)


def test_a_link_out_of_the_data_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "2026-10-05.jsonl").write_text(json.dumps(record(1)) + "\n")
    data = tmp_path / "data"
    data.mkdir()
    os.symlink(outside / "2026-10-05.jsonl", data / "2026-10-05.jsonl")
    with pytest.raises(SourceError, match="a link points elsewhere"):
        connector(data, path="{date}.jsonl").plan(WINDOW)
    source = connector(data, path="{date}.jsonl")
    for slice_name in ("../outside/2026-10-05.jsonl", str(outside / "2026-10-05.jsonl"), "2026-10-05.jsonl"):
        with pytest.raises(SourceError, match="outside the data folder"):
            list(source.read(slice_name, WINDOW))


def test_an_absolute_path_inside_the_data_folder_is_fine(tmp_path: Path) -> None:
    (tmp_path / "drop").mkdir()
    (tmp_path / "drop" / "2026-10-05.jsonl").write_text(json.dumps(record(1)) + "\n")
    source = connector(tmp_path, path=str(tmp_path / "drop" / "{date}.jsonl"))
    assert source.plan(WINDOW) == ["drop/2026-10-05.jsonl"]
    # A slice named by its full path inside the data folder reads too (shards planned by older versions).
    assert len(list(source.read(str(tmp_path / "drop" / "2026-10-05.jsonl"), WINDOW))) == 1
    assert source.cursor_key("drop/2026-10-05.jsonl") == str(tmp_path / "drop" / "{date}.jsonl")


def test_delete_after_store_deletes_a_file_only_when_all_its_slices_were_stored(
    tmp_path: Path, slice_lines: None
) -> None:
    for day in ("2026-10-05", "2026-10-06"):
        (tmp_path / f"{day}.jsonl").write_text("".join(json.dumps(record(i)) + "\n" for i in range(2_500)))
    keep = connector(tmp_path, path="{date}.jsonl")
    planned = keep.plan(WINDOW)
    assert len(planned) == 3
    assert keep.after_day_stored(WINDOW, planned, planned) == 0  # not asked to delete
    source = connector(tmp_path, path="{date}.jsonl", delete_after_store=True)
    assert source.after_day_stored(WINDOW, planned[:2], planned) == 0  # one slice failed: kept
    assert (tmp_path / "2026-10-05.jsonl").exists()
    assert source.after_day_stored(WINDOW, planned, planned) == 1
    assert not (tmp_path / "2026-10-05.jsonl").exists()
    assert (tmp_path / "2026-10-06.jsonl").exists()  # another day's file is never touched
