"""Local fake platform servers on 127.0.0.1, serving payloads shaped like each platform's documented API.

- Mastodon: `Status` entities (docs.joinmastodon.org/entities/Status), `/api/v1/timelines/tag/:hashtag`
  paged with `max_id`/`min_id` and a `Link` header, `/api/v2/search` (`Search` entity), `X-RateLimit-*`.
- Bluesky: `com.atproto.server.createSession`/`refreshSession`, `app.bsky.feed.searchPosts` (`postView`s,
  `cursor`, `hitsTotal`, `since`/`until`), `ExpiredToken` errors, `ratelimit-*` headers, a result cap.
- Reddit: `/api/v1/access_token` (client credentials, basic auth), `Listing` of `t3` things with `after`.
- Feeds: RSS 0.91, RSS 1.0 (RDF), RSS 2.0 and Atom documents, with `ETag`/`Last-Modified` and 304s.

Each server can be told to answer the next matching requests with a scripted status (a 429 with
`Retry-After`, a 500, a malformed body, a wrong content type); it records every request it saw.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import escape


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, obj: Any, status: int = 200, **headers: str) -> Reply:
        return cls(status, json.dumps(obj).encode(), {"Content-Type": "application/json", **headers})


@dataclass
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    at: float


Route = Callable[[Seen], Reply]


class FakeServer:
    """A threaded HTTP server on 127.0.0.1 (an ephemeral port) answering through `route`."""

    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self._script: list[tuple[str, Reply]] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet: no request lines on stderr
                return

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                seen = Seen(
                    self.command,
                    unquote(parts.path),
                    {k: v[-1] for k, v in parse_qs(parts.query).items()},
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length) if length else b"",
                    time.monotonic(),
                )
                reply = fake.dispatch(seen)
                self.send_response(reply.status)
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            do_GET = do_POST = _serve

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def script(self, path_prefix: str, *replies: Reply) -> None:
        """Answer the next requests whose path starts with `path_prefix` with these replies, in order."""
        with self._lock:
            self._script += [(path_prefix, r) for r in replies]

    def dispatch(self, seen: Seen) -> Reply:
        with self._lock:
            self.requests.append(seen)
            for i, (prefix, reply) in enumerate(self._script):
                if seen.path.startswith(prefix):
                    del self._script[i]
                    return reply
        try:
            return self.route(seen)
        except Exception as exc:  # a broken fake shows up as a 599 rather than a hung test
            return Reply(599, repr(exc).encode(), {"Content-Type": "text/plain"})

    def route(self, seen: Seen) -> Reply:
        return Reply(404, b"{}", {"Content-Type": "application/json"})

    def hits(self, prefix: str) -> list[Seen]:
        return [s for s in self.requests if s.path.startswith(prefix)]


def iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --- Mastodon -------------------------------------------------------------------------------------------


def mastodon_id(when: dt.datetime, seq: int) -> str:
    return str(int(when.timestamp() * 1000) << 16 | seq)


def mastodon_account(account_id: str, username: str, host: str = "mastodon.example") -> dict[str, Any]:
    return {
        "id": account_id,
        "username": username,
        "acct": f"{username}@{host}",
        "display_name": username.title(),
        "locked": False,
        "bot": False,
        "created_at": "2022-01-01T00:00:00.000Z",
        "note": "",
        "url": f"https://{host}/@{username}",
        "avatar": f"https://{host}/avatars/{account_id}.png",
        "followers_count": 12,
        "following_count": 30,
        "statuses_count": 300,
        "emojis": [],
        "fields": [],
    }


def mastodon_status(
    status_id: str,
    when: dt.datetime,
    html: str,
    account: dict[str, Any],
    *,
    tags: tuple[str, ...] = ("PortAlder",),
    language: str | None = "en",
    edited_at: dt.datetime | None = None,
    reblog: dict[str, Any] | None = None,
) -> dict[str, Any]:
    host = account["url"].split("/")[2]
    return {
        "id": status_id,
        "created_at": iso(when),
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "public",
        "language": language,
        "uri": f"https://{host}/users/{account['username']}/statuses/{status_id}",
        "url": f"https://{host}/@{account['username']}/{status_id}",
        "replies_count": 0,
        "reblogs_count": 0,
        "favourites_count": 1,
        "edited_at": iso(edited_at) if edited_at else None,
        "content": "" if reblog else html,
        "reblog": reblog,
        "account": account,
        "media_attachments": [],
        "mentions": [],
        "tags": [{"name": t.lower(), "url": f"https://{host}/tags/{t.lower()}"} for t in tags],
        "emojis": [],
        "card": None,
        "poll": None,
    }


class FakeMastodon(FakeServer):
    """A Mastodon server: tag timelines (public) and status search (needs `token`)."""

    def __init__(self, statuses: list[dict[str, Any]], *, token: str | None = None) -> None:
        super().__init__()
        self.statuses = sorted(statuses, key=lambda s: int(s["id"]), reverse=True)
        self.token = token

    def _page(self, seen: Seen, pool: list[dict[str, Any]]) -> list[dict[str, Any]]:
        limit = min(int(seen.query.get("limit", 20)), 40)
        max_id = int(seen.query.get("max_id", 1 << 80))
        min_id = seen.query.get("min_id")
        older = [s for s in pool if int(s["id"]) < max_id]
        if min_id is not None:  # the page immediately newer than min_id, still newest first
            newer = [s for s in older if int(s["id"]) > int(min_id)]
            return newer[-limit:]
        return older[:limit]

    def route(self, seen: Seen) -> Reply:
        quota = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "299"}
        quota["X-RateLimit-Reset"] = iso(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5))
        if seen.path.startswith("/api/v1/timelines/tag/"):
            tag = seen.path.rsplit("/", 1)[1].lower()
            pool = [s for s in self.statuses if tag in {t["name"] for t in s["tags"]}]
            page = self._page(seen, pool)
            headers = dict(quota)
            if page:
                base = f"{self.url}{seen.path}"
                older, newer = f"{base}?max_id={page[-1]['id']}", f"{base}?min_id={page[0]['id']}"
                headers["Link"] = f'<{older}>; rel="next", <{newer}>; rel="prev"'
            return Reply.json(page, **headers)
        if seen.path == "/api/v2/search":
            if self.token and seen.headers.get("authorization") != f"Bearer {self.token}":
                return Reply.json({"error": "The access token is invalid"}, 401)
            term = seen.query.get("q", "").lower()
            pool = [s for s in self.statuses if term in s["content"].lower()]
            return Reply.json({"accounts": [], "statuses": self._page(seen, pool), "hashtags": []}, **quota)
        return super().route(seen)


# --- Bluesky --------------------------------------------------------------------------------------------


def bluesky_post(
    did: str, handle: str, rkey: str, when: dt.datetime, text: str, *, langs: tuple[str, ...] = ("en",)
) -> dict[str, Any]:
    uri = f"at://{did}/app.bsky.feed.post/{rkey}"
    return {
        "uri": uri,
        "cid": f"bafyrei{rkey}cid",
        "author": {
            "did": did,
            "handle": handle,
            "displayName": handle.split(".", maxsplit=1)[0],
            "labels": [],
        },
        "record": {
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": iso(when),
            "langs": list(langs),
        },
        "replyCount": 0,
        "repostCount": 0,
        "likeCount": 2,
        "quoteCount": 0,
        "indexedAt": iso(when + dt.timedelta(seconds=1)),
        "labels": [],
    }


def _sort_at(post: dict[str, Any]) -> str:
    """The time search sorts and filters on: the record's creation time, else when it was indexed."""
    return str(post["record"].get("createdAt") or post["indexedAt"])


