"""Self-contained HTML reports: inline CSS and SVG, no scripts, nothing fetched from a network."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

import pandas as pd

from listening.config import ProgramConfig
from listening.periods import week_start
from listening.reports import charts
from listening.reports.exports import ordered
from listening.reports.formatting import (
    DASH,
    missing,
    number,
    percent,
    points,
    signed,
    signed_percent,
)

STYLE = """
:root{--ink:#1d1d1f;--muted:#5f6368;--line:#e3e3e3;--bg:#fafafa;--accent:#0072B2;--warn:#D55E00}
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:var(--ink);background:#fff}
main{max-width:1180px;margin:0 auto;padding:1.5rem 1.25rem 3rem}h1{font-size:1.6rem;margin:.2rem 0}
h2{font-size:1.2rem;margin:2.2rem 0 .4rem;padding-top:.4rem;border-top:1px solid var(--line)}
h3{font-size:1rem;margin:1.2rem 0 .3rem}.muted{color:var(--muted)}.small{font-size:.85rem}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));gap:.7rem;margin:1rem 0}
.card{background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:.7rem .8rem}
.card b{display:block;font-size:1.45rem;font-variant-numeric:tabular-nums}
.card.text b{font-size:1.05rem}.card>span{color:var(--muted);font-size:.85rem}
table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem;font-variant-numeric:tabular-nums}
th,td{padding:.28rem .5rem;border-bottom:1px solid var(--line);text-align:right;vertical-align:top}
th{font-size:.8rem;color:var(--muted);font-weight:600;background:var(--bg)}th.l,td.l{text-align:left}table.kv{width:auto;min-width:28rem}
.supp{color:#6b6b6b;font-style:italic}.sig{font-weight:700}.up{color:#9a3b00}.down{color:#00557f}
.spike{color:var(--warn);font-weight:700}
.tag{display:inline-block;padding:0 .35rem;border-radius:4px;font-size:.78rem;background:#eee}
.tag.warn{background:#fbe3d4;color:#7a2e00}.tag.ok{background:#dcefe6;color:#0b5d3b}
.grid{display:flex;flex-wrap:wrap;gap:.6rem}
.sm{background:#fff;border:1px solid var(--line);border-radius:6px}
.sm-title{font-size:12px;font-weight:600;fill:var(--ink)}.axis{font-size:10px;fill:var(--muted)}
.supp-mark{font-size:11px;fill:#6b6b6b;font-style:italic}
.legend{display:flex;gap:1rem;flex-wrap:wrap;font-size:.85rem;color:var(--muted);margin:.3rem 0}
.sw{display:inline-block;width:.8rem;height:.8rem;border-radius:2px;margin-right:.3rem;vertical-align:-1px}
.sw.hatch{background:repeating-linear-gradient(45deg,#bbb 0 2px,#fff 2px 5px)}
mark{background:#fff1c2;padding:0 .15rem;border-radius:3px}
.ctx{font-family:ui-monospace,monospace;font-size:.85rem}
footer{margin-top:2.5rem;color:var(--muted);font-size:.85rem;border-top:1px solid var(--line);
padding-top:.8rem}
"""


def page(title: str, body: str) -> str:
    """A whole HTML document with the shared style; nothing in it loads from anywhere."""
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body>{charts.DEFS}<main>{body}</main></body></html>\n"
    )


@dataclass(frozen=True)
class Column:
    title: str
    left: bool = False


def table(columns: Sequence[Column], rows: Iterable[Sequence[str]], *, empty: str = "none") -> str:
    """A table of already-escaped cell HTML."""
    head = "".join(f"<th class='{'l' if c.left else ''}'>{escape(c.title)}</th>" for c in columns)
    body = []
    for row in rows:
        cells = "".join(
            f"<td class='{'l' if c.left else ''}'>{cell}</td>" for c, cell in zip(columns, row, strict=False)
        )
        body.append(f"<tr>{cells}</tr>")
    if not body:
        body.append(f"<tr><td class='l muted' colspan='{len(columns)}'>{escape(empty)}</td></tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def card(value: str, label: str, *, small: bool = False) -> str:
    return f"<div class='card{' text' if small else ''}'><b>{value}</b><span>{label}</span></div>"


# --- the analyst report -----------------------------------------------------------------------------


def _approval(release: dict[str, Any]) -> str:
    who = release.get("approved_by")
    if who == "auto":
        return "automatically (the program allows automatic release)"
    return f"approved by {escape(str(who or DASH))}"


SUPPRESSED_TEXT = "<span class='supp'>suppressed</span>"


def _interval(low: Any, high: Any, fmt: str = "count") -> str:
    if missing(low) or missing(high):
        return ""
    show = percent if fmt == "share" else number
    return f"<span class='muted small'> ({show(low)}–{show(high)})</span>"


def _change(value: Any, significant_: Any, *, fmt: str = "relative") -> str:
    if missing(value):
        return DASH
    text = signed_percent(value) if fmt == "relative" else points(value)
    if significant_ is True:
        direction = "up" if float(value) > 0 else "down"
        return f"<span class='sig {direction}' title='95% intervals do not overlap'>{escape(text)} ●</span>"
    return f"<span title='within noise: the 95% intervals overlap'>{escape(text)}</span>"


def _spike(row: dict[str, Any]) -> str:
    z = row.get("spike_z")
    if row.get("spike") is True:
        return f"<span class='spike'>spike</span> <span class='muted small'>z {signed(z, 1)}</span>"
    return "" if missing(z) else f"<span class='muted small'>z {signed(z, 1)}</span>"


def _weeks_label(iso_week: str) -> str:
    start = week_start(iso_week)
    end = start + pd.Timedelta(days=6)
    return f"{start:%d %b} – {end:%d %b %Y}"


def _topic_rows(week: pd.DataFrame) -> list[list[str]]:
    rows = []
    for row in week.to_dict("records"):
        label = escape(str(row["topic_label"]))
        if row["suppressed"]:
            rows.append([label, SUPPRESSED_TEXT, "", "", "", "", ""])
            continue
        rows.append(
            [
                label,
                number(row["mentions"]) + _interval(row["mentions_low"], row["mentions_high"]),
                number(row["previous_mentions"]),
                _change(row["wow_change"], row["wow_significant"]),
                percent(row["negative_share"])
                + _interval(row["negative_low"], row["negative_high"], "share"),
                _change(row["negative_change"], row["negative_change_significant"], fmt="points"),
                _spike(row),
            ]
        )
    return rows


TOPIC_COLUMNS = (
    Column("topic", left=True),
    Column("mentions (95% interval)"),
    Column("last week"),
    Column("change"),
    Column("negative share (95% interval)"),
    Column("change"),
    Column("spike"),
)


def _series(history: pd.DataFrame, topic: str, source: str, weeks: Sequence[str]) -> pd.DataFrame:
    cells = history[(history["topic"] == topic) & (history["source"] == source)]
    return cells.set_index("iso_week").reindex(list(weeks))


def _volume_points(frame: pd.DataFrame) -> list[charts.Point]:
    pts = []
    for week, row in frame.iterrows():
        if missing(row["suppressed"]):
            continue  # a week with no released row for this cell (not released): nothing to draw
        if bool(row["suppressed"]):
            pts.append(charts.Point(str(week), None, suppressed=True))
            continue
        pts.append(
            charts.Point(
                str(week),
                float(row["mentions"]),
                low=float(row["mentions_low"]),
                high=float(row["mentions_high"]),
                spike=row["spike"] is True,
            )
        )
    return pts


def _share_bars(frame: pd.DataFrame) -> list[charts.Shares]:
    out = []
    for week, row in frame.iterrows():
        if missing(row["suppressed"]):
            continue
        if bool(row["suppressed"]) or missing(row["negative_share"]):
            out.append(charts.Shares(str(week), None, None, None))
        else:
            out.append(
                charts.Shares(
                    str(week),
                    float(row["negative_share"]),
                    float(row["neutral_share"]),
                    float(row["positive_share"]),
                )
            )
    return out


def _terms_table(terms: pd.DataFrame, k: int) -> str:
    if terms.empty:
        return f"<p class='muted'>No term rose this week among terms at least {k} distinct authors used.</p>"
    has_baseline = bool(terms["baseline_weeks"].max() > 0)
    rows = []
    for row in terms.to_dict("records"):
        baseline = row["baseline_share"]
        if missing(baseline):
            against = DASH
        elif float(baseline) == 0:
            against = "new"
        else:
            against = f"×{float(row['share']) / float(baseline):.1f}"
        rows.append(
            [
                str(row["rank"]),
                f"<b>{escape(str(row['term']))}</b>",
                escape(str(row["kind"])),
                number(row["distinct_authors"]),
                number(row["mentions"]),
                percent(row["share"], 1),
                percent(baseline, 1) if has_baseline else DASH,
                against,
            ]
        )
    cols = (
        Column("#"),
        Column("term", left=True),
        Column("kind", left=True),
        Column("authors"),
        Column("mentions"),
        Column("share this week"),
        Column("trailing share"),
        Column("rise"),
    )
    return table(cols, rows)


def analyst_report(
    program: ProgramConfig,
    iso_week: str,
    history: pd.DataFrame,
    *,
    terms: pd.DataFrame,
    untagged_terms: pd.DataFrame,
    release: dict[str, Any],
) -> str:
    """The analyst's weekly page, from export rows (`exports.enrich`) of released weeks only."""
    settings = program.trends
    k = program.privacy.k
    weeks = sorted(w for w in history["iso_week"].unique() if w <= iso_week)[-settings.report_weeks :]
    history = history[history["iso_week"].isin(weeks)]
    week = ordered(history[history["iso_week"] == iso_week], program)
    totals = week[week["source"] == "all"]
    overall = totals[totals["topic"] == "all"]
    topics = [t.id for t in program.topics] + ["none"]
    by_topic = totals.set_index("topic").reindex(topics).reset_index()
    by_topic = by_topic[by_topic["suppressed"].notna()]
    head = overall.iloc[0].to_dict() if len(overall) else {}
    none_row = totals[totals["topic"] == "none"]
    coverage = (
        float(none_row.iloc[0]["mentions"]) / float(head["mentions"])
        if len(none_row)
        and not bool(none_row.iloc[0]["suppressed"])
        and head
        and not missing(head.get("mentions"))
        else None
    )
    spikes = [
        str(r["topic_label"]) for r in totals.to_dict("records") if r["spike"] is True and r["topic"] != "all"
    ]

    body: list[str] = [
        f"<p class='muted small'>{escape(program.title)} · analyst report</p>",
        f"<h1>Week {escape(iso_week)} <span class='muted'>({_weeks_label(iso_week)})</span></h1>",
        f"<p class='muted'>Released {_moment(release.get('released_at'))}, {_approval(release)}. "
        "Released cells only: a cell "
        f"needs at least {k} distinct authors; smaller cells, and cells that would let one be "
        "recomputed, read <i>suppressed</i>."
        + (" Counts carry differential-privacy noise." if bool(week["noisy"].any()) else "")
        + "</p>",
    ]
    if head and not head.get("suppressed"):
        body.append(
            "<div class='cards'>"
            + card(number(head["mentions"]), "mentions, all topics and sources")
            + card(_change(head["wow_change"], head["wow_significant"]), "change from last week")
            + card(number(head["distinct_authors"]), "distinct authors")
            + card(percent(head["negative_share"]), "negative share")
            + card(percent(coverage) if coverage is not None else DASH, "mentions matching no topic")
            + card(escape(", ".join(spikes)) if spikes else "none", "spikes", small=bool(spikes))
            + "</div>"
        )
    body += [
        "<h2>What changed this week</h2>",
        "<p class='muted small'>All sources. Changes marked ● are significant: the two weeks' 95% intervals "
        "(Poisson for counts, Wilson for shares) do not overlap. Others are within week-to-week noise. "
        f"A spike is a z-score of at least {settings.spike_z_threshold:g} against the trailing "
        f"{settings.spike_window_weeks} released weeks (at least {settings.spike_min_weeks} needed).</p>",
        table(TOPIC_COLUMNS, _topic_rows(by_topic)),
        f"<h2>Mentions per topic, last {len(weeks)} released weeks</h2>",
        "<div class='legend'>"
        "<span><i class='sw' style='background:#0072B2;opacity:.3'></i>95% interval</span>"
        f"<span><i class='sw' style='border:2px solid {charts.SPIKE}'></i>spike</span>"
        "<span><i>s</i> suppressed (fewer than k authors): no value, never zero</span></div>",
        "<div class='grid'>",
    ]
    for n, topic in enumerate(topics):
        series = _series(history, topic, "all", weeks)
        body.append(
            charts.small_multiple(
                program.topic_label(topic),
                _volume_points(series),
                charts.OKABE_ITO[n % len(charts.OKABE_ITO)],
            )
        )
    body += [
        "</div>",
        "<h2>Sentiment per topic</h2>",
        "<div class='legend'>"
        + "".join(
            f"<span><i class='sw' style='background:{c}'></i>{name}</span>"
            for name, c in charts.SENTIMENT.items()
        )
        + "<span><i class='sw hatch'></i>suppressed</span></div><div class='grid'>",
    ]
    for topic in ["all", *topics]:
        body.append(
            charts.stacked_shares(
                program.topic_label(topic), _share_bars(_series(history, topic, "all", weeks))
            )
        )
    body.append("</div>")

    body += [
        "<h2>Emerging terms</h2>",
        "<p class='muted small'>Words, hashtags and two-word phrases whose share of mentions rose most "
        f"against the trailing {settings.spike_window_weeks} released weeks, where the rise is significant "
        "(the 95% Wilson intervals of this week's share and the trailing share do not overlap). Only terms "
        f"that at least {k} distinct authors used this week, that pass the residual scan and that the "
        "redactor does not take for a name or handle.</p>",
        _terms_table(terms, k),
        "<h2>Topic coverage</h2>",
        "<p>"
        + (
            f"<b>{percent(coverage)}</b> of this week's mentions matched no topic of the taxonomy."
            if coverage is not None
            else "The share of mentions matching no topic is suppressed this week."
        )
        + " Terms rising among them are candidates for new topic phrases:</p>",
        _terms_table(untagged_terms, k),
        "<h2>By source</h2>",
    ]
    sources = week[(week["topic"] == "all") & (week["source"] != "all")]
    source_rows = []
    for row in sources.to_dict("records"):
        label = escape(str(row["source_label"]))
        if row["suppressed"]:
            source_rows.append([label, SUPPRESSED_TEXT, "", "", "", "", ""])
            continue
        source_rows.append(
            [
                label,
                number(row["mentions"]) + _interval(row["mentions_low"], row["mentions_high"]),
                number(row["distinct_authors"]),
                _change(row["wow_change"], row["wow_significant"]),
                percent(row["negative_share"]),
                percent(row["positive_share"]),
                _spike(row),
            ]
        )
    body.append(
        table(
            (
                Column("source", left=True),
                Column("mentions (95% interval)"),
                Column("authors"),
                Column("change"),
                Column("negative"),
                Column("positive"),
                Column("spike"),
            ),
            source_rows,
        )
    )
    body.append("<h2>Every cell this week</h2>")
    cell_rows = []
    for row in week.to_dict("records"):
        first = [escape(str(row["topic_label"])), escape(str(row["source_label"]))]
        if row["suppressed"]:
            cell_rows.append(
                [
                    *first,
                    SUPPRESSED_TEXT
                    + f" <span class='muted small'>({escape(str(row['suppression']))})</span>",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                ]
            )
            continue
        cell_rows.append(
            [
                *first,
                number(row["mentions"]),
                number(row["distinct_authors"]),
                percent(row["positive_share"]),
                percent(row["neutral_share"]),
                percent(row["negative_share"]),
                signed(row["mean_compound"]),
                _change(row["wow_change"], row["wow_significant"]),
            ]
        )
    body.append(
        table(
            (
                Column("topic", left=True),
                Column("source", left=True),
                Column("mentions"),
                Column("authors"),
                Column("positive"),
                Column("neutral"),
                Column("negative"),
                Column("mean score"),
                Column("change"),
            ),
            cell_rows,
        )
    )
    body.append(
        "<footer>"
        f"Purpose: {escape(program.governance.purpose)}<br>"
        "Exports with the same cells: trends.csv and trends.parquet (columns in "
        "schemas/trend_row.schema.json); "
        "emerging terms: terms.csv and terms.parquet (schemas/emerging_term.schema.json). "
        "Mean score is VADER's compound score, -1 to +1."
        "</footer>"
    )
    return page(f"{program.title}: week {iso_week}", "".join(body))


# --- the privacy review -----------------------------------------------------------------------------


def _kv(rows: Iterable[tuple[str, str]]) -> str:
    """A two-column table of labels and values, as wide as it needs to be."""
    body = "".join(f"<tr><td class='l'>{escape(k)}</td><td>{v}</td></tr>" for k, v in rows)
    return f"<table class='kv'><tbody>{body}</tbody></table>"


def _moment(value: Any) -> str:
    """An ISO timestamp as "2026-11-25 12:56 UTC"; a dash when missing."""
    if missing(value) or not value:
        return DASH
    return f"{str(value)[:16].replace('T', ' ')} UTC"


def _change_cell(change: int) -> str:
    if change == 0:
        return "0"
    return f"{change:+,}"


def privacy_report(review: dict[str, Any]) -> str:
    """The privacy officer's weekly page, from the same dict as privacy_review.json."""
    a = review["accounting"]
    release = review["release"]
    status = str(release["status"])
    status_tag = {"released": "ok", "rejected": "warn", "pending": "warn"}.get(status, "")
    balanced = (
        "<span class='tag ok'>balanced</span>"
        if a["balanced"]
        else "<span class='tag warn'>does not add up</span>"
    )
    body: list[str] = [
        f"<p class='muted small'>{escape(review['title'])} · privacy review</p>",
        f"<h1>Week {escape(review['iso_week'])} <span class='muted'>({escape(review['week_start'])} to "
        f"{escape(review['week_end'])})</span></h1>",
        f"<p>Release: <span class='tag {status_tag}'>{escape(status)}</span> · policy version "
        f"{escape(str(review['policy_version']))} · k = {review['k']} · generated "
        f"{_moment(review['generated_at'])}</p>",
        "<p class='muted small'>Counts only: no redacted value is stored anywhere, so none can appear here. "
        "Low-confidence detections are shown as the redacted text around them.</p>",
        "<div class='cards'>"
        + card(number(a["read"]), "records read (latest run of each day)")
        + card(number(a["stored"]), "stored")
        + card(number(a["duplicates"]), "duplicates")
        + card(number(a["quarantined"]), "quarantined")
        + card(number(review["entities"]["total"]), "entities redacted")
        + card(number(review["residual"]["findings"]), "residual-scan findings")
        + "</div>",
        "<h2>Accounting</h2>",
        f"<p>read {number(a['read'])} = stored {number(a['stored'])} + "
        f"duplicates {number(a['duplicates'])} + "
        f"quarantined {number(a['quarantined'])} {balanced}. Each day counts its latest run only; a re-run "
        f"finds the earlier run's records as duplicates. Mentions of the week in the database: "
        f"{number(a['mentions_in_database'])}.</p>",
        table(
            (
                Column("day", left=True),
                Column("runs"),
                Column("latest run", left=True),
                Column("read"),
                Column("stored"),
                Column("duplicates"),
                Column("quarantined"),
            ),
            (
                [
                    escape(d["day"]),
                    str(d["runs"]),
                    escape(d["latest_run"] or "no run"),
                    number(d["read"]),
                    number(d["stored"]),
                    number(d["duplicates"]),
                    number(d["quarantined"]),
                ]
                for d in a["days"]
            ),
        ),
    ]
    entity_cols = (Column("", left=True), Column("this week"), Column("last week"), Column("change"))
    body += [
        "<h2>Entities redacted</h2>",
        "<h3>By type</h3>",
        table(
            entity_cols,
            (
                [escape(e["type"]), number(e["count"]), number(e["last_week"]), _change_cell(e["change"])]
                for e in review["entities"]["by_type"]
            ),
        ),
        "<h3>By recognizer</h3>",
        table(
            entity_cols,
            (
                [
                    escape(e["recognizer"]),
                    number(e["count"]),
                    number(e["last_week"]),
                    _change_cell(e["change"]),
                ]
                for e in review["entities"]["by_recognizer"]
            ),
        ),
        "<h2>Detection scores</h2>",
        "<p class='muted small'>Redactions by detection score. Bars below "
        f"{review['scores']['low_confidence_below']} "
        f"(orange) are low-confidence: {number(review['scores']['low_confidence'])} this week.</p>",
        charts.bars(
            [(h["bucket"], int(h["count"])) for h in review["scores"]["histogram"]],
            highlight_below=f"{review['scores']['low_confidence_below']:.1f}",
        ),
        "<h2>Low-confidence detections</h2>",
    ]
    low = review["low_confidence"]
    if low["examples"]:
        body.append(
            f"<p class='muted small'>The {low['shown']} lowest-scoring detections of the week, as the "
            "redacted text "
            "around them (the value itself was never stored). Was the redactor right to take it out?</p>"
        )
        body.append(
            table(
                (
                    Column("type", left=True),
                    Column("score"),
                    Column("recognizer", left=True),
                    Column("context", left=True),
                ),
                (
                    [
                        escape(e["entity_type"]),
                        f"{e['score']:.2f}",
                        escape(e["recognizer"]),
                        f"<span class='ctx'>{escape(e['before'])} <mark>{escape(e['placeholder'])}</mark> "
                        f"{escape(e['after'])}</span>",
                    ]
                    for e in low["examples"]
                ),
            )
        )
    else:
        body.append(
            f"<p class='muted'>No detection scored below {low['below']} in a text still kept "
            "(texts are erased after the retention window).</p>"
        )
    res = review["residual"]
    body += [
        "<h2>Residual scan</h2>",
        "<p class='muted small'>A stricter pattern pass over the stored, redacted text: what still "
        "looks like "
        f"contact or ID data. {number(res['mentions_flagged'])} mentions flagged.</p>",
        _kv(
            [(kind, number(count)) for kind, count in res["by_kind"].items()]
            + ([("text already erased", number(res["text_erased"]))] if res["text_erased"] else [])
        ),
        "<h2>Quarantine</h2>",
        _kv([(reason, number(count)) for reason, count in review["quarantine"]["by_reason"].items()])
        if review["quarantine"]["by_reason"]
        else "<p class='muted'>Nothing quarantined.</p>",
        "<h2>Sources</h2>",
    ]
    src = review["sources"]
    body.append(
        table(
            (Column("source", left=True), Column("days collected"), Column("missing"), Column("failed")),
            (
                [escape(s["label"]), str(s["collected"]), str(s["missing"]), str(s["failed"])]
                for s in src["per_source"]
            ),
        )
    )
    problems = src["failed"] + src["missing"]
    if problems:
        body.append(
            table(
                (
                    Column("day", left=True),
                    Column("source", left=True),
                    Column("status", left=True),
                    Column("reason", left=True),
                ),
                (
                    [escape(p["day"]), escape(p["label"]), escape(p["status"]), escape(p["reason"])]
                    for p in sorted(problems, key=lambda p: (p["day"], p["label"]))
                ),
            )
        )
    else:
        body.append("<p class='muted'>Every source delivered data on every day with a run.</p>")
    if a["days_without_run"]:
        body.append(
            f"<p><span class='tag warn'>no nightly run</span> {escape(', '.join(a['days_without_run']))}</p>"
        )
    cells = review["cells"]
    budget = review["privacy_budget"]
    body += [
        "<h2>Disclosure control</h2>",
        _kv(
            [
                ("cells", number(cells["total"])),
                ("published", number(cells["published"])),
                (
                    f"suppressed, primary (fewer than k = {review['k']} authors)",
                    number(cells["suppressed_primary"]),
                ),
                (
                    "suppressed, complementary (would let a suppressed cell be recomputed)",
                    number(cells["suppressed_complementary"]),
                ),
            ]
        ),
        "<h2>Privacy budget</h2>",
        _kv(
            [
                (
                    "differential privacy",
                    "on" if budget["enabled"] else "off (exact counts, k-anonymity only)",
                ),
                (f"epsilon spent in {budget['year']}", f"{budget['spent']:g}"),
                ("epsilon left", DASH if budget["left"] is None else f"{budget['left']:g}"),
                ("yearly cap", DASH if budget["yearly_cap"] is None else f"{budget['yearly_cap']:g}"),
                (
                    "cost of one release",
                    DASH if budget["epsilon_per_release"] is None else f"{budget['epsilon_per_release']:g}",
                ),
            ]
        ),
        "<h2>Release</h2>",
        _kv(
            [
                ("status", escape(status)),
                ("approved by", escape(str(release.get("approved_by") or DASH))),
                ("released at", _moment(release.get("released_at"))),
                ("authors erased (distinct authors unlinked)", number(release.get("authors_erased"))),
                ("week key destroyed", "yes" if release.get("key_destroyed") else "no"),
            ]
        ),
        "<h3>Decisions</h3>",
        table(
            (
                Column("when", left=True),
                Column("decision", left=True),
                Column("by", left=True),
                Column("via", left=True),
                Column("note", left=True),
            ),
            (
                [
                    _moment(d["decided_at"]),
                    escape(d["decision"]),
                    escape(d["decided_by_name"])
                    + f" <span class='muted small'>({escape(d['decided_by'])})</span>",
                    escape(d["channel"]),
                    escape(d["note"]) or DASH,
                ]
                for d in release["decisions"]
            ),
            empty="no decision yet",
        ),
        "<h3>Manifest</h3>",
        table(
            (Column("field", left=True), Column("value", left=True)),
            ([escape(m["field"]), escape(m["value"])] for m in release["manifest"]),
        ),
        "<footer>Privacy officers for this program: "
        + escape(", ".join(f"{o['name']} ({o['id']})" for o in review["privacy_officers"]) or "none named")
        + ". The same figures are in privacy_review.json.</footer>",
    ]
    return page(f"Privacy review: {review['program']} {review['iso_week']}", "".join(body))
