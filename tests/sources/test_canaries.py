"""The canary suite through the platform connectors: identifiers and secrets planted in what four fake
platforms serve must appear in no table, log line, captured output or file the nightly stage writes."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from listening import stages
from listening.config import ProgramConfig
from listening.demo import CANARIES as TEXT_CANARIES
from listening.store.db import session_scope
from listening.store.models import Mention, Quarantine
from tests.e2e.support import canary_needles, dump_database, dump_tree, search
from tests.sources.fakes import (
    FakeBluesky,
    FakeFeeds,
    FakeMastodon,
    FakeReddit,
    FeedItem,
    Reply,
    bluesky_post,
    mastodon_account,
    mastodon_id,
    mastodon_status,
    reddit_link,
    rss2,
)
from tests.sources.support import DAY, at

SECRETS = {
    "PLATFORMS_TEST_MASTODON_TOKEN": "mastodon-canary-token-QZ7731",
    "PLATFORMS_TEST_BSKY_HANDLE": "canary-login-7731.bsky.social",
    "PLATFORMS_TEST_BSKY_PASSWORD": "qzqz-7731-canary-apppw",
    "PLATFORMS_TEST_REDDIT_ID": "canaryclientid7731",
    "PLATFORMS_TEST_REDDIT_SECRET": "canary-reddit-secret-QZ7731",
}
MASTODON_ACCOUNT = mastodon_account("109773100007731999", "zebq7731", "mastodon.example")
MASTODON_POST = mastodon_id(at(10, 17), 7731)
BSKY_DID = "did:plc:zqcanaryseven7quillzzzzz"
BSKY_HANDLE = "zebq-canary-7731.bsky.social"
REDDIT_AUTHOR = "zebq_canary_7731"
FIELD_CANARIES = (
    MASTODON_POST,
    MASTODON_ACCOUNT["id"],
    "zebq7731@mastodon.example",
    BSKY_DID,
    BSKY_HANDLE,
    "3lzqcanary7ab",
    "t3_zqcan7731",
    "t2_zqcanary7731",
    REDDIT_AUTHOR,
    "feed-entry-zqcanary-7731",
)
TEXTS = [f"The pothole on Elm is still there. {value}" for value in TEXT_CANARIES[:20]]


def _mastodon() -> list[dict[str, Any]]:
    other = mastodon_account("1090000000000002", "neighbour")
    out = [
        mastodon_status(mastodon_id(at(8, i), i), at(8, i), f"<p>{t.replace('&', '&amp;')}</p>", other)
        for i, t in enumerate(TEXTS)
    ]
    canary = mastodon_status(
        MASTODON_POST, at(10, 17), "<p>Snow plow missed my street &#128545;</p>", MASTODON_ACCOUNT
    )
    boost = mastodon_status(mastodon_id(at(11, 0), 1), at(11, 0), "", other, reblog=canary)
    # 38 posts between the canary and the boost make the canary's id the next page's `max_id`.
    filler = [
        mastodon_status(mastodon_id(at(10, 20 + i), i), at(10, 20 + i), "<p>Bus late again</p>", other)
        for i in range(38)
    ]
    return [*out, canary, *filler, boost]


def _bluesky() -> list[dict[str, Any]]:
    out = [
        bluesky_post("did:plc:neighbour", "neighbour.bsky.social", f"3lnb{i:04d}", at(9, i), t)
        for i, t in enumerate(TEXTS)
    ]
    return [*out, bluesky_post(BSKY_DID, BSKY_HANDLE, "3lzqcanary7ab", at(12, 5), "pothole canary post")]


def _reddit() -> list[dict[str, Any]]:
    out = [
        reddit_link(f"nb{i:04d}", "neighbour", at(13, i), "Pothole thread", t) for i, t in enumerate(TEXTS)
    ]
    canary = reddit_link("zqcan7731", REDDIT_AUTHOR, at(14, 0), "Pothole on Elm", "Still there")
    canary["data"]["author_fullname"] = "t2_zqcanary7731"
    return [*out, canary]


def _feed() -> bytes:
    items = [FeedItem(f"n{i}", "Pothole notice", f"<p>{t}</p>", at(15, i)) for i, t in enumerate(TEXTS)]
    return rss2(
        [
            *items,
            FeedItem(
                "feed-entry-zqcanary-7731", "Pothole update", "<p>Fixed</p>", at(16), author=REDDIT_AUTHOR
            ),
        ]
    )


def _program(masto: str, bsky: str, reddit: str, feeds: str) -> ProgramConfig:
    limits = {"rate_limit": 100}
    sources = [
        {
            "name": "masto",
            "kind": "mastodon",
            "base_url": masto,
            "hashtags": ["PortAlder"],
            "search": ["pothole"],
            "env": {"token": "PLATFORMS_TEST_MASTODON_TOKEN"},
        }
        | limits,
        {
            "name": "bsky",
            "kind": "bluesky",
            "base_url": bsky,
            "search": ["pothole"],
            "env": {"login": "PLATFORMS_TEST_BSKY_HANDLE", "password": "PLATFORMS_TEST_BSKY_PASSWORD"},
        }
        | limits,
        {
            "name": "reddit_city",
            "kind": "reddit",
            "base_url": reddit,
            "auth_url": f"{reddit}/api/v1/access_token",
            "subreddits": ["portalder"],
            "env": {"login": "PLATFORMS_TEST_REDDIT_ID", "password": "PLATFORMS_TEST_REDDIT_SECRET"},
        }
        | limits,
        {"name": "city_news", "kind": "rss", "url": f"{feeds}/feed.xml"} | limits,
    ]
    return ProgramConfig.model_validate(
        {
            "program": "platform_canaries",
            "title": "Platform canaries",
            "governance": {
                "purpose": "Canary suite through the platform connectors.",
                "approver": "Tests",
                "review_date": "2099-01-01",
            },
            "sources": sources,
            "topics": [
                {"id": "roads", "label": "Roads", "phrases": ["pothole"]},
                {"id": "snow", "label": "Snow", "phrases": ["snow plow"]},
            ],
            "privacy": {"auto_release": True, "redaction": {"allow_list": []}},
        }
    )


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """LISTENING_HOME (the feed state) and TMPDIR inside the test's folder, secrets in the environment."""
    from listening.settings import get_settings

    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("LISTENING_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", None)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_no_canary_or_secret_lands_anywhere(
    isolated: Path, db_url: str, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    # INFO, as Airflow's task logs are kept (Presidio logs context words at DEBUG); the project's at DEBUG.
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="listening")
    mastodon = FakeMastodon(_mastodon(), token=SECRETS["PLATFORMS_TEST_MASTODON_TOKEN"])
    bluesky = FakeBluesky(
        _bluesky(),
        identifier=SECRETS["PLATFORMS_TEST_BSKY_HANDLE"],
        password=SECRETS["PLATFORMS_TEST_BSKY_PASSWORD"],
    )
    reddit = FakeReddit(
        _reddit(),
        client_id=SECRETS["PLATFORMS_TEST_REDDIT_ID"],
        secret=SECRETS["PLATFORMS_TEST_REDDIT_SECRET"],
    )
    feeds = FakeFeeds({"/feed.xml": (_feed(), "application/rss+xml")})
    with mastodon, bluesky, reddit, feeds:
        mastodon.script(
            "/api/v1/timelines/tag/",
            Reply(500, b"<p>Zebulon Quartermaine</p>", {"Content-Type": "text/html"}),
        )
        bluesky.script(
            "/xrpc/app.bsky.feed.searchPosts",
            Reply(200, b'{"posts": [Zebulon', {"Content-Type": "application/json"}),
        )
        program = _program(mastodon.url, bluesky.url, reddit.url, feeds.url)
        now = dt.datetime.combine(DAY + dt.timedelta(days=1), dt.time(3), tzinfo=dt.UTC)
        shards = stages.plan_shards(program, DAY, isolated / "data", today=DAY)
        counts = [
            stages.collect_redact_store(
                program, shard, run_id="canary-run", url=db_url, data_dir=isolated / "data", now=now
            )
            for shard in shards
        ]
        # the bluesky search's first page was malformed: a second run of the slice reads it whole
        again = [
            stages.collect_redact_store(program, s, run_id="canary-rerun", url=db_url, now=now)
            for s in shards
        ]
    assert [s["slice"] for s in shards] == [
        "tag:PortAlder",
        "search:pothole",
        "search:pothole",
        "sub:portalder",
        "feed:0",
    ]
    stored = sum(c["stored"] for c in counts + again)
    assert stored == 20 + 1 + 38 + 20 + 1 + 20 + 1 + 20 + 1
    assert any(s.query.get("max_id") == MASTODON_POST for s in mastodon.requests)  # paged past the canary
    assert sum(c["read"] for c in counts) == sum(
        c["stored"] + c["duplicates"] + c["quarantined"] for c in counts
    )
    with session_scope(db_url) as session:
        texts = list(session.scalars(select(Mention.text_redacted)))
        reasons = sorted(session.scalars(select(Quarantine.reason)))
    assert reasons == ["malformed_page"]
    assert any("pothole" in t.lower() for t in texts)  # the search below reads real stored text

    needles = canary_needles([*TEXT_CANARIES[:20], *FIELD_CANARIES, *SECRETS.values()])
    places = {f"db:{k}": v for k, v in dump_database(db_url).items()}
    places |= dump_tree(isolated, exclude=[isolated / "listening.db"])
    out, err = capfd.readouterr()
    places |= {"log": caplog.text, "stdout": out, "stderr": err}
    assert search(places, needles) == {}
