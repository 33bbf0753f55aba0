"""The capitalisation-and-context name layer, the card-shape layer and address growth."""

from __future__ import annotations

import pytest

from listening.privacy.recognizers.addresses import StreetAddressRecognizer, extend_address
from listening.privacy.recognizers.cards import CardNumberRecognizer
from listening.privacy.recognizers.phones import GroupedPhoneRecognizer
from listening.privacy.redactor import Redactor


def person_values(redactor: Redactor, text: str) -> set[str]:
    return {text[e.start : e.end] for e in redactor.redact(text).entities if e.type == "PERSON"}


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("I want to add Irenke Sörös as a beneficiary", "Irenke Sörös"),  # two unknown capitalised words
        ("My name is Rubija", "Rubija"),  # cue
        ("Why is Rebecca so impulsive?", "Rebecca"),  # a first name tagged as a proper noun
        ("Ubul: What a wife.", "Ubul"),  # speaker label
        ("Directed by Johannes Varvio", "Johannes Varvio"),  # first name extended to an unknown surname
        ("my name is vitoria", "vitoria"),  # cue in lower-case text
        ("and starring Dr. Jennifer Holst", "Dr. Jennifer Holst"),  # the title stays with the name
    ],
)
def test_names_found(redactor: Redactor, text: str, name: str) -> None:
    assert any(name in value for value in person_values(redactor, text))


def test_names_in_a_list_and_repeats(redactor: Redactor) -> None:
    values = person_values(redactor, "Our founders: Kónya, Becker and Vasquez. Ask Kónya.")
    assert {"Kónya", "Becker", "Vasquez"} <= values


@pytest.mark.parametrize(
    "text",
    [
        "The pothole near Port Alder City Hall is huge",
        "the bus on King St was late again",
        "Main Street is closed for the water main",
        "Snow again: the library on Elm closed early",
        "Recycling pickup moved to Tuesday in Toronto",
    ],
)
def test_places_and_topic_words_are_not_names(redactor: Redactor, text: str) -> None:
    assert person_values(redactor, text) == set()


def test_address_grows_over_unit_city_and_postal_code() -> None:
    text = "Send it to 12 Oak Rd\nUnit 12\nOttawa, ON K1P 5J2 please"
    spans = {text[a:b] for a, b, s in StreetAddressRecognizer().spans(text) if s >= 0.55}
    assert "12 Oak Rd\nUnit 12\nOttawa, ON K1P 5J2" in spans


def test_address_growth_stops_at_prose() -> None:
    text = "I live at 12 Main St, and the bus is late"
    end = text.index("St") + 2
    assert extend_address(text, end) == (end, False)
    text = "the pothole at 12 Main St Is Huge"
    assert extend_address(text, text.index("St") + 2)[0] == text.index("St") + 2


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("it is 5638 Aasa 43\nHumilimont, 78618", "5638 Aasa 43\nHumilimont, 78618"),  # no type word
        (
            "Meet at the corner of 11 Botley Road and Herceg Gateway.",
            "the corner of 11 Botley Road and Herceg Gateway",
        ),
        ("lives at 86036 Rua do Arenque 1634, Goiânia", "86036 Rua do Arenque 1634, Goiânia"),
    ],
)
def test_address_forms(text: str, value: str) -> None:
    spans = {text[a:b] for a, b, s in StreetAddressRecognizer().spans(text) if s >= 0.55}
    assert any(span.rstrip(".") == value for span in spans)


@pytest.mark.parametrize(
    "text",
    ["Main Street is closed", "meet at the corner of the park and the library", "we waited 12 Main St"],
)
def test_address_negative_forms(text: str) -> None:
    spans = {text[a:b] for a, b, s in StreetAddressRecognizer().spans(text) if s >= 0.55}
    assert not any("corner" in v or v == "Main Street" for v in spans)


def test_card_numbers_need_a_card_word_unless_luhn_valid() -> None:
    rec = CardNumberRecognizer()
    assert {(a, b) for a, b, _ in rec.spans("My card 4131034282458809930 expired")} == {(8, 27)}
    assert list(rec.spans("order 4131034282458809930 shipped")) == []
    assert [s for _, _, s in rec.spans("pay 4111 1111 1111 1111 now")] == [0.45]
    assert list(rec.spans("card 1111111111111111")) == []


def test_phone_shaped_groups() -> None:
    rec = GroupedPhoneRecognizer()
    for shaped in ("699 956 915", "71-33-52-22"):
        assert any(s >= 0.4 for _, _, s in rec.spans(f"at {shaped}"))
    assert not any(s >= 0.4 for _, _, s in rec.spans("at 2024-11-24"))
    assert not any(s >= 0.4 for _, _, s in rec.spans("we have 450 0840 reasons"))
