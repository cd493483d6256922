"""Facts about the film: director, writer, year, runtime, awards, music and more."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.context import entity, in_thread, knowledge, question
from actions.replies import remember, send
from knowledge.fact_answers import fact_answer


class ActionAnswerFilmFact(Action):
    """Answers a question about the film itself from the sourced facts file.

    Reads the ``fact`` entity. Sets ``last_kind``, ``last_question`` and ``last_sources``.
    """

    def name(self) -> str:
        return "action_answer_film_fact"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        known = await knowledge()
        retriever, facts = known.retriever, known.facts
        answer = await in_thread(fact_answer, facts, retriever, entity(tracker, "fact"), question(tracker))
        send(dispatcher, answer)
        return remember(answer, "fact", question(tracker), None)
