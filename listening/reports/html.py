"""Self-contained HTML reports: inline CSS and SVG, no scripts, nothing fetched from a network."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

import pandas as pd

from listening.config import ProgramConfig

PALETTE = ("#1b6ca8", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d6a9f", "#30343f", "#c17c74", "#52796f")
STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#222;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem}
.muted{color:#666}table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{padding:.3rem .5rem;border-bottom:1px solid #ddd;text-align:right}
th:first-child,td:first-child,th:nth-child(2),td:nth-child(2){text-align:left}
.supp{color:#999;font-style:italic}.spike{color:#b00020;font-weight:600}
.legend span{display:inline-block;margin-right:1rem}.swatch{display:inline-block;width:.8rem;height:.8rem;
margin-right:.3rem;vertical-align:middle}
"""


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>{body}</body></html>\n"
    )


def _num(value: Any, fmt: str = "{:,.0f}") -> str:
    return "" if value is None or pd.isna(value) else fmt.format(value)


def line_chart(
    series: dict[str, list[float | None]], labels: Sequence[str], width: int = 720, height: int = 260
) -> str:
    """An SVG line chart; gaps (None) stay gaps, so suppressed weeks are never drawn as zero."""
    pad_l, pad_r, pad_t, pad_b = 48, 36, 12, 28
    values = [v for vs in series.values() for v in vs if v is not None]
    top = max(values, default=1.0) or 1.0
    step = (width - pad_l - pad_r) / max(len(labels) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return pad_l + i * step, pad_t + (1 - v / top) * (height - pad_t - pad_b)

    parts = [f"<svg viewBox='0 0 {width} {height}' width='100%' role='img' aria-label='weekly mentions'>"]
    for frac in (0, 0.5, 1):
        y = pad_t + (1 - frac) * (height - pad_t - pad_b)
        parts.append(f"<line x1='{pad_l}' x2='{width - pad_r}' y1='{y:.1f}' y2='{y:.1f}' stroke='#eee'/>")
        parts.append(
            f"<text x='{pad_l - 6}' y='{y + 4:.1f}' font-size='11' text-anchor='end'>{top * frac:,.0f}</text>"
        )
    for i, label in enumerate(labels):
        x = pad_l + i * step
        parts.append(
            f"<text x='{x:.1f}' y='{height - 8}' font-size='11' text-anchor='middle'>{escape(label)}</text>"
        )
    for n, (name, vs) in enumerate(series.items()):
        colour = PALETTE[n % len(PALETTE)]
        segment: list[str] = []
        for i, v in enumerate([*vs, None]):
            if v is None:
                if len(segment) > 1:
                    points = " ".join(segment)
                    parts.append(
                        f"<polyline fill='none' stroke='{colour}' stroke-width='2' points='{points}'/>"
                    )
                segment = []
                continue
            x, y = xy(i, v)
            segment.append(f"{x:.1f},{y:.1f}")
            tip = f"<title>{escape(name)}: {v:,.0f}</title>"
            parts.append(f"<circle cx='{x:.1f}' cy='{y:.1f}' r='2.5' fill='{colour}'>{tip}</circle>")
    parts.append("</svg>")
    return "".join(parts)


def _legend(names: Sequence[str]) -> str:
    items = "".join(
        f"<span><i class='swatch' style='background:{PALETTE[n % len(PALETTE)]}'></i>{escape(name)}</span>"
        for n, name in enumerate(names)
    )
    return f"<p class='legend'>{items}</p>"


def _trend_table(frame: pd.DataFrame, labels: dict[str, str]) -> str:
    head = "<tr><th>topic</th><th>source</th><th>mentions</th><th>authors</th><th>positive</th>"
    head += "<th>neutral</th><th>negative</th><th>mean</th><th>week-over-week</th><th></th></tr>"
    rows = []
    for row in frame.to_dict("records"):
        topic = escape(labels.get(row["topic"], row["topic"]))
        source = escape("All sources" if row["source"] == "all" else row["source"])
        if row["suppressed"]:
            rows.append(
                f"<tr><td>{topic}</td><td>{source}</td>"
                f"<td class='supp' colspan='8'>suppressed ({escape(str(row['suppression']))})</td></tr>"
            )
            continue
        pct = "{:.0%}"
        rows.append(
            f"<tr><td>{topic}</td><td>{source}</td><td>{_num(row['mentions'])}</td>"
            f"<td>{_num(row['distinct_authors'])}</td><td>{_num(row['positive_share'], pct)}</td>"
            f"<td>{_num(row['neutral_share'], pct)}</td><td>{_num(row['negative_share'], pct)}</td>"
            f"<td>{_num(row['mean_compound'], '{:+.2f}')}</td><td>{_num(row['wow_change'], '{:+.0%}')}</td>"
            f"<td class='spike'>{'spike' if row['spike'] else ''}</td></tr>"
        )
    return f"<table>{head}{''.join(rows)}</table>"


def analyst_report(program: ProgramConfig, iso_week: str, history: pd.DataFrame) -> str:
    """The analyst's weekly page: released cells only, trends over the released weeks before it."""
    labels = {t.id: t.label for t in program.topics} | {"all": "All topics"}
    released = history[history["status"] == "released"]
    weeks = sorted(w for w in released["iso_week"].unique() if w <= iso_week)[-12:]
    totals = released[(released["source"] == "all") & (released["topic"] != "all")]
    series: dict[str, list[float | None]] = {}
    for topic in [t.id for t in program.topics]:
        cells = totals[totals["topic"] == topic].set_index("iso_week")
        series[labels[topic]] = [
            None
            if w not in cells.index or bool(cells.loc[w, "suppressed"])
            else float(cells.loc[w, "mentions"])
            for w in weeks
        ]
    this_week = released[released["iso_week"] == iso_week].sort_values(["source", "topic"])
    spikes = this_week[this_week["spike"].astype(bool) & (this_week["source"] == "all")]
    spike_text = ", ".join(escape(labels.get(t, t)) for t in spikes["topic"]) or "none"
    body = [
        f"<h1>{escape(program.title)}: week {escape(iso_week)}</h1>",
        f"<p class='muted'>Released cells only. A cell needs at least {program.privacy.k} distinct authors; "
        "smaller cells, and cells that would let one be recomputed, are suppressed.</p>",
        f"<p><b>Spikes this week:</b> {spike_text}</p>",
        "<h2>Mentions per topic, all sources</h2>",
        line_chart(series, weeks) if weeks else "<p>No released weeks yet.</p>",
        _legend(list(series)),
        "<h2>This week</h2>",
        _trend_table(this_week, labels) if len(this_week) else "<p>This week is not released yet.</p>",
        f"<p class='muted'>Purpose: {escape(program.governance.purpose)}</p>",
    ]
    return _page(f"{program.title} {iso_week}", "".join(body))


def privacy_report(review: dict[str, Any]) -> str:
    """The privacy officer's weekly page, from the same figures as privacy_review.json."""

    def table(title: str, counts: dict[str, Any]) -> str:
        rows = "".join(
            f"<tr><td>{escape(str(k))}</td><td>{escape(str(v))}</td></tr>" for k, v in counts.items()
        )
        return f"<h2>{escape(title)}</h2><table>{rows or '<tr><td>none</td><td></td></tr>'}</table>"

    release = review["release"]
    summary = {
        "policy version": review["policy_version"],
        "k": review["k"],
        "nightly runs": review["nightly_runs"],
        "records read": review["records_read"],
        "mentions stored": review["mentions_stored"],
        "residual flags (possible missed identifiers)": review["residual_flags"],
        "release status": release["status"],
        "approved by": release["approved_by"] or "",
        "released at": release["released_at"] or "",
    }
    body = [
        f"<h1>Privacy review: {escape(review['program'])}, week {escape(review['iso_week'])}</h1>",
        "<p class='muted'>Counts only: no redacted value is stored anywhere, so none can appear here.</p>",
        table("Summary", summary),
        table("Entities redacted, by type", review["entities_redacted"]),
        table("By recognizer", review["recognizers"]),
        table("By score", review["score_buckets"]),
        table("Quarantined records, by reason", review["quarantined"]),
        table("Trend cells", review["cells"]),
        table("Release manifest", release["manifest"]),
    ]
    return _page(f"Privacy review {review['program']} {review['iso_week']}", "".join(body))
