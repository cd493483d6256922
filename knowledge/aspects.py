"""What a question is about, and whether a review sentence speaks to it.

A question names one of the general topics of film reviews (``data/aspects.yaml``: the
acting, the ending, the music…) or an open one of its own ("the video game", "the pacing").
A sentence speaks to a topic when it uses the topic's general words or when its meaning is
close to the topic (the same MiniLM vectors that retrieve); an open topic is the question's
own content words and the question's meaning. Nothing here knows a particular review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import yaml

from knowledge.once import once
from knowledge.text import asks, misspelt, same_stem

ASPECTS_FILE = Path(__file__).parent / "data" / "aspects.yaml"
# Least cosine between a sentence and a topic's query for the sentence to speak to it by meaning
# alone (the topic must also be the nearest of all topics to it). On the six test reviews, sentences
# that use none of a topic's words reach 0.30-0.47 on most topics by being about "the film" at
# all, so meaning alone decides only above that; the topic's own words need no floor.
ASPECT_MEANING = 0.5
WORDS_BONUS = 0.1  # in choosing a review's sentence on a topic, one that uses its words comes first
OPEN_TOPIC_MEANING = 0.45  # the same for an open topic, against the question itself
# Words that make a question about reviews rather than about a topic ("what did the critics think?").
_OPINION_WORDS = {
    "what", "whats", "what's", "did", "do", "does", "doing", "done", "the", "a", "an", "of", "about", "on", "in", "it",
    "its", "it's", "this", "that", "film", "movie", "picture", "her", "reviews", "review", "reviewers", "reviewer",
    "critics", "critic", "critique", "they", "them", "their", "think", "thought", "thinks", "say", "said", "says",
    "feel", "felt", "like", "liked", "likes", "dislike", "disliked", "love", "loved", "hate", "hated", "opinion",
    "opinions", "view", "views", "verdict", "overall", "consensus", "agree", "agreed", "disagree", "any", "anyone",
    "anybody", "everyone", "all", "both", "was", "were", "is", "are", "be", "how", "so", "and", "or", "to", "me",
    "tell", "you", "your", "i", "we", "make", "made", "for", "with", "general", "whole", "as", "by",
    "there", "people", "writers", "wrote", "write", "find", "found", "good", "bad", "worth", "watching", "seeing",
    "see", "watch", "recommend", "recommended", "should", "would", "could", "can", "mention", "mentioned", "talk",
    "talks", "discuss", "discussed", "anything", "something", "much", "really", "actually", "then", "one",
    "ones", "other", "others", "else", "also", "too", "out", "up", "at", "from", "has", "have", "had", "not", "no",
    "yes", "well", "kind", "take", "takes", "rate", "rated", "rating", "give", "gave", "stars", "score", "scored",
    "positive", "negative", "mixed", "praise", "praised", "criticise", "criticize", "criticised", "criticized",
    "summary", "summarise", "summarize", "main", "points", "point", "side", "sides", "which", "who", "whom", "whose",
    "why", "when", "where", "if", "whether", "some", "many", "most", "more", "less", "very", "just", "only", "bit",
    "get", "got", "s", "t", "readers", "reader", "comments", "comment", "commenters", "audience", "viewers",
    "don't", "didn't", "doesn't", "dont", "didnt", "doesnt", "reckon", "please", "hey", "hi",
    "describe", "describes", "described", "depict", "depicts", "depicted", "portray", "portrays", "portrayed",
    "particular", "particularly", "especially", "specifically",
    "isn't", "wasn't", "aren't", "weren't", "hasn't", "haven't", "hadn't", "couldn't", "wouldn't", "shouldn't", "can't",
    "won't", "that's", "they're", "you're", "who's", "where's", "how's", "she's", "he's",
    # what a review is called and what a summary of it is: "sum up the piece", "the gist of the blurb"
    "piece", "pieces", "article", "articles", "essay", "blurb", "write-up", "writeup", "column", "post", "listing",
    "capsule", "sum", "gist", "nutshell", "recap", "summed", "conclude", "concludes", "concluded", "takeaway",
    # how people speak of the one who wrote it: "what did the guy from <outlet> think?"
    "guy", "gal", "lady", "dude", "chap", "fella", "bloke", "blogger", "journalist", "author",
}


# A title: capitalised words, small words allowed inside ("Gone with the Wind", "2046: The Sequel"),
# or anything capitalised in quotation marks ("“Good Will Hunting”").
_TITLE = re.compile(r"[“\"](?P<quoted>[A-Z0-9][^”\"]{1,60})[”\"]|\b(?P<plain>(?:[A-Z0-9][\w'’]*:?"
                    r"(?:\s+(?:of|the|and|in|a|an|on|to|for)\b)*\s+){1,6}[A-Z][\w'’]*)")
_MAKERS = re.compile(r"^(?:[A-Z][\w.-]*\s+){0,3}[A-Z][\w.-]*['’]s\s+(?=[A-Z0-9])")  # whose work it is
_ACRONYM = re.compile(r"(?<!\w)[A-Z]{3,4}(?!\w)")  # a name in capitals ("HAL", "anti-HAL"), not a shouted word
_LEADING = ("Where", "When", "While", "Whereas", "If", "As", "Like", "Unlike", "And", "But", "So", "Then", "Even",
            "Still", "Yet", "After", "Before", "Since", "Because", "Although", "Though", "In", "On", "At", "For",
            "With", "Without", "Both", "Neither", "Either", "This", "That", "These", "Those", "Its", "His", "Hers")
# Words before a name that make it where a review ran or the site it is on, not a work it names.
_AN_OUTLET_BEFORE = re.compile(r"(?:\b(?:published|printed|appeared|ran|posted|written) (?:in|on|for)|"
                               r"\b(?:welcome(?: back)? to|subscribe to|follow|sign up (?:to|for)))\s*(?:the\s+)?$|"
                               r"^(?:published|printed|appeared|ran|posted|written) (?:in|on|for) ", re.IGNORECASE)
_EVENTS = {"Festival", "Festivals", "Awards", "Award", "Prize", "Prizes", "Oscars", "Globes", "Ceremony"}
_SMALL = {"of", "the", "and", "in", "a", "an", "on", "to", "for", "but", "or", "so", "yet", "if", "when", "then", "it",
          "this", "that", "i", "he", "she", "they", "we", "you", "at", "as", "even", "ever", "now", "grade", "verdict",
          "rating"}


def _title_cased(text: str) -> bool:
    """Whether most of a quoted text's words (its small words aside) begin with a capital, as a title's do."""
    words = [word for word in re.findall(r"[\w'’]+", text) if word.casefold() not in _SMALL]
    return bool(words) and sum(word[:1].isupper() or word[:1].isdigit() for word in words) * 2 > len(words)


def _without_leading_words(title: str) -> str:
    """A capitalised run without the sentence words that lead it ("Where", "Like"), as long as two words are left:
    "Like Before Sunrise" is "Before Sunrise", not "Sunrise"; a run of nothing else loses them all."""
    words = title.split()
    stripped = 0
    while len(words) - stripped > 2 and words[stripped] in _LEADING:
        stripped += 1
    rest = words[stripped:]
    if not stripped and len(rest) == 2 and rest[0] in _LEADING and rest[1] not in _LEADING:
        rest = rest[1:]  # "Where Woody": one leading word and one more is no title
    return " ".join(rest)


def works_named(sentence: str, known: frozenset[str]) -> list[str]:
    """The titles of other works a sentence names (in quotation marks, or two capitalised words or more),
    leaving out this film and anyone or anything in it (``known``, lower case)."""
    found = []
    for match in _TITLE.finditer(sentence):
        title = (match.group("quoted") or match.group("plain")).strip(" ,.:;’'")
        if not match.group("quoted"):  # "Where Woody Allen ...": a sentence's first word is no part of a title,
            rest = _without_leading_words(title)  # unless it is all the title has ("Before Sunrise")
            title = rest if len(rest.split()) >= 2 or match.start() == 0 else title
            maker = _MAKERS.match(title)  # "Sofia Coppola's Lost in Translation": the film is the title after it
            if maker and maker.group(0).strip().casefold()[:-2].strip("'’") not in known:
                title = title[maker.end():]
        if not match.group("quoted") and (re.search(r"['’]s$", title) or title.split()[-1] in _EVENTS):
            continue  # "Alex Garland's film": its maker, not a title; "the Rome Film Festival": an event
        if _AN_OUTLET_BEFORE.search(sentence[:match.start()]) or _AN_OUTLET_BEFORE.match(title):
            continue  # "Published in The Weekly Post", "welcome back to The Reading Room": where the review ran
        if match.group("quoted") and not _title_cased(title):
            continue  # “You can't be serious”: a line quoted, not a title
        words = [w for w in re.findall(r"[\w'’]+", title) if w.casefold() not in _SMALL and len(w) > 1]
        bare = title.casefold().strip("’'s")
        if bare == "her" or bare in known or not words:  # never a set of all ``known`` per title: 10,000 reviews' names
            continue
        if any(word.casefold().removesuffix("’s").removesuffix("'s") in known for word in words):
            continue
        if match.group("quoted") or len(words) >= 2:
            found.append(title)
    found += [word for word in _ACRONYM.findall(sentence) if word.casefold() not in known
              and word.casefold() not in _SMALL | _OPINION_WORDS and word.casefold() not in _evaluative_words()]
    return found


@dataclass(frozen=True)
class Aspect:
    name: str
    label: str  # how to name it to a person
    query: str  # how to ask the index about it
    words: str  # general words that show a sentence speaks to it (regex)
    asked: str  # words that show a question is about it (regex)
    titles: bool = False  # a sentence that names another work (a title the facts do not know) speaks to it
    known: frozenset[str] = frozenset()  # names that are not other works: the film's people, places, songs

    def used_in(self, sentence: str) -> bool:
        return bool(re.search(self.words, sentence, re.IGNORECASE)) or (self.titles and self.names_a_work(sentence))

    def names_a_work(self, sentence: str) -> bool:
        """Whether the sentence names a title that is not this film nor anyone or anything in it."""
        return bool(works_named(sentence, self.known))

    def named_in(self, text: str) -> bool:
        return bool(re.search(self.asked or self.words, text, re.IGNORECASE))


def load_aspects(path: Path = ASPECTS_FILE, known_names: frozenset[str] = frozenset()) -> dict[str, Aspect]:
    """The topics; ``known_names`` (lower case) are the film's own people, places and songs."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {name: Aspect(name, entry["label"], entry["query"], entry["words"], entry.get("asked", ""),
                         bool(entry.get("titles")), known_names)
            for name, entry in data.items()}


