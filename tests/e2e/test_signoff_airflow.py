"""Sign-off through Airflow's Human-in-the-Loop path, as a privacy officer answers it in the UI.

The weekly DAG of a program without `auto_release` runs with `dag.test()`; its `sign_off` task (the
standard provider's ApprovalOperator) waits for input. A second thread answers through Airflow's own
REST API (the endpoint the Required Actions page calls), authenticated as a user of the simple auth
manager: first as an analyst, who is refused, then as the privacy officer named in the pipeline file.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from listening.config import ProgramConfig, load_program
from listening.periods import week_start
from listening.privacy import keys
from listening.settings import get_settings
from listening.store import db
from listening.store.db import session_scope
from listening.store.models import KeyRecord, Mention, MentionTopic, Release, ReleaseDecision
from tests.support import DEMO_PROGRAM

pytestmark = pytest.mark.slow

WEEK = "2026-W10"
OFFICER = "privacy_officer"
TIMEOUT = 240
TEXTS = (
    ("The bus was late again on route 7, transit is getting worse", "transit"),
    ("Huge pothole on the road by the school, please fix it", "roads"),
    ("Cooling centre hours at the library are too short in this heat", ""),
)


@dataclass
class Week:
    program: ProgramConfig
    path: Path
    url: str
    exports: Path
    responses: list[tuple[str, int, str]] = field(default_factory=list)
    hitl: dict[str, Any] = field(default_factory=dict)


@pytest.fixture
def manual_week(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, airflow_db: Path) -> Iterator[Week]:
    """The demo program without auto-release, and a week of mentions to aggregate, in a fresh database."""
    raw = yaml.safe_load(DEMO_PROGRAM.read_text())
    raw["privacy"]["auto_release"] = False
    pipelines = tmp_path / "pipelines"
    pipelines.mkdir()
    path = pipelines / "city_services.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    url = f"sqlite:///{tmp_path / 'listening.db'}"
    monkeypatch.setenv("LISTENING_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LISTENING_PIPELINES_DIR", str(pipelines))
    monkeypatch.setenv("LISTENING_DATABASE_URL", url)
    users = f"admin:admin,{OFFICER}:user,analyst:user"
    monkeypatch.setenv("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS", users)
    get_settings.cache_clear()
    program = load_program(path)
    db.upgrade(url)
    day = week_start(WEEK) + dt.timedelta(days=2)
    with session_scope(url) as session:
        secret = keys.week_key(session, program.program, WEEK)
        for i in range(36):
            text, topic = TEXTS[i % len(TEXTS)]
            mention = Mention(
                program=program.program,
                post_key=uuid.uuid4().hex,
                source="mastodon_export",
                platform="mastodon",
                created_hour=dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC),
                day=day,
                iso_week=WEEK,
                author_key=keys.keyed_hash(secret, f"author-{i}"),
                text_redacted=text,
                sentiment_compound=-0.4,
                sentiment_label="negative",
                policy_version="1",
                run_id="seed",
            )
            session.add(mention)
            session.flush()
            if topic:
                session.add(MentionTopic(mention_id=mention.id, topic=topic))
    yield Week(program, path, url, tmp_path / "home" / "exports" / program.program / WEEK)
    db.get_engine(url).dispose()
    db.get_engine.cache_clear()
    get_settings.cache_clear()


def _api() -> Any:
    """A client of Airflow's REST API (built in the main thread: imports in two threads can deadlock)."""
    from airflow.api_fastapi.app import create_app
    from fastapi.testclient import TestClient

    return TestClient(create_app())


def _answer(client: Any, week: Week, dag_id: str, decision: str, note: str) -> None:
    """Wait for the sign-off request, then answer it through Airflow's REST API: analyst, then officer."""
    from airflow.api_fastapi.app import get_auth_manager as auth_manager
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    def headers(user: str, role: str) -> dict[str, str]:
        token = auth_manager().generate_jwt(SimpleAuthManagerUser(username=user, role=role))
        return {"Authorization": f"Bearer {token}"}

    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        listed = client.get(f"/api/v2/dags/{dag_id}/dagRuns/~/hitlDetails", headers=headers("admin", "admin"))
        found = listed.json().get("hitl_details", []) if listed.status_code == 200 else []
        details = [d for d in found if not d["response_received"]]  # earlier tests' requests are answered
        if details:
            break
        time.sleep(1)
    else:
        raise TimeoutError("no sign-off request appeared")
    detail = details[0]
    week.hitl = detail
    run_id = detail["task_instance"]["dag_run_id"]
    target = f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/sign_off/-1/hitlDetails"
    payload = {"chosen_options": [decision], "params_input": {"note": note}}
    for user in ("analyst", OFFICER):
        answered = client.patch(target, json=payload, headers=headers(user, "user"))
        week.responses.append((user, answered.status_code, answered.text))


