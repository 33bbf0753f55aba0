from __future__ import annotations

import io
import json

from listening.config import RedactionPolicy
from listening.privacy.cli_redact import redact_stream


def test_redact_stream_good_and_bad_lines_in_order() -> None:
    lines = [
        b'{"id": 1, "text": "call @bob at 416-555-0199"}',
        b"not json",
        b"\xff\xfe",
        b"[1, 2]",
        b'{"id": 5}',
        b'{"text": 7}',
        b'{"id": 7, "text": "the bus was late"}',
    ]
    stdin = io.BytesIO(b"\n".join(lines) + b"\n")
    stdout = io.StringIO()
    counts = redact_stream(stdin, stdout, RedactionPolicy(), batch_size=2)
    out = [json.loads(line) for line in stdout.getvalue().splitlines()]
    assert len(out) == len(lines)
    assert out[0]["id"] == 1
    assert out[0]["text"] == "call <SOCIAL_HANDLE> at <PHONE_NUMBER>"
    assert [e["type"] for e in out[0]["entities"]] == ["SOCIAL_HANDLE", "PHONE_NUMBER"]
    assert out[0]["entities"][0] == {
        "type": "SOCIAL_HANDLE", "start": 5, "end": 9, "score": out[0]["entities"][0]["score"],
        "recognizer": "SocialHandleRecognizer",
    }  # fmt: skip
    assert [o.get("error") for o in out[1:6]] == [
        "invalid_json", "invalid_utf8", "not_an_object", "missing_text", "text_not_a_string",
    ]  # fmt: skip
    assert out[6] == {"id": 7, "text": "the bus was late", "entities": []}
    assert counts == {"lines": 7, "redacted": 2, "errors": 5, "entities": 2}


def test_redact_stream_reads_text_streams() -> None:
    stdout = io.StringIO()
    redact_stream(io.StringIO('{"text": "hi @bob"}\n'), stdout, RedactionPolicy())
    assert json.loads(stdout.getvalue())["text"] == "hi <SOCIAL_HANDLE>"


def test_redact_stream_takes_the_programs_topic_words() -> None:
    line = b'{"text": "Windrow blocked my driveway"}\n'
    plain, programmed = io.StringIO(), io.StringIO()
    redact_stream(io.BytesIO(line), plain, RedactionPolicy())
    redact_stream(io.BytesIO(line), programmed, RedactionPolicy(), terms=("windrow", "snow"))
    assert json.loads(programmed.getvalue())["text"] == "Windrow blocked my driveway"
    # Without the taxonomy the capitalised unknown word before a verb reads as a name: the terms decide.
    assert json.loads(plain.getvalue())["text"] != "Windrow blocked my driveway"
