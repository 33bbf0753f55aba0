from __future__ import annotations

from listening.config import Topic, load_program
from listening.enrich.sentiment import label_for, score
from listening.enrich.topics import TopicMatcher
from tests.support import DEMO_PROGRAM


def test_topics_match_whole_words_and_phrases() -> None:
    matcher = TopicMatcher(load_program(DEMO_PROGRAM).topics)
    assert matcher.assign("The BUS skipped my stop and the pothole on Main is huge") == ["transit", "roads"]
    assert matcher.assign("Boil   water advisory again") == ["water"]
    assert matcher.assign("A busy day, nothing else") == []
    assert matcher.assign("<PERSON> loves the new splash pad!") == ["parks"]


def test_topic_order_follows_taxonomy() -> None:
    matcher = TopicMatcher(
        [Topic(id="b_topic", label="B", phrases=["beta"]), Topic(id="a_topic", label="A", phrases=["alpha"])]
    )
    assert matcher.assign("alpha and beta") == ["b_topic", "a_topic"]


def test_sentiment_labels() -> None:
    assert score("I love the new bus route, great job!").label == "positive"
    assert score("The plows never came, this is terrible and dangerous").label == "negative"
    assert score("The council meets on Tuesday").label == "neutral"
    assert label_for(0.05) == "positive"
    assert label_for(-0.05) == "negative"
    assert label_for(0.0499) == "neutral"
