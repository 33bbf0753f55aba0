"""The Mastodon connector against a fake Mastodon server on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from listening.records import MentionIn, validate_record
from listening.sources.base import Credentials, SourceError
from listening.sources.http import HttpLimits
from listening.sources.mastodon import map_status, snowflake
from tests.sources.fakes import FakeMastodon, Reply, mastodon_account, mastodon_id, mastodon_status
from tests.sources.support import WINDOW, at, connector, payloads, read_all, rejections

TOKEN = "mastodon-token-zq7731"
ALICE = mastodon_account("1090000000000001", "alice")
BOB = mastodon_account("1090000000000002", "bob", "toot.example")
ENTITIES = (
    '<p>Pothole on King St &amp; Queen &#8212; fix it 🚧&nbsp;<a href="https://city.example/311">'
    '<span class="invisible">https://</span><span class="">city.example/311</span></a></p>'
    "<p>Second line<br>third &lt;b&gt;</p>"
)


def timeline() -> list[dict[str, Any]]:
    """90 posts on the day, 5 the day before, 3 the day after, and the special cases."""
    statuses = []
    for i in range(90):
        when = at(0, 5) + dt.timedelta(minutes=15 * i)
        author = ALICE if i % 2 else BOB
        statuses.append(
            mastodon_status(mastodon_id(when, i), when, f"<p>Bus report {i} #PortAlder</p>", author)
        )
    for i in range(5):
        when = at(20, i, WINDOW.start.date() - dt.timedelta(days=1))
        statuses.append(mastodon_status(mastodon_id(when, i), when, "<p>yesterday</p>", ALICE))
    for i in range(3):
        when = at(1, i, WINDOW.end.date())
        statuses.append(mastodon_status(mastodon_id(when, i), when, "<p>tomorrow</p>", ALICE))
    original = mastodon_status(mastodon_id(at(3, 1), 900), at(3, 1), ENTITIES, BOB)
    edited = mastodon_status(
        mastodon_id(at(4, 2), 901), at(4, 2), "<p>Snow plow came (edited: twice!)</p>", ALICE, edited_at=at(5)
    )
    boost = mastodon_status(mastodon_id(at(6, 3), 902), at(6, 3), "", ALICE, reblog=original)
    broken = mastodon_status(mastodon_id(at(7, 4), 903), at(7, 4), "<p>x</p>", ALICE)
    del broken["account"]
    return [*statuses, original, edited, boost, broken]


def source(url: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": "masto",
        "kind": "mastodon",
        "base_url": url,
        "rate_limit": 50,
        "hashtags": ["PortAlder"],
    } | extra


def test_tag_timeline_pages_back_through_the_window(tmp_path: Path) -> None:
    with FakeMastodon(timeline()) as server:
        server.script(
            "/api/v1/timelines/tag/", Reply.json({"error": "Too many requests"}, 429, **{"Retry-After": "1"})
        )
        server.script(
            "/api/v1/timelines/tag/", Reply(500, b"<html>oops</html>", {"Content-Type": "text/html"})
        )
        records = read_all(connector(source(server.url), tmp_path))
    pages = server.hits("/api/v1/timelines/tag/PortAlder")
    assert pages[0].query["max_id"] == snowflake(WINDOW.end)
    assert pages[1].at - pages[0].at >= 0.95  # Retry-After honoured
    assert len(pages) >= 2 + 3  # the 429, the 500, then three pages of 40 or fewer
    mentions = payloads(records)
    texts = [m["text"] for m in mentions]
    assert sum(t.startswith("Bus report") for t in texts) == 90
    assert "yesterday" not in texts
    assert "tomorrow" not in texts
    assert rejections(records) == ["malformed_item"]
    assert len(records) == 90 + 3 + 1
    # the boost is the original post: same id, counted once downstream
    boosted = [m for m in mentions if m["text"].startswith("Pothole")]
    assert len(boosted) == 2
    assert {m["id"] for m in boosted} == {mastodon_id(at(3, 1), 900)}
    for mention in mentions:
        assert isinstance(validate_record(mention, now=dt.datetime.now(dt.UTC), languages=["en"]), MentionIn)


def test_html_entities_emoji_and_edits_map_to_plain_text() -> None:
    status = mastodon_status("11", at(3), ENTITIES, BOB)
    mapped = map_status(status)
    assert isinstance(mapped, dict)
    assert (
        mapped["text"]
        == "Pothole on King St & Queen — fix it 🚧 https://city.example/311\n\nSecond line\nthird <b>"
    )
    assert mapped["author_id"] == BOB["id"]
    assert mapped["author_handle"] == "@bob@toot.example"
    assert mapped["lang"] == "en"
    edited = map_status(mastodon_status("12", at(3), "<p>new text</p>", ALICE, edited_at=at(9)))
    assert isinstance(edited, dict)
    assert (edited["id"], edited["text"], edited["created_at"]) == (
        "12",
        "new text",
        "2026-10-06T03:00:00.000Z",
    )


def test_status_search_with_a_token(tmp_path: Path) -> None:
    with FakeMastodon(timeline(), token=TOKEN) as server:
        conn = connector(
            source(server.url, hashtags=[], search=["pothole"]), tmp_path, Credentials(token=TOKEN)
        )
        assert conn.plan(WINDOW) == ["search:pothole"]
        records = read_all(conn)
        anonymous = connector(source(server.url, hashtags=[], search=["pothole"]), tmp_path)
        with pytest.raises(SourceError, match=r"^masto: HTTP 401$"):
            read_all(anonymous)
    assert [m["text"][:7] for m in payloads(records)] == ["Pothole"]  # the boost's own content is empty
    assert server.hits("/api/v2/search")[0].query["type"] == "statuses"


def test_program_queries_are_used_when_the_source_lists_none(tmp_path: Path) -> None:
    conn = connector(
        source("http://127.0.0.1:9", hashtags=[]),
        tmp_path,
        queries=["#PortAlder", "snow plow", "@PortAlderCity"],
    )
    assert conn.plan(WINDOW) == ["tag:PortAlder", "search:snow plow", "search:@PortAlderCity"]


def test_a_malformed_page_and_an_empty_page(tmp_path: Path) -> None:
    with FakeMastodon(timeline()) as server:
        server.script(
            "/api/v1/timelines/tag/", Reply(200, b'[{"id": "1", ', {"Content-Type": "application/json"})
        )
        broken = read_all(connector(source(server.url), tmp_path))
        empty = read_all(connector(source(server.url, hashtags=["NothingHere"]), tmp_path))
    assert rejections(broken) == ["malformed_page"]
    assert empty == []
    assert len(server.hits("/api/v1/timelines/tag/NothingHere")) == 1


def test_a_server_that_keeps_failing_raises_source_error(tmp_path: Path) -> None:
    with FakeMastodon(timeline()) as server:
        server.script("/api/v1/timelines/tag/", *[Reply(502, b"bad gateway")] * 5)
        conn = connector(source(server.url), tmp_path)
        conn.http.limits = HttpLimits(attempts=5, backoff_initial_s=0.01, backoff_max_s=0.02)
        with pytest.raises(SourceError) as err:
            read_all(conn)
    assert str(err.value) == "masto: HTTP 502 after 5 attempts"


def test_paging_never_follows_a_link_to_another_host(tmp_path: Path) -> None:
    statuses = timeline()
    first = sorted(statuses, key=lambda st: int(st["id"]), reverse=True)
    in_window = [st for st in first if int(st["id"]) < int(snowflake(WINDOW.end))]
    with FakeMastodon(statuses, token=TOKEN) as server:
        link = f'<http://127.0.0.2:9/api/v1/timelines/tag/PortAlder?max_id={in_window[39]["id"]}>; rel="next"'
        server.script("/api/v1/timelines/tag/", Reply.json(in_window[:40], Link=link))
        conn = connector(source(server.url), tmp_path, Credentials(token=TOKEN))
        records = read_all(conn)
    pages = server.hits("/api/v1/timelines/tag/PortAlder")
    assert pages[1].query["max_id"] == in_window[39]["id"]  # the link's max_id, asked of our server
    assert all(p.headers["authorization"] == f"Bearer {TOKEN}" for p in pages)
    assert len(records) == 90 + 3 + 1
