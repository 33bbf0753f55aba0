"""Both HTML reports in headless Chromium (Debian's, driven by Playwright): they render with no console
error and no network request, and show their charts. A screenshot of each is saved under
`.local/test-output/browser/` (or $LISTENING_TEST_OUTPUT) for a person to look at.

`make test` installs Debian's `chromium` when it is missing; nothing here downloads a browser.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from listening.aggregate.release import auto_release
from listening.aggregate.weekly import aggregate_week
from listening.config import load_program
from listening.periods import week_start
from listening.privacy import keys
from listening.reports.weekly import write_reports
from listening.store import db
from listening.store.db import session_scope
from listening.store.models import Mention, MentionTopic, RedactionLog, Run
from tests.support import DEMO_PROGRAM, ROOT

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
WEEKS = ("2026-W08", "2026-W09", "2026-W10", "2026-W11")
PROGRAM = load_program(DEMO_PROGRAM)
TEXTS = (
    ("The bus was late again on route 7, transit is a mess", ("transit",), "negative"),
    ("Thanks to the crews who fixed the pothole on our road", ("roads",), "positive"),
    ("Snow plow came by twice, sidewalks are clear", ("snow",), "positive"),
    ("Boil water advisory again? Tap water smells odd", ("water",), "negative"),
    ("Green bin collection day moved again, garbage everywhere", ("waste",), "negative"),
    ("The new splash pad at the park is lovely", ("parks",), "positive"),
    ("Building permit took three months, is that normal", ("permits",), "negative"),
    ("Cars speeding past the school, it's unsafe", ("safety",), "negative"),
    ("Farmers market opens Saturday at the harbour", (), "neutral"),
)


def output_folder() -> Path:
    folder = Path(os.environ.get("LISTENING_TEST_OUTPUT") or ROOT / ".local" / "test-output") / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _seed(url: str) -> None:
    """Four weeks of mentions, each aggregated and released; a run-log row and a redaction per day."""
    for n, week in enumerate(WEEKS):
        day = week_start(week) + dt.timedelta(days=2)
        with session_scope(url) as session:
            secret = keys.week_key(session, PROGRAM.program, week)
            for i in range(60 + 40 * n):
                text, topics, label = TEXTS[i % len(TEXTS)]
                mention = Mention(
                    program=PROGRAM.program,
                    post_key=uuid.uuid4().hex,
                    # A few forum posts a week: its cells fall below k and are suppressed.
                    source=PROGRAM.sources[2 if i % 25 == 0 else i % 2].name,
                    platform="test",
                    created_hour=dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC),
                    day=day,
                    iso_week=week,
                    author_key=keys.keyed_hash(secret, f"a{i}"),
                    text_redacted=f"<PERSON> says: {text}" if i % 9 == 0 else text,
                    sentiment_compound={"negative": -0.5, "positive": 0.5}.get(label, 0.0),
                    sentiment_label=label,
                    policy_version="1",
                    run_id="seed",
                )
                session.add(mention)
                session.flush()
                session.add_all(MentionTopic(mention_id=mention.id, topic=t) for t in topics)
                if i % 9 == 0:
                    session.add(
                        RedactionLog(
                            program=PROGRAM.program,
                            mention_id=mention.id,
                            day=day,
                            entity_type="PERSON",
                            start=0,
                            end=9,
                            score=0.45 if i % 2 else 0.85,
                            recognizer="SpacyRecognizer",
                            policy_version="1",
                            run_id="seed",
                        )
                    )
            total = 60 + 40 * n
            session.add(
                Run(
                    run_id=f"seed-{week}",
                    program=PROGRAM.program,
                    stage="nightly",
                    shard="",
                    period=day.isoformat(),
                    status="success",
                    started_at=dt.datetime.combine(day, dt.time(23), tzinfo=dt.UTC),
                    read=total + 3,
                    stored=total,
                    duplicates=2,
                    quarantined=1,
                    details={},
                    config_fingerprint=PROGRAM.fingerprint,
                )
            )
        with session_scope(url) as session:
            aggregate_week(session, PROGRAM, week)
            auto_release(session, PROGRAM, week)


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    root = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{root / 'listening.db'}"
    db.upgrade(url)
    _seed(url)
    with session_scope(url) as session:
        written = write_reports(session, PROGRAM, WEEKS[-1], out_dir=root / "exports")
    folder = Path(written["folder"])
    yield {"analyst": folder / "report.html", "privacy": folder / "privacy_review.html"}
    db.get_engine(url).dispose()
    db.get_engine.cache_clear()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} is missing: `make test` installs Debian's chromium (apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.mark.parametrize(
    ("report", "min_charts"),
    [("analyst", 2 * (len(PROGRAM.topics) + 1)), ("privacy", 1)],
)
def test_report_renders_offline_with_its_charts(
    browser: Any, reports: dict[str, Path], report: str, min_charts: int
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda request: requests.append(request.url))
    url = reports[report].resolve().as_uri()
    page.goto(url, wait_until="load")

    assert errors == []
    assert requests == [url], "the report asked for something besides itself"
    charts = page.locator("main svg")
    assert charts.count() >= min_charts
    for i in range(min_charts):
        box = charts.nth(i).bounding_box()
        assert box is not None
        assert box["width"] > 100
        assert box["height"] > 100
        assert charts.nth(i).locator("rect, circle, polyline").count() > 0, f"chart {i} draws nothing"
    heading = page.locator("h1").inner_text()
    assert WEEKS[-1] in heading
    shot = output_folder() / f"{report}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    page.close()


def test_the_analyst_report_reads_suppressed_and_signed_numbers_right(
    browser: Any, reports: dict[str, Path]
) -> None:
    page = browser.new_page()
    page.goto(reports["analyst"].resolve().as_uri())
    text = page.locator("main").inner_text()
    page.close()
    for wrong in ("-0%", "-0.00", "mastodon_export", "bluesky_export", "nan", "None"):
        assert wrong not in text, wrong
    assert "Mastodon" in text
    assert "Emerging terms" in text
    assert "Topic coverage" in text


def test_csv_and_parquet_exports_have_the_documented_columns(reports: dict[str, Path]) -> None:
    import json

    import pandas as pd

    from listening.schemas import SCHEMA_DIR

    folder = reports["analyst"].parent
    for stem, schema in (("trends", "trend_row.schema.json"), ("terms", "emerging_term.schema.json")):
        documented = list(json.loads((SCHEMA_DIR / schema).read_text())["properties"])
        csv_columns = list(pd.read_csv(folder / f"{stem}.csv").columns)
        parquet_columns = list(pd.read_parquet(folder / f"{stem}.parquet").columns)
        assert csv_columns == parquet_columns, stem
        assert sorted(csv_columns) == sorted(documented), stem
    trends = pd.read_csv(folder / "trends.csv")
    suppressed = trends[trends["suppressed"]]
    assert len(suppressed) > 0, "the seed has small cells"
    assert suppressed["mentions"].isna().all()  # suppressed reads as missing, never 0
    assert not (trends["source"] == "all").all()
