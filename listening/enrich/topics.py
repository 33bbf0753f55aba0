"""Topic assignment from the program's taxonomy of phrase rules."""

from __future__ import annotations

import re
from collections.abc import Sequence

from listening.config import Topic


class TopicMatcher:
    """Assigns every topic one of whose phrases occurs as whole words (case-insensitive)."""

    def __init__(self, topics: Sequence[Topic]) -> None:
        self._rules: list[tuple[str, re.Pattern[str]]] = []
        for topic in topics:
            alternatives = "|".join(
                r"\s+".join(re.escape(word) for word in phrase.split())
                for phrase in sorted(topic.phrases, key=len, reverse=True)
            )
            self._rules.append((topic.id, re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)))

    def assign(self, text: str) -> list[str]:
        """Topic ids in taxonomy order; empty when nothing matches."""
        return [topic_id for topic_id, rule in self._rules if rule.search(text)]
