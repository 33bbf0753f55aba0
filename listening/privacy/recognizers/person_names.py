"""`PERSON` from the name gazetteer: names the NER model misses (case, rare names, lists of names)."""

from __future__ import annotations

from presidio_analyzer import LocalRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from listening.privacy.names import NameLexicon, case_unreliable, name_lexicon
from listening.privacy.recognizers.base import make_result

_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})


class NameGazetteerRecognizer(LocalRecognizer):
    """Runs of first/last names (with middle initials); a lone surname needs a context word."""

    ENTITY = "PERSON"
    CONTEXT = (
        "name", "named", "called", "mr", "mrs", "ms", "dr", "kid", "son", "daughter", "wife",
        "husband", "friend", "neighbour", "neighbor", "founder", "by", "with", "dear", "hi", "thanks",
    )  # fmt: skip

    def __init__(self) -> None:
        self.label: str = "NameGazetteerRecognizer"
        super().__init__(
            supported_entities=[self.ENTITY],
            supported_language="en",
            name=self.label,
            context=list(self.CONTEXT),
        )

    def load(self) -> None:
        """The lexicon is built from the NLP engine on first use."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        """Presidio entry point; needs the spaCy tokens."""
        if self.ENTITY not in entities or nlp_artifacts is None or nlp_artifacts.tokens is None:
            return []
        doc = nlp_artifacts.tokens
        engine = nlp_artifacts.nlp_engine
        nlp = engine.get_nlp("en") if engine is not None and hasattr(engine, "get_nlp") else None
        if nlp is None:
            return []
        return [self._result(a, b, s) for a, b, s in self.find(text, doc, name_lexicon(nlp))]

    def find(self, text: str, doc: object, lexicon: NameLexicon) -> list[tuple[int, int, float]]:
        """(start, end, score) of name runs over the tokens of `doc`."""
        unreliable = case_unreliable(text)
        tokens = list(doc)  # type: ignore[call-overload]
        found: list[tuple[int, int, float]] = []
        i = 0
        while i < len(tokens):
            run: list[int] = []
            j = i
            while j < len(tokens) and len(run) < 4:
                tok = tokens[j]
                word = text[tok.idx : tok.idx + len(tok.text)]
                if tok.ent_type_ in _PLACE_LABELS and not unreliable:
                    break
                if self._candidate(word, lexicon, unreliable) or (
                    run and self._initial(word) and j + 1 < len(tokens)
                ):
                    run.append(j)
                    j += 1
                else:
                    break
            while run and self._initial(
                text[tokens[run[-1]].idx : tokens[run[-1]].idx + len(tokens[run[-1]].text)]
            ):
                run.pop()
            if not run:
                i += 1
                continue
            words = [tokens[k].text for k in run]
            names = [w for w in words if not self._initial(w)]
            score = self._score(names, lexicon)
            if score > 0:
                start = tokens[run[0]].idx
                end = tokens[run[-1]].idx + len(tokens[run[-1]].text)
                found.append((start, end, score))
            i = run[-1] + 1
        return found

    @staticmethod
    def _initial(word: str) -> bool:
        return len(word.rstrip(".")) == 1 and word[:1].isupper()

    @staticmethod
    def _candidate(word: str, lexicon: NameLexicon, unreliable: bool) -> bool:
        if not word[:1].isalpha() or len(word) < 2:
            return False
        if not unreliable and not (word[0].isupper() and not word[1:].isupper()):
            return False
        return lexicon.is_name(word)

    @staticmethod
    def _score(names: list[str], lexicon: NameLexicon) -> float:
        plain = [lexicon.is_plain_name(n) for n in names]
        firsts = [n.lower() in lexicon.first for n in names]
        if len(names) >= 2 and any(firsts) and (sum(plain) >= 1):
            return 0.7
        if len(names) >= 2 and all(plain):
            return 0.6
        if len(names) == 1 and plain[0]:
            return 0.5 if firsts[0] else 0.3
        return 0.0

    def _result(self, start: int, end: int, score: float) -> RecognizerResult:
        return make_result(
            self.ENTITY, start, end, score, recognizer=self.label, identifier=self.id, how="gazetteer"
        )
