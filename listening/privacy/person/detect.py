"""Detection: the name finders that run beside the NER model, all over spaCy's tokens and the lexicon.

- `NameGazetteerRecognizer` (gazetteer.py): runs of first names and surnames.
- `ProperNameRecognizer` (proper_names.py): capitalised runs, cued words, lists and repeated mentions.
- `TitledNameRecognizer`: a capitalised word after a title ("Councillor Nguyen", "Sgt. Pepper").
- `HashtagNameRecognizer`: a hashtag that spells a first name and a surname ("#JaneDoe", "#marksanchez").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from presidio_analyzer import LocalRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from spacy.lang.en.stop_words import STOP_WORDS

from listening.privacy.person.cues import hashtag_name, is_title
from listening.privacy.person.lexicon import NameLexicon, name_lexicon
from listening.privacy.recognizers.base import make_result


class LexiconNameRecognizer(LocalRecognizer):
    """A PERSON finder over spaCy's tokens and the name lexicon; subclasses implement `find`."""

    ENTITY = "PERSON"
    CONTEXT: Sequence[str] = ()
    HOW = "name"

    def __init__(self) -> None:
        self.label: str = type(self).__name__
        super().__init__(
            supported_entities=[self.ENTITY],
            supported_language="en",
            name=self.label,
            context=list(self.CONTEXT),
        )

    def load(self) -> None:
        """The lexicon is built from the NLP engine on first use."""

    def find(self, text: str, doc: Any, lexicon: NameLexicon) -> list[tuple[int, int, float]]:
        """(start, end, score) of names in `text`, given spaCy's parse of it."""
        raise NotImplementedError

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        """Presidio entry point; needs the spaCy tokens and the engine's pipeline."""
        if self.ENTITY not in entities or nlp_artifacts is None or nlp_artifacts.tokens is None:
            return []
        engine = nlp_artifacts.nlp_engine
        nlp = engine.get_nlp("en") if engine is not None and hasattr(engine, "get_nlp") else None
        if nlp is None:
            return []
        return [
            make_result(
                self.ENTITY, start, end, score, recognizer=self.label, identifier=self.id, how=self.HOW
            )
            for start, end, score in self.find(text, nlp_artifacts.tokens, name_lexicon(nlp))
        ]


_TITLED = re.compile(
    r"(?<![\w@#])([^\W\d_]+\.?)[ \t]+((?:[A-Z][^\W\d_]*(?:['’-][A-Z]?[^\W\d_]+)?[ \t]?){1,3})(?![\w@])"
)
_HASHTAG = re.compile(r"(?<![\w#])#([^\W\d][\w]{4,40})")


class TitledNameRecognizer(LexiconNameRecognizer):
    """A title and the capitalised words after it: "Councillor Nguyen", "Dr. Okafor", "President Obama"."""

    HOW = "title"

    def find(self, text: str, doc: Any, lexicon: NameLexicon) -> list[tuple[int, int, float]]:
        """(start, end, score) of titled names."""
        found = []
        for match in _TITLED.finditer(doc.text if len(doc.text) == len(text) else text):
            if not is_title(match.group(1)) or (match.group(1).isupper() and len(match.group(1)) > 4):
                continue
            words = match.group(2).split()
            while words and (
                words[-1].lower() in STOP_WORDS or (lexicon.is_english(words[-1]) and len(words) > 1)
            ):
                words.pop()
            if not words or words[0].lower() in STOP_WORDS:
                continue
            if all(lexicon.is_english(w) and not lexicon.is_name(w) for w in words):
                continue  # "Mr Blobby"? unknown words count; "Dr Who" and "Mayor Street" do not
            end = match.start(2) + len(" ".join(words))
            found.append((match.start(1), end, 0.6))
        return found


class HashtagNameRecognizer(LexiconNameRecognizer):
    """A hashtag that spells a first name and a surname ("#JaneDoe", "#marksanchez")."""

    HOW = "hashtag"

    def find(self, text: str, doc: Any, lexicon: NameLexicon) -> list[tuple[int, int, float]]:
        """(start, end, score) of the hashtags' bodies."""
        return [
            (m.start(1), m.end(1), 0.5) for m in _HASHTAG.finditer(text) if hashtag_name(m.group(1), lexicon)
        ]
