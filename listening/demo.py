"""Deterministic demo data for the Port Alder city-services program: daily file drops per source."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from faker import Faker

LOCAL_TZ = ZoneInfo("America/Toronto")
FIELDS = ("id", "platform", "author_id", "author_handle", "text", "created_at", "url", "lang")
DAILY_MENTIONS = 290
P_MALFORMED = 0.011
P_DUPLICATE = 0.02
P_PII = 0.2
P_OFF_TOPIC = 0.1
SHIFT_WEEK = 2  # transit turns negative from the third week (a route change)
SPIKE_WEEK = 3  # water triples in the fourth week (a boil water advisory)

Item = dict[str, Any] | bytes | list[str]
_Plant = tuple[str, str, str | None]  # (canary value, kind, malformation or None)
_Row = tuple[dt.datetime, dict[str, Any]]


@dataclass(frozen=True)
class DemoSource:
    """One file-drop source of `pipelines/city_services.yaml`, with its share of the volume."""

    name: str
    platform: str
    path: str
    format: str
    share: float
    authors: int
    focus: float  # how often a post's author is drawn from those interested in its topic


SOURCES = (
    DemoSource("mastodon_export", "mastodon", "city_services/mastodon/{date}.jsonl", "jsonl", 0.50, 650, 0.3),
    DemoSource("bluesky_export", "bluesky", "city_services/bluesky/{date}.jsonl", "jsonl", 0.35, 480, 0.3),
    DemoSource("forum_export", "forum", "city_services/forum/{date}.csv", "csv", 0.15, 60, 0.9),
)

_TEXT_CANARIES: tuple[tuple[str, str], ...] = (
    ("Zebulon Quartermaine", "name"),
    ("Philomena Vantongeren", "name"),
    ("ottoline brackenridge", "name"),
    ("CASIMIR WYNDHAMSTOKE", "name"),
    ("@canary_zq_7731", "handle"),
    ("@quill.canary.bsky.social", "handle"),
    ("@zq7731@mastodon.canary", "handle"),
    ("zq.canary7731@example.org", "email"),
    ("philo.vantongeren.7731@example.net", "email"),
    ("613-555-0187", "phone"),
    ("(343) 555-0162", "phone"),
    ("+1 613 555 0174", "phone"),
    ("7731 Wintergreen Crescent", "address"),
    ("#1204-7731 Quillfeather Ave E", "address"),
    ("7731 brackenridge rd w apt 12", "address"),
    ("046 454 286", "sin"),
    ("4532-281-947-AB", "health"),
    ("K2Z 7R9", "postal"),
    ("https://mastodon.canary/@zq7731", "url"),
    ("https://bsky.app/profile/quill-canary-7731.bsky.social", "url"),
)
_BSKY_CANARY_DID = "did:plc:zqcanaryseven7quillzzzzz"
_FIELD_CANARIES: dict[str, dict[str, str]] = {
    "mastodon": {
        "id": "116777310000773199",
        "author_id": "109773100007731999",
        "author_handle": "@zebq7731@mastodon.example",
        "url": "https://mastodon.example/@zebq7731/116777310000773199",
    },
    "bluesky": {
        "id": f"at://{_BSKY_CANARY_DID}/app.bsky.feed.post/3lzqcanary7ab",
        "author_id": _BSKY_CANARY_DID,
        "author_handle": "@zebq-canary-7731.bsky.social",
        "url": "https://bsky.app/profile/zebq-canary-7731.bsky.social/post/3lzqcanary7ab",
    },
    "forum": {
        "id": "t3_zqcan7731",
        "author_id": "u_zqcanary7731",
        "author_handle": "u/zebq_canary_7731",
        "url": "https://forum.portalder.example/r/portalder/comments/zqcan7731/",
    },
}
#: Values that must never reach storage; each appears in at least one valid record.
CANARIES: tuple[str, ...] = tuple(v for v, _ in _TEXT_CANARIES) + tuple(
    v for fields in _FIELD_CANARIES.values() for v in fields.values()
)
#: Canaries also planted in malformed records: (value, platform, malformation).
_MALFORMED_CANARIES = (
    ("Zebulon Quartermaine", "mastodon", "invalid_json"),
    ("zq.canary7731@example.org", "mastodon", "invalid_utf8"),
    ("613-555-0187", "bluesky", "control_characters"),
    ("7731 Wintergreen Crescent", "bluesky", "unsupported_language"),
    ("Philomena Vantongeren", "forum", "invalid_csv"),
    ("(343) 555-0162", "forum", "future_timestamp"),
)


#: Vocabulary, one list a line (`key: a|b|c`); indented lines continue the line above; `_` is empty.
_VOCAB = """
street: Maple Avenue|Harbour Street|King St W|Queen St E|Dundas Avenue|Lakeshore Blvd|Elm Street|Birch
    Crescent|Wellington St|Victoria Drive|Front Street|Alder Way
