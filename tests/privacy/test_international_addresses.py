"""International street forms, national postal codes and the parts that complete an address."""

from __future__ import annotations

import pytest
from presidio_analyzer import RecognizerResult

from listening.privacy.recognizers.addresses import StreetAddressRecognizer, extend_address
from listening.privacy.redactor import Redactor


def found(text: str) -> set[str]:
    return {text[a:b] for a, b, s in StreetAddressRecognizer().spans(text) if s >= 0.5}


# ---- (a) number after the street, multilingual street-type words, house-number variants ----


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("The bus station is on Villacher Strasse 89", "Villacher Strasse 89"),
        ("Pedestrians must enter on Sludevej 13 today", "Sludevej 13"),
        ("the office is on Vesterskovvej 79", "Vesterskovvej 79"),
        ("Timotea lives on Via dei Fiorentini 17 now", "Via dei Fiorentini 17"),
        ("write to C/ Señores Curas 88", "C/ Señores Curas 88"),
        ("it is at trg revolucije 17", "trg revolucije 17"),
        ("we stayed at Jalan Sudirman 45", "Jalan Sudirman 45"),
        ("she moved to Bağdat Caddesi 120", "Bağdat Caddesi 120"),
        ("his flat is on Tverskaya ulitsa 7", "Tverskaya ulitsa 7"),
        ("sent to Λεωφόρος Συγγρού 119", "Λεωφόρος Συγγρού 119"),
        ("meet at Belgrád rkp. 18.", "Belgrád rkp. 18."),
        ("It's in 0269 Stensås terrasse 38\n Suite 621", "0269 Stensås terrasse 38\n Suite 621"),
        # a house number after a typed street, when a unit or a line break follows it
        ("2224 Trenerys gate 232\nApt. 342", "2224 Trenerys gate 232\nApt. 342"),
        ("Hauptstraße 5a, Berlin", "Hauptstraße 5a, Berlin"),
        ("Via Roma 12/3, Torino", "Via Roma 12/3, Torino"),
        ("Lange Straße 12-14, Bremen", "Lange Straße 12-14, Bremen"),
        ("Tverskaya ulitsa № 7, Moskva", "Tverskaya ulitsa № 7, Moskva"),
    ],
)
def test_international_street_forms(text: str, value: str) -> None:
    assert value in found(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # unit words end a street name: "Rue Gafsa Apt. 981" is a street and its unit
        ("9554 62 Rue Gafsa Apt. 981\nToronto", "9554 62 Rue Gafsa Apt. 981\nToronto"),
        ("I'll meet you at 63 Avenue du Golf Suite 910", "63 Avenue du Golf Suite 910"),
    ],
)
def test_unit_words_end_the_street_name(text: str, value: str) -> None:
    assert value in found(text)


@pytest.mark.parametrize(
    "text",
    [
        # a street-type prefix needs a space after it unless it is abbreviated: no "ul" in "Ulster 5"
        "Ulster 5 won the match",
        "Stradivarius 3 was sold",
        "the first three months on the bus",
        "Calearia 4 tickets left",
        # "weg"/"gate" as words still need a house number and a name
        "the gate 5 minutes ago",
        "buy 2 silk ties for 30 dollars",
        # dates, years and counts look like a number, a name and a number
        "Got my copy of Pearl Jam - 6 November 2000 in the mail today.",
        "Tuesday, 12 July 2011 19:30 at the sage",
        "The 10 Biggest Failures of 2011. Suggest some",
        "Heat dome covers 1 million square miles",
    ],
)
def test_international_forms_negative(text: str) -> None:
    assert found(text) == set()


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Please return to 94941 2505 Heatherleigh Suite 620", "94941 2505 Heatherleigh Suite 620"),
        ("mail it to 12 Rosebank Apt 4, Leeds", "12 Rosebank Apt 4, Leeds"),
    ],
)
def test_number_name_unit_without_a_type_word(text: str, value: str) -> None:
    assert value in found(text)


@pytest.mark.parametrize("text", ["we bought 3 chairs apt 4 needs", "I saw 3 movies, Suite 5 was loud"])
def test_number_name_unit_needs_a_capitalised_name(text: str) -> None:
    assert not any(span[:1].isdigit() for span in found(text))


def test_prose_before_a_name_number_street_is_cut() -> None:
    # "enter on Sludevej 13": the street starts after the last everyday word, not at "enter".
    assert found("you must enter on Loorenstrasse 149 street") == {"Loorenstrasse 149"}


# ---- (b) postal codes of national shapes, regions and places that complete an address ----


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Via Roma 12, 00184 Roma", "Via Roma 12, 00184 Roma"),
        ("ul. Długa 7, 00-950 Warszawa", "ul. Długa 7, 00-950 Warszawa"),
        ("Rua Augusta 123, 1100-048 Lisboa", "Rua Augusta 123, 1100-048 Lisboa"),
        ("Keizersgracht 123, 1015 CJ Amsterdam", "Keizersgracht 123, 1015 CJ Amsterdam"),
        ("Storgatan 5, 114 51 Stockholm", "Storgatan 5, 114 51 Stockholm"),
        ("Avenida Paulista 1000, 01310-100 São Paulo", "Avenida Paulista 1000, 01310-100 São Paulo"),
        ("12 Oak Rd\nToronto\n, ON\n 82269", "12 Oak Rd\nToronto\n, ON\n 82269"),
    ],
)
def test_postal_codes_of_national_shapes(text: str, value: str) -> None:
    assert value in found(text)


