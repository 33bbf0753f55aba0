"""`PROFILE_URL`: links to a person's account or posts; links to other pages are left alone."""

from __future__ import annotations

import re

from listening.privacy.recognizers.base import RegexRecognizer

_PLATFORMS = (
    r"facebook\.com|fb\.com|fb\.me|instagram\.com|instagr\.am|x\.com|twitter\.com|tiktok\.com"
    r"|linkedin\.com|threads\.net|threads\.com|youtube\.com|bsky\.app|reddit\.com|medium\.com"
    r"|github\.com|snapchat\.com|pinterest\.com|tumblr\.com|vk\.com|t\.me"
)
_SEGMENT = r"[^\s/?#<>\"'()\[\]{},]+"
_TAIL = r"(?:[/?#][^\s<>\"'()\[\]{}]*)?"

_PLATFORM_RE = re.compile(
    rf"(?i)(?<![\w.@-])(?:https?://)?(?:(?:www|m|mobile|web|[a-z]{{2}}|[a-z]{{2}}-[a-z]{{2}})\.)?"
    rf"(?:{_PLATFORMS})/(?P<path>(?:in/|pub/|u/|user/|c/|profile/|people/|add/)?@?{_SEGMENT}){_TAIL}"
)
# Any host with an "/@user" path: Mastodon and its kin, Medium, TikTok, YouTube.
_AT_PATH_RE = re.compile(
    rf"(?i)(?<![\w.@-])(?:https?://)?(?:[a-z0-9-]+\.)+[a-z]{{2,24}}/(?:web/)?(?P<path>@{_SEGMENT}){_TAIL}"
)
# Any host with a member path: forums (Discourse "/u/name", "/user/name"), "/members/name", "/profile/name".
_USER_PATH_RE = re.compile(
    rf"(?i)(?<![\w.@-])(?:https?://)?(?:[a-z0-9-]+\.)+[a-z]{{2,24}}/(?:[^\s/?#]+/)?"
    rf"(?:u|user|users|member|members|profile|profiles|people)/(?P<path>{_SEGMENT}){_TAIL}"
)

#: First path segments on social platforms that are site pages, not accounts.
SITE_PAGES = frozenset(
    [
        "about",
        "ads",
        "business",
        "careers",
        "company",
        "developers",
        "events",
        "explore",
        "feed",
        "games",
        "gaming",
        "groups",
        "hashtag",
        "help",
        "home",
        "i",
        "intent",
        "legal",
        "login",
        "logout",
        "marketplace",
        "messages",
        "music",
        "news",
        "notifications",
        "pages",
        "photo.php",
        "policies",
        "policy",
        "privacy",
        "search",
        "settings",
        "share",
        "sharer",
        "sharer.php",
        "signup",
        "shorts",
        "watch",
        "terms",
        "topics",
        "trending",
        "jobs",
        "school",
        "feed.php",
        "r",
        "tos",
    ]
)


def account_of(url: str) -> str | None:
    """The account name a profile URL points at (lower case, no `@`), if any."""
    for pattern in (_PLATFORM_RE, _AT_PATH_RE, _USER_PATH_RE):
        match = pattern.match(url)
        if match:
            segment = match.group("path").rsplit("/", 1)[-1]
            return segment.lstrip("@").lower()
    return None


class ProfileUrlRecognizer(RegexRecognizer):
    """A profile or post URL on a social platform, any `host/@user` URL or a forum's member page."""

    ENTITY = "PROFILE_URL"
    PATTERNS = ((_PLATFORM_RE, 0.85), (_AT_PATH_RE, 0.8), (_USER_PATH_RE, 0.75))

    def check(self, text: str, start: int, end: int, score: float) -> tuple[int, int, float] | None:
        match = (
            _PLATFORM_RE.match(text, start)
            or _AT_PATH_RE.match(text, start)
            or _USER_PATH_RE.match(text, start)
        )
        if match is None:
            return None
        first = match.group("path").split("/", 1)[0].lower()
        if first in SITE_PAGES:
            return None
        while end > start and text[end - 1] in ".,;:!?":
            end -= 1
        return start, end, score
