"""The person decision path: veto order and reasons, the gazetteer's provenance, the NER model's version in
the policy version, and the names a new user reported."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from listening.config import RedactionPolicy
from listening.privacy import person
from listening.privacy.engine import ner_model_version
from listening.privacy.person import vetoes
from listening.privacy.person.cues import hashtag_name
from listening.privacy.person.lexicon import NameLexicon
from listening.privacy.person.spans import shape
from listening.privacy.person.vetoes import VETOES, Candidate, veto
from listening.privacy.recognizers.base import make_result
from listening.privacy.redactor import Redactor, get_redactor, policy_version, versioned
from listening.privacy.vocabulary import DATA_PACKAGE, wordlist
from listening.settings import get_settings

DATA_DIR = Path(__file__).resolve().parents[2] / "listening" / "privacy" / "data"


def persons(redactor: Redactor, text: str) -> list[str]:
    return [text[e.start : e.end] for e in redactor.redact(text).entities if e.type == "PERSON"]


def test_package_docstring_states_the_decision_order() -> None:
    doc = person.__doc__ or ""
    steps = ["Case normalisation", "Detection", "Span trimming and widening", "Vetoes", "Allow-list", "Merge"]
    positions = [doc.find(step) for step in steps]
    assert all(p >= 0 for p in positions), positions
    assert positions == sorted(positions)


def test_vetoes_run_in_their_documented_order() -> None:
    names = [rule.__name__ for rule in VETOES]
    assert names == [
        "retweet_marker",
        "slang_or_split_word",
        "hashtag_not_a_name",
        "street_without_number",
        "date_word",
        "place_by_context",
        "topic_word",
        "everyday_word",
        "other_language",
    ]
    for rule in VETOES:
        assert inspect.getdoc(rule), f"{rule.__name__} explains itself"


@pytest.fixture(scope="module")
def lexicon(default_redactor: Redactor) -> NameLexicon:
    return default_redactor._person.lexicon


@pytest.mark.parametrize(
    ("text", "target", "rule", "reason"),
    [
        ("RT great news everyone", "RT", "retweet_marker", "retweet marker"),
        ("lol gonna be late again smh", "gon", "slang_or_split_word", "part of a longer word"),
        ("Really disappointed. #PortAlder", "PortAlder", "hashtag_not_a_name", "hashtag that is not a name"),
        (
            "Any update on Victoria Drive?",
            "Victoria Drive",
            "street_without_number",
            "street named without a number",
        ),
        ("Construction starts Monday", "Monday", "date_word", "weekday"),
        ("See you in January", "January", "date_word", "month"),
        ("Love the bus stop in Eastview.", "Eastview", "place_by_context", "after a place preposition"),
        ("Cars speeding on the road", "Cars", "everyday_word", "everyday word that is no name"),
        (
            "volevo una spalla su cui piangere stasera",
            "spalla",
            "other_language",
            "lower-case words of another language",
        ),
    ],
)
def test_each_veto_gives_its_reason(
    lexicon: NameLexicon, text: str, target: str, rule: str, reason: str
) -> None:
    start = text.index(target)
    candidate = Candidate(text, start, start + len(target), lexicon)
    assert getattr(vetoes, rule)(candidate) == reason
    assert veto(candidate) == reason  # no earlier veto claims it


def test_topic_words_come_from_the_program(lexicon: NameLexicon) -> None:
    text = "Snow clearing was late"
    plain = Candidate(text, 0, 4, lexicon)
    assert vetoes.topic_word(plain) is None
    programmed = Candidate(text, 0, 4, lexicon, terms=frozenset({"snow"}))
    assert vetoes.topic_word(programmed) == "topic word of the program"


def test_a_cue_keeps_a_name_against_the_context_vetoes(lexicon: NameLexicon) -> None:
    text = "Talked to Victoria about it in May"
    start = text.index("Victoria")
    assert veto(Candidate(text, start, start + len("Victoria"), lexicon)) is None
    text = "my friend April came by"
    assert veto(Candidate(text, 10, 15, lexicon)) is None


def test_gazetteer_files_name_source_and_licence() -> None:
    for name in ("first_names", "last_names", "proper_nouns", "name_words", "common_words"):
        head = (DATA_DIR / f"{name}.txt").read_text(encoding="utf-8").splitlines()[:12]
        header = "\n".join(line for line in head if line.startswith("#"))
        assert "Source:" in header, name
        assert "Licence:" in header, name
    assert len(wordlist("first_names")) > 20_000
    assert len(wordlist("last_names")) > 100_000
    # Multi-origin: names from many traditions are in the frozen lists.
    for first in ("siobhan", "chukwuemeka", "priya", "fatima", "hiroshi", "xin", "oluwaseun"):
        assert first in wordlist("first_names"), first
    for last in ("oconnor", "nguyen", "patel", "okafor", "tanaka", "zhang", "kumar"):
        assert last in wordlist("last_names"), last


def test_every_data_file_has_a_provenance_header() -> None:
    for path in sorted(DATA_DIR.glob("*.txt")):
        header = "\n".join(
            line for line in path.read_text(encoding="utf-8").splitlines()[:12] if line[:1] == "#"
        )
        assert "Source:" in header, path.name
        assert "Licence:" in header, path.name


def test_redactor_no_longer_reads_faker() -> None:
    source = "\n".join(
        p.read_text(encoding="utf-8") for p in (DATA_DIR.parent).rglob("*.py") if "models" not in p.parts
    )
    assert "faker" not in source.lower()
    assert DATA_PACKAGE == "listening.privacy.data"


def test_model_version_is_part_of_the_policy_version(tmp_path: Path) -> None:
    shipped = get_settings().ner_model
    meta = json.loads((Path(shipped) / "meta.json").read_text(encoding="utf-8"))
    assert meta["version"] == ner_model_version(shipped)
    assert Path(shipped).is_dir()
    size = sum(p.stat().st_size for p in Path(shipped).rglob("*") if p.is_file())
    assert size <= 25 * 1024 * 1024
    policy = RedactionPolicy(version="7")
    assert get_redactor(policy).policy_version == f"7+ner{meta['version']}"
    # Another model version is another policy version.
    bumped = tmp_path / "model"
    bumped.mkdir()
    (bumped / "meta.json").write_text(json.dumps({**meta, "version": "9.9.9"}), encoding="utf-8")
    ner_model_version.cache_clear()
    assert ner_model_version(str(bumped)) == "9.9.9"
    assert ner_model_version("") == ""
    assert len(f"{'x' * 16}+ner{meta['version']}") <= 32  # fits the redaction log's column
    assert policy_version(policy) == f"7+ner{meta['version']}"  # read without loading a model
    with pytest.raises(ValidationError):
        RedactionPolicy(version="x" * 17)  # with "+ner" and a model version it would not fit
    with pytest.raises(ValueError, match="longer than 12"):
        versioned(policy, "1.0.0-" + "9" * 10)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Octavia Pennywhistle called about the bus", "Octavia Pennywhistle"),
        ("Thanks to Siobhan O'Connor for the help", "Siobhan O'Connor"),
        ("Thanks to Siobhan O’Connor for the help", "Siobhan O’Connor"),
        ("Mark D'Arcy fixed the light", "Mark D'Arcy"),
        ("Met Chukwuemeka Eze at the library", "Chukwuemeka Eze"),
        ("Priya Ramaswamy reported the pothole", "Priya Ramaswamy"),
        ("Councillor Nguyen said the rink opens Monday", "Councillor Nguyen"),
        ("President Obama spoke today", "President Obama"),
        ("Talked to Dr. Okafor about the permit", "Dr. Okafor"),
    ],
)
def test_names_are_redacted_whole(default_redactor: Redactor, text: str, name: str) -> None:
    result = default_redactor.redact(text)
    assert name not in result.text
    start = text.index(name)
    assert any(
        e.type == "PERSON" and e.start <= start and start + len(name) <= e.end for e in result.entities
    )


@pytest.mark.parametrize(
    "text",
    [
        "Great forum post about the detour",
        "forum post: the detour is back",
        "Read the FORUM POST before asking",
        "RT @bob: the bus is late",
        "RT: great news about the rink",
        "rt this if the bus was late",
    ],
)
def test_everyday_words_and_rt_are_no_person(default_redactor: Redactor, text: str) -> None:
    assert persons(default_redactor, text) == []


def test_rt_is_cut_from_a_name(default_redactor: Redactor) -> None:
    text = "RT Lambert says the bus is late"
    assert "RT" in default_redactor.redact(text).text
    assert shape(text, 0, 10, default_redactor._person.lexicon) == (3, 10)


def test_name_seen_elsewhere_in_the_post(default_redactor: Redactor) -> None:
    text = "Stephen Harper spoke at noon. Later Harper left."
    assert "Harper" not in default_redactor.redact(text).text


def test_hashtag_that_spells_a_name(default_redactor: Redactor, lexicon: NameLexicon) -> None:
    assert hashtag_name("#JaneDoe", lexicon)
    assert hashtag_name("#marksanchez", lexicon)
    assert not hashtag_name("#PortAlder", lexicon)
    assert not hashtag_name("#snowday", lexicon)
    assert "JaneDoe" not in default_redactor.redact("so proud of #JaneDoe today").text


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("#JusticeForTamikaWright the city needs to answer", "TamikaWright"),
        ("#RIPJamalEdwards you made this community better", "JamalEdwards"),
        ("#ThankYouDrOsei for staying late at the clinic", "DrOsei"),
    ],
)
def test_a_name_inside_a_longer_hashtag_is_taken_alone(
    default_redactor: Redactor, text: str, name: str
) -> None:
    result = default_redactor.redact(text)
    assert name not in result.text
    tag = text.split(maxsplit=1)[0]
    assert result.text.startswith(tag[: tag.index(name)])  # "#JusticeFor" stays for the analysts


def test_hashtag_name_parts(lexicon: NameLexicon) -> None:
    from listening.privacy.person.cues import hashtag_name_parts

    assert hashtag_name_parts("#JusticeForJaneDoe", lexicon) == (10, 17)
    assert hashtag_name_parts("#SnowDayFun", lexicon) is None
    assert hashtag_name_parts("#FixTheRoads", lexicon) is None


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("shoutout li na for organising the snow shovel brigade", "li na"),
        ("SHOUT OUT TO MY GUY TUNDE FOR JUMPING MY CAR", "TUNDE"),
        ("Thank you to paramedic Ruiz and her partner", "Ruiz"),
        ("huge respect to nurse Yolanda in the ER last night", "Yolanda"),
        ("Bjørn and Astrid hosted the block party", "Bjørn"),
    ],
)
def test_cued_and_listed_names_in_any_case(default_redactor: Redactor, text: str, name: str) -> None:
    assert name not in default_redactor.redact(text).text


@pytest.mark.parametrize(
    "text",
    [
        "thanks for the update, the rink opens Monday",
        "shoutout to the snow plow crew on our street",
        "my neighbour says the bus was late again",
        "the lifeguard was great with the kids",
    ],
)
def test_a_cue_before_everyday_words_takes_nothing(default_redactor: Redactor, text: str) -> None:
    assert persons(default_redactor, text) == []


@pytest.mark.parametrize(
    ("text", "name", "kept"),
    [
        ("WHY DID DELACROIX CANCEL THE PARADE", "DELACROIX", "CANCEL"),
        ("kwame went to the rink", "kwame", "went"),
        ("JORDAN LITTLE AND I WAITED 40 MINUTES", "JORDAN LITTLE", "WAITED"),
    ],
)
def test_a_verb_is_cut_from_the_end_of_a_name_in_one_case(
    default_redactor: Redactor, text: str, name: str, kept: str
) -> None:
    result = default_redactor.redact(text)
    assert name not in result.text
    assert kept in result.text


@pytest.mark.parametrize(
    "text",
    [
        "The traffic light at Maple Avenue and Mill Lane is broken again",
        "took 2 hours to get through the detour on 5th ave today",
        "there are like 8 potholes between park lane and oak ave",
        "water main break on rue saint-denis near the 401",
        "21 years living on victoria drive and never seen it this bad",
        "5 BLOCKS OF VICTORIA DRIVE CLOSED FOR REPAVING UNTIL 16 DEC",
        "leafs won 7-2 last night!! yonge was packed after",
    ],
)
def test_streets_and_places_named_without_a_number_are_no_person(
    default_redactor: Redactor, text: str
) -> None:
    assert persons(default_redactor, text) == []


def test_a_first_name_in_a_handle_names_its_holder_elsewhere(default_redactor: Redactor) -> None:
    standing = [make_result("SOCIAL_HANDLE", 0, 13, 0.9, recognizer="t", identifier="t", how="t")]
    text = "@MarcoBellini no the rink is not open yet marco"
    assert default_redactor._person._handle_names(text, standing) == {"marco"}
    assert default_redactor._person._handle_names("@transitwatch the bus", standing) == set()
    assert "marco" not in default_redactor.redact(text).text
