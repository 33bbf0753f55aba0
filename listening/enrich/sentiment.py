"""Sentiment of redacted text with VADER."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

#: VADER's own convention: compound >= 0.05 is positive, <= -0.05 negative.
THRESHOLD = 0.05


@dataclass(frozen=True)
class Sentiment:
    compound: float
    label: str


@lru_cache(maxsize=1)
def _analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def label_for(compound: float) -> str:
    if compound >= THRESHOLD:
        return "positive"
    if compound <= -THRESHOLD:
        return "negative"
    return "neutral"


def score(text: str) -> Sentiment:
    """VADER compound score in [-1, 1] and its label. Placeholders like `<PERSON>` carry no sentiment."""
    compound = float(_analyzer().polarity_scores(text)["compound"])
    return Sentiment(round(compound, 4), label_for(compound))
