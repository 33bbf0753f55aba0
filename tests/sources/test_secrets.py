"""A source's secrets: resolved from an Airflow connection or environment variables, never shown."""

from __future__ import annotations

import json

import pytest

from listening.config import MastodonSource
from listening.sources.base import Credentials, SourceError
from listening.sources.secrets import resolve_credentials

TOKEN = "tok-unit-canary-3c1e"


def test_credentials_never_print_their_values() -> None:
    creds = Credentials(login="someone", password="pw-unit-canary", token=TOKEN)
    for shown in (repr(creds), str(creds), f"{creds}", f"{[creds]}"):
        assert "pw-unit-canary" not in shown
        assert TOKEN not in shown
        assert "someone" not in shown
    assert repr(creds) == "Credentials(login, password, token: hidden)"
    assert not Credentials()


def test_a_source_naming_no_secret_has_none() -> None:
    assert resolve_credentials(MastodonSource(name="masto", kind="mastodon")) is None


def test_environment_variables_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNIT_MASTO_TOKEN", TOKEN)
    source = MastodonSource(name="masto", kind="mastodon", env={"token": "UNIT_MASTO_TOKEN"})
    assert resolve_credentials(source) == Credentials(token=TOKEN)
    monkeypatch.delenv("UNIT_MASTO_TOKEN")
    with pytest.raises(SourceError) as info:
        resolve_credentials(source)
    assert str(info.value) == "source masto: environment variable UNIT_MASTO_TOKEN (its token) is not set"


def test_an_airflow_connection_from_the_secrets_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    """Outside a task, Airflow's secrets backends (here the `AIRFLOW_CONN_*` variable) answer."""
    conn = {"conn_type": "http", "login": "unit-login", "password": "pw-unit", "extra": {"token": TOKEN}}
    monkeypatch.setenv("AIRFLOW_CONN_UNIT_MASTO", json.dumps(conn))
    monkeypatch.setenv("UNIT_OVERRIDE", "pw-from-env")
    source = MastodonSource(name="masto", kind="mastodon", connection="unit_masto")
    assert resolve_credentials(source) == Credentials("unit-login", "pw-unit", TOKEN)
    both = MastodonSource(
        name="masto", kind="mastodon", connection="unit_masto", env={"password": "UNIT_OVERRIDE"}
    )
    assert resolve_credentials(both) == Credentials("unit-login", "pw-from-env", TOKEN)


def test_a_missing_connection_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIRFLOW_CONN_NO_SUCH_CONN", raising=False)
    source = MastodonSource(name="masto", kind="mastodon", connection="no_such_conn")
    with pytest.raises(SourceError) as info:
        resolve_credentials(source)
    assert str(info.value).startswith("source masto: Airflow connection 'no_such_conn' not found")
