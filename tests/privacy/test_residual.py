from __future__ import annotations

from listening.privacy.residual import residual_scan


def test_residual_flags_what_looks_like_identifiers() -> None:
    texts = [
        "write to jane@example.com",
        "call 416 555 0199 or +44 20 7946 0958",
        "thanks @someone",
        "card 4111111111111111",
        "the bus was late, 3 times in 2024",
        "as u/maple_leaf_mom said on r/ottawa",
    ]
    assert residual_scan(texts) == [1, 2, 1, 1, 0, 1]


def test_residual_ignores_placeholders_and_masks() -> None:
    texts = [
        "<PERSON> called <PHONE_NUMBER> about <STREET_ADDRESS>",
        "hi ********* !",
        "<SOCIAL_HANDLE>",
    ]
    assert residual_scan(texts) == [0, 0, 0]


def test_residual_on_redactor_output(redactor) -> None:  # type: ignore[no-untyped-def]
    out = redactor.redact_batch(["@jane_doe call 416-555-0199 or jane@example.com"])
    assert residual_scan([r.text for r in out]) == [0]


def test_allow_listed_public_accounts_are_not_flagged() -> None:
    texts = [
        "@PortAlderCity the bus is late",
        "@PortAlderCity ask @someone_else",
        "@portaldercity.bsky.social hi",
    ]
    allow = ["@PortAlderCity", "@portaldercity.bsky.social"]
    assert residual_scan(texts) == [1, 2, 1]
    assert residual_scan(texts, allow) == [0, 1, 0]
