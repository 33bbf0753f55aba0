"""Canadian identifiers: `CA_SIN`, `CA_HEALTH_CARD` (Ontario, Quebec, BC), `CA_POSTAL_CODE`."""

from __future__ import annotations

import re

from listening.privacy.recognizers.base import RegexRecognizer


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum used by SINs and card numbers."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def bc_phn_valid(digits: str) -> bool:
    """BC Personal Health Number: ten digits starting with 9, modulus-11 check digit."""
    if len(digits) != 10 or digits[0] != "9":
        return False
    weights = (2, 4, 8, 5, 10, 9, 7, 3)
    remainder = sum(int(d) * w for d, w in zip(digits[1:9], weights, strict=True)) % 11
    return remainder not in (0, 1) and 11 - remainder == int(digits[9])


SIN_RE = re.compile(r"(?<![\w-])(?P<v>\d{3}([\s-]?)\d{3}\2\d{3})(?![\w-])")


class CaSinRecognizer(RegexRecognizer):
    """Social Insurance Number: nine digits, Luhn-valid, not starting with 0 or 8."""

    ENTITY = "CA_SIN"
    PATTERNS = ((SIN_RE, 0.5),)
    CONTEXT = ("sin", "social", "insurance", "nas")

    def check(self, text: str, start: int, end: int, score: float) -> tuple[int, int, float] | None:
        digits = re.sub(r"\D", "", text[start:end])
        if digits[0] in "08" or not luhn_valid(digits) or len(set(digits)) == 1:
            return None
        return start, end, score if not text[start:end].isdigit() else score - 0.15


ONTARIO_RE = re.compile(r"(?<![\w-])\d{4}[\s-]?\d{3}[\s-]?\d{3}(?:[\s-]?[A-Za-z]{2})?(?![\w-])")
BC_RE = re.compile(r"(?<![\w-])9\d{3}[\s-]?\d{3}[\s-]?\d{3}(?![\w-])")
RAMQ_RE = re.compile(r"(?<![\w-])[A-Za-z]{4}[\s-]?\d{4}[\s-]?\d{4}(?![\w-])")


class CaHealthCardRecognizer(RegexRecognizer):
    """Ontario health card (10 digits + version code), BC PHN (mod 11), Quebec RAMQ (4 letters, 8 digits)."""

    ENTITY = "CA_HEALTH_CARD"
    PATTERNS = ((ONTARIO_RE, 0.3), (BC_RE, 0.3), (RAMQ_RE, 0.55))
    CONTEXT = ("health", "card", "ohip", "ramq", "phn", "carte", "maladie", "msp", "medical")

    def check(self, text: str, start: int, end: int, score: float) -> tuple[int, int, float] | None:
        value = text[start:end]
        digits = re.sub(r"\D", "", value)
        if value[:1].isalpha():
            month = int(digits[2:4])
            if not (1 <= month <= 12 or 51 <= month <= 62):
                return None
            return start, end, score
        if bc_phn_valid(digits):
            return start, end, 0.5
        if value[-1:].isalpha():
            return start, end, 0.55
        return start, end, score


POSTAL_RE = re.compile(
    r"(?i)(?<![\w-])[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][\s-]?\d[ABCEGHJ-NPRSTV-Z]\d(?![\w-])"
)


class CaPostalCodeRecognizer(RegexRecognizer):
    """A full six-character postal code (a street segment); a bare three-character FSA is left alone."""

    ENTITY = "CA_POSTAL_CODE"
    PATTERNS = ((POSTAL_RE, 0.5),)
    CONTEXT = ("postal", "code", "address", "live", "mail", "deliver")

    def check(self, text: str, start: int, end: int, score: float) -> tuple[int, int, float] | None:
        value = text[start:end]
        # Mixed case like "k1A 0b1" is rare in real codes and common in product names.
        letters = [c for c in value if c.isalpha()]
        if not (all(c.isupper() for c in letters) or all(c.islower() for c in letters)):
            return None
        return start, end, score
