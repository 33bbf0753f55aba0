"""The Bluesky connector against a fake PDS/AppView on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from listening.sources.base import Credentials, SourceError
from listening.sources.bluesky import BlueskyConnector, map_post
from tests.sources.fakes import FakeBluesky, Reply, bluesky_post
from tests.sources.support import WINDOW, at, connector, payloads, read_all, rejections

HANDLE, APP_PASSWORD = "listening.bsky.social", "abcd-efgh-ijkl-7731"
CREDS = Credentials(login=HANDLE, password=APP_PASSWORD)


def posts(n: int = 250) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        when = at(0, 1) + dt.timedelta(seconds=340 * i)
        did = f"did:plc:author{i % 7:02d}xxxxxxxxxxxxxxxx"
        out.append(
            bluesky_post(did, f"author{i % 7}.bsky.social", f"3lpost{i:05d}", when, f"pothole report {i} 🚧")
        )
    out.append(
        bluesky_post(
            "did:plc:old",
            "old.bsky.social",
            "3lold",
            at(12, 0, WINDOW.start.date() - dt.timedelta(days=2)),
            "old pothole",
        )
    )
    broken = bluesky_post("did:plc:broken", "broken.bsky.social", "3lbroken", at(12, 30), "pothole broken")
    del broken["record"]["createdAt"]
    broken["indexedAt"] = "2026-10-06T12:30:00.000Z"
    return [*out, broken]


def source(url: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": "bsky",
        "kind": "bluesky",
        "base_url": url,
        "rate_limit": 100,
        "search": ["pothole"],
    } | extra


def test_search_pages_with_cursor_session_refresh_and_retries(tmp_path: Path) -> None:
    with FakeBluesky(posts(), identifier=HANDLE, password=APP_PASSWORD, expire_after=2) as server:
        server.script(
            "/xrpc/app.bsky.feed.searchPosts",
            Reply.json({"error": "RateLimitExceeded"}, 429, **{"Retry-After": "1"}),
        )
        server.script(
            "/xrpc/app.bsky.feed.searchPosts", Reply(500, b"{}", {"Content-Type": "application/json"})
        )
        records = read_all(connector(source(server.url), tmp_path, CREDS))
    searches = [s for s in server.hits("/xrpc/app.bsky.feed.searchPosts") if s.query.get("cursor") is None]
    assert searches[0].query["since"] == "2026-10-06T00:00:00.000Z"
    assert searches[0].query["until"] == "2026-10-07T00:00:00.000Z"
    assert searches[1].at - searches[0].at >= 0.95
    assert server.refreshes == 1
    texts = [m["text"] for m in payloads(records)]
    assert sorted(texts) == sorted(f"pothole report {i} 🚧" for i in range(250))
    assert rejections(records) == ["malformed_item"]
    assert {m["author_handle"] for m in payloads(records)} == {f"@author{i}.bsky.social" for i in range(7)}
    first = payloads(records)[0]
    assert first["url"].startswith("https://bsky.app/profile/author")
    assert first["lang"] == "en"


def test_a_window_over_the_result_cap_is_read_in_narrower_windows(tmp_path: Path) -> None:
    with FakeBluesky(posts(), identifier=HANDLE, password=APP_PASSWORD, cap=120) as server:
        conn = connector(source(server.url), tmp_path, CREDS)
        assert isinstance(conn, BlueskyConnector)
        conn.search_cap = 120
        records = read_all(conn)
    ids = [m["id"] for m in payloads(records)]
    assert len(ids) == len(set(ids)) == 250
    windows = {(s.query["since"], s.query["until"]) for s in server.hits("/xrpc/app.bsky.feed.searchPosts")}
    assert len(windows) >= 3


def test_wrong_app_password_fails_quietly(tmp_path: Path) -> None:
    with (
        FakeBluesky(posts(10), identifier=HANDLE, password="the-right-one") as server,
        pytest.raises(SourceError) as err,
    ):
        read_all(connector(source(server.url), tmp_path, CREDS))
    assert str(err.value) == "bsky: login refused (HTTP 401)"
    assert APP_PASSWORD not in repr(err.value)


def test_reposts_and_malformed_items_map() -> None:
    post = bluesky_post("did:plc:orig", "orig.bsky.social", "3lorig", at(5), "Snow plow &amp; salt")
    repost = {
        "post": post,
        "reason": {"$type": "app.bsky.feed.defs#reasonRepost", "by": {"did": "did:plc:x"}},
    }
    assert map_post(repost) == map_post(post)
    mapped = map_post(post)
    assert isinstance(mapped, dict)
    assert mapped["text"] == "Snow plow &amp; salt"  # Bluesky text is plain: nothing to unescape
    assert mapped["id"] == "at://did:plc:orig/app.bsky.feed.post/3lorig"
    assert mapped["url"] == "https://bsky.app/profile/orig.bsky.social/post/3lorig"
    assert not isinstance(map_post({"uri": "at://x", "author": "nope"}), dict)


def test_an_empty_window_and_a_malformed_page(tmp_path: Path) -> None:
    with FakeBluesky(posts(5), identifier=HANDLE, password=APP_PASSWORD) as server:
        empty = read_all(connector(source(server.url, search=["nothing matches"]), tmp_path, CREDS))
        server.script(
            "/xrpc/app.bsky.feed.searchPosts", Reply(200, b"<html>", {"Content-Type": "application/json"})
        )
        broken = read_all(connector(source(server.url), tmp_path, CREDS))
    assert empty == []
    assert rejections(broken) == ["malformed_page"]
