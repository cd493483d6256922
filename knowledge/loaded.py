"""Everything a process loads once and answers from: the retriever, the film facts, the
reviews with their metadata and verdicts, and the topics with their vectors.

One :class:`Knowledge` per process, built on first use (:func:`get_knowledge`) and handed
to every answer; what it derives from the index (verdicts, which review covers which
topic) is worked out once here, so a turn never walks every review.
"""

from __future__ import annotations

import re
import threading
from functools import cached_property

import numpy as np

from knowledge import segment_cache, verdicts
from knowledge.aspects import Topics, load_aspects
from knowledge.facts import names_and_words
from knowledge.once import once
from knowledge.question_kinds import QuestionKinds
from knowledge.retrieval import Filters
from knowledge.review_set import ReviewInfo, ReviewSet
from knowledge.spelling import Speller, words_of
from knowledge.spoilers import EARLY, Cues, backed_by_rule, clauses_of
from knowledge.stance import classifier, list_sides, stances
from knowledge.verdict_questions import VerdictQuestions
from knowledge.verdicts import VERDICT_QUERY, Verdict, agreement, keenest_first, review_verdicts
from knowledge.works import WorksNamed, title_key

# A sentence a general rule says tells a late event ("at last ... they part", a twist marker) tells the
# ending more surely than the cues' similarity alone says (their scores run about -0.2 to 0.3).
REVEAL_RULE_BONUS = 0.1
# A question this near what a spoiler reveals asks for it, when it says enough to judge (short follow-ups such as
# "and the other ones?" score up to 0.15 on every eval set's messages). Twist questions the example questions miss
# score 0.17 to 0.30 on tests/data/question_kind_dev.yaml and the eval sets.
QUESTION_REVEAL_FLOOR, QUESTION_REVEAL_WORDS = 0.17, 5
STANCE_CACHE = 10_000  # passages whose sentence stances are kept (a turn reads a few dozen)
_NAME_WORD = re.compile(r"[^\W\d_]{3,}")  # a word of a person's name, its possessive and initials left out
# After a name, what makes it someone who said something: "what did will say?", "grace's comment".
_SAID_AFTER = re.compile(r"['’]s\s+(?:comment|point|reply|post|take)|\s+(?:say|said|says|write|wrote|writes|think|"
                         r"thought|thinks|comment|commented|post|posted|reply|replied|mean|meant|argue|argued)\b",
                         re.IGNORECASE)
NARRATION_QUERY = "what happens in the story: what the characters do and what happens to them"


