"""The file-drop source (`kind: file`): JSONL, CSV or Parquet exports in the data folder.

A file above `slice_lines` lines (rows for CSV and Parquet) is planned as several slices, so that the
nightly DAG maps over them: one fast scan of the bytes finds where each slice starts and ends, and a
slice reads only its byte range (Parquet: its row groups). Every read streams; a bad line, row or file
is a quarantined record with a reason code, never an exception and never text in a message.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from listening.config import FileSource
from listening.records import Reason, Rejected, decode_json_line
from listening.settings import get_settings
from listening.sources.base import Connector, RawRecord, SourceError, Window
from listening.sources.registry import register

_SURROGATE = re.compile("[\udc80-\udcff]")
FIELDS = ("id", "platform", "author_id", "author_handle", "text", "created_at", "url", "lang")
#: The longest line read: far above any valid record (a mention's text is at most 10,000 characters).
MAX_LINE_BYTES = 4 << 20
_SCAN_CHUNK = 1 << 20
_PARQUET_BATCH = 2048
_SLICE = re.compile(
    r"^(?P<path>.+?)(?:#lines=(?P<l0>\d+)-(?P<l1>\d+)@(?P<b0>\d+)-(?P<b1>\d+)|#row_groups=(?P<g0>\d+)-(?P<g1>\d+))?$"
)


@dataclass(frozen=True)
class FileSlice:
    """A file, or a part of it: lines `first`..`last` at bytes [`start`, `end`), or row groups."""

    path: str
    first_line: int = 1
    last_line: int | None = None
    start: int = 0
    end: int | None = None
    groups: tuple[int, int] | None = None

    @classmethod
    def parse(cls, name: str) -> FileSlice:
        m = _SLICE.match(name)
        if m is None:
            raise ValueError("not a file slice")
        if m["l0"] is not None:
            return cls(m["path"], int(m["l0"]), int(m["l1"]), int(m["b0"]), int(m["b1"]))
        if m["g0"] is not None:
            return cls(m["path"], groups=(int(m["g0"]), int(m["g1"])))
        return cls(m["path"])

    def name(self) -> str:
        if self.groups is not None:
            return f"{self.path}#row_groups={self.groups[0]}-{self.groups[1]}"
        if self.end is not None:
            return f"{self.path}#lines={self.first_line}-{self.last_line}@{self.start}-{self.end}"
        return self.path

    def label(self) -> str:
        if self.groups is not None:
            return self.name()
        if self.end is not None:
            return f"{self.path}#lines={self.first_line}-{self.last_line}"
        return self.path


def scan_line_slices(path: Path, limit: int, *, quoted: bool) -> list[FileSlice]:
    """Cut a file into ranges of at most `limit` lines (about, for CSV: never inside a quoted field),
    counting newlines chunk by chunk without decoding or parsing anything."""
    slices: list[FileSlice] = []
    first, start, line, pos, odd, partial = 1, 0, 0, 0, False, False
    rel = str(path)
    with path.open("rb") as handle:
        while chunk := handle.read(_SCAN_CHUNK):
            pieces = chunk.split(b"\n")
            for piece in pieces[:-1]:
                pos += len(piece) + 1
                line += 1
                if quoted and piece.count(b'"') & 1:
                    odd = not odd
                lines = line - first + 1
                # Inside a quoted field a line is no boundary, unless a stray quote has run on for long.
                if lines >= limit and (not odd or lines >= 2 * limit):
                    slices.append(FileSlice(rel, first, line, start, pos))
                    first, start, odd = line + 1, pos, False
            tail = pieces[-1]
            partial = len(tail) > 0
            pos += len(tail)
            if quoted and tail.count(b'"') & 1:
                odd = not odd
    if pos > start:
        slices.append(FileSlice(rel, first, line + 1 if partial else line, start, pos))
    return slices


def _lines(handle: IO[bytes], start: int, end: int | None) -> Iterator[bytes | None]:
    """The lines of a byte range, each at most `MAX_LINE_BYTES`; None stands for a longer line."""
    handle.seek(start)
    pos = start
    while end is None or pos < end:
        raw = handle.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        pos += len(raw)
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while more := handle.readline(MAX_LINE_BYTES):
                pos += len(more)
                if more.endswith(b"\n"):
                    break
            yield None
            continue
        yield raw


class _CsvLines:
    """Decoded lines for `csv.reader`, counting physical lines and noting over-long ones."""

    def __init__(self, raw_lines: Iterator[bytes | None], *, strip_bom: bool) -> None:
        self._raw = raw_lines
        self._strip_bom = strip_bom
        self.count = 0
        self.too_long = False

    def __iter__(self) -> _CsvLines:
        return self

    def __next__(self) -> str:
        raw = next(self._raw)
        self.count += 1
        if raw is None:
            self.too_long = True
            return "\n"
        if self._strip_bom:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
            self._strip_bom = False
        # surrogateescape keeps a bad byte in one row from hiding the good rows around it.
        return raw.decode("utf-8", errors="surrogateescape")


@register("file")
class FileConnector(Connector):
    """Reads the files that match the configured path for a day, inside the data folder only."""

    source: FileSource

    @property
    def root(self) -> Path:
        return self.ctx.data_dir.resolve()

    def _day(self, window: Window) -> dt.date:
        return window.start.astimezone(ZoneInfo(self.program.schedules.timezone)).date()

    def _refuse(self, why: str) -> SourceError:
        return SourceError(f"source {self.source.name}: {why}")

    def files(self, day: dt.date) -> list[Path]:
        """The day's files, each inside the data folder (a path that leaves it is refused)."""
        pattern = self.source.path.replace("{data_dir}", str(self.ctx.data_dir)).replace(
            "{date}", day.isoformat()
        )
        path = Path(pattern)
        if ".." in path.parts:
            raise self._refuse("path leaves the data folder ('..' is not allowed)")
        if path.is_absolute():
            relative = None
            for base in (self.ctx.data_dir, self.root):
                try:
                    relative = path.relative_to(base)
                    break
                except ValueError:
                    continue
            if relative is None:
                raise self._refuse("path is outside the data folder (absolute paths must lie inside it)")
            pattern = str(relative)
        if not pattern or pattern == ".":
            raise self._refuse("path names the data folder itself, not files in it")
        found = []
        for match in sorted(self.root.glob(pattern)):
            resolved = match.resolve()
            if not resolved.is_relative_to(self.root):
                raise self._refuse("path is outside the data folder (a link points elsewhere)")
            if resolved.is_file():
                found.append(match)
        return found

    def _relative(self, path: Path) -> str:
        return str(path.relative_to(self.root))

    def plan(self, window: Window) -> list[str]:
        limit = get_settings().slice_lines
        names: list[str] = []
        for path in self.files(self._day(window)):
            rel = self._relative(path)
            if self.source.format == "parquet":
                names += [s.name() for s in _parquet_slices(path, rel, limit)]
                continue
            if path.stat().st_size <= limit:  # fewer bytes than the limit: fewer lines too
                names.append(rel)
                continue
            slices = scan_line_slices(path, limit, quoted=self.source.format == "csv")
            if len(slices) <= 1:
                names.append(rel)
            else:
                names += [FileSlice(rel, s.first_line, s.last_line, s.start, s.end).name() for s in slices]
        return names

    def _resolve_slice(self, slice_name: str) -> tuple[FileSlice, Path]:
        try:
            part = FileSlice.parse(slice_name)
        except ValueError:
            raise self._refuse("not a slice of this source") from None
        rel = Path(part.path)
        if rel.is_absolute():  # a slice named by its full path: fine inside the data folder
            for base in (self.ctx.data_dir, self.root):
                if rel.is_relative_to(base):
                    rel = rel.relative_to(base)
                    break
            else:
                raise self._refuse("slice is outside the data folder")
        if ".." in rel.parts:
            raise self._refuse("slice is outside the data folder")
        path = self.root / rel
        if not path.resolve().is_relative_to(self.root):
            raise self._refuse("slice is outside the data folder")
        if not path.is_file():
            raise self._refuse(f"{rel} is gone (deleted or moved since the run was planned)")
        return part, path

    def label(self, slice_name: str) -> str:
        try:
            return FileSlice.parse(slice_name).label()
        except ValueError:
            return slice_name

    def cursor_key(self, slice_name: str) -> str:
        return self.source.path

    def read(self, slice_name: str, window: Window) -> Iterator[RawRecord]:
        part, path = self._resolve_slice(slice_name)
        if self.source.format == "parquet":
            yield from _read_parquet(path, part.groups)
        elif self.source.format == "csv":
            yield from self._read_csv(path, part)
        else:
            with path.open("rb") as handle:
                for position, raw in enumerate(_lines(handle, part.start, part.end), start=part.first_line):
                    if raw is None:
                        yield RawRecord(position, Rejected(Reason.RECORD_TOO_LONG))
                    elif raw.strip():
                        yield RawRecord(position, decode_json_line(raw.rstrip(b"\r\n")))

    def _read_csv(self, path: Path, part: FileSlice) -> Iterator[RawRecord]:
        with path.open("rb") as handle:
            header_lines = _CsvLines(_lines(handle, 0, part.end if part.start == 0 else None), strip_bom=True)
            try:
                header = next(csv.reader(header_lines), None)
            except csv.Error:
                header = None
            if header is None:
                return
            if part.start == 0:
                offset = 0  # the first slice goes on from the header, counting from the file's start
                lines = header_lines
            else:
                offset = part.first_line - 1
                lines = _CsvLines(_lines(handle, part.start, part.end), strip_bom=False)
            reader = csv.reader(lines)
            while True:
                before = lines.count
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    lines.too_long = False
                    too_long = "field larger than field limit" in str(exc)
                    yield RawRecord(
                        offset + before + 1,
                        Rejected(Reason.FIELD_TOO_LONG if too_long else Reason.INVALID_CSV),
                    )
                    continue
                position = offset + before + 1
                if lines.too_long:
                    lines.too_long = False
                    yield RawRecord(position, Rejected(Reason.RECORD_TOO_LONG))
                    continue
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(header):
                    yield RawRecord(position, Rejected(Reason.INVALID_CSV))
                    continue
                if any(_SURROGATE.search(cell) for cell in row):
                    yield RawRecord(position, Rejected(Reason.INVALID_UTF8))
                    continue
                yield RawRecord(
                    position, {k: v for k, v in zip(header, row, strict=True) if k in FIELDS and v != ""}
                )

    def after_day_stored(self, window: Window, stored_slices: list[str], planned_slices: list[str]) -> int:
        """With `delete_after_store`, delete each file whose every planned slice was stored."""
        if not self.source.delete_after_store:
            return 0
        planned: dict[str, set[str]] = {}
        for name in planned_slices:
            planned.setdefault(FileSlice.parse(name).path, set()).add(name)
        stored = set(stored_slices)
        deleted = 0
        for rel, names in planned.items():
            if not names <= stored:
                continue
            path = self.root / rel
            if path.resolve().is_relative_to(self.root) and path.is_file():
                path.unlink()
                deleted += 1
        return deleted


