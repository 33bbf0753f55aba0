"""Inline SVG charts for the reports: small multiples, stacked shares, a histogram. No script, no fetch.

Colours are the Okabe-Ito palette, safe for the common colour-vision deficiencies; every chart also
carries its numbers in <title> tooltips and, for suppressed weeks, a visible mark instead of a value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from listening.reports.formatting import number, percent

#: Okabe & Ito (2008), "Color Universal Design", without its yellow (too light for lines on white).
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
SENTIMENT = {"negative": "#D55E00", "neutral": "#B8B8B8", "positive": "#0072B2"}
SUPPRESSED = "#9a9a9a"
SPIKE = "#D55E00"
#: Shared SVG definitions, placed once per page (ids must be unique in a document).
DEFS = (
    "<svg width='0' height='0' style='position:absolute' aria-hidden='true'><defs>"
    "<pattern id='hatch' width='5' height='5' patternUnits='userSpaceOnUse' patternTransform='rotate(45)'>"
    "<line x1='0' y1='0' x2='0' y2='5' stroke='#bbb' stroke-width='2'/></pattern></defs></svg>"
)


@dataclass(frozen=True)
class Point:
    """One week of a series: a value, or suppressed (`value` None), optionally with an interval."""

    week: str
    value: float | None
    low: float | None = None
    high: float | None = None
    spike: bool = False
    suppressed: bool = False


def _short(week: str) -> str:
    return week.rsplit("-", 1)[-1]


def small_multiple(
    title: str, points: Sequence[Point], colour: str, *, top: float | None = None, width: int = 250,
    height: int = 150, fmt: str = "count",
) -> str:  # fmt: skip
    """One small line chart: the series, its 95% band, spikes ringed, suppressed weeks marked "s"."""
    pad_l, pad_r, pad_t, pad_b = 38, 10, 24, 24
    values = [p.high if p.high is not None else p.value for p in points if p.value is not None]
    top = top or max(values, default=1.0) or 1.0
    plot_w, plot_h = width - pad_l - pad_r, height - pad_t - pad_b
    step = plot_w / max(len(points) - 1, 1)
    show = percent if fmt == "share" else number

    def x(i: int) -> float:
        return pad_l + i * step

    def y(v: float) -> float:
        return pad_t + (1 - min(v, top) / top) * plot_h

    parts = [
        f"<svg class='sm' viewBox='0 0 {width} {height}' width='{width}' height='{height}' role='img' "
        f"aria-label='{escape(title)}'>",
        f"<text x='{pad_l}' y='14' class='sm-title'>{escape(title)}</text>",
        f"<line x1='{pad_l}' x2='{width - pad_r}' y1='{y(0):.1f}' y2='{y(0):.1f}' stroke='#ccc'/>",
        f"<text x='{pad_l - 4}' y='{y(top) + 4:.1f}' class='axis' text-anchor='end'>{show(top)}</text>",
        f"<text x='{pad_l - 4}' y='{y(0) + 4:.1f}' class='axis' text-anchor='end'>0</text>",
    ]
    if not points:
        parts.append(
            f"<text x='{pad_l + plot_w / 2:.1f}' y='{pad_t + plot_h / 2:.1f}' class='axis' "
            "text-anchor='middle'>no mentions in these weeks</text></svg>"
        )
        return "".join(parts)
    band = [(i, p) for i, p in enumerate(points) if p.low is not None and p.high is not None]
    if len(band) > 1:
        upper = " ".join(f"{x(i):.1f},{y(p.high or 0):.1f}" for i, p in band)
        lower = " ".join(f"{x(i):.1f},{y(p.low or 0):.1f}" for i, p in reversed(band))
        parts.append(f"<polygon points='{upper} {lower}' fill='{colour}' opacity='0.15'/>")
    segment: list[str] = []
    for i, p in enumerate([*points, None]):
        if p is None or p.value is None:
            if len(segment) > 1:
                parts.append(
                    f"<polyline fill='none' stroke='{colour}' stroke-width='2' points='{' '.join(segment)}'/>"
                )
            segment = []
            continue
        segment.append(f"{x(i):.1f},{y(p.value):.1f}")
    for i, p in enumerate(points):
        label = f"{escape(title)}, {escape(p.week)}"
        if p.value is None:
            parts.append(
                f"<text x='{x(i):.1f}' y='{y(0) - 10:.1f}' class='supp-mark' text-anchor='middle'>s"
                f"<title>{label}: suppressed</title></text>"
            )
            continue
        band_text = f" (95% {show(p.low)}–{show(p.high)})" if p.low is not None else ""
        tip = f"<title>{label}: {show(p.value)}{band_text}{' — spike' if p.spike else ''}</title>"
        if p.spike:
            parts.append(
                f"<circle cx='{x(i):.1f}' cy='{y(p.value):.1f}' r='6' fill='none' stroke='{SPIKE}' "
                f"stroke-width='2'/>"
            )
        parts.append(f"<circle cx='{x(i):.1f}' cy='{y(p.value):.1f}' r='2.8' fill='{colour}'>{tip}</circle>")
    for i in {0, len(points) - 1}:
        if points:
            parts.append(
                f"<text x='{x(i):.1f}' y='{height - 8}' class='axis' text-anchor='middle'>"
                f"{escape(_short(points[i].week))}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Shares:
    """One week's sentiment shares, or suppressed."""

    week: str
    negative: float | None
    neutral: float | None
    positive: float | None


