"""Detection from the name gazetteer: runs of first names and surnames that the NER model misses."""

from __future__ import annotations

from listening.privacy.person.casing import case_unreliable
from listening.privacy.person.detect import LexiconNameRecognizer
from listening.privacy.person.lexicon import NameLexicon

_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})


class NameGazetteerRecognizer(LexiconNameRecognizer):
    """Runs of first/last names (with middle initials); a lone surname needs a context word."""

    CONTEXT = (
        "name", "named", "called", "mr", "mrs", "ms", "dr", "kid", "son", "daughter", "wife",
        "husband", "friend", "neighbour", "neighbor", "founder", "by", "with", "dear", "hi", "thanks",
    )  # fmt: skip

    HOW = "gazetteer"

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
        firsts = [lexicon.is_first(n) for n in names]
        if len(names) >= 2 and any(firsts) and (sum(plain) >= 1):
            return 0.7
        if len(names) >= 2 and all(plain):
            return 0.6
        if len(names) == 1 and plain[0]:
            return 0.5 if firsts[0] else 0.3
        return 0.0
