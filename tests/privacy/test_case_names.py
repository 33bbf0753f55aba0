"""Names written in all capitals or all lower case inside ordinary text, and the shouting that is no name."""

from __future__ import annotations

import pytest

from listening.privacy.person.casing import truecase_for_ner
from listening.privacy.person.lexicon import NameLexicon
from listening.privacy.person.spans import widen_case
from listening.privacy.redactor import Redactor

NAMES_IN_TEXT = [
    ("Talked to CASIMIR WYNDHAMSTOKE at the ward meeting about it.", "CASIMIR WYNDHAMSTOKE"),
    ("Thanks to ottoline brackenridge from the city for fixing the pothole", "ottoline brackenridge"),
    ("My neighbour CASIMIR WYNDHAMSTOKE says the bus is late", "CASIMIR WYNDHAMSTOKE"),
    (
        "The bus was late again. CASIMIR WYNDHAMSTOKE and I walked past it this morning.",
        "CASIMIR WYNDHAMSTOKE",
    ),
    ("Fix it already! ottoline brackenridge and I walked past it.", "ottoline brackenridge"),
    ("shout out to zebediah quillfeather for clearing the rink", "zebediah quillfeather"),
    ("Spoke with ISOLDE VARNHAGEN about the snow plow schedule.", "ISOLDE VARNHAGEN"),
    ("talked to mark young about the permit", "mark young"),
]

NO_NAMES = [
    "FIX THE POTHOLES NOW",
    "THE BUS IS LATE AGAIN",
    "The plow missed our street again. FIX THE POTHOLES NOW please",
    "The bus is late. THE BUS IS LATE AGAIN, as usual",
    "Ugh the snow plow. WHERE IS THE PLOW??",
    "Watching CBC NEWS about the TTC LRT delay.",
    "The route 9 bus is SO ANGRY RIGHT NOW, the recycling was skipped",
    "The bus tho, sooo lateee today smh",
    "Omg the library hours tho, idk why the water main is still broken lol",
    "You're my favourite person today. MUAH MUAH. The green bin is back.",
    "The permit office says the parking permit is ready, thx",
]


@pytest.mark.parametrize(("text", "name"), NAMES_IN_TEXT)
def test_case_styled_names_are_redacted(default_redactor: Redactor, text: str, name: str) -> None:
    result = default_redactor.redact(text)
    for part in name.split():
        assert part not in result.text
    assert any(e.type == "PERSON" and text[e.start : e.end] == name for e in result.entities)


@pytest.mark.parametrize("text", NO_NAMES)
def test_shouting_and_slang_are_kept(default_redactor: Redactor, text: str) -> None:
    result = default_redactor.redact(text)
    assert result.text == text, result.entities


def test_truecasing_titles_name_runs_only(default_redactor: Redactor) -> None:
    lexicon = default_redactor._person.lexicon
    text = "Talked to CASIMIR WYNDHAMSTOKE and ottoline brackenridge, FIX THE POTHOLES NOW lol gonna"
    out = truecase_for_ner(text, lexicon)
    assert len(out) == len(text)
    assert "Casimir Wyndhamstoke" in out
    assert "Ottoline Brackenridge" in out
    assert "FIX THE POTHOLES NOW lol gonna" in out


def test_words_inside_handles_urls_and_foreign_text_stay(default_redactor: Redactor) -> None:
    lexicon = default_redactor._person.lexicon
    for text in (
        "See https://www.portalder.ca/quillfeather/brackenridge for the detour, Thanks",
        "Mail zq.canary@example.com about the bus, Thanks",
        "Jeg ser ikke fjernsyn og kendisine sormali buyusu kacar, Bus",
    ):
        assert truecase_for_ner(text, lexicon) == text


def test_widen_half_found_name() -> None:
    lexicon = NameLexicon(
        first=frozenset({"casimir"}), last=frozenset({"smith"}), english=frozenset({"says", "today", "met"})
    )
    text = "My neighbour CASIMIR WYNDHAMSTOKE says hi"
    start = text.index("CASIMIR")
    assert widen_case(text, start, start + 7, lexicon) == (start, start + len("CASIMIR WYNDHAMSTOKE"))
    text = "met wyndhamstoke casimir today"
    start = text.index("casimir")
    assert widen_case(text, start, start + 7, lexicon) == (text.index("wyndhamstoke"), start + 7)
    # Mixed case, or a neighbour in another case style, is left alone.
    text = "Casimir WYNDHAMSTOKE says hi"
    assert widen_case(text, 0, 7, lexicon) == (0, 7)
    text = "CASIMIR says THE BUS"
    assert widen_case(text, 0, 7, lexicon) == (0, 7)
