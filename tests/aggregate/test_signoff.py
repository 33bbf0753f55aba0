"""The sign-off gate (`decide`): who may decide, what a decision does, and what is refused."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from listening.aggregate.release import AlreadyReleased, ReleaseRefused, decide, decisions
from listening.aggregate.weekly import aggregate_week
from listening.privacy import keys
from listening.store.db import session_scope
from listening.store.models import Mention, Release, ReleaseDecision
from tests.aggregate.support import OFFICER, PROGRAM, SECOND_OFFICER, authors, insert_posts, make_program

WEEK = "2026-W10"
MANUAL = make_program(auto_release=False)


def aggregate(url: str, week: str = WEEK) -> dict[str, Any]:
    with session_scope(url) as session:
        return dict(aggregate_week(session, MANUAL, week))


def sign(url: str, decision: str, user: str = OFFICER["id"], note: str = "checked", week: str = WEEK) -> dict:
    with session_scope(url) as session:
        return decide(session, MANUAL, week, decision=decision, user_id=user, note=note, channel="cli")


def release_row(url: str) -> Release:
    with session_scope(url) as session:
        return session.scalars(select(Release).where(Release.iso_week == WEEK)).one()


def recorded(url: str) -> list[dict[str, Any]]:
    with session_scope(url) as session:
        return decisions(session, PROGRAM, WEEK)


def linked_mentions(url: str) -> int:
    with session_scope(url) as session:
        return int(session.scalar(select(func.count()).where(Mention.author_key.is_not(None))) or 0)


def test_approval_publishes_and_records_who_when_and_the_note(db_url: str) -> None:
    # 6 authors, one of them with three posts: authors_erased counts people, not mentions.
    insert_posts(db_url, WEEK, authors(6) + authors(2, prefix="a"))
    aggregate(db_url)
    result = sign(db_url, "approve", note="residual scan clean")
    assert result["status"] == "released"
    assert result["decided_by"] == OFFICER["name"]
    assert result["authors_erased"] == 6
    assert result["mentions_unlinked"] == 8
    assert linked_mentions(db_url) == 0
    row = release_row(db_url)
    assert (row.status, row.approved_by) == ("released", OFFICER["name"])
    assert row.manifest["summary"]["status"] == "released"  # the manifest no longer says pending
    (decision,) = recorded(db_url)
    assert decision["decision"] == "approve"
    assert (decision["decided_by"], decision["decided_by_name"]) == (OFFICER["id"], OFFICER["name"])
    assert decision["note"] == "residual scan clean"
    assert decision["channel"] == "cli"
    assert decision["decided_at"]


def test_a_second_approver_or_a_late_rejection_is_refused(db_url: str) -> None:
    insert_posts(db_url, WEEK, authors(6))
    aggregate(db_url)
    sign(db_url, "approve")
    with pytest.raises(AlreadyReleased, match=r"already released .* approved by P\. Officer"):
        sign(db_url, "approve", user=SECOND_OFFICER["id"])
    with pytest.raises(AlreadyReleased, match="cannot be released or rejected again"):
        sign(db_url, "reject", user=SECOND_OFFICER["id"], note="too late")
    assert release_row(db_url).approved_by == OFFICER["name"]
    assert len(recorded(db_url)) == 1


def test_rejection_keeps_the_week_unpublished_with_its_reason(db_url: str) -> None:
    insert_posts(db_url, WEEK, authors(6))
    aggregate(db_url)
    with pytest.raises(ReleaseRefused, match="needs a reason"):
        sign(db_url, "reject", note="  ")
    result = sign(db_url, "reject", note="residual phone numbers in 3 mentions")
    assert result["status"] == "rejected"
    row = release_row(db_url)
    assert (row.status, row.approved_by, row.released_at) == ("rejected", None, None)
    assert linked_mentions(db_url) == 6  # nothing erased: the week may be aggregated again
    with session_scope(db_url) as session:
        keys.week_key(session, PROGRAM, WEEK)
    assert recorded(db_url)[0]["note"] == "residual phone numbers in 3 mentions"
    with pytest.raises(ReleaseRefused, match=r"rejected by P\. Officer .* aggregate the week again"):
        sign(db_url, "approve", user=SECOND_OFFICER["id"])

    # Aggregated again, the week asks for a new sign-off; both decisions stay on record.
    assert aggregate(db_url)["status"] == "pending"
    assert sign(db_url, "approve", user=SECOND_OFFICER["id"])["status"] == "released"
    assert [d["decision"] for d in recorded(db_url)] == ["reject", "approve"]


def test_only_named_privacy_officers_decide(db_url: str) -> None:
    insert_posts(db_url, WEEK, authors(6))
    aggregate(db_url)
    with pytest.raises(ReleaseRefused, match="'analyst' is not a privacy officer"):
        sign(db_url, "approve", user="analyst")
    with pytest.raises(ReleaseRefused, match="not a privacy officer"):
        sign(db_url, "approve", user=OFFICER["name"])  # the name is not the id
    assert release_row(db_url).status == "pending"
    with session_scope(db_url) as session:
        assert session.scalar(select(func.count()).select_from(ReleaseDecision)) == 0


def test_an_empty_week_or_one_never_aggregated_is_refused(db_url: str) -> None:
    with pytest.raises(ReleaseRefused, match="not been aggregated"):
        sign(db_url, "approve")
    aggregate(db_url)  # no mentions at all
    with pytest.raises(ReleaseRefused, match="no mentions"):
        sign(db_url, "approve")
    assert release_row(db_url).status == "pending"
    assert recorded(db_url) == []
