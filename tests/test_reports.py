from __future__ import annotations

import re

import pandas as pd

from listening.config import load_program
from listening.reports.html import analyst_report, line_chart, privacy_report
from listening.reports.weekly import TREND_COLUMNS, score_bucket
from tests.support import DEMO_PROGRAM


def _cell(
    week: str, topic: str, mentions: int | None, *, suppressed: bool = False, spike: bool = False
) -> dict:
    row = dict.fromkeys(TREND_COLUMNS)
    row.update(
        iso_week=week,
        week_start=None,
        topic=topic,
        source="all",
        suppressed=suppressed,
        suppression="primary" if suppressed else None,
        mentions=mentions,
        distinct_authors=None if suppressed else 40,
        spike=spike,
        noisy=False,
        status="released",
    )
    if not suppressed:
        row.update(positive_share=0.5, neutral_share=0.25, negative_share=0.25, mean_compound=0.1)
    return row


def test_analyst_report_is_self_contained_and_never_draws_suppressed_as_zero() -> None:
    program = load_program(DEMO_PROGRAM)
    history = pd.DataFrame(
        [
            _cell("2026-W40", "water", 120),
            _cell("2026-W41", "water", None, suppressed=True),
            _cell("2026-W42", "water", 480, spike=True),
            _cell("2026-W42", "transit", 90),
        ],
        columns=list(TREND_COLUMNS),
    )
    page = analyst_report(program, "2026-W42", history)
    assert not re.search(r"https?://|<script|<link|@import|src=", page)
    assert "<b>Spikes this week:</b> Water" in page
    assert "Water: 480" in page
    assert "Water: 0" not in page
    assert "Water: 120" in page


def test_line_chart_breaks_lines_at_gaps() -> None:
    svg = line_chart({"a": [1.0, None, 3.0, 4.0]}, ["w1", "w2", "w3", "w4"])
    assert svg.count("<polyline") == 1  # a lone point before the gap is a dot, not a line to zero
    assert svg.count("<circle") == 3


def test_privacy_report_escapes_and_lists_counts() -> None:
    review = {
        "program": "p",
        "iso_week": "2026-W42",
        "policy_version": "1",
        "k": 10,
        "nightly_runs": 7,
        "records_read": 100,
        "mentions_stored": 90,
        "residual_flags": 2,
        "entities_redacted": {"PERSON": 5},
        "recognizers": {"<script>": 1},
        "score_buckets": {"0.8-0.9": 5},
        "quarantined": {"invalid_json": 3},
        "cells": {"published": 9},
        "release": {"status": "released", "approved_by": "auto", "released_at": None, "manifest": {}},
    }
    page = privacy_report(review)
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "invalid_json" in page


def test_score_buckets() -> None:
    assert score_bucket(0.85) == "0.8-0.9"
    assert score_bucket(1.0) == "0.9-1.0"
    assert score_bucket(0.0) == "0.0-0.1"