class FakeBluesky(FakeServer):
    """A PDS/AppView pair: sessions for one account; search capped at `cap` results per query."""

    def __init__(
        self,
        posts: list[dict[str, Any]],
        *,
        identifier: str,
        password: str,
        cap: int = 10_000,
        expire_after: int | None = None,
    ) -> None:
        super().__init__()
        self.posts = sorted(posts, key=_sort_at, reverse=True)
        self.identifier, self.password, self.cap = identifier, password, cap
        self.expire_after = expire_after  # searches an access token serves before it expires
        self.sessions = 0
        self.refreshes = 0
        self._access: dict[str, int] = {}
        self._refresh: set[str] = set()

    def _issue(self) -> dict[str, Any]:
        self.sessions += 1
        access, refresh = f"access-{self.sessions}", f"refresh-{self.sessions}"
        self._access[access] = 0
        self._refresh.add(refresh)
        did = "did:plc:listeningtestaccount"
        return {
            "did": did,
            "handle": self.identifier,
            "accessJwt": access,
            "refreshJwt": refresh,
            "active": True,
        }

    def route(self, seen: Seen) -> Reply:
        bearer = seen.headers.get("authorization", "").removeprefix("Bearer ")
        if seen.path == "/xrpc/com.atproto.server.createSession":
            body = json.loads(seen.body or b"{}")
            if body.get("identifier") != self.identifier or body.get("password") != self.password:
                return Reply.json(
                    {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}, 401
                )
            return Reply.json(self._issue())
        if seen.path == "/xrpc/com.atproto.server.refreshSession":
            if bearer not in self._refresh:
                return Reply.json({"error": "ExpiredToken", "message": "Token has expired"}, 400)
            self._refresh.discard(bearer)
            self.refreshes += 1
            return Reply.json(self._issue())
        if seen.path == "/xrpc/app.bsky.feed.searchPosts":
            if bearer not in self._access:
                return Reply.json(
                    {"error": "AuthenticationRequired", "message": "Authentication Required"}, 401
                )
            self._access[bearer] += 1
            if self.expire_after is not None and self._access[bearer] > self.expire_after:
                return Reply.json({"error": "ExpiredToken", "message": "Token has expired"}, 400)
            return self._search(seen)
        return super().route(seen)

    def _search(self, seen: Seen) -> Reply:
        term = seen.query["q"].lower()
        since, until = seen.query.get("since", ""), seen.query.get("until", "\uffff")
        hits = [p for p in self.posts if term in p["record"]["text"].lower() and since <= _sort_at(p) < until]
        offset = int(seen.query.get("cursor", "0"))
        limit = min(int(seen.query.get("limit", 25)), 100)
        page = hits[offset : min(offset + limit, self.cap)]
        body: dict[str, Any] = {"posts": page, "hitsTotal": len(hits)}
        if page and offset + limit < min(len(hits), self.cap):
            body["cursor"] = str(offset + limit)
        reset = str(int(time.time()) + 300)
        return Reply.json(
            body, **{"ratelimit-limit": "3000", "ratelimit-remaining": "2999", "ratelimit-reset": reset}
        )