def _run_weekly(week: Week, decision: str, note: str) -> Any:
    from listening.orchestration import weekly_dag

    dag = weekly_dag(week.program, week.path)
    client = _api()
    failure: list[BaseException] = []

    def respond() -> None:
        try:
            _answer(client, week, dag.dag_id, decision, note)
        except BaseException as exc:  # the DAG run would wait forever: fail its task instead
            failure.append(exc)
            _fail_sign_off(dag.dag_id)

    responder = threading.Thread(target=respond, daemon=True)
    responder.start()
    monday = week_start(WEEK) + dt.timedelta(days=7)
    run = dag.test(logical_date=dt.datetime.combine(monday, dt.time(4), tzinfo=dt.UTC))
    responder.join(timeout=30)
    if failure:
        raise failure[0]
    return run


def _fail_sign_off(dag_id: str) -> None:
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from airflow.utils.state import TaskInstanceState

    with create_session() as session:
        for ti in session.scalars(select(TaskInstance).where(TaskInstance.dag_id == dag_id)):
            if ti.state == TaskInstanceState.AWAITING_INPUT:
                ti.state = TaskInstanceState.FAILED


def _task_states(run: Any) -> dict[str, str]:
    from airflow.utils.session import create_session

    with create_session() as session:
        return {ti.task_id: str(ti.state) for ti in run.get_task_instances(session=session)}


def test_officer_approves_in_required_actions(manual_week: Week) -> None:
    run = _run_weekly(manual_week, "Approve", "Checked the review: residual scan clean")
    assert str(run.state) == "success", _task_states(run)
    # The analyst may not answer; the named officer may.
    assert [(user, status) for user, status, _ in manual_week.responses] == [("analyst", 403), (OFFICER, 200)]
    # The request the officer saw: the review's figures, where the full review is, only officers may answer.
    hitl = manual_week.hitl
    assert hitl["subject"] == f"Release Port Alder city services, week {WEEK}?"
    assert "Records read" in hitl["body"]
    assert "Entities redacted" in hitl["body"]
    assert str(manual_week.exports / "privacy_review.html") in hitl["body"]
    assert {u["id"] for u in hitl["assigned_users"]} == {"privacy_officer", "deputy_privacy_officer"}
    assert hitl["options"] == ["Approve", "Reject"]

    with session_scope(manual_week.url) as session:
        release = session.scalars(select(Release)).one()
        (decision,) = session.scalars(select(ReleaseDecision)).all()
        week_key = session.scalars(select(KeyRecord).where(KeyRecord.scope == WEEK)).one()
    assert release.status == "released"
    assert release.approved_by == "Privacy Officer, Office of the City Clerk"
    assert (decision.decision, decision.decided_by, decision.channel) == ("approve", OFFICER, "airflow")
    assert decision.note == "Checked the review: residual scan clean"
    assert decision.airflow_run_id == run.run_id
    assert week_key.key is None
    # Reports were written after the decision: the analyst's files exist and the review says released.
    for name in ("report.html", "trends.csv", "trends.parquet", "terms.csv", "privacy_review.html"):
        assert (manual_week.exports / name).is_file(), name
    assert "Checked the review" in (manual_week.exports / "privacy_review.html").read_text()


def test_officer_rejects_and_the_week_stays_unpublished(manual_week: Week) -> None:
    run = _run_weekly(manual_week, "Reject", "Two residual phone numbers: fix the policy first")
    states = _task_states(run)
    assert str(run.state) == "success", states
    assert states["approved"] == "skipped"
    assert states["apply_decision"] == "success"
    assert states["render_reports"] == "success"
    with session_scope(manual_week.url) as session:
        release = session.scalars(select(Release)).one()
        (decision,) = session.scalars(select(ReleaseDecision)).all()
        week_key = session.scalars(select(KeyRecord).where(KeyRecord.scope == WEEK)).one()
        linked = session.scalars(select(Mention.author_key)).all()
    assert (release.status, release.approved_by) == ("rejected", None)
    assert (decision.decision, decision.decided_by) == ("reject", OFFICER)
    assert decision.note == "Two residual phone numbers: fix the policy first"
    assert week_key.key is not None
    assert all(linked)
    assert not (manual_week.exports / "report.html").exists()
    assert not (manual_week.exports / "trends.csv").exists()
    review = (manual_week.exports / "privacy_review.html").read_text()
    assert "rejected" in review
    assert "Two residual phone numbers" in review