def _parquet_slices(path: Path, rel: str, limit: int) -> list[FileSlice]:
    """Whole row groups per slice, at most about `limit` rows (a larger row group is a slice alone)."""
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(path).metadata
    except Exception:  # not a Parquet file: one slice, read as one quarantined record
        return [FileSlice(rel)]
    if meta.num_rows <= limit or meta.num_row_groups <= 1:
        return [FileSlice(rel)]
    slices: list[FileSlice] = []
    first, rows = 0, 0
    for group in range(meta.num_row_groups):
        rows += meta.row_group(group).num_rows
        if rows >= limit:
            slices.append(FileSlice(rel, groups=(first, group)))
            first, rows = group + 1, 0
    if first < meta.num_row_groups:
        slices.append(FileSlice(rel, groups=(first, meta.num_row_groups - 1)))
    return slices


def _read_parquet(path: Path, groups: tuple[int, int] | None) -> Iterator[RawRecord]:
    """Rows as records, batch by batch; an unreadable file or row group is one quarantined record."""
    import pyarrow.parquet as pq

    try:
        handle = pq.ParquetFile(path)
        meta = handle.metadata
    except Exception:
        yield RawRecord(1, Rejected(Reason.MALFORMED_PAGE))
        return
    first, last = groups if groups is not None else (0, meta.num_row_groups - 1)
    position = sum(meta.row_group(g).num_rows for g in range(first)) + 1
    columns = [name for name in FIELDS if name in handle.schema_arrow.names]
    try:
        for batch in handle.iter_batches(
            batch_size=_PARQUET_BATCH, row_groups=list(range(first, last + 1)), columns=columns
        ):
            for row in batch.to_pylist():
                yield RawRecord(position, _parquet_row(row))
                position += 1
    except Exception:  # a damaged row group: what was read stands, the rest is one quarantined record
        yield RawRecord(position, Rejected(Reason.MALFORMED_PAGE))


def _parquet_row(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if v is not None and v != ""}