def test_a_region_slot_needs_a_postal_code_that_closes_the_part() -> None:
    text = "Here: 3 Gerrit Lane\nColorado Springs\n, CO\n 70079, and 04862 Victor Hugo u. 49."
    assert "3 Gerrit Lane\nColorado Springs\n, CO\n 70079" in found(text)
    # "and" before a house number is prose, not a region
    text = "12 Oak Rd, and 345 people came"
    assert extend_address(text, len("12 Oak Rd"))[0] == len("12 Oak Rd")


def test_quoted_and_bulleted_address_blocks() -> None:
    text = "> 2224 Trenerys gate 232\n> Apt. 342\n> TRONDHEIM\n> Norway 64389"
    assert text[2:] in found(text)
    text = "• 83854 Strickstrasse 61\n• Suite 292\n• Zuoz\n• Switzerland 53730"
    assert text[2:] in found(text)


# ---- (c) unicode-aware capitalised places, places running into prose ----


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Please bill 0912 P.O. Box 287 Apt. 051, Tallinn, Estonia for this card", "Tallinn, Estonia"),
        ("at 6400 12 Timms Drive Suite 215 NUNGATTA Australia last night.", "NUNGATTA Australia"),
        ("I once lived in 416 Kiannonkatu 98 Apt. 934 OULU NO. I now live here", "Apt. 934 OULU"),
        ("4596 Tylova 285\n Suite 578\n Ostrov nad Ohří\n Czech Republic 56655", "Czech Republic 56655"),
        ("I live at Hauptstraße 5, 10115 Berlin. Call me.", "10115 Berlin"),
    ],
)
def test_places_complete_the_address(text: str, value: str) -> None:
    spans = found(text)
    assert any(value in span for span in spans), spans


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # a capitalised particle may open a place name; a lower-case or lone one may not
        ("19902 Dobrovského 1394 Apt. 066\nSt Georges, QC 54256", "St Georges, QC 54256"),
        ("12 Oak Rd, La Paz", "12 Oak Rd, La Paz"),
        # a parenthesis after the place, before prose
        ("sent to 654 Rua Ana 1159, Strovolos, Cyprus (Greek) last night.", "Cyprus (Greek)"),
        # particles make place names long
        (
            "50 Point Walter Road Apt. 162, Chomutice u Horic v Podkrkonoší, Czech Republic 33156",
            "Chomutice u Horic v Podkrkonoší, Czech Republic 33156",
        ),
        # a region slot before a country line that ends in a postal code
        ("475 Breivangvegen 38 Suite 490\nKRISTIANSUND N\n, nan\n Norway 61682", "Norway 61682"),
    ],
)
def test_place_names_with_particles_and_parentheses(text: str, value: str) -> None:
    spans = found(text)
    assert any(value in span for span in spans), spans


def test_lone_or_lower_case_particles_do_not_open_a_place() -> None:
    text = "drops you off at 4823 Ringvej 144 St. then walk"
    assert found(text) == {"4823 Ringvej 144"}
    text = "12 Oak Rd, de la part de Marie"
    assert extend_address(text, len("12 Oak Rd"))[0] == len("12 Oak Rd")


def test_place_growth_stops_at_prose_and_pronouns() -> None:
    spans = found("I once lived in 416 Kiannonkatu 98 Apt. 934 OULU NO. I now live here")
    assert all(" I " not in span and not span.endswith(" I") for span in spans)
    # A bare street with no unit does not swallow the capitalised words of the next sentence.
    assert found("Meet at 12 Oak Street Tomorrow we eat") == {"12 Oak Street"}


# ---- (d) symbols are not places ----


def test_math_symbols_alone_are_not_places() -> None:
    text = "12 Oak Rd, ∑ 5"
    assert extend_address(text, len("12 Oak Rd"))[0] == len("12 Oak Rd")


# ---- (e) a street named after a person is typed as an address ----


def test_person_inside_a_street_is_typed_as_the_address() -> None:
    text = "Send it to Jiřího z Poděbrad 1874, Praha"
    person = RecognizerResult("PERSON", 11, 28, 0.9)  # "Jiřího z Poděbrad", longer than the street part
    street = RecognizerResult("STREET_ADDRESS", 20, 33, 0.6)  # "Poděbrad 1874"
    (entity,) = Redactor._merge(text, [person, street])
    assert (entity.type, text[entity.start : entity.end]) == ("STREET_ADDRESS", "Jiřího z Poděbrad 1874")
    # Two people side by side stay a person; an address next to a person is not merged with it.
    alone = Redactor._merge(text, [RecognizerResult("PERSON", 11, 28, 0.9)])
    assert [e.type for e in alone] == ["PERSON"]
