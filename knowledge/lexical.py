"""BM25 over the same passages as the dense index, for exact names and rare words.

Words are tokenized and stemmed as ``bm25s`` does it (its English stop words, Snowball English via
PyStemmer) so that "voices" meets "voiced". The index stores only each passage's token ids (in a
vocabulary whose ids never change: an update appends the new words), beside the passage's other
files: term counts, not scores. The scores (BM25, Lucene's variant, with ``bm25s``'s defaults)
depend on every passage through the document frequencies and the mean length, so they are
worked out when the index is loaded, in one vectorised pass; an update that adds one review
writes that review's token ids and nothing else of BM25.
"""

from __future__ import annotations

import sys

import numpy as np

from knowledge.once import once
from knowledge.text import stemmer

K1, B = 1.5, 0.75  # bm25s's defaults, with which the weight in knowledge/retrieval.py was chosen


@once
def _bm25s():
    """The ``bm25s`` module, imported without JAX: bm25s imports it, when installed (TensorFlow, which Rasa
    needs, installs it), only for a top-k that herbot does not use, and falls back to NumPy without it; with
    it, the first question's search took 0.4 s more and each process 135 MB more (measured)."""
    had_jax = "jax" in sys.modules
    if not had_jax:
        sys.modules["jax"] = None  # an import of jax now fails with ImportError, which bm25s expects
    try:
        import bm25s
    finally:
        if not had_jax:
            del sys.modules["jax"]
    return bm25s


def tokenize(texts: list[str]) -> list[list[str]]:
    """Each text's stemmed words, stop words left out."""
    return _bm25s().tokenize(texts, stopwords="en", stemmer=stemmer(), show_progress=False, return_ids=False)


# Words of asking, not of what is asked about: question words, the film's own name and pronouns, and the words
# of asking the reviews ("what did the critics think about ...").
_ASKING = {"who", "whom", "whose", "what", "when", "where", "which", "why", "how", "her", "film", "movie", "it",
           "did", "does", "do", "is", "was", "are", "were", "review", "reviewer", "critic", "think", "thought", "say",
           "said", "talk", "mention", "anyon", "anybodi", "ani", "they", "them", "about", "opinion"}


def content_stems(text: str) -> frozenset[str]:
    """The stems of a text's words that say what it is about, as BM25 has them, the words of asking left out."""
    return frozenset(stem for stem in tokenize([text])[0] if stem not in _ASKING)


def token_ids(texts: list[str], vocab: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """The texts' token ids, concatenated, and where each text's start (and, last, their count);
    ``vocab`` gains the words it did not have, with the next ids."""
    documents = [[vocab.setdefault(token, len(vocab)) for token in tokens] for tokens in tokenize(texts)]
    offsets = np.cumsum([0] + [len(document) for document in documents]).astype(np.int64)
    ids = np.fromiter((token for document in documents for token in document), dtype=np.int32, count=int(offsets[-1]))
    return ids, offsets


class LexicalIndex:
    """BM25 scores of every passage for a question's words, from the passages' token ids."""

    def __init__(self, vocab: dict[str, int], ids: np.ndarray, offsets: np.ndarray):
        self.vocab = vocab
        self._size = len(offsets) - 1
        self._indptr, self._docs, self._weights = _term_weights(len(vocab), ids, offsets)

    def scores(self, tokens: list[str]) -> np.ndarray:
        """Each passage's BM25 score for these (stemmed) tokens: the sum over them, repeated ones counted again."""
        terms = [self.vocab[token] for token in tokens if token in self.vocab]
        if not terms:
            return np.zeros(self._size, dtype=np.float32)
        postings = np.concatenate([np.arange(self._indptr[term], self._indptr[term + 1]) for term in terms])
        # One pass over every posting of the question's words (np.add.at, term by term, is ten times slower).
        return np.bincount(self._docs[postings], weights=self._weights[postings], minlength=self._size).astype(
            np.float32)

    def search(self, query: str, k: int, rows: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Up to ``k`` passages by BM25 score, best first; passages with no match are left out.

        ``rows``: only these passages (ascending rows: one review's, the comments), ranked among themselves."""
        k = min(k, self._size if rows is None else len(rows))
        tokens = tokenize([query])
        if k <= 0 or not any(tokens):
            return []
        # Words unknown to the corpus vocabulary carry no signal for BM25.
        known = [t for t in tokens[0] if t in self.vocab]
        if not known:
            return []
        scores = self.scores(known)
        rows = np.arange(len(scores)) if rows is None else rows
        scores = scores[rows]
        found = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        found = np.sort(found)  # ties in row order, the same on every run
        found = found[np.argsort(-scores[found], kind="stable")]
        found = found[scores[found] > 0]
        return list(zip(rows[found].tolist(), scores[found].tolist(), strict=True))


def _term_weights(terms: int, ids: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per term, the passages that have it and its BM25 weight in each (idf times the saturated term
    frequency), as compressed columns: ``indptr[t]:indptr[t + 1]`` are term ``t``'s."""
    count = len(offsets) - 1
    lengths = np.diff(offsets)
    if not len(ids):
        return np.zeros(terms + 1, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    docs = np.repeat(np.arange(count, dtype=np.int64), lengths)
    pairs, frequency = np.unique(ids.astype(np.int64) * count + docs, return_counts=True)
    term, doc = np.divmod(pairs, count)
    per_term = np.bincount(term, minlength=terms)
    idf = np.log(1 + (count - per_term + 0.5) / (per_term + 0.5))
    norm = K1 * ((1 - B) + B * lengths[doc] / lengths.mean())
    weights = (idf[term] * frequency / (norm + frequency)).astype(np.float32)
    indptr = np.concatenate([[0], np.cumsum(per_term)]).astype(np.int64)
    return indptr, doc, weights
