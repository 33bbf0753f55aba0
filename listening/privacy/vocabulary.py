"""The redactor's word lists, in one place: names, vetoes and addresses read from here.

Each list is a data file in `listening/privacy/data/` whose header comment names its source and licence;
the code never builds a list at run time from another package. A file holds one entry per line; `#`
starts a comment; entries are compared in lower case. A grouped list (the address lists) holds the
equivalent forms of one entry on a line, comma-separated: `avenue, av, ave, aven, avenu, avn, avnue`.

Names (`listening.privacy.person`): `first_names`, `last_names` (the gazetteer: US SSA and Census 2010),
`proper_nouns`, `name_words`, `common_words` (SCOWL), `titles`, `name_particles`, `slang`,
`reporting_verbs`. Vetoes: `weekdays`, `months`, `street_words`, `compass_points`, `place_nouns`,
`place_prefixes`, `place_endings`, `place_org_heads`, `locative_prepositions`, `date_prepositions`.
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


# ---- addresses: street types, unit designators and regions (see each data file for its source) -----


@cache
def word_groups(name: str) -> tuple[tuple[str, ...], ...]:
    """The lines of `data/<name>.txt` as groups of equivalent lower-case forms (comma-separated)."""
    groups = []
    for line in sorted(wordlist(name)):
        forms = tuple(f.strip() for f in line.split(",") if f.strip())
        if forms:
            groups.append(forms)
    return tuple(groups)


def forms(*names: str) -> frozenset[str]:
    """Every form in the named grouped lists."""
    return frozenset(f for name in names for group in word_groups(name) for f in group)


def street_types() -> frozenset[str]:
    """Street types written after the name: USPS Pub 28 C1 suffixes and Canada Post street types."""
    return forms("usps_street_suffixes", "canada_post_street_types")


def unit_designators() -> frozenset[str]:
    """Secondary unit designators: USPS Pub 28 C2 and Canada Post's English and French forms."""
    return forms("usps_unit_designators", "canada_post_unit_designators")


def regions() -> frozenset[str]:
    """US states and possessions, Canadian provinces and territories: names and two-letter codes."""
    return forms("us_states", "canada_provinces")