# --- Reddit ---------------------------------------------------------------------------------------------


def reddit_link(
    base36: str, author: str, when: dt.datetime, title: str, selftext: str = "", *, sub: str = "portalder"
) -> dict[str, Any]:
    return {
        "kind": "t3",
        "data": {
            "id": base36,
            "name": f"t3_{base36}",
            "author": author,
            "author_fullname": f"t2_{author.lower()[:8]}",
            "title": title,
            "selftext": selftext,
            "selftext_html": None,
            "created_utc": when.timestamp(),
            "edited": False,
            "subreddit": sub,
            "subreddit_name_prefixed": f"r/{sub}",
            "permalink": f"/r/{sub}/comments/{base36}/{title.lower().replace(' ', '_')[:20]}/",
            "url": f"https://www.reddit.com/r/{sub}/comments/{base36}/",
            "num_comments": 3,
            "score": 7,
            "over_18": False,
            "is_self": True,
        },
    }


def _created(link: dict[str, Any]) -> float:
    created = link["data"]["created_utc"]
    return float(created) if isinstance(created, int | float) else 0.0


class FakeReddit(FakeServer):
    """oauth.reddit.com and www.reddit.com's token endpoint in one server."""

    def __init__(self, links: list[dict[str, Any]], *, client_id: str, secret: str) -> None:
        super().__init__()
        self.links = sorted(links, key=_created, reverse=True)
        self.client_id, self.secret = client_id, secret
        self.tokens: set[str] = set()

    def route(self, seen: Seen) -> Reply:
        if seen.path == "/api/v1/access_token":
            expected = base64.b64encode(f"{self.client_id}:{self.secret}".encode()).decode()
            if (
                seen.headers.get("authorization") != f"Basic {expected}"
                or b"client_credentials" not in seen.body
            ):
                return Reply.json({"message": "Unauthorized", "error": 401}, 401)
            token = f"reddit-token-{len(self.tokens) + 1}"
            self.tokens.add(token)
            return Reply.json(
                {"access_token": token, "token_type": "bearer", "expires_in": 86400, "scope": "*"}
            )
        if seen.headers.get("authorization", "").removeprefix("bearer ") not in self.tokens:
            return Reply.json({"message": "Unauthorized", "error": 401}, 401)
        if seen.path.endswith("/new") and seen.path.startswith("/r/"):
            sub = seen.path.split("/")[2].lower()
            pool = [link for link in self.links if link["data"]["subreddit"].lower() == sub]
        elif seen.path == "/search":
            term = seen.query.get("q", "").lower()
            pool = [
                link
                for link in self.links
                if term in (link["data"]["title"] + link["data"]["selftext"]).lower()
            ]
        else:
            return super().route(seen)
        names = [link["data"]["name"] for link in pool]
        start = names.index(seen.query["after"]) + 1 if seen.query.get("after") in names else 0
        limit = min(int(seen.query.get("limit", 25)), 100)
        page = pool[start : start + limit]
        after = page[-1]["data"]["name"] if page and start + limit < len(pool) else None
        listing = {
            "kind": "Listing",
            "data": {"after": after, "before": None, "dist": len(page), "children": page},
        }
        quota = {"x-ratelimit-remaining": "99.0", "x-ratelimit-used": "1", "x-ratelimit-reset": "420"}
        return Reply.json(listing, **quota)


