"""The stance of a review sentence: the reviewer's own evaluation, "positive", "negative", "mixed" or "neutral".

Plot told with emotional words is neutral (no evaluation); praise of sadness ("devastating",
"haunting") is positive in a film review; praise and criticism together ("beautiful but
hollow") are mixed. Three ways to tell, compared by ``bench/stance.py`` on the labelled set:

- :class:`LexiconStance` (a): VADER (``vaderSentiment``, which ships its lexicon), its lexicon
  updated with the words whose sense differs in film reviews (``film_lexicon`` in
  ``data/stance_anchors.yaml``). The rule: mixed when the sentence holds substantial praise and
  substantial criticism (VADER's positive and negative shares both at least ``MIXED_SHARE``, or
  one clause's compound score at least ``CLAUSE_POLE`` and another's at most ``-CLAUSE_POLE``,
  clauses split at "but", "yet", "though", a semicolon...); otherwise positive or negative by
  VADER's usual threshold on the compound score (±``POLE``), neutral in between.
- :class:`AnchorStance` (b), the one used: a logistic regression on the sentence's MiniLM vector,
  trained on the general anchor sentences of ``data/stance_anchors.yaml`` (about no film in
  particular). It is right most often on the labelled set (bench/stance.py: 0.580, against
  0.377 for (a) and 0.564 for (c)).
- :class:`HybridStance` (c): the same regression on the vector beside VADER's six scores of the
  sentence and its clauses. It led while some anchors still echoed this film's plot; once they
  were made general it no longer won measurably (0.79 against 0.78 on our own sentences, behind
  on the labelled set), so it is kept for the benchmark only.

:func:`stance` and :func:`stances` use (b), built once per encoder; given the sentences' MiniLM
vectors they encode nothing. :func:`overall` turns a review's verdict sentences into its verdict.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import yaml

from knowledge.once import once

STANCES = ("positive", "negative", "mixed", "neutral")
ANCHORS = Path(__file__).parent / "data" / "stance_anchors.yaml"

POLE = 0.05  # VADER's own threshold on the compound score for a positive or negative text
MIXED_SHARE = 0.15  # each of the positive and negative shares of the words, for praise and criticism at once
CLAUSE_POLE = 0.25  # a clause's compound score that counts as praise (or, negated, criticism)
# The logistic regressions' inverse regularisation and, in the hybrid (c), the weight of VADER's six scores beside
# the 384 vector components; both chosen by cross-validation on our own sentences (anchors and
# tests/data/stance_dev.yaml), never on the labelled set.
REGULARISATION = 3.0
VADER_WEIGHT = 3.0
_CONTRAST = re.compile(r"[;:]|[,–—-]?\s+\b(?:but|yet|though|although|however|whereas|while|if\s+not|even\s+if)\b",
                       re.IGNORECASE)


@once
def load_anchors(path: Path = ANCHORS) -> dict:
    """The anchor sentences by stance and the film-review lexicon, as the data file holds them."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {"sentences": {name: list(data[name]) for name in STANCES}, "film_lexicon": dict(data["film_lexicon"])}


@once(key=lambda encoder, cache_dir=None: encoder)  # the folder only says where the vectors may be kept
def _anchor_vectors(encoder, cache_dir: Path | None = None) -> tuple[list[str], list[str], np.ndarray]:
    """The anchors' texts, their stances and their vectors under ``encoder``, encoded once per process.

    Encoding them takes a second or more; with ``cache_dir`` the vectors are kept there in a file
    named by a hash of the model and the anchors, so a changed anchor or model is encoded afresh.
    """
    sentences = load_anchors()["sentences"]
    texts = [text for name in STANCES for text in sentences[name]]
    labels = [name for name in STANCES for _ in sentences[name]]
    return texts, labels, _cached_vectors(encoder, texts, labels, cache_dir)


def _cached_vectors(encoder, texts: list[str], labels: list[str], cache_dir: Path | None) -> np.ndarray:
    if cache_dir is None:
        return encoder.encode(texts)
    key = hashlib.sha256("\n".join([encoder.name, str(encoder.dimension), *labels, *texts]).encode()).hexdigest()
    path = Path(cache_dir) / f"stance-anchors-{key[:16]}.npy"
    try:
        vectors = np.load(path)
        if vectors.shape == (len(texts), encoder.dimension):
            return vectors
    except (OSError, ValueError):
        pass
    vectors = encoder.encode(texts)
    try:  # written beside and renamed, so that a reader never sees half a file
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(partial, "wb") as file:
            np.save(file, vectors)
        os.replace(partial, path)
    except OSError:
        pass  # a read-only folder: the vectors are encoded again next time
    return vectors


