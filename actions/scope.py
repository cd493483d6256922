"""Messages the intent classifier calls out of scope: evidence decides, not the classifier alone."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.context import in_thread, knowledge, question
from actions.film_facts import ActionAnswerFilmFact, asks_a_fact, fact_in_context
from actions.opinions import ActionAnswerOpinion
from actions.replies import send
from actions.review_answers import answer_from_reviews, names_a_review
from actions.review_details import (
    RATINGS_ASKED,
    answer_details,
    asks_for_ratings,
    asks_for_ratings_on_one_scale,
    detail_in_context,
)
from knowledge.answers import named_by_a_review, strongly_answered
from knowledge.fact_answers import stranger_asked
from knowledge.other_films import another_film


class ActionCheckScope(Action):
    """Answers an "out of scope" message from the film facts when they answer it clearly ("who direced her?"),
    from the reviews when it names one of them, or a film one of them
    names, or a passage answers it strongly (a why-question about the film's themes); otherwise says it is
    outside what herbot knows.

    Reads the latest message; the events are the opinion action's when it answers, else none.
    """

    def name(self) -> str:
        return "action_check_scope"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        known = await knowledge()
        title = another_film(known.facts, question(tracker), known.own_names)
        if title and not await in_thread(named_by_a_review, known, title):  # "the end of Titanic?" meets no review
            dispatcher.utter_message(response="utter_out_of_scope")
            return []
        if not title and (asks_for_ratings(known, question(tracker)) or asks_for_ratings_on_one_scale(
                question(tracker))):  # "who rated it highest?", "put the ratings on one scale"
            return await answer_details(dispatcher, tracker, known, question(tracker), RATINGS_ASKED)
        if not title and (reading := detail_in_context(known, tracker, question(tracker))):  # "where did it run?"
            return await answer_details(dispatcher, tracker, known, question(tracker), reading)
        if not title and known.commenter_named(question(tracker)):  # "what did marguerite write?": a reader's comment
            return await answer_from_reviews(dispatcher, tracker, "comments", question(tracker), None, None)
        if not title and (stranger := stranger_asked(known.facts, question(tracker))):  # "is Tom Hanks in it?"
            send(dispatcher, stranger)
            return []
        if not title and await in_thread(asks_a_fact, known, question(tracker)):  # evidence in the facts
            return await ActionAnswerFilmFact().run(dispatcher, tracker, domain)
        if not title and (together := await in_thread(fact_in_context, known, tracker, question(tracker))):
            return await ActionAnswerFilmFact().run(dispatcher, tracker, domain, text=together)  # "what date was that?"
        if title or names_a_review(known, question(tracker)) or known.works.in_text(question(tracker)) or \
                await in_thread(strongly_answered, known, question(tracker)):  # a film a review compares it with
            return await ActionAnswerOpinion().run(dispatcher, tracker, domain)
        dispatcher.utter_message(response="utter_out_of_scope")
        return []