# --- RSS and Atom ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedItem:
    guid: str
    title: str
    html: str
    when: dt.datetime
    author: str = "Port Alder Communications"


def rss2(items: list[FeedItem], *, title: str = "Port Alder news", language: str = "en-ca") -> bytes:
    entries = "".join(
        f"<item><title>{escape(i.title)}</title><link>https://news.example/{i.guid}</link>"
        f"<guid isPermaLink='false'>{escape(i.guid)}</guid><author>{escape(i.author)}</author>"
        f"<pubDate>{format_datetime(i.when)}</pubDate><description>{escape(i.html)}</description></item>"
        for i in items
    )
    return (
        f"<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel><title>{escape(title)}</title>"
        f"<link>https://news.example/</link><description>News</description><language>{language}</language>"
        f"{entries}</channel></rss>"
    ).encode()


def rss091(items: list[FeedItem]) -> bytes:
    entries = "".join(
        f"<item><title>{escape(i.title)}</title><link>https://news.example/{i.guid}</link>"
        f"<description>{escape(i.html)}</description><pubDate>{format_datetime(i.when)}</pubDate></item>"
        for i in items
    )
    return (
        "<?xml version='1.0'?><rss version='0.91'><channel><title>Port Alder notices</title>"
        f"<link>https://news.example/</link><description>Notices</description><language>en</language>{entries}"
        "</channel></rss>"
    ).encode()


def rss1(items: list[FeedItem]) -> bytes:
    seq = "".join(f"<rdf:li rdf:resource='https://news.example/{i.guid}'/>" for i in items)
    entries = "".join(
        f"<item rdf:about='https://news.example/{i.guid}'><title>{escape(i.title)}</title>"
        f"<link>https://news.example/{i.guid}</link><description>{escape(i.html)}</description>"
        f"<dc:date>{i.when.isoformat()}</dc:date><dc:creator>{escape(i.author)}</dc:creator></item>"
        for i in items
    )
    return (
        "<?xml version='1.0'?><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#' "
        "xmlns='http://purl.org/rss/1.0/' xmlns:dc='http://purl.org/dc/elements/1.1/'>"
        "<channel rdf:about='https://news.example/rss'><title>Port Alder council</title>"
        f"<link>https://news.example/</link><description>Council</description><items><rdf:Seq>{seq}</rdf:Seq>"
        f"</items></channel>{entries}</rdf:RDF>"
    ).encode()


def atom(items: list[FeedItem]) -> bytes:
    entries = "".join(
        f"<entry><title>{escape(i.title)}</title><id>urn:uuid:{i.guid}</id>"
        f"<link href='https://news.example/{i.guid}'/><updated>{i.when.isoformat()}</updated>"
        f"<published>{i.when.isoformat()}</published><author><name>{escape(i.author)}</name></author>"
        f"<content type='html'>{escape(i.html)}</content></entry>"
        for i in items
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom' xml:lang='en'>"
        "<title>Port Alder blog</title><id>urn:uuid:portalder-blog</id>"
        f"<updated>{dt.datetime.now(dt.UTC).isoformat()}</updated>{entries}</feed>"
    ).encode()


class FakeFeeds(FakeServer):
    """Feed documents by path, with validators; a matching `If-None-Match` gets a 304."""

    def __init__(self, documents: dict[str, tuple[bytes, str]]) -> None:
        super().__init__()
        self.documents = documents  # path -> (body, content type)

    def route(self, seen: Seen) -> Reply:
        if seen.path not in self.documents:
            return Reply(404, b"not found", {"Content-Type": "text/plain"})
        body, ctype = self.documents[seen.path]
        etag = f'"{abs(hash(body)):x}"'
        modified = "Mon, 05 Oct 2026 10:00:00 GMT"
        if seen.headers.get("if-none-match") == etag:
            return Reply(304, b"", {"ETag": etag, "Last-Modified": modified})
        return Reply(200, body, {"Content-Type": ctype, "ETag": etag, "Last-Modified": modified})


class FakeJson(FakeServer):
    """A generic JSON endpoint (`{"ok": true, "n": <request number>}`) for the HTTP layer's tests."""

    def __init__(self, route: Route | None = None) -> None:
        super().__init__()
        self._route = route

    def route(self, seen: Seen) -> Reply:
        if self._route is not None:
            return self._route(seen)
        return Reply.json({"ok": True, "n": len(self.requests)})
