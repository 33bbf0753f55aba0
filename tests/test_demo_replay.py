"""The demo's replay server: every line of a day's file served once, on that day, in the platform's shape."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from listening import demo
from listening.config import ProgramConfig, load_program
from listening.demo_replay import Recording, replaying
from listening.records import Rejected
from listening.sources.base import ConnectorContext, SourceError
from listening.sources.platform import REPLAY_PORT_ENV, resolve_url
from listening.sources.registry import build_connector
from listening.stages import day_window
from tests.support import DEMO_PROGRAM

START = dt.date(2026, 3, 2)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("replay")
    demo.generate(root, start=START, days=2)
    return root


def _lines(path: Path) -> int:
    return sum(1 for line in path.read_bytes().split(b"\n") if line.strip())


def _read(program: ProgramConfig, name: str, day: dt.date, data: Path) -> list[object]:
    connector = build_connector(program, name, ConnectorContext(data))
    window = day_window(program, day)
    return [r.payload for s in connector.plan(window) for r in connector.read(s, window)]


def test_each_line_is_read_once_on_its_day(data: Path) -> None:
    program = load_program(DEMO_PROGRAM)
    broken = 0
    with replaying(data) as server:
        assert os.environ[REPLAY_PORT_ENV] == str(server.port)
        for offset in range(2):
            day = START + dt.timedelta(days=offset)
            for name, folder in (("mastodon_export", "mastodon"), ("bluesky_export", "bluesky")):
                payloads = _read(program, name, day, data)
                assert len(payloads) == _lines(data / "city_services" / folder / f"{day}.jsonl"), (name, day)
                mapped = [p for p in payloads if isinstance(p, dict)]
                assert all(p["platform"] == folder for p in mapped)
                broken += sum(isinstance(p, Rejected) for p in payloads)
    assert broken > 0  # a broken line is served as an item the connector cannot map, and counted
    assert REPLAY_PORT_ENV not in os.environ


def test_copies_are_boosts_of_the_original(data: Path) -> None:
    recording = Recording.load(data)
    boosts = [i.body for i in recording.mastodon if i.body.get("reblog")]
    assert boosts
    originals = {i.body.get("id") for i in recording.mastodon if not i.body.get("reblog")}
    assert all(b["reblog"]["id"] in originals for b in boosts)
    assert all(b["id"] not in originals for b in boosts)


def test_the_forum_feed_reads_through_the_rss_connector(data: Path) -> None:
    program = ProgramConfig.model_validate(
        {
            **load_program(DEMO_PROGRAM).model_dump(),
            "sources": [
                {
                    "name": "forum_feed",
                    "kind": "rss",
                    "url": f"http://127.0.0.1:{{replay_port}}/forum.rss?day={START}",
                    "rate_limit": 50,
                }
            ],
        }
    )
    with replaying(data):
        payloads = _read(program, "forum_feed", START, data)
    mapped = [p for p in payloads if isinstance(p, dict)]
    rows = _lines(data / "city_services" / "forum" / f"{START}.csv") - 1
    assert 0.9 * rows <= len(mapped) <= rows
    assert all(p["text"] and p["id"].startswith("t3_") for p in mapped)


def test_a_replay_url_without_the_port_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REPLAY_PORT_ENV, raising=False)
    with pytest.raises(SourceError, match=f"^masto: the URL needs {REPLAY_PORT_ENV}"):
        resolve_url("masto", "http://127.0.0.1:{replay_port}")
    with pytest.raises(SourceError, match="unknown placeholder"):
        resolve_url("masto", "http://{host}/x")
    monkeypatch.setenv(REPLAY_PORT_ENV, "18211")
    assert resolve_url("masto", "http://127.0.0.1:{replay_port}/") == "http://127.0.0.1:18211"


def test_demo_serve_answers_until_stopped(data: Path) -> None:
    import re
    import subprocess
    import sys

    import httpx

    env = {**os.environ, "LISTENING_DATA_DIR": str(data)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "listening.cli", "demo", "serve"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        port = re.search(r"LISTENING_REPLAY_PORT=(\d+)", line)
        assert port, line
        page = httpx.get(f"http://127.0.0.1:{port[1]}/api/v1/timelines/tag/PortAlder", params={"limit": 5})
        assert page.status_code == 200
        assert len(page.json()) == 5
        assert 'rel="next"' in page.headers["link"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
