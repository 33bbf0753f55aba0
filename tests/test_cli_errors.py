"""Every `listening` command with bad arguments: a non-zero exit and one clear line, never a traceback;
user-supplied strings are printed as they are, never read as Rich markup."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from listening.periods import iso_week
from tests.support import DEMO_PROGRAM, ROOT

TODAY = dt.datetime.now(dt.UTC).date()
DOWN = "postgresql://nobody:s3cret-pw@127.0.0.1:1/listening"  # nothing listens on port 1


def listening(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "listening.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def migrated_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("cli-home")
    assert listening("db", "upgrade", env={"LISTENING_HOME": str(home)}).returncode == 0
    return home


P = ("-p", "city_services")
CASES = [
    # (arguments, environment, exit code, what the line says)
    (["nosuch"], {}, 2, "No such command 'nosuch'"),
    (["trends"], {}, 2, "Missing option '--program' / '-p'"),
    (["trends", "-p", "no_such_program"], {}, 2, "no program 'no_such_program'"),
    (["trends", *P, "--weeks", "many"], {}, 2, "Invalid value for '--weeks'"),
    (["run-day", *P], {}, 2, "Missing option '--day'"),
    (["run-day", *P, "--day", "2026-02-30"], {}, 2, "not a date (YYYY-MM-DD): '2026-02-30'"),
    (["run-day", *P, "--day", str(TODAY + dt.timedelta(days=1))], {}, 2, "is not over yet"),
    (["aggregate-week", *P, "--week", "2026-W60"], {}, 2, "not an ISO week (YYYY-Www): '2026-W60'"),
    (["aggregate-week", *P, "--week", iso_week(TODAY)], {}, 2, f"week {iso_week(TODAY)} is not over yet"),
    (["report", *P, "--week", "last"], {}, 2, "not an ISO week"),
    (["report", *P, "--week", "2026-W01"], {}, 2, "2026-W01: the week has not been aggregated"),
    (
        ["release", "approve", *P, "--week", "2026-W01", "--by", "auto"],
        {},
        1,
        "'auto' is not a privacy officer",
    ),
    (
        ["release", "approve", *P, "--week", "2026-W01", "--by", "privacy_officer"],
        {},
        1,
        "not been aggregated",
    ),
    (
        ["release", "reject", *P, "--week", "2026-W01", "--by", "privacy_officer"],
        {},
        2,
        "Missing option '--note'",
    ),
    (["trends", *P, "--weeks", "0"], {}, 2, "--weeks must be 1 or more"),
    (["trends", *P, "--topic", "potholes"], {}, 2, "unknown topic 'potholes'"),
    (["trends", *P, "--source", "twitter"], {}, 2, "unknown source 'twitter'"),
    (["trends", *P, "--format", "xml"], {}, 2, "Invalid value for '--format'"),
    (["purge", "-p", "nope"], {}, 2, "no program 'nope'"),
    (["runs"], {}, 2, "Missing option '--program' / '-p'"),
    (["runs", *P, "--days", "0"], {}, 2, "--days must be 1 or more"),
    (["runs", *P, "--format", "xml"], {}, 2, "Invalid value for '--format'"),
    (["programs", "-p", "nope"], {}, 2, "no program 'nope'"),
    (["programs", "--format", "csv"], {}, 2, "Invalid value for '--format'"),
    (["validate", "no_such_file.yaml"], {}, 2, "cannot read the file (FileNotFoundError)"),
    (["redact", "-p", "no_such_file.yaml"], {}, 2, "no program 'no_such_file.yaml'"),
    (["db", "roles"], {}, 2, "database roles need PostgreSQL"),
    (["db", "upgrade", "--bogus"], {}, 2, "No such option: --bogus"),
    (["demo", "run", "--weeks", "x"], {}, 2, "Invalid value for '--weeks'"),
    (["trends", *P], {"LISTENING_DATABASE_URL": DOWN}, 1, "Connection refused"),
    (["db", "upgrade"], {"LISTENING_DATABASE_URL": DOWN}, 1, "Connection refused"),
    (["run-day", *P, "--day", "2026-11-02"], {"LISTENING_DATABASE_URL": DOWN}, 1, "Connection refused"),
    (["trends", *P], {"LISTENING_DATABASE_URL": "not a url"}, 1, "not a usable database URL"),
    (["db", "upgrade"], {"LISTENING_DATABASE_URL": "nosuchdb://x/y"}, 1, "not a usable database URL"),
    (
        ["trends", *P],
        {"LISTENING_HOME": "{fresh}"},
        1,
        "no such table: weekly_trends; run `listening db upgrade`",
    ),
]


@pytest.mark.parametrize(("args", "env", "code", "says"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_bad_arguments_end_in_one_clear_line(
    args: list[str], env: dict[str, str], code: int, says: str, migrated_home: Path, tmp_path: Path
) -> None:
    env = {"LISTENING_HOME": str(migrated_home)} | {
        key: value.replace("{fresh}", str(tmp_path)) for key, value in env.items()
    }
    result = listening(*args, env=env)
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(("error: ", "refused: ", "invalid ")), lines[0]
    assert says in lines[0]
    assert result.stdout == ""
    assert "s3cret-pw" not in result.stderr


def test_an_unexpected_error_names_its_type_only(tmp_path: Path) -> None:
    """A bug is one line too; LISTENING_DEBUG=1 brings the traceback back."""
    bad = tmp_path / "home"
    bad.write_text("a file where the folder should be")
    env = {"LISTENING_HOME": str(bad), "LISTENING_DATABASE_URL": f"sqlite:///{bad}/listening.db"}
    result = listening("trends", "-p", "city_services", env=env)
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: ")
    debug = listening("trends", "-p", "city_services", env=env | {"LISTENING_DEBUG": "1"})
    assert "Traceback" in debug.stderr


def test_no_arguments_prints_the_help() -> None:
    result = listening()
    assert result.returncode == 2
    assert "run-day" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_a_pattern_in_a_message_prints_intact(tmp_path: Path) -> None:
    bad = tmp_path / "bad_id.yaml"
    bad.write_text(DEMO_PROGRAM.read_text().replace("program: city_services", 'program: "Bad Id!"'))
    result = listening("validate", str(bad))
    assert result.returncode == 2
    assert "String should match pattern '^[a-z][a-z0-9_]{1,62}$'" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_yaml_key_that_looks_like_markup(tmp_path: Path) -> None:
    bad = tmp_path / "key.yaml"
    bad.write_text(DEMO_PROGRAM.read_text() + '\n"[/x]": 1\n')
    result = listening("validate", str(bad))
    assert result.returncode == 2
    assert "[/x]: Extra inputs are not permitted" in result.stderr
    assert "MarkupError" not in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("valid", [True, False])
def test_a_file_name_that_looks_like_markup(tmp_path: Path, valid: bool) -> None:
    (tmp_path / "[").mkdir()
    odd = tmp_path / "[" / "oops].yaml"  # the path ends in `[/oops].yaml`
    text = DEMO_PROGRAM.read_text()
    odd.write_text(text if valid else text.replace("k: 10", "k: 2"))
    result = listening("validate", str(odd))
    assert result.returncode == (0 if valid else 2), result.stderr
    assert f"{tmp_path}/[/oops].yaml" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_a_program_title_that_looks_like_markup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.console import Console

    from listening.cli import trend_export, trend_table
    from listening.config import load_program
    from listening.settings import get_settings
    from listening.store import db

    path = tmp_path / "odd.yaml"
    path.write_text(DEMO_PROGRAM.read_text().replace("title: Port Alder city services", 'title: "[/x] [b]A"'))
    url = f"sqlite:///{tmp_path / 'listening.db'}"
    db.upgrade(url)
    monkeypatch.setenv("LISTENING_DATABASE_URL", url)
    get_settings.cache_clear()
    console = Console(width=140, record=True)
    try:
        program = load_program(path)
        console.print(trend_table(program, trend_export(program, weeks=4), source="all"))
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
        db.get_engine.cache_clear()
    assert "[/x] [b]A: weekly trends" in console.export_text()


def test_an_invalid_pipeline_file_hides_no_other_program(tmp_path: Path) -> None:
    (tmp_path / DEMO_PROGRAM.name).write_text(DEMO_PROGRAM.read_text())
    (tmp_path / "bad.yaml").write_text(DEMO_PROGRAM.read_text().replace("k: 10", "k: 2"))
    env = {"LISTENING_PIPELINES_DIR": str(tmp_path)}
    found = listening("run-day", *P, "--day", str(TODAY + dt.timedelta(days=1)), env=env)
    assert "is not over yet" in found.stderr  # the program was found; the day was refused
    missing = listening("run-day", "-p", "other", "--day", "2026-11-02", env=env)
    assert "no program 'other'" in missing.stderr
    assert "bad.yaml invalid: see `listening validate`" in missing.stderr
