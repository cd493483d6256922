"""A second chance for messages the intent classifier is unsure of."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.context import entity
from actions.film_facts import ActionAnswerFilmFact
from actions.followup import ActionAnswerFollowup


class ActionRouteFallback(Action):
    """When the NLU is unsure what is asked, answers from what it did recognise; else asks to rephrase.

    Reads the ``aspect``, ``reviewer`` and ``fact`` entities of the latest message. An aspect or a
    reviewer ("did either critic mention the soundtrack?") is answered as a follow-up (the last kind
    of question, an opinion by default), a film fact from the facts; the events are those of the
    action that answers. With none of them it sends ``utter_clarify`` and returns no events.
    """

    def name(self) -> str:
        return "action_route_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        if entity(tracker, "aspect", "reviewer"):
            return await ActionAnswerFollowup().run(dispatcher, tracker, domain)
        if entity(tracker, "fact"):
            return await ActionAnswerFilmFact().run(dispatcher, tracker, domain)
        dispatcher.utter_message(response="utter_clarify")
        return []