def topic_words(question: str) -> list[str]:
    """The question's content words, those that say what it is about (empty for "what did they think?")."""
    words = re.findall(r"[a-z][a-z'’-]*", question.casefold().replace("’", "'"))
    return [word for word in words if word not in _OPINION_WORDS and len(word) > 2]


_PERSONAL_WORDS = {"he", "she", "his", "him", "hers", "himself", "herself", "why", "why's", "though", "reason",
                   "reasons", "more", "again"}


def subject_words(question: str) -> list[str]:
    """The words that name what the question is about, not how it feels about it: ``topic_words`` without
    pronouns and evaluative words ("weird", "boring": VADER's lexicon holds them), so "why's it so weird?"
    names nothing and "what about the colours?" names the colours."""
    evaluative = _evaluative_words()
    return [word for word in topic_words(question)
            if word not in _PERSONAL_WORDS and word.rstrip("s") not in evaluative and word not in evaluative]


@once
def _evaluative_words() -> frozenset[str]:
    return frozenset(vader().lexicon)


@once
def vader():
    """VADER as shipped (its lexicon unchanged), loaded once per process: the evaluative words, the side a
    question asks for. ``knowledge/stance.py`` keeps its own, with the film's words added."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


class Topics:
    """The aspects, with their query vectors encoded once; judges what a sentence speaks to."""

    def __init__(self, aspects: dict[str, Aspect], encoder):
        self.aspects = aspects
        self.encoder = encoder

    @cached_property
    def matrix(self) -> np.ndarray:
        """One row per aspect (in the file's order): its query's vector."""
        return self.encoder.encode([aspect.query for aspect in self.aspects.values()])

    @cached_property
    def vectors(self) -> dict[str, np.ndarray]:
        return dict(zip(self.aspects, self.matrix, strict=True))

    def of_question(self, question: str, tagged: str | None) -> str | None:
        """The aspect the NLU tagged, if known; else the first whose question words the text uses, or
        whose name a word of it misspells ("the actng")."""
        if tagged in self.aspects:
            return tagged
        named = next((name for name, aspect in self.aspects.items() if aspect.asked
                      and re.search(aspect.asked, question, re.IGNORECASE)), None)
        return named or self._misspelt(question)

    def _misspelt(self, question: str) -> str | None:
        """An aspect whose name a word of the question misspells. The first letter must match (people
        seldom mistype it, and "reacting" is not "acting"); the ending is never guessed, since a false
        match there would ask for spoiler consent."""
        words = [word for word in re.findall(r"[a-z]+", question.casefold()) if len(word) >= 4]
        return next((name for name in self.aspects if name != "ending"
                     for target in [name.split()[0]]
                     if any(word[0] == target[0] and word != target and misspelt(word, target) for word in words)),
                    None)

    def speaks_to(self, aspect: str, sentences: list[str], vectors: np.ndarray) -> np.ndarray:
        """For each sentence, whether it speaks to ``aspect``: its words, or its meaning (close to the
        aspect, and closer to it than to any other)."""
        return self.relevance(aspect, sentences, vectors) > -np.inf

    def relevance(self, aspect: str, sentences: list[str], vectors: np.ndarray) -> np.ndarray:
        """How well each sentence speaks to ``aspect`` (its cosine with it, plus ``WORDS_BONUS`` when it
        uses its words); ``-inf`` for a sentence that does not speak to it."""
        if not len(sentences):
            return np.zeros(0)
        topic = self.aspects[aspect]
        similarity = vectors @ self.matrix.T
        column = list(self.aspects).index(aspect)
        own = similarity[:, column]
        nearest = similarity.argmax(axis=1) == column
        words = np.array([topic.used_in(s) for s in sentences], dtype=bool)
        close = (own >= ASPECT_MEANING) & nearest & (not topic.titles)  # a comparison names what it compares with
        close &= np.array([not asks(s) for s in sentences], dtype=bool)  # "is it a
        # perfect film?" asks, and reads as near any topic of "the film": it speaks to one only in its words
        return np.where(words | close, own + WORDS_BONUS * words, -np.inf)


def speaks_to_open_topic(words: list[str], sentences: list[str], scores: np.ndarray,
                         verdict: np.ndarray | None = None) -> np.ndarray:
    """For each sentence, whether it speaks to a question's open topic: shares a content word's stem
    with it (``same_stem``: "pacing" meets "paced", "sappy" "sappiness"), or is close to the question in meaning.

    ``verdict``: each sentence's closeness to an overall verdict on the film. "What do they think of how the film
    was edited?" is near every general judgement ("a fine picture, if a flawed one") through its frame; meaning alone
    speaks to the topic only where a sentence is nearer the question than it is to a verdict."""
    scores = np.asarray(scores)
    meaning = scores >= OPEN_TOPIC_MEANING
    if verdict is not None:
        meaning &= scores > np.asarray(verdict)
    return (words_shared(words, sentences) > 0) | meaning


def words_shared(words: list[str], sentences: list[str]) -> np.ndarray:
    """For each sentence, the share of the question's content words (four letters or more) whose stem it uses:
    "the sound design" is met wholly by a sentence on the sound design, half by one on the sound."""
    asked = [word for word in words if len(word) > 3]
    if not asked:
        return np.zeros(len(sentences))
    shares = []
    for sentence in sentences:
        tokens = [token for token in re.findall(r"[a-z]+", sentence.casefold()) if len(token) > 3]
        shares.append(sum(any(same_stem(token, word) for token in tokens) for word in asked) / len(asked))
    return np.array(shares)
