"""A second chance for messages the intent classifier is unsure of: what it did recognise, the
conversation so far, and the evidence in the reviews decide."""

from __future__ import annotations

import re

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.context import about_subject, entity, in_thread, knowledge, question, short_followup
from actions.film_facts import ActionAnswerFilmFact, asks_a_fact, fact_in_context
from actions.followup import ActionAnswerFollowup
from actions.opinions import ActionAnswerOpinion
from actions.review_answers import answer_from_reviews, asks_a_verdict, names_a_review, the_one_critic_judges
from actions.review_details import answer_details, detail_in_context, details_reading
from knowledge.answers import (
    ASKS_COMMENTS,
    ASKS_JUDGEMENT,
    asks_reviews_about_them,
    strongly_answered,
    unread_review_named,
)
from knowledge.aspects import subject_words, topic_words

FOLLOWUP_KINDS = ("opinion", "compare", "recommendation", "plot", "comments")
FOLLOWUP_WORDS = 12  # a message this short, after an answer from the reviews, carries on that conversation
# "is it slow?", "was the film too long", "too sappy?": a yes-or-no question on what the film is like.
_IS_IT = re.compile(r"^\W*(?:(?:so|and|but|ok|okay|hmm|honestly|be honest),?\s+)*"
                    r"(?:is|was|isn['’]?t|wasn['’]?t|does|did)\s+(?:it|this|her|the (?:film|movie))\s+(?P<rest>.+)$"
                    r"|^\W*(?P<alone>(?:too|so|very|really|kinda|pretty|a bit|a little)\s+[a-z'’-]+)\W*$",
                    re.IGNORECASE)


def what_the_film_is_like(text: str) -> str | None:
    """A yes-or-no question about what the film is like, said in full as the reviews would speak of it
    ("is it slow?" is "is the film slow?", "too sappy?" is "is the film too sappy?"), or None."""
    match = _IS_IT.match(text.strip())
    if not match:
        return None
    return f"is the film {(match.group('rest') or match.group('alone')).strip()}"


def carries_on(tracker: Tracker, text: str) -> bool:
    """Whether the message is a short turn right after an answer from the reviews ("what were his reasons?",
    "why's it so weird though"): it goes on with that answer's kind, review and topic."""
    return tracker.get_slot("last_kind") in FOLLOWUP_KINDS and short_followup(text, FOLLOWUP_WORDS)


class ActionRouteFallback(Action):
    """When the NLU is unsure what is asked, answers from what it did recognise; else asks to rephrase.

    A question that reads as how the film ends ("so how does it all wrap up?") is a story question
    (consent first), of the review it names if any; a yes-or-no on what the film is like ("too sappy?")
    is asked of the reviews when it names an aspect or judges the film.

    Reads the ``aspect``, ``reviewer`` and ``fact`` entities of the latest message and the context
    slots. An aspect or a reviewer ("did either critic mention the soundtrack?") is answered as a
    follow-up (the last kind of question, an opinion by default); a film fact from the facts; a
    question about the reviews' own details with them; one the film facts answer clearly from them (a
    "she" is the person talked about); a short turn right after an answer from the
    reviews goes on with it (its kind, its review, its topic); a message that asks what the reviews
    or critics say, names one of the reviews (or a critic herbot has not read), comes close to asking
    their verdict, or that a review passage answers strongly, as an opinion question (the score
    floors still keep an unrelated one from being answered); the events are those of the action that
    answers. With none of these it sends ``utter_clarify`` and returns no events.
    """

    def name(self) -> str:
        return "action_route_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        known, text = await knowledge(), question(tracker)
        if known.asks_ending(text):  # "so how does it all wrap up?"
            return await answer_from_reviews(dispatcher, tracker, "plot", text, None, entity(tracker, "reviewer"))
        if entity(tracker, "aspect", "reviewer"):
            return await ActionAnswerFollowup().run(dispatcher, tracker, domain)
        if entity(tracker, "fact"):
            return await ActionAnswerFilmFact().run(dispatcher, tracker, domain)
        if reading := details_reading(known, text) or detail_in_context(known, tracker, text):
            return await answer_details(dispatcher, tracker, known, text, reading)
        if ASKS_COMMENTS.search(text) or known.commenter_named(text):  # "which scene did a commenter say hit them
            # hardest?", "what did Nadia say?"
            return await answer_from_reviews(dispatcher, tracker, "comments", text, None, None)
        if await in_thread(asks_a_fact, known, about_subject(text, tracker.get_slot("last_subject"))):
            return await ActionAnswerFilmFact().run(dispatcher, tracker, domain)  # "did she win anything for it?"
        if together := await in_thread(fact_in_context, known, tracker, text):  # "and when did it go wide?"
            return await ActionAnswerFilmFact().run(dispatcher, tracker, domain, text=together)
        if (like := what_the_film_is_like(text)) and known.topics.of_question(like, None) or \
                like and subject_words(text) != topic_words(text):  # on an aspect, or evaluative words ("sappy")
            return await answer_from_reviews(dispatcher, tracker, "opinion", like, None, None)
        if carries_on(tracker, text):  # on the last answer's topic unless the message names one of its own
            aspect = known.topics.of_question(text, None) or \
                (tracker.get_slot("last_aspect") if not subject_words(text) else None)
            return await answer_from_reviews(dispatcher, tracker, tracker.get_slot("last_kind"), text, aspect, None)
        if names_a_review(known, text) or known.works.in_text(text) or asks_a_verdict(known, text) or \
                the_one_critic_judges(known, text) or unread_review_named(known, text) or \
                ASKS_JUDGEMENT.search(text) or \
                await in_thread(asks_reviews_about_them, known.retriever, text) or \
                await in_thread(strongly_answered, known, text):
            return await ActionAnswerOpinion().run(dispatcher, tracker, domain)
        if _THANKS.match(text) and "?" not in text:  # "thanks so much, that was really helpful": no question in it
            dispatcher.utter_message(response="utter_youre_welcome")
            return []
        dispatcher.utter_message(response="utter_clarify")
        return []


_THANKS = re.compile(r"^\W*(?:(?:ok(?:ay)?|great|perfect|awesome|lovely|cool)\W+)?(?:thanks|thank\s+(?:you|u)|thx|ty|"
                     r"cheers|much appreciated)\b", re.IGNORECASE)