class Knowledge:
    """The retriever, the facts and the review set of one process; safe to share between threads."""

    def __init__(self, retriever, facts, cache_dir=None):
        """``cache_dir``: where the stance anchors' vectors are kept between processes (None: encoded each time)."""
        self.retriever = retriever
        self.facts = facts
        self.cache_dir = cache_dir
        rows = list(retriever.index.reviews) or [
            {"id": review, "title": passage.review_title, "author": passage.author, "outlet": passage.outlet,
             "url": passage.url} for review, passage in retriever.reviews.items()]
        self.reviews = ReviewSet.from_metadata(sorted(rows, key=lambda row: row["id"]), reserved=facts.names())
        self.own_names = own_names(facts, self.reviews)
        self.not_works = not_other_works(facts, self.reviews)  # names no other work's title holds: topics, works
        self.topics = Topics(load_aspects(known_names=self.not_works), retriever.encoder)
        self._lock = threading.Lock()
        self._stance_cache: dict[str, list[str]] = {}

    def review(self, review_id: str) -> ReviewInfo:
        return self.reviews[review_id]

    @cached_property
    def verdict_vector(self) -> np.ndarray:
        """Towards sentences that sum up a review's judgement."""
        return self.retriever.encoder.encode([VERDICT_QUERY])[0]

    @cached_property
    def film_title(self) -> str:
        """The film's title, as the facts give it ("" when they give none)."""
        return str(self.facts.film["title"].value) if "title" in self.facts.film else ""

    def judged_film_as_it(self, text: str) -> str:
        """``text`` with the film's title said as "it" where a word of judging takes it ("who liked Her the least?"):
        the encoder reads a title like "Her" as a woman; "her voice" stays hers."""
        return self._judged_title.sub(r"\1 it", text) if self._judged_title else text

    @cached_property
    def _judged_title(self) -> re.Pattern | None:
        judging = r"(?:(?:dis)?lik|lov|hat|enjoy|rat|rank|recommend)(?:e|ed|es|s)?"  # liked, loves, rated, enjoy ...
        after = r"(?=\s*(?:[?.!,;]|$|(?:the|most|least|more|less|much|best|worst|highest|lowest|overall|at all|a lot|"\
                r"enough|too|so|very|as|or|and|but|than)\b))"  # "liked Her the least", not "liked her voice"
        return re.compile(rf"\b({judging})\s+{re.escape(self.film_title)}{after}", re.IGNORECASE) \
            if self.film_title else None

    @cached_property
    def verdicts(self) -> dict[str, Verdict]:
        """Each review's verdict, worked out per segment of the index (or read where an earlier process kept it)."""
        ratings = {review.id: review.rating for review in self.reviews}

        def work_out(rows: range) -> dict:
            ending = self.topics.aspects.get("ending")
            found = review_verdicts(self.retriever.index, self.verdict_vector, ratings, self.stances, rows,
                                    title=self.film_title or None,
                                    about_the_ending=lambda sentence: bool(ending and ending.named_in(
                                        verdicts.SUMMING_UP_END.sub(" ", sentence))))
            return {review: verdicts.as_dict(verdict) for review, verdict in found.items()}

        found = {}
        for part in self._per_segment("verdicts", work_out):
            found |= {review: verdicts.from_dict(data) for review, data in part.items()}
        return found

    def _per_segment(self, what: str, work_out) -> list[dict]:
        index = self.retriever.index
        return segment_cache.per_segment(index.manifest, self.retriever.encoder.name, what, work_out, self.cache_dir)

    @cached_property
    def verdicts_in_order(self) -> list[Verdict]:
        """Every review's verdict, in the set's order (a review with no body text has none)."""
        return [self.verdicts[review] for review in self.reviews.ids if review in self.verdicts]

    @cached_property
    def verdict_reviews(self) -> tuple[str, ...]:
        return tuple(verdict.review for verdict in self.verdicts_in_order)

    @cached_property
    def verdict_counts(self) -> dict[str, int]:
        """How many verdicts are positive, mixed and negative: the agreement of the whole set."""
        return agreement(self.verdicts_in_order)

    @cached_property
    def _keenest(self) -> dict[tuple[str, bool], list[Verdict]]:
        return {(stance, coolest): keenest_first([v for v in self.verdicts_in_order if v.stance == stance], coolest)
                for stance in ("positive", "mixed", "negative") for coolest in (False, True)}

    def keenest(self, stance: str, coolest_first: bool = False) -> list[Verdict]:
        """The verdicts of one stance, the keenest first (or the coolest), sorted once per process."""
        return self._keenest.get((stance, coolest_first), [])

    @cached_property
    def verdict_questions(self) -> VerdictQuestions:
        return VerdictQuestions(self.retriever.encoder)

    @cached_property
    def spoiler_cues(self) -> Cues:
        """The descriptions of what reveals an ending, to tell which sentence of a spoiler passage tells it."""
        return Cues.load(self.retriever.encoder)

    def asks_ending(self, question: str) -> bool:
        """Whether a question asks how the film ends or for a late twist: read as one by the example questions, or
        near what a spoiler reveals by the spoiler cues ("do the OSes go somewhere?", "is he the only one she talks
        to?"); never a question placed early in the story. The film's and the reviews' names are taken out."""
        if EARLY.search(question):
            return False
        text = self.without_names(question, nouns=True)
        if self.question_kinds.asks_ending(text):
            return True
        if len(text.split()) < QUESTION_REVEAL_WORDS:
            return False
        vector = self.retriever.encoder.encode_query(text)  # kept from the reading just made: no second encoding
        return float(self.spoiler_cues.scores(np.atleast_2d(vector))[0]) >= QUESTION_REVEAL_FLOOR

    def reveal_scores(self, sentences: list[str], vectors: np.ndarray) -> np.ndarray:
        """How much each sentence tells how the film ends, rather than judging it: the best of it and its
        clauses (a reveal is often one clause of an opinion), by the spoiler cues of how a story ends (a late twist
        gives the story away, but does not say how it ends)."""
        scores = self.spoiler_cues.ending_scores(np.atleast_2d(vectors))
        clauses = [(i, clause) for i, sentence in enumerate(sentences) for clause in clauses_of(sentence)]
        if clauses:
            found = self.spoiler_cues.ending_scores(
                self.retriever.encoder.encode_kept([clause for _, clause in clauses]))
            for (i, _), score in zip(clauses, found, strict=True):
                scores[i] = max(scores[i], score)
        return scores + REVEAL_RULE_BONUS * np.array([backed_by_rule(sentence) for sentence in sentences])

    @cached_property
    def speller(self) -> Speller:
        """Mends a question's typos towards the words of the reviews, the facts and the example questions."""
        texts = [passage.text for passage in self.retriever.index.passages]
        texts += [question for questions in self.facts.asks.values() for question in questions]
        texts += [name for name in self.own_names]
        examples = (*self.verdict_questions.groups.values(), *self.question_kinds.examples.groups.values())
        texts += [question for group in examples for question in group]
        texts += [f"{aspect.label} {aspect.query}" for aspect in self.topics.aspects.values()]
        return Speller(self._common_words, words_of(texts))

    @cached_property
    def question_kinds(self) -> QuestionKinds:
        return QuestionKinds(self.retriever.encoder)

    def without_names(self, text: str, *, nouns: bool = False) -> str:
        """``text`` without the names of the reviews and of the people in the film: what is asked, not about whom
        (``nouns``: see ``ReviewSet.without_names``)."""
        return self._film_people.sub(" ", self.reviews.without_names(text, nouns=nouns))

    @cached_property
    def _film_people(self) -> re.Pattern:
        names = {name for role in self.facts.cast for name in (role.actor, role.character, *role.aliases)}
        # A role named by what it is ("Blind Date", "Alien Child") stays: "what happens after his blind date?" asks
        # about the story, in the words of a scene, not about a person.
        described = {name for name in names if len(name.split()) > 1 and
                     all(w.casefold() in self._common_words for w in name.split())}
        people = names_and_words(names - described)
        alternatives = sorted((name for name in people if len(name) > 2), key=len, reverse=True)
        return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, alternatives)) + r")(?:['’]s)?(?!\w)", re.IGNORECASE)

    @cached_property
    def comment_counts(self) -> dict[str, int]:
        """How many reader comments each review has (those about the website itself too)."""
        return self._counts("comment")

    @cached_property
    def body_paragraphs(self) -> dict[str, int]:
        """How many paragraphs of its own text each review has."""
        return self._counts("body")

    def _counts(self, section: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for passage in self.retriever.index.passages:
            if passage.section == section:
                counts[passage.review] = counts.get(passage.review, 0) + 1
        return counts

    @cached_property
    def first_comments(self) -> dict[str, str]:
        """Each review's first reader comment about the film (its passage id), to show what its readers wrote."""
        first: dict[str, str] = {}
        for passage in self.retriever.index.passages:
            if passage.section == "comment" and not passage.off_topic and not passage.spoiler and passage.sentences:
                first.setdefault(passage.review, passage.id)
        return first

    @cached_property
    def _commenters(self) -> dict[str, tuple[str, str]]:
        """Each word of a reader's name (three letters or more, lower case) and that reader with the review they
        commented on, where only one reader goes by it and it names nothing of the film or of a review (a critic
        answering readers is the review's)."""
        owners: dict[str, set[tuple[str, str]]] = {}
        for passage in self.retriever.index.passages:
            if passage.section == "comment" and passage.commenter:
                for word in _NAME_WORD.findall(passage.commenter.casefold()):
                    owners.setdefault(word, set()).add((passage.commenter, passage.review))
        return {word: names.pop() for word, names in owners.items()
                if len(names) == 1 and word not in self.own_names}

    @cached_property
    def _common_words(self) -> set[str]:
        """The whole words the encoder's tokenizer knows: common English words (the speller's, the names' test)."""
        return self.retriever.encoder.vocabulary()

    def commenter_named(self, text: str) -> tuple[str, str] | None:
        """The reader whose comments the words name ("what did Nadia say?", "maren's point"), if exactly one, and the
        review they commented on. A name that is also a common word ("Will", "Grace") counts only written as a name:
        capitalised, not first, or as the one who said something ("what did will say?")."""
        found = set()
        for match in _NAME_WORD.finditer(text):
            word = match.group(0).casefold()
            if word in self._commenters and (word not in self._common_words or _SAID_AFTER.match(text, match.end())
                                             or (match.group(0)[0].isupper() and match.start() > 0)):
                found.add(self._commenters[word])
        return found.pop() if len(found) == 1 else None

    @cached_property
    def narration(self) -> np.ndarray:
        """Towards telling what happens and away from judging it: the plot answers' preference."""
        return self.retriever.encoder.encode([NARRATION_QUERY])[0] - self.verdict_vector

    def stances(self, sentences: list[str], vectors: np.ndarray) -> list[str]:
        """Each sentence's stance (positive, negative, mixed, neutral), from it and its stored vector."""
        return stances(sentences, vectors, encoder=self.retriever.encoder) if sentences else []

    def sentence_stances(self, passage_id: str) -> list[str]:
        """The stance of each sentence of a passage: its pros-and-cons side where the review marks one
        (an item under "Cons:"), else the classifier's reading of it."""
        cached = self._stance_cache.get(passage_id)
        if cached is None:
            passage = self.retriever.index.passages[self._rows[passage_id]]
            read = self.stances(list(passage.sentences), self.sentence_vectors(passage_id))
            marked = self.marked_sides(passage_id)
            cached = [side or label for side, label in zip(marked, read, strict=True)] if any(marked) else read
            with self._lock:
                if len(self._stance_cache) >= STANCE_CACHE:
                    self._stance_cache.clear()
                self._stance_cache[passage_id] = cached
        return cached

    def marked_sides(self, passage_id: str) -> list[str | None]:
        """The side each sentence of a passage is marked with in the review's pros-and-cons lists, else None."""
        passage = self.retriever.index.passages[self._rows[passage_id]]
        return list(self._list_sides.get(passage_id) or [None] * len(passage.sentences))

    @cached_property
    def _list_sides(self) -> dict[str, tuple[str | None, ...]]:
        """Per body passage with a marked pros-and-cons item, its sentences' sides (a heading may end the
        passage before its items, so each review's body is read in order)."""
        by_review: dict[str, list] = {}
        for passage in self.retriever.index.passages:
            if passage.section == "body":
                by_review.setdefault(passage.review, []).append(passage)
        found = {}
        for passages in by_review.values():
            sides = list_sides([sentence for passage in passages for sentence in passage.sentences])
            start = 0
            for passage in passages:
                own = tuple(sides[start:start + len(passage.sentences)])
                start += len(passage.sentences)
                if any(own):
                    found[passage.id] = own
        return found

    @cached_property
    def coverage(self) -> dict[str, set[str]]:
        """For each topic, the reviews with a quotable (spoiler-free, on-the-film) sentence on it."""
        covered: dict[str, set[str]] = {name: set() for name in self.topics.aspects}
        for part in self._per_segment("coverage", self._coverage_of):
            for name, reviews in part.items():
                covered[name].update(reviews)
        return covered

    def _coverage_of(self, rows: range) -> dict[str, list[str]]:
        """For each topic, the reviews of these passage rows with a quotable sentence on it."""
        index = self.retriever.index
        covered: dict[str, set[str]] = {name: set() for name in self.topics.aspects}
        for row in rows:
            passage = index.passages[row]
            if passage.shows_nothing or passage.off_topic or passage.section != "body" or not passage.sentences:
                continue
            start = int(index.sentence_offsets[row])
            vectors = index.unit_matrix[start:start + len(passage.sentences)]
            shown = ~np.array(passage.spoiling())  # quotable without consent
            for name in self.topics.aspects:
                if passage.review not in covered[name] and (self.topics.speaks_to(name, list(passage.sentences),
                                                                                  vectors) & shown).any():
                    covered[name].add(passage.review)
        return {name: sorted(reviews) for name, reviews in covered.items()}

    @cached_property
    def _covering(self) -> dict[str, list[str]]:
        return {name: sorted(reviews) for name, reviews in self.coverage.items()}

    def covering(self, aspect: str) -> list[str]:
        """The reviews with a quotable sentence on ``aspect``, in the set's order (sorted once)."""
        return self._covering.get(aspect, [])

    @cached_property
    def works(self) -> WorksNamed:
        """The other works the reviews name, and the sentences that name them."""
        awards = tuple(title_key(str(award.get("award", ""))) for award in self.facts.awards)
        return WorksNamed(self.retriever.index.passages, self.not_works, awards)

    def passage(self, passage_id: str):
        return self.retriever.index.passages[self._rows[passage_id]]

    def sentence_vectors(self, passage_id: str) -> np.ndarray:
        """The stored vectors of a passage's sentences, in order (read in place)."""
        row = self._rows[passage_id]
        index = self.retriever.index
        start = int(index.sentence_offsets[row])
        return index.unit_matrix[start:start + len(index.passages[row].sentences)]

    @cached_property
    def _rows(self) -> dict[str, int]:
        return {passage.id: row for row, passage in enumerate(self.retriever.index.passages)}

    def warm(self) -> Knowledge:
        """Work out now what the first turns would otherwise wait for: everything computed over all reviews or
        passages (verdicts, coverage, the rows of each review, the comments' rows, the rows each filter on every
        review allows, the lookups of the reviews' names, the works they name, their pros-and-cons lists), the
        facts' wordings and the search's modules, here, once."""
        _ = classifier(self.retriever.encoder, self.cache_dir), self.narration, self.verdicts, self.coverage
        _ = self._rows, self.retriever.reviews, self.retriever.index.review_rows, self.retriever._comment_rows
        _ = self.verdict_counts, self.verdict_reviews, self._keenest, self._covering
        _ = self.topics.vectors, self.verdict_questions.warm(), self.question_kinds.warm()
        _ = self.reviews.warm()
        _ = self.speller, self.spoiler_cues, self.comment_counts, self.body_paragraphs, self.first_comments
        _ = self._film_people
        _ = self._list_sides, self.works, self._commenters, self._common_words
        _ = [self.retriever._allowed(Filters(spoilers=spoilers, section=section)) for spoilers in (True, False)
             for section in (None, "body", "comment")]
        _ = self.retriever.index.bm25.search("review", 1)  # its tokenizer's modules, imported now
        from knowledge.answers import warm_answers
        from knowledge.fact_answers import warm_facts

        warm_facts(self.facts, self.retriever.encoder)
        warm_answers()
        return self


def not_other_works(facts, reviews: ReviewSet) -> frozenset[str]:
    """The names no title of another work holds: the film's own, word by word, and the reviews' critics and outlets
    word by word, but their titles and other names only whole, since a review's title may name another film
    ("Two Films, One Evening: Her and Under the Skin") and the film stays a work its sentences name."""
    people = {name for review in reviews for name in (review.author, *review.authors, review.outlet) if name}
    whole = {name.casefold() for review in reviews for name in (*review.called(), review.title)}
    return facts.names() | names_and_words(people) | frozenset(whole)


def own_names(facts, reviews: ReviewSet) -> frozenset[str]:
    """Every name that belongs to this film or its reviews, lower case, whole and word by word: its
    cast and characters, crew, places, songs and awards, and the reviews' titles, authors and outlets."""
    return facts.names() | names_and_words({name for review in reviews for name in (*review.called(), review.title)})


@once(key=lambda settings=None: ())  # one per process: the settings say where it is, not which one
def get_knowledge(settings) -> Knowledge:
    """The process-wide knowledge, loaded on first use (not at import, not per request).

    ``settings`` is herbot's settings object: where the index, the model and the facts are.
    """
    return open_knowledge(settings)


def loaded_knowledge() -> Knowledge | None:
    """The process-wide knowledge if it is loaded already, else None (never loads it)."""
    return get_knowledge.peek()


def open_knowledge(settings) -> Knowledge:
    """A new Knowledge from ``settings`` (tests and tools; servers use :func:`get_knowledge`)."""
    from knowledge.facts import load_facts
    from knowledge.retrieval import open_retriever

    return Knowledge(open_retriever(settings), load_facts(settings.facts_file), settings.encoder_dir / "cache").warm()
