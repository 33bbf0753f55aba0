"""Long texts are redacted in overlapping windows, so nothing is refused and nothing is left unredacted.

spaCy refuses a text longer than its `max_length`, and a long text costs memory in proportion to its
length. A text longer than `WINDOW_CHARS` is cut into windows of at most that many characters that
overlap by `OVERLAP_CHARS` (cut at whitespace where there is some), each window is analysed as a text of
its own, and the findings are shifted back to offsets in the original text. Consecutive windows share
at least half of `OVERLAP_CHARS`, so an identifier shorter than that, cut by one window's edge, lies
whole inside the next window; overlapping findings from two windows are merged into one span.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: Texts up to this length are analysed whole (nearly every post); longer ones in windows. Small
#: windows keep the cost linear: Presidio's context enhancer costs findings x tokens per text.
WINDOW_CHARS = 2_500
#: Overlap between windows: twice the longest identifier the redactor finds (an address block).
OVERLAP_CHARS = 400


@dataclass(frozen=True)
class Window:
    """One window: its offset in the original text and its text."""

    text_index: int
    offset: int
    text: str


def cut_points(length: int, size: int, overlap: int, text: str = "") -> list[tuple[int, int]]:
    """(start, end) of windows covering `length` characters; each shares >= `overlap` / 2 with the next."""
    if size <= overlap:
        raise ValueError("a window must be longer than the overlap")
    if length <= size:
        return [(0, length)]
    spans: list[tuple[int, int]] = []
    start = 0
    while True:
        end = min(length, start + size)
        if end < length and text:
            # End at whitespace in the last quarter of the overlap, so a word is rarely cut.
            space = text.rfind(" ", end - overlap // 4, end)
            end = space if space > start + overlap else end
        spans.append((start, end))
        if end >= length:
            return spans
        start = end - overlap
        if text:
            space = text.find(" ", start, start + overlap // 4)
            start = space + 1 if space >= 0 else start


def split(texts: Sequence[str], size: int = WINDOW_CHARS, overlap: int = OVERLAP_CHARS) -> list[Window]:
    """Every text as one window, or as several overlapping ones when it is longer than `size`."""
    out: list[Window] = []
    for index, text in enumerate(texts):
        for start, end in cut_points(len(text), size, overlap, text):
            out.append(Window(text_index=index, offset=start, text=text[start:end]))
    return out
