"""Vetoes on `PERSON` detections: each is a named function that returns its reason, or None; they run in
the order of `VETOES` and the first reason drops the detection.

Analysts match topics on the redacted text and need place names, dates and everyday words, so a
detection that the post itself marks as something else is dropped: a retweet marker ("RT"), slang or a
split word, a hashtag that is not a name, a street named without a house number ("Victoria Drive"), a
weekday or a month used as a date, a place ("in Eastview", "Cedar Hill"), a word of the program's own
topics ("Snow clearing"), an everyday word ("Cars speeding", "Green bin missed"), a run of words of
another language. A name cue before the detection ("talked to", "my neighbour", "Mr.") keeps it against
every veto after the street veto; a detection touching an address is not vetoed at all (the decision
path skips the vetoes for it: a street named after a person is an address).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc

from listening.privacy.person.casing import case_unreliable
from listening.privacy.person.cues import cued, hashtag_name, hashtag_name_parts
from listening.privacy.person.lexicon import NameLexicon, slang
from listening.privacy.vocabulary import wordlist

_WORDS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
#: A house number, then at most two capitalised words ("12 North", "4 Rue"), right before a street name.
_NUMBER_BEFORE = re.compile(r"\d[\w/-]*,?[ \t]+(?:[A-Z][^\W\d_]*\.?[ \t]+){0,2}$")
_RETWEET_MARKERS = frozenset({"rt", "mt", "via", "cc", "ht", "h/t"})


def _list(name: str) -> frozenset[str]:
    return wordlist(name)


@dataclass
class Candidate:
    """One `PERSON` detection in its post, with what the vetoes ask about it."""

    text: str
    start: int
    end: int
    lexicon: NameLexicon
    doc: Doc | None = None
    #: The program's topic words (its taxonomy's phrases), lower case.
    terms: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        inner = re.search(r"\w(?:.*\w)?", self.text[self.start : self.end], re.DOTALL)
        if inner is not None:  # "🙂 Plows" -> "Plows"
            self.start, self.end = self.start + inner.start(), self.start + inner.end()

    @property
    def span(self) -> str:
        return self.text[self.start : self.end]

    @cached_property
    def words(self) -> list[str]:
        return _WORDS.findall(self.span)

    @cached_property
    def lows(self) -> list[str]:
        return [w.lower() for w in self.words]

    @cached_property
    def cued(self) -> bool:
        return cued(self.text, self.start)


Veto = Callable[[Candidate], "str | None"]


def retweet_marker(c: Candidate) -> str | None:
    """ "RT", "MT", "via", "cc": a retweet or mention marker is never a person."""
    if c.lows and all(w in _RETWEET_MARKERS for w in c.lows):
        return "retweet marker"
    return None


def slang_or_split_word(c: Candidate) -> str | None:
    """A split word ("gon|na": a tokenizer artefact) or a lower-case run of everyday words and slang."""
    if not c.words:
        return None
    span, text, lexicon = c.span, c.text, c.lexicon
    if c.end < len(text) and text[c.end].isalpha() and (span.islower() or any(w in slang() for w in c.lows)):
        return "part of a longer word"
    if (
        span.islower()
        and all(lexicon.is_everyday(w) for w in c.lows)
        and not all(lexicon.is_name(w) for w in c.lows)
    ):
        return "everyday words and slang in lower case"
    return None


def hashtag_not_a_name(c: Candidate) -> str | None:
    """Inside a hashtag whose words are not a first and last name ("#PortAlder", not "#JaneDoe")."""
    a, b = _token_around(c.text, c.start, c.end)
    token = c.text[a:b]
    hash_at = token.find("#")
    if hash_at < 0 or a + hash_at >= c.start:
        return None
    tag = re.sub(r"[^\w#]+$", "", token[hash_at:])
    if hashtag_name(tag, c.lexicon):
        return None
    part = hashtag_name_parts(tag, c.lexicon)
    body = a + hash_at + 1
    if part is not None and body + part[0] <= c.start and c.end <= body + part[1]:
        return None  # the name inside "#JusticeForJaneDoe"
    return "hashtag that is not a name"


def street_without_number(c: Candidate) -> str | None:
    """A street without a house number ("Victoria Drive", "on Elm Street", also "King St W. Really"), a lone
    street type after a street's name ("oak ave") or a saint's name in a place ("rue saint-denis"); not a
    first + last name after a cue ("ask for richard lane")."""
    if not c.words:
        return None
    if is_street(c.text, c.start, c.end, c.words):
        return None if (c.cued and _full_name(c.lows, c.lexicon)) else "street named without a number"
    if len(c.lows) == 1 and c.lows[0] in _list("street_words") and _previous_word_or_number(c.text, c.start):
        return "street type after a street name"  # "5th ave", "oak ave", "Portage AVE"
    if re.search(r"(?i)\b(?:saint|sainte|st|ste)-$", c.text[max(0, c.start - 8) : c.start]):
        return "part of a saint's place name"  # "rue saint-denis", "Ste-Foy"
    head = re.match(r"(.*?[^\W\d_])\.[ \t]+\S", c.span)
    if head is not None and is_street(c.text, c.start, c.start + head.end(1), _WORDS.findall(head.group(1))):
        return "street named without a number"
    return None


def date_word(c: Candidate) -> str | None:
    """A weekday or a month on its own ("Monday", "in May", "January sales"): a date, unless a cue or a
    surname right after makes it a name ("June Carter", "my friend April")."""
    if c.cued or len(c.lows) != 1 or _titled_name(c):
        return None
    if c.lows[0] in _list("weekdays"):
        return "weekday"
    if c.lows[0] in _list("months"):
        return "month"
    return None


def place_by_context(c: Candidate) -> str | None:
    """A place by its context: part of a longer place name, after a locative preposition, or a compound
    place word ("Cedar Hill", "NEW YORK", "in Eastview", "Northgate")."""
    if c.cued or not c.words:
        return None
    text, lows, lexicon = c.text, c.lows, c.lexicon
    single = len(lows) == 1
    low = lows[0]
    before = _previous_word(text, c.start)
    prev = before.group(1) if before is not None else ""
    word = c.span
    adjacent = text[c.start - len(prev) - 1 : c.start - 1] == prev and prev.isupper() == word.isupper()
    if (
        single
        and adjacent
        and prev[:1].isupper()
        and (prev.lower() in _list("place_prefixes") or low in _list("place_nouns"))
    ):
        return "part of a longer place name"
    possessive = text[c.end : c.end + 2] in ("'s", "’s")
    if (
        prev.lower() in _list("locative_prepositions")
        and not possessive
        and not (single and _addressed(prev, low, lexicon))
    ):
        named = any(lexicon.is_plain_name(w) and lexicon.is_first(w) for w in lows)
        if single or not named:
            return "after a place preposition"
    if single and _place_compound(low, lexicon):
        return "compound place word"
    return None


def topic_word(c: Candidate) -> str | None:
    """A word of the program's own taxonomy ("Snow clearing", "Transit"), unless listed with names."""
    if c.cued or len(c.lows) != 1 or c.lows[0] not in c.terms:
        return None
    after = _next_word(c.text, c.end)
    listed = after is not None and after.group(1).lower() in ("and", "or")  # "Park and Mann were ..."
    if c.lexicon.is_name(c.lows[0]) and listed:
        return None
    return "topic word of the program"


