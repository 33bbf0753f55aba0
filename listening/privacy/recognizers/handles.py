"""`SOCIAL_HANDLE`: @user (X, Instagram, TikTok), @user@instance (Mastodon), @name.domain (Bluesky)."""

from __future__ import annotations

import re

from listening.privacy.recognizers.base import RegexRecognizer

_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
_DOMAIN = rf"{_LABEL}(?:\.{_LABEL})*\.[A-Za-z]{{2,24}}"

HANDLE_RE = re.compile(
    # The look-behind keeps email addresses (word char before "@") and URL paths out.
    r"(?<![\w@/.+-])"
    rf"@(?:\w{{1,30}}@{_DOMAIN}"  # Mastodon: @user@instance.social
    rf"|{_LABEL}(?:\.{_LABEL})+"  # Bluesky and custom domains: @name.bsky.social
    r"|\w(?:[\w.]{0,28}\w)?)"  # @user
    r"(?![\w@])"
)


class SocialHandleRecognizer(RegexRecognizer):
    """Mentions of accounts; the trailing dot of a sentence is not part of a handle."""

    ENTITY = "SOCIAL_HANDLE"
    PATTERNS = ((HANDLE_RE, 0.9),)

    def check(self, text: str, start: int, end: int, score: float) -> tuple[int, int, float] | None:
        while end > start + 1 and text[end - 1] in "._-":
            end -= 1
        if end - start < 2:
            return None
        return start, end, score
