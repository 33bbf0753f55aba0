"""Maintained address parsers against the project's address grammar, as finders and as validators.

Run as `python -m benchmarks.address_parsers [--seed N]` after `pip install pyap2 usaddress` (they are
not dependencies of the project: this script measures whether they should be). Data: the generated
social-post address set (`benchmarks/social_addresses.py`), the STREET_ADDRESS spans of
`../shared/eval/synth_dataset_v2.json`, and the 4,200 texts of `tweets_GroundTruth.txt` (no addresses
expected). Recognizer-level figures only (no spaCy), so the parsers and the grammar meet on equal terms:

- finder: the parser's own matches in the text (pyap2 finds addresses in free text; usaddress cannot,
  it labels a string it is told is an address);
- validator: the grammar's candidate spans, kept only when the parser accepts them (pyap2 finds an
  address inside the span; usaddress tags it a "Street Address" with an AddressNumber).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence

from benchmarks.bench_pii import EVAL_DIR, Doc, Score, load_social_addresses, load_synth
from benchmarks.social_addresses import DEV_SEED
from listening.privacy.recognizers.addresses import StreetAddressRecognizer

Finder = Callable[[str], list[tuple[int, int]]]


def grammar() -> Finder:
    recognizer = StreetAddressRecognizer()
    return lambda text: [(a, b) for a, b, s in recognizer.spans(text) if s >= 0.4]


def pyap_finder() -> Finder:
    import pyap

    def find(text: str) -> list[tuple[int, int]]:
        spans = []
        for country in ("US", "CA"):
            for address in pyap.parse(text, country=country):
                spans.append((address.match_start, address.match_end))
        return spans

    return find


def validated(finder: Finder, accept: Callable[[str], bool]) -> Finder:
    return lambda text: [(a, b) for a, b in finder(text) if accept(text[a:b])]


def pyap_accepts(value: str) -> bool:
    import pyap

    return any(pyap.parse(value, country=c) for c in ("US", "CA"))


def usaddress_accepts(value: str) -> bool:
    import usaddress

    try:
        tags, kind = usaddress.tag(value)
    except usaddress.RepeatedLabelError:
        return False
    return kind == "Street Address" and "AddressNumber" in tags


def measure(find: Finder, docs: Sequence[Doc], negatives: Sequence[str]) -> tuple[Score, int, float]:
    began = time.perf_counter()
    score = Score()
    for doc in docs:
        score.add(doc, find(doc.text))
    false = sum(len(find(text)) for text in negatives)
    texts = len(docs) + len(negatives)
    return score, false, (time.perf_counter() - began) / texts * 1e6


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=DEV_SEED)
    args = parser.parse_args(argv)
    social = load_social_addresses(1000, 400, args.seed)
    synth = [d for d in load_synth(None) if any(k == "STREET_ADDRESS" for _, _, k in d.gold)]
    for d in synth:
        d.gold = [g for g in d.gold if g[2] == "STREET_ADDRESS"]
    lines = (EVAL_DIR / "tweets_GroundTruth.txt").read_text(encoding="utf-8", errors="replace").splitlines()
    tweets = [line.split("\t", 2)[2] for line in lines if line.count("\t") >= 2]
    ours = grammar()
    systems = {
        "grammar": ours,
        "pyap2 (finder)": pyap_finder(),
        "grammar + pyap2 validator": validated(ours, pyap_accepts),
        "grammar + usaddress validator": validated(ours, usaddress_accepts),
    }
    print(f"| system | social cov90 (seed {args.seed}) | social any | negatives kept | synth cov90 "
          "| tweets findings | µs/text |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for name, find in systems.items():
        score, tweet_findings, micros = measure(find, social, tweets)
        synth_score, _, _ = measure(find, synth, [])
        print(
            f"| {name} | {score.recall(['STREET_ADDRESS']):.3f} "
            f"| {score.recall(['STREET_ADDRESS'], any_overlap=True):.3f} | {score.keep_survival:.3f} "
            f"| {synth_score.recall(['STREET_ADDRESS']):.3f} | {tweet_findings} | {micros:.0f} |"
        )


if __name__ == "__main__":
    main()
