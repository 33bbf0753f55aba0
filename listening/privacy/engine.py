"""Building Presidio engines: the spaCy model without its parser, the recognizer registry."""

from __future__ import annotations

import threading
from collections.abc import Callable

import spacy
from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry
from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
from spacy.language import Language

from listening.privacy.offline import make_presidio_offline

LANGUAGE = "en"

#: spaCy labels that are never personal identifiers here: analysts need places, organisations, dates.
IGNORED_NER_LABELS = (
    "ORG", "ORGANIZATION", "GPE", "LOC", "LOCATION", "FAC", "NORP", "NRP", "DATE", "TIME",
    "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT", "EVENT", "PRODUCT", "LAW",
    "LANGUAGE", "WORK_OF_ART", "MISC",
)  # fmt: skip

#: Presidio built-ins replaced by the project's own recognizers for the same entity.
REPLACED_BUILTINS = ("CaSinRecognizer", "CaPostalCodeRecognizer")


class ModelNotInstalledError(RuntimeError):
    """The spaCy model is not installed; the project never downloads one at run time."""


class LocalSpacyNlpEngine(SpacyNlpEngine):
    """Presidio's spaCy engine, loading an installed model without the parser and never downloading."""

    def load(self) -> None:
        """Load every configured model from the local installation."""
        loaded: dict[str, Language] = {}
        for model in self.models:
            name = model["model_name"]
            if not spacy.util.is_package(name):
                raise ModelNotInstalledError(f"spaCy model package {name!r} is not installed")
            # The parser only feeds sentence boundaries; NER and the lemmatizer do not need it.
            loaded[model["lang_code"]] = spacy.load(name, exclude=["parser", "senter"])
        self.nlp = loaded  # type: ignore[assignment]


def ner_configuration() -> NerModelConfiguration:
    """Only person names come from the NER model."""
    return NerModelConfiguration(
        model_to_presidio_entity_mapping={"PERSON": "PERSON", "PER": "PERSON"},
        labels_to_ignore=list(IGNORED_NER_LABELS),
        low_score_entity_names=[],
        default_score=0.85,
    )


def build_nlp_engine(model: str) -> LocalSpacyNlpEngine:
    """A loaded NLP engine for `model`."""
    engine = LocalSpacyNlpEngine(
        models=[{"lang_code": LANGUAGE, "model_name": model}],
        ner_model_configuration=ner_configuration(),
    )
    engine.load()
    return engine


_lock = threading.Lock()
_analyzers: dict[str, AnalyzerEngine] = {}


def build_analyzer(model: str, extra: Callable[[], list[EntityRecognizer]]) -> AnalyzerEngine:
    """An analyzer with Presidio's English recognizers plus `extra()`; one per model per process."""
    with _lock:
        cached = _analyzers.get(model)
        if cached is not None:
            return cached
        make_presidio_offline()
        nlp_engine = build_nlp_engine(model)
        registry = RecognizerRegistry(supported_languages=[LANGUAGE])
        registry.load_predefined_recognizers(languages=[LANGUAGE], nlp_engine=nlp_engine)
        for name in REPLACED_BUILTINS:
            if any(getattr(r, "name", None) == name for r in registry.recognizers):
                registry.remove_recognizer(name)
        for recognizer in extra():
            registry.add_recognizer(recognizer)
        analyzer = AnalyzerEngine(
            registry=registry,
            nlp_engine=nlp_engine,
            log_decision_process=False,
            supported_languages=[LANGUAGE],
        )
        _analyzers[model] = analyzer
        return analyzer