street2: Bay Street|Church St|Carling Ave|Bank Street|Mill Lane|Albert St
hood: Riverside|Old Harbour|Northgate|Cedar Hill|Millbrook|Eastview|Westvale|Lowtown|Fairhaven|the east end
weekday: Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday
num: 2|6|9|14|22|31|47|88
pos: great|excellent|fantastic|amazing|wonderful|really good|awesome|so much better|perfect
neg: terrible|awful|horrible|useless|ridiculous|pathetic|dangerous|a total mess|the worst|a disgrace
end: !|. Thank you!|! 👏|. Well done, Port Alder!|. Thanks to everyone involved!|!! Love it.|. Great job.|! 🙂
complaint: So frustrating.|Fix it already!|Really disappointed.|Unacceptable.|I'm so angry.|Sick of this.|Do
    better, Port Alder.|What a joke.|Terrible.
place: on {street}|in {hood}|downtown|near {street} and {street2}|in {hood}|_|_|_
subj.transit: the {num} bus|the route {num} bus|the streetcar|the light rail|the night bus|my commute|the
    transit app|the bus stop|the fare machine|the transfer at Central
subj.roads: the pothole|the pothole repair|the road|the pavement|the repaving work|the traffic light|the
    crosswalk|the sidewalk|the detour|the construction
subj.snow: the snow plow|the plow crew|snow plowing|the snow|the salting|the ice|the windrow at my driveway|
    the icy bike lane|snow removal
subj.waste: garbage pickup|the recycling|the green bin|the blue bin|compost collection|collection day|bulky
    item pickup|the litter|trash collection|the landfill hours
subj.parks: the playground|the splash pad|the trail|the rink|the pool|the community centre|the library|the
    park|the dog park
subj.permits: the building permit|my permit application|the parking permit|the zoning review|the inspection|
    the licence renewal|business licensing|the permit office
subj.water: the water main|my water bill|the water pressure|the tap water|the storm drain|the sewer|the
    drainage|the flooding
subj.safety: the streetlight|the new streetlight|police response|the fire department|the paramedics|the
    speeding|emergency response
generic.pos: {Subj} {place} was {pos} today{end}|Have to say, {subj} has been {pos} lately{end}|Big thanks
    to the city crews, {subj} {place} is {pos} now{end}|Love how {subj} {place} turned out{end}|Credit where
    it's due: {subj} {place} is {pos}{end}
generic.neu: Anyone know if {subj} {place} is changing next month?|Heads up: {subj} {place} is on the
    council agenda for {weekday}.|Question for the city: what is the plan for {subj} {place}?|Saw a city
    notice about {subj} {place} today.|Any update on {subj} {place}?|Reported {subj} {place} through 311
    this morning.
generic.neg: {Subj} {place} is {neg} again. {complaint}|Why is {subj} {place} still {neg}? {complaint}|
    Honestly {subj} has been {neg} all week. {complaint}|{Subj} {place}: {neg}. {complaint}|Fed up with
    {subj} {place}. {complaint}|Reported {subj} {place} three times and nothing happened. {complaint}
also: Also {subj} {place} is {neg}.|And don't get me started on {subj}.|Meanwhile {subj} {place} is {pos}.|
    Same story with {subj} {place}.
transit.pos: Bus was on time every single day this week, love it!|Shoutout to the streetcar driver who
    waited for me this morning. Great service!|The new light rail makes my commute so much easier.
    Fantastic!
transit.neu: Does the {num} bus still run on Sundays?|Transit fares change next month, per the city notice.|
    Which route goes from {hood} to the hospital now?|Is the bus stop on {street} moving?
transit.neg: Waited 40 minutes for a bus that never showed up. Terrible.|Packed streetcar again, missed my
    transfer. So frustrating.|Bus drove right past the stop on {street}. Awful.
roads.pos: They finally filled the pothole on {street}! Thank you!|Repaving on {street} looks great, smooth
    ride now.|New crosswalk near the school in {hood} is excellent.
roads.neu: Detour on {street} until Friday according to the sign.|Construction on {street} starts
    {weekday}.|Is the traffic light at {street} and {street2} on a timer now?
roads.neg: Blew a tire on a pothole on {street}. Awful.|The traffic light at {street} and {street2} is
    broken again. Dangerous.|Construction on {street} for six months and nobody is ever working.
    Ridiculous.|Sidewalk on {street} is crumbling, terrible for strollers.
snow.pos: Plows came through {hood} before 6am. Amazing work!|Sidewalks salted and clear this morning, thank
    you crews!|Snow removal on {street} was fast this time. Great job.
snow.neu: When does the plow usually come to {hood}?|Salt trucks out on {street} right now.|Snow clearing on
    {street} is scheduled for tonight.
snow.neg: Plow left a huge windrow at the end of my driveway again. So angry.|Sidewalks on {street} are pure
    ice. Someone is going to get hurt.|Three days after the storm and still no plow in {hood}. Pathetic.
waste.pos: Garbage crew on {street} is always so friendly. Thank you!|Love the new green bin program, so
    much less trash.|Bulky item pickup was easy to book and came on time. Great!
