"""The domain-shift posts: hand-written Reddit, YouTube, forum and community-group posts with marked names.

A measurement set for person names beyond tweets (`benchmarks/data/domain_shift_{dev,final}.txt`; see
their headers): lone surnames after titles, lower-case and all-capitals names, non-Western names,
hyphenated and apostrophe names, names in hashtags, a name repeated after a handle. Never training data.

Each post becomes the same shape as a real post of `training.social_corpus` (text, word tokens, gold
spans), so the real-posts scoring of `bench_pii` applies unchanged: `PERSON` = a `[[marked]]` name,
`SOCIAL_HANDLE` = every @handle and Reddit "u/name"; a title right before a name (`Dr.`, `Councillor`)
is labelled `TITLE`, neither scored nor counted as an ordinary word (redacting it with the name is no
over-redaction).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
SLICES = ("dev", "final")
_MARK = re.compile(r"\[\[(.+?)\]\]")
_TOKEN = re.compile(r"/?u/[\w-]+|[@#]?\w+(?:['’.-]\w+)*\.?|\S")
_HANDLE = re.compile(r"(?<![\w@])@\w+|(?<![\w/.])/?u/[\w-]{3,20}")
_TITLE_BEFORE = re.compile(r"([^\W\d_]+\.?)[ \t]+$")


@dataclass
class ShiftPost:
    """One post: its text, word tokens and gold spans (start, end, type)."""

    text: str
    tokens: list[tuple[int, int]] = field(default_factory=list)
    spans: list[tuple[int, int, str]] = field(default_factory=list)


def _titles() -> frozenset[str]:
    from listening.privacy.vocabulary import wordlist

    return wordlist("titles")


def parse(line: str) -> ShiftPost:
    """A marked line as a post: `\\n` is a line break, `[[...]]` a name."""
    raw = line.replace("\\n", "\n")
    text_parts: list[str] = []
    spans: list[tuple[int, int, str]] = []
    cursor = length = 0
    for match in _MARK.finditer(raw):
        before = raw[cursor : match.start()]
        text_parts.append(before)
        length += len(before)
        name = match.group(1)
        spans.append((length, length + len(name), "PERSON"))
        text_parts.append(name)
        length += len(name)
        cursor = match.end()
    text_parts.append(raw[cursor:])
    text = "".join(text_parts)
    titles = _titles()
    for start, _, _ in list(spans):
        title = _TITLE_BEFORE.search(text[max(0, start - 24) : start])
        if title is not None and title.group(1).lower().rstrip(".") in titles:
            offset = max(0, start - 24)
            spans.append((offset + title.start(1), offset + title.end(1), "TITLE"))
    for handle in _HANDLE.finditer(text):
        spans.append((handle.start(), handle.end(), "SOCIAL_HANDLE"))
    tokens = [m.span() for m in _TOKEN.finditer(text)]
    return ShiftPost(text=text, tokens=tokens, spans=sorted(spans))


def load(slice_name: str, data_dir: Path = DATA_DIR) -> list[ShiftPost]:
    """The posts of one half (`dev` or `final`)."""
    if slice_name not in SLICES:
        raise ValueError(f"no domain-shift slice {slice_name!r} (one of {', '.join(SLICES)})")
    path = data_dir / f"domain_shift_{slice_name}.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return [parse(line) for line in lines if line.strip() and not line.startswith("# ")]
