"""The HTTP layer every platform connector shares: one client, paced, retried, capped, and quiet.

Retries (tenacity) cover timeouts, transport errors, 429 and 5xx, with exponential backoff and jitter;
a `Retry-After` header, or a rate-limit header saying the quota is spent, is waited out before the next
request. A page too large, of the wrong content type or not decodable is rejected as a page (the
connector turns it into one quarantined record); a source that keeps failing raises `SourceError`
whose message names the source and the reason only: never a URL, a query string, a header or a body.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import logging
import random
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from listening.records import Reason
from listening.sources.base import SourceError

# httpx logs every request line, query string included (cursors and max_id carry platform post ids).
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).setLevel(logging.WARNING)

log = logging.getLogger(__name__)

JSON_TYPES = ("application/json",)
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
)
_RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
_REMAINING = ("x-ratelimit-remaining", "ratelimit-remaining")
_RESET = ("x-ratelimit-reset", "ratelimit-reset")


@dataclass(frozen=True)
class HttpLimits:
    """Bounds of one connector's HTTP traffic."""

    max_bytes: int = 5 * 1024 * 1024
    max_redirects: int = 5
    attempts: int = 5
    backoff_initial_s: float = 0.5
    backoff_max_s: float = 30.0
    #: The longest single wait a server may ask for (Retry-After, rate-limit reset); longer fails the source.
    max_wait_s: float = 120.0


