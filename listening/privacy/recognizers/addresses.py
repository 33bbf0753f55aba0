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
    # written as a word after the name in many European and romanised languages
    "strasse",
    "straße",
    "gasse",
    "weg",
    "allee",
    "platz",
    "vej",
    "gade",
    "gata",
    "gatan",
    "gaten",
    "veien",
    "vegen",
    "vägen",
    "terrasse",
    "straat",
    "laan",
    "ulica",
    "ulice",
    "ulitsa",
    "prospekt",
    "sokak",
    "sokağı",
    "cadde",
    "caddesi",
    "bulvarı",
    "odos",
    "katu",
    "iela",
    "gatve",
    "rakpart",
    "rkp",
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
    r"allée|impasse|quai|cours|avenue|av\.|ave\.?|rang|montée|straße|strasse|calzada|plac|náměstí|"
    # Spanish "C/", Slavic, Balkan, Romanian, Greek, Turkish, Malay/Indonesian and Latin American forms
    r"c/|trg|ulice|ulitsa|ul|prospekt|pr-t|bulevar|bulevardi|bulevardul|calea|strada|șoseaua|soseaua|"
    r"rruga|odos|οδός|οδ\.|λεωφόρος|λεωφ\.|λ\.|jalan|jl\.|lorong|carrera|cra\.|estrada|rodovia|"
    r"alameda|vía|contrada|borgo|vicolo|lungomare|sokak|cadde"
)
_COMPOUND_SUFFIX = (
    r"straße|strasse|str\.|gasse|weg|vej|gade|gatan|vägen|väg|veien|vegen|gata|katu|tie|laan|straat|"
    r"plein|gracht|allee|platz|stræde|straede|sokak|sokağı|caddesi|utca|ulica|kuja|polku|tanav|iela|"
    r"gatve|ucica|vägen|backe|stig|brekka|braut|gränd|torget|torv|steeg|dreef|kade|singel|markt|"
    r"vei|veg|väg|allé|stræde|gasse|ring|damm|ufer|chaussee|pfad|steig|utcája|sokağı|caddesi|"
    r"ulitsa|prospekt|gaten|vegur|götu|stígur"
)
_SHORT_TYPES = (
    r"u\.|utca|út|útja|tér|krt\.|körút|rkp\.|sor|köz|sétány|põik|tee|puiestee|g\.|pr\.|al\.|ul\.|"
    r"sk\.|cd\.|cad\."
)
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
        # Slavic and Nordic place-name particles: "Ostrov nad Ohří", "Jiřího z Poděbrad", "Kamnik pri"
        "nad",
        "pod",
        "na",
        "pri",
        "u",
        "v",
        "z",
        "ze",
        "ob",
        "på",
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
        "hundred",
        "thousand",
        "million",
        "billion",
        "percent",
    ]
)
# A name-number pair with no type word is a date when the name is a month: "6 November 2000".
_MONTHS = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    ]
)
_DIRECTION = r"(?:n|s|e|w|ne|nw|se|sw|north|south|east|west)\.?"
_WORD = r"(?:[^\W\d_][\w'’.-]*|\d+(?:st|nd|rd|th))"
# A word of a street name: never a unit word, so "Rue Gafsa Apt. 981" stops before "Apt.".
_NAME_WORD = rf"(?!(?:apt|apartment|suite|ste|unit|room|rm|flat|floor|fl|bldg|box)\b){_WORD}"
_NUMBER = r"\d{1,6}[a-z]?(?:[-/]\d{1,6}[a-z]?)?"
# A house number after the street: 12, 12a, 12/3, 12-14, № 7
_HOUSE = r"(?:№[ \t]*)?\d{1,5}[a-z]?(?:[-/]\d{1,5}[a-z]?)?"
_UNIT = (
    r"(?:apt|apartment|suite|ste|unit|room|rm|flat|floor|fl|bldg|building|lot|#)\.?"
    r"[ \t]*#?[ \t]*[a-z]?\d{1,5}[a-z]?"
)


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


_START = r"(?<![\w.,/:#@+-])"
_PREFIX_WORD = re.compile(rf"(?i)(?:{_PREFIX_TYPES})")
_END = r"(?![\w'’-])"

