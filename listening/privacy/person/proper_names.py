"""`PERSON` from capitalisation and context: names that neither the NER model nor the gazetteer knows.

A run of capitalised words is a name when its words are names (the gazetteer) or unknown words (not in
the English lexicon), and nothing marks it as a place or an organisation: spaCy's place/org labels, a
street or company word right after it, a place preposition before a lone word. A lone word needs more
evidence than a pair: a first name with a proper-noun tag away from the start of a sentence, a cue before
it ("my name is", "Dr", "Name:"), a speaker label, or a list that already holds a name ("Kónya, Becker and
Vasquez"); a lone surname or unknown word is left to the NER model.
A word found as a name once in a text is a name wherever else it appears in that text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc

from listening.privacy.person.casing import case_unreliable
from listening.privacy.person.cues import STRONG_CUE, is_title
from listening.privacy.person.detect import LexiconNameRecognizer
from listening.privacy.person.lexicon import NameLexicon
from listening.privacy.vocabulary import wordlist

_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]{2,})*\.?")
_VETO_LABELS = frozenset(
    {"GPE", "LOC", "FAC", "ORG", "NORP", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE", "DATE"}
)
_SENTENCE_START = frozenset('.!?:;"“”>(\n•*')
_GAP = re.compile(r"[ \t]{1,2}")


@dataclass
class _Word:
    start: int
    end: int
    text: str

    @property
    def low(self) -> str:
        return self.text.lower().rstrip(".")


class ProperNameRecognizer(LexiconNameRecognizer):
    """Capitalised runs, cued words, lists and repeated mentions that look like personal names."""

    HOW = "proper name"

    def find(self, text: str, doc: Doc, lexicon: NameLexicon) -> list[tuple[int, int, float]]:
        """(start, end, score) of names in `text`; `doc` is spaCy's parse of a same-length copy."""
        doc_text = doc.text  # spaCy joins the tokens on every read: once
        source = doc_text if len(doc_text) == len(text) else text
        words = [_Word(m.start(), m.end(), m.group()) for m in _WORD.finditer(source)]
        if not words:
            return []
        lower_text = case_unreliable(text) and not any(c.isupper() for c in text)
        found: dict[tuple[int, int], float] = {}
        i = 0
        while i < len(words):
            run = self._run(source, words, i)
            if not run:
                i += 1
                continue
            for seg in self._segments(words, run, lexicon):
                score = self._judge(source, doc, words, seg, lexicon=lexicon, original=text)
                if score:
                    found[(words[seg[0]].start, self._end(words[seg[-1]]))] = score
            i = run[-1] + 1
        if lower_text:
            self._cued_lower(source, words, lexicon, found)
        self._lists(source, words, lexicon, found)
        self._repeats(source, words, lexicon, found)
        return [(a, b, s) for (a, b), s in sorted(found.items())]

    @staticmethod
    def _end(word: _Word) -> int:
        # Keep the period of an initial or title ("J.", "Dr."), not a sentence's full stop.
        return word.end if len(word.low) <= 3 else word.end - word.text.endswith(".")

    @staticmethod
    def _cap(word: _Word) -> bool:
        return word.text[:1].isupper()

    def _run(self, text: str, words: list[_Word], i: int) -> list[int]:
        """Indices of a run of capitalised words (particles allowed inside) starting at `i`."""
        if not self._cap(words[i]):
            return []
        run = [i]
        j = i + 1
        while j < len(words) and len(run) < 6:
            prev = words[run[-1]]
            if prev.text.endswith(".") and len(prev.low) > 3:
                break
            if not _GAP.fullmatch(text[prev.end : words[j].start]):
                break
            if self._cap(words[j]) or (
                words[j].low in wordlist("name_particles") and j + 1 < len(words) and self._cap(words[j + 1])
            ):
                run.append(j)
            else:
                break
            j += 1
        return run

    @staticmethod
    def _kind(word: _Word, lexicon: NameLexicon) -> str:
        low = word.low
        if len(low) == 1:
            return "initial"
        if is_title(word.text) and not lexicon.is_last(low):
            return "title"
        if low in wordlist("name_particles") and not word.text[:1].isupper():
            return "particle"
        if word.text.isupper() and len(low) > 1 and not lexicon.is_name(low):
            return "other"  # an acronym: DDS, NASA
        if low in wordlist("place_org_heads") and not lexicon.is_first(low):
            return "other"
        if lexicon.is_name(low) and low not in STOP_WORDS:
            return "name"
        if lexicon.is_english(low) and not lexicon.is_rare(low):
            return "other"
        return "unknown"

    def _segments(self, words: list[_Word], run: list[int], lexicon: NameLexicon) -> list[list[int]]:
        """Split a run at everyday words; trim initials and particles off the ends."""
        segments: list[list[int]] = []
        current: list[int] = []
        for k in run:
            if self._kind(words[k], lexicon) == "other":
                if current:
                    segments.append(current)
                current = []
            else:
                current.append(k)
        if current:
            segments.append(current)
        out = []
        for whole in segments:
            seg = whole
            # Part of a longer capitalised name ("Port Alder City Hall", "King St"): not a person.
            inside = [k for k in run if k not in seg and (k > seg[0] or k != run[0])]
            near = [words[k] for k in inside if abs(k - seg[0]) <= len(seg)]
            if any(self._kind(w, lexicon) == "other" and not w.text.isupper() for w in near):
                continue
            while seg and self._kind(words[seg[-1]], lexicon) in ("particle", "title"):
                seg = seg[:-1]
            while seg and self._kind(words[seg[0]], lexicon) == "particle":
                seg = seg[1:]
            if seg:
                out.append(seg)
        return out

    def _judge(
        self,
        text: str,
        doc: Doc,
        words: list[_Word],
        seg: list[int],
        *,
        lexicon: NameLexicon,
        original: str = "",
    ) -> float:
        kinds = [self._kind(words[k], lexicon) for k in seg]
        core = [k for k, kind in zip(seg, kinds, strict=True) if kind in ("name", "unknown")]
        if not core:
            return 0.0
        start, end = words[seg[0]].start, words[seg[-1]].end
        span = doc.char_span(start, end, alignment_mode="expand")
        tokens = list(span) if span is not None else []
        labels = {t.ent_type_ for t in tokens if t.ent_type_}
        if "PERSON" in labels:
            return 0.6
        has_first = any(lexicon.is_first(words[k].low) for k in core)
        after = next((w for w in words if w.start >= end), None)
        if (
            after is not None
            and after.low in wordlist("place_org_heads")
            and text[end : after.start].strip() == ""
        ):
            return 0.0
        titled = "title" in kinds
        cued = bool(STRONG_CUE.search(text[max(0, start - 30) : start])) or self._speaker(text, start, end)
        # The small model calls many unfamiliar names ORG: that label only vetoes a lone word.
        veto = _VETO_LABELS - {"ORG"} if len(core) >= 2 else _VETO_LABELS
        if labels & veto and not (has_first or titled or cued):
            return 0.0
        if len(core) >= 2:
            return 0.6 if (has_first or titled or cued) else 0.5
        word = words[core[0]]
        if titled or cued:
            return 0.6
        before = self._previous(words, seg[0])
        initial = self._sentence_initial(text, start)
        token = doc.char_span(word.start, word.end, alignment_mode="expand")
        proper = token is not None and any(t.pos_ == "PROPN" for t in token)
        verb_next = self._verb_next(doc, end)
        reported = self._reporting_verb_next(text, end)
        verb_next = verb_next or reported
        if not (proper or verb_next) or len(word.low) < 3:
            return 0.0
        if initial and not verb_next:
            return 0.0
        if before is not None and before.low in wordlist("locative_prepositions"):
            return 0.0
        if lexicon.is_first(word.low) and not lexicon.is_everyday(word.low):
            return 0.5  # a lone "Will", "Summer" or "Day" is the NER model's call
        # A lone surname is the subject of a reporting verb ("Villiers rejects", "Hollande announces");
        # otherwise a lone surname or unknown word is the NER model's call: on real posts capitalisation
        # alone was wrong far more often than right.
        if lexicon.is_last(word.low) and not lexicon.is_everyday(word.low) and reported:
            return 0.45
        # A surname no dictionary lists as a word, as the subject of an English verb ("Okafor scored").
        following = re.match(r"[ \t]+([a-z]+)\b", text[end:])
        written = original[word.start : word.end] if len(original) == len(text) else word.text
        if (
            verb_next
            and written[:1].isupper()  # capitalised by its writer, not by case normalisation ("yonge was")
            and following is not None
            and lexicon.is_english(following.group(1))
            and word.low.isalpha()
            and lexicon.is_plain_name(word.low)
            and lexicon.is_last(word.low)
        ):
            return 0.45
        return 0.0

    @staticmethod
    def _previous(words: list[_Word], k: int) -> _Word | None:
        return words[k - 1] if k > 0 else None

    @staticmethod
    def _sentence_initial(text: str, start: int) -> bool:
        before = text[:start].rstrip(" \t")
        return not before or before[-1] in _SENTENCE_START

    @staticmethod
    def _speaker(text: str, start: int, end: int) -> bool:
        """A speaker label: the name opens a line and a colon follows ("Ubul: What a wife.")."""
        line_start = text.rfind("\n", 0, start) + 1
        return text[line_start:start].strip() == "" and text[end : end + 1] == ":"

    @staticmethod
    def _verb_next(doc: Doc, end: int) -> bool:
        for token in doc:
            if token.idx >= end:
                return token.pos_ in ("VERB", "AUX")
        return False

    @staticmethod
    def _reporting_verb_next(text: str, end: int) -> bool:
        """A reporting verb in the third person or the past right after ("says", "rejected", "told")."""
        match = re.match(r"[ \t]+([a-z]+)\b", text[end:])
        if match is None:
            return False
        verb = match.group(1)
        verbs = wordlist("reporting_verbs")
        stems = {verb[:-1], verb[:-2], verb[:-3] + "y"} if verb.endswith("s") else set()
        if verb.endswith("d"):
            stems |= {verb[:-1], verb[:-2]}
        irregular = {"said": "say", "told": "tell", "thought": "think", "met": "meet", "left": "leave"}
        return bool(stems & verbs) or irregular.get(verb, "") in verbs

    # ---- evidence from the rest of the text --------------------------------------------------

    def _cued_lower(
        self, text: str, words: list[_Word], lexicon: NameLexicon, found: dict[tuple[int, int], float]
    ) -> None:
        """In all-lower-case text, one or two words after a strong cue ("my name is vitoria")."""
        for k, word in enumerate(words):
            if word.low in STOP_WORDS or not STRONG_CUE.search(text[max(0, word.start - 30) : word.start]):
                continue
            if word.low in lexicon.english and not lexicon.is_name(word.low):
                continue
            end = word.end
            if k + 1 < len(words) and _GAP.fullmatch(text[word.end : words[k + 1].start]):
                nxt = words[k + 1]
                if nxt.low not in STOP_WORDS and (
                    lexicon.is_name(nxt.low) or not lexicon.is_english(nxt.low)
                ):
                    end = nxt.end
            found.setdefault((word.start, end), 0.5)

    def _lists(
        self, text: str, words: list[_Word], lexicon: NameLexicon, found: dict[tuple[int, int], float]
    ) -> None:
        """Capitalised items of a list ("A, B and C") are names when one of them is."""
        k = 0
        while k < len(words):
            items = [k]
            j = k
            while j + 1 < len(words):
                gap = text[words[j].end : words[j + 1].start]
                if re.fullmatch(r",[ \t]*|,?[ \t]+&[ \t]+", gap):
                    items.append(j + 1)
                    j += 1
                elif (
                    # "A and B", "A, B or C": the conjunction is a word of its own between two items
                    words[j + 1].low in ("and", "or")
                    and j + 2 < len(words)
                    and re.fullmatch(r",?[ \t]+", gap)
                    and re.fullmatch(r"[ \t]+", text[words[j + 1].end : words[j + 2].start])
                ):
                    items.append(j + 2)
                    j += 2
                else:
                    break
            k = j + 1
            if len(items) < 2 or not all(self._cap(words[i]) or words[i].text.islower() for i in items):
                continue
            if len({words[i].text[:1].isupper() for i in items}) > 1:
                continue
            if not all(self._lone_item(text, words, i, items) for i in items):
                continue  # "Maple Avenue and Mill Lane": two-word items are streets or places
            spans = [(words[i].start, self._end(words[i])) for i in items]
            seeded = any(lexicon.is_plain_name(words[i].low) for i in items) or any(
                any(a <= s < b or s <= a < e for a, b in found) for s, e in spans
            )
            if not seeded:
                continue
            for s, e in spans:
                if not any(a <= s and e <= b for a, b in found):
                    found[(s, e)] = 0.45

    def _lone_item(self, text: str, words: list[_Word], i: int, items: list[int]) -> bool:
        """A list item that is one word: no capitalised word right beside it outside the list, and no street
        or place word ("Avenue", "Hall")."""
        if words[i].low in wordlist("place_org_heads") or words[i].low in wordlist("street_words"):
            return False
        for k in (i - 1, i + 1):
            if k < 0 or k >= len(words) or k in items or words[k].low in ("and", "or"):
                continue
            first, second = (words[k], words[i]) if k < i else (words[i], words[k])
            joined = _GAP.fullmatch(text[first.end : second.start]) and not first.text.endswith(".")
            if self._cap(words[k]) and joined:
                return False
        return True

    def _repeats(
        self, text: str, words: list[_Word], lexicon: NameLexicon, found: dict[tuple[int, int], float]
    ) -> None:
        """A word found inside a name is a name wherever else it appears in the text."""
        known = set()
        for a, b in found:
            for word in words:
                inside = a <= word.start and word.end <= b and len(word.low) >= 3
                if (
                    inside
                    and word.low not in STOP_WORDS
                    and (lexicon.is_name(word.low) or word.low not in lexicon.english)
                ):
                    known.add(word.low)
        if not known:
            return
        for word in words:
            if word.low in known and not any(a <= word.start < b for a, b in found):
                found[(word.start, self._end(word))] = 0.45
