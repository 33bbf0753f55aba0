"""`STREET_ADDRESS`: US, Canadian and common European street forms, units, PO and military boxes.

Letter case is ignored. A street grows over the unit, city, region, postal code and country lines joined
to it by commas or line breaks (a city inside an address is part of the address); a city on its own is
left in place, because analysts need it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from spacy.lang.en.stop_words import STOP_WORDS

from listening.privacy.recognizers.base import RegexRecognizer

_STRONG_TYPES = [
    "street",
    "streets",
    "st",
    "str",
    "avenue",
    "ave",
    "av",
    "road",
    "rd",
    "boulevard",
    "blvd",
    "boul",
    "bvd",
    "drive",
    "dr",
    "lane",
    "ln",
    "court",
    "ct",
    "crescent",
    "cres",
    "cresc",
    "place",
    "pl",
    "terrace",
    "terr",
    "tce",
    "parkway",
    "pkwy",
    "highway",
    "hwy",
    "circle",
    "cir",
    "trail",
    "trl",
    "square",
    "sq",
    "crossing",
    "xing",
    "expressway",
    "expy",
    "freeway",
    "fwy",
    "pike",
    "plaza",
    "plz",
    "alley",
    "aly",
    "promenade",
    "esplanade",
    "quay",
    "turnpike",
    "causeway",
    "concession",
    "sideroad",
    "chemin",
    "ch",
    "montée",
    "rang",
    "ruelle",
    "allée",
    "quai",
    "impasse",
]
_WEAK_TYPES = [
    "way",
    "row",
    "close",
    "gate",
    "grove",
    "heights",
    "hts",
    "hill",
    "hills",
    "mews",
    "path",
    "run",
    "walk",
    "loop",
    "point",
    "pt",
    "ridge",
    "view",
    "park",
    "green",
    "common",
    "line",
    "route",
    "rte",
    "bend",
    "cove",
    "landing",
    "manor",
    "gardens",
    "gdns",
    "glen",
    "summit",
    "pass",
    "trace",
    "track",
    "vale",
    "village",
    "meadow",
    "meadows",
    "estates",
    "junction",
    "field",
    "fields",
    "harbour",
    "harbor",
    "mall",
    "mill",
    "mount",
    "orchard",
    "oval",
    "passage",
    "rise",
    "shore",
    "shores",
    "spring",
    "springs",
    "station",
    "stream",
    "valley",
    "vista",
    "wood",
    "woods",
    "creek",
    "crest",
    "brook",
    "circuit",
    "chase",
    "wynd",
    "dale",
    "downs",
    "bay",
    "bluff",
    "bridge",
    "bypass",
    "canyon",
    "cape",
    "cliffs",
    "corner",
    "course",
    "cross",
    "curve",
    "estate",
    "falls",
    "ferry",
    "flats",
    "ford",
    "forest",
    "fork",
    "forks",
    "fort",
    "garden",
    "haven",
    "hollow",
    "inlet",
    "island",
    "lodge",
    "pines",
    "plains",
    "prairie",
    "ranch",
    "rapids",
    "ridges",
    "skyway",
    "spur",
    "tunnel",
    "underpass",
    "union",
    "wells",
    "port",
]
_PREFIX_TYPES = (
    r"rue|via|viale|vicolo|calle|avenida|avda\.?|rua|travessa|largo|praça|piazza|piazzale|strada|"
    r"carrer|camino|chemin|boulevard|bd\.?|ul\.|ulica|aleja|al\.|utca|passeig|paseo|carretera|corso|"
    r"allée|impasse|quai|cours|avenue|av\.|ave\.?|rang|montée|straße|strasse|calzada|plac|náměstí"
)
_COMPOUND_SUFFIX = (
    r"straße|strasse|str\.|gasse|weg|vej|gade|gatan|vägen|väg|veien|vegen|gata|katu|tie|laan|straat|"
    r"plein|gracht|allee|platz|stræde|straede|sokak|sokağı|caddesi|utca|ulica|kuja|polku|tanav|iela|"
    r"gatve|ucica|vägen|backe|stig|brekka|braut|gränd|torget|torv|steeg|dreef|kade|singel|markt"
)
_SHORT_TYPES = r"u\.|utca|út|útja|tér|krt\.|körút|põik|tee|puiestee|g\.|pr\.|al\.|ul\."
_PARTICLES = frozenset(
    [
        "de",
        "du",
        "des",
        "la",
        "le",
        "les",
        "del",
        "della",
        "delle",
        "dei",
        "di",
        "da",
        "do",
        "dos",
        "das",
        "von",
        "van",
        "der",
        "den",
        "ten",
        "ter",
        "op",
        "of",
        "the",
        "y",
        "e",
        "et",
        "and",
        "an",
        "al",
        "el",
        "st",
        "st.",
        "saint",
        "sainte",
        "san",
        "santa",
        "sur",
    ]
)
_NON_STREET_WORDS = frozenset(
    [
        "minutes",
        "minute",
        "hours",
        "hour",
        "days",
        "day",
        "weeks",
        "week",
        "months",
        "month",
        "years",
        "year",
        "times",
        "people",
        "buses",
        "bus",
        "cars",
        "stops",
        "stop",
        "calls",
        "emails",
        "posts",
        "kids",
        "dollars",
        "bucks",
        "percent",
        "votes",
        "likes",
        "apt",
        "apartment",
        "suite",
        "ste",
        "unit",
        "room",
        "floor",
        "box",
    ]
)
_DIRECTION = r"(?:n|s|e|w|ne|nw|se|sw|north|south|east|west)\.?"
_WORD = r"(?:[^\W\d_][\w'’.-]*|\d+(?:st|nd|rd|th))"
_NUMBER = r"\d{1,6}[a-z]?(?:[-/]\d{1,6}[a-z]?)?"
_UNIT = (
    r"(?:apt|apartment|suite|ste|unit|room|rm|flat|floor|fl|bldg|building|lot|#)\.?"
    r"[ \t]*#?[ \t]*[a-z]?\d{1,5}[a-z]?"
)


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


_START = r"(?<![\w.,/:#@+-])"
_END = r"(?![\w'’-])"

# 123 Main St | 12-345 Main Street W | #305 - 12 King St | 13813 3784 Archwood Avenue
NUMBER_NAME_TYPE = re.compile(
    rf"(?i){_START}(?P<v>(?:(?:{_UNIT})[ \t]*[-–,]?[ \t]*)?(?:\d{{1,6}}[ \t]+)?{_NUMBER},?[ \t]+"
    rf"(?P<name>(?:{_WORD}[ \t]+){{0,3}}{_WORD})[ \t]+(?P<type>{_alternation(_STRONG_TYPES + _WEAK_TYPES)})"
    rf"{_END}\.?(?:[ \t]+{_DIRECTION}{_END})?)"
)
# Rue de Piétrain 371 | 63 Rue de Kairouan | ul. Miła 57 | Via Tasso 129
PREFIX_NAME = re.compile(
    rf"(?i){_START}(?P<v>(?:(?P<lead>\d{{1,6}}[a-z]?)[ \t]+)?(?:{_PREFIX_TYPES})[ \t]*"
    rf"(?P<name>(?:{_WORD}[ \t]+){{0,4}}{_WORD})(?:,?[ \t]+(?P<trail>\d{{1,5}}[a-z]?))?{_END})"
)
# Wingertweg 126 | Brucker Bundesstrasse 31 | Kálmán Imre u. 12. | Erzsébet tér 19.
NAME_NUMBER = re.compile(
    rf"(?i){_START}(?P<v>(?:\d{{1,6}}[ \t]+)?(?:{_WORD}[ \t]+){{0,2}}"
    rf"(?:[^\W\d_]+(?:{_COMPOUND_SUFFIX})"
    rf"|[^\W\d_][\w'’.-]*[ \t]+(?:{_SHORT_TYPES}|{_alternation(_STRONG_TYPES)}))"
    rf"\.?,?[ \t]+\d{{1,5}}[a-z]?{_END}\.?)"
)
# PO Box 123 | P.O. Box 12 | PSC 7589, Box 0572 | Unit 1293 Box 4311 | APO AE 20040 | USS Cole FPO AP 96667
BOX = re.compile(
    rf"(?i){_START}(?P<v>(?:(?:p\.?[ \t]?o\.?|post[ \t]+office)[ \t]*box"
    rf"|(?:psc|cmr|unit)[ \t]+\d{{1,5}},?[ \t]+box|"
    rf"(?:rr|r\.r\.|rural[ \t]+route)[ \t]*#?)[ \t]*\d{{1,6}}{_END}|"
    rf"(?:(?:usns|usnv|uss|uscgc)[ \t]+[^\W\d_][\w-]*,?\s+)?"
    rf"(?:apo|fpo|dpo)[ \t]+(?:aa|ae|ap)(?:[ \t]+\d{{5}}(?:-\d{{4}})?)?{_END})"
)
# A street name and house number with no type word, only after an address cue: "lives at Edeby 55".
CUED_NAME_NUMBER = re.compile(
    rf"(?i){_START}(?P<v>(?:\d{{1,6}}[ \t]+)?(?:{_WORD}[ \t]+){{0,2}}"
    rf"[^\W\d_][\w'’.-]*[ \t]+\d{{1,5}}[a-z]?){_END}"
)
UNIT = re.compile(
    rf"(?i){_START}(?P<v>(?:apt|apartment|suite|ste)\.?[ \t]*#?[ \t]*[a-z]?\d{{1,5}}[a-z]?){_END}"
)

_CUE = re.compile(
    r"(?i)(?:address(?:es)?|(?:live[sd]?|living|located|resides?|reside[sd]|stay(?:s|ing)?)[ \t]+(?:at|on)|"
    r"(?:moved?|deliver(?:ed)?|send(?:ing)?|ship(?:ped)?|mail(?:ed)?)[ \t]+(?:\w+[ \t]+){0,2}to|"
    r"off[ \t]+at|my[ \t]+place[ \t]+(?:at|on)|house[ \t]+(?:at|on))[ \t]*:?\s*(?:\d{1,6}[ \t]+)?$"
)
_FOLLOW_UNIT = re.compile(rf"(?i)^\s*[,\n]?\s*{_UNIT}{_END}")
_LEAD_NUMBER = re.compile(r"(?<![\w.,/:#@+-])\d{1,6}[a-z]?[ \t]+$", re.IGNORECASE)
_CUED_ANYWHERE = re.compile(rf"(?i){_START}(?=((?:[^\W\d_][\w'’.-]*[ \t]+){{1,3}}\d{{1,5}}[a-z]?){_END})")

# "the corner of Main St and 5th Avenue": an intersection locates a person as well as a house number.
INTERSECTION = re.compile(
    r"(?i)(?<![\w-])(?:the[ \t]+)?corner[ \t]+of[ \t]+"
    r"(?P<a>(?:[\w'’./-]+[ \t]+){0,4}?[\w'’./-]+)[ \t]+(?:and|&)[ \t]+"
    r"(?P<b>(?:[\w'’./-]+[ \t]+){0,4}?[\w'’/-]+\.?)(?=[ \t]*(?:[,\n;!?)]|\.(?:\s|$)|$))"
)
_STREETISH = re.compile(rf"(?i)\d|(?<![\w-])(?:{_alternation(_STRONG_TYPES + _WEAK_TYPES)})\.?(?![\w-])")


def _side_ok(side: str) -> bool:
    words = [w.lower().strip(".") for w in side.split()]
    return words[0] not in STOP_WORDS and all(w in _PARTICLES or w not in STOP_WORDS for w in words)


# ---- growing a street over the lines that complete it: unit, city, region, postal code, country ----
_SEPARATOR = re.compile(r"(?:[ \t]*(?:[,\n][ \t>]*)+|[ \t]+)")
_CODE = r"(?:\d{4,6}(?:-\d{4})?|[a-z]\d[a-z][ \t-]?\d[a-z]\d|[a-z]{1,2}\d[a-z\d]?[ \t]\d[a-z]{2})"
_SEG_UNIT = re.compile(rf"(?i)(?:{_UNIT}|(?:p\.?[ \t]?o\.?[ \t]*)?box[ \t]*\d{{1,6}}){_END}\.?")
_SEG_CODE = re.compile(rf"(?i)(?:(?P<region>[^\W\d_]{{2,3}})\.?[ \t]+)?{_CODE}(?![\w-])")
_SEG_PLACE = re.compile(
    r"(?P<words>[^\W\d_][\w'’.-]*(?:[ \t]+[^\W\d_][\w'’.-]*){0,3})"
    r"(?:[ \t]+\([^()\n]{1,30}\))?"
    rf"(?:[ \t]+(?P<code>(?:[^\W\d_]{{2,3}}\.?[ \t]+)?{_CODE}))?(?![\w-])",
    re.IGNORECASE,
)
_BOUNDARY = re.compile(r"[ \t]*(?:[,\n.;!?)]|$)")


def _place_ok(words: str, *, cased: bool) -> bool:
    tokens = words.split()
    if tokens[0].lower() in _PARTICLES:
        return False
    for word in tokens:
        low = word.lower().strip(".'’")
        if low in _PARTICLES:
            continue
        if low in STOP_WORDS or low in _NON_STREET_WORDS:
            return False
        if cased and not word[:1].isupper():
            return False
    return True


def _region_ok(region: str | None, *, cased: bool) -> bool:
    """ "ON", "CO", "nsw" are regions; in cased text a lower-case "for" or "on" is prose."""
    return region is None or region.isupper() or not cased or region.lower() not in STOP_WORDS


def extend_address(text: str, end: int) -> tuple[int, bool]:
    """Where an address that ends at `end` really ends, and whether a unit or postal code followed.

    Lines or comma-joined parts after a street are taken while each is a unit, a postal code (with its
    region), or a short capitalised place name (city, region, country) that itself closes a part.
    """
    cased = any(c.isupper() for c in text) and any(c.islower() for c in text)
    structured = False
    limit = min(len(text), end + 160)
    for _ in range(6):
        sep = _SEPARATOR.match(text, end, limit)
        if sep is None or sep.group().count("\n") > 2:
            break
        spaced = "," not in sep.group() and "\n" not in sep.group()
        at = sep.end()
        unit = _SEG_UNIT.match(text, at, limit)
        if unit is not None:
            end, structured = unit.end(), True
            continue
        code = _SEG_CODE.match(text, at, limit)
        if (
            code is not None
            and (not spaced or _BOUNDARY.match(text, code.end()))
            and _region_ok(code.group("region"), cased=cased)
        ):
            end, structured = code.end(), True
            continue
        place = _SEG_PLACE.match(text, at, limit)
        if place is None:
            break
        coded = place.group("code") is not None and not spaced
        # A postal code closes the part; a bare name must close it itself, and not after a blank line.
        if not (coded or (_BOUNDARY.match(text, place.end()) and sep.group().count("\n") < 2)):
            break
        if not _place_ok(place.group("words"), cased=cased or spaced):
            break
        if spaced and not (cased or structured or place.group("code")):
            break
        end = place.end()
        structured = structured or place.group("code") is not None
    return end, structured


def _name_ok(name: str, *, capitalised: bool) -> bool:
    words = name.split()
    if not words:
        return False
    content = [w for w in words if w.lower().rstrip(".") not in _PARTICLES]
    if not content:
        return False
    for w in content:
        bare = w.lower().strip(".'’")
        if bare in STOP_WORDS or bare in _NON_STREET_WORDS:
            return False
    if capitalised:
        return all(w[:1].isupper() or w[:1].isdigit() for w in content)
    return True


class StreetAddressRecognizer(RegexRecognizer):
    """Street addresses, their unit numbers and the postal code that closes them."""

    ENTITY = "STREET_ADDRESS"
    PATTERNS = (
        (NUMBER_NAME_TYPE, 0.7),
        (PREFIX_NAME, 0.6),
        (NAME_NUMBER, 0.6),
        (BOX, 0.7),
        (UNIT, 0.5),
    )
    CONTEXT = ("address", "live", "lives", "located", "street", "apartment", "deliver", "mail")

    def spans(self, text: str) -> Iterable[tuple[int, int, float]]:
        """Street matches grown over a leading building number and the unit/city/postal lines after."""
        for begin, end, score in self._candidates(text):
            if score < 0.55:
                yield begin, end, score
                continue
            lead = _LEAD_NUMBER.search(text, 0, begin)
            start = lead.start() if lead is not None and lead.end() == begin else begin
            yield start, extend_address(text, end)[0], score

    def _candidates(self, text: str) -> Iterable[tuple[int, int, float]]:
        yield from super().spans(text)
        for match in INTERSECTION.finditer(text):
            a, b = match.group("a"), match.group("b")
            # "the corner of the park and the library" is no address: both sides must be street names.
            if _side_ok(a) and _side_ok(b) and (_STREETISH.search(a) or _STREETISH.search(b)):
                yield match.start(), match.end(), 0.6
        # A name-number street has no type word: try every word start, not only non-overlapping ones.
        for match in _CUED_ANYWHERE.finditer(text):
            begin, stop = match.span(1)
            checked = self.check(text, begin, stop, 0.55)
            if checked is not None and checked[1] > checked[0]:
                yield checked

    def check(self, text: str, start: int, end: int, score: float) -> tuple[int, int, float] | None:
        # A leading name word can be ordinary prose ("lives at Wingertweg 126"): start after it.
        if score in (0.6, 0.55):
            # Only a run of leading everyday words is prose; "Rua do Arenque" keeps its particle.
            for word in re.finditer(r"([^\W\d_][\w'’]*)[ \t]+", text[start:end]):
                if word.start() != 0 or word.group(1).lower() not in STOP_WORDS | _NON_STREET_WORDS:
                    break
                start += word.end()
        value = text[start:end]
        if (score == 0.7 and value[:1].isdigit()) or value[:1] == "#":
            match = NUMBER_NAME_TYPE.match(text, start)
            if match and match.group("v") == value:
                kind = match.group("type").lower()
                weak = kind in _WEAK_TYPES and kind not in _STRONG_TYPES
                if not _name_ok(match.group("name"), capitalised=weak and not text.isupper()):
                    return None
                return start, end, score
        for pattern, base in ((PREFIX_NAME, 0.6), (NAME_NUMBER, 0.6), (BOX, 0.7), (UNIT, 0.5)):
            if score != base:
                continue
            match = pattern.fullmatch(value)
            if match is None:
                continue
            if pattern is NAME_NUMBER:
                words = [w for w in value.split()[:-1] if not w[:1].isdigit()]
                if not _name_ok(" ".join(words), capitalised=False):
                    return None
            if pattern is PREFIX_NAME:
                if not (match.group("lead") or match.group("trail")):
                    return None
                if not _name_ok(match.group("name"), capitalised=False):
                    return None
            return start, end, score
        if score == 0.55:
            match = CUED_NAME_NUMBER.fullmatch(value)
            if match is None:
                return None
            words = [w for w in value.split() if not w[:1].isdigit()]
            if not _name_ok(" ".join(words), capitalised=not (text.islower() or text.isupper())):
                return None
            if _CUE.search(text[max(0, start - 40) : start]) or _FOLLOW_UNIT.match(text[end:]):
                return start, end, score
            lead = _LEAD_NUMBER.search(text, 0, start)
            if (lead is not None and lead.end() == start) or extend_address(text, end)[1]:
                return start, end, score
            return None
        return start, end, score
