"""What a word is: a first name, a surname, an everyday English word, or unknown (a rare name, maybe).

Names come from the frozen gazetteer (`data/first_names.txt`, `data/last_names.txt`: US SSA first names
and US Census 2010 surnames, multi-origin; see their headers). English words are the loaded spaCy
pipeline's lemmatizer tables, stop words and `data/slang.txt`. The Census lists many everyday words as
surnames ("Good", "Pretty", "Day"): an English word is a name only when a dictionary also writes it as a
proper noun (`data/name_words.txt`: "Rose", "Mark", "Green"; `data/proper_nouns.txt`: "Sanchez",
"Einstein", the lemma tables hold some famous surnames). Nothing is built from another package at run
time.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language

from listening.privacy.vocabulary import wordlist

#: Inflections stripped to find an everyday word's lemma ("potholes", "plowed"); not "-er"/"-ers", which
#: turned surnames into words ("Harper" -> "harp", "Villiers" -> "villi").
_SUFFIXES = (
    ("'s", ""), ("s", ""), ("es", ""), ("ies", "y"), ("ed", ""), ("ed", "e"), ("ied", "y"), ("ing", ""),
    ("ing", "e"), ("ly", ""), ("n't", ""),
)  # fmt: skip
_VOWEL = re.compile(r"[aeiouyàáâãäåæèéêëìíîïòóôõöøùúûüý]")
_CONSONANT = re.compile(r"[^aeiouyàáâãäåæèéêëìíîïòóôõöøùúûüý']")
_REPEAT = re.compile(r"(.)\1\1+")
_APOSTROPHES = str.maketrans("", "", "'’`-")
_CACHE = 100_000  # words remembered per question
_CLITICS = frozenset({"ll", "re", "ve", "d", "s", "m", "t"})


def slang() -> frozenset[str]:
    """Social-media slang and spellings outside the English lexicon ("lol", "gonna", "rt")."""
    return wordlist("slang")


@dataclass(frozen=True, eq=False)  # identity hash: the memoised questions below key on it cheaply
class NameLexicon:
    """Lower-case first names, surnames and English words."""

    first: frozenset[str]
    last: frozenset[str]
    english: frozenset[str]

    @staticmethod
    def key(word: str) -> str:
        """The gazetteer's form of a word: lower case, no apostrophe or hyphen ("O'Connor" -> "oconnor")."""
        return word.lower().translate(_APOSTROPHES)

    def _named(self, word: str) -> bool:
        """Not an English word, or one a dictionary also writes as a proper noun."""
        low = word.lower().replace("’", "'")
        return not self.is_english(low) or low in wordlist("name_words") or low in wordlist("proper_nouns")

    @lru_cache(maxsize=_CACHE)  # noqa: B019 (lexicons live as long as the process)
    def is_everyday(self, word: str) -> bool:
        """An English word that a dictionary does not write only as a proper noun ("good", not "sanchez")."""
        return self.is_english(word) and word.lower().replace("’", "'") not in wordlist("proper_nouns")

    @lru_cache(maxsize=_CACHE)  # noqa: B019 (lexicons live as long as the process)
    def is_first(self, word: str) -> bool:
        return self.key(word) in self.first and self._named(word)

    @lru_cache(maxsize=_CACHE)  # noqa: B019 (lexicons live as long as the process)
    def is_last(self, word: str) -> bool:
        return self.key(word) in self.last and self._named(word)

    @lru_cache(maxsize=_CACHE)  # noqa: B019 (lexicons live as long as the process)
    def is_name(self, word: str) -> bool:
        key = self.key(word)
        return (key in self.first or key in self.last) and self._named(word)

    @lru_cache(maxsize=_CACHE)  # noqa: B019 (lexicons live as long as the process)
    def is_plain_name(self, word: str) -> bool:
        """A name that is not also an everyday word."""
        low = word.lower()
        return self.is_name(low) and low not in self.english and low not in STOP_WORDS and low not in slang()

    @lru_cache(maxsize=_CACHE)  # noqa: B019 (lexicons live as long as the process)
    def is_word(self, word: str) -> bool:
        """An English word as written, a stop word or slang (no inflection stripped: "Mendes" is no word)."""
        low = word.lower()
        return low in self.english or low in STOP_WORDS or low in slang()

    @lru_cache(maxsize=_CACHE)  # noqa: B019 (lexicons live as long as the process)
    def is_english(self, word: str) -> bool:
        """An everyday word, inflected or not ("potholes", "plowed"), a stop word or slang."""
        low = word.lower().replace("’", "'")
        if low in self.english or low in STOP_WORDS or low in slang():
            return True
        if _REPEAT.search(low):  # "sooo", "lateee": an elongated everyday word
            return any(self.is_english(_REPEAT.sub(r"\1" * n, low)) for n in (1, 2))
        head, apostrophe, tail = low.partition("'")
        if apostrophe and tail in _CLITICS and (head in STOP_WORDS or head in self.english):
            return True  # "I'll", "we're", "you've"
        for suffix, repl in _SUFFIXES:
            if low.endswith(suffix) and len(low) - len(suffix) >= 2:
                stem = low[: len(low) - len(suffix)] + repl
                if stem in self.english or stem in STOP_WORDS:
                    return True
        return False

    @lru_cache(maxsize=_CACHE)  # noqa: B019 (lexicons live as long as the process)
    def is_rare(self, word: str) -> bool:
        """A word of the lemma tables that no common dictionary lists ("Pennywhistle", "Sinatra"): in a run of
        capitalised words it may be a surname."""
        low = word.lower().replace("’", "'")
        return (
            low.isalpha()
            and len(low) >= 4
            and low not in wordlist("common_words")
            and low not in STOP_WORDS
            and low not in slang()
            and not any(
                low[: -len(suffix)] in wordlist("common_words")
                for suffix, _ in _SUFFIXES
                if low.endswith(suffix)
            )
        )

    @lru_cache(maxsize=_CACHE)  # noqa: B019 (lexicons live as long as the process)
    def is_unknown(self, word: str) -> bool:
        """A word that looks like a rare name: out of the English vocabulary, pronounceable, not slang."""
        low = word.lower()
        return (
            len(low) >= 3
            and low.isalpha()
            and not self.is_english(low)
            and not self.is_name(low)
            and _VOWEL.search(low) is not None
            and _CONSONANT.search(low) is not None
            and _REPEAT.search(low) is None
        )


def _english_words(nlp: Language) -> set[str]:
    words: set[str] = set()
    if "lemmatizer" in nlp.pipe_names:
        lookups = nlp.get_pipe("lemmatizer").lookups  # type: ignore[attr-defined]
        for table_name in ("lemma_index", "lemma_exc"):
            if lookups.has_table(table_name):
                for values in lookups.get_table(table_name).values():
                    items: Iterable[str] = values.keys() if isinstance(values, dict) else values
                    words.update(w.lower() for w in items if isinstance(w, str))
    return words


_lock = threading.Lock()
_lexicons: dict[int, NameLexicon] = {}


def name_lexicon(nlp: Language) -> NameLexicon:
    """The lexicon for one loaded spaCy pipeline (built once per pipeline)."""
    with _lock:
        lexicon = _lexicons.get(id(nlp))
        if lexicon is None:
            english = frozenset(_english_words(nlp))
            lexicon = NameLexicon(wordlist("first_names"), wordlist("last_names"), english)
            _lexicons[id(nlp)] = lexicon
        return lexicon
