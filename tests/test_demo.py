"""The demo-data generator: deterministic, realistic enough, and faithful to the record contract."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from listening import demo
from listening.config import load_program
from listening.records import MentionIn, Reason, Rejected, decode_json_line, validate_record
from listening.sources.base import ConnectorContext
from listening.sources.registry import build_connector
from listening.stages import day_window

ROOT = Path(__file__).resolve().parent.parent
START = dt.date(2026, 1, 5)  # a Monday in winter
NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
NEGATIVE = re.compile(
    r"\b(terrible|awful|horrible|useless|ridiculous|pathetic|disaster|worst|disgrace|hate|frustrating|"
    r"disappointed|unacceptable|angry|mess)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Parsed:
    source: str
    day: dt.date
    raw: bytes | list[str]
    result: MentionIn | Rejected


@dataclass(frozen=True)
class Demo:
    root: Path
    manifest: demo.GenerationManifest
    parsed: list[Parsed]
    seconds: float

    @property
    def valid(self) -> list[Parsed]:
        return [p for p in self.parsed if isinstance(p.result, MentionIn)]


def _parse_file(source: demo.DemoSource, path: Path) -> list[Parsed]:
    day = dt.date.fromisoformat(path.stem)
    data = path.read_bytes()
    out: list[Parsed] = []
    if source.format == "jsonl":
        for line in data.split(b"\n")[:-1]:
            obj = decode_json_line(line)
            result = obj if isinstance(obj, Rejected) else validate_record(obj, now=NOW, languages=["en"])
            out.append(Parsed(source.name, day, line, result))
        return out
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert tuple(rows[0]) == demo.FIELDS
    for row in rows[1:]:
        if len(row) != len(demo.FIELDS):
            out.append(Parsed(source.name, day, row, Rejected(Reason.INVALID_CSV)))
            continue
        record = {k: v for k, v in zip(demo.FIELDS, row, strict=True) if v != ""}  # as the file source does
        out.append(Parsed(source.name, day, row, validate_record(record, now=NOW, languages=["en"])))
    return out


def _parse_all(root: Path, start: dt.date, days: int) -> list[Parsed]:
    parsed: list[Parsed] = []
    for d in range(days):
        day = start + dt.timedelta(days=d)
        for source in demo.SOURCES:
            parsed += _parse_file(source, root / source.path.format(date=day.isoformat()))
    return parsed


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    root = tmp_path_factory.mktemp("demo")
    began = time.perf_counter()
    manifest = demo.generate(root, start=START)
    seconds = time.perf_counter() - began
    return Demo(root, manifest, _parse_all(root, START, 42), seconds)


@pytest.fixture(scope="module")
def topics() -> dict[str, re.Pattern[str]]:
    program = load_program(ROOT / "pipelines" / "city_services.yaml")
    return {
        t.id: re.compile(
            r"(?<!\w)(?:" + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in t.phrases) + r")(?!\w)",
            re.IGNORECASE,
        )
        for t in program.topics
    }


def _week(p: Parsed) -> int:
    return (p.day - START).days // 7


def test_same_seed_same_bytes_other_seed_other_bytes(run: Demo, tmp_path: Path) -> None:
    again = demo.generate(tmp_path / "again", start=START)
    other = demo.generate(tmp_path / "other", start=START, days=2, seed=7)
    assert [p.relative_to(tmp_path / "again") for p in again.files] == [
        p.relative_to(run.root) for p in run.manifest.files
    ]
    for mine, theirs in zip(run.manifest.files, again.files, strict=True):
        assert mine.read_bytes() == theirs.read_bytes(), mine.name
    assert again == demo.GenerationManifest(**{**vars(run.manifest), "files": again.files})
    assert other.files[0].read_bytes() != run.manifest.files[0].read_bytes()


def test_fast(run: Demo) -> None:
    assert run.seconds < 10


def test_files_match_the_program_sources(run: Demo) -> None:
    program = load_program(ROOT / "pipelines" / "city_services.yaml")
    assert {(s.name, s.platform) for s in program.sources} == {(s.name, s.platform) for s in demo.SOURCES}
    # The forum is a file drop; Mastodon and Bluesky come from the replay of their files.
    assert {(s.name, s.path, s.format) for s in program.sources if s.kind == "file"} == {
        (s.name, s.path, s.format) for s in demo.SOURCES if s.format == "csv"
    }
    assert {s.kind for s in program.sources} == {"file", "mastodon", "bluesky"}
    files = demo.file_drop_program(program)
    assert {(s.name, s.path, s.format, s.platform) for s in files.sources} == {
        (s.name, s.path, s.format, s.platform) for s in demo.SOURCES
    }
    assert len(run.manifest.files) == 42 * 3
    assert all(p.is_file() for p in run.manifest.files)


def test_volumes_and_split(run: Demo) -> None:
    m = run.manifest
    assert m.records == len(run.parsed) == sum(m.per_source.values())
    per_day = Counter(p.day for p in run.parsed)
    assert len(per_day) == 42
    assert all(200 <= n <= 420 for n in per_day.values()), per_day
    shares = {name: n / m.records for name, n in m.per_source.items()}
    assert shares["mastodon_export"] == pytest.approx(0.50, abs=0.03)
    assert shares["bluesky_export"] == pytest.approx(0.35, abs=0.03)
    assert shares["forum_export"] == pytest.approx(0.15, abs=0.03)
    assert 0.005 <= m.malformed / m.records <= 0.02
    assert 0.01 <= m.duplicates / m.records <= 0.03


def test_every_record_is_accepted_or_rejected_as_intended(run: Demo) -> None:
    m = run.manifest
    reasons = Counter(str(p.result.reason) for p in run.parsed if isinstance(p.result, Rejected))
    assert reasons == Counter(m.malformed_by_reason)
    assert len(run.valid) == m.records - m.malformed
    assert set(reasons) == {
        "invalid_json",
        "invalid_utf8",
        "not_an_object",
        "missing_field",
        "invalid_field",
        "empty_text",
        "control_characters",
        "future_timestamp",
        "unsupported_language",
        "invalid_csv",
    }
    per_file = Counter((p.source, p.day) for p in run.parsed if isinstance(p.result, Rejected))
    assert max(per_file.values()) <= 8


def test_duplicates_are_verbatim_in_same_or_next_day_file(run: Demo) -> None:
    first: dict[str, Parsed] = {}
    repeats = 0
    for p in run.valid:
        assert isinstance(p.result, MentionIn)
        seen = first.setdefault(p.result.id, p)
        if seen is not p:
            repeats += 1
            assert seen.raw == p.raw
            assert seen.source == p.source
            assert (p.day - seen.day).days in (0, 1)
    assert repeats == run.manifest.duplicates


def test_records_are_platform_shaped(run: Demo) -> None:
    shapes = {
        "mastodon": (r"\d{17,19}", r"\d{17,19}", r"@[a-z0-9_]+@[a-z.]+", r"https://[a-z.]+/@[a-z0-9_]+/\d+"),
        "bluesky": (
            r"at://did:plc:[a-z2-7]{24}/app\.bsky\.feed\.post/[2-7a-z]{13}",
            r"did:plc:[a-z2-7]{24}",
            r"@[a-z0-9-]+\.bsky\.social",
            r"https://bsky\.app/profile/[a-z0-9.-]+/post/[2-7a-z]{13}",
        ),
        "forum": (r"t3_[0-9a-z]+", r"u_[0-9a-z]+", r"u/[a-z0-9_]+", r"https://forum\.portalder\.example/.+/"),
    }
    for p in run.valid:
        rec = p.result
        assert isinstance(rec, MentionIn)
        assert rec.platform is not None
        assert rec.lang == "en"
        for pattern, value in zip(
            shapes[rec.platform], (rec.id, rec.author_id, rec.author_handle, rec.url), strict=True
        ):
            assert value is not None
            assert re.fullmatch(pattern, value), (pattern, value)


def test_timestamps_fall_in_the_files_utc_day_and_spread_over_it(run: Demo) -> None:
    seen: set[str] = set()
    hours: Counter[int] = Counter()
    late = 0
    for p in run.valid:
        rec = p.result
        assert isinstance(rec, MentionIn)
        assert rec.created_at.utcoffset() is not None
        if rec.id in seen:
            late += rec.created_at.astimezone(dt.UTC).date() != p.day
            continue
        seen.add(rec.id)
        assert rec.created_at.astimezone(dt.UTC).date() == p.day
        hours[rec.created_at.astimezone(dt.UTC).hour] += 1
    assert len(hours) == 24
    assert late == run.manifest.late_duplicates > 0


#: Quarantine reasons that a platform API's item keeps; the others become `malformed_item` (a broken
#: line is served as an item the connector cannot map) or stay as they were (`invalid_field`, `invalid_csv`).
_KEPT_BY_THE_REPLAY = {"control_characters", "empty_text", "future_timestamp", "unsupported_language"}


def test_the_program_reads_every_record_as_intended(run: Demo) -> None:
    """Through the connectors: the forum's files, and Mastodon and Bluesky from the replay server."""
    from listening.demo_replay import replaying

    program = load_program(ROOT / "pipelines" / "city_services.yaml")
    reasons: Counter[str] = Counter()
    stored = 0
    with replaying(run.root):
        stored = _read_every_day(program, run, reasons)
    m = run.manifest
    assert sum(reasons.values()) == m.malformed
    assert stored == m.records - m.malformed
    for reason in _KEPT_BY_THE_REPLAY:
        assert reasons[reason] == m.malformed_by_reason.get(reason, 0), reason
    assert reasons["malformed_item"] > 0
    assert set(reasons) <= _KEPT_BY_THE_REPLAY | {"malformed_item", "invalid_field", "invalid_csv"}


