"""Invariant 7 (bad input loses nothing and leaks nothing): the nightly stage on SQLite and PostgreSQL.

One JSONL file and one CSV file mix valid records with every kind of bad one. Each bad record must end
in the quarantine with its reason code and nothing of its content; the valid ones around it are stored;
read = stored + duplicates + quarantined.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, Table, func, select

from listening import stages
from listening.config import ProgramConfig, load_program
from listening.demo import CANARIES, file_drop_program
from listening.records import MentionIn, Reason
from listening.store.db import get_engine, session_scope
from listening.store.models import Mention, Run
from tests.e2e.support import canary_needles, dump_database, search
from tests.support import DEMO_PROGRAM

DAY = dt.date(2026, 10, 5)
NOW = dt.datetime(2026, 10, 6, 3, tzinfo=dt.UTC)
RUN_ID = "bad-input-run"
JSONL = "city_services/mastodon/2026-10-05.jsonl"
CSV = "city_services/forum/2026-10-05.csv"
NEEDLES = canary_needles(CANARIES)
FIELDS = ("id", "platform", "author_id", "author_handle", "text", "created_at", "url", "lang")


def _valid(n: int, **changes: Any) -> dict[str, Any]:
    record = {
        "id": f"116777310000773{n:03d}",
        "platform": "mastodon",
        "author_id": "109773100007731999",
        "author_handle": "@zebq7731@mastodon.example",
        "text": f"The route {n} bus was late again this morning.",
        "created_at": f"2026-10-05T{8 + n % 12:02d}:17:42+00:00",
        "url": f"https://mastodon.example/@zebq7731/116777310000773{n:03d}",
        "lang": "en",
    }
    return {**record, **changes}


def _line(record: Any) -> bytes:
    return json.dumps(record).encode()


def _nested(depth: int) -> Any:
    value: Any = "Zebulon Quartermaine"
    for _ in range(depth):
        value = {"v": value}
    return value


#: The JSONL file: (line, expected outcome). An outcome is "stored", "duplicate" or (reason, field).
JSONL_LINES: list[tuple[bytes, Any]] = [
    (_line(_valid(1)), "stored"),
    (b'{"id": "9001", "text": "Zebulon Quartermaine at 613-555-0187', (Reason.INVALID_JSON, None)),
    (_line({k: v for k, v in _valid(2).items() if k != "author_id"}), (Reason.MISSING_FIELD, "author_id")),
    (_line(_valid(3, created_at=1_759_655_862)), (Reason.INVALID_FIELD, "created_at")),
    (_line(_valid(4, author_id={"id": "u_zqcanary7731"})), (Reason.INVALID_FIELD, "author_id")),
    (_line(_valid(5, text="Zebulon Quartermaine " * 50_000)), (Reason.TEXT_TOO_LONG, "text")),
    (_line(_valid(6, text="Call \x07 613-555-0187 \x1b[31m now")), (Reason.CONTROL_CHARACTERS, "text")),
    (_line(_valid(7, text="NUL \x00 in zq.canary7731@example.org")), (Reason.CONTROL_CHARACTERS, "text")),
    (
        _line(_valid(8, text="lone \ud800 surrogate, Zebulon Quartermaine")),
        (Reason.CONTROL_CHARACTERS, "text"),
    ),
    (
        _line(_valid(9, text="Caf\xe9 with zq.canary7731@example.org")).replace(b"\\u00e9", b"\xe9\xff\xfe"),
        (Reason.INVALID_UTF8, None),
    ),
    (_line(_valid(10)), "stored"),
    (_line(_valid(11, created_at="2036-10-05T08:00:00+00:00")), (Reason.FUTURE_TIMESTAMP, "created_at")),
    (_line(_valid(12, lang="xx", text="Zebulon Quartermaine xx")), (Reason.UNSUPPORTED_LANGUAGE, "lang")),
    (_line(_valid(13, lang="fr", text="Appelez 613-555-0187")), (Reason.UNSUPPORTED_LANGUAGE, "lang")),
    (_line([_valid(14)]), (Reason.NOT_AN_OBJECT, None)),
    (_line(42), (Reason.NOT_AN_OBJECT, None)),
    (b'{"id": "9015", "deep": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", (Reason.INVALID_JSON, None)),
    (_line(_valid(16, text=_nested(50))), (Reason.INVALID_FIELD, "text")),
    (_line(_valid(17, text="   ")), (Reason.EMPTY_TEXT, "text")),
    (_line(_valid(18, created_at="2026-10-05T10:00:00")), (Reason.INVALID_FIELD, "created_at")),
    (_line(_valid(19, created_at="2026-10-04T23:59:59+00:00")), (Reason.OUT_OF_INTERVAL, "created_at")),
    (_line(_valid(1)), "duplicate"),
    (_line(_valid(20)), "stored"),
]


def _csv_row(n: int, **changes: Any) -> list[str]:
    record = _valid(n, platform="forum", id=f"t3_zqcan77{n:02d}", author_id="u_zqcanary7731", **changes)
    return [str(record[f]) for f in FIELDS]


def _csv_bytes(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode()


#: The CSV file: rows after the header, (bytes, expected outcome); row positions start at 2.
CSV_ROWS: list[tuple[bytes, Any]] = [
    (_csv_bytes([_csv_row(31)]), "stored"),
    (_csv_bytes([_csv_row(32)[:4]]), (Reason.INVALID_CSV, None)),
    (_csv_bytes([[*_csv_row(33), "Zebulon Quartermaine", "extra"]]), (Reason.INVALID_CSV, None)),
    (
        _csv_bytes([_csv_row(34, text="Caf\xe9 at zq.canary7731@example.org")]).replace(
            "\xe9".encode(), b"\xe9\xff"
        ),
        (Reason.INVALID_UTF8, None),
    ),
    (_csv_bytes([_csv_row(35)]), "stored"),
]


@pytest.fixture
def program() -> ProgramConfig:
    return file_drop_program(load_program(DEMO_PROGRAM))


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    (data / JSONL).parent.mkdir(parents=True)
    (data / CSV).parent.mkdir(parents=True)
    (data / JSONL).write_bytes(b"".join(line + b"\n" for line, _ in JSONL_LINES))
    (data / CSV).write_bytes(_csv_bytes([list(FIELDS)]) + b"".join(row for row, _ in CSV_ROWS))
    return data


def _expected_quarantine() -> dict[tuple[str, int], tuple[str, str | None]]:
    expected = {
        (JSONL, position): (outcome[0].value, outcome[1])
        for position, (_, outcome) in enumerate(JSONL_LINES, start=1)
        if isinstance(outcome, tuple)
    }
    expected.update(
        {
            (CSV, position): (outcome[0].value, outcome[1])
            for position, (_, outcome) in enumerate(CSV_ROWS, start=2)
            if isinstance(outcome, tuple)
        }
    )
    return expected


def _count(outcome: str) -> int:
    return sum(1 for _, o in JSONL_LINES + CSV_ROWS if o == outcome)


def _collect(program: ProgramConfig, data_dir: Path, url: str) -> list[dict[str, int]]:
    shards = stages.plan_shards(program, DAY, data_dir)
    assert sorted(s["source"] for s in shards) == ["forum_export", "mastodon_export"]
    counts = [
        stages.collect_redact_store(program, shard, run_id=RUN_ID, url=url, data_dir=data_dir, now=NOW)
        for shard in shards
    ]
    stages.summarise_day(program, DAY, counts, run_id=RUN_ID, url=url)
    return counts


def test_the_input_files_are_what_the_test_says() -> None:
    """The bad lines are really bad in the way intended (so the expectations below mean something)."""
    invalid_utf8 = [line for line, o in JSONL_LINES if o == (Reason.INVALID_UTF8, None)]
    for line in invalid_utf8:
        with pytest.raises(UnicodeDecodeError):
            line.decode("utf-8")
    assert len(JSONL_LINES[5][0]) > 1_000_000
    with pytest.raises(RecursionError):
        json.loads(JSONL_LINES[16][0])


def test_every_bad_record_is_quarantined_with_its_reason(
    program: ProgramConfig, data_dir: Path, db_url: str
) -> None:
    _collect(program, data_dir, db_url)
    quarantine = Table("quarantine", MetaData(), autoload_with=get_engine(db_url))
    with get_engine(db_url).connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(quarantine))]
    found = {(r["shard"], r["position"]): (r["reason"], r["field"]) for r in rows}
    assert found == _expected_quarantine()


def test_quarantine_rows_hold_codes_and_positions_only(
    program: ProgramConfig, data_dir: Path, db_url: str
) -> None:
    """Every column of every quarantine row is a code, a field name, a position, a date or a run id."""
    _collect(program, data_dir, db_url)
    lines = {JSONL: len(JSONL_LINES), CSV: len(CSV_ROWS) + 1}
    allowed: dict[str, Any] = {
        "id": lambda v: isinstance(v, int),
        "program": lambda v: v == program.program,
        "source": lambda v: v in {s.name for s in program.sources},
        "day": lambda v: v == DAY,
        "shard": lambda v: v in lines,
        "position": lambda v: isinstance(v, int),
        "reason": lambda v: v in {r.value for r in Reason},
        "field": lambda v: v is None or v in MentionIn.model_fields,
        "run_id": lambda v: v == RUN_ID,
        "quarantined_at": lambda v: isinstance(v, dt.datetime),
    }
    quarantine = Table("quarantine", MetaData(), autoload_with=get_engine(db_url))
    unreviewed = sorted(set(quarantine.columns.keys()) - set(allowed))
    assert not unreviewed, f"quarantine columns {unreviewed}: review them for record content, then allow them"
    with get_engine(db_url).connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(quarantine))]
    assert len(rows) == len(_expected_quarantine())
    for row in rows:
        for column, value in row.items():
            assert allowed[column](value), f"quarantine.{column} = {value!r}"
        assert 1 <= row["position"] <= lines[row["shard"]]


def test_valid_records_are_stored_and_counts_add_up(
    program: ProgramConfig, data_dir: Path, db_url: str
) -> None:
    counts = _collect(program, data_dir, db_url)
    assert sum(c["stored"] for c in counts) == _count("stored")
    assert sum(c["duplicates"] for c in counts) == _count("duplicate")
    assert sum(c["quarantined"] for c in counts) == len(_expected_quarantine())
    with session_scope(db_url) as session:
        stored = session.scalar(select(func.count()).select_from(Mention))
        shards = {r.shard: r for r in session.scalars(select(Run).where(Run.stage == "collect"))}
        (nightly,) = session.scalars(select(Run).where(Run.stage == "nightly")).all()
    assert stored == _count("stored")
    assert {name: r.read for name, r in shards.items()} == {JSONL: len(JSONL_LINES), CSV: len(CSV_ROWS)}
    for row in [*shards.values(), nightly]:
        assert row.read == row.stored + row.duplicates + row.quarantined, row.shard
    assert nightly.read == len(JSONL_LINES) + len(CSV_ROWS)


def test_nothing_of_the_bad_records_is_stored(program: ProgramConfig, data_dir: Path, db_url: str) -> None:
    _collect(program, data_dir, db_url)
    dumps = dump_database(db_url)
    assert " bus " in "\n".join(dumps.values())  # the dump holds the stored text: the search is real
    assert search({"input": (data_dir / JSONL).read_bytes().decode("utf-8", "replace")}, NEEDLES)
    hits = search(dumps, NEEDLES)
    assert not hits, f"canaries stored: {hits}"


@pytest.mark.parametrize(
    ("field", "value"),
    [("platform", "Zebulon Quartermaine"), ("platform", "mastodon\x00"), ("lang", "en-x-k2z7r9")],
)
def test_free_text_in_stored_fields_is_not_kept(
    program: ProgramConfig, tmp_path: Path, db_url: str, field: str, value: str
) -> None:
    """`platform` and `lang` are copied into `mentions`: a record must not smuggle text through them."""
    path = tmp_path / "data" / JSONL
    path.parent.mkdir(parents=True)
    path.write_bytes(_line(_valid(1, **{field: value})) + b"\n")
    (shard,) = stages.plan_shards(program, DAY, tmp_path / "data")
    counts = stages.collect_redact_store(
        program, shard, run_id=RUN_ID, url=db_url, data_dir=tmp_path / "data", now=NOW
    )
    assert counts["read"] == counts["stored"] + counts["quarantined"] == 1
    with session_scope(db_url) as session:
        kept = session.scalars(select(getattr(Mention, field))).all()
    assert value not in kept, f"mentions.{field} holds the record's {value!r}"
