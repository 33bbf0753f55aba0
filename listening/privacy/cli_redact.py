"""`listening redact`: JSONL in, redacted JSONL out, one output line per input line, in order."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from typing import Any, BinaryIO, TextIO

from listening.config import RedactionPolicy
from listening.privacy.redactor import Entity, Redacted, Redactor, get_redactor

logger = logging.getLogger(__name__)


def _lines(stream: BinaryIO | TextIO) -> Iterator[bytes]:
    """Raw lines: bytes are read from the binary layer so invalid UTF-8 can be reported per line."""
    buffer = getattr(stream, "buffer", None)
    source: Any = buffer if buffer is not None else stream
    for line in source:
        yield line.encode("utf-8", "surrogatepass") if isinstance(line, str) else line


def _parse(raw: bytes) -> dict[str, Any] | str:
    """The record, or an error code."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "invalid_utf8"
    try:
        record = json.loads(line)
    except RecursionError:
        return "too_deeply_nested"
    except ValueError:
        return "invalid_json"
    if not isinstance(record, dict):
        return "not_an_object"
    if "text" not in record:
        return "missing_text"
    if not isinstance(record["text"], str):
        return "text_not_a_string"
    try:
        json.dumps(record, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return "invalid_unicode"
    except RecursionError:
        return "too_deeply_nested"
    return record


def _entity_json(e: Entity) -> dict[str, Any]:
    return {
        "type": e.type,
        "start": e.start,
        "end": e.end,
        "score": e.score,
        "recognizer": e.recognizer,
    }


def _redact_each(redactor: Redactor, texts: list[str]) -> list[Redacted | str]:
    """The batch redacted, or, when the batch fails, each text on its own (an error code for a failure).

    The error is logged by type only: its message may quote the text.
    """
    try:
        return list(redactor.redact_batch(texts))
    except Exception as exc:  # one bad text must not lose the batch
        logger.warning("batch of %d texts failed (%s); redacting one by one", len(texts), type(exc).__name__)
    out: list[Redacted | str] = []
    for text in texts:
        try:
            out.append(redactor.redact(text))
        except Exception as exc:
            logger.warning("a text failed to redact (%s)", type(exc).__name__)
            out.append("redaction_failed")
    return out


def redact_stream(
    stdin: BinaryIO | TextIO,
    stdout: TextIO,
    policy: RedactionPolicy,
    batch_size: int = 64,
    terms: Sequence[str] = (),
) -> dict[str, int]:
    """Redact a JSONL stream; returns counts: lines, redacted, errors, entities.

    `terms` are the program's topic words (`topic_terms(program.topics)`), as the nightly stage uses them.
    """
    redactor = get_redactor(policy, terms=terms)
    counts = {"lines": 0, "redacted": 0, "errors": 0, "entities": 0}
    pending: list[dict[str, Any] | str] = []

    def flush() -> None:
        records = [p for p in pending if isinstance(p, dict)]
        results = iter(_redact_each(redactor, [r["text"] for r in records]))
        for item in pending:
            redacted = next(results) if isinstance(item, dict) else item
            if isinstance(redacted, str) or not isinstance(item, dict):
                stdout.write(json.dumps({"error": redacted if isinstance(redacted, str) else item}) + "\n")
                counts["errors"] += 1
                continue
            out = dict(item)
            out["text"] = redacted.text
            out["entities"] = [_entity_json(e) for e in redacted.entities]
            stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
            counts["redacted"] += 1
            counts["entities"] += len(redacted.entities)
        pending.clear()

    for raw in _lines(stdin):
        counts["lines"] += 1
        pending.append(_parse(raw) if raw.strip() else "empty_line")
        if len(pending) >= max(1, batch_size):
            flush()
    flush()
    stdout.flush()
    logger.info(
        "redacted %d lines (%d errors, %d entities)",
        counts["lines"],
        counts["errors"],
        counts["entities"],
    )
    return counts
