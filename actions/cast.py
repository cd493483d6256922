"""Who plays whom."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.context import about_subject, entity, in_thread, knowledge, question
from actions.replies import remember, send
from actions.review_answers import about_the_reviews
from knowledge.fact_answers import cast_answer


class ActionAnswerCast(Action):
    """Answers "who plays X" / "who is Y" from the film facts, with a review line when one names the actor.

    Reads the ``person`` or ``character`` entity, and ``last_subject`` for "he", "she" or "his character".
    A question of how good someone was ("how was <actor> in it?") is the reviews' to answer.
    Sets ``last_subject`` (the actor), ``last_kind``, ``last_question`` and ``last_sources``.
    """

    def name(self) -> str:
        return "action_answer_cast"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        known = await knowledge()
        # "how was <actor> in it?", "how many stars from <critic>?": the reviews say, not the cast list
        if (events := await about_the_reviews(dispatcher, tracker, known)) is not None:
            return events
        retriever, facts = known.retriever, known.facts
        name = entity(tracker, "character", "person")
        text = question(tracker)
        if not (name and facts.roles_for(name)):  # "what's the name of his character?": the person talked about
            text = about_subject(text, tracker.get_slot("last_subject"))
            name = name if text == question(tracker) else None
        answer = await in_thread(cast_answer, facts, retriever, name, text)
        send(dispatcher, answer)
        return remember(answer, "cast", question(tracker), None)
