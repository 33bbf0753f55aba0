"""A generated set of social-media posts with street addresses, and posts with numbers that are not addresses.

Deterministic for a seed. The frames are hand-written posts in the styles real residents use (lower case,
all capitals, abbreviations, hashtags, handles, emoji); the addresses are built from Faker's US and
Canadian address providers and from hand-written street parts (ordinals, directionals, French street
types before the name, unit designators before or after the civic number, city/state/ZIP or
city/province/postal code lines, or none). The negatives are posts whose numbers are times, prices,
scores, bus routes, dates, counts and distances, and streets named without a house number: analysts
need all of those, so none may be redacted.

Use one seed while developing (`DEV_SEED`) and measure the final figures once on another (`FINAL_SEED`).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

DEV_SEED = 8101
FINAL_SEED = 90210

Span = tuple[int, int, str]


@dataclass
class Post:
    text: str
    gold: list[Span] = field(default_factory=list)
    keep: list[tuple[int, int]] = field(default_factory=list)


# ---- address parts ------------------------------------------------------------------------------

_TREES_AND_PLACES = (
    "oak", "maple", "elm", "cedar", "pine", "birch", "willow", "spruce", "chestnut", "walnut", "aspen",
    "lakeview", "sunnyside", "hillcrest", "riverside", "parkview", "fairview", "greenwood", "highland",
    "meadowbrook", "cherry hill", "spring garden", "forest glen", "harbour view", "bayview", "seaview",
    "windsor", "kingston", "victoria", "wellington", "dundas", "yonge", "bloor", "granville", "robson",
    "jasper", "whyte", "portage", "barrington", "spring", "market", "church", "college", "university",
    "mill", "water", "front", "bank", "king", "queen", "prince", "duke", "main", "broad", "high",
    "center", "union", "liberty", "franklin", "lincoln", "jefferson", "madison", "monroe", "jackson",
    "martin luther king jr", "cesar chavez", "st. clair", "saint clair", "mount pleasant", "mt pleasant",
    "old mill", "county line", "o'connor", "mcarthur", "macdonald", "laurier", "champlain",
)  # fmt: skip
_ORDINALS = (
    *(
        f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"
        for n in (*range(1, 40), 42, 45, 51, 64, 72, 85, 99, 101, 103, 112, 118, 124, 135, 148, 156)
    ),
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
)
_COMMON_TYPES = (
    "st", "st.", "street", "ave", "ave.", "avenue", "av", "rd", "rd.", "road", "dr", "dr.", "drive", "blvd",
    "blvd.", "boulevard", "ln", "lane", "ct", "court", "crt", "pl", "place", "way", "cir", "circle", "ter",
    "terrace", "pkwy", "parkway", "hwy", "highway", "cres", "crescent", "trl", "trail", "sq", "square",
    "loop", "row", "run", "path", "walk", "close", "gate", "grove", "heights", "hts", "line", "sideroad",
    "alley", "plaza", "pike", "xing", "crossing", "expy", "fwy", "tpke", "cove", "point", "pt", "ridge",
    "view", "bend", "trace", "landing", "commons", "common", "green", "mews", "park", "pass",
)  # fmt: skip
_PRE_DIRECTIONS = ("n", "s", "e", "w", "n.", "w.", "north", "south", "east", "west", "ne", "nw", "se", "sw")
_POST_DIRECTIONS = ("n", "s", "e", "w", "nw", "ne", "se", "sw", "west", "east", "north", "south")
_FRENCH_TYPES = (
    "rue", "boulevard", "boul.", "boul", "bd", "chemin", "ch.", "avenue", "av.", "côte", "montée", "rang",
    "place", "allée", "impasse", "croissant", "route",
)  # fmt: skip
_FRENCH_NAMES = (
    "saint-denis", "sainte-catherine", "de la montagne", "sherbrooke", "rené-lévesque", "du lac",
    "des pins", "principale", "saint-laurent", "notre-dame", "de l'église", "papineau", "des érables",
    "du moulin", "champlain", "laurier", "saint-jean", "de maisonneuve", "wellington",
)  # fmt: skip
_FRENCH_DIRECTIONS = ("o", "ouest", "est", "e", "nord", "sud")
_UNITS = (
    "apt {n}", "apt. {n}", "apartment {n}", "unit {n}", "suite {n}", "ste {n}", "ste. {n}", "#{n}", "# {n}",
    "fl {n}", "floor {n}", "rm {n}", "room {n}", "bldg {n}", "lot {n}", "trlr {n}", "spc {n}", "ph {n}",
    "app {n}", "app. {n}", "bureau {n}", "unité {n}", "bsmt", "basement", "upper", "lower", "rear",
)  # fmt: skip
_US_PLACES = (
    ("portland", "or", "oregon"), ("seattle", "wa", "washington"), ("spokane", "wa", "washington"),
    ("buffalo", "ny", "new york"), ("brooklyn", "ny", "new york"), ("austin", "tx", "texas"),
    ("el paso", "tx", "texas"), ("denver", "co", "colorado"), ("boise", "id", "idaho"),
    ("columbus", "oh", "ohio"), ("grand rapids", "mi", "michigan"), ("st. paul", "mn", "minnesota"),
    ("madison", "wi", "wisconsin"), ("burlington", "vt", "vermont"), ("tulsa", "ok", "oklahoma"),
    ("baton rouge", "la", "louisiana"), ("portland", "me", "maine"), ("honolulu", "hi", "hawaii"),
    ("fort wayne", "in", "indiana"), ("wilmington", "de", "delaware"), ("san jose", "ca", "california"),
    ("oakland", "ca", "california"), ("phoenix", "az", "arizona"), ("salt lake city", "ut", "utah"),
    ("raleigh", "nc", "north carolina"), ("pittsburgh", "pa", "pennsylvania"), ("reno", "nv", "nevada"),
)  # fmt: skip
_CA_PLACES = (
    ("toronto", "on", "ontario", "m"),
    ("ottawa", "on", "ontario", "k"),
    ("hamilton", "on", "ontario", "l"),
    ("sudbury", "on", "ontario", "p"),
    ("montréal", "qc", "québec", "h"),
    ("montreal", "qc", "quebec", "h"),
    ("gatineau", "qc", "québec", "j"),
    ("québec", "qc", "québec", "g"),
    ("vancouver", "bc", "british columbia", "v"),
    ("victoria", "bc", "british columbia", "v"),
    ("calgary", "ab", "alberta", "t"),
    ("edmonton", "ab", "alberta", "t"),
    ("winnipeg", "mb", "manitoba", "r"),
    ("regina", "sk", "saskatchewan", "s"),
    ("saskatoon", "sk", "saskatchewan", "s"),
    ("halifax", "ns", "nova scotia", "b"),
    ("moncton", "nb", "new brunswick", "e"),
    ("st. john's", "nl", "newfoundland", "a"),
    ("charlottetown", "pe", "pei", "c"),
    ("whitehorse", "yt", "yukon", "y"),
    ("yellowknife", "nt", "nwt", "x"),
)  # fmt: skip


def _house(r: random.Random) -> str:
    n = r.choice((r.randint(1, 99), r.randint(100, 999), r.randint(1000, 9999), r.randint(10000, 99999)))
    form = r.random()
    if form < 0.06:
        return f"{n}{r.choice('abcd')}"
    if form < 0.09:
        return f"{n} 1/2"
    if form < 0.12:
        return f"{n}-{n + 2}"
    return str(n)


def _postal(r: random.Random, first: str) -> str:
    letters = "abceghjklmnprstvwxyz"
    code = (
        f"{first}{r.randint(0, 9)}{r.choice(letters)} {r.randint(0, 9)}{r.choice(letters)}{r.randint(0, 9)}"
    )
    return code.replace(" ", "") if r.random() < 0.15 else code


def _street(r: random.Random, fakes: dict[str, object]) -> tuple[str, bool]:
    """A street line without the house number; the flag says whether it is a French-style street."""
    kind = r.random()
    if kind < 0.25:
        fake = fakes[r.choice(("en_US", "en_CA"))]
        line = fake.street_address()  # type: ignore[attr-defined]
        return line.split(" ", 1)[1], False
    if kind < 0.35:
        fake = fakes["fr_CA"]
        return fake.street_address().split(" ", 1)[1], True  # type: ignore[attr-defined]
    if kind < 0.45:
        name = r.choice(_FRENCH_NAMES)
        street = f"{r.choice(_FRENCH_TYPES)} {name}"
        if r.random() < 0.3:
            street += f" {r.choice(_FRENCH_DIRECTIONS)}"
        return street, True
    if kind < 0.55:
        name = r.choice(_ORDINALS)
    elif kind < 0.62:
        fake = fakes[r.choice(("en_US", "en_CA"))]
        name = fake.last_name().lower()  # type: ignore[attr-defined]
    else:
        name = r.choice(_TREES_AND_PLACES)
    street = f"{name} {r.choice(_COMMON_TYPES)}"
    if r.random() < 0.12:
        street = f"{r.choice(_PRE_DIRECTIONS)} {street}"
    elif r.random() < 0.15:
        street = f"{street} {r.choice(_POST_DIRECTIONS)}"
    return street, False


def _unit(r: random.Random) -> str:
    n = r.choice((str(r.randint(1, 30)), f"{r.randint(1, 9)}{r.choice('abcd')}", str(r.randint(100, 2400))))
    return r.choice(_UNITS).format(n=n)


def make_address(r: random.Random, fakes: dict[str, object]) -> str:
    """One address as a resident would type it, in its original (mostly lower) case."""
    street, french = _street(r, fakes)
    house = _house(r)
    line = f"{house} {street}"
    where = r.random()
    if where < 0.10:
        line = f"{r.randint(1, 2400)}-{house.split()[0]} {street}"  # Canadian unit-civic
    elif where < 0.16:
        line = f"{_unit(r)}, {line}" if r.random() < 0.5 else f"#{r.randint(100, 2400)} - {line}"
    elif where < 0.36 and not any(w in street.lower().split() for w in ("apt.", "suite")):
        line = f"{line}{r.choice((' ', ', '))}{_unit(r)}"
    last = r.random()
    sep = r.choice((", ", " ", ", "))
    if last < 0.35:
        return line
    if last < 0.42:
        return f"{line}{sep}{r.choice(_US_PLACES + _CA_PLACES)[0]}"
    canadian = french or r.random() < 0.45
    if canadian:
        city, code, name, first = r.choice(_CA_PLACES)
        region = r.choice((code, code, name))
        tail = r.random()
        if tail < 0.5:
            return f"{line}{sep}{city}{sep}{region} {_postal(r, first)}"
        if tail < 0.8:
            return f"{line}{sep}{city}{sep}{region}"
        return f"{line}{sep}{_postal(r, first)}"
    city, code, name = r.choice(_US_PLACES)
    region = r.choice((code, code, name))
    zip_code = (
        str(r.randint(10000, 99950))
        if r.random() < 0.85
        else f"{r.randint(10000, 99950)}-{r.randint(0, 9999):04d}"
    )
    tail = r.random()
    if tail < 0.55:
        return f"{line}{sep}{city}{sep}{region} {zip_code}"
    if tail < 0.85:
        return f"{line}{sep}{city}{sep}{region}"
    return f"{line} {zip_code}"


# ---- post frames ----------------------------------------------------------------------------------

_ADDRESS_FRAMES = (
    "huge pothole in front of {a} been there since march 😡 @cityworks",
    "my address is {a} pls stop sending the bill to the old place",
    "lost dog!! last seen near {a} — brown lab, answers to max. dm me",
    "garbage pickup skipped {a} AGAIN. 3rd week in a row #trash",
    "{a} has had no water since 6am, anyone else on the street?",
    "can someone tell the plow guys that {a} exists lol",
    "moving sale saturday 9-2 at {a}. furniture, books, kids stuff",
    "the streetlight outside {a} keeps flickering, reported it twice",
    "package says delivered to {a} but nothing here. thanks canada post 🙄",
    "For anyone asking, the drop-off is at {a} until 5pm today.",
    "Free kittens! Pick up at {a}, text first",
    "HOUSE PARTY AT {a} THIS FRIDAY BRING SNACKS",
    "yard sale @ {a} tmrw morning, early birds welcome",
    "Reporting a water main leak at {a}. Water running down the road for hours now.",
    "why is there a tow truck blocking {a} for the 2nd time this week",
    "new place!! {a} 🏡 housewarming next month",
    "someone hit my car parked at {a} last night, if you saw anything pls reach out",
    "RT if you also hate the construction on {a}",
    "ok who keeps dumping mattresses behind {a}??",
    "Thanks to the crew who fixed the sidewalk at {a} so fast 👏",
    "deliver to {a} pls, ring the side door",
    "our tenant meeting is at {a} on thursday, 7pm",
    "I live at {a} and the noise from the bar is unbearable",
    "Sent my permit application with {a} as the address, still no reply after 6 weeks",
    "trick or treaters welcome at {a} 🎃 full size bars",
    "fire at {a}?? so many trucks right now",
    "is the clinic still at {a} or did it move",
    "Snow hasn't been cleared on the sidewalk by {a}. Seniors can't get out.",
    "mail goes to {a} now, update your records @ServiceCanada",
    "bike stolen from outside {a} around 3am. red trek. #stolenbike",
    "hey neighbours, found keys on the lawn at {a}",
    "Pickup address: {a}",
    "address for the rsvp: {a}\nsee you all there",
    "wtf there's a sinkhole at {a}",
    "Our office moved to {a}. Same phone number.",
    "parking enforcement ticketed every car on {a} today 🙃",
    "just bought a house at {a}!!! finally",
    "if anyone finds a grey cat around {a} her name is luna",
    "{a} - broken hydrant, water everywhere",
    "NO HEAT AT {a} SINCE MONDAY. LANDLORD WON'T ANSWER",
)  # fmt: skip

_NEGATIVE_FRAMES = (
    "bus was {n1} minutes late again on {street}",
    "the {route} bus skipped our stop at {time}",
    "took {n1} hours to get through the detour on {street} today",
    "paid ${price} for parking downtown, absolute robbery",
    "leafs won {score} last night!! {street} was packed after",
    "garbage day moved to {date} because of the holiday",
    "{n1} blocks of {street} closed for repaving until {date}",
    "there are like {n1} potholes between {street} and {street2}",
    "meeting at city hall at {time} on {date}, bring questions",
    "{route} is detoured via {street} this week",
    "tickets are ${price} each, {n1} left",
    "waited {n1} mins in the snow at {time} for the {route}",
    "lost {score} in overtime ugh",
    "only {n1}% of the plows were out on {date}??",
    "the new bike lane on {street} is {n1} km of paint and nothing else",
    "rink opens {date} at {time}, {n1} skates per slot",
    "{n1} cars blocking the bike lane on {street} right now",
    "streetlight on {street} out for {n1} days",
    "library hours on {date}: {time} to {time2}",
    "highway {n1} closed northbound near exit {n2}",
    "I walked {n1} km to work because the {route} never came",
    "water main break on {street} near {street2}, {n1} homes affected",
    "council voted {score} to approve the budget",
    "{n1} years living on {street} and never seen it this bad",
    "Top {n1} reasons the {route} is always late",
    "it's {n1} degrees and the splash pad on {street} is closed",
    "snow route parking ban starts {date} at {time}",
    "{n1} people at the town hall on {street} tonight, standing room only",
)  # fmt: skip
_STREETS_ALONE = (
    "main st", "king street west", "oak ave", "5th ave", "elm street", "queen st e", "broadway",
    "yonge", "the 401", "granville", "portage ave", "rue saint-denis", "bank street", "Maple Drive",
    "Lakeshore Blvd", "Church St", "college avenue", "hwy 7", "mill road", "park lane", "victoria drive",
)  # fmt: skip


def _negative_values(r: random.Random) -> dict[str, str]:
    hour = r.randint(1, 12)
    return {
        "n1": str(r.choice((r.randint(2, 9), r.randint(10, 60), r.randint(100, 400)))),
        "n2": str(r.randint(10, 420)),
        "route": r.choice((f"route {r.randint(1, 99)}", f"{r.randint(1, 199)}", f"#{r.randint(1, 99)}",
                           f"line {r.randint(1, 5)}", f"{r.randint(1, 99)} express")),
        "time": r.choice((f"{hour}pm", f"{hour} am", f"{hour}:{r.randint(0, 59):02d}", f"{hour}:30 p.m.")),
        "time2": f"{r.randint(1, 9)}pm",
        "price": r.choice((str(r.randint(2, 80)), f"{r.randint(2, 80)}.{r.randint(0, 99):02d}")),
        "score": f"{r.randint(0, 9)}-{r.randint(0, 9)}",
        "date": r.choice((f"march {r.randint(1, 28)}", f"{r.randint(1, 28)} dec", f"nov {r.randint(1, 28)}th",
                          f"{r.randint(1, 12)}/{r.randint(1, 28)}", f"Friday the {r.randint(2, 28)}th")),
        "street": r.choice(_STREETS_ALONE),
        "street2": r.choice(_STREETS_ALONE),
    }  # fmt: skip


def _case(r: random.Random, text: str) -> str:
    pick = r.random()
    if pick < 0.45:
        return text.lower()
    if pick < 0.60:
        return text.upper()
    if pick < 0.90:
        return " ".join(w[:1].upper() + w[1:] if w[:1].isalpha() else w for w in text.split(" "))
    return text


def _fill(frame: str, values: dict[str, str], kinds: dict[str, str | None]) -> Post:
    post = Post(text="")
    for i, part in enumerate(frame.replace("}", "{").split("{")):
        if i % 2 == 0:
            post.text += part
            continue
        start = len(post.text)
        post.text += values[part]
        kind = kinds.get(part)
        if kind == "KEEP":
            post.keep.append((start, len(post.text)))
        elif kind is not None:
            post.gold.append((start, len(post.text), kind))
    return post


def generate(n_addresses: int, n_negatives: int, seed: int = DEV_SEED) -> list[Post]:
    """`n_addresses` posts with one address each and `n_negatives` posts with none, shuffled."""
    from faker import Faker

    r = random.Random(seed)
    fakes: dict[str, object] = {}
    for i, locale in enumerate(("en_US", "en_CA", "fr_CA")):
        fake = Faker(locale)
        fake.seed_instance(seed + i)
        fakes[locale] = fake
    posts = []
    for _ in range(n_addresses):
        frame = r.choice(_ADDRESS_FRAMES)
        address = _case(r, make_address(r, fakes))
        if frame.replace("{a}", "").isupper():
            address = address.upper()
        posts.append(_fill(frame, {"a": address}, {"a": "STREET_ADDRESS"}))
    keep_kinds: dict[str, str | None] = dict.fromkeys(
        ("n1", "n2", "route", "time", "time2", "price", "score", "date", "street", "street2"), "KEEP"
    )
    for _ in range(n_negatives):
        frame = r.choice(_NEGATIVE_FRAMES)
        values = _negative_values(r)
        post = _fill(frame, values, keep_kinds)
        style: Callable[[str], str] = r.choice((str.lower, str.upper, str, str))
        styled = style(post.text)
        post.text = styled if len(styled) == len(post.text) else post.text
        posts.append(post)
    r.shuffle(posts)
    return posts
