"""Typos mended before a question is read: "who direced her?", "how long is the moive?".

The sentence model reads a misspelt word as an unknown one, and a question loses most of its
meaning with it. A word is taken as it is when the model's own vocabulary (the whole words of its
tokenizer, about 20,000 common English words) or the loaded knowledge (the reviews, the film facts,
the example questions) has it; otherwise it becomes the nearest word of the knowledge, when one is
near enough. Only words of the knowledge are ever written in, so a correction always moves a
question towards something herbot can answer.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict

LOOSE, CANDIDATES = 0.6, 8  # difflib's first sift: the words at all alike, before the edits are counted
SHORT_WORD = 5  # up to this length one edit makes a typo ("waht"), beyond it two ("direced")
SHORTEST = 4  # shorter words are too often another word ("teh" is left alone)
# Contractions typed without their apostrophe: the speller must not mend them into other words.
_CONTRACTIONS = {f"{stem}nt": f"{stem}n't" for stem in (
    "does", "do", "did", "is", "was", "are", "were", "has", "have", "had", "could", "would", "should")}
_CONTRACTIONS |= {"cant": "can't", "wont": "won't", "whats": "what's", "thats": "that's", "theyre": "they're",
                  "youre": "you're", "whos": "who's", "wheres": "where's", "hows": "how's", "shes": "she's"}
_WORD = re.compile(r"[A-Za-z][a-z']+|[A-Za-z]+")


class Speller:
    """Known words, and the knowledge's words by first letter to find a near one quickly."""

    def __init__(self, common: set[str], knowledge_words: set[str]):
        self.known = {word.casefold() for word in common | knowledge_words}
        self._by_letter: dict[str, list[str]] = defaultdict(list)
        for word in sorted(knowledge_words):
            if len(word) >= SHORTEST and word.isalpha():
                self._by_letter[word[0]].append(word)

    def _inflected(self, word: str) -> bool:
        """A known word with a regular ending ("bugged", "moaned"): a word, not a typo, though the model's vocabulary
        holds only its stem."""
        return any(stem in self.known for stem in _stems(word))

    def correct(self, text: str) -> str:
        """``text`` with each unknown word of four letters or more replaced by the nearest knowledge word."""
        return _WORD.sub(lambda match: self._word(match.group(0)), text)

    def _word(self, word: str) -> str:
        lower = word.casefold()
        if lower in _CONTRACTIONS:  # "doesnt" is "doesn't", never the nearest known word ("doesn")
            return _CONTRACTIONS[lower]
        if len(lower) < SHORTEST or lower in self.known or not lower.isalpha() or self._inflected(lower):
            return word
        candidates = difflib.get_close_matches(lower, self._by_letter.get(lower[0], ()), n=CANDIDATES, cutoff=LOOSE)
        edits = {candidate: typo_distance(lower, candidate) for candidate in candidates}
        near = [c for c in candidates if edits[c] <= (1 if len(lower) <= SHORT_WORD else 2)]
        if not near:
            return word
        best = min(near, key=lambda c: (edits[c], candidates.index(c)))
        return best.capitalize() if word[0].isupper() else best


# Regular endings, and whether the stem may have lost a final "e" to them ("hated", "hating", "later").
_SUFFIXES = {"ing": True, "ed": True, "d": False, "er": True, "est": True, "es": False, "s": False, "ly": False}


def _stems(word: str):
    """What a regularly inflected word may come from: "bugged" bug, "hated" hate, "worried" worry, "films" film,
    "moved" move (a bare "d" follows only an "e").
    A stem of three letters counts only before a plural "s" ("mins") or a doubled consonant ("bugged"): "pasing"
    is a typo of "pacing", not a form of "pas"."""
    for suffix, drops_e in _SUFFIXES.items():
        stem = word[: -len(suffix)]
        if not word.endswith(suffix) or len(stem) < 3 or (suffix == "d" and not stem.endswith("e")):
            continue  # "moved" is move + d; "directd" is no form of "direct", but a typo of "directed"
        if len(stem) >= 4 or suffix in ("s", "es"):
            yield stem
        if drops_e:
            yield stem + "e"
        if len(stem) >= 3 and stem[-1] == stem[-2] and suffix in ("ing", "ed", "er", "est"):
            yield stem[:-1]
        if stem.endswith("i") and suffix in ("ed", "es", "er", "est"):
            yield stem[:-1] + "y"


def typo_distance(a: str, b: str) -> int:
    """Edits between two words, a swap of two neighbouring letters counting as one ("waht", "what")."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        row = [i]
        for j, y in enumerate(b, start=1):
            cost = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (x != y))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                cost = min(cost, previous2[j - 2] + 1)
            row.append(cost)
        previous2, previous = previous, row
    return previous[-1]


def words_of(texts) -> set[str]:
    """The words (lower case, letters only) of some texts."""
    return {word.casefold() for text in texts for word in re.findall(r"[A-Za-z]+", text)}
