"""`SOCIAL_HANDLE`: @user (X, Instagram, TikTok, YouTube), @user@instance (Mastodon), @name.domain (Bluesky),
u/user and /u/user (Reddit: a user named in a Reddit post or comment; "r/ottawa" is a community, kept).

Handles are found as real posts write them: at the start (`.@user`), after `RT`/`MT`/`cc` with or without
a space (`RT @user:`, `RT@user`), glued to punctuation (`(@user)`, `"@user,`, `…@user`), to the bytes
of a broken encoding (`â€œ@user`, `&amp;@user`), or to another handle (`@one@two`). An `@` after a
letter or digit is an e-mail address and an `@` after `/` is a URL path: neither is a handle.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from listening.privacy.recognizers.base import RegexRecognizer

_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
_DOMAIN = rf"{_LABEL}(?:\.{_LABEL})*\.[A-Za-z]{{2,24}}"

HANDLE_RE = re.compile(
    rf"@(?:\w{{1,30}}@{_DOMAIN}"  # Mastodon: @user@instance.social
    rf"|{_LABEL}(?:\.{_LABEL})+"  # Bluesky and custom domains: @name.bsky.social
    r"|\w(?:[\w.]{0,28}\w)?)"  # @user
    r"(?!\w)"
)
#: What a broken encoding leaves before a quote, apostrophe, dash or ellipsis: UTF-8 read as
#: Windows-1252 ("â€œ", "â€™", "â€¦"), as Latin-1 ("â\x80\x9c"), a stray "Â"/"Ã", or U+FFFD.
_MOJIBAKE = re.compile(r"(?:â€.?|â[\x80-\x9f].?|[ÂÃ].?|ï¿½|\ufffd)$")
#: Retweet, modified-tweet, carbon-copy and hat-tip markers written straight before the handle.
_GLUED_MARKER = re.compile(r"(?i)(?<![\w@])(?:rt|mt|cc|via|ht|h/t)$")


#: A Reddit user: "u/name" or "/u/name" standing alone (Reddit names are 3-20 letters, digits, "_" or "-").
REDDIT_USER_RE = re.compile(r"(?<![\w/.])/?u/[A-Za-z0-9_-]{3,20}(?![\w/-])")


class SocialHandleRecognizer(RegexRecognizer):
    """Mentions of accounts; the trailing dot of a sentence is not part of a handle."""

    ENTITY = "SOCIAL_HANDLE"
    PATTERNS = ((HANDLE_RE, 0.9),)

    def spans(self, text: str) -> Iterable[tuple[int, int, float]]:
        """Every handle whose `@` follows something a handle can follow."""
        previous_end = -1
        for match in HANDLE_RE.finditer(text):
            start, end = match.span()
            if not _handle_may_start(text, start, glued=start == previous_end):
                continue
            while end > start + 1 and text[end - 1] in "._-":
                end -= 1
            if end - start >= 2:
                previous_end = match.end()
                yield start, end, 0.9
        for match in REDDIT_USER_RE.finditer(text):
            yield match.start(), match.end(), 0.9


def _handle_may_start(text: str, at: int, *, glued: bool) -> bool:
    """Whether the `@` at `at` opens a handle, given what stands before it."""
    if at == 0 or glued:
        return True
    before = text[at - 1]
    if before in "/@":
        return False
    if before in "+-" and at >= 2 and text[at - 2].isalnum():
        return False
    if not (before.isalnum() or before == "_"):
        return True
    head = text[max(0, at - 6) : at]
    return _MOJIBAKE.search(head) is not None or _GLUED_MARKER.search(head) is not None
