"""Recognizer bases: regex patterns with a per-match check (name finders: `privacy.person.detect`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from presidio_analyzer import AnalysisExplanation, LocalRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts


def make_result(
    entity: str, start: int, end: int, score: float, *, recognizer: str, identifier: str, how: str
) -> RecognizerResult:
    """A Presidio result that names the recognizer (the redaction log records it) and how it matched."""
    return RecognizerResult(
        entity_type=entity,
        start=start,
        end=end,
        score=score,
        analysis_explanation=AnalysisExplanation(
            recognizer=recognizer, original_score=score, textual_explanation=how
        ),
        recognition_metadata={
            RecognizerResult.RECOGNIZER_NAME_KEY: recognizer,
            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: identifier,
        },
    )


class RegexRecognizer(LocalRecognizer):
    """Finds `PATTERNS` (regex, base score); a named group `v` narrows the span; `check` refines."""

    ENTITY: str = ""
    PATTERNS: Sequence[tuple[re.Pattern[str], float]] = ()
    CONTEXT: Sequence[str] = ()

    def __init__(self, *, name: str | None = None, supported_language: str = "en") -> None:
        self.label: str = name or type(self).__name__
        super().__init__(
            supported_entities=[self.ENTITY],
            supported_language=supported_language,
            name=self.label,
            context=list(self.CONTEXT),
        )

    def load(self) -> None:
        """Nothing to load: patterns are compiled at import."""

    def check(self, text: str, start: int, end: int, score: float) -> tuple[int, int, float] | None:
        """Adjust or reject one match: return (start, end, score), or None to drop it."""
        return start, end, score

    def spans(self, text: str) -> Iterable[tuple[int, int, float]]:
        """Every accepted (start, end, score) in `text`."""
        for pattern, score in self.PATTERNS:
            group = "v" if "v" in pattern.groupindex else 0
            for match in pattern.finditer(text):
                span = match.span(group)
                checked = self.check(text, span[0], span[1], score)
                if checked is not None and checked[1] > checked[0]:
                    yield checked

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        """Presidio entry point."""
        if self.ENTITY not in entities:
            return []
        results: list[RecognizerResult] = []
        seen: set[tuple[int, int]] = set()
        for start, end, score in self.spans(text):
            if (start, end) in seen:
                continue
            seen.add((start, end))
            results.append(
                make_result(
                    self.ENTITY, start, end, score, recognizer=self.label, identifier=self.id, how="pattern"
                )
            )
        return results
