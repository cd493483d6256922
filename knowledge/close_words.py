"""The word of a list closest to a misspelt one, as ``difflib.get_close_matches`` finds it, without comparing
the misspelt word with every word of the list (thousands of reviewers' names, at a thousand reviews).

difflib's ratio of two strings of lengths ``a`` and ``b`` is ``2 M / (a + b)``, ``M`` the characters of
the matching blocks it finds: runs of equal characters, in the same order in both. Those ``M``
characters are a string that both become when their other characters are deleted: ``a - M`` from
one, ``b - M`` from the other. A ratio of at least ``cutoff`` needs ``M`` of at least ``m``, so a word
and a close one share a deletion variant: the word with at most ``a - m`` characters deleted, the
other with at most ``b - m``. Every word's variants are kept (hashed, sorted); a misspelt word's
variants find the few words that share one, and difflib itself compares those, so the answer is
difflib's. Words that could not be close by their length alone are never looked at.
"""

from __future__ import annotations

import difflib
from functools import cache
from math import comb

import numpy as np


class CloseWords:
    """Words, and the one closest to a word of ``shortest`` letters or more by difflib's ratio, at ``cutoff``
    or above."""

    def __init__(self, words, *, cutoff: float, shortest: int):
        self.cutoff = cutoff
        self.shortest = shortest
        self.words = list(dict.fromkeys(words))
        self._by_length: dict[int, list[str]] = {}
        for word in self.words:
            self._by_length.setdefault(len(word), []).append(word)
        variants = [_hashes(_deletions(word, self._depth_kept(len(word)))) for word in self.words]
        keys = np.concatenate([np.zeros(0, dtype=np.int64), *variants])
        owners = np.repeat(np.arange(len(self.words), dtype=np.int32), [len(found) for found in variants])
        order = np.argsort(keys, kind="stable")
        self._keys, self._owners = keys[order], owners[order]

    def closest(self, word: str) -> str | None:
        """What ``difflib.get_close_matches(word, words, n=1, cutoff=cutoff)`` gives, or None."""
        if len(word) < self.shortest:
            raise ValueError(f"{word!r} is shorter than the {self.shortest} letters the words are kept for")
        lengths = [length for length in self._by_length
                   if _least_matches(length, len(word), self.cutoff) is not None]
        depth = max((len(word) - _least_matches(length, len(word), self.cutoff) for length in lengths), default=0)
        near = sum(len(self._by_length[length]) for length in lengths)
        if sum(comb(len(word), deleted) for deleted in range(depth + 1)) >= near:  # fewer words than variants
            candidates = [close for length in lengths for close in self._by_length[length]]
        else:
            found = _hashes(_deletions(word, depth))
            starts = np.searchsorted(self._keys, found).tolist()
            ends = np.searchsorted(self._keys, found, side="right").tolist()
            owners = {owner for start, end in zip(starts, ends, strict=True) if start < end
                      for owner in self._owners[start:end].tolist()}
            candidates = [self.words[owner] for owner in owners]
        close = difflib.get_close_matches(word, candidates, n=1, cutoff=self.cutoff)
        return close[0] if close else None

    def _depth_kept(self, length: int) -> int:
        """How many characters a word of ``length`` letters may lose to meet a close word asked about (of
        ``shortest`` letters or more)."""
        longest_asked = int(length * 2 / self.cutoff) + 1  # beyond it a word is too long to be close
        return max((length - least for other in range(self.shortest, longest_asked + 1)
                    if (least := _least_matches(length, other, self.cutoff)) is not None), default=0)


@cache
def _least_matches(length: int, other: int, cutoff: float) -> int | None:
    """The fewest matching characters that give two words of these lengths difflib's ratio ``cutoff``; None
    when their lengths alone keep it below."""
    total = length + other
    return next((m for m in range(min(length, other) + 1) if 2.0 * m / total >= cutoff), None)


def _deletions(word: str, depth: int) -> set[str]:
    """``word`` with up to ``depth`` of its characters deleted, each way."""
    found = level = {word}
    for _ in range(depth):
        level = {variant[:at] + variant[at + 1:] for variant in level for at in range(len(variant))}
        found = found | level
    return found


def _hashes(variants: set[str]) -> np.ndarray:
    return np.fromiter(map(hash, variants), dtype=np.int64, count=len(variants))