def everyday_word(c: Candidate) -> str | None:
    """An everyday word, not a name by its context ("Cars speeding", "fares", "Green bin missed")."""
    if c.cued or len(c.lows) != 1:
        return None
    text, lexicon = c.text, c.lexicon
    word = c.span
    low = word.lower()
    if not _everyday(low, lexicon):
        return None
    if word.islower() and not case_unreliable(text):
        return "lower-case everyday word in properly cased text"
    initial = _sentence_initial(text, c.start)
    if not lexicon.is_name(low) and (initial or not _proper(c.doc, text, c.start)):
        return "everyday word that is no name"
    if initial and _attributive(text, c.end, c.doc):
        return "everyday word before a noun at a sentence start"
    return None


def other_language(c: Candidate) -> str | None:
    """A lower-case run in a post written mostly in words the English lexicon and the gazetteer do not know
    (another language): casing and the model say nothing there ("volevo una spalla")."""
    if c.cued or not c.span.islower():
        return None
    lexicon = c.lexicon
    words = [w.lower() for w in _WORDS.findall(c.text) if len(w) >= 2]
    if len(words) < 4:
        return None
    foreign = sum(not lexicon.is_english(w) for w in words)
    if foreign / len(words) < 0.4:
        return None
    if len(c.lows) >= 2 and all(lexicon.is_name(w) and not lexicon.is_everyday(w) for w in c.lows):
        return None  # "justin bieber" in a post in German
    return "lower-case words of another language"


#: The vetoes, in the order they run; the first reason wins.
VETOES: tuple[Veto, ...] = (
    retweet_marker,
    slang_or_split_word,
    hashtag_not_a_name,
    street_without_number,
    date_word,
    place_by_context,
    topic_word,
    everyday_word,
    other_language,
)


def veto(candidate: Candidate) -> str | None:
    """The reason of the first veto that applies, or None (the detection stands)."""
    for rule in VETOES:
        reason = rule(candidate)
        if reason is not None:
            return reason
    return None


# ---- helpers -------------------------------------------------------------------------------------


def compact(value: str) -> str:
    """The form of a name in a hashtag or handle: "Port Alder" -> "portalder"."""
    return re.sub(r"[\W_]+", "", value).lower()


