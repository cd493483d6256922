"""The shared step of every answer drawn from the reviews, spoiler consent included."""

from __future__ import annotations

import re
from abc import ABCMeta, abstractmethod

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import OPINION_KINDS, entity, in_thread, knowledge, question, short_followup
from actions.phrasing import review_reply
from actions.replies import remember, send
from actions.review_details import RATINGS_ASKED, answer_details, detail_in_context, details_reading
from knowledge.answers import (
    ASKS_JUDGEMENT,
    ASKS_RATING,
    ASKS_READ,
    ASKS_REVIEWS,
    asks_elsewhere,
    asks_verdict_in_words,
    named_by_a_review,
    off_limits,
    review_answer,
    side_asked,
    strongly_answered,
)
from knowledge.aspects import subject_words
from knowledge.fact_answers import (
    add_trivia_note,
    clearly_asked,
    entry_answer,
    other_film_answer,
    person_in,
)
from knowledge.other_films import another_film

FALLBACK_VERDICT_CLOSENESS = 0.5  # "was anybody lukewarm about it?" reaches 0.59; "how good is the new phone?" 0.41
_FROM_SLOT = object()
COMPARISONS = "comparisons"  # the aspect of a question about another film a review names
THAT_REVIEW = "that review"  # how a follow-up about the critic in play names their review
# A singular person ("they" is more often the reviewers at large; "her" may be the film). After an answer about one
# review, a "they" that asks nothing else ("what were their reasons?") or a bare "why?" is its critic too.
# "she", "his", and "her" before a word for a view ("what were her reasons?"; "her" alone is the film, or Samantha)
_PERSONAL = re.compile(r"\b(?:he|she|him|his|hers)\b|\bher (?=(?:main |biggest |real |overall |final |own )?"
                       r"(?:reasons?|complaints?|problems?|issues?|gripes?|verdict|views?|take|opinion|points?|"
                       r"argument|rating|score|criticisms?|praise|beef|quarrel|objections?|reservations?)\b)",
                       re.IGNORECASE)
_THE_SET = re.compile(r"\b(?:any(?:one|body)|every(?:one|body)|reviews|critics|reviewers|others?|all|some(?:one|body)|"
                      r"any (?:review|critic|reviewer)s?)\b", re.IGNORECASE)  # "did anyone dislike it?": the whole set
_THEY_OR_WHY = re.compile(r"\b(?:they|them|their|theirs)\b|^\W*(?:(?:and|but|so|ok|okay)\W+)*why\b", re.IGNORECASE)


async def answer_from_reviews(dispatcher: CollectingDispatcher, tracker: Tracker, kind: str, text: str,
                              aspect: str | None, reviewer: str | None, consent=_FROM_SLOT) -> list:
    """Answer ``text`` from the reviews, or ask for spoiler consent first and keep the question pending.

    Reads ``spoiler_consent`` (unless ``consent`` is given), ``last_subject`` and ``last_review``; a cast
    member or role named in the message (one the film facts know) overrides ``last_subject``. A question
    about another film ("the end of Titanic") is declined and sets nothing, unless a review names
    that film: then it asks how the reviews compare the two.
    """
    known = await knowledge()
    said = []
    new_question = consent is _FROM_SLOT  # not a pending one, which waited for consent: it asked about the film
    if new_question:
        consent = tracker.get_slot("spoiler_consent")
        if (told := consent_said(text)) is not None:  # "spoilers are fine now. does he end up with Amy?"
            consent, said = told, [SlotSet("spoiler_consent", told)]
            text = without_consent(text)  # what it asks, without what it says of spoilers
        if reading := details_reading(known, text):  # "who wrote that one?", "where were they published?"
            return await answer_details(dispatcher, tracker, known, text, reading)
    facts, retriever = known.facts, known.retriever
    title = another_film(facts, text, known.own_names)
    if title and not await in_thread(named_by_a_review, known, title):
        send(dispatcher, other_film_answer(title))
        return []
    if new_question and await in_thread(asks_elsewhere, known, text):  # "which microphone should i buy?":
        dispatcher.utter_message(response="utter_out_of_scope")  # no review's words answer a request of elsewhere
        return said
    if title and aspect is None and COMPARISONS in known.topics.aspects:  # "does anyone bring up <film>?"
        aspect = COMPARISONS
    named_person = person_in(facts, text, entity(tracker, "person", "character"))
    subject = named_person or tracker.get_slot("last_subject")
    last_review, in_play = tracker.get_slot("last_review"), tuple(tracker.get_slot("last_reviews") or ())
    if reviewer is None and not named_person and (how := about_the_reviewer(known, tracker, text)):
        reviewer, subject = THAT_REVIEW, None  # "did she have any complaints?" after one review's verdict
        if how == "again" and (last := tracker.get_slot("last_question")):  # "why?", "what's their point about it?"
            text, aspect = last, aspect or tracker.get_slot("last_aspect")
    if kind == "plot" and tracker.get_slot("last_kind") in ("cast", "fact") and not said and \
            short_followup(text) and not ASKS_REVIEWS.search(text) and \
            (found := await in_thread(clearly_asked, facts, retriever, text)):  # one more question of the facts,
        # whatever the intent classifier made of it: "who plays the main guy?", then "and his friend amy's husband?"
        return await facts_instead(dispatcher, known, found.entry, text)
    outcome = await in_thread(review_answer, known, text, kind=kind, consent=consent, aspect=aspect,
                              subject=subject, reviewer_mention=reviewer, last_review=last_review, in_play=in_play)
    if kind == "plot" and outcome.status in ("needs_consent", "silent") and \
            (found := await in_thread(clearly_asked, facts, retriever, text)) and \
            (found.entry.startswith("trivia:") or outcome.status == "silent" and not found.entry.startswith("cast")):
        # "what's the OS he buys called?": a fact of its own, not an ending (a character named is no role asked)
        return await facts_instead(dispatcher, known, found.entry, text)
    answer = review_reply(outcome, known.reviews)
    if kind == "plot":
        answer = await in_thread(add_trivia_note, facts, retriever, text, answer)
    send(dispatcher, answer)
    named = [SlotSet("last_subject", named_person)] if named_person and not answer.subject else []
    if answer.needs_consent:
        return [SlotSet("pending_question", text), SlotSet("last_kind", kind), SlotSet("last_aspect", aspect),
                SlotSet("pending_review", reviewer), *named, *said]
    return remember(answer, kind, text, aspect) + named + said  # "who does she play?" after a question about her


