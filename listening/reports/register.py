"""The public register of listening programs: what each listens to, why, who approved it, until when,
and how long it keeps what it stores. Everything here comes from the pipeline files; nothing from data."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

from listening.config import ProgramConfig, source_queries


def _where(source: Any) -> str:
    if source.kind == "file":
        return f"file drop ({source.format})"
    if source.kind == "rss":
        return ", ".join(source.feed_urls)
    return str(source.base_url)


def program_register(program: ProgramConfig) -> dict[str, Any]:
    """One program's register entry, JSON-able."""
    gov, privacy = program.governance, program.privacy
    return {
        "program": program.program,
        "title": program.title,
        "purpose": gov.purpose,
        "approver": gov.approver,
        "review_date": gov.review_date.isoformat(),
        "privacy_officers": [o.name for o in gov.privacy_officers],
        "languages": list(program.languages),
        "queries": list(program.queries),
        "topics": [{"id": t.id, "label": t.label} for t in program.topics],
        "sources": [
            {
                "name": source.name,
                "label": source.label or source.name,
                "kind": source.kind,
                "platform": source.platform,
                "where": _where(source),
                "queries": [
                    {"type": field, "query": query} for field, query in source_queries(program, source)
                ],
            }
            for source in program.sources
        ],
        "retention": {
            "text_days": privacy.text_retention_days,
            "log_days": privacy.log_retention_days,
            "quarantine_days": privacy.quarantine_retention_days,
        },
        "k": privacy.k,
        "release": "automatic" if privacy.auto_release else "privacy officer's sign-off",
    }


def register_tables(entries: list[dict[str, Any]]) -> list[Table]:
    """One table per program: its sources and queries, with purpose, approver, review and retention."""
    tables = []
    for entry in entries:
        retention = entry["retention"]
        caption = (
            f"Purpose: {entry['purpose']}\n"
            f"Approved by {entry['approver']}; review due {entry['review_date']}; "
            f"release: {entry['release']}; published cells need {entry['k']} distinct authors.\n"
            f"Retention: redacted text {retention['text_days']} days, redaction log {retention['log_days']} "
            f"days, quarantine {retention['quarantine_days']} days.\n"
            f"Program queries: {', '.join(entry['queries']) or 'none'}"
        )
        table = Table(
            title=Text(f"{entry['title']} ({entry['program']})"),
            caption=Text(caption),
            caption_justify="left",
        )
        for column in ("source", "label", "kind", "platform", "where", "queries"):
            table.add_column(column)
        for source in entry["sources"]:
            queries = ", ".join(f"{q['type']}: {q['query']}" for q in source["queries"]) or "-"
            cells = (
                source["name"],
                source["label"],
                source["kind"],
                source["platform"],
                source["where"],
                queries,
            )
            table.add_row(*(Text(str(v)) for v in cells))
        tables.append(table)
    return tables
