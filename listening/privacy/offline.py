"""Keep Presidio and tldextract off the network: no public-suffix-list fetch, no model download."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

import tldextract

_lock = threading.Lock()
_extractor: dict[str, tldextract.TLDExtract] = {}


def offline_extractor() -> tldextract.TLDExtract:
    """A `TLDExtract` that reads only its bundled suffix snapshot and writes no cache."""
    with _lock:
        if "offline" not in _extractor:
            _extractor["offline"] = tldextract.TLDExtract(
                suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True
            )
        return _extractor["offline"]


def _extract(url: str, *args: Any, **kwargs: Any) -> Any:
    return offline_extractor()(url, *args, **kwargs)


def make_presidio_offline() -> None:
    """Point every module-level `tldextract` use in presidio_analyzer at the offline extractor.

    Idempotent; called when an engine is built, before any recognizer runs.
    """
    from presidio_analyzer.predefined_recognizers.generic import email_recognizer

    shim = SimpleNamespace(extract=_extract, TLDExtract=tldextract.TLDExtract)
    email_recognizer.tldextract = shim  # type: ignore[assignment]
    # Anything else calling the package-level helper gets the offline one too.
    tldextract.extract = _extract  # type: ignore[assignment]
