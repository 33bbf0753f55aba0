"""`CREDIT_CARD` numbers that fail the Luhn check but are written as card numbers next to a card word.

Presidio's own recognizer keeps only Luhn-valid numbers. A mistyped or partly made-up number next to
"card" or "Visa" still identifies an account holder, so it is redacted at a lower score.
"""

from __future__ import annotations

import re

from listening.privacy.recognizers.base import RegexRecognizer
from listening.privacy.recognizers.canada import luhn_valid

CARD_RE = re.compile(
    r"(?<![\w.,/-])(?P<v>\d{4}(?:[ -]\d{4}){2,3}(?:[ -]\d{1,3})?|\d{4}[ -]\d{6}[ -]\d{5}|\d{12,19})"
    r"(?![\w-]|[.,]\d)"
)
_CARD_CONTEXT = re.compile(
    r"(?i)\b(?:card|cc|credit|debit|visa|master\s?card|amex|american\s+express|maestro|discover|"
    r"diners|jcb|carte|tarjeta)\b[^.!?\n]{0,40}$"
)


class CardNumberRecognizer(RegexRecognizer):
    """13-19 digits in card shape: Luhn-valid ones anywhere, others only after a card word."""

    ENTITY = "CREDIT_CARD"
    PATTERNS = ((CARD_RE, 0.5),)

    def check(self, text: str, start: int, end: int, score: float) -> tuple[int, int, float] | None:
        digits = re.sub(r"\D", "", text[start:end])
        if not 12 <= len(digits) <= 19 or len(set(digits)) == 1:
            return None
        cued = _CARD_CONTEXT.search(text[max(0, start - 60) : start]) is not None
        if luhn_valid(digits) and len(digits) >= 13:
            return start, end, 0.6 if cued else 0.45
        return (start, end, score) if cued else None
