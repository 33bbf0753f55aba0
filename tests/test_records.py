from __future__ import annotations

import datetime as dt

import pytest

from listening.records import MentionIn, Reason, Rejected, decode_json_line, validate_record

NOW = dt.datetime(2026, 10, 6, tzinfo=dt.UTC)
GOOD = {
    "id": "113",
    "platform": "mastodon",
    "author_id": "42",
    "text": "The bus was late",
    "created_at": "2026-10-05T08:00:00-04:00",
    "lang": "en-CA",
}


def check(obj: object, **kw: object) -> MentionIn | Rejected:
    return validate_record(obj, now=NOW, languages=["en"], **kw)  # type: ignore[arg-type]


def test_valid_record() -> None:
    rec = check(GOOD)
    assert isinstance(rec, MentionIn)
    assert rec.created_at.utcoffset() == dt.timedelta(hours=-4)


@pytest.mark.parametrize(
    ("change", "reason", "field"),
    [
        ({"id": None}, Reason.INVALID_FIELD, "id"),
        ({"author_id": 5}, Reason.INVALID_FIELD, "author_id"),
        ({"created_at": 12}, Reason.INVALID_FIELD, "created_at"),
        ({"created_at": "2026-10-05T08:00:00"}, Reason.INVALID_FIELD, "created_at"),
        ({"created_at": "2031-01-01T00:00:00+00:00"}, Reason.FUTURE_TIMESTAMP, "created_at"),
        ({"text": "   "}, Reason.EMPTY_TEXT, "text"),
        ({"text": "x" * 20_000}, Reason.TEXT_TOO_LONG, "text"),
        ({"text": "bus\x00stop"}, Reason.CONTROL_CHARACTERS, "text"),
        ({"text": "bus \ud800 stop"}, Reason.CONTROL_CHARACTERS, "text"),
        ({"lang": "fr"}, Reason.UNSUPPORTED_LANGUAGE, "lang"),
    ],
)
def test_rejections_carry_reason_and_field_only(change: dict, reason: Reason, field: str) -> None:
    outcome = check({**GOOD, **change})
    assert outcome == Rejected(reason, field)


def test_missing_field_and_non_object() -> None:
    record = dict(GOOD)
    del record["author_id"]
    assert check(record) == Rejected(Reason.MISSING_FIELD, "author_id")
    assert check(["a", "list"]) == Rejected(Reason.NOT_AN_OBJECT)


def test_decode_json_line() -> None:
    assert decode_json_line(b'{"a": 1}') == {"a": 1}
    assert decode_json_line(b"{nope") == Rejected(Reason.INVALID_JSON)
    assert decode_json_line(b'{"a": "\xff"}') == Rejected(Reason.INVALID_UTF8)
    assert decode_json_line(b"[" * 100_000) == Rejected(Reason.INVALID_JSON)


def test_only_the_primary_language_subtag_is_kept() -> None:
    rec = check({**GOOD, "lang": "en-x-k2z7r9"})
    assert isinstance(rec, MentionIn)
    assert rec.language == "en"
    assert check({**GOOD, "lang": "english please"}) == Rejected(Reason.INVALID_FIELD, "lang")