# 123 Main St | 12-345 Main Street W | #305 - 12 King St | 13813 3784 Archwood Avenue
NUMBER_NAME_TYPE = re.compile(
    rf"(?i){_START}(?P<v>(?:(?:{_UNIT})[ \t]*[-–,]?[ \t]*)?(?:\d{{1,6}}[ \t]+)?{_NUMBER},?[ \t]+"
    rf"(?P<name>(?:{_NAME_WORD}[ \t]+){{0,3}}{_NAME_WORD})"
    rf"[ \t]+(?P<type>{_alternation(_STRONG_TYPES + _WEAK_TYPES)})"
    rf"{_END}\.?(?:[ \t]+{_DIRECTION}{_END})?)"
)
# Rue de Piétrain 371 | 63 Rue de Kairouan | ul. Miła 57 | Via Tasso 129
PREFIX_NAME = re.compile(
    rf"(?i){_START}(?P<v>(?:(?P<lead>\d{{1,6}}[a-z]?)[ \t]+)?(?:{_PREFIX_TYPES})(?:(?<=[./])[ \t]*|[ \t]+)"
    rf"(?P<name>(?:{_NAME_WORD}[ \t]+){{0,4}}{_NAME_WORD})(?:,?[ \t]+(?P<trail>{_HOUSE}))?{_END})"
)
# Wingertweg 126 | Brucker Bundesstrasse 31 | Kálmán Imre u. 12. | Erzsébet tér 19.
NAME_NUMBER = re.compile(
    rf"(?i){_START}(?P<v>(?:\d{{1,6}}[ \t]+)?(?:{_WORD}[ \t]+){{0,2}}"
    rf"(?:[^\W\d_]+(?:{_COMPOUND_SUFFIX})"
    rf"|[^\W\d_][\w'’.-]*[ \t]+(?:{_SHORT_TYPES}|{_alternation(_STRONG_TYPES)}))"
    rf"\.?,?[ \t]+{_HOUSE}{_END}\.?)"
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
# A street with an unknown type word, held by a building number before it and a unit after it:
# "2505 Heatherleigh Suite 620", "12 Rosebank Apt 4".
NUMBER_NAME_UNIT = re.compile(
    rf"(?i){_START}(?P<v>\d{{1,6}}[a-z]?[ \t]+(?P<name>(?:{_NAME_WORD}[ \t]+){{0,2}}{_NAME_WORD})"
    rf"[ \t]*,?[ \t]+(?:apt|apartment|suite|ste|unit|flat)\.?[ \t]*#?[ \t]*[a-z]?\d{{1,5}}[a-z]?){_END}"
)
UNIT = re.compile(
    rf"(?i){_START}(?P<v>(?:apt|apartment|suite|ste)\.?[ \t]*#?[ \t]*[a-z]?\d{{1,5}}[a-z]?){_END}"
)

_CUE = re.compile(
    r"(?i)(?:address(?:es)?|(?:live[sd]?|living|located|resides?|reside[sd]|stay(?:s|ing)?)[ \t]+(?:at|on)|"
    r"(?:moved?|deliver(?:ed)?|send(?:ing)?|ship(?:ped)?|mail(?:ed)?)[ \t]+(?:\w+[ \t]+){0,2}to|"
    r"off[ \t]+at|my[ \t]+place[ \t]+(?:at|on)|house[ \t]+(?:at|on))[ \t]*:?\s*(?:\d{1,6}[ \t]+)?$"
)
_TRAIL_NUMBER = re.compile(
    r"(?i)[ \t]+(?:№|no\.|nr\.?)?[ \t]*\d{1,5}[a-z]?(?:[-/]\d{1,5}[a-z]?)?\.?"
    r"(?=[ \t]*(?:[,\n;]|$)|[ \t]+(?:apt|apartment|suite|ste|unit|flat|floor|fl)\b)"
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
# Quoted or bulleted address blocks ("> Oslo", "• Oslo") keep their line markers between the parts.
_SEPARATOR = re.compile(r"(?:[ \t]*(?:[,\n][ \t>|•·*?\u2022\u25aa-]*)+|[ \t]+)")
# Postal codes of known national shapes: US ZIP(+4), DE/FR/IT/ES 5 digits, 4-digit codes, CA "K1A 0B1",
# UK "SW1A 1AA", NL "1234 AB", PL "00-950", SE "123 45", PT "1234-567", BR "12345-678", JP "123-4567".
_CODE = (
    r"(?:\d{4,6}(?:-\d{3,4})?|\d{2}-\d{3}|\d{3}[ \t]\d{2}|\d{3}-\d{4}|\d{4}[ \t]?(?-i:[A-Z]{2})"
    r"|[a-z]\d[a-z][ \t-]?\d[a-z]\d|[a-z]{1,2}\d[a-z\d]?[ \t]\d[a-z]{2})"
)
# Letter-like symbols ("∆" typed for "Δ", "№") occur inside place names: count them as letters.
_LETTER = r"(?:[^\W\d_]|[\u2100-\u214f\u2200-\u22ff])"
_PLACE_WORD = rf"{_LETTER}(?:[\w'’.-]|{_LETTER})*"
_SEG_UNIT = re.compile(rf"(?i)(?:{_UNIT}|(?:p\.?[ \t]?o\.?[ \t]*)?box[ \t]*\d{{1,6}}){_END}\.?")
_SEG_CODE = re.compile(rf"(?i)(?:(?P<region>[^\W\d_]{{2,3}})\.?[ \t]+)?{_CODE}(?![\w-])")
_SEG_PLACE = re.compile(
    rf"(?P<words>{_PLACE_WORD}(?:[ \t]+{_PLACE_WORD}){{0,4}})"
    r"(?:[ \t]+\([^()\n]{1,30}\))?"
    rf"(?:[ \t]+(?P<code>(?:[^\W\d_]{{2,3}}\.?[ \t]+)?{_CODE}))?(?![\w-])",
    re.IGNORECASE,
)
# A short region slot between a city and its postal code: "Toronto, ON, 82269", "Sfax, 13 44939".
_SEG_REGION = re.compile(
    rf"(?i)(?P<region>\w{{1,3}})\.?(?=(?:[ \t]*[,\n][ \t]*|[ \t]+)(?:{_PLACE_WORD}[ \t]+){{0,3}}(?:{_CODE})"
    r"(?:[ \t]*(?:[,\n.;!?)]|$)|[ \t]+(?-i:[a-zß-ÿ])))"
)
_BOUNDARY = re.compile(r"[ \t]*(?:[,\n.;!?)]|$)")
_SENTENCE_STOP = re.compile(r"(?<![\w.])[^\W\d_]{4,}\.$")
# In cased text a place name may run straight into prose: "Tallinn, Estonia for this card".
_CAPITAL_RUN = re.compile(rf"{_PLACE_WORD}(?:[ \t]+{_PLACE_WORD}){{0,4}}")
_PARENTHESIS = re.compile(r"[ \t]+\([^()\n]{1,30}\)")
# Particles that may open a capitalised place name: "St Georges", "La Paz", "Den Haag", "San José".
_LEADING_PARTICLES = frozenset(_PARTICLES - {"of", "and", "the", "y", "e", "et", "i", "u", "v", "z", "na"})


def _place_ok(words: str, *, cased: bool) -> bool:
    tokens = words.split()
    first = tokens[0].lower()
    leads = first in _LEADING_PARTICLES and tokens[0][:1].isupper() and len(tokens) > 1
    if first in _PARTICLES and not leads:
        return False
    for word in tokens:
        low = word.lower().strip(".'’")
        if low in _PARTICLES:
            continue
        # "ON", "CO", "IN" in capitals are regions, not prose.
        if (low in STOP_WORDS or low in _NON_STREET_WORDS) and not (
            cased and len(low) > 1 and word.isupper()
        ):
            return False
        if cased and not word[:1].isupper():
            return False
    return True


def _region_ok(region: str | None, *, cased: bool) -> bool:
    """ "ON", "CO", "nsw" are regions; in cased text a lower-case "for" or "on" is prose."""
    return region is None or region.isupper() or not cased or region.lower() not in STOP_WORDS


def _capital_run(text: str, at: int, limit: int) -> int | None:
    """End of the capitalised place words at `at` when lower-case prose follows them, else None."""
    run = _CAPITAL_RUN.match(text, at, limit)
    if run is None:
        return None
    words = []
    for word in re.finditer(r"\S+", run.group()):
        if not word.group()[:1].isupper():
            break
        words.append(at + word.end())
    if not words:
        return None
    # "Cyprus (Greek) last night": a parenthesis after the place belongs to it.
    paren = _PARENTHESIS.match(text, words[-1], limit)
    after = paren.end() if paren is not None else words[-1]
    tail = re.match(r"[ \t]+([^\W\d_]+)", text[after:limit])
    if tail is None or not tail.group(1).islower():
        return None
    # "OULU NO. I now live": drop trailing words that are prose ("I") until the rest is a place.
    if paren is not None and _place_ok(text[at : words[-1]], cased=True):
        return after
    while words and not _place_ok(text[at : words[-1]], cased=True):
        words.pop()
    return words[-1] if words else None


def _next_part(text: str, at: int, limit: int, *, spaced: bool, cased: bool) -> tuple[int, bool] | None:
    """The unit, postal code, region or place that starts at `at`: (its end, whether it is structural)."""
    unit = _SEG_UNIT.match(text, at, limit)
    if unit is not None:
        return unit.end(), True
    code = _SEG_CODE.match(text, at, limit)
    if (
        code is not None
        and (not spaced or _BOUNDARY.match(text, code.end()))
        and _region_ok(code.group("region"), cased=cased)
    ):
        return code.end(), True
    if not spaced:
        region = _SEG_REGION.match(text, at, limit)
        if region is not None and _region_ok(region.group("region"), cased=cased):
            return region.end(), False
    return None


def extend_address(text: str, end: int) -> tuple[int, bool]:
    """Where an address that ends at `end` really ends, and whether a unit or postal code followed.

    Lines or comma-joined parts after a street are taken while each is a unit, a postal code (with its
    region), or a short capitalised place name (city, region, country) that itself closes a part.
    """
    cased = any(c.isupper() for c in text) and any(c.islower() for c in text)
    structured = False
    start, limit = end, min(len(text), end + 160)
    for _ in range(7):
        sep = _SEPARATOR.match(text, end, limit)
        if sep is None or sep.group().count("\n") > 2:
            break
        spaced = "," not in sep.group() and "\n" not in sep.group()
        at = sep.end()
        part = _next_part(text, at, limit, spaced=spaced, cased=cased)
        if part is not None:
            end, structured = part[0], structured or part[1]
            continue
        place = _SEG_PLACE.match(text, at, limit)
        if place is None:
            break
        coded = place.group("code") is not None and not spaced
        # A postal code closes the part; a bare name must close it itself, and not after a blank line.
        closes = coded or (_BOUNDARY.match(text, place.end()) and sep.group().count("\n") < 2)
        if not (
            closes
            # All-lower-case text has no capitals to ask of a place name, even after a space.
            and _place_ok(place.group("words"), cased=cased or (spaced and not text.islower()))
            and (cased or structured or place.group("code") or not spaced)
        ):
            run = _capital_run(text, at, limit) if cased and (structured or not spaced) else None
            if run is not None and sep.group().count("\n") < 2:
                end = run
            break
        end = place.end()
        structured = structured or place.group("code") is not None
    # A full stop after a place name ends the sentence, not the name: "..., 10115 Berlin. Call me".
    if end > start and _SENTENCE_STOP.search(text, start, end):
        end -= 1
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
            # A house number after the street ("Trenerys gate 232", "Via Roma 12/3") when a part follows.
            trail = _TRAIL_NUMBER.match(text, end)
            yield start, extend_address(text, end if trail is None else trail.end())[0], score

    def _candidates(self, text: str) -> Iterable[tuple[int, int, float]]:
        yield from super().spans(text)
        for match in INTERSECTION.finditer(text):
            a, b = match.group("a"), match.group("b")
            # "the corner of the park and the library" is no address: both sides must be street names.
            if _side_ok(a) and _side_ok(b) and (_STREETISH.search(a) or _STREETISH.search(b)):
                yield match.start(), match.end(), 0.6
        # Without a type word the name must look like one: capitalised, unless the text is all capitals.
        for match in NUMBER_NAME_UNIT.finditer(text):
            if _name_ok(match.group("name"), capitalised=not text.isupper()):
                yield match.start("v"), match.end("v"), 0.6
        # A name-number street has no type word: try every word start, not only non-overlapping ones.
        for match in _CUED_ANYWHERE.finditer(text):
            begin, stop = match.span(1)
            checked = self.check(text, begin, stop, 0.55)
            if checked is not None and checked[1] > checked[0]:
                yield checked

    def check(self, text: str, start: int, end: int, score: float) -> tuple[int, int, float] | None:
        if score in (0.6, 0.55):
            start = _skip_prose(text, start, end)
        value = text[start:end]
        if (score == 0.7 and value[:1].isdigit()) or value[:1] == "#":
            match = NUMBER_NAME_TYPE.match(text, start)
            if match and match.group("v") == value:
                return (start, end, score) if _typed_ok(text, match) else None
        for pattern, base in ((PREFIX_NAME, 0.6), (NAME_NUMBER, 0.6), (BOX, 0.7), (UNIT, 0.5)):
            if score != base:
                continue
            match = pattern.fullmatch(value)
            if match is None:
                continue
            return (start, end, score) if _form_ok(pattern, match, value) else None
        if score == 0.55:
            return (start, end, score) if _cued_ok(text, start, end) else None
        # What is left once the prose before it is cut must still be a street form.
        return None if score == 0.6 else (start, end, score)


def _skip_prose(text: str, start: int, end: int) -> int:
    """Start of a street name after the prose before it: "enter on Sludevej 13" starts at "Sludevej".

    The name begins after the last everyday word that is not a name particle ("Rua do Arenque" keeps
    "do"), then after any leading everyday words; a street-type prefix ("Via", "Rue") is never prose.
    """
    words = list(re.finditer(r"[^\W\d_][\w'’]*", text[start:end]))
    if len(words) < 2:
        return start
    cut = 0
    for word in words[:-1]:
        low = word.group().lower()
        prose = (low in STOP_WORDS or low in _NON_STREET_WORDS) and low not in _PARTICLES
        if prose and _PREFIX_WORD.fullmatch(low) is None:
            cut = word.end()
    rest = text[start + cut : end]
    for word in re.finditer(r"([^\W\d_][\w'’]*)[ \t]+", rest):
        low = word.group(1).lower()
        if word.start() != 0 or low not in STOP_WORDS | _NON_STREET_WORDS or _PREFIX_WORD.fullmatch(low):
            break
        rest = rest[word.end() :]
        cut = end - start - len(rest)
    return start + len(text[start:end]) - len(text[start + cut : end].lstrip())


def _typed_ok(text: str, match: re.Match[str]) -> bool:
    """A number-name-type street: a weak type word ("Park", "View") needs a capitalised name."""
    kind = match.group("type").lower()
    weak = kind in _WEAK_TYPES and kind not in _STRONG_TYPES
    return _name_ok(match.group("name"), capitalised=weak and not text.isupper())


def _form_ok(pattern: re.Pattern[str], match: re.Match[str], value: str) -> bool:
    if pattern is NAME_NUMBER:
        words = [w for w in value.split()[:-1] if not w[:1].isdigit()]
        return _name_ok(" ".join(words), capitalised=False)
    if pattern is PREFIX_NAME:
        if not (match.group("lead") or match.group("trail")):
            return False
        return _name_ok(match.group("name"), capitalised=False)
    return True


def _cued_ok(text: str, start: int, end: int) -> bool:
    """A street with no type word needs an address cue, a unit, a building number or a postal line."""
    value = text[start:end]
    if CUED_NAME_NUMBER.fullmatch(value) is None:
        return False
    words = [w for w in value.split() if not w[:1].isdigit()]
    if not _name_ok(" ".join(words), capitalised=not (text.islower() or text.isupper())):
        return False
    # "6 November 2000", "the Failures of 2011": dates and years, not streets.
    if any(w.lower().strip(".") in _MONTHS for w in words) or words[-1].lower() in STOP_WORDS:
        return False
    if _CUE.search(text[max(0, start - 40) : start]) or _FOLLOW_UNIT.match(text[end:]):
        return True
    lead = _LEAD_NUMBER.search(text, 0, start)
    return (lead is not None and lead.end() == start) or extend_address(text, end)[1]