waste.neu: Is collection day moved because of the holiday?|Does the blue bin take plastic film now?|Compost
    pickup in {hood} is every {weekday} now.
waste.neg: Recycling wasn't picked up again on {street}. Disgusting.|Litter everywhere along {street},
    nobody cleans it. Awful.|Green bin missed for the second week. Fed up.
parks.pos: The new splash pad in {hood} is amazing, the kids loved it!|Skating at the outdoor rink tonight
    was wonderful.|Trails in {hood} are beautiful this week. Love this city.|The library's new reading room
    is fantastic.
parks.neu: What are the pool hours this weekend?|Is the community centre in {hood} open on {weekday}?|
    Playground on {street} is fenced off for repairs.
parks.neg: Playground in {hood} has been closed for months. Ridiculous.|Pool closed again with no notice. So
    disappointed.|Trails full of broken glass. Terrible.
permits.pos: Got my building permit in two weeks. Impressed, great service!|Parking permit renewal online
    was quick and easy. Nice!
permits.neu: How long does a building permit usually take for a deck?|Zoning meeting for {street} is on
    {weekday}.|Inspection booked for next {weekday}.
permits.neg: Six weeks waiting on a building permit. Ridiculous.|Parking permit website down again.
    Useless.|Zoning office keeps losing my file. Awful.
water.pos: Crews fixed the water main on {street} overnight. Amazing work!|Tap water tastes great since they
    replaced the pipes.
water.neu: Water main work on {street} this week, expect low water pressure.|Is the storm drain on {street}
    the city's job?|Water bill comes quarterly now?
water.neg: Water bill doubled and nobody can explain it. Outrageous.|Basement flooding again because the
    storm drain on {street} is blocked. Awful.|Water pressure in {hood} has been terrible all week.
safety.pos: Paramedics arrived in minutes when my dad fell. Thank you, amazing people.|New streetlights on
    {street} make the walk home feel so much better.|Fire department open house was great fun for the kids.
safety.neu: Police presence on {street} tonight, anyone know why?|Fire department testing sirens in {hood}
    on {weekday}.|Speed camera coming to {street} next month to deal with speeding.
safety.neg: Cars speeding on {street} every night, it's unsafe. Someone will get hurt.|Streetlight out on
    {street} for weeks. Scary and dangerous.|Another break-in on my block in {hood}. Police never called
    back.
route_change: Since the route change my commute takes twice as long. Awful.|The route change is a disaster,
    the {num} bus skips my stop now.|Who approved this route change? Buses are packed and late. Terrible
    planning.|New route map makes no sense. I hate it. Two transfers now to get to work.|The route change
    cut the bus stop by my kid's school. Really disappointed.
boil_water.pos: Thanks to the crews on the water main. Boil water advisory lifted, great news!
boil_water.neu: Is the boil water advisory still on for {hood}?|Which streets are in the boil water zone?|
    Boil water advisory update: bring tap water to a rolling boil for one minute.
boil_water.neg: Boil water advisory in {hood} again? {complaint}|Third day boiling tap water for the kids.
    This is ridiculous.|Boil water advisory and not a single text from the city. Terrible communication.|
    Water main break on {street}, now a boil water notice. Awful week.
off_topic: Anyone know a good brunch spot in {hood}?|What a sunset over the harbour tonight 🌅|Farmers market
    in {hood} had the best strawberries today!|Lost cat near {street}, grey tabby, very friendly.|Go Alders!
    What a game last night!|New bakery on {street} is amazing.|Rainy {weekday}. Coffee time.|Who's going to
    the jazz festival this weekend?|Happy Friday, Port Alder!|Does anyone have a ladder I could borrow this
    weekend?|Looking for a piano teacher in {hood}.|Garage sale on {street} Saturday morning, lots of books
    and toys.|Terrible referee calls in tonight's hockey game.|Best pho in town is still on {street}, fight
    me.|Anyone else hear the fireworks last night?|My tomatoes finally ripened!
foreign.fr: L'autobus {num} est encore en retard ce matin.|Merci aux équipes de déneigement, bravo!|Encore
    un nid-de-poule sur {street}, c'est ridicule.|Avis d'ébullition d'eau à {hood}? Personne ne nous
    informe.|Les poubelles n'ont pas été ramassées cette semaine.
foreign.es: El autobús {num} llegó tarde otra vez.
pii.name: My neighbour {v} has been calling about this for weeks.|Thanks to {v} from the city for the help.|
    {v} and I walked past it this morning.|Talked to {v} at the ward meeting about it.
pii.handle: cc {v}|{v} did you see this?|h/t {v}|{v} was right about this.
pii.phone: Call me at {v} if you have details.|Text {v} if you want to join the petition.|My number is {v},
    happy to help.|Reach me on {v}.
pii.email: Email me at {v} if you want to help.|Contact {v} for the petition.|Send photos to {v}.
pii.address: It's right in front of {v}.|I live at {v} and see this every day.|Corner by {v}.|Pick up a lawn
    sign at {v}.
