from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from listening.config import ProgramConfigError, load_program, load_programs
from tests.support import DEMO_PROGRAM


def _error(path: Path) -> str:
    with pytest.raises(ProgramConfigError) as info:
        load_program(path)
    return str(info.value)


def _write(tmp_path: Path, data: object, name: str = "prog.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return path


@pytest.fixture
def demo_raw() -> dict:
    return yaml.safe_load(DEMO_PROGRAM.read_text())


def test_demo_program_loads() -> None:
    program = load_program(DEMO_PROGRAM)
    assert program.program == "city_services"
    assert program.privacy.k == 10
    assert {"transit", "roads", "snow", "waste", "parks", "permits", "water", "safety"} <= {
        t.id for t in program.topics
    }
    assert program.governance.approver


def test_error_names_file_field_and_problem(tmp_path: Path, demo_raw: dict) -> None:
    demo_raw["privacy"]["k"] = 3
    path = _write(tmp_path, demo_raw)
    with pytest.raises(ProgramConfigError) as info:
        load_program(path)
    message = str(info.value)
    assert str(path) in message
    assert "privacy.k" in message
    assert "k below 5" in message


def test_missing_governance_and_bad_cron(tmp_path: Path, demo_raw: dict) -> None:
    del demo_raw["governance"]
    demo_raw["schedules"]["nightly"] = "every night"
    message = _error(_write(tmp_path, demo_raw))
    assert "governance: Field required" in message
    assert "schedules.nightly" in message


def test_unknown_field_is_refused(tmp_path: Path, demo_raw: dict) -> None:
    demo_raw["privacy"]["kk"] = 10
    assert "privacy.kk" in _error(_write(tmp_path, demo_raw))


def test_not_yaml_and_not_mapping(tmp_path: Path) -> None:
    bad = _write(tmp_path, "program: [unclosed\n")
    assert "not valid YAML" in _error(bad)
    scalar = _write(tmp_path, "just a string\n", "scalar.yaml")
    assert "expected a mapping" in _error(scalar)


def test_duplicate_sources_and_program_ids(tmp_path: Path, demo_raw: dict) -> None:
    demo_raw["sources"].append(dict(demo_raw["sources"][0]))
    assert "duplicate sources" in _error(_write(tmp_path, demo_raw))
    demo_raw["sources"].pop()
    _write(tmp_path, demo_raw, "a.yaml")
    _write(tmp_path, demo_raw, "b.yaml")
    (tmp_path / "prog.yaml").unlink()
    with pytest.raises(ProgramConfigError, match="used twice"):
        load_programs(tmp_path)


def test_fingerprint_tracks_content(demo_raw: dict, tmp_path: Path) -> None:
    first = load_program(_write(tmp_path, demo_raw)).fingerprint
    demo_raw["privacy"]["k"] = 12
    assert load_program(_write(tmp_path, demo_raw)).fingerprint != first


def test_every_source_kind_loads_with_defaults(tmp_path: Path, demo_raw: dict) -> None:
    demo_raw["queries"] = ["#PortAlder", "pothole"]
    demo_raw["sources"] = [
        {"name": "masto", "kind": "mastodon", "hashtags": ["PortAlder"], "env": {"token": "MASTO_TOKEN"}},
        {"name": "sky", "kind": "bluesky", "connection": "bluesky_default"},
        {"name": "red", "kind": "reddit", "subreddits": ["portalder"], "connection": "reddit_app"},
        {"name": "news", "kind": "rss", "url": "https://example.org/feed.xml"},
        {"name": "drop", "kind": "file", "path": "drop/{date}.parquet", "format": "parquet"},
    ]
    program = load_program(_write(tmp_path, demo_raw))
    masto, sky, red, news, drop = program.sources
    assert (masto.platform, masto.base_url, masto.rate_limit, masto.max_pages) == (
        "mastodon",
        "https://mastodon.social",
        1.0,
        50,
    )
    assert sky.platform == "bluesky"
    assert sky.timeout_s == 20
    assert red.auth_url.endswith("/api/v1/access_token")
    assert news.feed_urls == ["https://example.org/feed.xml"]
    assert drop.platform == "file"
    assert drop.delete_after_store is False
    from listening.config import source_queries

    assert source_queries(program, masto) == [("hashtags", "PortAlder")]
    assert source_queries(program, sky) == [("search", "#PortAlder"), ("search", "pothole")]
    assert source_queries(program, drop) == []


@pytest.mark.parametrize("key", ["token", "password", "client_secret", "app_password"])
def test_an_inline_secret_is_refused_without_echoing_it(tmp_path: Path, demo_raw: dict, key: str) -> None:
    demo_raw["sources"][0][key] = "s3cr3t-canary-value"
    message = _error(_write(tmp_path, demo_raw))
    assert "secrets never go in the pipeline file" in message
    assert key in message
    assert "s3cr3t-canary-value" not in message


def test_env_must_name_variables_and_rss_needs_a_feed(tmp_path: Path, demo_raw: dict) -> None:
    demo_raw["sources"][0]["env"] = {"token": "abc-123 not a name"}
    message = _error(_write(tmp_path, demo_raw))
    assert "must name an environment variable" in message
    assert "abc-123" not in message
    demo_raw["sources"][0].pop("env")
    demo_raw["sources"].append({"name": "news", "kind": "rss"})
    assert "needs `url` or `feeds`" in _error(_write(tmp_path, demo_raw))


def test_the_checked_in_json_schema_refuses_an_inline_secret(demo_raw: dict) -> None:
    """Editors and CI that validate with `schemas/pipeline.schema.json` refuse secrets in the file too."""
    import datetime as dt
    import json

    import jsonschema

    from listening.schemas import SCHEMA_DIR

    schema = json.loads((SCHEMA_DIR / "pipeline.schema.json").read_text())
    plain = json.loads(json.dumps(demo_raw, default=lambda v: v.isoformat() if isinstance(v, dt.date) else v))
    jsonschema.validate(plain, schema)
    plain["sources"].append({"name": "masto", "kind": "mastodon", "token": "s3cr3t"})
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(plain, schema)
    plain["sources"][-1] = {"name": "masto", "kind": "mastodon", "env": {"token": "MASTO_TOKEN"}}
    jsonschema.validate(plain, schema)