def test_the_file_drops_read_every_file_as_intended(run: Demo) -> None:
    program = demo.file_drop_program(load_program(ROOT / "pipelines" / "city_services.yaml"))
    reasons: Counter[str] = Counter()
    stored = _read_every_day(program, run, reasons)
    m = run.manifest
    # Late duplicates are valid records; the nightly stage counts them as duplicates.
    assert reasons == Counter(m.malformed_by_reason)
    assert stored == m.records - m.malformed


def _read_every_day(program: Any, run: Demo, reasons: Counter[str]) -> int:
    stored = 0
    for d in range(42):
        day = START + dt.timedelta(days=d)
        for config in program.sources:
            source = build_connector(program, config.name, ConnectorContext(run.root))
            for shard in source.plan(day_window(program, day)):
                for raw in source.read(shard, day_window(program, day)):
                    outcome = (
                        raw.payload
                        if isinstance(raw.payload, Rejected)
                        else validate_record(raw.payload, now=NOW, languages=program.languages)
                    )
                    if isinstance(outcome, Rejected):
                        reasons[str(outcome.reason)] += 1
                    else:
                        stored += 1
    return stored


def test_authors_are_reused_with_skew(run: Demo) -> None:
    by_source: dict[str, Counter[str]] = defaultdict(Counter)
    for p in run.valid:
        assert isinstance(p.result, MentionIn)
        by_source[p.source][p.result.author_id] += 1
    for posts in by_source.values():
        counts = sorted(posts.values(), reverse=True)
        assert len(counts) < sum(counts) / 3
        assert counts[0] >= 10 * counts[len(counts) // 2]


def test_topic_cells_mostly_publishable_and_forum_has_small_ones(
    run: Demo, topics: dict[str, re.Pattern[str]]
) -> None:
    authors: dict[tuple[str, str, int], set[str]] = defaultdict(set)
    off_topic = 0
    for p in run.valid:
        rec = p.result
        assert isinstance(rec, MentionIn)
        matched = [t for t, rx in topics.items() if rx.search(rec.text)]
        off_topic += not matched
        for t in matched:
            authors[(p.source, t, _week(p))].add(rec.author_id)
    assert 0.07 <= off_topic / len(run.valid) <= 0.14
    for source in ("mastodon_export", "bluesky_export"):
        cells = [len(authors[(source, t, w)]) for t in topics for w in range(6)]
        assert sum(n >= 10 for n in cells) / len(cells) >= 0.9, (source, cells)
    forum = [len(authors[("forum_export", t, w)]) for t in topics for w in range(6)]
    assert any(n < 10 for n in forum)
    assert sum(n >= 10 for n in forum) >= len(forum) // 2


def test_water_spikes_in_week_four(run: Demo, topics: dict[str, re.Pattern[str]]) -> None:
    weekly = Counter(
        _week(p)
        for p in run.valid
        if isinstance(p.result, MentionIn) and topics["water"].search(p.result.text)
    )
    others = [weekly[w] for w in range(6) if w != demo.SPIKE_WEEK]
    assert weekly[demo.SPIKE_WEEK] >= 2.5 * (sum(others) / len(others))
    assert (
        sum(
            "boil water" in p.result.text.lower()
            for p in run.valid
            if isinstance(p.result, MentionIn) and _week(p) == demo.SPIKE_WEEK
        )
        >= 100
    )


def test_transit_turns_negative_after_the_route_change(run: Demo, topics: dict[str, re.Pattern[str]]) -> None:
    before, after = [], []
    for p in run.valid:
        rec = p.result
        assert isinstance(rec, MentionIn)
        if topics["transit"].search(rec.text):
            (before if _week(p) < demo.SHIFT_WEEK else after).append(bool(NEGATIVE.search(rec.text)))
    assert sum(before) / len(before) < 0.3
    assert sum(after) / len(after) > 0.55


def test_planted_identifiers_are_varied(run: Demo) -> None:
    texts = [p.result.text for p in run.valid if isinstance(p.result, MentionIn)]
    patterns = {
        "email": r"[\w.+-]+@[\w-]+\.[a-z]{2,}\b",
        "phone_paren": r"\(\d{3}\) \d{3}-\d{4}",
        "phone_dots": r"\b\d{3}\.\d{3}\.\d{4}\b",
        "phone_plus": r"\+1 \d{3} \d{3} \d{4}",
        "handle_local": r"(?<![\w@])@[a-z0-9_]+(?![\w@.])",
        "handle_fedi": r"@[a-z0-9_]+@[a-z]+\.[a-z]+",
        "handle_bsky": r"@[a-z0-9-]+\.bsky\.social",
        "address_unit": r"#\d+-\d+ \w+",
        "address_apt": r"\d+ \w+ \w+( [NEW])? apt \d+",
        "profile_url": r"https://\S+/(@|profile/|user/)\S+",
        "upper_name": r"\b[A-Z]{3,} [A-Z]{3,}\b",
    }
    for name, pattern in patterns.items():
        assert sum(bool(re.search(pattern, t)) for t in texts) >= 5, name
    with_pii = sum(bool(re.search("|".join(patterns.values()), t)) for t in texts)
    assert 0.08 <= with_pii / len(texts) <= 0.3


def test_canaries_are_distinct_and_all_planted(run: Demo) -> None:
    assert len(demo.CANARIES) >= 24
    assert len(set(demo.CANARIES)) == len(demo.CANARIES)
    assert run.manifest.canaries == demo.CANARIES
    valid = [p.result for p in run.valid if isinstance(p.result, MentionIn)]
    texts = "\n".join(r.text for r in valid)
    fields = {v for r in valid for v in (r.id, r.author_id, r.author_handle, r.url)}
    for canary in demo.CANARIES:
        assert canary in texts or canary in fields, canary
    assert {"Zebulon Quartermaine", "046 454 286", "613-555-0187", "7731 Wintergreen Crescent"} <= {
        c for c in demo.CANARIES if c in texts
    }
    digits = [int(c) for c in "046454286"]
    assert sum(d if i % 2 == 0 else sum(divmod(2 * d, 10)) for i, d in enumerate(digits)) % 10 == 0
    rejected = b"\n".join(
        p.raw if isinstance(p.raw, bytes) else ",".join(p.raw).encode()
        for p in run.parsed
        if isinstance(p.result, Rejected)
    )
    assert sum(c.encode() in rejected for c in demo.CANARIES) >= 4


def test_no_canaries_when_disabled(tmp_path: Path) -> None:
    manifest = demo.generate(tmp_path, start=START, days=7, canaries=False)
    blob = b"".join(p.read_bytes() for p in manifest.files)
    assert manifest.canaries == ()
    assert not [c for c in demo.CANARIES if c.encode() in blob]


def test_short_runs_still_work(tmp_path: Path) -> None:
    manifest = demo.generate(tmp_path, start=dt.date(2026, 7, 1), days=1)
    assert len(manifest.files) == 3
    assert manifest.records > 200
    blob = b"".join(p.read_bytes() for p in manifest.files)
    assert all(c.encode() in blob for c in demo.CANARIES)


def test_csv_is_readable_with_the_csv_module(run: Demo) -> None:
    for path in run.root.glob("city_services/forum/*.csv"):
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        assert rows
        assert all(row["id"].startswith("t3_") for row in rows if None not in row and row["id"])


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2026, 3, 18), dt.date(2026, 2, 2)),
        (dt.date(2026, 3, 16), dt.date(2026, 2, 2)),
        (dt.date(2026, 3, 22), dt.date(2026, 2, 2)),
        (dt.date(2026, 1, 1), dt.date(2025, 11, 17)),
    ],
)
def test_default_start(today: dt.date, expected: dt.date) -> None:
    assert demo.default_start(today) == expected
    assert demo.default_start().weekday() == 0


def test_cli_prints_one_line_of_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert demo.main(["--out", str(tmp_path), "--start", "2026-02-02", "--days", "2", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    assert "records" in out
    assert "malformed" in out
    assert len(list(tmp_path.rglob("*.jsonl"))) == 4
    assert len(list(tmp_path.rglob("*.csv"))) == 2
    with pytest.raises(SystemExit):
        demo.main(["--out", str(tmp_path), "--days", "0"])
