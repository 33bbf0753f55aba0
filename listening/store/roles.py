"""PostgreSQL roles, least privilege: the pipeline writes what it must and reads what it writes,
analysts read released data only, privacy officers read the logs and the releases.

Every table of the schema is placed in `GRANTS`; a table nobody placed stops `create_roles`, so a new
table is never granted (or withheld) by accident. Migrations run as the tables' owner, not as a role.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, text

from listening.store.models import Base

PIPELINE, ANALYST, PRIVACY = "pipeline", "analyst", "privacy"
ROLES = (PIPELINE, ANALYST, PRIVACY)

#: Released cells only; analysts and privacy officers read the trend table through it.
ANALYST_VIEW = "released_trends"
#: The manifests (k, policy, noise, sign-off) of released weeks only.
MANIFEST_VIEW = "released_manifests"
#: Emerging-term counts of released weeks only (terms of pending weeks stay with the pipeline).
TERMS_VIEW = "released_terms"
VIEWS = {
    ANALYST_VIEW: "SELECT * FROM weekly_trends WHERE status = 'released'",
    MANIFEST_VIEW: (
        "SELECT program, iso_week, approved_by, released_at, manifest FROM releases WHERE status = 'released'"
    ),
    TERMS_VIEW: (
        "SELECT * FROM weekly_terms t WHERE EXISTS (SELECT 1 FROM releases r WHERE r.program = t.program "
        "AND r.iso_week = t.iso_week AND r.status = 'released')"
    ),
}

_READ_WRITE = ("SELECT", "INSERT", "UPDATE")
#: Privileges per table or view and role. The pipeline's follow from what the stages do: mentions and
#: keys are updated in place (text erased at retention, author hashes and keys destroyed at release),
#: never deleted; logs and quarantine are deleted at retention; pending cells are replaced by
#: re-aggregation. Privacy officers read neither pending cells nor mentions: they review a week through
#: the privacy review the pipeline writes, and released cells through the view.
GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    "mentions": {PIPELINE: _READ_WRITE},
    "mention_topics": {PIPELINE: ("SELECT", "INSERT")},
    "redaction_log": {PIPELINE: ("SELECT", "INSERT", "DELETE"), PRIVACY: ("SELECT",)},
    "quarantine": {PIPELINE: ("SELECT", "INSERT", "DELETE"), PRIVACY: ("SELECT",)},
    "runs": {PIPELINE: _READ_WRITE, PRIVACY: ("SELECT",)},
    "weekly_trends": {PIPELINE: (*_READ_WRITE, "DELETE")},
    "releases": {PIPELINE: _READ_WRITE, PRIVACY: ("SELECT",)},
    "budget_ledger": {PIPELINE: ("SELECT", "INSERT"), PRIVACY: ("SELECT",)},
    # Decisions are appended, never changed; officers audit them.
    "release_decisions": {PIPELINE: ("SELECT", "INSERT"), PRIVACY: ("SELECT",)},
    # Term counts are replaced when a week is aggregated again; readers see released weeks' only.
    "weekly_terms": {PIPELINE: ("SELECT", "INSERT", "DELETE")},
    "pipeline_keys": {PIPELINE: _READ_WRITE},
    # Watermarks are moved forward in place; officers see how far each query was fetched.
    "source_cursors": {PIPELINE: _READ_WRITE, PRIVACY: ("SELECT",)},
    "alembic_version": {},
    ANALYST_VIEW: {ANALYST: ("SELECT",), PRIVACY: ("SELECT",)},
    MANIFEST_VIEW: {ANALYST: ("SELECT",)},
    TERMS_VIEW: {ANALYST: ("SELECT",), PRIVACY: ("SELECT",)},
}
#: Tables whose erased rows the pipeline vacuums after a purge (PostgreSQL 17+ has a privilege for it).
VACUUMED = ("mentions", "redaction_log", "quarantine")

_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,40}$")


def role_names(prefix: str = "listening_") -> dict[str, str]:
    if not _NAME.match(prefix):
        raise ValueError("role prefix must be lower-case letters, digits and underscores")
    return {kind: f"{prefix}{kind}" for kind in ROLES}


def unplaced_tables() -> list[str]:
    """Tables of the models that `GRANTS` does not place (each needs a decision before roles exist)."""
    return sorted(set(Base.metadata.tables) - set(GRANTS))


def create_roles(conn: Connection, prefix: str = "listening_") -> dict[str, str]:
    """Create (if missing) the three NOLOGIN roles and grant them exactly `GRANTS`. Idempotent: earlier
    privileges of these roles on the schema's tables are revoked first."""
    if conn.dialect.name != "postgresql":
        raise RuntimeError("database roles need PostgreSQL")
    if missing := unplaced_tables():
        raise RuntimeError(f"no grants decided for {', '.join(missing)} (listening/store/roles.py GRANTS)")
    roles = role_names(prefix)
    for role in roles.values():  # names are checked by role_names, so quoting them here is safe
        exists = conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
        if not exists:
            conn.execute(text(f'CREATE ROLE "{role}" NOLOGIN'))
    for view, query in VIEWS.items():
        conn.execute(text(f"CREATE OR REPLACE VIEW {view} AS {query}"))
    everyone = ", ".join(f'"{role}"' for role in roles.values())
    conn.execute(text(f"REVOKE ALL ON {', '.join(GRANTS)} FROM {everyone}"))
    for relation, grants in GRANTS.items():
        for kind, privileges in grants.items():
            conn.execute(text(f'GRANT {", ".join(privileges)} ON {relation} TO "{roles[kind]}"'))
    conn.execute(text(f'GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO "{roles[PIPELINE]}"'))
    if int(conn.scalar(text("SHOW server_version_num")) or 0) >= 170000:
        conn.execute(text(f'GRANT MAINTAIN ON {", ".join(VACUUMED)} TO "{roles[PIPELINE]}"'))
    return roles
