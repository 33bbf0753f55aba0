"""`PHONE_NUMBER`: every common North American format, and grouped international numbers."""

from __future__ import annotations

import re

from listening.privacy.recognizers.base import RegexRecognizer

_EXT = r"(?:\s*(?:x|ext\.?|extension|poste|#)\s*\d{1,6})?"
_SEP = r"[\s.\-\u2010-\u2013]?"

NANP_RE = re.compile(
    r"(?i)(?<![\w+.-])"
    rf"(?:(?:\+\s?1|001|1)\s?{_SEP})?"
    rf"(?:\(\s?\d{{3}}\s?\)|\d{{3}}){_SEP}\s?\d{{3}}{_SEP}\d{{4}}"
    rf"{_EXT}(?![\w-])"
)
# "+44 20 7946 0958", "+46 (0)8 928 571 38": a country code makes a digit sequence a phone number.
INTERNATIONAL_RE = re.compile(
    r"(?<![\w+])\+\d{1,3}(?:[\s.-]?\(0\))?(?:[\s.-]?\(?\d{1,5}\)?){2,6}" rf"{_EXT}(?![\w-])"
)
# Digit groups such as "0490 75 40 81", "(08) 8747 6301", "467 3395": phone-like, only with context.
GROUPED_RE = re.compile(
    r"(?<![\w.,/:+-])(?:\(\d{1,4}\)\s?)?\d{2,5}(?:[ .-]\d{2,6}){1,4}" rf"{_EXT}(?!\w|-\d|[.,]\d)"
)
_DATE_LIKE = re.compile(r"^\d{4}[-./]\d{1,2}[-./]\d{1,2}$|^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}$")
_PHONE_SHAPED = re.compile(r"(?:\(\d{1,4}\)\s?)?\d{2,4}([ .-])\d{2,4}(?:\1\d{2,4}){1,3}")
_SSN_LIKE = re.compile(r"^\d{3}-\d{2}-\d{4}$")
# "call me on 450 0840": spaCy counts "call" as a stop word, so Presidio's context enhancer never sees it.
_CALL_CUE = re.compile(
    r"(?i)\b(?:call|text|phone|tel|cell|mobile|dial|ring|reach|fax|whatsapp|sms)\b[^\n.!?\d]{0,16}$"
)


def _digits(value: str) -> int:
    return sum(ch.isdigit() for ch in value)


class NorthAmericanPhoneRecognizer(RegexRecognizer):
    """(416) 555-0199, 416.555.0199, +1 416 555 0199, 1-800-555-0199 ext. 12, 4165550199."""

    ENTITY = "PHONE_NUMBER"
    PATTERNS = ((NANP_RE, 0.7),)
    CONTEXT = (
        "phone",
        "call",
        "text",
        "cell",
        "mobile",
        "tel",
        "telephone",
        "fax",
        "number",
        "reach",
    )

    def check(self, text: str, start: int, end: int, score: float) -> tuple[int, int, float] | None:
        value = text[start:end]
        core = re.sub(r"(?i)\s*(?:x|ext\.?|extension|poste|#)\s*\d+$", "", value)
        digits = re.sub(r"\D", "", core)
        if len(digits) == 11 and digits[0] != "1":
            return None
        national = digits[-10:]
        if len(set(national)) == 1:
            return None
        if core.isdigit():
            # A bare ten-digit run is often some other identifier: require a valid NANP shape.
            if national[0] in "01" or national[3] in "01":
                return None
            score = 0.45
        return start, end, score


class GroupedPhoneRecognizer(RegexRecognizer):
    """International and local numbers in digit groups; weak alone, confident with a country code."""

    ENTITY = "PHONE_NUMBER"
    PATTERNS = ((INTERNATIONAL_RE, 0.6), (GROUPED_RE, 0.25))
    CONTEXT = (
        "phone", "call", "text", "cell", "mobile", "tel", "telephone", "fax", "number", "reach",
        "contact", "office", "whatsapp", "home", "work", "dial", "ring", "message", "messages", "sms",
        "answering", "answer", "registered", "desk", "landline",
    )  # fmt: skip

    def check(self, text: str, start: int, end: int, score: float) -> tuple[int, int, float] | None:
        value = text[start:end]
        digits = _digits(value)
        if not 7 <= digits <= 15 or _DATE_LIKE.match(value) or _SSN_LIKE.match(value):
            return None
        if score < 0.5 and _CALL_CUE.search(text, max(0, start - 32), start):
            score = 0.5
        elif score < 0.5 and re.fullmatch(r"\d{3,5} \d{3,5}", value) and digits < 8:
            score = 0.2
        elif score < 0.5 and _PHONE_SHAPED.fullmatch(value) and 8 <= digits <= 13:
            # Three or more groups with one separator throughout ("699 956 915", "71-33-52-22").
            score = 0.4
        return start, end, score
