"""The RSS/Atom connector against a fake feed server on 127.0.0.1: four feed formats, conditional GET."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from listening.sources.base import Window
from tests.sources.fakes import FakeFeeds, FeedItem, Reply, atom, rss091, rss1, rss2
from tests.sources.support import WINDOW, at, connector, payloads, read_all, rejections

ITEMS = [
    FeedItem(
        "n1",
        "Boil water advisory &amp; update",
        "<p>Boil water in <b>Riverside</b> &#8212; 💧 until Friday</p>",
        at(9),
    ),
    FeedItem("n2", "Snow plow schedule", "<p>Plows out tonight</p>", at(15)),
    FeedItem("n0", "Older notice", "<p>last week</p>", at(9) - dt.timedelta(days=6)),
]
WRITTEN = {
    "n1": "Boil water advisory & update\n\nBoil water in Riverside — 💧 until Friday",
    "n2": "Snow plow schedule\n\nPlows out tonight",
}


@pytest.fixture(autouse=True)
def _state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from listening.settings import get_settings

    monkeypatch.setenv("LISTENING_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()


def source(url: str, **extra: Any) -> dict[str, Any]:
    return {"name": "city_news", "kind": "rss", "rate_limit": 100, "url": url} | extra


@pytest.mark.parametrize(
    ("path", "render", "ctype"),
    [
        ("/rss2.xml", rss2, "application/rss+xml; charset=utf-8"),
        ("/rss1.rdf", rss1, "application/rdf+xml"),
        ("/rss091.xml", rss091, "text/xml"),
        ("/atom.xml", atom, "application/atom+xml"),
    ],
)
def test_every_feed_format(tmp_path: Path, path: str, render: Any, ctype: str) -> None:
    with FakeFeeds({path: (render(ITEMS), ctype)}) as server:
        records = read_all(connector(source(server.url + path), tmp_path))
    mentions = payloads(records)
    assert sorted(m["text"] for m in mentions) == sorted(WRITTEN.values())
    assert all(m["url"].startswith("https://news.example/n") for m in mentions)
    assert all(m["lang"] in {"en", "en-ca", None} for m in mentions)
    assert rejections(records) == []


def test_conditional_get_on_a_rerun_and_on_a_quiet_feed(tmp_path: Path) -> None:
    next_day = Window(WINDOW.end, WINDOW.end + dt.timedelta(days=1))
    day_after = Window(next_day.end, next_day.end + dt.timedelta(days=1))
    early = FeedItem("n3", "Transit detour", "<p>Route 9 detour</p>", at(1, 0, next_day.start.date()))
    with FakeFeeds({"/feed": (rss2([early, *ITEMS]), "application/rss+xml")}) as server:
        first = read_all(connector(source(server.url + "/feed"), tmp_path))
        rerun = read_all(connector(source(server.url + "/feed"), tmp_path))
        # the feed held an entry of the next day when it was read: the next day fetches in full
        following = read_all(connector(source(server.url + "/feed"), tmp_path), next_day)
        quiet = read_all(connector(source(server.url + "/feed"), tmp_path), day_after)
    sent = [s.headers.get("if-none-match") for s in server.requests]
    assert len(payloads(first)) == 2
    assert rerun == []  # 304: the same window, unchanged
    assert [m["text"] for m in payloads(following)] == ["Transit detour\n\nRoute 9 detour"]
    assert quiet == []  # 304, and the feed held nothing of that day
    assert sent[0] is None
    assert sent[1] is not None
    assert sent[2] is None
    assert sent[3] is not None
    assert [s.headers.get("if-modified-since") for s in server.requests][1] == "Mon, 05 Oct 2026 10:00:00 GMT"


def test_bad_feeds(tmp_path: Path) -> None:
    docs = {
        "/broken.xml": (b"<rss><channel><item><title>x</ti", "application/rss+xml"),
        "/page.html": (b"<html><body>Sign in</body></html>", "text/html"),
    }
    with FakeFeeds(docs) as server:
        broken = read_all(connector(source(server.url + "/broken.xml"), tmp_path))
        html = read_all(connector(source(server.url + "/page.html"), tmp_path))
        server.script("/feed", Reply(429, b"", {"Retry-After": "1"}))
        server.documents["/feed"] = (rss2(ITEMS), "application/rss+xml")
        retried = read_all(connector(source(server.url + "/feed"), tmp_path))
    assert rejections(broken) == ["malformed_page"]
    assert rejections(html) == ["wrong_content_type"]
    assert len(payloads(retried)) == 2


def test_several_feeds_one_slice_each(tmp_path: Path) -> None:
    with FakeFeeds(
        {"/a": (rss2(ITEMS[:1]), "application/rss+xml"), "/b": (atom(ITEMS[1:]), "application/atom+xml")}
    ) as server:
        conn = connector(
            {
                "name": "city_news",
                "kind": "rss",
                "rate_limit": 100,
                "feeds": [server.url + "/a", server.url + "/b"],
            },
            tmp_path,
        )
        assert conn.plan(WINDOW) == ["feed:0", "feed:1"]
        records = read_all(conn)
    assert sorted(m["text"] for m in payloads(records)) == sorted(WRITTEN.values())
