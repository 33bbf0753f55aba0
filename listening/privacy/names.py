"""Person names that spaCy misses: a first/last-name gazetteer (Faker's locale lists) and truecasing.

Names come from every Faker locale's person provider (installed with the project); words that are also
English words (spaCy's lemmatizer index) or stop words only count as names next to another name.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
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

    def is_english(self, word: str) -> bool:
        """An everyday word, inflected or not ("potholes", "plowed"), a stop word or a civic topic word."""
        low = word.lower().replace("’", "'")
        if low in self.english or low in STOP_WORDS or low in TOPIC_WORDS or low in SLANG:
            return True
        for suffix, repl in _SUFFIXES:
            if low.endswith(suffix) and len(low) - len(suffix) >= 2:
                stem = low[: len(low) - len(suffix)] + repl
                if stem in self.english or stem in STOP_WORDS or stem in TOPIC_WORDS:
                    return True
        return False

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


def wordset(words: str) -> frozenset[str]:
    """A frozen set of the space-separated words of a literal list."""
    return frozenset(words.split())


#: Civic topic words the project's analysts need; never treated as a name, whatever the lexicon says.
TOPIC_WORDS = wordset(
    "bus buses pothole potholes snow plow plows library recycling permit permits water main garbage park "
    "parks playground sidewalk streetlight transit green bin rink boil crosswalk route fare detour council "
    "hall parking streetcar compost trash litter sewer drain flooding pool trail splash pad lrt subway "
    "ward mayor councillor councilor city town"
)
#: Common social-media slang and spellings out of the English lexicon (lower-case runs of them are no name).
SLANG = wordset(
    "lol lmao lmfao rofl omg omfg wtf wth smh tbh tbf idk idc imo imho irl ikr nvm btw fyi afaik ty thx tho "
    "thru pls plz ppl bc cuz coz gonna wanna gotta kinda sorta dunno lemme gimme ain yall y'all ya yeah yep "
    "yup nope nah meh ugh hmm hmmm ooh ahh aww yay woo woohoo haha hahaha hehe lolol bruh bro fam sis "
    "dude sus lit af app apps aka iphone ipad probs mornin nite"
    " lotsa fr ngl istg rn asap tmrw tmr tonite gud sry soz srsly obvs legit tho hella cray "
    "ok okay k kk omw np yw jk xoxo xo bday congrats hubby wifey selfie vibes tbt ootd fomo yolo"
)
_SUFFIXES = (
    ("'s", ""), ("s", ""), ("es", ""), ("ies", "y"), ("ed", ""), ("ed", "e"), ("ied", "y"), ("ing", ""),
    ("ing", "e"), ("ly", ""), ("er", ""), ("ers", ""), ("est", ""), ("n't", ""),
)  # fmt: skip
_VOWEL = re.compile(r"[aeiouyàáâãäåæèéêëìíîïòóôõöøùúûüý]")
_CONSONANT = re.compile(r"[^aeiouyàáâãäåæèéêëìíîïòóôõöøùúûüý']")
_REPEAT = re.compile(r"(.)\1\1")


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
    if not shouting:
        for a, b in _name_runs(text, words, values, lexicon):
            recased = _recase(text[a:b], title=True)
            if len(recased) == b - a:
                chars[a:b] = recased
    return "".join(chars)


#: Words right before a lower-case or all-capitals run that announce a person ("thanks to", "my neighbour").
NAME_CUE = re.compile(
    r"(?i)(?:\b(?:thanks?|thank\s+you|talk(?:ed|ing)?|spoke|speak(?:ing)?|shout\s*-?\s*outs?|ask(?:ed)?|"
    r"went|chat(?:ted)?|reach(?:ed)?\s+out)\s+(?:to|with|for)|\bmy\s+(?:\w+\s+)?(?:neighbou?r|friend|"
    r"husband|wife|partner|son|daughter|landlord|boss|mom|mum|dad|brother|sister|cousin|aunt|uncle)|"
    r"\bname\s*(?:is|was|'s|:)|\b(?:contact(?:ed)?|call(?:ed)?|named|met|by|cc|dear|hi|hey|mr|mrs|ms|dr)\.?)"
    r"[ \t]+$"
)
_GLUE = frozenset("@#/\\_.-+=:0123456789")
_MAX_RUN = 4  # words in a name run; a lower-case run this long is no name


def _standalone(text: str, a: int, b: int) -> bool:
    """A word on its own: not part of a handle, hashtag, address, number or URL."""
    before = text[a - 1] if a > 0 else " "
    after = text[b] if b < len(text) else " "
    return before not in _GLUE and not before.isalnum() and (after not in _GLUE or after in ".:")


def _name_runs(
    text: str, words: list[tuple[int, int]], values: list[str], lexicon: NameLexicon
) -> list[tuple[int, int]]:
    """Word spans in runs of 2+ adjacent words, all capitals or all lower case, that look like a name.

    All capitals: every word a name that is no everyday word, or an unknown word of 4+ letters
    ("CASIMIR WYNDHAMSTOKE", not "FIX THE POTHOLES NOW" or "CBC TTC"). Lower case: every word such a name
    or unknown ("ottoline brackenridge", not "lol gonna"); after a cue ("thanks to", "my neighbour") any
    name of the gazetteer counts too ("talked to mark young").
    """
    spans: list[tuple[int, int]] = []
    lower = [w for w in values if w.islower() and len(w) >= 3 and w.lower() not in STOP_WORDS]
    # Many unknown lower-case words: another language or heavy slang, where unknown says nothing.
    foreign = sum(lexicon.is_unknown(w) for w in lower) > max(2, len(lower) // 4)
    i = 0
    while i < len(words):
        style = _style(values[i])
        if style == "lower" and foreign:
            i += 1
            continue
        if style is None:
            i += 1
            continue
        a = words[i][0]
        cued = bool(NAME_CUE.search(text[max(0, a - 40) : a]))
        run: list[int] = []
        j = i
        while j < len(words) and len(run) < _MAX_RUN:
            s, e = words[j]
            if run and text[words[run[-1]][1] : s] != " ":
                break
            if _style(values[j]) != style or not _standalone(text, s, e):
                break
            if not _name_like(values[j], style, lexicon, cued and style == "lower"):
                break
            if any(values[k].lower() == values[j].lower() for k in run):
                break  # "MUAH MUAH", "bla bla": a name does not repeat a word
            run.append(j)
            j += 1
        if j < len(words) and len(run) == _MAX_RUN and style == "lower":
            run = []  # a long lower-case run is a phrase in another language, not a name
        if len(run) >= 2:
            spans.extend(words[k] for k in run)
            i = run[-1] + 1
        else:
            i += 1
    return spans


def _style(word: str) -> str | None:
    if len(word) < 2 or not word.isalpha():
        return None
    if word.isupper():
        return "upper"
    if word.islower():
        return "lower"
    return None


def _name_like(word: str, style: str, lexicon: NameLexicon, cued: bool) -> bool:
    low = word.lower()
    if low in TOPIC_WORDS or low in SLANG or low in STOP_WORDS:
        return False
    if lexicon.is_plain_name(low):
        return True
    if lexicon.is_unknown(low):
        return style == "lower" or len(low) >= 4
    return cued and lexicon.is_name(low)
