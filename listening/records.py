"""The input mention record, and the checks that decide stored-or-quarantined."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

MAX_TEXT_CHARS = 10_000
#: How far into the future a timestamp may lie (clock skew between platforms and us).
FUTURE_TOLERANCE = dt.timedelta(hours=1)

_LANG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Reason(StrEnum):
    """Why a record was quarantined. Codes are stable: reports and alerts key on them."""

    INVALID_UTF8 = "invalid_utf8"
    INVALID_JSON = "invalid_json"
    INVALID_CSV = "invalid_csv"
    NOT_AN_OBJECT = "not_an_object"
    MISSING_FIELD = "missing_field"
    INVALID_FIELD = "invalid_field"
    EMPTY_TEXT = "empty_text"
    TEXT_TOO_LONG = "text_too_long"
    CONTROL_CHARACTERS = "control_characters"
    FUTURE_TIMESTAMP = "future_timestamp"
    OUT_OF_INTERVAL = "out_of_interval"
    UNSUPPORTED_LANGUAGE = "unsupported_language"
    WEEK_RELEASED = "week_released"
    #: A page of a platform's API that is not valid JSON or XML (one read record, quarantined).
    MALFORMED_PAGE = "malformed_page"
    #: A page larger than the response-size cap.
    OVERSIZED_PAGE = "oversized_page"
    #: A page whose content type is not the one the API documents.
    WRONG_CONTENT_TYPE = "wrong_content_type"
    #: An item of a page that cannot be mapped to a mention.
    MALFORMED_ITEM = "malformed_item"
    #: A CSV field over the reader's limit (131,072 characters).
    FIELD_TOO_LONG = "field_too_long"
    #: A line of an input file over the reader's line cap: no mention is that long.
    RECORD_TOO_LONG = "record_too_long"


def _iso_text(value: Any) -> Any:
    """Timestamps arrive as ISO 8601 text; a bare number is a mistyped field, not epoch seconds."""
    if not isinstance(value, str | dt.datetime):
        raise ValueError("expected an ISO 8601 timestamp")
    return value


class MentionIn(BaseModel):
    """One public mention as a source delivers it. Identifiers here never reach storage."""

    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=False)

    id: str = Field(min_length=1, max_length=200, description="The platform's post id.")
    platform: str | None = Field(default=None, max_length=40, description="e.g. mastodon, bluesky.")
    author_id: str = Field(min_length=1, max_length=200, description="The platform's author id.")
    author_handle: str | None = Field(default=None, max_length=200)
    text: str = Field(description="The post text, as published.")
    created_at: Annotated[dt.datetime, BeforeValidator(_iso_text)] = Field(
        description="Publication time, ISO 8601 with an offset."
    )
    url: str | None = Field(default=None, max_length=2000)
    lang: str | None = Field(default=None, max_length=16, description="BCP 47 tag, e.g. en or en-CA.")

    @property
    def language(self) -> str | None:
        """The primary language subtag (`en` for `en-CA`): all that is stored of `lang`."""
        return self.lang.split("-")[0].lower() if self.lang else None


@dataclass(frozen=True)
class Rejected:
    """A record that cannot be stored: a reason code and, at most, the name of the field at fault."""

    reason: Reason
    field: str | None = None


def _field_problem(exc: ValidationError) -> Rejected:
    err = exc.errors()[0]
    field = str(err["loc"][0]) if err["loc"] else None
    if err["type"] == "missing":
        return Rejected(Reason.MISSING_FIELD, field)
    if field == "text" and err["type"] == "string_too_long":
        return Rejected(Reason.TEXT_TOO_LONG, field)
    return Rejected(Reason.INVALID_FIELD, field)


def validate_record(
    obj: Any,
    *,
    now: dt.datetime,
    languages: list[str],
) -> MentionIn | Rejected:
    """Check one decoded record. Never raises; never puts record content in the result."""
    if not isinstance(obj, dict):
        return Rejected(Reason.NOT_AN_OBJECT)
    try:
        rec = MentionIn.model_validate(obj)
    except ValidationError as exc:
        return _field_problem(exc)
    if rec.created_at.tzinfo is None:
        return Rejected(Reason.INVALID_FIELD, "created_at")
    if not rec.text.strip():
        return Rejected(Reason.EMPTY_TEXT, "text")
    if len(rec.text) > MAX_TEXT_CHARS:
        return Rejected(Reason.TEXT_TOO_LONG, "text")
    if _CONTROL.search(rec.text) or any(unicodedata.category(c) == "Cs" for c in rec.text):
        return Rejected(Reason.CONTROL_CHARACTERS, "text")
    if rec.created_at > now + FUTURE_TOLERANCE:
        return Rejected(Reason.FUTURE_TIMESTAMP, "created_at")
    if rec.lang is not None and not _LANG.match(rec.lang):
        return Rejected(Reason.INVALID_FIELD, "lang")
    if rec.language is not None and rec.language not in languages:
        return Rejected(Reason.UNSUPPORTED_LANGUAGE, "lang")
    return rec


def decode_json_line(raw: bytes) -> Any | Rejected:
    """Decode one JSONL line, or say why it cannot be decoded."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        return Rejected(Reason.INVALID_UTF8)
    try:
        return json.loads(line)
    except (json.JSONDecodeError, RecursionError):
        return Rejected(Reason.INVALID_JSON)
