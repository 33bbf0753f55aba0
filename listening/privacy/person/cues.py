"""The post's own evidence that a word is a person's name: a cue before it, a title, a hashtag that spells a
name. Detection, the span rules and the vetoes all ask here."""

from __future__ import annotations

import itertools
import re

from listening.privacy.person.lexicon import NameLexicon
from listening.privacy.vocabulary import wordlist

#: Words right before a lower-case or all-capitals run that announce a person ("thanks to", "my neighbour").
NAME_CUE = re.compile(
    r"(?i)(?:\b(?:thanks?|thank\s+you|talk(?:ed|ing)?|spoke|speak(?:ing)?|shout\s*-?\s*outs?|ask(?:ed)?|"
    r"went|chat(?:ted)?|reach(?:ed)?\s+out)\s+(?:to|with|for)|\bmy\s+(?:\w+\s+)?(?:neighbou?r|friend|"
    r"husband|wife|partner|son|daughter|landlord|boss|mom|mum|dad|brother|sister|cousin|aunt|uncle)|"
    r"\bname\s*(?:is|was|'s|:)|\b(?:contact(?:ed)?|call(?:ed)?|named|met|by|cc|dear|hi|hey|mr|mrs|ms|dr)\.?)"
    r"[ \t]+$"
)
#: Stronger cues: the next word is a name whatever else it is ("my name is", "ask for", "Dr.").
STRONG_CUE = re.compile(
    r"(?i)(?:\bname\s*(?:is|was|'s|:|\?)?|\bcall(?:s|ed)?\s+me|\bnamed|\bcalled|\bdear|\bsigned|"
    r"\bi\s+am|\bi'm|\bask\s+for|\bspeak\s+to|\bthis\s+is|\b(?:mr|mrs|ms|mx|dr|prof|sir|dame)\.?)[ \t]*$"
)
#: Words a post puts right before the name of someone it addresses, thanks or describes: a greeting or
#: thanks ("shoutout", "thx", "RIP"), a relative or acquaintance ("my grandma", "MY GUY"), a role ("the
#: lifeguard", "paramedic"). The next word is a name when the gazetteer knows it or no dictionary does, in any
#: letter case ("shoutout li na", "my grandma baba yetunde", "MY GUY TUNDE", "paramedic Ruiz").
_KIN = (
    r"neighbou?rs?|friends?|husband|wife|partner|son|daughter|landlord|landlady|boss|mom|mum|mother|dad|"
    r"father|brother|sister|cousin|aunt|auntie|aunty|uncle|grandma|grandpa|granny|grandmother|grandfather|"
    r"nana|nan|nephew|niece|roommate|room-mate|flatmate|co-?worker|colleague|mate|buddy|pal|guy|bro|sis|"
    r"girlfriend|boyfriend|fianc[ée]e?|bestie|kid|child|teacher|doctor|coach|tenant|stepdad|stepmom"
)
_ROLES = (
    r"nurse|paramedic|firefighter|lifeguard|librarian|cashier|clerk|crossing\s+guard|bus\s+driver|"
    r"driver|inspector|trustee|volunteer|caretaker|janitor|superintendent|organi[sz]er|instructor|"
    r"neighbou?r|receptionist|dispatcher|technician|operator|ranger|attendant"
)
_VOCATIVE = (
    rf"(?i)(?:\b(?:shout\s*-?\s*outs?|s/o|thanks|thx|ty|thank\s+you|congrats|congratulations|rip|"
    rf"bless|kudos\s+to|props\s+to)|\bmy\s+(?:\w+\s+)?(?:{_KIN})|\b(?:{_ROLES})\b)(?:\s+to)?[ \t]*,?[ \t]+"
)
#: The cue right before a position (anchored at the end of the text searched).
VOCATIVE_CUE = re.compile(_VOCATIVE + "$")
#: Every cue in a text: the word after each match is the candidate name.
VOCATIVE_CUES = re.compile(_VOCATIVE)
_CAMEL = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")


def titles() -> frozenset[str]:
    """Honorifics and titles that open a name (data/titles.txt)."""
    return wordlist("titles")


def cued(text: str, start: int) -> bool:
    """A name cue right before `start` ("thanks to", "my neighbour", "Mr.", "my name is", "shoutout")."""
    before = text[max(0, start - 40) : start]
    return bool(NAME_CUE.search(before) or STRONG_CUE.search(before) or VOCATIVE_CUE.search(before))


def is_title(word: str) -> bool:
    """A title before a name: an abbreviation in any case ("dr", "Sgt."), a word only when capitalised."""
    low = word.lower().rstrip(".")
    if low not in titles():
        return False
    return word[:1].isupper() or word.endswith(".") or len(low) <= 4


def title_before(text: str, start: int) -> int | None:
    """Where a title right before `start` begins ("President Obama", "Dr. Okafor"), or None."""
    match = re.search(r"(?:^|(?<=[\s(\"'“]))([^\W\d_]+\.?)[ \t]+$", text[max(0, start - 24) : start])
    if match is None or not is_title(match.group(1)):
        return None
    return max(0, start - 24) + match.start(1)


def hashtag_name(tag: str, lexicon: NameLexicon) -> bool:
    """A hashtag body that spells a first name and a surname ("JaneDoe", "marksanchez", "Justin_Bieber")."""
    body = tag.lstrip("#")
    parts = [p for p in re.split(r"[_\W]+", body) if p]
    words = [w for p in parts for w in _CAMEL.findall(p)] if any(c.isupper() for c in body[1:]) else parts
    lows = [w.lower() for w in words]
    if len(lows) == 2:
        return _first_last(lows[0], lows[1], lexicon)
    if len(lows) == 1 and body.isalpha():
        low = lows[0]
        for cut in range(3, len(low) - 2):
            if _first_last(low[:cut], low[cut:], lexicon):
                return True
    return False


def hashtag_name_parts(tag: str, lexicon: NameLexicon) -> tuple[int, int] | None:
    """Where, inside a hashtag body written in CamelCase, two adjacent words spell a name: a first name
    and a surname, or a title and a surname ("JusticeFor|TamikaWright|", "RIP|JamalEdwards|",
    "ThankYou|DrOsei|"); offsets index the body without its `#`. None when no two words do."""
    body = tag.lstrip("#")
    if not any(c.isupper() for c in body[1:]) or body.isupper():
        return None
    parts = [(m.start(), m.end(), m.group().lower()) for m in _CAMEL.finditer(body)]
    for (a, _, first), (_, b, last) in itertools.pairwise(parts):
        if body[a:b].isupper() or (len(first) < 3 and not is_title(first)):
            continue  # "LeTigre", "LikeLeCoq": a two-letter word is an article more often than a name
        titled = is_title(first) and len(last) >= 3 and (lexicon.is_last(last) or lexicon.is_unknown(last))
        if titled or _first_last(first, last, lexicon):
            return a, b
    return None


def _first_last(first: str, last: str, lexicon: NameLexicon) -> bool:
    return (
        len(first) >= 2
        and len(last) >= 3
        and lexicon.is_first(first)
        and lexicon.is_last(last)
        and not (lexicon.is_everyday(first) and lexicon.is_everyday(last))
    )
