"""Repairing web-scraped text and splitting it into sentences.

``ftfy`` fixes the usual mojibake (UTF-8 read as Latin-1 or Windows-1252). What it
cannot undo is a dash that was mangled into a lone Cyrillic letter by a lossy round
trip through Windows-1251: "Samantha Рvoiced" was "Samantha – voiced". That rule is
here, narrow on purpose, with its own test.
"""

from __future__ import annotations

import difflib
import re

import ftfy

from knowledge.once import once

# A single Cyrillic capital ER between Latin words: the remains of an en dash plus
# its following space. Latin letter + space before it, a Latin letter after it.
_BROKEN_DASH = re.compile(r"(?<=[A-Za-z,.;:!?'\"”’] )[\u0420\u0440](?=[A-Za-z])")
_SPACES = re.compile(r"[ \t\u00a0]+")


def repair(text: str) -> str:
    """Return ``text`` with broken characters fixed and runs of spaces folded."""
    text = ftfy.fix_text(text, normalization="NFC", uncurl_quotes=False)
    text = _BROKEN_DASH.sub("\u2013 ", text)
    return _SPACES.sub(" ", text).strip()


def normalise_for_compare(text: str) -> str:
    """Case- and quote-insensitive form, for spotting repeated titles."""
    text = ftfy.fix_text(text)
    return re.sub(r"[\W_]+", " ", text).casefold().strip()


@once
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


# A line that is an item of a list: pros and cons (+, -, –), bullets (*, •) or numbers ("2.", "3)").
LIST_ITEM = re.compile(r"\s*(?:[+\-\u2013\u2212*\u2022]|\d{1,2}[.)])\s+\S")


# A transcript's or a debate's turn: "[00:14:02] JO: ...", "SAM WRITER: ...": its speaker's label.
SPEAKERS_TURN = re.compile(r"^\W*(?:\[[\d:.]+\]\s*)?(?P<name>[A-Z][A-Z'’.-]+(?: [A-Z][A-Z'’.-]+)?):\s")
LABEL_WORDS = 6  # a numbered item's label is short: "4. The sound design."
# pysbd reads "gone!!! Then ..." as one sentence (it splits after "!" and "!!", not after three or more).
_AFTER_RUN_OF_MARKS = re.compile(r"(?<=[!?]{3})\s+(?=[\"“‘'(]?[A-Z])")
_NUMBERED = re.compile(r"\s*\d{1,2}[.)]\s+\S")


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of a paragraph, in order, stripped of surrounding space; each list item is one.

    A numbered item that opens with its label ("4. The sound design. Listen to the room tone ...") keeps the label with
    its first sentence: the label says what the item is about, the sentence what the writer says of it."""
    pieces = re.split(r"\n(?=" + LIST_ITEM.pattern + ")", paragraph)
    sentences = []
    for piece in pieces:
        found = [part.strip() for s in _segmenter().segment(piece) for part in _AFTER_RUN_OF_MARKS.split(s)
                 if part.strip()]
        if len(found) > 1 and _NUMBERED.match(found[0]) and len(found[0].split()) <= LABEL_WORDS:
            found[:2] = [f"{found[0]} {found[1]}"]
        sentences += found
    return sentences


TYPO_MATCH = 0.8  # least similarity (difflib ratio) of a word to another for it to count as that word misspelt


def misspelt(word: str, target: str) -> bool:
    """Whether ``word`` is ``target`` or close enough to be a typo of it ("actng", "Johanson")."""
    return difflib.SequenceMatcher(None, word, target).ratio() >= TYPO_MATCH


@once
def stemmer():
    """Snowball English (PyStemmer), shared by BM25 and the word tests: "voices" and "voiced" are "voic"."""
    import Stemmer

    return Stemmer.Stemmer("english")


def same_stem(word: str, other: str) -> bool:
    """Whether two words share their stem, or one stem begins the other and is four letters or more
    ("sappy" and "sappiness", "editing" and "editors")."""
    a, b = sorted((stemmer().stemWord(word.casefold()), stemmer().stemWord(other.casefold())), key=len)
    return a == b or (len(a) >= 4 and b.startswith(a))


def asks(sentence: str) -> bool:
    """A sentence that asks ("What about the music?", a Q&A review's heading): it seldom says what a review thinks."""
    return sentence.rstrip(" \"'”’)").endswith("?")
