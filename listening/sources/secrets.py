"""A source's secrets: from the Airflow connection or the environment variables its pipeline entry names.

Values are never logged, returned in an XCom or put in an error message; errors name the source and
where the secret was looked for (a connection id, a variable name), nothing else.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from listening.sources.base import Credentials, SourceError

if TYPE_CHECKING:
    from listening.config import SourceConfig


def _airflow_connection(conn_id: str) -> Any:
    """The Airflow connection, through the Task SDK in a task and the secrets backends elsewhere."""
    from airflow.sdk import BaseHook

    return BaseHook.get_connection(conn_id)


def _from_connection(source: SourceConfig, conn_id: str) -> Credentials:
    try:
        conn = _airflow_connection(conn_id)
    except ImportError:
        raise SourceError(
            f"source {source.name}: Airflow is not installed, so connection {conn_id!r} cannot be read"
        ) from None
    except Exception as exc:  # AirflowNotFoundException, or no way to reach the connections
        raise SourceError(
            f"source {source.name}: Airflow connection {conn_id!r} not found ({type(exc).__name__})"
        ) from None
    try:
        extra = dict(conn.extra_dejson or {})
    except Exception:
        extra = {}
    token = extra.get("token")
    return Credentials(
        login=conn.login or None,
        password=conn.password or None,
        token=str(token) if token else None,
    )


def resolve_credentials(source: SourceConfig) -> Credentials | None:
    """The source's credentials: the connection's login, password and `token` extra, overridden field by
    field by the named environment variables. None when the source names neither."""
    if not source.connection and not source.env:
        return None
    values: dict[str, str | None] = {}
    if source.connection:
        found = _from_connection(source, source.connection)
        values = {"login": found.login, "password": found.password, "token": found.token}
    for field, variable in source.env.items():
        value = os.environ.get(variable)
        if not value:
            raise SourceError(
                f"source {source.name}: environment variable {variable} (its {field}) is not set"
            )
        values[field] = value
    return Credentials(**values)
