"""The `listening` command as a user runs it: exit codes, messages, no raw text in errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support import DEMO_PROGRAM, ROOT


def listening(
    *args: str, stdin: bytes = b"", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "listening.cli", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=300,
        check=False,
    )


def test_validate_reports_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(DEMO_PROGRAM.read_text().replace("k: 10", "k: 2"))
    result = listening("validate", str(DEMO_PROGRAM), str(bad))
    assert result.returncode == 2
    out = result.stdout.decode() + result.stderr.decode()
    assert "ok" in out
    assert "bad.yaml" in out
    assert "privacy.k" in out
    assert "Traceback" not in out


def test_redact_streams_in_order_and_reports_bad_lines() -> None:
    lines = [
        json.dumps({"text": "Call Zebulon Quartermaine at 613-555-0187 about the bus", "n": 1}),
        "not json at all, Zebulon Quartermaine",
        json.dumps({"text": "Snow plows on King St were great", "n": 3}),
        json.dumps({"n": 4}),
    ]
    result = listening("redact", stdin=("\n".join(lines) + "\n").encode())
    assert result.returncode == 0, result.stderr.decode()
    out = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert len(out) == 4
    assert out[0]["n"] == 1
    assert "Zebulon" not in out[0]["text"]
    assert "bus" in out[0]["text"]
    assert {e["type"] for e in out[0]["entities"]} >= {"PERSON", "PHONE_NUMBER"}
    first = out[0]["entities"][0]
    assert set(first) == {"type", "start", "end", "score", "recognizer"}
    assert "error" in out[1]
    assert out[2]["text"] == "Snow plows on King St were great"
    assert "error" in out[3]
    assert b"Zebulon" not in result.stderr


def test_redact_with_a_program_uses_its_policy_and_its_taxonomy() -> None:
    # "windrow" is a word of the demo program's snow topic: with the program, it is no name.
    lines = [json.dumps({"text": "Windrow blocked my driveway, Zebulon Quartermaine says"})]
    result = listening("redact", "--program", str(DEMO_PROGRAM), stdin=("\n".join(lines) + "\n").encode())
    assert result.returncode == 0, result.stderr.decode()
    (out,) = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert out["text"].startswith("Windrow blocked my driveway")
    assert "Zebulon" not in out["text"]


def test_unknown_program_and_bad_week_are_clear_errors(tmp_path: Path) -> None:
    env = {"LISTENING_HOME": str(tmp_path)}
    missing = listening("trends", "-p", "no_such_program", env=env)
    assert missing.returncode == 2
    assert b"no program 'no_such_program'" in missing.stderr
    bad_week = listening("aggregate-week", "-p", "city_services", "--week", "2026-53x", env=env)
    assert bad_week.returncode == 2
    assert b"not an ISO week" in bad_week.stderr
    assert b"Traceback" not in bad_week.stderr + bad_week.stdout


def test_trends_on_an_empty_database(tmp_path: Path) -> None:
    env = {"LISTENING_HOME": str(tmp_path)}
    assert listening("db", "upgrade", env=env).returncode == 0
    result = listening("trends", "-p", "city_services", env=env)
    assert result.returncode == 0, result.stderr.decode()
    assert b"weekly trends" in result.stdout


def test_trends_as_json_and_csv_on_an_empty_database(tmp_path: Path) -> None:
    env = {"LISTENING_HOME": str(tmp_path)}
    assert listening("db", "upgrade", env=env).returncode == 0
    empty = listening("trends", "-p", "city_services", "--topic", "water", "--format", "json", env=env)
    assert empty.returncode == 0, empty.stderr.decode()
    assert json.loads(empty.stdout) == []
    csv_out = listening("trends", "-p", "city_services", "--format", "csv", env=env)
    assert csv_out.stdout.decode().startswith("iso_week,week_start,topic,topic_label,source,source_label")


def test_report_and_sign_off_of_a_week_never_aggregated_are_refused(tmp_path: Path) -> None:
    env = {"LISTENING_HOME": str(tmp_path)}
    assert listening("db", "upgrade", env=env).returncode == 0
    report = listening("report", "-p", "city_services", "--week", "2026-W10", env=env)
    assert report.returncode == 2
    assert b"has not been aggregated" in report.stderr
    assert not (tmp_path / "exports" / "city_services" / "2026-W10").exists()
    approve = listening(
        "release", "approve", "-p", "city_services", "--week", "2026-W10", "--by", "privacy_officer", env=env
    )
    assert approve.returncode == 1
    assert approve.stderr.startswith(b"refused:")
    assert b"not been aggregated" in approve.stderr
    stranger = listening(
        "release", "approve", "-p", "city_services", "--week", "2026-W10", "--by", "someone", env=env
    )
    assert b"'someone' is not a privacy officer" in stranger.stderr


def test_programs_prints_the_public_register() -> None:
    import yaml

    raw = yaml.safe_load(DEMO_PROGRAM.read_text())
    result = listening("programs", "--format", "json")
    assert result.returncode == 0, result.stderr
    (entry,) = [e for e in json.loads(result.stdout) if e["program"] == "city_services"]
    assert entry["purpose"] == raw["governance"]["purpose"]
    assert entry["approver"] == raw["governance"]["approver"]
    assert entry["review_date"] == str(raw["governance"]["review_date"])
    assert entry["queries"] == raw.get("queries", [])
    assert [(s["name"], s["kind"], s["label"]) for s in entry["sources"]] == [
        (s["name"], s.get("kind", "file"), s.get("label", s["name"])) for s in raw["sources"]
    ]
    assert set(entry["retention"]) == {"text_days", "log_days", "quarantine_days"}
    table = listening("programs", "-p", "city_services")
    text = table.stdout.decode()
    assert table.returncode == 0
    assert raw["title"] in text
    assert "Approved by" in text
    assert "Retention:" in text
    for source in raw["sources"]:
        assert source["name"] in text


def test_runs_shows_each_sources_outcome(tmp_path: Path) -> None:
    import yaml

    raw = yaml.safe_load(DEMO_PROGRAM.read_text())
    raw["sources"] = [
        {"name": "drop", "label": "Drop", "kind": "file", "path": "drop/{date}.jsonl"},
        {"name": "quiet", "label": "Quiet", "kind": "file", "path": "quiet/{date}.jsonl"},
    ]
    program = tmp_path / "two_sources.yaml"
    program.write_text(yaml.safe_dump(raw))
    env = {"LISTENING_HOME": str(tmp_path), "LISTENING_DATA_DIR": str(tmp_path / "data")}
    assert listening("db", "upgrade", env=env).returncode == 0
    day = "2026-10-05"
    folder = tmp_path / "data" / "drop"
    folder.mkdir(parents=True)
    post = {"id": "1", "author_id": "a", "text": "The bus was late", "created_at": f"{day}T10:00:00+00:00"}
    (folder / f"{day}.jsonl").write_text(json.dumps(post) + "\n")
    run = listening("run-day", "-p", str(program), "--day", day, env=env)
    assert run.returncode == 0, run.stderr  # a source that delivered nothing: a warning, not a failure
    assert run.stderr.decode().strip().splitlines()[-1] == (
        f"warning: {raw['program']} {day}: delivered nothing: quiet"
    )
    summary = json.loads(run.stdout)
    assert summary["sources"] == {"drop": "success", "quiet": "missing"}
    shown = listening("runs", "-p", str(program), "--format", "json", env=env)
    rows = {r["source"]: r for r in json.loads(shown.stdout)}
    assert (rows["drop"]["status"], rows["drop"]["stored"], rows["drop"]["day"]) == ("success", 1, day)
    assert (rows["quiet"]["status"], rows["quiet"]["note"]) == ("missing", "delivered nothing")
    table = listening("runs", "-p", str(program), env=env).stdout.decode()
    assert "delivered nothing" in table
    assert "Quiet" in table
    assert "Watermarks" in table
    assert "drop/{date}.jsonl" in table
    assert "2026-10-06" in table  # the day's window ends at midnight after it


def test_run_day_with_a_source_outside_the_data_folder_names_it_and_stores_the_others(tmp_path: Path) -> None:
    import yaml

    raw = yaml.safe_load(DEMO_PROGRAM.read_text())
    raw["sources"] = [
        {"name": "drop", "kind": "file", "path": "drop/{date}.jsonl"},
        {"name": "escape", "kind": "file", "path": "/etc/{date}.jsonl"},
        {"name": "bad_json", "kind": "file", "path": "bad/{date}.jsonl"},
    ]
    program = tmp_path / "escape.yaml"
    program.write_text(yaml.safe_dump(raw))
    env = {"LISTENING_HOME": str(tmp_path), "LISTENING_DATA_DIR": str(tmp_path / "data")}
    assert listening("db", "upgrade", env=env).returncode == 0
    day = "2026-10-05"
    secret_text = "Zebulon Quartermaine rides the bus"
    post = {"id": "1", "author_id": "a", "text": secret_text, "created_at": f"{day}T10:00:00+00:00"}
    for folder, body in (("drop", json.dumps(post)), ("bad", '{"id": "2", "text": "' + secret_text)):
        (tmp_path / "data" / folder).mkdir(parents=True)
        (tmp_path / "data" / folder / f"{day}.jsonl").write_text(body + "\n")
    result = listening("run-day", "-p", str(program), "--day", day, env=env)
    err = result.stderr.decode()
    assert result.returncode == 1
    assert "Traceback" not in err
    assert "Zebulon" not in err + result.stdout.decode()
    assert "failed: source escape: path is outside the data folder" in err
    assert err.strip().splitlines()[-1] == f"error: {raw['program']} {day}: failed: escape"
    summary = json.loads(result.stdout)
    assert summary["sources"] == {"drop": "success", "escape": "failed", "bad_json": "success"}
    assert (summary["stored"], summary["quarantined"]) == (1, 1)
