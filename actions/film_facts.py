"""Facts about the film: director, writer, year, runtime, awards, music and more."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.context import entity, in_thread, knowledge, question
from actions.replies import remember, send
from actions.review_answers import answer_from_reviews, names_a_review
from knowledge.fact_answers import fact_answer


class ActionAnswerFilmFact(Action):
    """Answers a question about the film itself from the sourced facts file.

    Reads the ``fact`` entity. Sets ``last_kind``, ``last_question`` and ``last_sources``. A message
    that names one of the reviews is about that review (its rating, its verdict), not the film's facts:
    it is answered from the reviews.
    """

    def name(self) -> str:
        return "action_answer_film_fact"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        known = await knowledge()
        if names_a_review(known, question(tracker)):  # "how many stars did <a critic> give it?": the review's
            return await answer_from_reviews(dispatcher, tracker, "opinion", question(tracker),
                                             entity(tracker, "aspect"), entity(tracker, "reviewer"))
        retriever, facts = known.retriever, known.facts
        answer = await in_thread(fact_answer, facts, retriever, entity(tracker, "fact"), question(tracker))
        send(dispatcher, answer)
        return remember(answer, "fact", question(tracker), None)
