"""Constants and helpers shared by the tests."""

from __future__ import annotations

from pathlib import Path

POSTGRES_ENV = "LISTENING_TEST_POSTGRES_URL"
ROOT = Path(__file__).resolve().parent.parent
DEMO_PROGRAM = ROOT / "pipelines" / "city_services.yaml"
