"""The nightly stage on a hand-made day of records, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from listening import stages
from listening.config import ProgramConfig, load_program
from listening.demo import file_drop_program
from listening.store.db import get_engine, session_scope
from listening.store.models import Mention, MentionTopic, Quarantine, RedactionLog, Run
from tests.support import DEMO_PROGRAM

DAY = dt.date(2026, 10, 5)
NOW = dt.datetime(2026, 10, 6, 3, tzinfo=dt.UTC)
CANARIES = ["Zebulon Quartermaine", "613-555-0187", "zq.canary@example.org", "9937001", "canary_author_88"]


def _line(**fields: object) -> str:
    base = {
        "id": "9937001",
        "platform": "mastodon",
        "author_id": "canary_author_88",
        "author_handle": "@zq@mastodon.social",
        "text": "Zebulon Quartermaine says the bus is late, call 613-555-0187 or zq.canary@example.org",
        "created_at": "2026-10-05T08:17:42+00:00",
        "url": "https://mastodon.social/@zq/9937001",
        "lang": "en",
    }
    return json.dumps({**base, **fields})


@pytest.fixture
def program() -> ProgramConfig:
    return file_drop_program(load_program(DEMO_PROGRAM))


@pytest.fixture
def day_files(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    folder = data / "city_services" / "mastodon"
    folder.mkdir(parents=True)
    lines = [
        _line(),
        _line(),  # the same post again
        _line(
            id="9937002",
            author_id="a2",
            text="Love the new splash pad at the park!",
            created_at="2026-10-05T10:05:00+00:00",
        ),
        _line(
            id="9937003",
            author_id="a3",
            text="Snow plows skipped our street, terrible",
            created_at="2026-10-05T22:59:59+00:00",
        ),
        "this is not json Zebulon Quartermaine",
        _line(id="9937004", text="Zebulon Quartermaine in french", lang="fr"),
        _line(id="9937005", created_at="2030-01-01T00:00:00+00:00"),
        _line(id="9937006", text="x" * 20_000),
        _line(id="9937007", created_at="2026-10-04T23:00:00+00:00"),
    ]
    (folder / f"{DAY}.jsonl").write_text("\n".join(lines) + "\n")
    return data


def _run(program: ProgramConfig, data: Path, url: str, run_id: str = "run-1") -> dict[str, int]:
    shards = stages.plan_shards(program, DAY, data)
    assert len(shards) == 1
    return stages.collect_redact_store(program, shards[0], run_id=run_id, url=url, data_dir=data, now=NOW)


def test_counts_add_up_and_quarantine_has_reasons(
    program: ProgramConfig, day_files: Path, db_url: str
) -> None:
    counts = _run(program, day_files, db_url)
    assert counts["read"] == 9
    assert (counts["stored"], counts["duplicates"], counts["quarantined"]) == (3, 1, 5)
    with session_scope(db_url) as session:
        reasons = sorted(session.scalars(select(Quarantine.reason)))
        topics = sorted(session.scalars(select(MentionTopic.topic)))
        hours = list(session.scalars(select(Mention.created_hour)))
        logged = session.execute(select(RedactionLog.entity_type, RedactionLog.recognizer)).all()
        run = session.scalars(select(Run)).one()
    assert reasons == [
        "future_timestamp",
        "invalid_json",
        "out_of_interval",
        "text_too_long",
        "unsupported_language",
    ]
    assert topics == ["parks", "snow", "transit"]
    assert all(h.minute == 0 and h.second == 0 for h in hours)
    assert {"PERSON", "PHONE_NUMBER", "EMAIL_ADDRESS"} <= {t for t, _ in logged}
    assert (run.read, run.stored, run.duplicates, run.quarantined) == (9, 3, 1, 5)


def test_rerun_is_idempotent(program: ProgramConfig, day_files: Path, db_url: str) -> None:
    _run(program, day_files, db_url)
    again = _run(program, day_files, db_url, run_id="run-2")
    assert again["stored"] == 0
    assert again["duplicates"] == 4
    with session_scope(db_url) as session:
        assert session.scalar(select(func.count()).select_from(Mention)) == 3
        assert session.scalar(select(func.count()).select_from(Quarantine)) == 5
        assert session.scalar(select(func.count()).select_from(RedactionLog)) >= 3


def test_no_raw_identifier_lands_in_any_table(program: ProgramConfig, day_files: Path, db_url: str) -> None:
    _run(program, day_files, db_url)
    engine = get_engine(db_url)
    dumped = []
    with engine.connect() as conn:
        for table in ("mentions", "mention_topics", "redaction_log", "quarantine", "runs", "pipeline_keys"):
            for row in conn.execute(text(f"SELECT * FROM {table}")):
                dumped.append(" ".join(str(v) for v in row))
    blob = "\n".join(dumped)
    assert "splash pad" in blob  # the dump does hold the redacted text: the search is real
    for canary in CANARIES:
        assert canary not in blob


def test_purge_with_a_fixed_clock(program: ProgramConfig, day_files: Path, db_url: str) -> None:
    _run(program, day_files, db_url)
    early = stages.purge(program, now=NOW + dt.timedelta(days=2), run_id="p1", url=db_url)
    assert early == {"texts_erased": 0, "log_rows_deleted": 0, "quarantine_rows_deleted": 0}
    week_later = stages.purge(program, now=dt.datetime(2026, 10, 13, tzinfo=dt.UTC), run_id="p2", url=db_url)
    assert week_later["quarantine_rows_deleted"] == 5
    assert week_later["texts_erased"] == 0
    month_later = stages.purge(program, now=dt.datetime(2026, 11, 5, tzinfo=dt.UTC), run_id="p3", url=db_url)
    assert month_later["texts_erased"] == 3
    year_later = stages.purge(program, now=dt.datetime(2027, 10, 6, tzinfo=dt.UTC), run_id="p4", url=db_url)
    assert year_later["log_rows_deleted"] >= 3
    with session_scope(db_url) as session:
        assert session.scalar(select(func.count()).where(Mention.text_redacted.is_not(None))) == 0
        assert session.scalar(select(func.count()).select_from(Mention)) == 3  # derived fields stay
        purges = session.scalars(select(Run).where(Run.stage == "purge")).all()
    assert len(purges) == 4
    assert purges[-1].details["log_rows_deleted"] >= 3


def test_nightly_stage_needs_no_network(program: ProgramConfig, day_files: Path, tmp_path: Path) -> None:
    """Invariant 6: with every socket refused, a whole shard is fetched, redacted and stored."""
    from pytest_socket import disable_socket, enable_socket

    from listening.store.db import upgrade

    url = f"sqlite:///{tmp_path / 'offline.db'}"
    upgrade(url)
    disable_socket(allow_unix_socket=False)
    try:
        counts = _run(program, day_files, url)
    finally:
        enable_socket()
    assert counts["stored"] == 3


def test_release_waits_for_a_privacy_officer(program: ProgramConfig, day_files: Path, db_url: str) -> None:
    manual = ProgramConfig.model_validate(
        {**program.model_dump(), "privacy": {**program.privacy.model_dump(), "auto_release": False}}
    )
    officer = manual.governance.privacy_officers[0]
    _run(manual, day_files, db_url)
    week = "2026-W41"
    assert stages.aggregate(manual, week, url=db_url)["status"] == "pending"
    assert stages.release(manual, week, url=db_url) == {"iso_week": week, "status": "awaiting_signoff"}
    with session_scope(db_url) as session:
        assert session.scalar(select(func.count()).where(Mention.author_key.is_not(None))) == 3
    review = stages.review(manual, week, url=db_url)
    assert review["status"] == "pending"
    assert review["accounting"] == {"read": 9, "stored": 3, "duplicates": 1, "quarantined": 5}
    # A re-run of the day: only the latest run counts, and it found the first run's records stored.
    _run(manual, day_files, db_url, run_id="run-2")
    review = stages.review(manual, week, url=db_url)
    assert review["accounting"] == {"read": 9, "stored": 0, "duplicates": 4, "quarantined": 5}
    signed = stages.decide(
        manual, week, decision="approve", user_id=officer.id, note="ok", channel="cli", url=db_url
    )
    assert signed["status"] == "released"
    assert signed["decided_by"] == officer.name
    with session_scope(db_url) as session:
        assert session.scalar(select(func.count()).where(Mention.author_key.is_not(None))) == 0
    written = stages.reports(manual, week, url=db_url)
    assert "report.html" in written["files"]


def test_an_unexpected_failure_carries_no_record_content(
    program: ProgramConfig, day_files: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from listening.privacy import redactor as redactor_module
    from listening.store.db import upgrade

    def explode(self: object, texts: list[str]) -> list[object]:
        raise ValueError(f"cannot redact {texts[0]!r}")

    url = f"sqlite:///{tmp_path / 'fail.db'}"
    upgrade(url)
    (shard,) = stages.plan_shards(program, DAY, day_files)
    monkeypatch.setattr(redactor_module.Redactor, "redact_batch", explode)
    with pytest.raises(stages.StageError) as info:
        stages.collect_redact_store(program, shard, run_id="r", url=url, data_dir=day_files, now=NOW)
    message = str(info.value)
    assert message.startswith("city_services/mastodon/2026-10-05.jsonl: ValueError")
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__
    assert all(canary not in message for canary in CANARIES)
    with session_scope(url) as session:
        assert session.scalar(select(func.count()).select_from(Mention)) == 0


def test_policy_version_with_the_model_is_recorded_and_reviewed(
    program: ProgramConfig, day_files: Path, db_url: str
) -> None:
    from listening.periods import iso_week
    from listening.privacy.engine import ner_model_version
    from listening.reports.review import privacy_review
    from listening.settings import get_settings

    model = ner_model_version(get_settings().ner_model)
    assert model  # the shipped social NER model is configured
    expected = f"{program.privacy.redaction.version}+ner{model}"
    _run(program, day_files, db_url)
    with session_scope(db_url) as session:
        on_mentions = set(session.scalars(select(Mention.policy_version)))
        on_log = set(session.scalars(select(RedactionLog.policy_version)))
        review = privacy_review(session, program, iso_week(DAY))
    assert on_mentions == on_log == {expected}
    assert review["policy_version"] == expected
    # The column holds the longest policy version a program may set.
    assert len(f"{'v' * 16}+ner{model}") <= Mention.__table__.c.policy_version.type.length
