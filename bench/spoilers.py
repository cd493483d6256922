"""Spoiler detection against a labelled set: recall and precision, beside the old ending-word regex.

Run ``.venv/bin/python bench/spoilers.py [--set PATH] [--errors]``. The set is a YAML file with
``items``, each a paragraph ``text`` and ``spoiler: true|false``; the default is the labelled
fixture ``tests/data/labels/spoilers.yaml`` (a test set: its scores are recorded, never tuned on);
``tests/data/labels/spoilers_heldout.yaml`` is a second one. The example files of
``knowledge/data/spoiler_examples/`` (which vote beside the cues) and ``tests/data/spoiler_review_dev.yaml`` are
what the numbers were chosen on; ``--errors`` lists the paragraphs the detector gets wrong (meant for those).

Each paragraph is judged alone, as knowledge/spoilers.py judges a passage with no override in
its review: a leading marker, then meaning and rules. The goal (issue 14) is recall 1.0 (no
ending quoted without consent) and precision of at least 0.8.

First score on the fixture, measured once before any tuning (commit "Spoilers: first score"):
recall 0.49, precision 0.76; the old ending regex 0.18 and 0.47. Before the examples voted (3ffeef0): recall 0.90,
precision 0.69; with them: 0.95 / 0.70 (in its review 0.95 / 0.77). The held-out set, first score 0.78 / 0.46 (in its
review 0.78 / 0.58), is now 0.85 / 0.47 (0.85 / 0.60). Since warnings are read alike alone and in a
review and words of finality in a sentence placed early (e348be6): the fixture 1.00 / 0.75 alone, 1.00 / 0.81 in its
review (the goal met as herbot judges it, not alone). tests/data/labels/spoilers_heldout3.yaml, written for it and never
read: 0.84 / 0.58 before; 0.82 / 0.57 with those rules. Making the examples' vote agree with the descriptions' (1666082)
scored 0.90 / 0.62 there, but unhid a seed paragraph the team's conversation sets count as telling the ending and a
late-story paragraph they quote freely (conversations 0.95 -> 0.94, one_review 0.92 -> 0.88): not kept.
tests/data/labels/spoilers_heldout4.yaml (mostly the ordinary paragraphs reviews are made of), first score on be73d6e:
0.82 / 0.79; a revelation verb without "that" ("she admits she ...") backing a sentence: 0.88 / 0.80, the other
sets unchanged.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

from herbot.settings import PROJECT_ROOT, get_settings, set_library_environment

FIXTURE = PROJECT_ROOT / "tests" / "data" / "labels" / "spoilers.yaml"

# knowledge/labels.py's rule before meaning replaced it (kept here for comparison only).
OLD_REGEX = re.compile(
    r"\b("
    r"the ending|an ending|ending is|ends with|in the end\b|the end of the (film|movie)"
    r"|last (third|act|half[- ]hour|scene)|final (act|scene|third)|finale"
    r"|break(s|ing)? (it )?off|break(s|ing)?[- ]?up|broke up"
    r"|leaves (him|her)|say(s)? goodbye"
    r")",
    re.IGNORECASE,
)


def load_set(path: Path) -> list[dict]:
    """The set's items, each with ``text`` and a boolean ``spoiler``."""
    items = yaml.safe_load(path.read_text(encoding="utf-8"))["items"]
    for n, item in enumerate(items, start=1):
        if not isinstance(item.get("text"), str) or not isinstance(item.get("spoiler"), bool):
            raise ValueError(f"{path}: item {n} needs a text and spoiler: true|false")
    return items


def recall_precision(truth: list[bool], predicted: list[bool]) -> tuple[float, float]:
    hits = sum(t and p for t, p in zip(truth, predicted, strict=True))
    said = sum(predicted)
    return hits / max(1, sum(truth)), (hits / said if said else 1.0)


def detect(texts: list[str], encoder=None) -> list:
    """The detector herbot runs, on loose paragraphs: each labelled as a passage (spoiler, revealing sentences)."""
    from knowledge.embedding import open_encoder
    from knowledge.model_export import ensure_exported
    from knowledge.spoilers import detect_passages

    if encoder is None:
        settings = get_settings()
        ensure_exported(settings.encoder_dir, settings.embedding_model)
        encoder = open_encoder(settings)
    return detect_passages(texts, encoder)


