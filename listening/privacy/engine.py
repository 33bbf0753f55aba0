"""Building Presidio engines: the spaCy model without its parser, the NER model, the recognizer registry."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import spacy
from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry
from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
from spacy.language import Language

from listening.privacy.offline import make_presidio_offline

# Presidio logs the words around a detection at DEBUG (its context enhancer): raw text. Its logger never
# goes below INFO, whatever level the root logger or Airflow's logging config asks for.
PRESIDIO_LOGGER = "presidio-analyzer"
logging.getLogger(PRESIDIO_LOGGER).setLevel(logging.INFO)

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


@cache
def ner_model_version(path: str) -> str:
    """The version in the NER model's `meta.json` ("" when no separate NER model is configured)."""
    if not path:
        return ""
    meta = Path(path) / "meta.json"
    if not meta.is_file():
        raise ModelNotInstalledError(f"NER model directory {path!r} has no meta.json")
    return str(json.loads(meta.read_text(encoding="utf-8")).get("version", ""))


class LocalSpacyNlpEngine(SpacyNlpEngine):
    """Presidio's spaCy engine, loading an installed model without the parser and never downloading.

    With `ner_model` (a directory), that pipeline's `ner` replaces the base model's: one NER pass, the
    base model's tagger and lemmatizer kept.
    """

    def __init__(self, *args: object, ner_model: str = "", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.ner_model = ner_model

    def load(self) -> None:
        """Load every configured model from the local installation."""
        loaded: dict[str, Language] = {}
        for model in self.models:
            name = model["model_name"]
            if not spacy.util.is_package(name):
                raise ModelNotInstalledError(f"spaCy model package {name!r} is not installed")
            # The parser only feeds sentence boundaries; NER and the lemmatizer do not need it.
            exclude = ["parser", "senter"] + (["ner"] if self.ner_model else [])
            nlp = spacy.load(name, exclude=exclude)
            if self.ner_model:
                if not (Path(self.ner_model) / "meta.json").is_file():
                    raise ModelNotInstalledError(f"NER model directory {self.ner_model!r} is not there")
                nlp.add_pipe("ner", source=spacy.load(self.ner_model))
            loaded[model["lang_code"]] = nlp
        self.nlp = loaded  # type: ignore[assignment]


def ner_configuration() -> NerModelConfiguration:
    """Only person names come from the NER model."""
    return NerModelConfiguration(
        model_to_presidio_entity_mapping={"PERSON": "PERSON", "PER": "PERSON"},
        labels_to_ignore=list(IGNORED_NER_LABELS),
        low_score_entity_names=[],
        default_score=0.85,
    )


def build_nlp_engine(model: str, ner_model: str = "") -> LocalSpacyNlpEngine:
    """A loaded NLP engine for `model` (its `ner` replaced by `ner_model`'s when given)."""
    engine = LocalSpacyNlpEngine(
        models=[{"lang_code": LANGUAGE, "model_name": model}],
        ner_model_configuration=ner_configuration(),
        ner_model=ner_model,
    )
    engine.load()
    return engine


_lock = threading.Lock()
_analyzers: dict[tuple[str, str], AnalyzerEngine] = {}


class OrderedRegistry(RecognizerRegistry):
    """Presidio's registry with its recognizers in name order.

    Presidio keeps one of two equal detections (same span, type and score) from different recognizers:
    the one asked first. Its registry hands recognizers out of a set, in an order that differs from one
    process to the next, so the redaction log's recognizer would differ between a run and its rerun.
    """

    def get_recognizers(self, *args: Any, **kwargs: Any) -> list[EntityRecognizer]:
        found = super().get_recognizers(*args, **kwargs)
        return sorted(found, key=lambda r: (str(getattr(r, "name", "")), type(r).__name__))


def build_analyzer(
    model: str, extra: Callable[[], list[EntityRecognizer]], ner_model: str = ""
) -> AnalyzerEngine:
    """An analyzer with Presidio's English recognizers plus `extra()`; one per model pair per process."""
    with _lock:
        cached = _analyzers.get((model, ner_model))
        if cached is not None:
            return cached
        make_presidio_offline()
        nlp_engine = build_nlp_engine(model, ner_model)
        registry = OrderedRegistry(supported_languages=[LANGUAGE])
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
        _analyzers[(model, ner_model)] = analyzer
        return analyzer
