"""Helpers for the end-to-end tests: canary search over databases, files and output; throwaway databases."""

from __future__ import annotations

import gzip
import json
import os
import re
import uuid
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from tests.support import POSTGRES_ENV

MAX_SCANNED_FILE = 5 * 1024 * 1024
_SYSTEM_SCHEMAS = {"information_schema", "pg_catalog", "pg_toast"}
_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


# --- canaries -------------------------------------------------------------------------------------------


def canary_needles(canaries: Iterable[str]) -> dict[str, str]:
    """What to look for, case-folded, mapped to the canary it stands for.

    Each canary as written, without spaces and hyphens (`K2Z7R9`, `+16135550174`), and, for values
    with seven digits or more (phones, SIN, health card, platform ids), its digits alone.
    """
    needles: dict[str, str] = {}
    for canary in canaries:
        needles[canary.casefold()] = canary
        compact = re.sub(r"[\s\-()]", "", canary)
        if len(compact) >= 6:
            needles.setdefault(compact.casefold(), canary)
        digits = re.sub(r"\D", "", canary)
        if len(digits) >= 7:
            needles.setdefault(digits, canary)
    return needles


def _variants(haystack: str) -> Iterator[str]:
    """The text as stored, plus JSON-unescaped and URL-decoded readings of it."""
    yield haystack
    unescaped = _JSON_ESCAPE.sub(lambda m: chr(int(m[1], 16)), haystack).replace("\\/", "/")
    if unescaped != haystack:
        yield unescaped
    if "%" in haystack:
        decoded = unquote(haystack)
        if decoded != haystack:
            yield decoded


def find_canaries(haystack: str, needles: dict[str, str]) -> set[str]:
    """The canaries (original spelling) that occur in `haystack`, case-insensitively, in any form."""
    found: set[str] = set()
    for variant in _variants(haystack):
        folded = variant.casefold()
        found.update(canary for needle, canary in needles.items() if needle in folded)
    return found


def search(sources: dict[str, str], needles: dict[str, str]) -> dict[str, set[str]]:
    """`{where: text}` -> `{where: canaries found}` for every place with at least one hit."""
    hits = {where: find_canaries(body, needles) for where, body in sources.items()}
    return {where: found for where, found in hits.items() if found}


# --- rendering stored values as text --------------------------------------------------------------------


def render_bytes(raw: bytes) -> str:
    """Bytes as text, decompressed first when they are zlib or gzip data (Airflow compresses some)."""
    for inflate in (zlib.decompress, gzip.decompress):
        try:
            raw = inflate(raw)
            break
        except (zlib.error, OSError, EOFError):
            continue
    return raw.decode("utf-8", errors="replace")


def render_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes):
        return render_bytes(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def dump_database(url: str) -> dict[str, str]:
    """Every row of every table (all non-system schemas), as text: `{"schema.table": dump}`.

    Tables are listed from the live database, so a table added later is searched without a change here.
    """
    engine = create_engine(url)
    dumps: dict[str, str] = {}
    try:
        inspector = inspect(engine)
        schemas = [s for s in inspector.get_schema_names() if s not in _SYSTEM_SCHEMAS]
        with engine.connect() as conn:
            quote = engine.dialect.identifier_preparer.quote
            for schema in schemas:
                for table in inspector.get_table_names(schema=schema):
                    rows = conn.execute(text(f"SELECT * FROM {quote(schema)}.{quote(table)}"))
                    lines = [" | ".join(render_value(v) for v in row) for row in rows]
                    dumps[f"{schema}.{table}"] = "\n".join(lines)
    finally:
        engine.dispose()
    return dumps


def dump_file(path: Path) -> str:
    """A file as text: its bytes (decompressed when compressed), and a Parquet file's rows as CSV."""
    raw = path.read_bytes()
    body = render_bytes(raw)
    if path.suffix == ".parquet":
        import pandas as pd

        body += "\n" + pd.read_parquet(path).to_csv(index=False)
    return body


def dump_tree(root: Path, *, exclude: Iterable[Path] = ()) -> dict[str, str]:
    """Every readable regular file under `root` (below the size cap), as text."""
    skipped = [p.resolve() for p in exclude]
    dumps: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        resolved = path.resolve()
        if any(resolved.is_relative_to(s) for s in skipped):
            continue
        if path.is_file() and not path.is_symlink() and path.stat().st_size <= MAX_SCANNED_FILE:
            try:
                dumps[str(path)] = dump_file(path)
            except OSError:
                continue
    return dumps


# --- files a process wrote ------------------------------------------------------------------------------


def read_files(paths: Iterable[str]) -> dict[str, str]:
    """The readable regular files among `paths` (below the size cap) as text; missing ones are skipped."""
    dumps: dict[str, str] = {}
    for name in sorted(paths):
        path = Path(name)
        try:
            if path.is_file() and path.stat().st_size <= MAX_SCANNED_FILE:
                dumps[name] = dump_file(path)
        except OSError:
            continue
    return dumps


# --- a PostgreSQL database per module -------------------------------------------------------------------


@dataclass(frozen=True)
class ThrowawayPostgres:
    server: str
    url: str
    name: str

    def drop(self) -> None:
        admin = create_engine(self.server, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        finally:
            admin.dispose()


def postgres_server() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


def create_postgres_database(server: str) -> ThrowawayPostgres:
    """A fresh, empty PostgreSQL database with a unique name on `server`."""
    name = f"listening_e2e_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    return ThrowawayPostgres(server, url, name)
