"""Vetoes on `PERSON` detections: streets, places, hashtags, dates and everyday words are no person.

Analysts match topics on the redacted text and need place names, so a detection that the context marks
as a street ("Victoria Drive", "on Elm Street"), a neighbourhood ("in Eastview"), part of a hashtag
("#PortAlder"), a weekday or an everyday word ("Green bin", "Cars speeding") is dropped. A name cue
("talked to", "my neighbour", "Mr.") keeps a detection whatever else the context says, and a house
number before a street keeps it too: a numbered address is the address recognizers' job.
"""

from __future__ import annotations

import re
import unicodedata

from spacy.tokens import Doc

from listening.privacy.names import NAME_CUE, SLANG, TOPIC_WORDS, NameLexicon, case_unreliable, wordset

#: Street-type words and their abbreviations (a name ending in, or followed by, one is a street).
STREET_TYPES = wordset(
    "st street ave av avenue dr drive rd road blvd boulevard cres crescent ln lane way ct court pl "
    "place terrace terr tce pkwy parkway hwy highway cir circle sq trail trl row line sideroad "
    "concession close mews gate gardens grove expressway expy freeway fwy alley"
)
#: Words that end a place name ("Cedar Hill", "Old Harbour", "Lake View").
PLACE_NOUNS = wordset(
    "hill hills heights park harbour harbor bay view vale valley ridge point creek falls beach island "
    "village square station glen grove meadow meadows woods wood end gardens green commons landing "
    "crossing junction mills springs lake river mount mountain port town ville field fields brook"
)
#: Words that start a place name ("New York", "Port Alder", "Fort McMurray").
PLACE_PREFIXES = wordset(
    "new port fort mount mt lake north south east west upper lower old grand san santa los las saint "
    "st ste sainte glen"
)
#: Endings of compound place names ("Eastview", "Northgate", "Millbrook", "Riverside", "Westvale").
PLACE_ENDINGS = (
    "view", "gate", "brook", "haven", "vale", "town", "ville", "field", "wood", "woods", "dale", "ford",
    "side", "land", "mouth", "port", "bridge", "hill", "hills", "ridge", "crest", "park", "bay", "shore",
    "harbour", "harbor", "glen", "mead", "moor", "heath", "creek", "lake", "mount", "borough", "burgh",
)  # fmt: skip
WEEKDAYS = wordset("monday tuesday wednesday thursday friday saturday sunday")
MONTHS = wordset("january february march april may june july august september october november december")
#: Prepositions that put a lone capitalised word in a place ("in Eastview", "near Northgate").
LOCATIVE = wordset(
    "in at near around across through via into inside outside within along past towards toward"
)
#: Words before a month that make it a date ("in May", "since June", "next April").
_DATE_BEFORE = wordset("in on of since until till by last next this early late mid during from")
_CUE = re.compile(
    r"(?i)(?:\bname\s*(?:is|was|'s|:|\?)?|\bcall(?:s|ed)?\s+me|\bnamed|\bcalled|\bdear|\bsigned|"
    r"\bi\s+am|\bi'm|\bask\s+for|\bspeak\s+to|\bthis\s+is|\b(?:mr|mrs|ms|mx|dr|prof|sir|dame)\.?)[ \t]*$"
)
_WORDS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
#: A house number, then at most two capitalised words ("12 North", "4 Rue"), right before a street name.
_NUMBER_BEFORE = re.compile(r"\d[\w/-]*,?[ \t]+(?:[A-Z][^\W\d_]*\.?[ \t]+){0,2}$")
#: Compass points after a street name ("King St W", "Queen Street East").
DIRECTIONS = wordset("n s e w ne nw se sw north south east west")
_CAMEL = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")


def compact(value: str) -> str:
    """The form of a name in a hashtag or handle: "Port Alder" -> "portalder"."""
    return re.sub(r"[\W_]+", "", value).lower()


def _token_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The whitespace-delimited token containing text[start:end]."""
    a = start
    while a > 0 and not text[a - 1].isspace():
        a -= 1
    b = end
    while b < len(text) and not text[b].isspace():
        b += 1
    return a, b


def trim_tag(text: str, start: int, end: int) -> tuple[int, int]:
    """Move the start of a detection that begins inside a handle or hashtag and runs on past it
    ("@PortAlderCity Repaving" -> "Repaving"): the tag is the handle recognizers' business."""
    a, b = _token_around(text, start, start)
    if b >= end or not any(ch in "@#" for ch in text[a:start]):
        return start, end
    rest = re.search(r"[^\W_]", text[b:end])
    return (b + rest.start(), end) if rest else (start, end)


