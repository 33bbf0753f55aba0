"""The North American address grammar: house number, street name, street type, units, last line."""

from __future__ import annotations

import pytest

from listening.privacy import vocabulary
from listening.privacy.recognizers.addresses import StreetAddressRecognizer


def found(text: str) -> set[str]:
    return {text[a:b] for a, b, s in StreetAddressRecognizer().spans(text) if s >= 0.5}


def covered(text: str, value: str) -> bool:
    """Some finding contains `value` whole."""
    return any(value in span for span in found(text))


# ---- the word lists ----


def test_word_lists_come_from_data_files_with_their_sources() -> None:
    types = vocabulary.street_types()
    # USPS Pub 28 C1: primary names, common forms and standard abbreviations
    assert {"avenue", "av", "aven", "avnue", "ave", "stravenue", "strvnue", "stra", "xing", "tpke"} <= types
    # Canada Post, English and French
    assert {"crescent", "cres", "crt", "croissant", "crois", "montée", "rdpt", "terrasse", "tsse"} <= types
    assert {"apt", "ste", "fl", "rm", "bsmt", "ph", "app", "bureau", "unité"} <= vocabulary.unit_designators()
    assert {"or", "oregon", "qc", "québec", "colombie-britannique", "ny"} <= vocabulary.regions()
    for name in ("usps_street_suffixes", "usps_unit_designators", "canada_post_street_types", "us_states"):
        header = (vocabulary.resources.files(vocabulary.DATA_PACKAGE) / f"{name}.txt").read_text("utf-8")
        assert "# Source:" in header
        assert "# Licence:" in header


# ---- any case, each street-type form ----


@pytest.mark.parametrize(
    "address",
    [
        "123 Main Street", "123 main st", "123 MAIN ST.", "55 elm avenue", "55 Elm Av", "55 elm aven",
        "55 ELM AVNUE", "9 oak rd", "9 Oak Road", "4 maple blvd", "4 maple boul", "77 birch drive",
        "77 birch dr.", "8 cedar ln", "8 cedar lane", "3 pine ct", "3 pine crt", "610 lakeview terrace",
        "610 lakeview ter", "12 hillcrest cres", "12 hillcrest crescent", "1 jackson pkwy",
        "1 Jackson Parkway", "12345 ridge hwy", "42 wallaby way", "9 franklin cir", "88 king xing",
        "14 Julia Stravenue", "7835 erica trace", "141 hodges mountains", "5 swanson pines",
        "300 riverside expy", "2 canal tpke",
    ],
)  # fmt: skip
def test_house_name_type_in_any_case(address: str) -> None:
    for text in (f"the pothole outside {address} is huge", f"send it to {address}"):
        assert address in found(text), text


def test_the_house_number_is_always_inside_the_span() -> None:
    for text in (
        "I live at 4521 jennifer lights apt 3",
        "pickup at #305 - 1200 elm ave",
        "1204-55 king st w",
    ):
        spans = found(text)
        assert spans
        assert all(any(ch.isdigit() for ch in s) for s in spans)
    assert covered("meet at 1204-55 king st w", "1204-55 king st w")
    assert covered("pickup at #305 - 1200 elm ave", "#305 - 1200 elm ave")


@pytest.mark.parametrize(
    "address",
    [
        "123 n main st", "45 King St W", "45 king street west", "9 SE 9TH AVE", "12 w. 42nd st",
        "101 5th Ave", "23 first avenue", "7 Front Street", "123 1/2 Maple Dr", "12b Oak Rd",
        "12-14 Oak Rd", "500 st. clair ave w", "8 Oak Park Avenue", "99 lake shore blvd",
    ],
)  # fmt: skip
def test_directions_ordinals_and_house_number_forms(address: str) -> None:
    assert covered(f"my place is {address} lol", address)


# ---- units before and after, US and Canadian forms ----


@pytest.mark.parametrize(
    "address",
    [
        "123 main st apt 4", "123 main st, apt. 4b", "123 main st #5", "123 main st # 5",
        "123 Main St Suite 200", "123 main st ste 110", "123 main st fl 2", "123 main st rm 101",
        "123 main st bldg 3", "123 main st unit 12", "123 main st bsmt", "123 main st upper",
        "123 rue principale app 3", "123 rue principale, bureau 200", "apt 4, 12 oak rd",
        "unit 5 - 1200 elm ave", "#305 - 1200 elm ave",
    ],
)  # fmt: skip
def test_secondary_unit_designators(address: str) -> None:
    assert covered(f"mail goes to {address} now", address)


