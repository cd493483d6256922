"""Facts about the film: director, writer, year, runtime, awards, music and more."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.context import entity, knowledge, question
from actions.replies import remember, send
from knowledge.answers import fact_answer


class ActionAnswerFilmFact(Action):
    """Answers a question about the film itself from the sourced facts file.

    Reads the ``fact`` entity. Sets ``last_kind``, ``last_question`` and ``last_sources``.
    """

    def name(self) -> str:
        return "action_answer_film_fact"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        _, facts = await knowledge()
        answer = fact_answer(facts, entity(tracker, "fact"))
        send(dispatcher, answer)
        return remember(answer, "fact", question(tracker), None)