def _token_around(text: str, start: int, end: int) -> tuple[int, int]:
    a = start
    while a > 0 and not text[a - 1].isspace():
        a -= 1
    b = end
    while b < len(text) and not text[b].isspace():
        b += 1
    return a, b


def _next_word(text: str, end: int) -> re.Match[str] | None:
    return re.match(r"[ \t]+([^\W\d_]+)\.?", text[end:])


def _previous_word_or_number(text: str, start: int) -> bool:
    """A word or an ordinal right before `start` on the same line ("oak ave", "5th ave")."""
    return re.search(r"\w[ \t]+$", text[max(0, start - 40) : start]) is not None


def _previous_word(text: str, start: int) -> re.Match[str] | None:
    return re.search(r"([^\W\d_]+)[ \t]+$", text[max(0, start - 40) : start])


def is_street(text: str, start: int, end: int, words: list[str]) -> bool:
    """A street named without a house number: "Victoria Drive", "(on) Elm Street", "Albert St"."""
    streets, directions = _list("street_words"), _list("compass_points")
    while len(words) > 1 and words[-1].lower() in directions:
        words = words[:-1]
    last = words[-1].lower()
    after = _next_word(text, end)
    typed = last in streets and len(words) >= 2
    if not typed and after is not None:
        # "Elm" + " Street": the next word is a capitalised street type, not a lower-case verb.
        following = after.group(1)
        typed = following.lower() in streets and following[:1].isupper()
    if not typed:
        return False
    number = _NUMBER_BEFORE.search(text[max(0, start - 24) : start])
    # "5 BLOCKS OF VICTORIA DRIVE": words like "of" between are no part of an address ("12 North Elm")
    return number is None or any(w.lower() in STOP_WORDS for w in _WORDS.findall(number.group()))


def _titled_name(c: Candidate) -> bool:
    """A weekday that is someone's name: "Sunday Okafor" (a surname follows)."""
    after = _next_word(c.text, c.end)
    return after is not None and c.lexicon.is_plain_name(after.group(1)) and after.group(1)[:1].isupper()


def _place_compound(low: str, lexicon: NameLexicon) -> bool:
    """An everyday word run into a place ending ("east|view", "river|side"), and no known name."""
    if lexicon.is_name(low):
        return False
    for ending in _list("place_endings"):
        head = low[: -len(ending)]
        if low.endswith(ending) and len(head) >= 3 and head in lexicon.english and head not in slang():
            return True
    return False


def _full_name(lows: list[str], lexicon: NameLexicon) -> bool:
    """First names then a surname that is a full word ("richard lane", not "albert st")."""
    return (
        len(lows) >= 2
        and len(lows[-1]) >= 4
        and lexicon.is_last(lows[-1])
        and all(lexicon.is_first(w) for w in lows[:-1])
    )


def _addressed(prev: str, low: str, lexicon: NameLexicon) -> bool:
    """A first name after "at" ("shouted at Gary") or any plain name: a person, not a place."""
    return lexicon.is_plain_name(low) or (prev.lower() == "at" and lexicon.is_first(low))


def _sentence_initial(text: str, start: int) -> bool:
    """At the start of a sentence, after any leading handles ("@PortAlderCity Water bill ...")."""
    before = re.sub(r"(?:^|(?<=\s))(?:[@#]\S+[ \t]+)+$", "", text[:start]).rstrip(" \t")
    return not before or before[-1] in '.!?:;"“”>(\n•*' or unicodedata.category(before[-1]) == "So"


def _proper(doc: Doc | None, text: str, start: int) -> bool:
    """spaCy tags the word at `start` a proper noun (True when there is no parse to ask)."""
    if doc is None or len(doc.text) != len(text):
        return True
    token = next((t for t in doc if t.idx == start), None)
    return token is None or token.pos_ == "PROPN"


def _everyday(low: str, lexicon: NameLexicon) -> bool:
    """An everyday English word, also with a prefix ("repaving", "unplowed", "preapproved"); not a word
    that a dictionary writes only as a proper noun ("Putin", "Lydia")."""
    if lexicon.is_everyday(low):
        return True
    prefix = next((p for p in ("re", "un", "pre", "over", "under") if low.startswith(p)), "")
    return bool(prefix) and len(low) - len(prefix) >= 5 and lexicon.is_everyday(low[len(prefix) :])


def _attributive(text: str, end: int, doc: Doc | None) -> bool:
    """A lower-case noun right after the word ("Green bin"; the small model tags "bin" there PROPN)."""
    after = _next_word(text, end)
    if after is None or not after.group(1).islower() or doc is None or len(doc.text) != len(text):
        return False
    at = end + after.start(1)
    token = next((t for t in doc if t.idx == at), None)
    return token is not None and token.pos_ in ("NOUN", "PROPN")