REVIEW_FOLDERS = (PROJECT_ROOT / "knowledge" / "data" / "reviews", *sorted(
    folder for folder in (PROJECT_ROOT / "tests" / "data").iterdir() if folder.is_dir()))


def review_file(item: dict) -> Path | None:
    """The review file an item was taken from (``source: <stem>/p<N>`` or ``from: <folder>/<file>``), if it is here."""
    stem = str(item.get("source") or "").split("/")[0] or Path(str(item.get("from") or "")).stem
    if not stem or stem == "written":
        return None
    return next((path for folder in REVIEW_FOLDERS for path in sorted(folder.glob(f"{stem}.*"))
                 if path.suffix in (".txt", ".md")), None)


def detect_in_place(items: list[dict], encoder=None) -> list:
    """As herbot labels them: a paragraph taken from a review file is judged with the rest of its review (its
    overrides, its place in it); one written alone, or not found in its file, as a loose paragraph."""
    from knowledge.ingest import read_review
    from knowledge.spoilers import label
    from knowledge.text import normalise_for_compare

    passages = detect([item["text"] for item in items], encoder)
    encoder = encoder or _encoder()
    by_file: dict[Path, list[int]] = {}
    for n, item in enumerate(items):
        if path := review_file(item):
            by_file.setdefault(path, []).append(n)
    for path, places in by_file.items():
        review, _ = read_review(path)
        labelled = label(list(review.passages), encoder)
        found = {normalise_for_compare(passage.text): passage for passage in labelled}
        for n in places:
            passages[n] = found.get(normalise_for_compare(items[n]["text"]), passages[n])
    return passages


def _encoder():
    from knowledge.embedding import open_encoder

    return open_encoder(get_settings())


def main(argv: list[str] | None = None) -> int:
    set_library_environment()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", type=Path, default=FIXTURE, help="labelled YAML set (default: the fixture)")
    parser.add_argument("--errors", action="store_true", help="list the paragraphs the detector gets wrong")
    args = parser.parse_args(argv)
    items = load_set(args.set)
    truth = [item["spoiler"] for item in items]
    texts = [item["text"] for item in items]
    passages = detect(texts)
    predicted = [bool(p.spoiler) for p in passages]
    whole = [p.shows_nothing for p in passages]
    in_place = detect_in_place(items)
    placed = sum(review_file(item) is not None for item in items)
    print(f"{args.set}: {len(items)} paragraphs, {sum(truth)} spoilers")
    print(f"{'detector':<30}{'recall':>8}{'precision':>11}")
    old = [bool(OLD_REGEX.search(text)) for text in texts]
    for name, labels in (("meaning + rules", predicted), ("  hidden whole (a clear reveal)", whole),
                         ("  in its review", [bool(p.spoiler) for p in in_place]),
                         ("  in its review, hidden whole", [p.shows_nothing for p in in_place]),
                         ("old ending regex", old)):
        recall, precision = recall_precision(truth, labels)
        print(f"{name:<30}{recall:>8.2f}{precision:>11.2f}")
    partly = [p for p, t in zip(passages, truth, strict=True) if not t and p.spoiler and not p.shows_nothing]
    print(f"(of {len(truth) - sum(truth)} paragraphs that reveal nothing, {len(partly)} hide one sentence and show "
          f"the rest; a paragraph hidden whole shows nothing without consent)")
    print(f"(\"in its review\": the {placed} paragraphs taken from a review file here are judged with the rest of it, "
          f"as herbot judges them: its overrides, their place in it; the others alone)")
    for name, labels in (("alone", predicted), ("in its review", [bool(p.spoiler) for p in in_place])):
        recall, precision = recall_precision(truth, labels)
        met = "met" if recall == 1.0 and precision >= 0.8 else "NOT met"
        print(f"goal recall 1.00 and precision >= 0.80, {name}: {met}")
    if args.errors:
        for text, t, p in zip(texts, truth, predicted, strict=True):
            if t != p:
                print(f"  {'missed' if t else 'false alarm'}: {text[:150]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