# ---- city, state or province, ZIP or postal code ----


@pytest.mark.parametrize(
    "address",
    [
        "123 Main St, Springfield, IL 62701",
        "123 main st springfield il 62701-1234",
        "42 elm street apt 3 portland or 97201",
        "55 King St W, Toronto, ON M5H 1J8",
        "55 king st w toronto on m5h1j8",
        "9 oak rd, ottawa, ontario",
        "12 Birch Dr, Halifax, Nova Scotia B3H 1A1",
        "77 pine ave, portland, oregon",
        "77 pine ave, buffalo, new york 14201",
        "8 cedar ln, brooklyn",
        "1 jackson pkwy 97201",
        "45 maple cres, k1p 5j2",
        "9814 boulevard Mercier, Sudbury",
    ],
)
def test_last_line(address: str) -> None:
    assert covered(f"drop off at {address} tomorrow please", address), found(f"drop off at {address}")


def test_a_region_code_that_is_a_word_needs_capitals_or_a_city() -> None:
    # "in" after a street is prose, "or" after a city closes the last line
    assert found("we met at 12 Oak St in the morning") == {"12 Oak St"}
    assert covered("12 oak st portland or today", "12 oak st portland or")
    spans = found("12 Oak St or 14 Elm St, whichever")
    assert "12 Oak St" in spans
    assert not any(span.startswith("12 Oak St or") for span in spans)


# ---- Canadian and French forms ----


@pytest.mark.parametrize(
    "address",
    [
        "123 rue Saint-Denis", "123 rue saint-denis o", "4405 av. de la montagne",
        "60 boul. René-Lévesque Ouest",
        "12 chemin du Lac", "9 ch. des Pins", "88 montée Sainte-Catherine E", "3 côte des neiges",
        "61803 croissant des pins", "7 rang du moulin", "1200-123 Main St", "88 county road 12",
        "12345 hwy 7", "500 Concession 6", "4 Place d'Youville",
    ],
)  # fmt: skip
def test_canadian_and_french_forms(address: str) -> None:
    assert covered(f"fire at {address}, so many trucks", address)


# ---- a type that is also an everyday word needs more evidence ----


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("I live at 4521 jennifer lights", "4521 jennifer lights"),
        ("4521 Jennifer Lights is flooded", "4521 Jennifer Lights"),
        ("4521 jennifer lights apt 9 is flooded", "4521 jennifer lights apt 9"),
        ("4521 jennifer lights, austin, tx 78701", "4521 jennifer lights, austin, tx 78701"),
        ("yard sale @ 21 murray ridge tmrw", "21 murray ridge"),
    ],
)
def test_everyday_word_types_with_evidence(text: str, value: str) -> None:
    assert covered(text, value)


# ---- negatives analysts need ----


@pytest.mark.parametrize(
    "text",
    [
        "bus was 20 minutes late on main st",
        "the 95 bus skipped our stop at 5:30",
        "route 12 is detoured via king st",
        "waited 9 mins in the snow at 4:30 p.m. for the route 97",
        "paid $20 for parking downtown",
        "leafs won 3-2 last night!! queen st was packed",
        "garbage day moved to march 3 because of the holiday",
        "2 blocks of elm street closed for repaving until dec 12",
        "3 cars blocking the bike lane on oak ave right now",
        "highway 7 closed northbound near exit 42",
        "the pothole on Main Street is huge",
        "king street west is a mess",
        "in 2019 main street was rebuilt",
        "she scored 3 green lights in a row",
        "we took 2 scenic views and 5 home runs",
        "Saturday 30 August 2014 : front page",
        "Live in Stockholm 2012 tonight",
        "there are 4 way stops everywhere",
        "WATER MAIN BREAK ON HWY 7 NEAR OAK AVE, 147 HOMES AFFECTED",
        "the 10 best parks in toronto",
        "got 81/81 playing Fill in the blanks",
        "TOP 32 REASONS THE #55 IS ALWAYS LATE",
    ],
)
def test_numbers_and_streets_that_are_not_addresses(text: str) -> None:
    assert found(text) == set(), found(text)


def test_a_unit_civic_number_with_a_pound_sign() -> None:
    assert found("pick up a sign at #2067-1101 Hampton Court W.") == {"#2067-1101 Hampton Court W."}
    assert found("ranked #1 best drive ever") == set()