pii.url: More in my thread: {v}|Photos on my profile {v}
pii.sin: Lol the 311 form asked for my SIN {v}, is that normal?
pii.health: Waited at the walk-in clinic with my health card {v} for nothing.
pii.postal: My postal code is {v}, is my street on the list?
instance: mastodon.social|mstdn.ca|fosstodon.org|mastodon.example|toot.example
area_code: 613|343|416|647|437|905|289|519|226|705|514|604|212|312
phone: ({a}) {e}-{n}|{a}-{e}-{n}|{a}.{e}.{n}|{a} {e} {n}|+1 {a} {e} {n}|1-{a}-{e}-{n}|+1 ({a}) {e}-{n}|
    {a}{e}{n}
street_suffix: Street|St|Avenue|Ave|Crescent|Cres|Drive|Dr|Boulevard|Blvd|Lane|Court|Place|Way
avoid: bus|buses|transit|streetcar|subway|rail|route|fare|fares|transfer|commute|pothole|potholes|road|
    roads|pavement|repaving|crosswalk|sidewalk|detour|construction|snow|plow|plows|salt|ice|icy|windrow|
    garbage|trash|recycling|compost|litter|landfill|park|parks|playground|trail|trails|rink|pool|library|
    permit|permits|licence|license|zoning|inspection|sewer|flooding|drainage|police|fire|paramedics|
    streetlight|speeding|unsafe|emergency
