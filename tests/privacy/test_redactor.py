from __future__ import annotations

import logging

import pytest

from listening.config import RedactionPolicy
from listening.privacy.engine import ner_model_version
from listening.privacy.redactor import Redacted, Redactor, get_redactor

TEXTS = [
    "Hi @jane_doe, John Smith called 416-555-0199 about the pothole near 123 Main St.",
    "follow up with patricia desrosiers about the snow plow",
    "JOHN SMITH AND I WAITED 40 MINUTES ON THE BUS",
    "thanks @PortAlderCity for the library hours! https://www.portalder.ca/snow",
    "profile: https://www.facebook.com/jane.doe.77 and mail jane@example.com",
    "",
]

KEEP = [
    "the bus was late again", "another pothole on the road", "snow plow missed our street",
    "library hours changed", "recycling pickup skipped", "building permit delays", "water main break",
    "on the bus to the park", "green bin collection day", "Port Alder city hall meeting on Monday",
]  # fmt: skip


def test_policy_version(redactor: Redactor) -> None:
    assert redactor.policy_version == f"test-1+ner{ner_model_version(redactor.ner_model)}"
    assert ner_model_version(redactor.ner_model)  # the shipped model has a version


def test_offsets_index_the_original_text(redactor: Redactor) -> None:
    for text, result in zip(TEXTS, redactor.redact_batch(TEXTS), strict=True):
        rebuilt, cursor = [], 0
        for e in result.entities:
            assert 0 <= e.start < e.end <= len(text)
            rebuilt.append(text[cursor : e.start] + f"<{e.type}>")
            cursor = e.end
        assert "".join(rebuilt) + text[cursor:] == result.text


def test_identifiers_are_removed(redactor: Redactor) -> None:
    first, lower, upper, allowed, profile, empty = redactor.redact_batch(TEXTS)
    for value in ("@jane_doe", "John Smith", "416-555-0199", "123 Main St"):
        assert value not in first.text
    assert "pothole" in first.text
    assert "patricia" not in lower.text
    assert "snow plow" in lower.text
    assert "JOHN SMITH" not in upper.text
    assert "BUS" in upper.text
    assert "@PortAlderCity" in allowed.text
    assert "portalder.ca" in allowed.text
    assert "jane.doe" not in profile.text
    assert "<EMAIL_ADDRESS>" in profile.text
    assert empty == Redacted(text="", entities=())


def test_batch_equals_single(redactor: Redactor) -> None:
    assert redactor.redact_batch(TEXTS) == [redactor.redact(t) for t in TEXTS]


@pytest.mark.parametrize("text", KEEP)
def test_keep_words_survive(redactor: Redactor, text: str) -> None:
    assert redactor.redact(text).text == text


def test_entity_list_limits_what_is_redacted() -> None:
    only_phones = get_redactor(RedactionPolicy(entities=["PHONE_NUMBER"]))
    result = only_phones.redact("@jane_doe: call 416-555-0199")
    assert result.text == "@jane_doe: call <PHONE_NUMBER>"
    assert get_redactor(RedactionPolicy(entities=[])).redact("@jane_doe").text == "@jane_doe"


def test_thresholds_per_type() -> None:
    strict = get_redactor(RedactionPolicy(thresholds={"SOCIAL_HANDLE": 0.99}))
    assert strict.redact("hi @jane_doe").text == "hi @jane_doe"


def test_mask_operator() -> None:
    masked = get_redactor(RedactionPolicy(operator="mask")).redact("hi @jane_doe!")
    assert masked.text == "hi *********!"


def test_allow_list_is_case_insensitive() -> None:
    policy = RedactionPolicy(allow_list=["@portaldercity", "Jane Smith"])
    result = get_redactor(policy).redact(
        "@PortAlderCity thanks, said JANE SMITH and https://x.com/PortAlderCity"
    )
    assert result.text == "@PortAlderCity thanks, said JANE SMITH and https://x.com/PortAlderCity"


def test_get_redactor_caches_by_policy_and_model() -> None:
    assert get_redactor(RedactionPolicy()) is get_redactor(RedactionPolicy())
    assert get_redactor(RedactionPolicy()) is not get_redactor(RedactionPolicy(version="2"))


def test_no_values_in_logs(caplog: pytest.LogCaptureFixture, redactor: Redactor) -> None:
    canary = "Zebedee Quxworth"
    with caplog.at_level(logging.DEBUG):
        redactor.redact_batch([f"{canary} lives at 9 Canary Row, call 416-555-0142 @canaryq"])
    logged = " ".join(r.getMessage() + str(r.args) for r in caplog.records)
    for value in (canary, "Canary Row", "416-555-0142", "canaryq"):
        assert value not in logged
