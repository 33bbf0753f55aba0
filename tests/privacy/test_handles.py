"""Handles as real posts write them."""

from __future__ import annotations

import pytest

from listening.privacy.recognizers.handles import SocialHandleRecognizer


def handles(text: str) -> list[str]:
    return [text[a:b] for a, b, s in SocialHandleRecognizer().spans(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (".@cityworks the pothole is back", ["@cityworks"]),
        ("RT @jane_doe: the bus is late again", ["@jane_doe"]),
        ("RT@jane_doe: the bus is late again", ["@jane_doe"]),
        ("MT @bob: plows out tonight", ["@bob"]),
        ("asked the city (@cityworks) twice", ["@cityworks"]),
        ('"@jane_doe, you were right"', ["@jane_doe"]),
        ("so many replies…@jane_doe", ["@jane_doe"]),
        ("[@jane_doe] thanks", ["@jane_doe"]),
        ("â€œ@jane_doe: snow day!â€\x9d", ["@jane_doe"]),
        ("â\x80\x9c@jane_doe said so", ["@jane_doe"]),
        ("Ã©@jane_doe", ["@jane_doe"]),
        ("me &amp;@jane_doe went", ["@jane_doe"]),
        ("&gt;@jane_doe quoted", ["@jane_doe"]),
        ("@one@two see this", ["@one", "@two"]),
        ("cc @user@mastodon.social and @name.bsky.social", ["@user@mastodon.social", "@name.bsky.social"]),
        ("@jane_doe's post", ["@jane_doe"]),
        ("@jane_doe.", ["@jane_doe"]),
        ("agree with u/maple_leaf_mom, plows were late", ["u/maple_leaf_mom"]),
        ("/u/Johnny-K said the same on r/ottawa", ["/u/Johnny-K"]),
    ],
)
def test_handle_forms_of_real_posts(text: str, expected: list[str]) -> None:
    assert handles(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "mail jane@example.com",
        "x.com/@bob",
        "a@b",
        "price @ 5",
        "hey@user",
        "foo-@bar",
        "1+@x",
        "posted on r/ottawa",
        "menu/upgrades",
        "the menu/u/x path",
        "a/u/b",
        "u/ab",
    ],
)
def test_not_handles(text: str) -> None:
    assert handles(text) == []