"""


def _vocab(text: str) -> dict[str, tuple[str, ...]]:
    entries = (entry.partition(": ") for entry in re.split(r"\n(?=\S)", text.strip()))
    return {key: tuple(p.strip() for p in " ".join(body.split()).split("|")) for key, _, body in entries}


_V = _vocab(_VOCAB)
_TOPICS = ("transit", "roads", "snow", "waste", "parks", "permits", "water", "safety")
_TONE_NAMES = ("pos", "neu", "neg")
_WORDS = {k: _V[k] for k in ("street", "street2", "hood", "weekday", "num", "pos", "neg", "end", "complaint")}
_PLACES = tuple("" if place == "_" else place for place in _V["place"])
_SUBJECTS = {topic: _V[f"subj.{topic}"] for topic in _TOPICS}
_GENERIC = {tone: _V[f"generic.{tone}"] for tone in _TONE_NAMES}
_LINES = {topic: {tone: _V[f"{topic}.{tone}"] for tone in _TONE_NAMES} for topic in _TOPICS}
_BOIL_WATER = {tone: _V[f"boil_water.{tone}"] for tone in _TONE_NAMES}
_ROUTE_CHANGE, _ALSO, _OFF_TOPIC = _V["route_change"], _V["also"], _V["off_topic"]
_FOREIGN = tuple((lang, text) for lang in ("fr", "es") for text in _V[f"foreign.{lang}"])
_PII_TEMPLATES = {kind[4:]: templates for kind, templates in _V.items() if kind.startswith("pii.")}
_PII_WEIGHTS = {"name": 30, "handle": 20, "phone": 15, "email": 15, "address": 15, "url": 5}
_INSTANCES, _AREA_CODES, _PHONE_FORMATS = _V["instance"], _V["area_code"], _V["phone"]
_STREET_SUFFIXES = _V["street_suffix"]
#: Words of the topic phrases: Faker values containing one are drawn again, so PII never adds a topic.
_AVOID = frozenset(_V["avoid"])
_TONES = {
    "roads": (20, 30, 50),
    "parks": (50, 30, 20),
    "permits": (15, 40, 45),
    "safety": (15, 40, 45),
    "snow": (25, 30, 45),
    "water": (20, 45, 35),
}  # (positive, neutral, negative) per topic
_BASE32 = "234567abcdefghijklmnopqrstuvwxyz"
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_MALFORMED_KINDS = {
    "jsonl": {
        "invalid_json": 2,
        "invalid_utf8": 1,
        "not_an_object": 1,
        "missing_field": 2,
        "invalid_field": 2,
        "empty_text": 1,
        "control_characters": 1,
        "future_timestamp": 1,
        "unsupported_language": 3,
    },
    "csv": {
        "invalid_csv": 3,
        "invalid_field": 2,
        "empty_text": 1,
        "control_characters": 1,
        "future_timestamp": 1,
        "unsupported_language": 3,
    },
}
_HOUR_WEIGHTS = (
    1,
    0.6,
    0.4,
    0.3,
    0.3,
    0.5,
    1.2,
    2.5,
    3.2,
    3,
    2.6,
    2.6,
    3,
    2.8,
    2.6,
    2.6,
    3,
    3.4,
    3.2,
    3,
    2.8,
    2.4,
    2,
    1.4,
)  # by local hour


@dataclass
class GenerationManifest:
    """What `generate` wrote. `records` counts every line or row, malformed and duplicates included."""

    files: list[Path]
    records: int
    malformed: int
    duplicates: int
    per_source: dict[str, int]
    canaries: tuple[str, ...]
    malformed_by_reason: dict[str, int] = field(default_factory=dict)
    #: Duplicates written to the next day's file; the nightly stage counts them as duplicates.
    late_duplicates: int = 0


@dataclass(frozen=True)
class _Author:
    id: str
    handle: str
    user: str
    interests: tuple[str, ...]


def _accumulate(weights: list[float]) -> list[float]:
    return list(accumulate(weights))


def _encode(value: int, alphabet: str, width: int = 0) -> str:
    out = ""
    while value or len(out) < max(width, 1):
        value, digit = divmod(value, len(alphabet))
        out = alphabet[digit] + out
    return out


class _Generator:
    def __init__(self, seed: int, start: dt.date) -> None:
        self.rng, self.start = random.Random(seed), start
        self.fakers = (Faker("en_CA"), Faker("en_US"))
        for offset, fake in enumerate(self.fakers):
            fake.seed_instance(seed * 31 + offset)
        self.spoil_rng = random.Random(seed ^ 0x5EED)
        self.forum_seq = 2_100_000_000
        self.reasons: Counter[str] = Counter()
        self.duplicates = self.late_duplicates = 0
        self.carry: dict[str, list[Item]] = {}
        self.picks: dict[tuple[str, str], tuple[list[_Author], list[float]]] = {}
        for src in SOURCES:
            self._pool(src)

    def _faker(self) -> Faker:
        return self.fakers[int(self.rng.random() < 0.4)]

    def _clean(self, make: Any) -> str:
        value = str(make())
        for _ in range(8):
            if not _AVOID.intersection(re.split(r"[^a-z]+", value.lower())):
                break
            value = str(make())
        return value

    def _user(self) -> str:
        return re.sub(r"[^a-z0-9_]", "", self._clean(self._faker().user_name).lower())[:20] or "resident"

    def _pool(self, src: DemoSource) -> None:
        r, authors, weights, seen = self.rng, [], [], set()
        for _ in range(src.authors):
            user = self._user()
            while user in seen:
                user += str(r.randint(0, 9))
            seen.add(user)
            interests = tuple(r.sample(_TOPICS, 3))
            if src.platform == "mastodon":
                inst = r.choice(("mastodon.example", "mastodon.example", "social.portalder.example"))
                created = r.randint(1_490_000_000_000, 1_760_000_000_000)
                ident = str(created << 16 | r.getrandbits(16))
                author = _Author(ident, f"@{user}@{inst}", f"{user}@{inst}", interests)
            elif src.platform == "bluesky":
                user = user.replace("_", "-").strip("-") or "resident"
                did = "did:plc:" + "".join(r.choice(_BASE32) for _ in range(24))
                author = _Author(did, f"@{user}.bsky.social", f"{user}.bsky.social", interests)
            else:
                ident = "u_" + _encode(r.getrandbits(40), _BASE36)
                author = _Author(ident, f"u/{user}", user, interests)
            authors.append(author)
            weights.append(r.lognormvariate(0, 1.4))
        self.picks[(src.platform, "")] = (authors, _accumulate(weights))
        for topic in _TOPICS:
            chosen = [(a, w) for a, w in zip(authors, weights, strict=True) if topic in a.interests]
            self.picks[(src.platform, topic)] = ([a for a, _ in chosen], _accumulate([w for _, w in chosen]))

    def _author(self, src: DemoSource, topic: str | None) -> _Author:
        key = topic if topic is not None and self.rng.random() < src.focus else ""
        pool, cum = self.picks[(src.platform, key)]
        return self.rng.choices(pool, cum_weights=cum)[0]

    def _fill(self, template: str, topic: str | None = None) -> str:
        r, text = self.rng, template
        if topic is not None and ("{subj}" in text or "{Subj}" in text):
            subject = r.choice(_SUBJECTS[topic])
            text = text.replace("{subj}", subject).replace("{Subj}", subject[0].upper() + subject[1:])
        text = text.replace("{place}", r.choice(_PLACES))
        for key, words in _WORDS.items():
            token = "{" + key + "}"
            while token in text:
                text = text.replace(token, r.choice(words), 1)
        text = " ".join(text.split())
        return text.replace(" .", ".").replace(" ?", "?").replace(" :", ":").replace(" !", "!")

    def _tone(self, topic: str, week: int) -> str:
        weights = _TONES.get(topic, (30, 35, 35))
        if topic == "transit":
            weights = (60, 25, 15) if week < SHIFT_WEEK else (12, 23, 65)
        elif topic == "water" and week == SPIKE_WEEK:
            weights = (10, 30, 60)
        return self.rng.choices(("pos", "neu", "neg"), weights=weights)[0]

    def _topic_weights(self, day: dt.date, week: int) -> list[float]:
        snow = {12: 16, 1: 18, 2: 16, 3: 9, 11: 7, 4: 3, 10: 2}.get(day.month, 1)
        water = 8 * (3.6 if week == SPIKE_WEEK else 1)
        return [22, 15, snow, 12, 11, 6, water, 10]

    def _topical(self, topic: str, tone: str, week: int) -> str:
        r = self.rng
        if topic == "transit" and week >= SHIFT_WEEK and tone == "neg" and r.random() < 0.5:
            pool = _ROUTE_CHANGE
        elif topic == "water" and week == SPIKE_WEEK and r.random() < 0.6:
            pool = _BOIL_WATER[tone]
        elif r.random() < 0.45:
            pool = _LINES[topic][tone]
        else:
            pool = _GENERIC[tone]
        return self._fill(r.choice(pool), topic)

    def _post(self, src: DemoSource, day: dt.date, week: int) -> tuple[str | None, str]:
        r = self.rng
        if r.random() < P_OFF_TOPIC:
            return None, self._fill(r.choice(_OFF_TOPIC))
        topic = r.choices(list(_TOPICS), weights=self._topic_weights(day, week))[0]
        tone = self._tone(topic, week)
        text = self._topical(topic, tone, week)
        if src.platform == "forum" and r.random() < 0.5:
            text += " " + self._topical(topic, tone, week)
        if r.random() < 0.12:
            other = r.choice([t for t in _TOPICS if t != topic])
            text += " " + self._fill(r.choice(_ALSO), other)
        if src.platform == "mastodon" and r.random() < 0.08:
            text = ("@PortAlderTransit " if topic == "transit" else "@PortAlderCity ") + text
        elif src.platform == "bluesky" and r.random() < 0.06:
            text = "@portaldercity.bsky.social " + text
        return topic, text

    def _pii_value(self, kind: str) -> str:
        r, fake = self.rng, self._faker()
        if kind == "name":
            name = f"{self._clean(fake.first_name)} {self._clean(fake.last_name)}"
            return r.choices((name, name.lower(), name.upper()), weights=(70, 15, 15))[0]
        if kind == "handle":
            user = self._user()
            bsky = user.replace("_", "-")
            return r.choice((f"@{user}", f"@{user}@{r.choice(_INSTANCES)}", f"@{bsky}.bsky.social"))
        if kind == "phone":
            area, exchange, line = r.choice(_AREA_CODES), r.randint(200, 554), f"{r.randint(0, 9999):04d}"
            return r.choice(_PHONE_FORMATS).format(a=area, e=exchange, n=line)
        if kind == "email":
            if r.random() < 0.5:
                return str(fake.email())
            first, last = self._clean(fake.first_name).lower(), self._clean(fake.last_name).lower()
            return f"{first}.{last}@{fake.free_email_domain()}"
        if kind == "address":
            number = r.choice((r.randint(1, 99), r.randint(100, 999), r.randint(1000, 4999)))
            base = self._clean(r.choice((fake.last_name, fake.first_name)))
            street = f"{number} {base} {r.choice(_STREET_SUFFIXES)}{r.choice(('', '', '', ' E', ' W', ' N'))}"
            unit = r.randint(1, 2400)
            forms = (street, f"#{unit}-{street}", f"{street} apt {unit}", f"{street}, Unit {unit}")
            address = r.choices(forms, weights=(55, 20, 15, 10))[0]
            return address.lower() if r.random() < 0.2 else address
        user = self._user()
        return r.choice(
            (
                f"https://{r.choice(_INSTANCES)}/@{user}",
                f"https://forum.portalder.example/user/{user}",
                f"https://bsky.app/profile/{user.replace('_', '-')}.bsky.social",
            )
        )

    def with_pii(self, text: str, kind: str, value: str) -> str:
        if kind == "handle" and self.rng.random() < 0.4:
            return f"{value} {text}"
        return f"{text} {self.rng.choice(_PII_TEMPLATES[kind]).replace('{v}', value)}"

    def _when(self, day: dt.date, cum: list[float]) -> dt.datetime:
        r = self.rng
        hour = r.choices(range(24), cum_weights=cum)[0]
        midnight = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
        return midnight + dt.timedelta(hours=hour, seconds=r.randrange(3600), milliseconds=r.randrange(1000))

    @staticmethod
    def _stamp(src: DemoSource, when: dt.datetime) -> str:
        if src.platform == "forum":
            return when.astimezone(LOCAL_TZ).isoformat(timespec="seconds")
        return f"{when:%Y-%m-%dT%H:%M:%S}.{when.microsecond // 1000:03d}Z"

    def _record(self, src: DemoSource, author: _Author, when: dt.datetime, text: str) -> dict[str, Any]:
        r = self.rng
        if src.platform == "mastodon":
            post = str(int(when.timestamp() * 1000) << 16 | r.getrandbits(16))
            host = author.user.split("@")[1]
            url = f"https://{host}/@{author.user.split('@')[0]}/{post}"
        elif src.platform == "bluesky":
            tid = _encode(int(when.timestamp() * 1_000_000) << 10 | r.getrandbits(10), _BASE32, 13)
            post = f"at://{author.id}/app.bsky.feed.post/{tid}"
            url = f"https://bsky.app/profile/{author.user}/post/{tid}"
        else:
            self.forum_seq += r.randint(1, 40)
            slug = _encode(self.forum_seq, _BASE36)
            post, url = f"t3_{slug}", f"https://forum.portalder.example/r/portalder/comments/{slug}/"
        return {
            "id": post,
            "platform": src.platform,
            "author_id": author.id,
            "author_handle": author.handle,
            "text": text,
            "created_at": self._stamp(src, when),
            "url": url,
            "lang": "en",
        }

    def normal(self, src: DemoSource, day: dt.date, week: int, cum: list[float]) -> _Row:
        topic, text = self._post(src, day, week)
        if self.rng.random() < P_PII:
            kind = self.rng.choices(list(_PII_WEIGHTS), weights=list(_PII_WEIGHTS.values()))[0]
            text = self.with_pii(text, kind, self._pii_value(kind))
        if src.platform != "forum" and self.rng.random() < 0.15:
            text += " #PortAlder" + (f" #{topic}" if topic and self.rng.random() < 0.5 else "")
        when = self._when(day, cum)
        return when, self._record(src, self._author(src, topic), when, text)

    def day_file(
        self, src: DemoSource, day: dt.date, n: int, plants: list[_Plant], *, last: bool
    ) -> list[Item]:
        """One source's records for one day: posts, planted canaries, malformed lines and duplicates."""
        r, week = self.spoil_rng, (day - self.start).days // 7
        utc = [dt.datetime(day.year, day.month, day.day, h, tzinfo=dt.UTC) for h in range(24)]
        cum = _accumulate([_HOUR_WEIGHTS[t.astimezone(LOCAL_TZ).hour] for t in utc])
        rows: list[tuple[dt.datetime, dict[str, Any], str | None, str]] = []
        rows += [(*self.normal(src, day, week, cum), None, "") for _ in range(n)]
        for value, kind, how in plants:
            when, rec = self.normal(src, day, week, cum)
            if kind == "fields":
                rec.update(_FIELD_CANARIES[src.platform])
            else:
                rec["text"] = self.with_pii(rec["text"], kind, value)
            rows.append((when, rec, how, value or rec["id"]))  # planted records are never spoiled at random
        rows.sort(key=lambda row: row[0])
        items: list[Item] = []
        extra: list[Item] = []
        later: list[Item] = []
        for when, rec, how, keep in rows:
            if how or (not keep and r.random() < P_MALFORMED):
                item, reason = self.corrupt(src, when, rec, how, keep)
                items.append(item)
                self.reasons[reason] += 1
                continue
            items.append(rec)
            if r.random() < P_DUPLICATE:
                self.duplicates += 1
                (later if r.random() < 0.3 and not last else extra).append(dict(rec))
        self.late_duplicates += len(later)
        for item in extra + self.carry.pop(src.platform, []):
            items.insert(r.randint(0, len(items)), item)
        self.carry[src.platform] = later
        return items

    def corrupt(
        self, src: DemoSource, when: dt.datetime, rec: dict[str, Any], kind: str | None = None, keep: str = ""
    ) -> tuple[Item, str]:
        """Spoil one record (keeping `keep` whole in its text); returns the item and its quarantine reason."""
        r = self.rng
        if kind is None:
            kinds = _MALFORMED_KINDS[src.format]
            kind = r.choices(list(kinds), weights=list(kinds.values()))[0]
        bad = dict(rec)
        if kind == "invalid_json":
            line = json.dumps(bad, ensure_ascii=False)
            broken = str(bad) if keep or r.random() < 0.3 else line[: r.randint(10, len(line) - 2)]
            return broken.encode(), kind
        if kind == "invalid_utf8":
            bad["text"] = rec["text"].encode("ascii", "ignore").decode() + " Café déjà vu"
            return json.dumps(bad, ensure_ascii=False).encode("latin-1", "replace"), kind
        if kind == "not_an_object":
            return json.dumps([bad], ensure_ascii=False).encode(), kind
        if kind == "invalid_csv":
            row = [str(bad[f]) for f in FIELDS]
            if r.random() < 0.5:
                return row[: r.randint(3, 6)], kind
            return [*row[:4], *re.split(r"(?<=,) ", row[4]), "", *row[5:]], kind
        if kind == "missing_field":
            del bad[r.choice(("id", "author_id", "text", "created_at"))]
            return bad, kind
        if kind == "invalid_field":
            naive, number = rec["created_at"][:19], r.randint(1, 10**9)
            wrong: list[tuple[str, Any]] = [("created_at", "yesterday 3pm"), ("created_at", naive)]
            if src.format == "jsonl":
                wrong += [("text", number), ("id", number), ("created_at", True), ("author_id", None)]
            key, value = r.choice(wrong)
            bad[key] = value
            return bad, "invalid_field"
        if kind == "empty_text":
            bad["text"] = r.choice(("   ", " \n ") if src.format == "csv" else ("", "   ", " \n "))
            return bad, kind
        if kind == "control_characters":
            chars = ("\x07", "\x1b[31m", "\x08", "\x7f") + (() if src.format == "csv" else ("\x00",))
            cut = 0 if keep else r.randint(0, len(rec["text"]))
            bad["text"] = rec["text"][:cut] + r.choice(chars) + rec["text"][cut:]
            return bad, kind
        if kind == "future_timestamp":
            bad["created_at"] = self._stamp(src, when + dt.timedelta(days=3653))
            return bad, kind
        lang, template = r.choice(_FOREIGN)
        bad["text"], bad["lang"] = self._fill(template) + (f" Contact : {keep}" if keep else ""), lang
        return bad, "unsupported_language"


