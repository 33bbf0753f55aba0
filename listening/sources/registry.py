"""Connectors by pipeline-file `kind`: `register(kind)` on each class, `build_connector` to make one."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from listening.sources.base import Connector, ConnectorContext, SourceError

if TYPE_CHECKING:
    from listening.config import ProgramConfig

#: The modules that register the connectors, one per kind (a module not present yet is skipped).
CONNECTOR_MODULES = ("files", "mastodon", "bluesky", "reddit", "rss")

_CONNECTORS: dict[str, type[Connector]] = {}
C = TypeVar("C", bound=type[Connector])


def register(kind: str) -> Callable[[C], C]:
    """Class decorator: the connector for sources of this `kind`."""

    def add(cls: C) -> C:
        cls.kind = kind
        _CONNECTORS[kind] = cls
        return cls

    return add


def _load() -> None:
    for module in CONNECTOR_MODULES:
        name = f"listening.sources.{module}"
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # the module exists but something it imports is missing
                raise


def connector_class(kind: str) -> type[Connector]:
    if kind not in _CONNECTORS:
        _load()
    try:
        return _CONNECTORS[kind]
    except KeyError:
        raise SourceError(f"no connector for sources of kind {kind!r}") from None


def context_for(program: ProgramConfig, source_name: str, data_dir: Path | None = None) -> ConnectorContext:
    """The context of one source: the data folder, and its credentials resolved when first asked for."""
    from listening.settings import get_settings
    from listening.sources.secrets import resolve_credentials

    source = program.source(source_name)
    return ConnectorContext(
        data_dir=data_dir or get_settings().data_dir,
        credentials=lambda: resolve_credentials(source),
    )


def build_connector(
    program: ProgramConfig, source_name: str, ctx: ConnectorContext | None = None
) -> Connector:
    """The connector of one configured source (`KeyError` for a name the program does not have)."""
    source = program.source(source_name)
    return connector_class(source.kind)(program, source, ctx or context_for(program, source_name))
