"""The redactor's word lists, in one place: names, vetoes and addresses read from here.

Each list is a data file in `listening/privacy/data/` whose header comment names its source and licence;
the code never builds a list at run time from another package. A file holds one entry per line; `#`
starts a comment; entries are compared in lower case.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

DATA_PACKAGE = "listening.privacy.data"


@cache
def wordlist(name: str) -> frozenset[str]:
    """The lower-case entries of `data/<name>.txt` (comments and blank lines skipped)."""
    text = resources.files(DATA_PACKAGE).joinpath(f"{name}.txt").read_text(encoding="utf-8")
    entries = (line.split("#", 1)[0].strip().lower() for line in text.splitlines())
    return frozenset(e for e in entries if e)
