"""The source contract: a connector plans slices for a window and streams raw records from a slice.

Every kind of source (`file`, `mastodon`, `bluesky`, `reddit`, `rss`) is one `Connector` subclass,
registered under its pipeline-file `kind` (see `listening.sources.registry`). A connector never writes
what it reads anywhere: records go straight from `read` to validation and redaction in the same process.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from listening.records import Rejected

if TYPE_CHECKING:
    from listening.config import ProgramConfig, SourceConfig


class SourceError(RuntimeError):
    """A source that keeps failing (or cannot be set up): the message names the source and the reason
    only: never raw text, a secret, a URL's query string or a response body."""


@dataclass(frozen=True)
class Window:
    """The period a slice covers: aware datetimes, end exclusive."""

    start: dt.datetime
    end: dt.datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("a window needs aware datetimes")
        if self.end <= self.start:
            raise ValueError("a window must end after it starts")

    def contains(self, moment: dt.datetime) -> bool:
        return self.start <= moment < self.end

    def as_utc(self) -> Window:
        return Window(self.start.astimezone(dt.UTC), self.end.astimezone(dt.UTC))


@dataclass(frozen=True, repr=False)
class Credentials:
    """Resolved secrets of one source. Never printed: `repr` and `str` name only the fields set."""

    login: str | None = None
    password: str | None = None
    token: str | None = None

    def __repr__(self) -> str:
        present = [name for name in ("login", "password", "token") if getattr(self, name)]
        return f"Credentials({', '.join(present) or 'empty'}: hidden)"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self.login or self.password or self.token)


@dataclass(frozen=True)
class RawRecord:
    """One record as read, before validation: a decoded object (the `MentionIn` fields), or why it
    could not be decoded. A rejected page counts as one record."""

    position: int
    payload: Any | Rejected


@dataclass
class ConnectorContext:
    """What a connector gets from the pipeline: the data folder and this source's secrets, resolved
    lazily (from the Airflow connection or the environment variables the pipeline file names)."""

    data_dir: Path
    credentials: Callable[[], Credentials | None] = field(default=lambda: None)


class Connector(ABC):
    """One kind of source. Subclasses set `kind` and register with `@register(kind)`."""

    kind: ClassVar[str]

    def __init__(self, program: ProgramConfig, source: Any, ctx: ConnectorContext) -> None:
        self.program = program
        self.source: SourceConfig = source
        self.ctx = ctx

    @property
    def name(self) -> str:
        return self.source.name

    @property
    def platform(self) -> str:
        return self.source.platform

    @abstractmethod
    def plan(self, window: Window) -> list[str]:
        """Slice names for the window: short JSON-able strings (`tag:PortAlder`, `feed:0`,
        `drop/2026-10-05.jsonl#lines=1-50000`)."""

    @abstractmethod
    def read(self, slice_name: str, window: Window) -> Iterator[RawRecord]:
        """Stream one slice's records. A bad item or page is yielded as `RawRecord(position,
        Rejected(reason))`; `SourceError` only when the source itself keeps failing."""

    def cursor_key(self, slice_name: str) -> str:
        """The query a slice belongs to, under which its watermark is kept (default: the slice)."""
        return slice_name

    def label(self, slice_name: str) -> str:
        """How a slice is named in the run log and the quarantine (no secrets, no query strings)."""
        return slice_name

    def after_day_stored(self, window: Window, stored_slices: list[str], planned_slices: list[str]) -> int:
        """Called once every shard of a day has run; `stored_slices` are those that succeeded. Returns
        how many inputs were cleaned up (the file source deletes files when asked to)."""
        return 0


@dataclass(frozen=True)
class Shard:
    """A unit of nightly work, small enough to be an XCom: program x source x slice x day."""

    program: str
    source: str
    slice: str
    day: str

    def as_dict(self) -> dict[str, str]:
        return {"program": self.program, "source": self.source, "slice": self.slice, "day": self.day}

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> Shard:
        return cls(data["program"], data["source"], data["slice"], data["day"])
