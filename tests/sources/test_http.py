"""The shared HTTP layer against a local server: retries, waits, caps and quiet errors."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest

from listening.records import Reason
from listening.sources.base import SourceError
from listening.sources.http import HttpClient, HttpLimits, PageRejected, seconds_until
from tests.sources.fakes import FakeJson, Reply, Seen

FAST = HttpLimits(attempts=3, backoff_initial_s=0.01, backoff_max_s=0.05)
SECRET = "s3cr3t-token-value-7731"


def client(**kw: Any) -> HttpClient:
    kw.setdefault("rate_limit", 100.0)
    kw.setdefault("limits", FAST)
    return HttpClient("test_source", **kw)


def test_retry_after_is_waited_out() -> None:
    with FakeJson() as server, client() as http:
        server.script("/x", Reply.json({"error": "slow down"}, 429, **{"Retry-After": "1"}))
        page = http.get(f"{server.url}/x")
    assert page.json()["ok"] is True
    first, second = server.requests
    assert second.at - first.at >= 0.95


def test_server_errors_are_retried_with_backoff() -> None:
    with FakeJson() as server, client() as http:
        server.script("/x", Reply(500, b"oops"), Reply(503, b"busy"))
        assert http.get(f"{server.url}/x").status == 200
    assert len(server.requests) == 3


def test_a_source_that_keeps_failing_raises_a_quiet_error(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with (
        FakeJson(lambda seen: Reply(500, SECRET.encode())) as server,
        client() as http,
        pytest.raises(SourceError) as err,
    ):
        http.get(f"{server.url}/x", params={"access_token": SECRET}, headers={"Authorization": SECRET})
    assert str(err.value) == "test_source: HTTP 500 after 3 attempts"
    assert len(server.requests) == 3
    assert SECRET not in caplog.text
    assert "access_token" not in caplog.text
    assert err.value.__cause__ is None
    assert err.value.__suppress_context__


def test_client_errors_are_not_retried() -> None:
    with FakeJson(lambda seen: Reply.json({"error": "forbidden"}, 403)) as server, client() as http:
        with pytest.raises(SourceError, match=r"^test_source: HTTP 403$"):
            http.get(f"{server.url}/x")
        assert len(server.requests) == 1
        assert http.get(f"{server.url}/x", ok=(403,)).status == 403


def test_timeouts_are_retried_then_fail() -> None:
    def slow(seen: Seen) -> Reply:
        time.sleep(0.5)
        return Reply.json({})

    with (
        FakeJson(slow) as server,
        client(timeout_s=0.1) as http,
        pytest.raises(SourceError, match=r"^test_source: timeout after 3 attempts$"),
    ):
        http.get(f"{server.url}/x")


def test_oversized_pages_are_rejected() -> None:
    big = Reply.json({"text": "x" * 5000})
    with (
        FakeJson(lambda seen: big) as server,
        client(limits=HttpLimits(max_bytes=1000)) as http,
        pytest.raises(PageRejected) as err,
    ):
        http.get(f"{server.url}/x")
    assert err.value.reason is Reason.OVERSIZED_PAGE


def test_wrong_content_type_and_malformed_json_are_rejected() -> None:
    html = Reply(200, b"<html>login</html>", {"Content-Type": "text/html"})
    with FakeJson() as server, client() as http:
        server.script("/x", html, Reply(200, b'{"posts": [', {"Content-Type": "application/json"}))
        with pytest.raises(PageRejected) as wrong:
            http.get(f"{server.url}/x")
        page = http.get(f"{server.url}/x")
        with pytest.raises(PageRejected) as broken:
            page.json()
    assert wrong.value.reason is Reason.WRONG_CONTENT_TYPE
    assert broken.value.reason is Reason.MALFORMED_PAGE


def test_redirect_loops_fail_the_source() -> None:
    loop = Reply(302, b"", {"Location": "/x?token=" + SECRET})
    with FakeJson(lambda seen: loop) as server, client() as http, pytest.raises(SourceError) as err:
        http.get(f"{server.url}/x")
    assert str(err.value) == "test_source: more than 5 redirects"
    assert len(server.requests) == 6


def test_rate_limit_caps_the_request_rate() -> None:
    with FakeJson() as server, client(rate_limit=5.0) as http:
        for _ in range(4):
            http.get(f"{server.url}/x")
    assert server.requests[-1].at - server.requests[0].at >= 0.55


def test_a_spent_quota_delays_the_next_request() -> None:
    waits: list[float] = []
    spent = Reply.json({}, **{"ratelimit-remaining": "0", "ratelimit-reset": str(int(time.time()) + 30)})
    with FakeJson() as server, client(sleep=waits.append) as http:
        server.script("/x", spent)
        http.get(f"{server.url}/x")
        http.get(f"{server.url}/x")
    assert len(waits) == 1
    assert 25 <= waits[0] <= 31


def test_a_wait_longer_than_the_cap_fails_at_once() -> None:
    with (
        FakeJson(lambda seen: Reply.json({}, 429, **{"Retry-After": "3600"})) as server,
        client() as http,
        pytest.raises(SourceError, match="asks to wait 3600 s"),
    ):
        http.get(f"{server.url}/x")
    assert len(server.requests) == 1


def test_link_header_and_reset_formats() -> None:
    link = '<https://m.example/api/v1/timelines/tag/a?max_id=9>; rel="next", '
    link += '<https://m.example/x?min_id=12>; rel="prev"'
    with FakeJson(lambda seen: Reply.json([], Link=link)) as server, client() as http:
        links = http.get(f"{server.url}/x").links()
    assert links == {
        "next": "https://m.example/api/v1/timelines/tag/a?max_id=9",
        "prev": "https://m.example/x?min_id=12",
    }
    assert seconds_until("12") == 12
    assert 0 < (seconds_until(str(time.time() + 60)) or 0) <= 60
    assert seconds_until("2000-01-01T00:00:00Z") == 0
    assert seconds_until("Wed, 21 Oct 2015 07:28:00 GMT") == 0
    assert seconds_until("soon") is None
