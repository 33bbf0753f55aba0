"""Span trimming and widening: a detected name is cut to the name and grown over the rest of it.

In order: words that are no part of a name are cut from its edges (a retweet marker, lower-case words
beside a capitalised name, slang beside a lower-case name, a verb or function word at the edges of an
all-capitals or lower-case name, a handle or hashtag it started in); then it
grows over a title right before it ("President Obama", "Dr. Okafor": the title is part of how a person
is named) and, in an all-capitals or lower-case name, over a neighbouring word of the same case that is
a surname or an unknown word ("<PERSON> WYNDHAMSTOKE").
"""

from __future__ import annotations

import re

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc

from listening.privacy.person.cues import title_before
from listening.privacy.person.lexicon import NameLexicon, slang
from listening.privacy.vocabulary import wordlist

_RETWEET = re.compile(r"(?i)^(?:rt|mt|via|cc)\b[\s:]*")


def trim_marker(text: str, start: int, end: int) -> tuple[int, int]:
    """Cut a leading retweet marker ("RT Lambert" -> "Lambert"): "RT" is never a person."""
    match = _RETWEET.match(text[start:end])
    if match and match.end() < end - start:
        return start + match.end(), end
    return start, end


def trim_case(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop lower-case words at the edges of a capitalised name ("said JANE SMITH" -> "JANE SMITH")."""
    words = list(re.finditer(r"\S+", text[start:end]))
    if not words or not any(ch.isupper() for ch in text[start:end]):
        return start, end
    while len(words) > 1 and words[0].group().islower():
        words.pop(0)
    while len(words) > 1 and words[-1].group().islower():
        words.pop()
    return start + words[0].start(), start + words[-1].end()


def _token_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The whitespace-delimited token containing text[start:end]."""
    a = start
    while a > 0 and not text[a - 1].isspace():
        a -= 1
    b = end
    while b < len(text) and not text[b].isspace():
        b += 1
    return a, b


def trim_lower_edges(text: str, start: int, end: int, lexicon: NameLexicon) -> tuple[int, int]:
    """Drop slang and stop words at the edges of a lower-case name ("omg anderson" -> "anderson")."""
    words = list(re.finditer(r"\S+", text[start:end]))
    if len(words) < 2 or not text[start:end].islower():
        return start, end

    def filler(word: str) -> bool:
        return word in STOP_WORDS or word in slang()

    while len(words) > 1 and filler(words[0].group()):
        words.pop(0)
    while len(words) > 1 and filler(words[-1].group()):
        words.pop()
    return start + words[0].start(), start + words[-1].end()


#: Parts of speech that never end or open a name ("DELACROIX CANCEL", "kwame went", "THE JANE").
_NOT_NAME_POS = frozenset({"VERB", "AUX", "ADP", "DET", "PRON", "CCONJ", "SCONJ", "PART", "ADV", "NUM"})


def trim_everyday_edges(
    text: str, start: int, end: int, lexicon: NameLexicon, doc: Doc | None = None
) -> tuple[int, int]:
    """Drop a verb, article or other function word at the edges of an all-capitals or lower-case name,
    where casing cannot show where the name ends ("DELACROIX CANCEL" -> "DELACROIX", "kwame went" ->
    "kwame"); spaCy's tag on the normalised text decides, and a first name always stays."""
    words = list(re.finditer(r"\S+", text[start:end]))
    span = text[start:end]
    if doc is None or len(doc.text) != len(text) or len(words) < 2 or not (span.isupper() or span.islower()):
        return start, end
    tags = _tags(doc, text)

    def function_word(m: re.Match[str]) -> bool:
        return _not_a_name(m.group(), tags.get(start + m.start()), lexicon)

    while len(words) > 1 and function_word(words[-1]):
        words.pop()
    while len(words) > 1 and function_word(words[0]):
        words.pop(0)
    return start + words[0].start(), start + words[-1].end()


def street_words() -> frozenset[str]:
    """Street types as posts write them ("st", "ave", "drive"): `data/street_words.txt`."""
    return wordlist("street_words")


def _tags(doc: Doc | None, text: str) -> dict[int, tuple[str, str]]:
    """(part of speech, lemma) of each token by its start offset; empty without a same-length parse."""
    if doc is None or len(doc.text) != len(text):
        return {}
    return {t.idx: (t.pos_, t.lemma_.lower()) for t in doc}


def _not_a_name(word: str, tag: tuple[str, str] | None, lexicon: NameLexicon) -> bool:
    """A verb, article or other function word that is an English word (inflected too: spaCy's lemma of
    "went" is "go") and no first name ("will", "june" stay)."""
    low = word.lower()
    if tag is None or tag[0] not in _NOT_NAME_POS or low in street_words():
        return False  # "victoria drive": the street type stays for the street veto
    english = lexicon.is_english(low) or (tag[1] != low and lexicon.is_english(tag[1]))
    return english and not lexicon.is_first(low)


def trim_tag(text: str, start: int, end: int) -> tuple[int, int]:
    """Move the start of a detection that begins inside a handle or hashtag and runs on past it
    ("@PortAlderCity Repaving" -> "Repaving"): the tag is the handle recognizers' business."""
    a, b = _token_around(text, start, start)
    if b >= end or not any(ch in "@#" for ch in text[a:start]):
        return start, end
    rest = re.search(r"[^\W_]", text[b:end])
    return (b + rest.start(), end) if rest else (start, end)


def widen_title(text: str, start: int, end: int) -> tuple[int, int]:
    """Grow over a title right before the name ("President Obama", "Sgt. Pepper", "Councillor Nguyen")."""
    title = title_before(text, start)
    return (title, end) if title is not None else (start, end)


def _case_style(word: str) -> str | None:
    letters = [c for c in word if c.isalpha()]
    if len(letters) < 2 or not all(c.isalpha() for c in word):
        return None
    if all(c.isupper() for c in letters):
        return "upper"
    if all(c.islower() for c in letters):
        return "lower"
    return None


def widen_case(
    text: str, start: int, end: int, lexicon: NameLexicon, doc: Doc | None = None
) -> tuple[int, int]:
    """Grow an all-capitals or lower-case name over a neighbouring word of the same case that is itself a
    surname or an unknown word ("<PERSON> WYNDHAMSTOKE" -> the whole name)."""
    words = re.findall(r"\S+", text[start:end])
    styles = {_case_style(w) for w in words}
    if len(styles) != 1 or None in styles:
        return start, end
    style = styles.pop()

    tags = _tags(doc, text)

    def fits(word: str, partner: str, side: str, at: int) -> bool:
        low = word.lower()
        if _case_style(word) != style or low in STOP_WORDS or low in slang():
            return False
        if _not_a_name(word, tags.get(at), lexicon):
            return False  # "kwame went": a verb is no surname, whatever the census lists
        if style == "upper" and len(low) < 3:
            return False
        if lexicon.is_unknown(low) or (lexicon.key(low) in lexicon.last and not lexicon.is_word(low)):
            return True
        # A lone first name takes the surname after it, a lone surname the first name before it, even
        # when that word is also an everyday word ("JANICE PROVOST", "amber jones").
        if side == "after":
            return lexicon.is_first(partner) and lexicon.key(low) in lexicon.last
        return lexicon.is_last(partner) and lexicon.key(low) in lexicon.first

    for _ in range(2):
        if len(words) >= 4:
            break
        after = re.match(r" (\w+)(?=$|[\s.,!?;:)])", text[end:])
        if after and fits(
            after.group(1), words[-1] if len(words) == 1 else "", "after", end + after.start(1)
        ):
            end += after.end()
            words.append(after.group(1))
            continue
        before = re.search(r"(?:^|(?<=[\s(\"“]))(\w+) $", text[:start])
        if before and fits(before.group(1), words[0] if len(words) == 1 else "", "before", before.start(1)):
            start = before.start(1)
            words.insert(0, before.group(1))
            continue
        break
    return start, end


def shape(text: str, start: int, end: int, lexicon: NameLexicon, doc: Doc | None = None) -> tuple[int, int]:
    """Every trimming rule, then every widening rule, in the order this module's docstring gives (`doc`:
    spaCy's parse of the normalised text, same length, for the part-of-speech trim)."""
    start, end = trim_marker(text, start, end)
    start, end = trim_case(text, start, end)
    start, end = trim_lower_edges(text, start, end, lexicon)
    start, end = trim_everyday_edges(text, start, end, lexicon, doc)
    start, end = trim_tag(text, start, end)
    start, end = widen_title(text, start, end)
    return widen_case(text, start, end, lexicon, doc)
