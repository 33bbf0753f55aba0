"""File-drop source: JSONL or CSV exports, one file per day or a glob."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path

from listening.config import FileSource
from listening.records import Reason, Rejected, decode_json_line
from listening.sources.base import RawRecord

_SURROGATE = re.compile("[\udc80-\udcff]")
_CSV_FIELDS = ("id", "platform", "author_id", "author_handle", "text", "created_at", "url", "lang")


class FileDropSource:
    """Reads the files that match the configured path for a day."""

    def __init__(self, config: FileSource, data_dir: Path) -> None:
        self.name = config.name
        self.platform = config.platform
        self.format = config.format
        self._pattern = config.path.replace("{data_dir}", str(data_dir))
        self._data_dir = data_dir

    def _glob(self, day: dt.date) -> list[Path]:
        pattern = self._pattern.replace("{date}", day.isoformat())
        path = Path(pattern)
        root = Path(path.anchor) if path.is_absolute() else self._data_dir
        relative = str(path.relative_to(path.anchor)) if path.is_absolute() else pattern
        return sorted(p for p in root.glob(relative) if p.is_file())

    def shards(self, day: dt.date) -> list[str]:
        return [str(p) for p in self._glob(day)]

    def read(self, slice_name: str) -> Iterator[RawRecord]:
        path = Path(slice_name)
        if self.format == "csv":
            yield from self._read_csv(path)
            return
        with path.open("rb") as handle:
            for position, raw in enumerate(handle, start=1):
                if raw.strip():
                    yield RawRecord(position, decode_json_line(raw.rstrip(b"\r\n")))

    def _read_csv(self, path: Path) -> Iterator[RawRecord]:
        # surrogateescape keeps a bad byte in one row from hiding the good rows around it.
        text = path.read_bytes().removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="surrogateescape")
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, None)
        if header is None:
            return
        for position, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                yield RawRecord(position, Rejected(Reason.INVALID_CSV))
                continue
            if any(_SURROGATE.search(cell) for cell in row):
                yield RawRecord(position, Rejected(Reason.INVALID_UTF8))
                continue
            record = {k: v for k, v in zip(header, row, strict=True) if k in _CSV_FIELDS and v != ""}
            yield RawRecord(position, record)
