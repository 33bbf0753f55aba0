"""The project's redactor: Presidio plus the project's recognizers, batched, under a `RedactionPolicy`."""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from presidio_analyzer import AnalyzerEngine, RecognizerResult
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc

from listening.config import RedactionPolicy
from listening.privacy import windows
from listening.privacy.engine import LANGUAGE, build_analyzer, ner_model_version
from listening.privacy.person import PersonPath
from listening.privacy.person.lexicon import name_lexicon
from listening.privacy.person.vetoes import compact
from listening.privacy.recognizers import project_recognizers
from listening.privacy.recognizers.profile_urls import account_of
from listening.settings import get_settings


@dataclass(frozen=True)
class Entity:
    """One redacted span; offsets index the original text."""

    type: str
    start: int
    end: int
    score: float
    recognizer: str


@dataclass(frozen=True)
class Redacted:
    """A redacted text and what was taken out of it."""

    text: str
    entities: tuple[Entity, ...]


_ACCOUNT_TYPES = frozenset({"SOCIAL_HANDLE", "PROFILE_URL"})


def _recognizer_name(result: RecognizerResult) -> str:
    meta = result.recognition_metadata or {}
    return str(meta.get(RecognizerResult.RECOGNIZER_NAME_KEY, "unknown"))


class Redactor:
    """Finds personal identifiers in batches of texts and replaces them as the policy says."""

    def __init__(
        self,
        policy: RedactionPolicy,
        *,
        model: str | None = None,
        ner_model: str | None = None,
        terms: Sequence[str] = (),
    ) -> None:
        settings = get_settings()
        self.policy = policy
        self.model = model or settings.spacy_model
        self.ner_model = settings.ner_model if ner_model is None else ner_model
        self._analyzer: AnalyzerEngine = build_analyzer(self.model, project_recognizers, self.ner_model)
        supported = set(self._analyzer.get_supported_entities(language=LANGUAGE))
        self._entities = [e for e in dict.fromkeys(policy.entities) if e in supported]
        self._floor = min((policy.threshold(e) for e in self._entities), default=1.0)
        allowed = [a.strip() for a in policy.allow_list if a.strip()]
        self._allowed_values = {a.lower() for a in allowed}
        self._allowed_accounts = {a.lstrip("@").lower() for a in allowed}
        # "Port Alder" also allows "#PortAlder", "PortAlder" and "portalder".
        self._allowed_compact = {compact(a) for a in allowed if len(compact(a)) >= 4}
        self._allow_re = (
            re.compile(
                "|".join(rf"(?<!\w){re.escape(a)}(?!\w)" for a in sorted(allowed, key=len, reverse=True)),
                re.IGNORECASE,
            )
            if allowed
            else None
        )
        self._nlp = self._analyzer.nlp_engine.get_nlp(LANGUAGE)  # type: ignore[attr-defined]
        self._person = PersonPath(name_lexicon(self._nlp), terms)
        self._model_version = ner_model_version(self.ner_model)
        self._lock = threading.Lock()

    @property
    def policy_version(self) -> str:
        """The policy version recorded with every redaction: the policy's own version and the version of
        the NER model that found the names ("3+ner1.0.0"), so a new model is a new policy version."""
        return versioned(self.policy, self._model_version)

    @property
    def entity_types(self) -> tuple[str, ...]:
        """The entity types this redactor removes."""
        return tuple(self._entities)

    def redact(self, text: str) -> Redacted:
        """Redact one text (a batch of one)."""
        return self.redact_batch([text])[0]

    def redact_batch(self, texts: Sequence[str]) -> list[Redacted]:
        """Redact many texts in one spaCy pass; results are in input order."""
        if not texts:
            return []
        if not self._entities:
            return [Redacted(text=t, entities=()) for t in texts]
        nlp_engine = self._analyzer.nlp_engine
        # Long texts are analysed in overlapping windows (spaCy refuses texts over its `max_length`).
        size = min(windows.WINDOW_CHARS, self._nlp.max_length)
        pieces = windows.split(texts, size, min(windows.OVERLAP_CHARS, size // 2))
        prepared = [self._person.normalise(p.text) for p in pieces]
        batch_size = max(1, min(len(pieces), get_settings().redaction_batch_size))
        found: list[list[RecognizerResult]] = [[] for _ in texts]
        with self._lock:
            artifacts = nlp_engine.process_batch(prepared, LANGUAGE, batch_size=batch_size)
            for piece, (_, nlp_artifacts) in zip(pieces, artifacts, strict=True):
                results = self._analyzer.analyze(
                    text=piece.text,
                    language=LANGUAGE,
                    entities=self._entities,
                    score_threshold=self._floor,
                    nlp_artifacts=nlp_artifacts,
                )
                for r in self._keep(piece.text, results, nlp_artifacts.tokens):
                    r.start, r.end = r.start + piece.offset, r.end + piece.offset
                    found[piece.text_index].append(r)
        out: list[Redacted] = []
        for text, results in zip(texts, found, strict=True):
            entities = self._merge(text, results)
            out.append(Redacted(text=self._replace(text, entities), entities=entities))
        return out

    def _keep(
        self, text: str, results: list[RecognizerResult], doc: Doc | None = None
    ) -> list[RecognizerResult]:
        allowed_spans = (
            [m.span() for m in self._allow_re.finditer(text)] if self._allow_re is not None else []
        )
        scored = [r for r in results if r.score >= self.policy.threshold(r.entity_type)]
        kept = []
        for r in self._person.decide(text, scored, doc):
            value = text[r.start : r.end].strip()
            if value.lower() in self._allowed_values:
                continue
            if self._allowed_compact and self._compact_allowed(text, r.start, r.end):
                continue
            if allowed_spans and self._only_allowed(text, r.start, r.end, allowed_spans):
                continue
            if r.entity_type in _ACCOUNT_TYPES and self._allowed_accounts:
                account = account_of(value) if r.entity_type == "PROFILE_URL" else value.lstrip("@")
                if account is not None and account.lower() in self._allowed_accounts:
                    continue
            kept.append(r)
        return kept

    def _compact_allowed(self, text: str, start: int, end: int) -> bool:
        """The detection is, or lies inside, a hashtag or word that is an allowed name run together."""
        a, b = start, end
        while a > 0 and (text[a - 1].isalnum() or text[a - 1] in "#_"):
            a -= 1
        while b < len(text) and (text[b].isalnum() or text[b] == "_"):
            b += 1
        return compact(text[a:b]) in self._allowed_compact

    @staticmethod
    def _only_allowed(text: str, start: int, end: int, allowed: list[tuple[int, int]]) -> bool:
        """True when the detection is an allowed name plus, at most, a few everyday words."""
        if not any(a < end and start < b for a, b in allowed):
            return False
        outside = "".join(
            ch if not any(a <= i < b for a, b in allowed) else " "
            for i, ch in enumerate(text[start:end], start)
        )
        return all(w.lower() in STOP_WORDS for w in re.findall(r"\w+", outside))

    @staticmethod
    def _merge(text: str, results: list[RecognizerResult]) -> tuple[Entity, ...]:
        """Overlapping detections become one span, typed by the longest (then strongest) of them."""
        # Type and recognizer break ties: the analyzer's result order can differ between processes
        # (its recognizers sit in hashed sets), and a rerun must log the same recognizer.
        ordered = sorted(results, key=lambda r: (r.start, -r.end, r.entity_type, _recognizer_name(r)))
        groups: list[list[RecognizerResult]] = []
        end = -1
        for r in ordered:
            if groups and r.start < end:
                groups[-1].append(r)
                end = max(end, r.end)
            else:
                groups.append([r])
                end = r.end
        entities = []
        for group in groups:
            best = max(group, key=lambda r: (r.end - r.start, r.score))
            # A street named after a person ("Victor Hugo u. 49") is an address, however long the name.
            if {r.entity_type for r in group} == {"PERSON", "STREET_ADDRESS"}:
                best = max(
                    (r for r in group if r.entity_type == "STREET_ADDRESS"),
                    key=lambda r: (r.end - r.start, r.score),
                )
            entities.append(
                Entity(
                    type=best.entity_type,
                    start=min(r.start for r in group),
                    end=max(r.end for r in group),
                    score=round(float(best.score), 4),
                    recognizer=_recognizer_name(best),
                )
            )
        return tuple(entities)

    def _replace(self, text: str, entities: tuple[Entity, ...]) -> str:
        parts: list[str] = []
        cursor = 0
        for e in entities:
            parts.append(text[cursor : e.start])
            if self.policy.operator == "mask":
                parts.append("*" * (e.end - e.start))
            else:
                parts.append(f"<{e.type}>")
            cursor = e.end
        parts.append(text[cursor:])
        return "".join(parts)


_cache_lock = threading.Lock()
_redactors: dict[tuple[str, str, tuple[str, ...]], Redactor] = {}


def get_redactor(policy: RedactionPolicy, model: str | None = None, terms: Sequence[str] = ()) -> Redactor:
    """A process-wide redactor for this policy, model and topic vocabulary (engines are expensive)."""
    resolved = model or get_settings().spacy_model
    key = (policy.model_dump_json(), resolved, tuple(terms))
    with _cache_lock:
        redactor = _redactors.get(key)
        if redactor is None:
            redactor = Redactor(policy, model=resolved, terms=terms)
            _redactors[key] = redactor
        return redactor


def topic_terms(topics: Sequence[object]) -> tuple[str, ...]:
    """The words of a program's taxonomy (its topics' phrases): everyday words for the person vetoes."""
    return tuple(sorted({str(p) for t in topics for p in getattr(t, "phrases", ())}))


def versioned(policy: RedactionPolicy, model_version: str) -> str:
    """The policy version with the NER model's version after it ("3+ner1.0.0"; the policy's alone when no
    NER model is configured). At most 32 characters, the redaction log's column: the policy version is at
    most 16 (`RedactionPolicy.version`), a model version at most 12."""
    if not model_version:
        return policy.version
    if len(model_version) > 12:
        raise ValueError(f"NER model version {model_version!r} is longer than 12 characters")
    return f"{policy.version}+ner{model_version}"


def policy_version(policy: RedactionPolicy, ner_model: str | None = None) -> str:
    """The version a redactor under `policy` records now, without loading any model (the configured NER
    model's `meta.json` is read)."""
    model = get_settings().ner_model if ner_model is None else ner_model
    return versioned(policy, ner_model_version(model))