class PageRejected(Exception):
    """A response that cannot be used as a page; the connector records it as one quarantined record."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason.value)
        self.reason = reason


class _Retryable(Exception):
    def __init__(self, what: str, wait_s: float | None = None) -> None:
        super().__init__(what)
        self.what = what
        self.wait_s = wait_s


@dataclass(frozen=True)
class Page:
    """A response whose body was read within the size cap."""

    status: int
    headers: httpx.Headers
    body: bytes
    url: httpx.URL

    def json(self) -> Any:
        """The body as JSON, or `PageRejected(malformed_page)`."""
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            raise PageRejected(Reason.MALFORMED_PAGE) from None

    def links(self) -> dict[str, str]:
        """The `Link` header as `{rel: url}` (Mastodon pages with it)."""
        found: dict[str, str] = {}
        for part in self.headers.get_list("link", split_commas=True):
            url, _, params = part.partition(";")
            for param in params.split(";"):
                key, _, value = param.strip().partition("=")
                if key.strip() == "rel" and url.strip().startswith("<"):
                    found[value.strip().strip('"')] = url.strip()[1:-1]
        return found


def seconds_until(value: str, *, now: dt.datetime | None = None) -> float | None:
    """A reset or retry time as seconds from now: delta seconds, epoch seconds, an HTTP date or ISO 8601."""
    value = value.strip()
    now = now or dt.datetime.now(dt.UTC)
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is not None:
        if number > 1e9:  # epoch seconds (Bluesky's ratelimit-reset)
            return max(0.0, number - now.timestamp())
        return max(0.0, number)  # delta seconds (Retry-After, Reddit's x-ratelimit-reset)
    when: dt.datetime | None
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))  # Mastodon's X-RateLimit-Reset
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - now).total_seconds())


def _media_type(headers: httpx.Headers) -> str:
    return headers.get("content-type", "").split(";")[0].strip().lower()


class HttpClient:
    """One connector's HTTP client: timeouts, a request-rate cap, retries and the response caps."""

    def __init__(
        self,
        source: str,
        *,
        rate_limit: float = 1.0,
        timeout_s: float = 20.0,
        user_agent: str = "listening (public-sector social listening)",
        limits: HttpLimits | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.source = source
        self.limits = limits or HttpLimits()
        self._interval = 1.0 / rate_limit if rate_limit > 0 else 0.0
        self._sleep = sleep
        self._clock = clock
        self._next_at = 0.0
        self.requests = 0
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout_s),
            follow_redirects=True,
            max_redirects=self.limits.max_redirects,
            headers={"User-Agent": user_agent},
            trust_env=False,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fail(self, reason: str) -> SourceError:
        """The error a connector raises for this source: its name and the reason, nothing else."""
        return SourceError(f"{self.source}: {reason}")

    # -- pacing --------------------------------------------------------------------------------------

    def _wait(self, seconds: float, why: str) -> None:
        if seconds > self.limits.max_wait_s:
            raise self.fail(f"{why}: the server asks to wait {seconds:.0f} s")
        if seconds > 0:
            self._sleep(seconds)

    def _pace(self) -> None:
        now = self._clock()
        if self._next_at > now:
            self._wait(self._next_at - now, "rate limited")
        self._next_at = max(self._clock(), self._next_at) + self._interval

    def _note_quota(self, headers: httpx.Headers) -> None:
        """A spent quota (`remaining` under 1) delays the next request until the quota resets."""
        remaining = next((headers[h] for h in _REMAINING if h in headers), None)
        reset = next((headers[h] for h in _RESET if h in headers), None)
        if remaining is None or reset is None:
            return
        try:
            spent = float(remaining) < 1
        except ValueError:
            return
        wait = seconds_until(reset)
        if spent and wait is not None:
            self._next_at = max(self._next_at, self._clock() + wait)

    # -- requests ------------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        json_body: Any = None,
        auth: tuple[str, str] | None = None,
        accept: Collection[str] = JSON_TYPES,
        ok: Collection[int] = (),
    ) -> Page:
        """One request, retried on timeouts, transport errors, 429 and 5xx.

        Returns a 2xx or 304 page, or one with a status listed in `ok`; any other status fails the
        source. Raises `PageRejected` for a body over the size cap, of a type not in `accept`.
        """
        try:
            request = self._client.build_request(
                method, url, params=params, headers=headers, data=data, json=json_body
            )
        except (httpx.InvalidURL, httpx.UnsupportedProtocol):
            raise self.fail("invalid URL") from None
        retrying = Retrying(
            stop=stop_after_attempt(self.limits.attempts),
            wait=self._backoff,
            retry=retry_if_exception_type(_Retryable),
            sleep=lambda seconds: self._wait(seconds, "retry"),
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._once(request, auth, accept, ok)
        except _Retryable as exc:
            raise self.fail(f"{exc.what} after {self.limits.attempts} attempts") from None
        raise self.fail("no attempt made")  # pragma: no cover - tenacity either returns or raises

    def get(self, url: str, **kwargs: Any) -> Page:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> Page:
        return self.request("POST", url, **kwargs)

    def _backoff(self, state: RetryCallState) -> float:
        exp = self.limits.backoff_initial_s * 2 ** (state.attempt_number - 1)
        wait = min(self.limits.backoff_max_s, exp) + random.uniform(0, self.limits.backoff_initial_s)
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Retryable) and exc.wait_s is not None:
            wait = max(wait, exc.wait_s)
        return wait

    def _once(
        self,
        request: httpx.Request,
        auth: tuple[str, str] | None,
        accept: Collection[str],
        ok: Collection[int],
    ) -> Page:
        self._pace()
        self.requests += 1
        try:
            response = self._client.send(request, stream=True, auth=auth)
        except httpx.TooManyRedirects:
            raise self.fail(f"more than {self.limits.max_redirects} redirects") from None
        except httpx.TimeoutException:
            raise _Retryable("timeout") from None
        except httpx.TransportError as exc:
            raise _Retryable(type(exc).__name__) from None
        except httpx.UnsupportedProtocol:
            raise self.fail("unsupported URL scheme") from None
        try:
            self._note_quota(response.headers)
            status = response.status_code
            if status in _RETRY_STATUSES:
                retry_after = response.headers.get("retry-after")
                raise _Retryable(f"HTTP {status}", seconds_until(retry_after) if retry_after else None)
            if not (200 <= status < 300 or status == 304 or status in ok):
                raise self.fail(f"HTTP {status}")
            body = self._read_capped(response)
        finally:
            response.close()
        page = Page(status, response.headers, body, response.url)
        if 200 <= status < 300 and accept and _media_type(response.headers) not in accept:
            raise PageRejected(Reason.WRONG_CONTENT_TYPE)
        return page

    def _read_capped(self, response: httpx.Response) -> bytes:
        cap = self.limits.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise PageRejected(Reason.OVERSIZED_PAGE)
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > cap:
                    raise PageRejected(Reason.OVERSIZED_PAGE)
                chunks.append(chunk)
        except httpx.TimeoutException:
            raise _Retryable("timeout") from None
        except httpx.TransportError as exc:
            raise _Retryable(type(exc).__name__) from None
        return b"".join(chunks)
