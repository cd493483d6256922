"""Who plays whom."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.context import entity, in_thread, knowledge, question
from actions.replies import remember, send
from knowledge.fact_answers import cast_answer


class ActionAnswerCast(Action):
    """Answers "who plays X" / "who is Y" from the film facts, with a review line when one names the actor.

    Reads the ``person`` or ``character`` entity. Sets ``last_subject`` (the actor), ``last_kind``,
    ``last_question`` and ``last_sources``.
    """

    def name(self) -> str:
        return "action_answer_cast"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        known = await knowledge()
        retriever, facts = known.retriever, known.facts
        name = entity(tracker, "character", "person")
        answer = await in_thread(cast_answer, facts, retriever, name, question(tracker))
        send(dispatcher, answer)
        return remember(answer, "cast", question(tracker), None)
