"""The stance of review sentences, on the real MiniLM model: anchors, the three approaches, the verdict of a review."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from knowledge import stance

DATA = Path(__file__).parent / "data"
LABELS = DATA / "labels" / "stance.yaml"
DEV = yaml.safe_load((DATA / "stance_dev.yaml").read_text(encoding="utf-8"))["items"]


def _same(text: str) -> str:
    return re.sub(r"\W+", " ", text.replace("’", "'").lower()).strip()


def _anchors() -> set[str]:
    return {_same(text) for texts in stance.load_anchors()["sentences"].values() for text in texts}


@pytest.fixture(scope="module")
def hybrid(encoder):
    return stance.classifier(encoder)


def test_anchors_cover_every_stance_evenly_and_the_lexicon_is_on_vaders_scale():
    anchors = stance.load_anchors()
    sizes = {name: len(anchors["sentences"][name]) for name in stance.STANCES}
    assert min(sizes.values()) >= 40 and max(sizes.values()) - min(sizes.values()) <= 5, sizes
    assert all(-4 <= value <= 4 for value in anchors["film_lexicon"].values())


def test_our_examples_are_not_anchors():
    assert not {_same(item["text"]) for item in DEV} & _anchors()


@pytest.mark.skipif(not LABELS.is_file(), reason="tests/data/labels/stance.yaml is not there yet")
def test_no_labelled_sentence_is_an_anchor():
    items = yaml.safe_load(LABELS.read_text(encoding="utf-8"))["items"]
    assert not {_same(item["text"]) for item in items} & _anchors()


def test_vader_rule():
    lexicon = stance.LexiconStance()
    assert lexicon("I hated every minute of this film.") == "negative"
    assert lexicon("A lovely, generous film.") == "positive"
    assert lexicon("The film is ninety minutes long.") == "neutral"
    assert lexicon("The cast is wonderful, but the script is dreadful.") == "mixed"
    # in a film review, a devastating film is praised; VADER alone reads it as criticism
    assert lexicon("Its ending is devastating.") == "positive"
    assert stance.LexiconStance({})("Its ending is devastating.") == "negative"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # known misses of the MiniLM regression (the hybrid and VADER with the film lexicon get the first)
        pytest.param("Its last twenty minutes are devastating.", "positive",
                     marks=pytest.mark.xfail(strict=True, reason="praised sadness read as criticism")),
        pytest.param("Great to look at, a slog to sit through.", "mixed",
                     marks=pytest.mark.xfail(strict=True, reason="criticism without a contrast word")),
        ("It is devastating.", "positive"),
        ("An achingly sad and completely wonderful film.", "positive"),
        ("The whole thing is a crushing bore.", "negative"),
        ("Handsome and intelligent, but emotionally distant.", "mixed"),
        ("Beautiful but hollow.", "mixed"),
        ("After a painful injury, he shuts himself away from his teammates.", "neutral"),
        ("The movie had a budget of around twenty million dollars.", "neutral"),
    ],
)
def test_the_stance_of_our_own_sentences(encoder, text, expected):
    assert stance.stance(text, encoder=encoder) == expected


def test_our_development_sentences_are_mostly_right(encoder, hybrid):
    texts = [item["text"] for item in DEV]
    predicted = stance.stances(texts, encoder.encode(texts), encoder=encoder)
    right = sum(p == item["stance"] for p, item in zip(predicted, DEV, strict=True))
    assert right >= 74, f"{right} of {len(DEV)}"  # 78 when the anchors were last changed


def test_given_vectors_are_used_as_they_are(encoder, hybrid):
    texts = [item["text"] for item in DEV[::10]]
    vectors = encoder.encode(texts)
    assert stance.stances(texts, vectors, encoder=encoder) == stance.stances(texts, encoder=encoder)
    assert stance.stance(texts[0], vectors[0], encoder=encoder) == stance.stances(texts, encoder=encoder)[0]
    assert stance.stances([], encoder=encoder) == []
    with pytest.raises(ValueError):
        stance.stances(texts, vectors[:1], encoder=encoder)


def test_the_classifier_is_built_once_per_encoder(encoder):
    assert stance.classifier(encoder) is stance.classifier(encoder)


class _Counting:
    """The real encoder, counting the texts it is asked to encode."""

    def __init__(self, encoder):
        self._encoder, self.name, self.dimension, self.encoded = encoder, encoder.name, encoder.dimension, 0

    def encode(self, texts):
        self.encoded += len(texts)
        return self._encoder.encode(texts)


def test_the_anchors_vectors_are_kept_in_a_cache_folder(encoder, tmp_path):
    first = _Counting(encoder)
    built = stance.AnchorStance(first, cache_dir=tmp_path / "cache")
    assert first.encoded and len(list((tmp_path / "cache").glob("stance-anchors-*.npy"))) == 1
    again = _Counting(encoder)
    rebuilt = stance.AnchorStance(again, cache_dir=tmp_path / "cache")
    assert again.encoded == 0
    texts = [item["text"] for item in DEV[::7]]
    vectors = encoder.encode(texts)
    assert built.of_sentences(texts, vectors) == rebuilt.of_sentences(texts, vectors)


def test_the_embedding_approaches_classify_vectors(encoder):
    texts = ["A superb, moving film.", "A tedious mess of a film."]
    vectors = encoder.encode(texts)
    for method in ("logistic", "prototype"):
        assert stance.AnchorStance(encoder, method=method).of_vectors(vectors) == ["positive", "negative"]
    assert stance.HybridStance(encoder).of_sentences(texts, vectors) == ["positive", "negative"]
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)


@pytest.mark.parametrize(
    ("stances", "verdict"),
    [
        ([], "neutral"),
        (["neutral", "neutral"], "neutral"),
        (["positive", "neutral", "positive"], "positive"),
        (["positive", "positive", "mixed"], "positive"),
        (["negative", "negative", "neutral"], "negative"),
        (["positive", "negative"], "mixed"),
        (["mixed"], "mixed"),
        (["positive", "positive", "negative"], "mixed"),
        (["positive", "positive", "positive", "negative"], "positive"),
    ],
)
def test_a_reviews_overall_verdict(stances, verdict):
    assert stance.overall(stances) == verdict


# The labelled set is a regression set, never tuned on: first run (before any change) 0.529 for (b) and
# 0.486 for (c); with general anchors (none echoing the film's plot) the module's approach (b) scores
# 149 of 257 (0.580), (c) 145.
STANCE_FLOOR = 149


@pytest.mark.skipif(not LABELS.is_file(), reason="tests/data/labels/stance.yaml is not there yet")
def test_the_labelled_stances_do_not_regress(encoder, hybrid):
    items = yaml.safe_load(LABELS.read_text(encoding="utf-8"))["items"]
    texts = [item["text"] for item in items]
    predicted = stance.stances(texts, encoder.encode(texts), encoder=encoder)
    right = sum(p == item["stance"] for p, item in zip(predicted, items, strict=True))
    assert right >= STANCE_FLOOR, f"{right} of {len(items)} right"


@pytest.mark.parametrize(("line", "side"), [("+ the music", "positive"), ("- it drags", None), ("it - drags", None),
                                             ("+1 to that", None)])
def test_a_lone_plus_line_says_praise_and_a_dash_is_only_a_bullet(line, side):
    assert stance.marked_stance(line) == side


@pytest.mark.parametrize(("sentences", "sides"), [
    (["+ the music", "- it drags", "Grade: B-"], ["positive", "negative", None]),
    (["Pros:", "- a smart premise", "Cons:", "\u2013 runs long"], [None, "positive", None, "negative"]),
    (["What worked:", "- the look", "What didn't:", "- the middle", "Verdict: fine."],
     [None, "positive", None, "negative", None]),
    (["Three things:", "- one", "- two"], [None, None, None]),
    (["Not so good:", "* the ending"], [None, "negative"]),
])
def test_a_pros_and_cons_list_marks_its_items_by_its_headings(sentences, sides):
    assert stance.list_sides(sentences) == sides