def cued(text: str, start: int) -> bool:
    """A name cue right before `start` ("thanks to", "my neighbour", "Mr.", "my name is")."""
    before = text[max(0, start - 40) : start]
    return bool(NAME_CUE.search(before) or _CUE.search(before))


def in_hashtag(text: str, start: int, end: int, lexicon: NameLexicon) -> bool:
    """Inside a hashtag whose words are not a first and last name ("#PortAlder", not "#JaneDoe")."""
    a, b = _token_around(text, start, end)
    token = text[a:b]
    hash_at = token.find("#")
    if hash_at < 0 or a + hash_at >= start:
        return False
    words = _CAMEL.findall(token[hash_at + 1 :])
    lows = [w.lower() for w in words]
    person = (
        len(lows) == 2
        and lows[0] in lexicon.first
        and lows[1] in lexicon.last
        and not (lexicon.is_english(lows[0]) and lexicon.is_english(lows[1]))
    )
    return not person


def _next_word(text: str, end: int) -> re.Match[str] | None:
    return re.match(r"[ \t]+([^\W\d_]+)\.?", text[end:])


def _previous_word(text: str, start: int) -> re.Match[str] | None:
    return re.search(r"([^\W\d_]+)[ \t]+$", text[max(0, start - 40) : start])


def is_street(text: str, start: int, end: int, words: list[str]) -> bool:
    """A street named without a house number: "Victoria Drive", "(on) Elm Street", "Albert St"."""
    while len(words) > 1 and words[-1].lower() in DIRECTIONS:
        words = words[:-1]
    last = words[-1].lower()
    after = _next_word(text, end)
    typed = last in STREET_TYPES and len(words) >= 2
    if not typed and after is not None:
        # "Elm" + " Street": the next word is a capitalised street type, not a lower-case verb.
        following = after.group(1)
        typed = following.lower() in STREET_TYPES and following[:1].isupper()
    if not typed:
        return False
    return _NUMBER_BEFORE.search(text[max(0, start - 24) : start]) is None


def not_a_person(text: str, start: int, end: int, doc: Doc | None, lexicon: NameLexicon) -> bool:
    """True when context shows the `PERSON` detection text[start:end] is a place, a date or a word."""
    inner = re.search(r"\w(?:.*\w)?", text[start:end], re.DOTALL)
    if inner is None:
        return False
    start, end = start + inner.start(), start + inner.end()  # "🙂 Plows" -> "Plows"
    span = text[start:end]
    words = _WORDS.findall(span)
    if not words:
        return False
    lows = [w.lower() for w in words]
    if _slang(text, end, span, lows, lexicon) or in_hashtag(text, start, end, lexicon):
        return True
    if _street_name(text, start, end, words, lexicon):
        return True
    if cued(text, start):
        return False
    if len(words) > 1:
        return _placed(text, start, end, lows, lexicon)
    return (
        _date(text, start, end, lows[0])
        or _placed(text, start, end, lows, lexicon)
        or _word(text, start, end, doc, lexicon)
    )


def _slang(text: str, end: int, span: str, lows: list[str], lexicon: NameLexicon) -> bool:
    """A split word ("gon|na": a tokenizer artefact) or a lower-case run of everyday words and slang."""
    if end < len(text) and text[end].isalpha() and (span.islower() or any(w in SLANG for w in lows)):
        return True
    return (
        span.islower()
        and all(lexicon.is_english(w) or w in SLANG for w in lows)
        and not all(lexicon.is_name(w) for w in lows)
    )


def _street_name(text: str, start: int, end: int, words: list[str], lexicon: NameLexicon) -> bool:
    """A street without a house number, also one running into the next sentence ("King St W. Really");
    not a first + last name after a cue ("ask for richard lane")."""
    lows = [w.lower() for w in words]
    if is_street(text, start, end, words):
        return not (cued(text, start) and _full_name(lows, lexicon))
    span = text[start:end]
    head = re.match(r"(.*?[^\W\d_])\.[ \t]+\S", span)
    if head is None:
        return False
    return is_street(text, start, start + head.end(1), _WORDS.findall(head.group(1)))


