"""Person names: one decision path, read top to bottom.

1. **Case normalisation** (`casing.truecase_for_ner`): the NER model and the name finders read a
   same-length copy of the post in which names in lower case or in a shouting post are capitalised.
2. **Detection**: the NER model (`en_core_web_sm`'s `ner` fine-tuned on real social-media posts, shipped in
   `listening/privacy/models/social_ner/`; its version is part of the redaction policy version), then the
   finders of `detect.py`, each a recognizer of its own, all reading the text's own cues:
   a. `NameGazetteerRecognizer`: runs of gazetteer first names and surnames;
   b. `ProperNameRecognizer`: capitalised runs, strongly cued words ("my name is"), "A, B and C" lists
      seeded by a name, a plain surname as the subject of an English verb ("Okafor scored");
   c. `TitledNameRecognizer`: a title and the name after it ("Councillor Nguyen", "dr okafor");
   d. `HashtagNameRecognizer`: a hashtag that spells a name, whole ("#JaneDoe") or inside a longer tag
      ("#JusticeForJaneDoe": only the name part);
   e. `CuedNameRecognizer`: a word of any case after a greeting, thanks, a relative or a role ("shoutout li
      na", "MY GUY TUNDE", "paramedic Ruiz") that the gazetteer knows or no dictionary does.
3. **Span trimming and widening** (`spans.shape`): a retweet marker, lower-case edges, a verb or function
   word at the edge of an all-capitals or lower-case name ("DELACROIX CANCEL") and a leading handle are
   cut; a title before the name and a same-case surname beside it (never a verb) are taken in.
4. **Vetoes** (`vetoes.VETOES`, in order, each a named function returning its reason): retweet marker,
   slang, hashtag, street (a street without a number, a lone street type, a saint's name in a place),
   date, place, the program's topic words, everyday word, another language. A
   detection touching a detected address skips the vetoes: it is part of an address. Then a word of a
   kept name is a name wherever else it stands in the post, in any case ("Stephen Harper ... Harper
   said", "Tremblay ... tremblay"), and so is a first name spelled in a handle of the post ("@MarcoBellini
   ... marco"; `PersonPath._repeats`).
5. **Allow-list** (the policy's public accounts and names; `Redactor._keep`, for every entity type).
6. **Merge** (overlapping detections of every type become one span; `Redactor._merge`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from presidio_analyzer import RecognizerResult
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc

from listening.privacy.person.casing import truecase_for_ner
from listening.privacy.person.lexicon import NameLexicon
from listening.privacy.person.spans import shape
from listening.privacy.person.vetoes import Candidate, veto
from listening.privacy.recognizers.base import make_result

__all__ = ["PersonPath"]

#: The words of a handle: CamelCase parts and runs between "_", ".", "-" and digits.
_HANDLE_PART = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


class PersonPath:
    """Steps 1, 3 and 4 of the decision path for one lexicon and one program's topic words."""

    def __init__(self, lexicon: NameLexicon, terms: Iterable[str] = ()) -> None:
        self.lexicon = lexicon
        self.terms = frozenset(t.lower() for term in terms for t in term.split())

    def normalise(self, text: str) -> str:
        """Step 1: the same-length copy of `text` the detectors read."""
        return truecase_for_ner(text, self.lexicon)

    def decide(self, text: str, results: list[RecognizerResult], doc: Doc | None) -> list[RecognizerResult]:
        """Steps 3 and 4 for the `PERSON` results (others pass through), with the reason of each veto in
        `vetoed` order; returns the results that stand."""
        standing = []
        for r in results:
            if r.entity_type != "PERSON":
                standing.append(r)
                continue
            r.start, r.end = shape(text, r.start, r.end, self.lexicon, doc)
            if r.end <= r.start:
                continue
            if not self._in_address(text, r, results) and self.reason(text, r.start, r.end, doc) is not None:
                continue
            standing.append(r)
        return standing + self._repeats(text, standing)

    def reason(self, text: str, start: int, end: int, doc: Doc | None = None) -> str | None:
        """Why text[start:end] is not a person (the first veto's reason), or None."""
        return veto(Candidate(text, start, end, self.lexicon, doc, self.terms))

    @staticmethod
    def _in_address(text: str, r: RecognizerResult, results: list[RecognizerResult]) -> bool:
        """Touching a detected address, or holding a digit: part of an address, no veto."""
        if any(ch.isdigit() for ch in text[r.start : r.end]):
            return True
        return any(
            o.entity_type == "STREET_ADDRESS" and o.start <= r.end + 3 and r.start <= o.end + 3
            for o in results
        )

    def _handle_names(self, text: str, standing: list[RecognizerResult]) -> set[str]:
        """First names spelled in the post's handles ("@MarcoBellini", "@kwame_a"): the post names the
        account's holder when the name stands again on its own ("@MarcoBellini ... marco")."""
        names = set()
        for r in standing:
            if r.entity_type != "SOCIAL_HANDLE":
                continue
            for part in _HANDLE_PART.findall(text[r.start : r.end]):
                low = part.lower()
                if len(low) >= 3 and self.lexicon.is_plain_name(low) and self.lexicon.is_first(low):
                    names.add(low)
        return names

    def _repeats(self, text: str, standing: list[RecognizerResult]) -> list[RecognizerResult]:
        """A word of a kept name, or a first name spelled in a handle of the post, seen again on its own in
        the post, is the same person's name."""
        persons = [r for r in standing if r.entity_type == "PERSON"]
        known: set[str] = set()
        for r in persons:
            for word in _WORD.findall(text[r.start : r.end]):
                low = word.lower()
                if len(low) >= 3 and low not in STOP_WORDS and not self.lexicon.is_english(low):
                    known.add(low)
        known |= self._handle_names(text, standing)
        if not known:
            return []
        covered = [(r.start, r.end) for r in standing]
        added = []
        for m in _WORD.finditer(text):
            if m.group().lower() not in known or any(a <= m.start() < b for a, b in covered):
                continue
            if not m.group()[:1].isupper() and not m.group().islower():
                continue
            if m.start() > 0 and text[m.start() - 1] in "@":
                continue  # inside a handle: the handle recognizer's business
            added.append(
                make_result(
                    "PERSON",
                    m.start(),
                    m.end(),
                    0.5,
                    recognizer="PersonPath",
                    identifier="repeat",
                    how="repeat",
                )
            )
        return added