async def facts_instead(dispatcher: CollectingDispatcher, known, entry: str, text: str) -> list:
    """The film facts' ``entry`` as the answer to a question sent here, remembered as a cast or fact answer."""
    answer = await in_thread(entry_answer, known.facts, known.retriever, entry, text, [])
    send(dispatcher, answer)
    return remember(answer, "cast" if entry.startswith("cast") else "fact", text, None)


# Spoiler consent said in the question itself: "spoilers are fine", "I don't mind spoilers", "no spoilers please".
_GRANTS = re.compile(r"\b(?:spoilers? (?:(?:are|is|['’]re) )?(?:fine|ok|okay|good|allowed|welcome)|"
                     r"(?:i )?(?:don['’]?t|do not) (?:mind|care about|care if you spoil) (?:the |any )?"
                     r"spoil(?:ers?|s|ing)?|"
                     r"spoil (?:it|away|me|everything)|spoilers? (?:don['’]?t|do not) (?:bother|matter to) me|"
                     r"go ahead and spoil|spoilers? welcome|with spoilers|(?:fine|ok|okay|happy) with spoilers)\b",
                     re.IGNORECASE)
_REFUSES = re.compile(r"\b(?:no spoilers?|without (?:any )?spoilers?|don['’]?t spoil|do not spoil|spoiler[- ]free)\b",
                      re.IGNORECASE)


# Where a message's parts meet: "no spoilers please, but does she stay?", "I don't care about spoilers. How does it
# end?"
_PARTS = re.compile(r"[.,;:!?]+\s*|\s+[-–—]\s+|\s*\bbut\b\s*", re.IGNORECASE)
_LEADING_WORDS = re.compile(r"^\W*(?:(?:but|and|so|ok(?:ay)?|now|then|please|just)\b\W*)+", re.IGNORECASE)


def without_consent(text: str) -> str:
    """The message without the part that says whether spoilers are welcome: what it asks, worded as a question alone
    ("no spoilers please, but does she stay with him?" is "does she stay with him?")."""
    kept = [part for part in _PARTS.split(text) if part.strip() and not (_GRANTS.search(part) or _REFUSES.search(part))]
    asked = _LEADING_WORDS.sub("", " ".join(kept)).strip()
    return f"{asked}?" if asked and text.rstrip().endswith("?") else asked or text


def consent_said(text: str) -> bool | None:
    """True or False when the message itself says whether spoilers are welcome, else None."""
    if _REFUSES.search(text):
        return False
    return True if _GRANTS.search(text) else None


def about_the_reviewer(known, tracker: Tracker, text: str) -> str | None:
    """Whether a message is about the critic of the one review the last answer was about (and not a person of the
    film, or another review the message names): "asked" when it asks something of them ("did she have any
    complaints?", "any complaints in it though?"), "again" when it asks the last question of them once more
    ("why?", "what's their point about it?"); else None."""
    last_review, in_play = tracker.get_slot("last_review"), tuple(tracker.get_slot("last_reviews") or ())
    if not (tracker.get_slot("last_kind") in OPINION_KINDS and bool(last_review) and in_play == (last_review,)
            and not known.reviews.named_in(text)):
        return None
    if subject_words(text):
        return "asked" if _PERSONAL.search(text) else None
    if _PERSONAL.search(text) or short_followup(text) and side_asked(text) and not _THE_SET.search(text):
        return "asked"
    return "again" if _THEY_OR_WHY.search(text) else None


