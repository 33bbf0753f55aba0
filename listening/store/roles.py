"""PostgreSQL roles: the pipeline writes, analysts read released trends, privacy officers read the logs."""

from __future__ import annotations

import re

from sqlalchemy import Connection, text

from listening.store.models import Base

#: Analysts see released cells and emerging terms only, through these views, and the release manifests.
ANALYST_VIEW = "released_trends"
TERMS_VIEW = "released_terms"
ANALYST_GRANTS = (ANALYST_VIEW, TERMS_VIEW, "releases")
#: What privacy officers review. Nobody but the pipeline reads `pipeline_keys` or `mentions`.
PRIVACY_GRANTS = (
    ANALYST_VIEW,
    "redaction_log",
    "quarantine",
    "runs",
    "releases",
    "budget_ledger",
    "weekly_trends",
    "release_decisions",
    "weekly_terms",
    TERMS_VIEW,
)

_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,40}$")


def role_names(prefix: str = "listening_") -> dict[str, str]:
    if not _NAME.match(prefix):
        raise ValueError("role prefix must be lower-case letters, digits and underscores")
    return {kind: f"{prefix}{kind}" for kind in ("pipeline", "analyst", "privacy")}


def create_roles(conn: Connection, prefix: str = "listening_") -> dict[str, str]:
    """Create (if missing) the three NOLOGIN roles and grant them their tables. Idempotent."""
    if conn.dialect.name != "postgresql":
        raise RuntimeError("database roles need PostgreSQL")
    roles = role_names(prefix)
    for role in roles.values():  # names are checked by role_names, so quoting them here is safe
        exists = conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
        if not exists:
            conn.execute(text(f'CREATE ROLE "{role}" NOLOGIN'))
    tables = sorted(Base.metadata.tables)
    conn.execute(
        text(
            f"CREATE OR REPLACE VIEW {ANALYST_VIEW} AS SELECT * FROM weekly_trends WHERE status = 'released'"
        )
    )
    conn.execute(
        text(
            f"CREATE OR REPLACE VIEW {TERMS_VIEW} AS SELECT t.* FROM weekly_terms t JOIN releases r "
            "ON r.program = t.program AND r.iso_week = t.iso_week WHERE r.status = 'released'"
        )
    )
    everything = ", ".join([*tables, "alembic_version"])
    conn.execute(
        text(
            f"REVOKE ALL ON {everything}, {ANALYST_VIEW}, {TERMS_VIEW} "
            f'FROM "{roles["analyst"]}", "{roles["privacy"]}"'
        )
    )
    conn.execute(text(f'GRANT SELECT, INSERT, UPDATE, DELETE ON {everything} TO "{roles["pipeline"]}"'))
    conn.execute(text(f'GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO "{roles["pipeline"]}"'))
    conn.execute(text(f'GRANT SELECT ON {", ".join(ANALYST_GRANTS)} TO "{roles["analyst"]}"'))
    conn.execute(text(f'GRANT SELECT ON {", ".join(PRIVACY_GRANTS)} TO "{roles["privacy"]}"'))
    return roles
