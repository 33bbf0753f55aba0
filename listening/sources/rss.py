"""RSS 0.9x, 1.0, 2.0 and Atom feeds through feedparser, fetched with conditional GET."""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import feedparser

from listening.records import Reason, Rejected
from listening.sources.base import RawRecord, Window
from listening.sources.html_text import html_to_text
from listening.sources.http import FEED_TYPES
from listening.sources.platform import PlatformConnector, parse_time, resolve_url
from listening.sources.registry import register


def _when(parsed: Any) -> dt.datetime | None:
    if isinstance(parsed, time.struct_time):
        return dt.datetime.fromtimestamp(calendar.timegm(parsed), dt.UTC)
    return None


def map_entry(entry: Any, feed: Any, feed_url: str, platform: str = "rss") -> dict[str, Any] | Rejected:
    """A feedparser entry as a mention: title and summary (or content) as text, the entry id as id."""
    if not hasattr(entry, "get"):
        return Rejected(Reason.MALFORMED_ITEM)
    created = _when(entry.get("published_parsed")) or _when(entry.get("updated_parsed"))
    link = entry.get("link")
    post_id = entry.get("id") or link
    if created is None or not isinstance(post_id, str) or not post_id:
        return Rejected(Reason.MALFORMED_ITEM)
    title = html_to_text(entry.get("title") or "")
    contents = entry.get("content") or []
    body = contents[0].get("value", "") if contents and hasattr(contents[0], "get") else ""
    body = html_to_text(body or entry.get("summary") or "")
    text = f"{title}\n\n{body}" if body and body != title else title or body
    author = entry.get("author") or feed.get("title") or feed_url
    language = entry.get("language") or feed.get("language")
    return {
        "id": post_id,
        "platform": platform,
        "author_id": str(author),
        "author_handle": None,
        "text": text.strip(),
        "created_at": created,
        "url": link if isinstance(link, str) else None,
        "lang": language if isinstance(language, str) and language else None,
    }


class FeedState:
    """Per-feed validators (ETag, Last-Modified) and the newest entry time, in a small JSON file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @staticmethod
    def key(url: str) -> str:
        return hashlib.sha256(url.encode()).hexdigest()[:16]

    def load(self) -> dict[str, dict[str, str]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, url: str) -> dict[str, str]:
        entry = self.load().get(self.key(url))
        return entry if isinstance(entry, dict) else {}

    def put(self, url: str, state: dict[str, str]) -> None:
        data = self.load()
        data[self.key(url)] = state
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".feeds-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, sort_keys=True)
        os.replace(tmp, self.path)


@register("rss")
class RssConnector(PlatformConnector):
    """One slice per feed (`feed:<n>`); entries published in the window become mentions."""

    kind = "rss"

    def __init__(self, program: Any, source: Any, ctx: Any) -> None:
        super().__init__(program, source, ctx)
        self.state = FeedState(self._state_dir() / f"{program.program}.{source.name}.feeds.json")

    def _state_dir(self) -> Path:
        from listening.settings import get_settings

        return get_settings().home / "state"

    def feeds(self) -> list[str]:
        return list(self.config.feed_urls)

    def plan(self, window: Window) -> list[str]:
        return [f"feed:{i}" for i in range(len(self.feeds()))]

    def read_pages(self, slice_name: str, window: Window) -> Iterator[RawRecord]:
        index = int(slice_name.removeprefix("feed:"))
        url = resolve_url(self.name, self.feeds()[index])
        known = self.state.get(url)
        headers: dict[str, str] = {}
        # A 304 says "as last time"; that answers this window only if last time held nothing of it.
        newest = parse_time(known.get("newest"))
        if newest is not None and (newest < window.start or known.get("window") == window.start.isoformat()):
            if known.get("etag"):
                headers["If-None-Match"] = known["etag"]
            if known.get("last_modified"):
                headers["If-Modified-Since"] = known["last_modified"]
        page = self.http.get(url, headers=headers, accept=FEED_TYPES)
        if page.status == 304:
            return
        parsed = feedparser.parse(page.body, response_headers={"content-location": url})
        mapped_entries = [map_entry(entry, parsed.feed, url, self.platform) for entry in parsed.entries]
        # feedparser reads broken XML leniently; a broken document none of whose entries map is one bad page.
        if parsed.get("bozo") and not any(isinstance(m, dict) for m in mapped_entries):
            yield self.rejected(Reason.MALFORMED_PAGE)
            return
        latest: dt.datetime | None = None
        for mapped in mapped_entries:
            if isinstance(mapped, dict):
                when = mapped["created_at"]
                latest = when if latest is None else max(latest, when)
                if not self.in_window(when, window):
                    continue
            yield self.record(mapped)
        self.state.put(
            url,
            {
                "etag": page.headers.get("etag", ""),
                "last_modified": page.headers.get("last-modified", ""),
                "newest": latest.isoformat() if latest else "",
                "window": window.start.isoformat(),
            },
        )
