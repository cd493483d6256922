"""A second chance for messages the intent classifier is unsure of."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.context import entity, in_thread, knowledge, question
from actions.film_facts import ActionAnswerFilmFact
from actions.followup import ActionAnswerFollowup
from actions.opinions import ActionAnswerOpinion
from actions.review_answers import names_a_review
from knowledge.answers import asks_reviews_about_them

FALLBACK_VERDICT_CLOSENESS = 0.5  # "was anybody lukewarm about it?" reaches 0.59; "how good is the new phone?" 0.41


def asks_a_verdict(known, text: str) -> bool:
    """Whether the message, though the NLU was unsure, is close to the verdict questions."""
    reading = known.verdict_questions.read(text)
    return reading.asks and reading.closeness >= FALLBACK_VERDICT_CLOSENESS


class ActionRouteFallback(Action):
    """When the NLU is unsure what is asked, answers from what it did recognise; else asks to rephrase.

    Reads the ``aspect``, ``reviewer`` and ``fact`` entities of the latest message. An aspect or a
    reviewer ("did either critic mention the soundtrack?") is answered as a follow-up (the last kind
    of question, an opinion by default), a film fact from the facts, and a message that asks what
    the reviews or critics say, names one of the reviews or comes close to asking their verdict,
    as an opinion question (the score
    floor still keeps an unrelated one from being answered); the events are those of the action
    that answers. With none of these it sends ``utter_clarify`` and returns no events.
    """

    def name(self) -> str:
        return "action_route_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        if entity(tracker, "aspect", "reviewer"):
            return await ActionAnswerFollowup().run(dispatcher, tracker, domain)
        if entity(tracker, "fact"):
            return await ActionAnswerFilmFact().run(dispatcher, tracker, domain)
        known = await knowledge()
        if names_a_review(known, question(tracker)) or asks_a_verdict(known, question(tracker)) or \
                await in_thread(asks_reviews_about_them, known.retriever, question(tracker)):
            return await ActionAnswerOpinion().run(dispatcher, tracker, domain)
        dispatcher.utter_message(response="utter_clarify")
        return []