def file_drop_program(program: Any) -> Any:
    """The demo program reading every source from the daily files `generate` writes (no replay server):
    for tests and benchmarks of the stages on file input."""
    by_name = {src.name: src for src in SOURCES}
    sources = [
        {
            "name": source.name,
            "label": source.label,
            "kind": "file",
            "path": by_name[source.name].path,
            "format": by_name[source.name].format,
            "platform": by_name[source.name].platform,
        }
        if source.name in by_name
        else source.model_dump()
        for source in program.sources
    ]
    return type(program).model_validate({**program.model_dump(), "sources": sources})


def default_start(today: dt.date | None = None) -> dt.date:
    """The Monday six weeks before the most recent Monday (today, if it is one)."""
    today = today or dt.date.today()
    return today - dt.timedelta(days=today.weekday(), weeks=6)


def _serialize(src: DemoSource, items: list[Item]) -> bytes:
    if src.format == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(FIELDS)
        for item in items:
            assert not isinstance(item, bytes)
            writer.writerow(item if isinstance(item, list) else [str(item.get(f) or "") for f in FIELDS])
        return buf.getvalue().encode("utf-8")
    lines = (i if isinstance(i, bytes) else json.dumps(i, ensure_ascii=False).encode() for i in items)
    return b"".join(line + b"\n" for line in lines)