async def about_the_reviews(dispatcher: CollectingDispatcher, tracker: Tracker, known) -> list | None:
    """Answers a message the NLU sent to the film's facts or cast that asks about the reviews instead: a review's
    own details ("who wrote that one?"), the ratings they gave ("how many stars from <critic>?"), or anything about
    a review it names, the set itself, or how good someone was ("how was <actor> in it?"). None when it asks none
    of these, for the film's own answer."""
    text = question(tracker)
    if reading := details_reading(known, text) or detail_in_context(known, tracker, text):  # a rating said given
        # ("who gave it a 9?") is read there too; "and when was that?" after a review's details is one more of them
        return await answer_details(dispatcher, tracker, known, text, reading)
    if ASKS_RATING.search(text) and names_a_review(known, text):
        return await answer_details(dispatcher, tracker, known, text, RATINGS_ASKED)
    if names_a_review(known, text) or ASKS_READ.search(text) or ASKS_JUDGEMENT.search(text) or \
            the_one_critic_judges(known, text):  # one review loaded: "what does he think of <an actor>?"
        return await answer_from_reviews(dispatcher, tracker, "opinion", text, entity(tracker, "aspect"),
                                         entity(tracker, "reviewer"))
    if known.topics.of_question(text, None) == COMPARISONS and not off_limits(text):  # "does it compare her with
        # any other movie?": the reviews' comparisons, not a cast answer for "her" (a filmography is neither)
        return await answer_from_reviews(dispatcher, tracker, "opinion", text, COMPARISONS, entity(tracker, "reviewer"))
    return None


def asks_a_verdict(known, text: str) -> bool:
    """Whether the message, though the NLU was unsure, is close to the verdict questions. "Did she like it?" is a
    critic's verdict of the film ("it"): it is read as said of the critic, whom the encoder does not see in "she"."""
    if asks_verdict_in_words(text):  # "sum up the verdict for me", "what's the bottom line?": in so many words
        return True
    text = known.judged_film_as_it(text)  # "who liked Her the least?": the film
    reading = known.verdict_questions.read(_OF_THE_FILM.sub(r"\g<1>the critic\g<2>", text))
    return reading.asks and reading.closeness >= FALLBACK_VERDICT_CLOSENESS


def the_one_critic_judges(known, text: str) -> bool:
    """With one review loaded, "did he like the video game scenes?", "what did he love about it?" and "what does he
    think of <an actor>?" ask what its critic thought."""
    return len(known.reviews) == 1 and bool(_HE_JUDGES.match(text))


_HE_JUDGES = re.compile(r"^\W*(?:(?:so|and|but|ok|okay)\W+)?(?:(?:did|does|do)\s+(?:she|he|they)\s+(?:really\s+)?"
                        r"(?:like|enjoy|love|hate|mind|dislike|rate|praise|rave about|care for)\b|"
                        r"(?:what|wat|how)\s+(?:did|does|do)\s+(?:she|he|they)\s+(?:think|make|feel|say)\s+(?:of|about)\b|"
                        r"what\s+(?:did|does|do)\s+(?:she|he|they)\s+(?:like|love|hate|dislike|enjoy)\s+(?:about|in)\b)",
                        re.IGNORECASE)  # "what did he love about it?", "wat does he think of <an actor>?"
# "did she like it overall?", "did he enjoy it": a person who judges "it" (the film) is a critic, not a character
_OF_THE_FILM = re.compile(r"^(\W*(?:(?:so|and|but|ok|okay)\W+)?(?:did|does|do)\s+)(?:she|he)(\s+(?:\w+\s+){0,2}it\b)",
                          re.IGNORECASE)


def the_reviews_answer(known, text: str) -> bool:
    """Whether the reviews answer a message that no film fact does ("who liked it the most?" sent to the facts):
    it reads as a verdict question, or a review passage answers it strongly (never a message of no words: a button's
    "/ask_film_fact{...}" payload)."""
    return bool(text.strip()) and (asks_a_verdict(known, text) or strongly_answered(known, text))


def names_a_review(known, text: str) -> bool:
    """Whether the message names one of the loaded reviews (its author, outlet, title) or points at
    one by its place ("the third review"): then it asks about that review, whatever else it says."""
    return bool(known.reviews.named_in(text)) or known.reviews.refers_to_one(text)


class ReviewAnswerAction(Action, metaclass=ABCMeta):
    """An answer from the reviews for one kind of question (plot, opinion, comments, ...)."""

    kind: str

    @abstractmethod
    def name(self) -> str: ...

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        return await answer_from_reviews(dispatcher, tracker, self.kind, question(tracker),
                                         entity(tracker, "aspect"), entity(tracker, "reviewer"))
