"""The demo's replay server: the generated Port Alder posts served as Mastodon, Bluesky and RSS responses.

`make run` reads the demo's Mastodon and Bluesky posts through the real connectors, over HTTP on
127.0.0.1, from this server. It plays back the daily files `listening demo generate` writes: each line
of `city_services/<platform>/<day>.jsonl` is served once, on its day's timeline, in the shape the
platform's API documents:

- `GET /api/v1/timelines/tag/:hashtag` and `GET /api/v2/search`: Mastodon `Status` entities, newest
  first, paged with `max_id` and a `Link` header. A copy of a post already served is a boost of it.
- `GET /xrpc/app.bsky.feed.searchPosts`: Bluesky `postView`s with `since`/`until` and a `cursor`.
- `GET /forum.rss?day=YYYY-MM-DD`: the forum's posts of a day as an RSS 2.0 feed.

A line that is not a usable record (broken JSON, say) is served as an item the connector cannot map, so
it is quarantined as a malformed item, as a broken item of a real API would be. Every query gets the
same recording: the demo's posts stand for what the platform answered to the program's hashtag.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import html
import io
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from listening.sources.platform import REPLAY_PORT_ENV, parse_time

PROGRAM_DIR = "city_services"
MASTODON_PAGE = 40
BLUESKY_PAGE = 100


@dataclass(order=True)
class _Item:
    """One served item: where it sits on its day's timeline, and the API object."""

    at: dt.datetime
    seq: int
    body: dict[str, Any] = field(compare=False)

    @property
    def key(self) -> int:
        """A Mastodon-style id for paging: milliseconds << 16, unique by the sequence number."""
        return int(self.at.timestamp() * 1000) << 16 | (self.seq & 0xFFFF)