def generate(
    out_dir: Path, *, start: dt.date, days: int = 42, seed: int = 20261, canaries: bool = True
) -> GenerationManifest:
    """Write `days` daily files per source under `out_dir`; same seed, same bytes."""
    if days < 1:
        raise ValueError("days must be at least 1")
    gen = _Generator(seed, start)
    plan: dict[tuple[int, str], list[_Plant]] = {}
    kinds = dict(_TEXT_CANARIES)
    if canaries:
        for i, (value, kind) in enumerate(_TEXT_CANARIES):
            plan.setdefault(((i * 5 + 3) % days, SOURCES[i % 3].platform), []).append((value, kind, None))
        for i, platform in enumerate(_FIELD_CANARIES):
            plan.setdefault(((i * 11 + 6) % days, platform), []).append(("", "fields", None))
        for i, (value, platform, how) in enumerate(_MALFORMED_CANARIES):
            plan.setdefault(((i * 7 + 1) % days, platform), []).append((value, kinds[value], how))
    files: list[Path] = []
    per_source: Counter[str] = Counter()
    for d in range(days):
        day = start + dt.timedelta(days=d)
        volume = DAILY_MENTIONS * (1.07 if day.weekday() < 5 else 0.83) * gen.rng.uniform(0.9, 1.1)
        volume *= 1.1 if d // 7 == SPIKE_WEEK else 1.0
        for src in SOURCES:
            plants = plan.get((d, src.platform), [])
            items = gen.day_file(src, day, round(volume * src.share), plants, last=d == days - 1)
            path = out_dir / src.path.format(date=day.isoformat())
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(_serialize(src, items))
            files.append(path)
            per_source[src.name] += len(items)
    return GenerationManifest(
        files=files,
        records=sum(per_source.values()),
        malformed=sum(gen.reasons.values()),
        duplicates=gen.duplicates,
        per_source=dict(per_source),
        canaries=CANARIES if canaries else (),
        malformed_by_reason=dict(sorted(gen.reasons.items())),
        late_duplicates=gen.late_duplicates,
    )


def main(argv: list[str] | None = None) -> int:
    """Command line: write the demo files and print a one-line summary of counts."""
    parser = argparse.ArgumentParser(prog="listening-demo", description="Write the Port Alder demo data.")
    parser.add_argument("--out", type=Path, default=Path("data"), help="data folder (default: data)")
    parser.add_argument("--start", type=dt.date.fromisoformat, default=None, help="first day, YYYY-MM-DD")
    parser.add_argument("--days", type=int, default=42)
    parser.add_argument("--seed", type=int, default=20261)
    parser.add_argument("--no-canaries", action="store_true", help="leave the privacy canaries out")
    args = parser.parse_args(argv)
    if args.days < 1:
        parser.error("--days must be at least 1")
    start = args.start or default_start()
    m = generate(args.out, start=start, days=args.days, seed=args.seed, canaries=not args.no_canaries)
    split = ", ".join(f"{name} {count}" for name, count in m.per_source.items())
    print(
        f"demo data from {start}: {m.records} records in {len(m.files)} files ({split}); "
        f"{m.malformed} malformed, {m.duplicates} duplicates, {len(m.canaries)} canaries"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
