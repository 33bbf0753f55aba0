"""Reddit: subreddit `new` listings and search over an app-only OAuth token, paged with `after`."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from listening.records import Reason, Rejected
from listening.sources.base import RawRecord, Window
from listening.sources.platform import PlatformConnector, resolve_url
from listening.sources.registry import register

PAGE_SIZE = 100
WEB = "https://www.reddit.com"


def map_link(child: Any, platform: str = "reddit") -> dict[str, Any] | Rejected:
    """A `t3` (link) thing as a mention: title and self text; a crosspost is its original post."""
    if not isinstance(child, dict) or child.get("kind") != "t3" or not isinstance(child.get("data"), dict):
        return Rejected(Reason.MALFORMED_ITEM)
    data = child["data"]
    parents = data.get("crosspost_parent_list")
    crosspost = isinstance(data.get("crosspost_parent"), str) and isinstance(parents, list) and parents
    if crosspost and isinstance(parents[0], dict):
        data = parents[0]
    name, author, created = data.get("name"), data.get("author"), data.get("created_utc")
    title, body = data.get("title"), data.get("selftext", "")
    if not (isinstance(name, str) and isinstance(author, str) and isinstance(title, str)):
        return Rejected(Reason.MALFORMED_ITEM)
    if not isinstance(created, int | float) or isinstance(created, bool) or not isinstance(body, str):
        return Rejected(Reason.MALFORMED_ITEM)
    author_id = data.get("author_fullname")
    permalink = data.get("permalink")
    return {
        "id": name,
        "platform": platform,
        "author_id": author_id if isinstance(author_id, str) else f"u/{author}",
        "author_handle": f"u/{author}",
        "text": f"{title}\n\n{body}".strip(),
        "created_at": dt.datetime.fromtimestamp(created, dt.UTC),
        "url": WEB + permalink if isinstance(permalink, str) else None,
        "lang": None,
    }


@register("reddit")
class RedditConnector(PlatformConnector):
    """One slice per subreddit listing (`sub:<name>`) and per search term (`search:<term>`)."""

    kind = "reddit"

    def __init__(self, program: Any, source: Any, ctx: Any) -> None:
        super().__init__(program, source, ctx)
        self._token: str | None = None
        self._token_until = 0.0

    def plan(self, window: Window) -> list[str]:
        return [
            f"sub:{q.removeprefix('r/')}" if field == "subreddits" else f"search:{q.lstrip('#')}"
            for field, q in self.queries()
        ]

    def _authorize(self) -> str:
        if self._token and time.monotonic() < self._token_until:
            return self._token
        creds = self.credentials()
        if creds is None or not creds.login or not creds.password:
            raise self.http.fail("needs a client id (login) and secret (password)")
        page = self.http.post(
            resolve_url(self.name, self.config.auth_url),
            data={"grant_type": "client_credentials"},
            auth=(creds.login, creds.password),
            ok=(400, 401, 403),
        )
        if page.status != 200:
            raise self.http.fail(f"token refused (HTTP {page.status})")
        body = page.json()
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str):
            raise self.http.fail("token refused (no token in the answer)")
        expires = body.get("expires_in", 3600)
        self._token = token
        self._token_until = time.monotonic() + max(60.0, float(expires) - 60.0)
        return token

    def _listing(self, path: str, params: dict[str, Any]) -> Any:
        for attempt in range(2):
            headers = {"Authorization": f"bearer {self._authorize()}"}
            page = self.http.get(self.url(path), params=params, headers=headers, ok=(401,))
            if page.status == 200:
                return page.json()
            self._token = None  # expired early: one new token, then give up
            if attempt:
                break
        raise self.http.fail("listing refused (HTTP 401)")

    def read_pages(self, slice_name: str, window: Window) -> Iterator[RawRecord]:
        kind, _, query = slice_name.partition(":")
        if kind == "sub":
            path, base = f"/r/{quote(query, safe='')}/new", {}
        elif kind == "search":
            path, base = "/search", {"q": query, "sort": "new", "t": "all"}
        else:
            raise self.http.fail(f"unknown slice kind {kind!r}")
        after: str | None = None
        for _ in range(self.config.max_pages):
            params = {**base, "limit": PAGE_SIZE, "raw_json": 1} | ({"after": after} if after else {})
            body = self._listing(path, params)
            data = body.get("data") if isinstance(body, dict) and body.get("kind") == "Listing" else None
            children = data.get("children") if isinstance(data, dict) else None
            if not isinstance(children, list):
                yield self.rejected(Reason.MALFORMED_PAGE)
                return
            older = False
            for child in children:
                when = _created(child)
                if when is not None and when < window.start:
                    older = True
                    continue
                if when is not None and when >= window.end:
                    continue
                yield self.record(map_link(child, self.platform))
            after = data.get("after") if isinstance(data, dict) else None
            if not children or older or not isinstance(after, str) or not after:
                return


def _created(child: Any) -> dt.datetime | None:
    data = child.get("data") if isinstance(child, dict) else None
    created = data.get("created_utc") if isinstance(data, dict) else None
    if isinstance(created, int | float) and not isinstance(created, bool):
        return dt.datetime.fromtimestamp(created, dt.UTC)
    return None