def _date(text: str, start: int, end: int, low: str) -> bool:
    """A weekday, or a month used as a date ("in May", "June 4")."""
    if low in WEEKDAYS:
        return True
    before = _previous_word(text, start)
    prev = before.group(1).lower() if before is not None else ""
    return low in MONTHS and (prev in _DATE_BEFORE or re.match(r"[ \t]+\d", text[end:]) is not None)


def _placed(text: str, start: int, end: int, lows: list[str], lexicon: NameLexicon) -> bool:
    """A place by its context: part of a longer place name, after a locative preposition, or a compound
    place word ("Cedar Hill", "NEW YORK", "in Eastview", "from Northgate")."""
    single = len(lows) == 1
    low = lows[0]
    before = _previous_word(text, start)
    prev = before.group(1) if before is not None else ""
    word = text[start:end]
    adjacent = text[start - len(prev) - 1 : start - 1] == prev and prev.isupper() == word.isupper()
    # Part of a longer place name: "Cedar Hill" (only "Hill" found), "NEW YORK" (only "YORK").
    if single and adjacent and prev[:1].isupper() and (prev.lower() in PLACE_PREFIXES or low in PLACE_NOUNS):
        return True
    possessive = text[end : end + 2] in ("'s", "’s")
    if prev.lower() in LOCATIVE and not possessive and not (single and _addressed(prev, low, lexicon)):
        named = any(lexicon.is_plain_name(w) and w in lexicon.first for w in lows)
        if single or not named:
            return True
    return single and _place_compound(low, lexicon)


def _word(text: str, start: int, end: int, doc: Doc | None, lexicon: NameLexicon) -> bool:
    """An everyday or civic word ("Cars speeding", "Snow clearing", "fares", "Green bin missed")."""
    word = text[start:end]
    low = word.lower()
    after = _next_word(text, end)
    listed = after is not None and after.group(1).lower() in ("and", "or")  # "Park and Mann were ..."
    if low in TOPIC_WORDS and not (lexicon.is_name(low) and listed):
        return True
    if not _everyday(low, lexicon):
        return False
    if word.islower() and not case_unreliable(text):
        return True  # a lower-case everyday word in properly cased text ("Transit fares change")
    initial = _sentence_initial(text, start)
    if not lexicon.is_name(low) and (initial or not _proper(doc, text, start)):
        return True  # "Cars speeding", "Paramedics arrived", "Playground on ..."
    return initial and _attributive(text, end, doc)  # "Green bin missed ...": a word before a noun


def _place_compound(low: str, lexicon: NameLexicon) -> bool:
    """An everyday word run into a place ending ("east|view", "river|side"), and no known name."""
    if lexicon.is_name(low):
        return False
    for ending in PLACE_ENDINGS:
        head = low[: -len(ending)]
        if low.endswith(ending) and len(head) >= 3 and head in lexicon.english and head not in SLANG:
            return True
    return False


def _full_name(lows: list[str], lexicon: NameLexicon) -> bool:
    """First names then a surname that is a full word ("richard lane", not "albert st")."""
    return (
        len(lows) >= 2
        and len(lows[-1]) >= 4
        and lows[-1] in lexicon.last
        and all(w in lexicon.first for w in lows[:-1])
    )


def _addressed(prev: str, low: str, lexicon: NameLexicon) -> bool:
    """A first name after "at" ("shouted at Gary") or any plain name: a person, not a place."""
    return lexicon.is_plain_name(low) or (prev.lower() == "at" and low in lexicon.first)


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
    """An English word, also with a prefix ("repaving", "unplowed", "preapproved")."""
    if lexicon.is_english(low):
        return True
    prefix = next((p for p in ("re", "un", "pre", "over", "under") if low.startswith(p)), "")
    return bool(prefix) and len(low) - len(prefix) >= 5 and lexicon.is_english(low[len(prefix) :])


def _attributive(text: str, end: int, doc: Doc | None) -> bool:
    """A lower-case noun right after the word ("Green bin"; the small model tags "bin" there PROPN)."""
    after = _next_word(text, end)
    if after is None or not after.group(1).islower() or doc is None or len(doc.text) != len(text):
        return False
    at = end + after.start(1)
    token = next((t for t in doc if t.idx == at), None)
    return token is not None and token.pos_ in ("NOUN", "PROPN")
