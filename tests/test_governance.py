from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from listening import stages
from listening.config import ProgramConfig, load_program
from listening.demo import file_drop_program
from listening.governance import ProgramRefused, check_program
from tests.support import DEMO_PROGRAM

TODAY = dt.date(2026, 11, 24)


@pytest.fixture
def program() -> ProgramConfig:
    return load_program(DEMO_PROGRAM)


def _with(program: ProgramConfig, **changes: object) -> ProgramConfig:
    return ProgramConfig.model_validate({**program.model_dump(), **changes})


def test_demo_program_may_collect(program: ProgramConfig) -> None:
    assert "@PortAlderCity" in program.queries  # allow-listed: the city's own account
    assert check_program(program, TODAY) == []


def test_queries_that_target_people_are_refused_without_echoing_them(program: ProgramConfig) -> None:
    changed = _with(program, queries=["snow plow", "Zebulon Quartermaine", "@zq_7731", "bus route 12"])
    problems = check_program(changed, TODAY)
    assert len(problems) == 2
    assert problems[0].startswith("queries[2] targets a person (PERSON)")
    assert problems[1].startswith("queries[3] targets a person (SOCIAL_HANDLE)")
    assert not any("Zebulon" in p or "zq_7731" in p for p in problems)


def test_overdue_review_stops_collection(program: ProgramConfig, tmp_path: Path) -> None:
    program = file_drop_program(program)  # no files: nothing to plan once the program may collect
    governance = {**program.governance.model_dump(), "review_date": dt.date(2026, 1, 31)}
    overdue = _with(program, governance=governance)
    assert "review was due on 2026-01-31" in check_program(overdue, TODAY)[0]
    with pytest.raises(ProgramRefused, match="city_services: governance review"):
        stages.plan_shards(overdue, TODAY, tmp_path, today=TODAY)
    # The program as it is may collect: its file drops have nothing in an empty folder.
    planned = stages.plan_shards(program, TODAY, tmp_path, today=TODAY)
    assert [s for s in planned if program.source(s["source"]).kind == "file"] == []


def test_every_sources_queries_are_checked_too(program: ProgramConfig) -> None:
    sources = [
        *[s.model_dump() for s in program.sources],
        {"name": "masto", "kind": "mastodon", "hashtags": ["PortAlder"], "search": ["snow plow", "@zq_7731"]},
        {"name": "red", "kind": "reddit", "subreddits": ["portalder"], "search": ["Zebulon Quartermaine"]},
        {"name": "news", "kind": "rss", "feeds": ["https://portalder.example/news/feed.xml"]},
        {"name": "someone", "kind": "rss", "url": "https://mastodon.example/@zq_7731.rss"},
    ]
    problems = check_program(_with(program, sources=sources), TODAY)
    where = [p.split(" targets a person")[0] for p in problems]
    assert where == [
        "sources.masto.search[2]",
        "sources.red.search[1]",
        "sources.someone.url",
    ]
    assert not any("Zebulon" in p or "zq_7731" in p for p in problems)
