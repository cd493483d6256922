"""Stance benchmark: each way of telling a review sentence's stance, on the labelled set.

Run ``.venv/bin/python -m bench.stance [--set tests/data/labels/stance.yaml]``. For each approach
(VADER with its rule, the MiniLM anchors by prototype and by logistic regression, and the hybrid
of vectors and VADER's scores) it prints accuracy, per-class F1 and macro F1, then which one
is right most often, and the time per sentence. Nothing here asserts; tests/test_stance.py keeps
the floors. The set is a test set: its failures are not for tuning.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import yaml

from herbot.settings import PROJECT_ROOT, get_settings, set_library_environment
from knowledge import stance
from knowledge.embedding import open_encoder
from knowledge.model_export import ensure_exported


def scores(gold: list[str], predicted: list[str]) -> dict:
    """Accuracy, F1 per class and their mean (macro F1)."""
    result = {"accuracy": sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold)}
    for name in stance.STANCES:
        tp = sum(g == p == name for g, p in zip(gold, predicted, strict=True))
        fp = sum(p == name != g for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == name != p for g, p in zip(gold, predicted, strict=True))
        result[name] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    result["macro F1"] = sum(result[name] for name in stance.STANCES) / len(stance.STANCES)
    return result


def main() -> None:
    set_library_environment()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=PROJECT_ROOT / "tests" / "data" / "labels" / "stance.yaml")
    args = parser.parse_args()
    items = yaml.safe_load(args.set.read_text(encoding="utf-8"))["items"]
    texts, gold = [item["text"] for item in items], [item["stance"] for item in items]

    settings = get_settings()
    ensure_exported(settings.encoder_dir, settings.embedding_model)
    encoder = open_encoder(settings, threads=0)
    started = time.perf_counter()
    vectors = encoder.encode(texts)
    encoding = (time.perf_counter() - started) / len(texts)

    # each approach: how it is built (once: the anchors are encoded here) and how it classifies the set
    each_text = lambda c: [c(text) for text in texts]  # noqa: E731
    approaches = {
        "a) VADER + rule": (stance.LexiconStance, each_text),
        "a') VADER + rule, VADER's own lexicon": (lambda: stance.LexiconStance({}), each_text),
        "b) MiniLM anchors, logistic regression": (lambda: stance.AnchorStance(encoder),
                                                   lambda c: c.of_vectors(vectors)),
        "b') MiniLM anchors, nearest prototype": (lambda: stance.AnchorStance(encoder, method="prototype"),
                                                  lambda c: c.of_vectors(vectors)),
        "c) hybrid: vectors + VADER scores": (lambda: stance.HybridStance(encoder),
                                              lambda c: c.of_sentences(texts, vectors)),
        "stance.stances (the module's choice)": (lambda: stance.classifier(encoder),
                                                 lambda c: stance.stances(texts, vectors, encoder=encoder)),
    }
    shown = args.set.relative_to(PROJECT_ROOT) if args.set.is_relative_to(PROJECT_ROOT) else args.set
    print(f"{shown}: {len(items)} sentences, "
          + ", ".join(f"{name} {gold.count(name)}" for name in stance.STANCES))
    print(f"encoding: {encoding * 1000:.1f} ms a sentence (batched), not counted below\n")
    classes = " ".join(f"{name:>8}" for name in stance.STANCES)
    print(f"{'approach':42} {'accuracy':>8} {classes} macro F1  build s  ms/sent")
    results = {}
    for name, (build, classify) in approaches.items():
        started = time.perf_counter()
        built = build()
        building = time.perf_counter() - started
        started = time.perf_counter()
        predicted = classify(built)
        seconds = (time.perf_counter() - started) / len(texts)
        results[name] = result = scores(gold, predicted)
        print(f"{name:42} {result['accuracy']:8.3f} " + " ".join(f"{result[c]:8.3f}" for c in stance.STANCES)
              + f" {result['macro F1']:8.3f} {building:8.2f} {seconds * 1000:8.2f}")
    best = max((name for name in results if not name.startswith("stance")), key=lambda n: results[n]["accuracy"])
    print(f"\nright most often: {best} ({results[best]['accuracy']:.3f})")
    print("(build s: making the classifier; the first that needs the anchors' vectors encodes them, once)")


if __name__ == "__main__":
    main()
