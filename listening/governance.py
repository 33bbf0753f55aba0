"""Invariant 4, listen to topics, not people: checks a program must pass before it collects anything."""

from __future__ import annotations

import datetime as dt

from listening.config import ProgramConfig

#: Entity types that make a query target a person.
PERSONAL = frozenset({"PERSON", "SOCIAL_HANDLE", "PROFILE_URL", "EMAIL_ADDRESS", "PHONE_NUMBER"})


class ProgramRefused(RuntimeError):
    """The program may not collect: its review is overdue, or a query targets a person."""


def query_problems(program: ProgramConfig) -> list[str]:
    """Queries that name a person or an account, found with the same analyzer that redacts posts.

    Checks the program's `queries` and every source's own hashtags, search terms, subreddits and feeds.
    Allow-listed public accounts and names (the agency's own, say) are not problems. Messages name the
    query's position, never its text: a refused query may itself be a personal identifier.
    """
    from listening.config import QUERY_FIELDS

    where: list[str] = []
    texts: list[str] = []
    for position, query in enumerate(program.queries, start=1):
        where.append(f"queries[{position}]")
        texts.append(query)
    for source in program.sources:
        for field in QUERY_FIELDS.get(source.kind, ()):
            value = getattr(source, field)
            values = [value] if isinstance(value, str) else list(value or [])
            for position, query in enumerate(values, start=1):
                where.append(
                    f"sources.{source.name}.{field}[{position}]"
                    if field != "url"
                    else f"sources.{source.name}.url"
                )
                texts.append(_query_text(field, query))
    if not texts:
        return []
    from listening.privacy.redactor import get_redactor, topic_terms

    redactor = get_redactor(program.privacy.redaction, terms=topic_terms(program.topics))
    problems = []
    for label, result in zip(where, redactor.redact_batch(texts), strict=True):
        found = sorted({e.type for e in result.entities if e.type in PERSONAL})
        if found:
            problems.append(f"{label} targets a person ({', '.join(found)}); not on the allow-list")
    return problems


def _query_text(field: str, query: str) -> str:
    """What the analyzer reads: a hashtag as `#tag`, a subreddit as `r/name`, a feed URL as-is."""
    if field == "hashtags":
        return "#" + query.removeprefix("#")
    if field == "subreddits":
        return "r/" + query.removeprefix("r/")
    return query


def check_program(program: ProgramConfig, today: dt.date) -> list[str]:
    """Everything that stops a program from collecting today; empty when it may run."""
    problems = []
    if today > program.governance.review_date:
        problems.append(
            f"governance review was due on {program.governance.review_date}: "
            "collection stops until the approver renews the program"
        )
    return problems + query_problems(program)


def ensure_may_collect(program: ProgramConfig, today: dt.date) -> None:
    """Raise `ProgramRefused` with every problem, or return."""
    problems = check_program(program, today)
    if problems:
        raise ProgramRefused(f"{program.program}: " + "; ".join(problems))
