"""Person names that spaCy misses: a first/last-name gazetteer (Faker's locale lists) and truecasing.

Names come from every Faker locale's person provider (installed with the project); words that are also
English words (spaCy's lemmatizer index) or stop words only count as names next to another name.
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language

_lock = threading.Lock()
_lexicons: dict[int, NameLexicon] = {}


@dataclass(frozen=True)
class NameLexicon:
    """Lower-case first names, last names and English words."""

    first: frozenset[str]
    last: frozenset[str]
    english: frozenset[str]

    def is_name(self, word: str) -> bool:
        low = word.lower()
        return low in self.first or low in self.last

    def is_plain_name(self, word: str) -> bool:
        """A name that is not also an everyday word."""
        low = word.lower()
        return self.is_name(low) and low not in self.english and low not in STOP_WORDS


def _faker_names() -> tuple[set[str], set[str]]:
    from faker.providers import person

    first: set[str] = set()
    last: set[str] = set()
    for info in pkgutil.iter_modules(person.__path__):
        provider = getattr(importlib.import_module(f"{person.__name__}.{info.name}"), "Provider", None)
        for attr in dir(provider):
            target = (
                first if attr.startswith("first_names") else last if attr.startswith("last_names") else None
            )
            values = getattr(provider, attr, None)
            if target is None or not isinstance(values, tuple | list | dict):
                continue
            for value in values:
                for part in str(value).replace("-", " ").split():
                    if len(part) > 1 and part.isalpha():
                        target.add(part.lower())
    return first, last


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


def name_lexicon(nlp: Language) -> NameLexicon:
    """The lexicon for one loaded spaCy pipeline (built once per pipeline)."""
    with _lock:
        lexicon = _lexicons.get(id(nlp))
        if lexicon is None:
            first, last = _faker_names()
            lexicon = NameLexicon(frozenset(first), frozenset(last), frozenset(_english_words(nlp)))
            _lexicons[id(nlp)] = lexicon
        return lexicon


def case_unreliable(text: str) -> bool:
    """True when capitals carry no information: all lower case or mostly upper case."""
    letters = [c for c in text if c.isalpha() and c.lower() != c.upper()]
    if not letters:
        return False
    upper = sum(c.isupper() for c in letters)
    return upper == 0 or upper / len(letters) > 0.7


def _recase(word: str, title: bool) -> str:
    out = []
    for i, ch in enumerate(word):
        changed = ch.upper() if title and i == 0 else ch.lower()
        out.append(changed if len(changed) == 1 else ch)
    return "".join(out)


def _words(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = -1
    for i, ch in enumerate(text + " "):
        if ch.isalpha() or (ch in "'’" and start >= 0):
            if start < 0:
                start = i
        elif start >= 0:
            spans.append((start, i))
            start = -1
    return spans


def truecase_for_ner(text: str, lexicon: NameLexicon | None = None) -> str:
    """A same-length copy of `text` in which names are capitalised and shouting is lowered."""
    if lexicon is None:
        return text
    shouting = case_unreliable(text) and any(c.isupper() for c in text)
    words = _words(text)
    values = [text[a:b] for a, b in words]
    plain = [lexicon.is_plain_name(w) for w in values]
    named = [lexicon.is_name(w) and w.lower() not in STOP_WORDS for w in values]
    chars = list(text)
    for i, (a, b) in enumerate(words):
        word = values[i]
        if not (word.islower() or shouting):
            continue
        # An everyday word that is also a name ("smith", "rose") counts only beside a clear name.
        low = word.lower()
        before = i > 0 and words[i - 1][1] + 1 == a
        after = i + 1 < len(words) and b + 1 == words[i + 1][0]
        beside = (
            (before and (plain[i - 1] or (named[i - 1] and values[i - 1].lower() in lexicon.first)))
            and low in lexicon.last
        ) or (after and (plain[i + 1] or (low in lexicon.first and values[i + 1].lower() in lexicon.last)))
        title = plain[i] or (named[i] and beside)
        recased = _recase(word, title=title) if shouting or title else word
        if len(recased) == len(word):
            chars[a:b] = recased
    return "".join(chars)
