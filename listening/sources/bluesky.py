"""Bluesky: `app.bsky.feed.searchPosts` over an app-password session, newest first, window by window."""

from __future__ import annotations

import datetime as dt
from collections.abc import Generator, Iterator
from typing import Any

from listening.records import Reason, Rejected
from listening.sources.base import RawRecord, Window
from listening.sources.http import Page
from listening.sources.platform import PlatformConnector, parse_time
from listening.sources.registry import register

PAGE_SIZE = 100
_EXPIRED = frozenset({"ExpiredToken", "InvalidToken"})
_MIN_WINDOW = dt.timedelta(seconds=1)


def _stamp(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def post_url(handle: str, uri: str) -> str | None:
    """The web address of a post: `https://bsky.app/profile/<handle>/post/<record key>`."""
    parts = uri.removeprefix("at://").split("/")
    return f"https://bsky.app/profile/{handle}/post/{parts[2]}" if len(parts) == 3 else None


def map_post(item: Any, platform: str = "bluesky") -> dict[str, Any] | Rejected:
    """A `postView` (or a feed item wrapping one, a repost say) as a mention of the original post."""
    if isinstance(item, dict) and isinstance(item.get("post"), dict):
        item = item["post"]  # a feedViewPost: the reason (a repost) is dropped, the post is counted once
    if not isinstance(item, dict):
        return Rejected(Reason.MALFORMED_ITEM)
    uri, author, record = item.get("uri"), item.get("author"), item.get("record")
    if not (isinstance(uri, str) and isinstance(author, dict) and isinstance(record, dict)):
        return Rejected(Reason.MALFORMED_ITEM)
    did, handle, text = author.get("did"), author.get("handle"), record.get("text")
    created = record.get("createdAt")
    if not (isinstance(did, str) and isinstance(text, str) and isinstance(created, str)):
        return Rejected(Reason.MALFORMED_ITEM)
    langs = record.get("langs")
    lang = langs[0] if isinstance(langs, list) and langs and isinstance(langs[0], str) else None
    handle = handle if isinstance(handle, str) and handle else None
    return {
        "id": uri,
        "platform": platform,
        "author_id": did,
        "author_handle": f"@{handle}" if handle else None,
        "text": text,
        "created_at": created,
        "url": post_url(handle or did, uri),
        "lang": lang,
    }


@register("bluesky")
class BlueskyConnector(PlatformConnector):
    """One slice per search term; a window that reaches the search's result cap is read in narrower ones."""

    kind = "bluesky"
    #: Results one search returns at most before its cursor runs out.
    search_cap = 1000

    def __init__(self, program: Any, source: Any, ctx: Any) -> None:
        super().__init__(program, source, ctx)
        self._access: str | None = None
        self._refresh: str | None = None

    def plan(self, window: Window) -> list[str]:
        return [f"search:{q}" for _, q in self.queries()]

    # -- session -------------------------------------------------------------------------------------

    def _login(self) -> None:
        creds = self.credentials()
        if creds is None or not creds.login or not creds.password:
            return  # public search, where the server allows it
        page = self.http.post(
            self.url("/xrpc/com.atproto.server.createSession"),
            json_body={"identifier": creds.login, "password": creds.password},
            ok=(400, 401),
        )
        self._take_session(page, "login refused")

    def _take_session(self, page: Page, refused: str) -> None:
        if page.status != 200:
            raise self.http.fail(f"{refused} (HTTP {page.status})")
        body = page.json()
        access = body.get("accessJwt") if isinstance(body, dict) else None
        if not isinstance(access, str):
            raise self.http.fail(f"{refused} (no session in the answer)")
        self._access = access
        refresh = body.get("refreshJwt")
        self._refresh = refresh if isinstance(refresh, str) else None

    def _renew(self) -> None:
        """`refreshSession` with the refresh token; a new login when that is refused too."""
        if self._refresh:
            page = self.http.post(
                self.url("/xrpc/com.atproto.server.refreshSession"),
                headers={"Authorization": f"Bearer {self._refresh}"},
                ok=(400, 401),
            )
            if page.status == 200:
                self._take_session(page, "session refresh refused")
                return
        self._access = self._refresh = None
        self._login()

    def _search_page(self, params: dict[str, Any]) -> Any:
        if self._access is None:
            self._login()
        for attempt in range(2):
            headers = {"Authorization": f"Bearer {self._access}"} if self._access else {}
            page = self.http.get(
                self.url("/xrpc/app.bsky.feed.searchPosts"), params=params, headers=headers, ok=(400, 401)
            )
            if page.status == 200:
                return page.json()
            error = page.json().get("error") if page.status == 400 else "ExpiredToken"
            if attempt == 0 and self._access and (page.status == 401 or error in _EXPIRED):
                self._renew()
                continue
            raise self.http.fail(f"search refused (HTTP {page.status})")
        raise self.http.fail("search refused after a session refresh")

    # -- reading -------------------------------------------------------------------------------------

    def read_pages(self, slice_name: str, window: Window) -> Iterator[RawRecord]:
        _, _, term = slice_name.partition(":")
        seen: set[str] = set()
        pending = [(window.start, window.end)]
        while pending:
            since, until = pending.pop()
            current: set[str] = set()
            oldest, capped = yield from self._read_window(term, since, until, seen, current)
            seen |= current
            if not capped:
                continue
            if oldest is not None and since < oldest < until:
                # Newest first: [oldest, until) is read; what is left is before the oldest post read.
                pending.append((since, oldest + dt.timedelta(milliseconds=1)))
            elif until - since > _MIN_WINDOW:
                middle = since + (until - since) / 2
                pending += [(since, middle), (middle, until)]

    def _read_window(
        self, term: str, since: dt.datetime, until: dt.datetime, seen: set[str], current: set[str]
    ) -> Generator[RawRecord, None, tuple[dt.datetime | None, bool]]:
        """Pages of one window, newest first; returns (oldest creation time read, whether the cap was hit).

        A post listed twice within one window is yielded twice (de-duplication downstream counts it);
        one already read in an earlier window of the slice is skipped.
        """
        cursor: str | None = None
        fetched = 0
        oldest: dt.datetime | None = None
        for _ in range(self.config.max_pages):
            params: dict[str, Any] = {"q": term, "sort": "latest", "limit": PAGE_SIZE}
            params |= {"since": _stamp(since), "until": _stamp(until)}
            if cursor:
                params["cursor"] = cursor
            body = self._search_page(params)
            posts = body.get("posts") if isinstance(body, dict) else None
            if not isinstance(posts, list):
                yield self.rejected(Reason.MALFORMED_PAGE)
                return oldest, False
            fetched += len(posts)
            for post in posts:
                mapped = map_post(post, self.platform)
                if isinstance(mapped, dict):
                    when = parse_time(mapped["created_at"])
                    if when is not None:
                        oldest = when if oldest is None else min(oldest, when)
                    if mapped["id"] in seen:
                        continue  # read in the window before this narrower one (their overlap)
                    current.add(mapped["id"])
                yield self.record(mapped)
            next_cursor = body.get("cursor")
            if not posts or not isinstance(next_cursor, str) or not next_cursor:
                return oldest, fetched >= self.search_cap
            cursor = next_cursor
        return oldest, True
