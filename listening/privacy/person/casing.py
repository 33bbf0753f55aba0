"""Case normalisation: a same-length copy of a post in which names are capitalised and shouting is lowered.

The NER model and the name recognizers read this copy (offsets are those of the original): a name in
lower case ("talked to ottoline brackenridge") or in a post written in capitals ("CASIMIR WYNDHAMSTOKE
SAYS") is found as if it were written properly. Only words that the gazetteer knows as names, or unknown
words in runs that look like a name, are capitalised; everyday words are lowered in shouting posts.
"""

from __future__ import annotations

from spacy.lang.en.stop_words import STOP_WORDS

from listening.privacy.person.cues import NAME_CUE
from listening.privacy.person.lexicon import NameLexicon, slang


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
    foreign = _foreign(text, words, lexicon)
    chars = list(text)
    for i, (a, b) in enumerate(words):
        word = values[i]
        if not (word.islower() or shouting) or not _standalone(text, a, b):
            continue
        if foreign and not shouting:
            continue  # another language: a word the gazetteer knows says nothing there
        # An everyday word that is also a name ("smith", "rose") counts only beside a clear name.
        low = word.lower()
        before = i > 0 and words[i - 1][1] + 1 == a
        after = i + 1 < len(words) and b + 1 == words[i + 1][0]
        beside = (before and plain[i - 1] and lexicon.is_last(low)) or (
            after and plain[i + 1] and lexicon.is_first(low)
        )
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
    foreign = _foreign(text, words, lexicon)
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


def _foreign(text: str, words: list[tuple[int, int]], lexicon: NameLexicon) -> bool:
    """Many lower-case words out of the English lexicon: another language or heavy slang (words inside a
    URL, handle or address do not count)."""
    values = [text[a:b] for a, b in words if _standalone(text, a, b)]
    lower = [w for w in values if w.islower() and len(w) >= 3 and w.lower() not in STOP_WORDS]
    return sum(not lexicon.is_english(w) for w in lower) > max(2, len(lower) // 4)


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
    if low in slang() or low in STOP_WORDS:
        return False
    if lexicon.is_plain_name(low):
        return True
    if lexicon.is_unknown(low):
        return style == "lower" or len(low) >= 4
    return cued and lexicon.is_name(low)
