"""The domain-shift measurement set of `make bench-pii`: its markup is read as written."""

from __future__ import annotations

import pytest

from benchmarks import domain_shift


def test_marked_names_titles_and_handles_become_spans() -> None:
    post = domain_shift.parse("@bea_k yes Councillor [[Tremblay]] and u/snow_sal agree with [[li na]]\\nok")
    assert post.text == "@bea_k yes Councillor Tremblay and u/snow_sal agree with li na\nok"
    found = {(post.text[a:b], kind) for a, b, kind in post.spans}
    assert found == {
        ("@bea_k", "SOCIAL_HANDLE"),
        ("Councillor", "TITLE"),
        ("Tremblay", "PERSON"),
        ("u/snow_sal", "SOCIAL_HANDLE"),
        ("li na", "PERSON"),
    }
    words = [post.text[a:b] for a, b in post.tokens]
    assert "u/snow_sal" in words
    assert "agree" in words


@pytest.mark.parametrize("half", domain_shift.SLICES)
def test_both_halves_load_with_names_and_no_markup_left(half: str) -> None:
    posts = domain_shift.load(half)
    assert len(posts) >= 50
    assert sum(kind == "PERSON" for p in posts for _, _, kind in p.spans) >= 50
    assert not any("[[" in p.text or "]]" in p.text for p in posts)


def test_an_unknown_half_is_refused() -> None:
    with pytest.raises(ValueError, match="no domain-shift slice"):
        domain_shift.load("train")
