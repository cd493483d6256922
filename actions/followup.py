"""Elliptical follow-ups: "and the ending?", "what about the other critic?", "and Amy Adams?"."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.cast import ActionAnswerCast
from actions.context import OPINION_KINDS, entity, knowledge, question, short_followup
from actions.film_facts import ActionAnswerFilmFact
from actions.review_answers import answer_from_reviews
from actions.review_details import answer_details, detail_in_context, details_reading
from knowledge.answers import resolve_review
from knowledge.aspects import topic_words
from knowledge.question_kinds import DETAILS, DetailReading


class ActionAnswerFollowup(Action):
    """Repeats the last kind of question with what the follow-up changes.

    Reads ``last_kind``, ``last_question`` and ``last_aspect``, and the ``aspect``, ``reviewer``,
    ``person``, ``character`` and ``fact`` entities. A new aspect asks the same kind of question
    about it; a reviewer alone re-asks the last question of that review.
    """

    def name(self) -> str:
        return "action_answer_followup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        kind = tracker.get_slot("last_kind") or "opinion"
        if kind == "cast" or (entity(tracker, "person", "character") and not entity(tracker, "aspect")):
            return await ActionAnswerCast().run(dispatcher, tracker, domain)
        if kind == "fact" or entity(tracker, "fact"):
            return await ActionAnswerFilmFact().run(dispatcher, tracker, domain)
        if kind == "details":  # "and the other one?" after "who wrote the first review?": the same detail
            known = await knowledge()
            last_detail = tracker.get_slot("last_aspect")
            text = question(tracker)
            reading = details_reading(known, text) or detail_in_context(known, tracker, text) or (
                DetailReading(last_detail) if last_detail in DETAILS else  # "and the other one?": the same detail
                known.question_kinds.nearest_detail(tracker.get_slot("last_question") or ""))
            return await answer_details(dispatcher, tracker, known, text, reading)
        aspect = entity(tracker, "aspect")
        reviewer = entity(tracker, "reviewer")
        text = question(tracker)
        if not reviewer and not aspect and (pointed := await pointed_at(tracker, text)):
            reviewer = pointed  # "and the negative one?", "the fourth one?": the last question, of that review
        if reviewer and not aspect and await refused_before(tracker):
            kind = "opinion"  # the ending was refused: what the message asks of that critic, not the ending again
        elif reviewer and not aspect:
            text, aspect = tracker.get_slot("last_question") or text, tracker.get_slot("last_aspect")
        return await answer_from_reviews(dispatcher, tracker, kind, text, aspect, reviewer)


async def refused_before(tracker: Tracker) -> bool:
    """Whether the last question asked how the film ends and spoilers were refused: "fine, then what did <a critic>
    think?" asks its own question, not that ending again of one review (which could only be withheld)."""
    last = tracker.get_slot("last_question")
    if tracker.get_slot("spoiler_consent") is not False or not last:
        return False
    known = await knowledge()
    return tracker.get_slot("last_aspect") == "ending" or known.asks_ending(last)


async def pointed_at(tracker: Tracker, text: str) -> str | None:
    """A short follow-up, after an answer on a topic, that only points at one review ("and the negative one?",
    "the fourth one?"): the words that point, for the last question to be asked of it; else None."""
    known = await knowledge()
    if tracker.get_slot("last_kind") not in OPINION_KINDS or not tracker.get_slot("last_question") or \
            not short_followup(text) or topic_words(known.reviews.without_names(text)):
        return None
    last_review, in_play = tracker.get_slot("last_review"), tuple(tracker.get_slot("last_reviews") or ())
    return text if resolve_review(known, text, last_review, in_play) else None
