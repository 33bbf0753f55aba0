"""Mastodon: hashtag timelines and status search of one server, paged backwards from the window's end."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from listening.records import Reason, Rejected
from listening.sources.base import RawRecord, Window
from listening.sources.html_text import html_to_text
from listening.sources.platform import PlatformConnector, parse_time
from listening.sources.registry import register

PAGE_SIZE = 40
#: A status id as Mastodon (digits) or Pleroma-style servers (base62 flake ids) write it.
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def snowflake(when: dt.datetime) -> str:
    """The smallest Mastodon status id at `when` (ids are milliseconds << 16): a `max_id` for a time."""
    return str(int(when.timestamp() * 1000) << 16)


def map_status(status: Any, platform: str = "mastodon") -> dict[str, Any] | Rejected:
    """A Mastodon `Status` as a mention; a boost becomes the post it boosts, so it is counted once."""
    if not isinstance(status, dict):
        return Rejected(Reason.MALFORMED_ITEM)
    original = status.get("reblog")
    if original is not None:
        if not isinstance(original, dict):
            return Rejected(Reason.MALFORMED_ITEM)
        status = original
    account = status.get("account")
    post_id, content, created = status.get("id"), status.get("content"), status.get("created_at")
    if not (isinstance(account, dict) and isinstance(post_id, str) and isinstance(content, str)):
        return Rejected(Reason.MALFORMED_ITEM)
    if not isinstance(account.get("id"), str) or not isinstance(created, str):
        return Rejected(Reason.MALFORMED_ITEM)
    text = html_to_text(content)
    spoiler = status.get("spoiler_text")
    if isinstance(spoiler, str) and spoiler.strip():
        text = f"{spoiler.strip()}\n\n{text}"
    acct = account.get("acct")
    language = status.get("language")
    url = status.get("url") or status.get("uri")
    return {
        "id": post_id,
        "platform": platform,
        "author_id": account["id"],
        "author_handle": f"@{acct}" if isinstance(acct, str) and acct else None,
        "text": text,
        "created_at": created,  # an edit keeps the id and creation time; `content` is the latest text
        "url": url if isinstance(url, str) else None,
        "lang": language if isinstance(language, str) else None,
    }


def _max_id(link: str | None) -> str | None:
    values = parse_qs(urlsplit(link).query).get("max_id") if link else None
    return values[-1] if values and _ID.fullmatch(values[-1]) else None


@register("mastodon")
class MastodonConnector(PlatformConnector):
    """`/api/v1/timelines/tag/:hashtag` and `/api/v2/search?type=statuses`, one slice per query."""

    kind = "mastodon"

    def plan(self, window: Window) -> list[str]:
        return [f"tag:{q.lstrip('#')}" if f == "hashtags" else f"search:{q}" for f, q in self.queries()]

    def _headers(self) -> dict[str, str]:
        creds = self.credentials()
        return {"Authorization": f"Bearer {creds.token}"} if creds and creds.token else {}

    def read_pages(self, slice_name: str, window: Window) -> Iterator[RawRecord]:
        kind, _, query = slice_name.partition(":")
        if kind == "tag":
            yield from self._timeline(query, window)
        elif kind == "search":
            yield from self._search(query, window)
        else:
            raise self.http.fail(f"unknown slice kind {kind!r}")

    def _items(self, statuses: list[Any], window: Window) -> tuple[list[RawRecord], bool]:
        """The page's records in the window, and whether the page reached back before the window."""
        records: list[RawRecord] = []
        older = False
        for status in statuses:
            # The timeline's own time (a boost's time, not the boosted post's) says where paging stops.
            # `max_id` already bounds the newest end; a post claiming a later time is read and left to
            # validation (a future timestamp is quarantined, not dropped unseen).
            when = parse_time(status.get("created_at")) if isinstance(status, dict) else None
            if when is not None and when < window.start:
                older = True
                continue
            records.append(self.record(map_status(status, self.platform)))
        return records, older

    def _timeline(self, tag: str, window: Window) -> Iterator[RawRecord]:
        url = self.url(f"/api/v1/timelines/tag/{quote(tag, safe='')}")
        max_id: str | None = snowflake(window.end)
        for _ in range(self.config.max_pages):
            if max_id is None:
                return
            params = {"limit": PAGE_SIZE, "max_id": max_id}
            page = self.http.get(url, params=params, headers=self._headers())
            statuses = page.json()
            if not isinstance(statuses, list):
                yield self.rejected(Reason.MALFORMED_PAGE)
                return
            records, older = self._items(statuses, window)
            yield from records
            if not statuses or older:
                return
            # Only the `next` link's `max_id` is taken: the token never follows a link to another host.
            max_id = _max_id(page.links().get("next"))

    def _search(self, term: str, window: Window) -> Iterator[RawRecord]:
        max_id = snowflake(window.end)
        for _ in range(self.config.max_pages):
            params = {"q": term, "type": "statuses", "limit": PAGE_SIZE, "max_id": max_id}
            body = self.http.get(self.url("/api/v2/search"), params=params, headers=self._headers()).json()
            statuses = body.get("statuses") if isinstance(body, dict) else None
            if not isinstance(statuses, list):
                yield self.rejected(Reason.MALFORMED_PAGE)
                return
            records, older = self._items(statuses, window)
            yield from records
            ids = [s["id"] for s in statuses if isinstance(s, dict) and isinstance(s.get("id"), str)]
            if not ids or older:
                return
            max_id = min(ids, key=lambda i: (len(i), i))