def stacked_shares(title: str, weeks: Sequence[Shares], *, width: int = 250, height: int = 150) -> str:
    """Negative, neutral and positive shares per week as 100% stacked bars; suppressed weeks hatched."""
    pad_l, pad_r, pad_t, pad_b = 38, 10, 24, 24
    plot_w, plot_h = width - pad_l - pad_r, height - pad_t - pad_b
    slot = plot_w / max(len(weeks), 1)
    bar = max(slot * 0.72, 2.0)
    parts = [
        f"<svg class='sm' viewBox='0 0 {width} {height}' width='{width}' height='{height}' role='img' "
        f"aria-label='{escape(title)}'>",
        f"<text x='{pad_l}' y='14' class='sm-title'>{escape(title)}</text>",
        f"<text x='{pad_l - 4}' y='{pad_t + 4}' class='axis' text-anchor='end'>100%</text>",
        f"<text x='{pad_l - 4}' y='{pad_t + plot_h + 4}' class='axis' text-anchor='end'>0</text>",
    ]
    if not weeks:
        parts.append(
            f"<text x='{pad_l + plot_w / 2:.1f}' y='{pad_t + plot_h / 2:.1f}' class='axis' "
            "text-anchor='middle'>no mentions in these weeks</text></svg>"
        )
        return "".join(parts)
    for i, week in enumerate(weeks):
        x0 = pad_l + i * slot + (slot - bar) / 2
        if week.negative is None or week.neutral is None or week.positive is None:
            parts.append(
                f"<rect x='{x0:.1f}' y='{pad_t}' width='{bar:.1f}' height='{plot_h}' fill='url(#hatch)'>"
                f"<title>{escape(title)}, {escape(week.week)}: suppressed</title></rect>"
            )
            continue
        bottom = float(pad_t + plot_h)
        tip = (
            f"{escape(title)}, {escape(week.week)}: negative {percent(week.negative)}, "
            f"neutral {percent(week.neutral)}, "
            f"positive {percent(week.positive)}"
        )
        for name in ("negative", "neutral", "positive"):
            share = float(getattr(week, name))
            h = share * plot_h
            parts.append(
                f"<rect x='{x0:.1f}' y='{bottom - h:.1f}' width='{bar:.1f}' height='{h:.1f}' "
                f"fill='{SENTIMENT[name]}'><title>{tip}</title></rect>"
            )
            bottom -= h
    for i in {0, len(weeks) - 1}:
        if weeks:
            parts.append(
                f"<text x='{pad_l + (i + 0.5) * slot:.1f}' y='{height - 8}' class='axis' "
                "text-anchor='middle'>"
                f"{escape(_short(weeks[i].week))}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def bars(
    items: Sequence[tuple[str, int]], *, width: int = 520, height: int = 170, highlight_below: str = ""
) -> str:
    """A vertical bar chart (the score histogram): one bar per label, counts on top."""
    pad_l, pad_r, pad_t, pad_b = 10, 10, 18, 30
    plot_w, plot_h = width - pad_l - pad_r, height - pad_t - pad_b
    top = max((c for _, c in items), default=0) or 1
    slot = plot_w / max(len(items), 1)
    parts = [
        f"<svg class='chart' viewBox='0 0 {width} {height}' width='{width}' height='{height}' role='img' "
        "aria-label='histogram'>"
    ]
    for i, (label, count) in enumerate(items):
        h = float(count) / top * plot_h
        x0 = pad_l + i * slot + slot * 0.1
        colour = OKABE_ITO[1] if highlight_below and label < highlight_below else OKABE_ITO[0]
        parts.append(
            f"<rect x='{x0:.1f}' y='{pad_t + plot_h - h:.1f}' width='{slot * 0.8:.1f}' height='{h:.1f}' "
            f"fill='{colour}'><title>{escape(label)}: {count:,}</title></rect>"
            f"<text x='{x0 + slot * 0.4:.1f}' y='{pad_t + plot_h - h - 4:.1f}' class='axis' "
            f"text-anchor='middle'>{count:,}</text>"
            f"<text x='{x0 + slot * 0.4:.1f}' y='{height - 12}' class='axis' text-anchor='middle'>"
            f"{escape(label)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
