"""`STREET_ADDRESS` from a grammar: a house number, a street name and a street type, in any letter case.

    address    := [unit ","] house street [[","] unit]... [last line]
    house      := number ["-" number | " 1/2"] [letter]         12, 12b, 12-14, 1204-55 (unit-civic), 12 1/2
    street     := [direction] name type [type] [direction]     123 n main st, 45 king st w, 9 oak park ave
                | type-first name [direction]                  123 rue saint-denis o, 5 boul. rené-lévesque
                | road-number                                  12345 hwy 7, 88 county road 12
    last line  := [","] [city] [","] region [postal code]     springfield, il 62701 / toronto on m5h 1j8
                | [","] [city] [","] postal code | "," city
    unit       := designator id | "#" id                       apt 4, ste. 200, # 3b, app 12, bureau 5

Street types are USPS Publication 28's suffixes (Appendix C1) and Canada Post's street types; unit
designators are Pub 28's (Appendix C2) and Canada Post's; regions are US states and Canadian provinces,
names and codes. All are data files read through `listening.privacy.vocabulary`. A type that is also an
everyday word ("view", "run", "lights") needs more than a number before it: a unit, a last line, a
direction, capitalised words, or an address cue ("live at", "near", "outside") before the number.

Forms from elsewhere that generalise are kept: the house number after the street (German, Nordic,
Dutch, Slavic: "Hauptstraße 5", "Storgatan 5, 114 51 Stockholm", "Via Roma 12"), a street with no type
word when a unit or postal code follows it or a strong cue precedes it ("lives at Edeby 55"), "house
Name unit" ("2505 Heatherleigh Suite 620"), intersections ("the corner of Main St and 5th Ave"),
national postal codes on a place line, quoted or bulleted address blocks, PO and rural route boxes,
military addresses and lone units. A street named without a house number ("the pothole on main st") is
not an address: analysts need it, like a city on its own.

Order: `StreetAddressRecognizer._streets` tries each form with its own check; `spans` then grows each
street over a unit or number before it and over the parts of its last line after it (`_LastLine`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from spacy.lang.en.stop_words import STOP_WORDS

from listening.privacy import vocabulary
from listening.privacy.recognizers.base import RegexRecognizer


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


# ---- vocabulary --------------------------------------------------------------------------------------

#: Single letters ("c" for centre) and words that are mostly prose are left out of the type slot.
_TYPES = frozenset(t for t in vocabulary.street_types() if len(t) > 1) - {"is", "un", "end"}
#: Street types that are hardly ever anything else; every other type needs more evidence.
STRONG_TYPES = _wordset(
    "street st str strt streets avenue ave av aven avenu avn avnue road rd boulevard blvd boul boulv "
    "drive dr drv driv lane ln court ct crt place pl terrace ter terr parkway pkwy pky highway hwy "
    "circle cir crescent cres croissant crois expressway expy freeway fwy turnpike tpke causeway cswy "
    "way wy trl xing jct hts gdns aly anx byp ctr cv crk ests ext grv hbr hl hls hvn holw knl lk lndg "
    "ldg mnr mdws msn mtn orch pkwy plz pnes prt rdg rpds rdgs shr shrs smt spgs sq sqs sta strm trce "
    "trak trfy tunl upas vly vlg vw vis wls bnd blf brg brk btm cmns cors crse crst cyn fls frst frk "
    "frks fwy gln grn gtwy isle jcts kys lgts lcks mls mt mtwy opas pts rnch rdg rte skwy spg spur "
    "trwy vlys vws xrd xrds row loop mews alley plaza sideroad concession conc"
)
_UNITS = frozenset(vocabulary.unit_designators())
#: Road words whose number is the road's, not a house's ("Hwy 7", "Route 66").
_ROADS = _wordset("highway hwy route rte expressway expy freeway fwy turnpike tpke parkway pkwy pky")
#: Designators that take no number after them (USPS Pub 28 C2 marks them so).
_BARE_UNITS = _wordset(
    "basement bsmt front frnt lobby lbby lower lowr office ofc penthouse rear side upper uppr"
)
_REGIONS = vocabulary.regions()
#: Unit words that never name a street ("front", "key", "pier" do: "Front St", "Key Blvd").
_UNIT_WORDS = _UNITS - _BARE_UNITS - {"key", "pier", "slip", "stop", "space", "lot", "hangar", "side"}
_BEFORE = vocabulary.forms("street_types_before_name")
_AFTER = vocabulary.forms("street_types_after_name")
_ENDINGS = vocabulary.forms("street_type_endings")
#: Type-first words that are also English words: the name after them must look French or be capitalised.
_AMBIGUOUS_BEFORE = _wordset(
    "place route promenade esplanade cours cour carré carrefour court quai voie calle via corso largo"
)
_DIRECTIONS = (
    "north|south|east|west|northeast|northwest|southeast|southwest|ouest|nord|sud|est|ne|nw|se|sw|n|s|e|w|o"
)
_PARTICLES = _wordset(
    "de du des la le les d' l' del della delle dei degli dello di da do dos das von van der den ten ter "
    "op of the y e et "
    "st st. ste ste. saint sainte san santa sur nad pod na pri u v z ze"
)
#: Stop words that are street names all the same ("First Avenue", "Front Street").
_NAME_STOP_WORDS = _wordset(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth front back top "
    "bottom side well hundred"
)
#: Words after a number that make it a count, a time or a measure, not a house number.
_NON_STREET = _wordset(
    "minutes minute mins min hours hour hrs hr days day weeks week months month years year yrs times time "
    "people ppl persons guys kids cars buses bus trucks stops stop calls emails posts votes likes "
    "followers dollars dollar bucks cents percent pct pm am a.m. p.m. km kms mi miles mile meters metres "
    "m ft feet foot inch inches lbs lb kg kgs degrees deg blocks block floors storey stories lanes "
    "points pts goals runs games wins losses seats tickets hundred thousand million billion k x "
    "star stars step steps way ways ish th near past opposite outside"
)
_MONTHS = _wordset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
)
#: Months and weekdays: "Saturday 30 August 2014" is a date, not a street and a place line.
_DATE_WORDS = _MONTHS | _wordset(
    "monday tuesday wednesday thursday friday saturday sunday mon tues thur thurs fri"
)
#: Street types written out in full, which may stand before a house number: "Main Street 12".
_SPELLED_TYPES = _wordset("street avenue road drive lane boulevard court place terrace crescent way")

# ---- pieces -------------------------------------------------------------------------------------------

_START = r"(?<![\w.,/:#@$£€+-])"
_END = r"(?![\w'’-])"
_WORD = r"(?:[^\W\d_][\w'’.-]*|\d{1,3}(?:st|nd|rd|th))"
_HOUSE = r"\d{1,6}(?:[a-f](?![\w'’]))?(?:[ \t]+1/2|-\d{1,6}[a-f]?)?"
_UNIT_ID = r"(?:[a-z]?\d{1,5}[a-z]?|[a-z])"
_UNIT = (
    rf"(?:(?:{_alternation(_UNITS - _BARE_UNITS)})"
    r"(?:\.?[ \t]*(?:#|no\.?)?[ \t]*(?=\d)|\.?[ \t]*(?:#|no\.?)[ \t]*|\.?[ \t]+|\.)"
    rf"{_UNIT_ID}{_END}"
    rf"|#[ \t]?{_UNIT_ID}{_END}|(?:{_alternation(_BARE_UNITS)}){_END})"
)
_TYPE = rf"(?:{_alternation(_TYPES)})"
_ROAD_NUMBER = (
    r"(?:highway|hwy|route|rte|county[ \t]+(?:road|rd|route)|state[ \t]+(?:route|road|highway|hwy)|"
    r"concession|conc|sideroad|range[ \t]+road|rge[ \t]+rd|township[ \t]+road|twp[ \t]+rd|"
    r"rr|rural[ \t]+route)\.?[ \t]+\d{1,4}[a-z]?"
)

#: [unit ,] house [direction] name type [type] [direction]
TYPED = re.compile(
    rf"(?i){_START}(?P<v>(?P<unit>(?:{_UNIT}[ \t]*[-–,]?[ \t]*|#?\d{{1,5}}[a-z]?[ \t]+[-–][ \t]+))?"
    rf"(?P<house>#\d{{1,5}}[a-z]?-\d{{1,6}}[a-f]?|{_HOUSE}),?[ \t]+"
    rf"(?:(?P<pre>{_DIRECTIONS})\.?[ \t]+)?"
    rf"(?P<name>(?:{_WORD}[ \t]+){{0,3}}?{_WORD})[ \t]+"
    rf"(?P<type>{_TYPE})\.?{_END}"
    rf"(?:[ \t]+(?P<type2>{_alternation(_TYPES - _UNITS)})\.?{_END})?"
    rf"(?:[ \t]+(?P<post>{_DIRECTIONS})\.?{_END})?)"
)
#: house road-number: "12345 hwy 7", "88 county road 12 e"
ROAD = re.compile(
    rf"(?i){_START}(?P<v>(?P<house>{_HOUSE}),?[ \t]+{_ROAD_NUMBER}{_END}"
    rf"(?:[ \t]+(?:{_DIRECTIONS})\.?{_END})?)"
)
#: [house ,] type-first: "123 rue saint-denis", "Via Roma 12", "ul. Długa 7" (the name is read in code)
BEFORE = re.compile(
    rf"(?i){_START}(?P<v>(?:(?P<house>{_HOUSE}),?[ \t]+)?(?P<type>{_alternation(_BEFORE)})"
    r"(?:(?<=[./])[ \t]*|[ \t]+))"
    r"(?=[^\W\d_])"
)
_NAME_TOKEN = re.compile(
    r"[ \t]*([\w'’.-]*[^\W\d_][\w'’.-]*|(?:№[ \t]*)?\d{1,5}[a-z]?(?:[-/]\d{1,5}[a-z]?)?)(?=[\s,;:!?)(.]|$)"
)
_DIRECTION_WORD = re.compile(rf"(?i)(?:{_DIRECTIONS})\.?")
_UNIT_PREFIX = re.compile(
    rf"(?i)(?<![\w#])(?:(?:{_alternation(_UNITS - _BARE_UNITS)})"
    rf"\.?[ \t]*(?:#|no\.?)?[ \t]*{_UNIT_ID}[ \t]*[-–,]?"
    rf"|#[ \t]?{_UNIT_ID}[ \t]*[-–,]?|#?\d{{1,5}}[a-z]?[ \t]+[-–])[ \t]*$"
)
#: name-type number: "Hauptstraße 5", "Villacher Strasse 89", "Main Street 12"
AFTER = re.compile(
    rf"(?i){_START}(?P<v>(?P<name>(?:{_WORD}[ \t]+){{0,2}}"
    rf"(?:[^\W\d_]+(?:{_alternation(_ENDINGS)})"
    rf"|[^\W\d_][\w'’.-]*[ \t]+(?:{_alternation(_AFTER | _SPELLED_TYPES)})))"
    rf"\.?,?[ \t]+(?P<trail>(?:№[ \t]*)?\d{{1,5}}[a-z]?(?:[-/]\d{{1,5}}[a-z]?)?){_END}\.?)"
)
# PO Box 123 | P.O. Box 12 | PSC 7589, Box 0572 | RR 2 | APO AE 20040 | USS Cole FPO AP 96667
BOX = re.compile(
    rf"(?i){_START}(?P<v>(?:(?:p\.?[ \t]?o\.?|post[ \t]+office)[ \t]*box"
    r"|(?:psc|cmr|unit)[ \t]+\d{1,5},?[ \t]+box"
    rf"|(?:rr|r\.r\.|rural[ \t]+route)[ \t]*#?|(?:c\.?p\.?|case[ \t]+postale)[ \t]+)[ \t]*\d{{1,6}}{_END}"
    rf"|(?:(?:usns|usnv|uss|uscgc)[ \t]+[^\W\d_][\w-]*,?\s+)?(?:apo|fpo|dpo)[ \t]+(?:aa|ae|ap)"
    rf"(?:[ \t]+\d{{5}}(?:-\d{{4}})?)?{_END})"
)
#: house Name unit, with no type word: "2505 Heatherleigh Suite 620" (capitalised names only).
NAME_UNIT = re.compile(
    rf"(?i){_START}(?P<v>(?P<house>{_HOUSE})[ \t]+(?P<name>(?:[^\W\d_][\w'’.-]*[ \t]+)?[^\W\d_][\w'’.-]*))"
    rf"(?=(?:[ \t]*,[ \t]*|[ \t]+){_UNIT})"
)
#: "the corner of Main St and 5th Ave": an intersection given as an address.
CORNER = re.compile(
    r"(?i)(?<![\w-])(?P<v>(?:the[ \t]+)?corner[ \t]+of[ \t]+"
    r"(?P<a>(?:[\w'’./-]+[ \t]+){0,4}?[\w'’./-]+)[ \t]+(?:and|&)[ \t]+"
    r"(?P<b>(?:[\w'’./-]+[ \t]+){0,4}?[\w'’/-]+\.?))(?=[ \t]*(?:[,\n;!?)]|\.(?:\s|$)|$))"
)
#: A unit on its own ("Apt. 4B", "Suite 200"): a weak signal, kept below the typed forms.
UNIT_ALONE = re.compile(
    rf"(?i){_START}(?P<v>(?:apt|apartment|suite|ste)\.?[ \t]*#?[ \t]*[a-z]?\d{{1,5}}[a-z]?){_END}"
)

_CUE = re.compile(
    r"(?i)(?:\b(?:address(?:es)?|live[sd]?|living|located|resides?|reside[sd]|stay(?:s|ing)?|moved?|"
    r"deliver(?:ed|y)?|send|sent|ship(?:ped)?|mail(?:ed)?|pick[ \t]?up|drop[ \t-]?off|found|seen|parked)\b"
    r"[^\n.!?]{0,20}|@|\b(?:at|near|outside|behind|beside|across[ \t]+from|in[ \t]+front[ \t]+of|by|on|"
    r"from|to|of|around|blocking|skipped|visit|is))[ \t:]*$"
)
#: Cues strong enough for a street with no type word: "lives at Edeby 55", "address: Kesk 53".
_STRONG_CUE = re.compile(
    r"(?i)\b(?:address(?:es)?|(?:live[sd]?|living|located|resides?|reside[sd])[ \t]+(?:at|on|in)|"
    r"(?:moved?|send|sent|ship(?:ped)?|mail(?:ed)?|deliver(?:ed)?)[ \t]+(?:\w+[ \t]+){0,2}to)\b"
    r"[^\n.!?]{0,16}[ \t:]*$"
)
#: name number with no type word ("Edeby 55", "Μεγάλη Άμμος 184"): only with a unit or postal part
#: after it, or a strong address cue before it.
UNTYPED = re.compile(
    rf"(?i){_START}(?P<v>(?P<lead>\d{{1,6}}[ \t]+)?"
    r"(?P<name>(?:[^\W\d_][\w'’.-]*[ \t]+){0,2}[^\W\d_][\w'’.-]*)"
    rf"[ \t]+(?P<trail>\d{{1,5}}[a-z]?(?:[-/]\d{{1,5}}[a-z]?)?){_END}\.?)"
)
_DIGIT = re.compile(r"\d")
_CORNER_WORD = re.compile(r"(?i)\bcorner\b")
_LEAD_NUMBER = re.compile(r"(?<![\w.,/:#@$+-])\d{1,6}[a-z]?[ \t]+$", re.IGNORECASE)
_YEAR_CUE = re.compile(r"(?i)\b(?:in|since|until|till|of|from|by|circa|year|class)[ \t]+$")

# ---- the last line: units, city, region, postal code --------------------------------------------------

_ZIP = r"\d{5}(?:-\d{4})?"
_CA_POSTAL = r"[abceghj-nprstvxy]\d[abceghj-nprstv-z][ \t-]?\d[abceghj-nprstv-z]\d"
# Postal codes of other national shapes on a place line: DE/FR/IT/ES 5 digits, 4-digit codes, UK
# "SW1A 1AA", NL "1015 CJ", PL "00-950", SE "114 51", PT "1100-048", BR "01310-100", JP "123-4567".
_CODE = (
    rf"(?:{_CA_POSTAL}|\d{{4,6}}(?:-\d{{3,4}})?|\d{{2}}-\d{{3}}|\d{{3}}[ \t]\d{{2}}"
    r"|\d{4}[ \t]?(?-i:[A-Z]{2})"
    r"|[a-z]{1,2}\d[a-z\d]?[ \t]\d[a-z]{2})"
)
# Parts are joined by commas or line breaks (one blank line at most), or by spaces.
# Quoted or bulleted blocks keep their line markers ("> ", "• ", "?" for a bullet lost to a bad encoding).
_SEP = re.compile(r"[ \t]*(?:(?:,|\n[>•·*?|-]*)[ \t]*)+|[ \t]+")
_UNIT_PART = re.compile(rf"(?i){_UNIT}\.?")
_CODE_PART = re.compile(rf"(?i){_CODE}(?![\w-])")
_REGION_PART = re.compile(rf"(?i)(?:{_alternation(_REGIONS)})\.?(?![\w'’-])")
_ENDING = re.compile(rf"(?i)[^\W\d_]{{2,}}(?:{_alternation(_ENDINGS)})$")
_PARENTHESIS = re.compile(r"[ \t]+\([^()\n]{1,30}\)")
_CAPITAL_RUN = re.compile(r"(?-i:[A-Z][\w'’-]*\.?)(?:[ \t]+(?-i:[A-Z][\w'’-]*\.?)){1,3}(?![\w'’-])")
_REGION_CODE = re.compile(rf"(?-i:[A-Z]{{2,3}})\.?[ \t]+(?:\d{{5}}(?:-\d{{4}})?|{_CA_POSTAL})(?![\w-])")
_COUNTRY_PART = re.compile(r"(?i)(?:canada|usa|u\.s\.a\.|united[ \t]+states)(?![\w'’-])")
_PLACE_WORD = re.compile(r"[^\W\d_][\w'’.-]*")
_CLOSE = re.compile(r"[ \t]*(?:[,\n.;:!?)(\"“”]|$|[^\w\s])")
_NEXT_WORD = re.compile(r"[ \t]+([^\W\d_][\w'’]*)")
#: Region codes that are also everyday words or abbreviations.
_AMBIGUOUS_REGIONS = _wordset("al as co de hi id in la ma me mo ms ne oh ok on or pa pe")
#: Words that follow an address in posts and are prose, not a place: "at 12 oak st toronto today".
_PROSE_AFTER = _wordset(
    "today tonight tomorrow tmrw yesterday now again asap pls plz please lol thanks thx morning night "
    "afternoon evening tho though"
)
_NOT_HOUSE = re.compile(
    r"(?i)\b(?:hwy|highway|route|rte|exit|bus|line|no|number|room|rm|gate|platform|flight|apt|suite|ste|"
    rf"unit|tel|ph|phone|call|text|score|won|lost|beat|{_alternation(_MONTHS)})\.?[ \t]*#?$"
)


def _closes(text: str, at: int) -> bool:
    """Punctuation, the end, or a prose word (a stop word) follows `at`: a part ends there."""
    if _CLOSE.match(text, at):
        return True
    word = _NEXT_WORD.match(text, at)
    return word is not None and (word.group(1).lower() in STOP_WORDS or word.group(1).lower() in _PROSE_AFTER)


def _cased(value: str) -> bool:
    """Mixed case: capitals carry information (all lower case or all capitals carry none)."""
    return any(c.isupper() for c in value) and any(c.islower() for c in value)


def _place_word_ok(word: str, *, cased: bool) -> bool:
    low = word.lower().strip(".'’")
    if low in _PARTICLES:
        return True
    if low in STOP_WORDS or low in _NON_STREET or low in _UNIT_WORDS or low in _DATE_WORDS:
        return False
    return not cased or word[:1].isupper()


class _LastLine:
    """Grows an address over the unit, city, region, postal code and country parts that follow it."""

    def __init__(self, text: str, *, cased: bool) -> None:
        self.text = text
        self.cased = cased

    def region_ok(self, match: re.Match[str], *, after: str) -> bool:
        """A code that is also a word ("or", "in", "me") needs capitals, or a lower-case city before it
        and prose after it ("portland or today")."""
        value = match.group().rstrip(".")
        if value.lower() not in _AMBIGUOUS_REGIONS or (value.isupper() and self.cased):
            return True
        uncased = not self.cased or (after.islower() and value.islower())
        return bool(after) and uncased and _closes(self.text, match.start() + len(value))

    def region_and_code(self, at: int, limit: int, *, after: str = "") -> int | None:
        """End of "region [postal code]" or "postal code" at `at`."""
        region = _REGION_PART.match(self.text, at, limit)
        if region is not None:
            gap = re.compile(r"[ \t]*,?[ \t]*").match(self.text, region.end(), limit)
            code = _CODE_PART.match(self.text, gap.end(), limit) if gap else None
            if code is not None:
                return code.end()
            if self.region_ok(region, after=after):
                return region.end()
        code = _CODE_PART.match(self.text, at, limit) or _REGION_CODE.match(self.text, at, limit)
        if code is None or not (code.group()[:1].isalpha() or len(code.group().replace(" ", "")) >= 4):
            return None
        # "Mei 2015", "Toronto 2019": a year is no postal code.
        return None if re.fullmatch(r"(?:19|20)\d\d", code.group()) else code.end()

    def place(self, at: int, limit: int, *, comma: bool, structured: bool) -> int | None:
        """End of "city [,] region/postal code", or of a city alone where the part closes.

        A city alone counts after a comma, in text without case, or, capitalised, after a unit
        ("Suite 4 Birmensdorf then ..."). Particles do not count towards its four words, and a short
        parenthesis after it belongs to it ("Montréal (QC)").
        """
        words = list(_PLACE_WORD.finditer(self.text, at, limit))
        end, capitals, counted, capital_end = at, True, 0, at
        for n, word in enumerate(words[:8]):
            if word.start() != end and not re.fullmatch(r"[ \t]+", self.text[end : word.start()]):
                break
            low = word.group().lower()
            if not _place_word_ok(word.group(), cased=False) or (
                n == 0 and low in _PARTICLES - _SAINTS and not word.group()[:1].isupper()
            ):
                break
            # In cased text a capitalised place ends where lower-case prose begins, unless a postal
            # code still closes the line ("ANNERSTAD nan 340 12").
            if self.cased and n and capitals and word.group().islower() and low not in _PARTICLES:
                capital_end = end
            counted += low not in _PARTICLES
            if counted > 4:
                break
            capitals = capitals and (word.group()[:1].isupper() or low in _PARTICLES)
            end = word.end()
            paren = _PARENTHESIS.match(self.text, end, limit)
            if paren is not None:
                end = paren.end()
            sep = _SEP.match(self.text, end, limit)
            if sep is not None and "\n" not in sep.group()[1:]:
                closed = self.region_and_code(sep.end(), limit, after=self.text[at:end])
                if closed is not None:
                    return closed
            particle = _NEXT_WORD.match(self.text, end)
            joined = particle is not None and particle.group(1).lower() in _PARTICLES  # "Caxias do Sul"
            if paren is not None or (n == 0 and not joined and _closes(self.text, end)):
                break
        return self._alone(at, end, capital_end, capitals=capitals, comma=comma, structured=structured)

    def _alone(
        self, at: int, end: int, capital_end: int, *, capitals: bool, comma: bool, structured: bool
    ) -> int | None:
        """End of a city that stands alone (no region or postal code after it), or None."""
        if end == at:
            return None
        alone = comma or not self.cased or (capitals and structured)
        if alone and _closes(self.text, end):
            return end
        # In cased text a capitalised place after a unit ends where lower-case prose begins.
        if capital_end > at and self.cased and structured:
            return capital_end
        prose = _NEXT_WORD.match(self.text, end)
        if self.cased and capitals and structured and prose is not None and prose.group(1).islower():
            return end
        return None

    def named_part(self, at: int, limit: int) -> int | None:
        """A capitalised complex or second street name ending in a street type: "Sunset Plaza"."""
        if not self.cased:
            return None
        run = _CAPITAL_RUN.match(self.text, at, limit)
        if run is None:
            return None
        words = run.group().split()
        last = words[-1].lower().rstrip(".")
        if len(words) < 2 or last not in _TYPES or not _name_ok(words[:-1], capitalised=True):
            return None
        return run.end()

    def extend(self, end: int) -> tuple[int, bool]:
        """Where the address that ends at `end` really ends, and whether a unit or last-line part followed."""
        text, structured = self.text, False
        limit = min(len(text), end + 120)
        for _ in range(6):
            sep = _SEP.match(text, end, limit)
            if sep is None or sep.group().count("\n") > 2:
                break
            # Across a blank line only a unit, region or postal code, or a place that ends in one.
            blank = sep.group().count("\n") == 2
            at, comma = sep.end(), "," in sep.group() or "\n" in sep.group()
            unit = _UNIT_PART.match(text, at, limit)
            country = _COUNTRY_PART.match(text, at, limit) if structured else None
            if unit is not None or country is not None:
                end, structured = (unit or country).end(), True  # type: ignore[union-attr]
                continue
            named = self.named_part(at, limit) if not comma or "\n" in sep.group() else None
            if named is not None:
                end = named
                continue
            closed = self.region_and_code(at, limit)
            coded = closed is not None
            if closed is None:
                closed = self.place(at, limit, comma=comma and not blank, structured=structured and not blank)
                coded = closed is not None and bool(
                    _REGION_PART.search(text, at, closed) or _CODE_PART.search(text, at, closed)
                )
            if closed is None or (blank and not coded):
                break
            # A bare place grows the span but is no evidence of an address.
            end, structured = closed, structured or coded
        return end, structured


def extend_address(text: str, end: int) -> tuple[int, bool]:
    """Where an address ending at `end` really ends (over its unit and last line), and whether it grew."""
    return _LastLine(text, cased=_cased(text)).extend(end)


# ---- checks ------------------------------------------------------------------------------------------


def _words(value: str) -> list[str]:
    return [w for w in re.split(r"[ \t]+", value.strip()) if w]


def _name_ok(words: list[str], *, capitalised: bool) -> bool:
    """Street-name words: no prose, counts or units; capitalised when asked."""
    content = [w for w in words if w.lower() not in _PARTICLES]
    if not content or words[0].lower() in _PARTICLES - _SAINTS or words[-1].lower() in _PARTICLES:
        return False
    for word in content:
        low = word.lower().strip(".'’")
        if (low in STOP_WORDS and low not in _NAME_STOP_WORDS) or low in _NON_STREET or low in _UNIT_WORDS:
            return False
        if capitalised and not (word[:1].isupper() or word[:1].isdigit()):
            return False
    return True


_SAINTS = frozenset({"st", "st.", "saint", "sainte", "ste", "ste.", "san", "santa"})


def _type_first_name(text: str, at: int) -> tuple[list[str] | None, int, int | None]:
    """The name after a type-first word: (its words, or None for a date; its end; a house number's end).

    It runs to prose, a unit, a comma, a direction or a house number."""
    names: list[str] = []
    end, trail, direction = at, None, False
    for _ in range(6):
        token = _NAME_TOKEN.match(text, end)
        if token is None:
            break
        word = token.group(1)
        low = word.lower().strip(".'’")
        if word[:1].isdigit() or word[:1] == "№":
            trail = token.end() if _number_ok(word, years=True) else None
            break
        if low in _DATE_WORDS:
            return None, end, None
        if (low in STOP_WORDS and low not in _PARTICLES and low not in _NAME_STOP_WORDS) or low in _UNITS:
            break
        names.append(word)
        end = token.end()
        if len(names) > 1 and _DIRECTION_WORD.fullmatch(word) and len(word.rstrip(".")) <= 5:
            direction = True
            break
        if text[end : end + 1] == ",":
            break
    while names and not direction and names[-1].lower() in _PARTICLES:
        end = text.rindex(names.pop(), at, end)
        end = len(text[:end].rstrip())
    return names, end, trail


def _street_like(side: str) -> bool:
    """One side of an intersection: a street name with a number, a street type or a compound ending."""
    words = _words(side)
    lows = [w.lower().strip(".") for w in words]
    prose = [w for w in lows if w in STOP_WORDS and w not in _PARTICLES and w not in _BEFORE]
    if not words or prose:
        return False
    typed = any(w in _TYPES or w in _AFTER or w in _BEFORE or f"{w}." in _BEFORE for w in lows)
    return typed or any(w[:1].isdigit() for w in words) or _ENDING.search(words[-1].rstrip(".")) is not None


def _number_ok(number: str, *, years: bool = False) -> bool:
    """A house number after a street: not 0, and not a year unless a street type came first."""
    digits = re.match(r"\D*(\d+)", number)
    value = digits.group(1) if digits else ""
    return value.strip("0") != "" and (years or not (len(value) == 4 and value[:2] in ("19", "20")))


def _house_ok(text: str, start: int, house: str | None) -> bool:
    """A year after "in", "since", "class of" is no house number."""
    if house is None:
        return True
    if _NOT_HOUSE.search(text, max(0, start - 12), start):
        return False
    digits = house.split("-")[0].split()[0]
    return not (len(digits) == 4 and digits[:2] in ("19", "20") and _YEAR_CUE.search(text, 0, start))


class StreetAddressRecognizer(RegexRecognizer):
    """Street addresses with their units and last lines; PO, rural and military boxes; lone units."""

    ENTITY = "STREET_ADDRESS"
    CONTEXT = ("address", "live", "lives", "located", "street", "apartment", "deliver", "mail")

    def spans(self, text: str) -> Iterable[tuple[int, int, float]]:
        """Every street form found, grown over a unit or number before it and the parts after it."""
        # Every form holds a number (a house, a box or a unit), except an intersection.
        if _DIGIT.search(text) is None and _CORNER_WORD.search(text) is None:
            return
        for begin, stop, score in self._streets(text):
            before = _UNIT_PREFIX.search(text, max(0, begin - 24), begin) or _LEAD_NUMBER.search(
                text, max(0, begin - 10), begin
            )
            start = before.start() if before is not None and before.end() == begin else begin
            yield start, _LastLine(text, cased=_cased(text[start:stop])).extend(stop)[0], score
        cased = _cased(text)
        for match in BOX.finditer(text):
            yield match.start("v"), _LastLine(text, cased=cased).extend(match.end("v"))[0], 0.7
        # A unit on its own is weak and stays as it is.
        for match in UNIT_ALONE.finditer(text):
            yield match.start("v"), match.end("v"), 0.5

    def _streets(self, text: str) -> Iterable[tuple[int, int, float]]:
        """The street forms of the grammar, in order; each pattern's matches pass its own check."""
        forms = (
            (TYPED, self._typed),
            (ROAD, self._road),
            (BEFORE, self._before),
            (AFTER, self._after),
            (UNTYPED, self._untyped),
            (NAME_UNIT, self._name_unit),
            (CORNER, self._corner),
        )
        for pattern, check in forms:
            for match in pattern.finditer(text):
                found = check(text, match)
                if found is not None:
                    yield found

    @staticmethod
    def _road(text: str, match: re.Match[str]) -> tuple[int, int, float] | None:
        """house road-number: "12345 hwy 7"."""
        if not _house_ok(text, match.start("v"), match.group("house")):
            return None
        return match.start("v"), match.end("v"), 0.7

    @staticmethod
    def _name_unit(text: str, match: re.Match[str]) -> tuple[int, int, float] | None:
        """house Name unit with no type word: the name must be capitalised (unless all is capitals)."""
        words = _words(match.group("name"))
        if not _house_ok(text, match.start("v"), match.group("house")):
            return None
        if not _name_ok(words, capitalised=not text.isupper()):
            return None
        return match.start("v"), match.end("v"), 0.6

    @staticmethod
    def _corner(text: str, match: re.Match[str]) -> tuple[int, int, float] | None:
        """An intersection: both sides must be street names."""
        if _street_like(match.group("a")) and _street_like(match.group("b")):
            return match.start("v"), match.end("v"), 0.6
        return None

    @staticmethod
    def _typed(text: str, match: re.Match[str]) -> tuple[int, int, float] | None:
        start, end = match.span("v")
        if not _house_ok(text, start, match.group("house")):
            return None
        words = _words(match.group("name"))
        if not _name_ok(words, capitalised=False):
            return None
        kind, kind2 = match.group("type"), match.group("type2") or ""
        if kind.lower() in STRONG_TYPES or kind2.lower() in STRONG_TYPES:
            return start, end, 0.7
        # A type that is also an everyday word needs more: capitalised words in mixed-case text, a
        # direction, a unit, a last line, or an address cue before the number.
        cased = _cased(text[start:end])
        evidence = (
            (cased and all(w[:1].isupper() or w[:1].isdigit() for w in [*words, kind]))
            or match.group("post") is not None
            or match.group("pre") is not None
            or match.group("unit") is not None
            or _LastLine(text, cased=cased).extend(end)[1]
            or _CUE.search(text, max(0, start - 40), start) is not None
        )
        return (start, end, 0.6) if evidence else None

    @staticmethod
    def _before(text: str, match: re.Match[str]) -> tuple[int, int, float] | None:
        """A type-first street: the name runs to prose, a unit, a comma or a house number after it."""
        start, at = match.start("v"), match.end("v")
        house = match.group("house")
        if not _house_ok(text, start, house):
            return None
        names, end, trail = _type_first_name(text, at)
        if names is None:
            return None
        if not names or (house is None and trail is None):
            return None
        first, kind = names[0], match.group("type").lower()
        cased = _cased(text[start:end])
        last = _LastLine(text, cased=cased)
        if (
            kind in _AMBIGUOUS_BEFORE
            and trail is not None
            and cased
            and not match.group("type")[:1].isupper()
        ):
            return None
        if kind in _AMBIGUOUS_BEFORE and not (
            first.lower() in _PARTICLES
            or re.match(r"(?i)[dl]['’]", first) is not None
            or "-" in first
            or (cased and first[:1].isupper())
            or last.extend(trail or end)[1]
        ):
            return None
        content = [w for w in names if w.lower() not in _PARTICLES]
        if not content or not _name_ok(content, capitalised=False):
            return None
        return start, trail or end, 0.6

    @staticmethod
    def _untyped(text: str, match: re.Match[str]) -> tuple[int, int, float] | None:
        """A street with no type word, held by a unit or postal part after it or a strong cue before it."""
        words = _words(match.group("name"))
        for i in range(len(words) - 1, -1, -1):
            low = words[i].lower().strip(".")
            if (low in STOP_WORDS or low in _NON_STREET or low in _UNITS) and low not in _PARTICLES:
                words = words[i + 1 :]
                break
        if (
            not words
            or any(w.lower().strip(".") in _DATE_WORDS for w in words)
            or not _number_ok(match.group("trail"))
        ):
            return None
        if not _name_ok(words, capitalised=_cased(text)):
            return None
        start = match.end("name") - len(" ".join(words))
        if text[start : match.end("name")] != " ".join(words):
            return None
        lead = match.group("lead") if start == match.start("name") else None
        begin = match.start("v") if lead else start
        end = match.end("v")
        if _STRONG_CUE.search(text, max(0, begin - 48), begin) is not None:
            return begin, end, 0.6
        last = _LastLine(text, cased=_cased(text[begin:end]))
        grown, _ = last.extend(end)
        held = _UNIT_PART.search(text, end, grown) or _CODE_PART.search(text, end, grown)
        return (begin, end, 0.6) if held is not None else None

    @staticmethod
    def _after(text: str, match: re.Match[str]) -> tuple[int, int, float] | None:
        """A street whose house number follows it: the name must be capitalised in mixed-case text."""
        words = _words(match.group("name"))
        # Prose before the street name is cut: "enter on Sludevej 13" -> "Sludevej 13".
        for i in range(len(words) - 2, -1, -1):
            low = words[i].lower().strip(".")
            if (low in STOP_WORDS or low in _NON_STREET) and low not in _PARTICLES:
                words = words[i + 1 :]
                break
        cased = _cased(text)
        name = [
            w for w in words if w.lower() not in _AFTER and w.lower().rstrip(".") not in _AFTER | STRONG_TYPES
        ]
        joined = _ENDING.search(words[-1]) is not None
        if not name or (len(name) == len(words) and not joined) or not _name_ok(name, capitalised=False):
            return None
        if cased and not name[0][:1].isupper():
            return None
        if any(w.lower().strip(".") in _DATE_WORDS for w in words) or not _number_ok(
            match.group("trail"), years=True
        ):
            return None
        start = (
            match.end("name") - len(" ".join(words))
            if match.group("name").endswith(" ".join(words))
            else match.start("v")
        )
        # A house number after an English street type ("Main Street 12") must close the part.
        if words[-1].lower().rstrip(".") in STRONG_TYPES and not _closes(text, match.end("v")):
            return None
        return start, match.end("v"), 0.6
