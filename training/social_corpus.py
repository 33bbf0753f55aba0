"""The labelled social-media corpora (`../shared/eval/social_ner/`): posts rebuilt as text, and a fixed split.

Both files are CoNLL (token TAB BIO label, a blank line ends a post). A post is rebuilt by joining its
tokens with single spaces, except that a lone `@` or `#` is glued to the token after it (the corpora's
tokenisers split them). Gold spans, with character offsets into the rebuilt text:

- `PERSON`: BTC `PER` and WNUT-17 `person`, unless the span is an @handle (BTC marks many handles `PER`;
  a handle is a `SOCIAL_HANDLE` here, not a name). A hashtag labelled as a person ("#dianeabbott") is a
  `PERSON`: the name is spelt out in the post.
- `SOCIAL_HANDLE`: every token that is an @handle, whatever its label.
- `OTHER`: every other labelled entity (places, organisations, products...): neither a personal name nor
  an ordinary word when over-redaction is counted.

The split is fixed by a hash of the corpus name and the rebuilt text (so a post repeated verbatim lands in
one slice): buckets 0-1 of 20 are `dev` (figures while developing), buckets 2-3 are `final` (looked at
once, at the end, to check that the dev figures generalise), every other bucket is `train`. The model is
never trained on `dev` or `final`.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def eval_dir() -> Path:
    """`../shared/eval` beside the checkout (or beside a parent folder of it: git worktrees), or
    `$LISTENING_EVAL_DIR`."""
    configured = os.environ.get("LISTENING_EVAL_DIR")
    if configured:
        return Path(configured)
    for parent in REPO_ROOT.parents:
        candidate = parent / "shared" / "eval"
        if candidate.is_dir():
            return candidate
    return REPO_ROOT.parent / "shared" / "eval"


CORPUS_DIR = eval_dir() / "social_ner"
CORPORA = {"btc": "btc.train.conll", "wnut17": "wnut17.train.conll"}
BUCKETS = 20
SLICES = ("train", "dev", "final")
_PERSON_LABELS = frozenset({"PER", "person"})
HANDLE = re.compile(r"@\w+")
URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


@dataclass
class Post:
    """One post: its rebuilt text, its tokens (offsets into the text) and its gold spans."""

    corpus: str
    text: str
    tokens: list[tuple[int, int]]
    spans: list[tuple[int, int, str]] = field(
        default_factory=list
    )  # (start, end, PERSON/SOCIAL_HANDLE/OTHER)
    labels: list[tuple[int, int, str]] = field(default_factory=list)  # the corpus's own labels (PER, LOC...)

    @property
    def slice(self) -> str:
        return slice_of(self.corpus, self.text)

    def of_type(self, kind: str) -> list[tuple[int, int]]:
        return [(a, b) for a, b, k in self.spans if k == kind]


def slice_of(corpus: str, text: str) -> str:
    """`train`, `dev` or `final` for a post (a fixed hash of the corpus name and the text)."""
    digest = hashlib.sha256(f"{corpus}\n{text}".encode()).digest()
    bucket = int.from_bytes(digest[:8], "big") % BUCKETS
    return "dev" if bucket < 2 else "final" if bucket < 4 else "train"


def _rows(path: Path) -> Iterator[list[tuple[str, str]]]:
    post: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 2 or not parts[0].strip():
            if post:
                yield post
            post = []
            continue
        post.append((parts[0].strip(), parts[1].strip()))
    if post:
        yield post


def _rebuild(corpus: str, rows: list[tuple[str, str]]) -> Post:
    words: list[str] = []
    tags: list[str] = []
    i = 0
    while i < len(rows):
        token, tag = rows[i]
        # "@ user" and "# tag" were split by the tokeniser: glue them back (the label is the word's).
        if token in ("@", "#") and i + 1 < len(rows) and re.match(r"\w", rows[i + 1][0]):
            nxt, nxt_tag = rows[i + 1]
            words.append(token + nxt)
            tags.append(nxt_tag if nxt_tag != "O" else tag)
            i += 2
            continue
        words.append(token)
        tags.append(tag)
        i += 1
    text = ""
    tokens: list[tuple[int, int]] = []
    for word in words:
        if text:
            text += " "
        tokens.append((len(text), len(text) + len(word)))
        text += word
    post = Post(corpus=corpus, text=text, tokens=tokens)
    entity: list[int] = []
    label = ""
    for k, tag in enumerate([*tags, "O"]):
        if entity and (tag == "O" or tag.startswith("B-") or tag[2:] != label):
            start, end = tokens[entity[0]][0], tokens[entity[-1]][1]
            post.labels.append((start, end, label))
            value = text[start:end]
            kind = "PERSON" if label in _PERSON_LABELS else "OTHER"
            if kind == "PERSON" and value.startswith("@"):
                kind = "SOCIAL_HANDLE"
            if kind != "SOCIAL_HANDLE":
                post.spans.append((start, end, kind))
            entity = []
        if tag != "O" and k < len(tags):
            if not entity:
                label = tag[2:]
            entity.append(k)
    for k, word in enumerate(words):
        if HANDLE.fullmatch(word.rstrip(":.,!?")):
            a = tokens[k][0]
            post.spans.append((a, a + len(word.rstrip(":.,!?")), "SOCIAL_HANDLE"))
    post.spans.sort()
    return post


def load(corpus_dir: Path = CORPUS_DIR) -> list[Post]:
    """Every post of both corpora, in file order."""
    posts = []
    for corpus, name in CORPORA.items():
        posts += [_rebuild(corpus, rows) for rows in _rows(corpus_dir / name)]
    return posts


def load_slice(name: str, corpus_dir: Path = CORPUS_DIR) -> list[Post]:
    """The posts of one slice (`train`, `dev` or `final`)."""
    if name not in SLICES:
        raise ValueError(f"unknown slice {name!r}; one of {SLICES}")
    return [p for p in load(corpus_dir) if p.slice == name]