class LexiconStance:
    """Stance from VADER's scores with a documented rule (a, see the module); no model, no vectors."""

    def __init__(self, film_lexicon: dict[str, float] | None = None):
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self._vader = SentimentIntensityAnalyzer()
        lexicon = load_anchors()["film_lexicon"] if film_lexicon is None else film_lexicon
        self._vader.lexicon.update({word.lower(): float(value) for word, value in lexicon.items()})

    def scores(self, sentence: str) -> dict[str, float]:
        """VADER's shares (pos, neg, neu) and compound score of ``sentence``."""
        return self._vader.polarity_scores(sentence)

    def __call__(self, sentence: str) -> str:
        scores = self.scores(sentence)
        clauses = [self.scores(part)["compound"] for part in _CONTRAST.split(sentence) if part and part.strip()]
        if (scores["pos"] >= MIXED_SHARE and scores["neg"] >= MIXED_SHARE) or (
            clauses and max(clauses) >= CLAUSE_POLE and min(clauses) <= -CLAUSE_POLE
        ):
            return "mixed"
        if scores["compound"] >= POLE:
            return "positive"
        if scores["compound"] <= -POLE:
            return "negative"
        return "neutral"


class AnchorStance:
    """Stance from a sentence's normalised MiniLM vector (b): logistic regression on the anchor sentences,
    or (``method="prototype"``) the nearest mean of each stance's anchors."""

    def __init__(self, encoder, *, method: str = "logistic", cache_dir: Path | None = None):
        _, labels, vectors = _anchor_vectors(encoder, cache_dir)
        self.method = method
        self._encoder = encoder
        if method == "prototype":
            prototypes = np.stack([vectors[[i for i, label in enumerate(labels) if label == name]].mean(axis=0)
                                   for name in STANCES])
            self._prototypes = prototypes / np.linalg.norm(prototypes, axis=1, keepdims=True)
        else:
            from sklearn.linear_model import LogisticRegression

            self._model = LogisticRegression(C=REGULARISATION, max_iter=3000).fit(vectors, labels)

    def of_vectors(self, vectors: np.ndarray) -> list[str]:
        """The stances of sentences given as their normalised vectors (one row each)."""
        vectors = np.atleast_2d(vectors)
        if self.method == "prototype":
            return [STANCES[i] for i in np.argmax(vectors @ self._prototypes.T, axis=1)]
        return [str(label) for label in self._model.predict(vectors)]

    def of_sentences(self, sentences: Sequence[str], vectors: np.ndarray | None = None) -> list[str]:
        """The stances of ``sentences``, from their vectors when given (one row each), else encoded here."""
        vectors = self._encoder.encode(list(sentences)) if vectors is None else np.atleast_2d(vectors)
        if len(vectors) != len(sentences):
            raise ValueError(f"{len(sentences)} sentences but {len(vectors)} vectors")
        return self.of_vectors(vectors)

    def __call__(self, sentence: str, vector: np.ndarray | None = None) -> str:
        return self.of_sentences([sentence], None if vector is None else np.atleast_2d(vector))[0]


class HybridStance:
    """Logistic regression on the sentence's vector beside VADER's scores of it and of its clauses (c)."""

    def __init__(self, encoder, lexicon: LexiconStance | None = None, *, cache_dir: Path | None = None):
        from sklearn.linear_model import LogisticRegression

        self._lexicon = lexicon or LexiconStance()
        self._encoder = encoder
        texts, labels, vectors = _anchor_vectors(encoder, cache_dir)
        features = self._features(texts, vectors)
        self._model = LogisticRegression(C=REGULARISATION, max_iter=3000).fit(features, labels)

    def _features(self, sentences: Sequence[str], vectors: np.ndarray) -> np.ndarray:
        rows = []
        for sentence in sentences:
            scores = self._lexicon.scores(sentence)
            clauses = [self._lexicon.scores(part)["compound"] for part in _CONTRAST.split(sentence)
                       if part and part.strip()] or [0.0]
            rows.append([scores["pos"], scores["neg"], scores["neu"], scores["compound"], max(clauses), min(clauses)])
        return np.hstack([np.atleast_2d(vectors), VADER_WEIGHT * np.array(rows, dtype=np.float32)])

    def of_sentences(self, sentences: Sequence[str], vectors: np.ndarray | None = None) -> list[str]:
        """The stances of ``sentences``, from their vectors when given (one row each), else encoded here."""
        vectors = self._encoder.encode(list(sentences)) if vectors is None else np.atleast_2d(vectors)
        if len(vectors) != len(sentences):
            raise ValueError(f"{len(sentences)} sentences but {len(vectors)} vectors")
        return [str(label) for label in self._model.predict(self._features(sentences, vectors))]

    def __call__(self, sentence: str, vector: np.ndarray | None = None) -> str:
        return self.of_sentences([sentence], None if vector is None else np.atleast_2d(vector))[0]


