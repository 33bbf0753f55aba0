"""Shared fixtures: one redactor per session (building engines is expensive)."""

from __future__ import annotations

import pytest

from listening.config import RedactionPolicy
from listening.privacy.redactor import Redactor, get_redactor

POLICY = RedactionPolicy(version="test-1", allow_list=["@PortAlderCity", "Port Alder"])


@pytest.fixture(scope="session")
def redactor() -> Redactor:
    return get_redactor(POLICY)


@pytest.fixture(scope="session")
def default_redactor() -> Redactor:
    return get_redactor(RedactionPolicy())
