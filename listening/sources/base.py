"""The source interface: a source lists shards for a day and yields raw records from a shard."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from listening.records import Rejected


@dataclass(frozen=True)
class RawRecord:
    """One record as read, before validation: a decoded object, or why it could not be decoded."""

    position: int
    payload: Any | Rejected


@dataclass(frozen=True)
class Shard:
    """A unit of nightly work, small enough to be an XCom: which source, which slice, which day."""

    program: str
    source: str
    slice: str
    day: str

    def as_dict(self) -> dict[str, str]:
        return {"program": self.program, "source": self.source, "slice": self.slice, "day": self.day}

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> Shard:
        return cls(data["program"], data["source"], data["slice"], data["day"])


class Source(Protocol):
    """One connector per platform behind this interface."""

    name: str
    platform: str

    def shards(self, day: dt.date) -> list[str]:
        """Slice names that hold the day's records (file names, API pages, ...)."""
        ...

    def read(self, slice_name: str) -> Iterator[RawRecord]:
        """Records of one slice, in order; never raises on a bad record."""
        ...
