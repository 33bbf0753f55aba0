from __future__ import annotations

import json

import jsonschema
import yaml

from listening.schemas import SCHEMA_DIR, SCHEMAS, render
from tests.support import DEMO_PROGRAM


def test_checked_in_schemas_match_the_models() -> None:
    for name, model in SCHEMAS.items():
        path = SCHEMA_DIR / name
        assert path.exists(), f"{name} missing: run `listening schemas`"
        assert path.read_text() == render(model), f"{name} drifted from its model: run `listening schemas`"


def test_demo_program_validates_against_its_schema() -> None:
    schema = json.loads((SCHEMA_DIR / "pipeline.schema.json").read_text())
    # YAML reads dates as dates; JSON Schema sees the file's text form.
    document = json.loads(json.dumps(yaml.safe_load(DEMO_PROGRAM.read_text()), default=str))
    jsonschema.validate(document, schema)


def test_mention_schema_rejects_a_record_without_author() -> None:
    schema = json.loads((SCHEMA_DIR / "mention.schema.json").read_text())
    record = {"id": "1", "text": "bus", "created_at": "2026-10-05T08:00:00+00:00"}
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(record))
    assert any("author_id" in e.message for e in errors)
