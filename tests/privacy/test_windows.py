"""Long texts: overlapping windows, identifiers planted at the seams, texts over spaCy's max_length."""

from __future__ import annotations

import io
import itertools
import json
import logging

import pytest

from listening.config import RedactionPolicy
from listening.privacy import windows
from listening.privacy.cli_redact import redact_stream
from listening.privacy.redactor import Redactor


@pytest.mark.parametrize(("length", "size", "overlap"), [(10, 100, 20), (1000, 100, 20), (5003, 400, 120)])
def test_cut_points_cover_the_text_and_overlap(length: int, size: int, overlap: int) -> None:
    text = ("word " * length)[:length]
    spans = windows.cut_points(length, size, overlap, text)
    assert spans[0][0] == 0
    assert spans[-1][1] == length
    for (a, b), (c, _) in itertools.pairwise(spans):
        assert b - a <= size
        assert a < c < b  # the next window starts inside this one
        assert b - c >= overlap // 2
    assert all(b - a <= size for a, b in spans)


def test_cut_points_without_spaces_cut_at_the_size() -> None:
    spans = windows.cut_points(1000, 100, 20, "x" * 1000)
    assert spans[:2] == [(0, 100), (80, 180)]


def test_split_keeps_short_texts_whole_and_offsets_long_ones() -> None:
    pieces = windows.split(["short", "y" * 250], size=100, overlap=20)
    assert pieces[0] == windows.Window(text_index=0, offset=0, text="short")
    assert [p.offset for p in pieces[1:]] == [0, 80, 160]
    assert all(p.text == ("y" * 250)[p.offset : p.offset + len(p.text)] for p in pieces[1:])


ADDRESS = "123 Main St, Springfield, IL 62701"
PHONE = "416-555-0199"


def _planted(kind: str) -> tuple[str, list[tuple[int, int]]]:
    """A long text with identifiers planted every few dozen characters, and where they are."""
    text, spots = "", []
    while len(text) < 3000:
        # A filler of changing length, so that the plants fall at every phase of the windows.
        text += f"the bus was late again and the plow never came {'!' * (len(spots) % 7)}, "
        value = ADDRESS if kind == "address" else PHONE
        text += "I live at " if kind == "address" else "call, "
        spots.append((len(text), len(text) + len(value)))
        text += value + (" please. " if kind == "address" else ",")
    return text, spots


@pytest.mark.parametrize("kind", ["address", "phone"])
def test_identifiers_at_window_seams_are_redacted(
    default_redactor: Redactor, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    monkeypatch.setattr(windows, "WINDOW_CHARS", 400)
    monkeypatch.setattr(windows, "OVERLAP_CHARS", 120)
    text, spots = _planted(kind)
    if kind == "phone":
        text = text.replace(" ", "")  # no whitespace: windows are cut inside the identifiers
        spots = []
        start = 0
        while (found := text.find(PHONE, start)) >= 0:
            spots.append((found, found + len(PHONE)))
            start = found + 1
    ends = [b for _, b in windows.cut_points(len(text), 400, 120, text)][:-1]
    # The test means something only if some identifier is cut by a window's edge.
    assert any(a < e < b for a, b in spots for e in ends)
    (result,) = default_redactor.redact_batch([text])
    for a, b in spots:
        assert any(e.start <= a and b <= e.end for e in result.entities), text[a:b]
    assert PHONE not in result.text
    assert "Main St" not in result.text
    # Offsets index the original text, and findings from two windows are merged into one span.
    assert all(text[e.start : e.end].strip() for e in result.entities)
    starts = [e.start for e in result.entities]
    assert starts == sorted(set(starts))


def test_a_text_longer_than_spacys_max_length_is_redacted(
    default_redactor: Redactor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(default_redactor._nlp, "max_length", 1500)
    text, spots = _planted("phone")
    assert len(text) > 1500
    (result,) = default_redactor.redact_batch([text])
    assert PHONE not in result.text
    assert len(result.entities) >= len(spots)


def test_hostile_lines_give_error_lines_and_the_others_come_out(
    default_redactor: Redactor, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(default_redactor._nlp, "max_length", 1500)
    long_text, _ = _planted("phone")
    original = default_redactor.redact_batch

    def poisoned(texts: list[str]) -> list[object]:
        if any("POISON-CANARY" in t for t in texts):
            raise RuntimeError(f"cannot handle {texts}")
        return original(texts)

    monkeypatch.setattr(default_redactor, "redact_batch", poisoned)
    monkeypatch.setattr(default_redactor, "redact", lambda t: poisoned([t])[0])
    lines = [
        json.dumps({"id": 1, "text": "call @bob at 416-555-0199"}),
        "[" * 100_000 + "]" * 100_000,
        json.dumps({"id": 3, "nested": {"a": [[[[{"b": 1}]]]]}, "text": "the bus was late"}),
        json.dumps({"id": 4, "text": long_text}),
        json.dumps({"id": 5, "text": "POISON-CANARY at 12 Oak St"}),
        json.dumps({"id": 6, "text": "ping @alice"}),
    ]
    stdout = io.StringIO()
    with caplog.at_level(logging.DEBUG):
        counts = redact_stream(io.BytesIO("\n".join(lines).encode()), stdout, RedactionPolicy(), batch_size=8)
    out = [json.loads(line) for line in stdout.getvalue().splitlines()]
    assert len(out) == len(lines)
    assert out[0]["text"] == "call <SOCIAL_HANDLE> at <PHONE_NUMBER>"
    assert out[1] == {"error": "too_deeply_nested"}
    assert out[2]["text"] == "the bus was late"
    assert out[3]["id"] == 4
    assert PHONE not in out[3]["text"]
    assert out[4] == {"error": "redaction_failed"}
    assert out[5]["text"] == "ping <SOCIAL_HANDLE>"
    assert counts == {"lines": 6, "redacted": 4, "errors": 2, "entities": counts["entities"]}
    everything = stdout.getvalue() + caplog.text
    assert "POISON-CANARY" not in everything
    assert "Oak St" not in everything
    assert "Traceback" not in everything
