"""Vetoes on PERSON: streets, places, hashtags, dates and everyday words stay; real names still go."""

from __future__ import annotations

import pytest

from listening.config import RedactionPolicy
from listening.privacy.person.spans import trim_tag
from listening.privacy.person.vetoes import Candidate, compact, hashtag_not_a_name, is_street
from listening.privacy.redactor import Redactor, get_redactor


def person_values(redactor: Redactor, text: str) -> set[str]:
    return {text[e.start : e.end] for e in redactor.redact(text).entities if e.type == "PERSON"}


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        # street names without a house number
        ("Any update on the streetcar on Victoria Drive?", "Victoria Drive"),
        ("Traffic light near Wellington St and Albert St today", "Albert St"),
        ("Cars speeding on Elm Street every night", "Elm Street"),
        ("Snow removal on Alder Way was fast this time.", "Alder Way"),
        ("Police presence on King St W tonight, anyone know why?", "King St W"),
        ("Fed up with the fire department on King St W. Really disappointed.", "King St W"),
        # neighbourhoods and longer place names
        ("Love how the bus stop in Eastview turned out!", "Eastview"),
        ("Plows came through Cedar Hill before 6am.", "Cedar Hill"),
        ("Had a great trip to NEW YORK", "NEW YORK"),
        # hashtags and the allow-list in compact form
        ("Really disappointed. #PortAlder #parks", "#PortAlder"),
        ("Really disappointed. #PortAlder #parks", "#parks"),
        ("Proud of PortAlder today", "PortAlder"),
        ("@PortAlderCity Repaving on Victoria Drive looks great", "Repaving"),
        # weekdays and everyday words
        ("Construction on Front Street starts Monday", "Monday"),
        ("Compost pickup in Westvale is every Sunday now.", "Sunday"),
        ("Pool opens Sunday 9am this week.", "Sunday"),
        ("Green bin missed for the second week.", "Green bin"),
        ("Cars speeding on Elm Street every night", "Cars"),
        ("Paramedics arrived in minutes when my dad fell.", "Paramedics"),
        ("Transit fares change next month, per the city notice.", "fares"),
        ("lol gonna be late again smh", "gonna"),
    ],
)
def test_places_and_words_survive(redactor: Redactor, text: str, kept: str) -> None:
    assert kept in redactor.redact(text).text


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Talked to Victoria about the bus", "Victoria"),  # a cue keeps a name that is also a street
        ("Mr. Green fixed it.", "Green"),  # a title keeps an everyday word that is a surname
        ("Thanks to Jane Green from the city for the help.", "Jane Green"),
        ("My neighbour Sunday Okafor has been calling about this.", "Okafor"),
        ("Victoria said the bus was late again", "Victoria"),  # a name before a verb, no place cue
        ("#JaneDoe was right about the detour", "JaneDoe"),  # a hashtag that is a first + last name
        ("@PortAlderCity Jane Doe said hi", "Jane Doe"),  # the name after an allowed handle
        ("Maria Garcia and I walked past it this morning.", "Maria Garcia"),
    ],
)
def test_names_still_redacted(redactor: Redactor, text: str, name: str) -> None:
    assert any(name in value for value in person_values(redactor, text))


def test_numbered_street_is_still_an_address(redactor: Redactor) -> None:
    result = redactor.redact("I live at 123 Victoria Drive and see this every day.")
    assert "Victoria" not in result.text
    assert "<STREET_ADDRESS>" in result.text


def test_case_canaries_still_redacted(default_redactor: Redactor) -> None:
    shout = default_redactor.redact("CASIMIR WYNDHAMSTOKE SAYS THE BUS IS LATE")
    assert "WYNDHAMSTOKE" not in shout.text
    assert "CASIMIR" not in shout.text
    lower = default_redactor.redact("talked to ottoline brackenridge about the snow plow")
    assert "ottoline" not in lower.text
    assert "brackenridge" not in lower.text


def test_allow_list_compact_forms_only_for_allowed_names() -> None:
    redactor = get_redactor(RedactionPolicy(allow_list=["Port Alder"]))
    assert "#PortAlder" in redactor.redact("Great work #PortAlder").text
    assert "portalder" in redactor.redact("great work portalder crews").text
    assert compact("Port Alder") == "portalder"


def test_helpers(default_redactor: Redactor) -> None:
    lexicon = default_redactor._person.lexicon
    text = "on Victoria Drive and at 12 Elm Street"
    assert is_street(text, 3, 11, ["Victoria"])
    assert is_street(text, 3, 17, ["Victoria", "Drive"])
    assert not is_street(text, 28, 31, ["Elm"])  # a house number before it: an address
    assert not is_street("Victoria said hi", 0, 8, ["Victoria"])
    assert hashtag_not_a_name(Candidate("#PortAlder", 1, 10, lexicon)) == "hashtag that is not a name"
    assert hashtag_not_a_name(Candidate("PortAlder", 0, 9, lexicon)) is None
    assert hashtag_not_a_name(Candidate("#JaneDoe", 1, 8, lexicon)) is None
    assert trim_tag("@PortAlderCity Repaving on", 1, 23) == (15, 23)
    assert trim_tag("Jane Doe", 0, 8) == (0, 8)


def test_forum_member_urls_are_profiles(redactor: Redactor) -> None:
    text = "Photos on my profile https://forum.portalder.example/user/zrios and https://www.portalder.ca/snow"
    result = redactor.redact(text)
    assert "zrios" not in result.text
    assert "https://www.portalder.ca/snow" in result.text
