"""Keyed hashing: posts de-duplicate under a program key, authors count under a key per ISO week.

Keys live in `pipeline_keys`, a table only the pipeline role can read. Releasing a week destroys its
key, so no hash made under it can be recomputed or linked to another week.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from listening.store.models import KeyRecord, utcnow
from listening.store.repository import insert_ignoring_conflicts

POST_SCOPE = "post"


class KeyDestroyedError(RuntimeError):
    """The week's author key was destroyed at release: the week cannot take new mentions."""


def keyed_hash(key: bytes, value: str) -> str:
    """HMAC-SHA256 of `value` under `key`, hex."""
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def _get_or_create(session: Session, program: str, scope: str) -> KeyRecord:
    stmt = select(KeyRecord).where(KeyRecord.program == program, KeyRecord.scope == scope)
    # Read first: a key that exists costs no write (and no write lock on SQLite).
    found = session.scalars(stmt).one_or_none()
    if found is not None:
        return found
    values = {"program": program, "scope": scope, "key": secrets.token_bytes(32), "created_at": utcnow()}
    # Concurrent shards race to create the same key: the first insert wins, the others read it.
    insert_ignoring_conflicts(session, KeyRecord, [values])
    return session.scalars(stmt).one()


def post_key(session: Session, program: str) -> bytes:
    """The program's post-dedup key, created on first use."""
    record = _get_or_create(session, program, POST_SCOPE)
    assert record.key is not None
    return record.key


def week_key(session: Session, program: str, iso_week: str) -> bytes:
    """The author key of one ISO week, created on first use; refused once destroyed."""
    record = _get_or_create(session, program, iso_week)
    if record.key is None:
        raise KeyDestroyedError(f"{program} {iso_week}: the week is released and its key destroyed")
    return record.key


def destroy_week_key(session: Session, program: str, iso_week: str) -> bool:
    """Destroy a week's author key. Returns False when there was none left to destroy."""
    record = session.scalars(
        select(KeyRecord).where(KeyRecord.program == program, KeyRecord.scope == iso_week)
    ).one_or_none()
    if record is None or record.key is None:
        return False
    record.key = None
    record.destroyed_at = utcnow()
    return True