def _lines(path: Path) -> Iterator[tuple[int, Any]]:
    """(position, record) per line: a dict, or the line as text when it is not a JSON object."""
    for position, raw in enumerate(path.read_bytes().split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            obj = raw.decode("utf-8", errors="replace")
        if not isinstance(obj, dict | str):
            obj = raw.decode("utf-8", errors="replace")
        yield position, obj


def _placement(day: dt.date, position: int, created: Any) -> dt.datetime:
    """Where a line sits on its day: its own time when that falls on the day, else a fixed time of day."""
    start = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    when = parse_time(created)
    if when is not None and start <= when < start + dt.timedelta(days=1):
        return when.astimezone(dt.UTC)
    return start + dt.timedelta(hours=12, seconds=position)


def _stamp(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _account(rec: dict[str, Any]) -> dict[str, Any]:
    account: dict[str, Any] = {"locked": False, "bot": False, "fields": [], "emojis": []}
    if "author_id" in rec:
        account["id"] = rec["author_id"]
    handle = rec.get("author_handle")
    if isinstance(handle, str):
        acct = handle.lstrip("@")
        account |= {"acct": acct, "username": acct.split("@")[0]}
    return account


def _content(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    paragraphs = text.split("\n\n")
    return "".join(f"<p>{html.escape(p, quote=False).replace(chr(10), '<br>')}</p>" for p in paragraphs)


def mastodon_status(rec: dict[str, Any]) -> dict[str, Any]:
    """A demo record as a Mastodon `Status`; a field the record lacks is missing from the status too."""
    status: dict[str, Any] = {
        "in_reply_to_id": None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "public",
        "edited_at": None,
        "reblog": None,
        "account": _account(rec),
        "media_attachments": [],
        "mentions": [],
        "tags": [{"name": "portalder"}],
        "emojis": [],
    }
    for key, target in (("id", "id"), ("created_at", "created_at"), ("url", "url"), ("lang", "language")):
        if key in rec:
            status[target] = rec[key]
    if "text" in rec:
        status["content"] = _content(rec["text"])
    return status


def bluesky_post(rec: dict[str, Any], indexed: dt.datetime) -> dict[str, Any]:
    """A demo record as a Bluesky `postView`."""
    author: dict[str, Any] = {"labels": []}
    if "author_id" in rec:
        author["did"] = rec["author_id"]
    if isinstance(rec.get("author_handle"), str):
        author["handle"] = rec["author_handle"].lstrip("@")
    record: dict[str, Any] = {"$type": "app.bsky.feed.post"}
    if "text" in rec:
        record["text"] = rec["text"]
    if "created_at" in rec:
        record["createdAt"] = rec["created_at"]
    if isinstance(rec.get("lang"), str):
        record["langs"] = [rec["lang"]]
    post: dict[str, Any] = {"author": author, "record": record, "indexedAt": _stamp(indexed), "labels": []}
    if "id" in rec:
        post["uri"] = rec["id"]
    return post


@dataclass
class Recording:
    """Every demo day's posts, per platform, newest first."""

    mastodon: list[_Item] = field(default_factory=list)
    bluesky: list[_Item] = field(default_factory=list)
    forum: dict[dt.date, list[dict[str, str]]] = field(default_factory=dict)

    @classmethod
    def load(cls, data_dir: Path) -> Recording:
        rec = cls()
        root = data_dir / PROGRAM_DIR
        seen: set[Any] = set()
        seq = 0
        for path in sorted((root / "mastodon").glob("*.jsonl")):
            day = dt.date.fromisoformat(path.stem)
            for position, obj in _lines(path):
                seq += 1
                if not isinstance(obj, dict):
                    at = _placement(day, position, None)
                    broken = {"created_at": _stamp(at), "content": obj, "account": None}
                    rec.mastodon.append(_Item(at, seq, broken))
                    continue
                at = _placement(day, position, obj.get("created_at"))
                status = mastodon_status(obj)
                key = obj.get("id")
                if isinstance(key, str) and key in seen:  # a copy: a boost of the post
                    boost = {**mastodon_status({}), "created_at": _stamp(at), "content": "", "reblog": status}
                    status = boost | {"id": str(_Item(at, seq, {}).key), "account": _account(obj)}
                elif isinstance(key, str):
                    seen.add(key)
                rec.mastodon.append(_Item(at, seq, status))
        for path in sorted((root / "bluesky").glob("*.jsonl")):
            day = dt.date.fromisoformat(path.stem)
            for position, obj in _lines(path):
                seq += 1
                if not isinstance(obj, dict):
                    at = _placement(day, position, None)
                    rec.bluesky.append(_Item(at, seq, {"record": {"text": obj}, "indexedAt": _stamp(at)}))
                    continue
                at = _placement(day, position, obj.get("created_at"))
                rec.bluesky.append(_Item(at, seq, bluesky_post(obj, at)))
        for path in sorted((root / "forum").glob("*.csv")):
            rows = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8", errors="replace")))
            rec.forum[dt.date.fromisoformat(path.stem)] = [dict(r) for r in rows]
        rec.mastodon.sort(reverse=True)
        rec.bluesky.sort(reverse=True)
        return rec


class _Handler(BaseHTTPRequestHandler):
    server: ReplayServer

    def log_message(self, format: str, *args: Any) -> None:  # request lines carry paging ids: not logged
        return

    def _send(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, obj: Any, headers: dict[str, str] | None = None) -> None:
        self._send(200, json.dumps(obj, ensure_ascii=False).encode(), "application/json", headers)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        recording = self.server.recording
        try:
            if parts.path.startswith("/api/v1/timelines/tag/"):
                self._mastodon(parts.path, query, wrap=False)
            elif parts.path == "/api/v2/search":
                self._mastodon(parts.path, query, wrap=True)
            elif parts.path == "/xrpc/app.bsky.feed.searchPosts":
                self._bluesky(query)
            elif parts.path == "/forum.rss":
                day = dt.date.fromisoformat(query.get("day", ""))
                self._send(200, forum_feed(recording.forum.get(day, [])), "application/rss+xml")
            else:
                self._send(404, b'{"error": "not found"}', "application/json")
        except ValueError:
            self._send(400, b'{"error": "InvalidRequest"}', "application/json")

    def _mastodon(self, path: str, query: dict[str, str], *, wrap: bool) -> None:
        limit = min(int(query.get("limit", 20)), MASTODON_PAGE)
        max_id = int(query.get("max_id", str(1 << 80)))
        page = [i for i in self.server.recording.mastodon if i.key < max_id][:limit]
        headers = {}
        if page:
            here = f"http://127.0.0.1:{self.server.server_address[1]}{path}"
            headers["Link"] = f'<{here}?max_id={page[-1].key}>; rel="next"'
        statuses = [i.body for i in page]
        self._json({"accounts": [], "statuses": statuses, "hashtags": []} if wrap else statuses, headers)

    def _bluesky(self, query: dict[str, str]) -> None:
        since = parse_time(query.get("since")) or dt.datetime.min.replace(tzinfo=dt.UTC)
        until = parse_time(query.get("until")) or dt.datetime.max.replace(tzinfo=dt.UTC)
        hits = [i for i in self.server.recording.bluesky if since <= i.at < until]
        offset, limit = int(query.get("cursor", "0")), min(int(query.get("limit", 25)), BLUESKY_PAGE)
        body: dict[str, Any] = {
            "posts": [i.body for i in hits[offset : offset + limit]],
            "hitsTotal": len(hits),
        }
        if offset + limit < len(hits):
            body["cursor"] = str(offset + limit)
        self._json(body)


def forum_feed(rows: list[dict[str, str]]) -> bytes:
    """A day's forum posts as RSS 2.0 (title = the post's first sentence, the author as dc:creator)."""
    items = []
    for row in rows:
        when = parse_time(row.get("created_at"))
        text = row.get("text") or ""
        date = f"<pubDate>{format_datetime(when)}</pubDate>" if when else ""
        items.append(
            f"<item><guid isPermaLink='false'>{escape(row.get('id') or '')}</guid>"
            f"<link>{escape(row.get('url') or '')}</link><dc:creator>{escape(row.get('author_id') or '')}"
            f"</dc:creator>{date}<description>{escape(html.escape(text))}</description></item>"
        )
    return (
        "<?xml version='1.0' encoding='UTF-8'?><rss version='2.0' xmlns:dc='http://purl.org/dc/elements/1.1/'>"
        "<channel><title>Port Alder forum</title><link>https://forum.portalder.example/</link>"
        f"<description>Latest posts</description><language>en</language>{''.join(items)}</channel></rss>"
    ).encode()


class ReplayServer(ThreadingHTTPServer):
    """The replay on 127.0.0.1 (port 0: any free port)."""

    daemon_threads = True

    def __init__(self, recording: Recording, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.recording = recording

    @property
    def port(self) -> int:
        return int(self.server_address[1])


@contextlib.contextmanager
def replaying(data_dir: Path, port: int = 0) -> Iterator[ReplayServer]:
    """The replay server in a thread for the duration of a run, its port in `LISTENING_REPLAY_PORT`."""
    server = ReplayServer(Recording.load(data_dir), port)
    thread = threading.Thread(target=server.serve_forever, name="demo-replay", daemon=True)
    thread.start()
    before = os.environ.get(REPLAY_PORT_ENV)
    os.environ[REPLAY_PORT_ENV] = str(server.port)
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        if before is None:
            os.environ.pop(REPLAY_PORT_ENV, None)
        else:
            os.environ[REPLAY_PORT_ENV] = before
