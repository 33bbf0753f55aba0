"""What the HTTP connectors share: the client, the base URL, the queries, pages turned into records."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from typing import Any, ClassVar

from listening.config import ProgramConfig, source_queries
from listening.records import Reason, Rejected
from listening.sources.base import Connector, ConnectorContext, Credentials, RawRecord, SourceError, Window
from listening.sources.http import HttpClient, PageRejected

#: `{replay_port}` in a base URL is the port of `listening demo serve` (the demo's replay server).
REPLAY_PORT_ENV = "LISTENING_REPLAY_PORT"
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def resolve_url(source: str, template: str) -> str:
    """A configured URL with `{replay_port}` filled in from the environment; any other `{...}` is an error."""

    def fill(match: re.Match[str]) -> str:
        if match[1] != "replay_port":
            raise SourceError(f"{source}: unknown placeholder {{{match[1]}}} in the URL")
        port = os.environ.get(REPLAY_PORT_ENV, "")
        if not port.isdigit():
            raise SourceError(f"{source}: the URL needs {REPLAY_PORT_ENV} (start `listening demo serve`)")
        return port

    return _PLACEHOLDER.sub(fill, template).rstrip("/")


def parse_time(value: Any) -> dt.datetime | None:
    """An ISO 8601 timestamp as an aware datetime, or None when it is missing, naive or unreadable."""
    if not isinstance(value, str):
        return None
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


class PlatformConnector(Connector):
    """An HTTP connector: one lazily built client per connector, pages mapped to records."""

    kind: ClassVar[str]
    user_agent: ClassVar[str] = "listening/0.1 (public-sector social listening)"

    def __init__(self, program: ProgramConfig, source: Any, ctx: ConnectorContext) -> None:
        super().__init__(program, source, ctx)
        self.config: Any = source
        self._http: HttpClient | None = None
        self._position = 0

    @property
    def http(self) -> HttpClient:
        if self._http is None:
            self._http = HttpClient(
                self.name,
                rate_limit=self.config.rate_limit,
                timeout_s=self.config.timeout_s,
                user_agent=getattr(self.config, "user_agent", None) or self.user_agent,
            )
        return self._http

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    def url(self, path: str = "") -> str:
        return resolve_url(self.name, self.config.base_url) + path

    def credentials(self) -> Credentials | None:
        return self.ctx.credentials()

    def queries(self) -> list[tuple[str, str]]:
        """(field, query) pairs: the source's own lists, else the program's `queries`."""
        return source_queries(self.program, self.config)

    # -- records -------------------------------------------------------------------------------------

    def _next(self) -> int:
        self._position += 1
        return self._position

    def rejected(self, reason: Reason) -> RawRecord:
        return RawRecord(self._next(), Rejected(reason))

    def record(self, payload: dict[str, Any] | Rejected) -> RawRecord:
        return RawRecord(self._next(), payload)

    def read(self, slice_name: str, window: Window) -> Iterator[RawRecord]:
        """The slice's records; a rejected page is one quarantined record and ends the slice."""
        self._position = 0
        try:
            yield from self.read_pages(slice_name, window)
        except PageRejected as exc:
            yield self.rejected(exc.reason)
        finally:
            self.close()

    def read_pages(self, slice_name: str, window: Window) -> Iterator[RawRecord]:
        raise NotImplementedError

    @staticmethod
    def in_window(when: dt.datetime, window: Window) -> bool:
        return window.start <= when < window.end
