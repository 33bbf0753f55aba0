"""Nothing the redactor reads reaches a log, even when the root logger is at DEBUG."""

from __future__ import annotations

import logging

import pytest

from listening.privacy.redactor import Redactor

# A context word of Presidio's phone recognizer beside the number, so its context enhancer runs and
# (at DEBUG, unless silenced) logs the words around the detection.
TEXT = "Philomena Quarrington said her phone is 613-555-0187, near Tamsworth Crescent"
CANARIES = ("Philomena", "Quarrington", "613-555-0187", "Tamsworth", "philomena", "quarrington")


def test_presidio_debug_logging_carries_no_raw_text(
    redactor: Redactor, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):  # the root logger at DEBUG, as a debugging operator might set it
        result = redactor.redact(TEXT)
    assert result.entities, "the text has entities to find"
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert not [c for c in CANARIES if c in logged], "raw text reached a log record"
