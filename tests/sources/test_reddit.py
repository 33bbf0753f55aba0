"""The Reddit connector against a fake oauth.reddit.com on 127.0.0.1."""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from listening.sources.base import Credentials, SourceError
from listening.sources.reddit import map_link
from tests.sources.fakes import FakeReddit, Reply, reddit_link
from tests.sources.support import WINDOW, at, connector, payloads, read_all, rejections

CLIENT_ID, SECRET = "reddit-client-7731", "reddit-secret-zq7731"
CREDS = Credentials(login=CLIENT_ID, password=SECRET)


def links() -> list[dict[str, Any]]:
    out = [
        reddit_link(
            f"p{i:04d}",
            f"user{i % 9}",
            at(0, 3) + dt.timedelta(minutes=6 * i),
            f"Pothole {i}",
            f"On Elm &amp; {i}",
        )
        for i in range(230)
    ]
    out.append(
        reddit_link("old1", "olduser", at(9, 0, WINDOW.start.date() - dt.timedelta(days=1)), "Old pothole")
    )
    original = reddit_link("orig1", "poster", at(14, 1), "Water main break", "Boil water advisory")
    crosspost = reddit_link("xpost1", "other", at(15, 2), "Water main break", "")
    crosspost["data"]["crosspost_parent"] = "t3_orig1"
    crosspost["data"]["crosspost_parent_list"] = [original["data"]]
    broken = reddit_link("bad1", "someone", at(16, 3), "Broken")
    broken["data"]["created_utc"] = "yesterday"
    return [*out, original, crosspost, broken]


def source(url: str, **extra: Any) -> dict[str, Any]:
    base = {
        "name": "reddit_city",
        "kind": "reddit",
        "base_url": url,
        "auth_url": f"{url}/api/v1/access_token",
    }
    return base | {"rate_limit": 100, "subreddits": ["portalder"], "user_agent": "listening-test/1.0"} | extra


def test_new_listing_pages_with_after(tmp_path: Path) -> None:
    with FakeReddit(links(), client_id=CLIENT_ID, secret=SECRET) as server:
        server.script(
            "/r/portalder/new", Reply.json({"message": "Too Many Requests"}, 429, **{"Retry-After": "1"})
        )
        server.script("/r/portalder/new", Reply(503, b"<html>busy</html>", {"Content-Type": "text/html"}))
        records = read_all(connector(source(server.url), tmp_path, CREDS))
    token = server.hits("/api/v1/access_token")
    assert len(token) == 1
    assert (
        token[0].headers["authorization"]
        == "Basic " + base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode()
    )
    assert token[0].headers["user-agent"] == "listening-test/1.0"
    listing = server.hits("/r/portalder/new")
    assert listing[1].at - listing[0].at >= 0.95
    assert any(s.query.get("after") for s in listing)
    mentions = payloads(records)
    assert sum(m["text"].startswith("Pothole") for m in mentions) == 230
    assert all("Old pothole" not in m["text"] for m in mentions)
    water = [m for m in mentions if m["text"].startswith("Water")]
    assert [m["id"] for m in water] == ["t3_orig1", "t3_orig1"]  # the crosspost is its original
    assert water[0]["text"] == "Water main break\n\nBoil water advisory"
    assert rejections(records) == ["malformed_item"]
    assert mentions[0]["author_handle"].startswith("u/user")
    assert mentions[0]["url"].startswith("https://www.reddit.com/r/portalder/comments/")


def test_search_and_token_renewal(tmp_path: Path) -> None:
    with FakeReddit(links(), client_id=CLIENT_ID, secret=SECRET) as server:
        server.script("/search", Reply.json({"message": "Unauthorized", "error": 401}, 401))
        records = read_all(
            connector(source(server.url, subreddits=[], search=["water main"]), tmp_path, CREDS)
        )
    assert len(server.hits("/api/v1/access_token")) == 2
    assert [m["id"] for m in payloads(records)] == ["t3_orig1", "t3_orig1"]
    assert server.hits("/search")[-1].query["sort"] == "new"


def test_wrong_secret_and_missing_credentials(tmp_path: Path) -> None:
    with FakeReddit(links(), client_id=CLIENT_ID, secret="other") as server:
        with pytest.raises(SourceError) as err:
            read_all(connector(source(server.url), tmp_path, CREDS))
        with pytest.raises(SourceError, match="needs a client id"):
            read_all(connector(source(server.url), tmp_path, None))
    assert str(err.value) == "reddit_city: token refused (HTTP 401)"


def test_a_malformed_listing(tmp_path: Path) -> None:
    with FakeReddit(links(), client_id=CLIENT_ID, secret=SECRET) as server:
        server.script("/r/portalder/new", Reply.json({"kind": "t3", "data": []}))
        records = read_all(connector(source(server.url), tmp_path, CREDS))
    assert rejections(records) == ["malformed_page"]
    assert not isinstance(map_link({"kind": "t1", "data": {}}), dict)
