"""Detection: the name finders that run beside the NER model, all over spaCy's tokens and the lexicon.

- `NameGazetteerRecognizer` (gazetteer.py): runs of first names and surnames.
- `ProperNameRecognizer` (proper_names.py): capitalised runs, cued words, lists and repeated mentions.
- `TitledNameRecognizer`: a capitalised word after a title ("Councillor Nguyen", "Sgt. Pepper").
- `CuedNameRecognizer`: one or two words of any case after a greeting, thanks, a relative or a role
  ("shoutout li na", "MY GUY TUNDE", "paramedic Ruiz") that the gazetteer knows or no dictionary does.
- `HashtagNameRecognizer`: a hashtag that spells a first name and a surname ("#JaneDoe", "#marksanchez"),
  or holds one among other words ("#JusticeForJaneDoe", "#ThankYouDrOsei": only the name is taken).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from presidio_analyzer import LocalRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from spacy.lang.en.stop_words import STOP_WORDS

from listening.privacy.person.cues import VOCATIVE_CUES, hashtag_name, hashtag_name_parts, is_title
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
        doc_text = doc.text  # spaCy joins the tokens on every read: once
        for match in _TITLED.finditer(doc_text if len(doc_text) == len(text) else text):
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
        found = []
        for m in _HASHTAG.finditer(text):
            if hashtag_name(m.group(1), lexicon):
                found.append((m.start(1), m.end(1), 0.5))
                continue
            part = hashtag_name_parts(m.group(1), lexicon)  # "#JusticeForJaneDoe": the name part only
            if part is not None:
                found.append((m.start(1) + part[0], m.start(1) + part[1], 0.5))
        return found


_CUED_WORD = re.compile(r"(?<![\w@#/.])([^\W\d_]+(?:['’-][^\W\d_]+)*)(?![\w@])")
_CUE_GAP = re.compile(r"[ \t]+")


class CuedNameRecognizer(LexiconNameRecognizer):
    """One or two words right after a vocative, kinship or role cue (`cues.VOCATIVE_CUE`), in any letter case,
    when each is a gazetteer name or a word no dictionary knows and spaCy calls it no place or organisation:
    "shoutout li na", "my grandma baba yetunde", "MY GUY TUNDE", "thanks Keisha", "paramedic Ruiz"."""

    HOW = "cue"
    #: spaCy labels that make a cued word no person (not ORG: the small model calls many rare names so).
    _NOT_PEOPLE = frozenset({"GPE", "LOC", "FAC", "NORP", "DATE", "TIME", "EVENT", "PRODUCT"})

    def find(self, text: str, doc: Any, lexicon: NameLexicon) -> list[tuple[int, int, float]]:
        """(start, end, score) of cued names."""
        found = []
        for cue in VOCATIVE_CUES.finditer(text):
            m = _CUED_WORD.match(text, cue.end())
            if m is None or not self._name_word(m.group(1), m.start(), doc, lexicon):
                continue
            end = m.end()
            gap = _CUE_GAP.match(text, end)
            nxt = _CUED_WORD.match(text, gap.end()) if gap is not None else None
            if (
                nxt is not None
                and nxt.group(1).isupper() == m.group(1).isupper()
                and self._name_word(nxt.group(1), nxt.start(), doc, lexicon)
            ):
                end = nxt.end()
            found.append((m.start(), end, 0.5))
        return found

    def _name_word(self, word: str, start: int, doc: Any, lexicon: NameLexicon) -> bool:
        low = word.lower()
        if len(low) < 2 or low in STOP_WORDS or (lexicon.is_word(low) and not lexicon.is_name(low)):
            return False
        if not (
            lexicon.is_name(low) or lexicon.is_unknown(low) or (word[:1].isupper() and lexicon.is_rare(low))
        ):
            return False
        if lexicon.is_name(low):
            return True  # a gazetteer name after the cue: spaCy's place label on it is no evidence
        token = next((t for t in doc if t.idx == start), None) if doc is not None else None
        return token is None or token.ent_type_ not in self._NOT_PEOPLE