@once(key=lambda encoder, cache_dir=None: encoder)
def classifier(encoder, cache_dir: Path | None = None) -> AnchorStance:
    """The stance classifier for ``encoder``'s vectors, built once per encoder and process.

    Building it encodes the anchors (one to several seconds); call it once at start-up, with a
    ``cache_dir`` (the model's export folder, say) to keep their vectors for the next process.
    """
    return AnchorStance(encoder, cache_dir=cache_dir)


def stance(sentence: str, vector: np.ndarray | None = None, *, encoder) -> str:
    """The stance of one sentence; ``vector`` is its normalised MiniLM vector, encoded here when not given."""
    return classifier(encoder)(sentence, vector)


def stances(sentences: Sequence[str], vectors: np.ndarray | None = None, *, encoder) -> list[str]:
    """The stances of ``sentences``; ``vectors`` (one row each, normalised) spare encoding them."""
    if not sentences:
        return []
    return classifier(encoder).of_sentences(sentences, vectors)


# A pros-and-cons list says its sides itself: "+ the music", "- it drags", or items under a heading
# such as "Pros:", "What didn't work:". The heading's words (general English, any review) give its side.
_BULLET = re.compile(r"\s*[+\-\u2013\u2212*\u2022]\s+\S")
_PLUS = re.compile(r"\s*\+\s")
_MINUS = re.compile(r"\s*[-\u2013\u2212]\s")
_HEADING_WORDS = 6  # a heading is short and ends with a colon ("What didn't work:")
_NEGATIVE_HEADING = re.compile(r"\b(?:cons?|minus(?:es)?|against|bad|worst|weak(?:ness(?:es)?)?|downsides?|lows?"
                               r"|lowlights?|misses|gripes?|quibbles?|problems?|complaints?|dislikes?|disliked"
                               r"|didn'?t|did not|doesn'?t|does not|wasn'?t"
                               r"|not (?:so |very |that )?(?:good|great|work|like|love|for))\b", re.IGNORECASE)
_POSITIVE_HEADING = re.compile(r"\b(?:pros?|plus(?:es|ses)?|for|good|best|strengths?|upsides?|highs?|highlights?"
                               r"|hits|likes?|liked|loved|worked|works)\b", re.IGNORECASE)


def list_sides(sentences: Sequence[str]) -> list[str | None]:
    """For a review's body sentences in order, the side each pros-and-cons item is marked with, else None.

    An item ("- too long") takes the side of the heading above it ("Cons:", "What didn't work:"); without a
    heading, "+" is praise, and "-" is criticism only in a list that also has "+" items (a plain dash is
    only a bullet)."""
    sides: list[str | None] = []
    heading: str | None = None
    plus_list = any(_PLUS.match(sentence) for sentence in sentences)
    for sentence in sentences:
        if _BULLET.match(sentence):
            marked = "positive" if _PLUS.match(sentence) else "negative" if plus_list and _MINUS.match(sentence) \
                else None
            sides.append(marked or heading)
            continue
        sides.append(None)
        words = sentence.split()
        if sentence.rstrip().endswith(":") and len(words) <= _HEADING_WORDS:
            heading = "negative" if _NEGATIVE_HEADING.search(sentence) else \
                "positive" if _POSITIVE_HEADING.search(sentence) else None
        else:
            heading = None
    return sides


def marked_stance(sentence: str) -> str | None:
    """The side a lone "+" line says ("+ the music"): praise. A dash alone says nothing (see :func:`list_sides`)."""
    return "positive" if _PLUS.match(sentence) else None


def overall(stances: Sequence[str]) -> str:
    """A review's verdict from the stances of its verdict sentences.

    Neutral sentences do not vote. The verdict is positive (or negative) when that side has more
    than twice the sentences of the other, mixed sentences counting half to each side; mixed when
    both sides are present and neither dominates; neutral when nothing evaluates.
    """
    counts = Counter(stances)
    praise = counts["positive"] + counts["mixed"] / 2
    criticism = counts["negative"] + counts["mixed"] / 2
    if not praise and not criticism:
        return "neutral"
    if praise > 2 * criticism:
        return "positive"
    if criticism > 2 * praise:
        return "negative"
    return "mixed"
