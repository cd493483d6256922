"""What happens in the film, as the reviews tell it."""

from actions.review_answers import ReviewAnswerAction


class ActionAnswerPlot(ReviewAnswerAction):
    """Quotes the review passage that best tells what happens; asks before revealing the ending.

    Reads the ``aspect`` and ``reviewer`` entities and ``spoiler_consent``; sets ``last_kind`` = plot,
    ``last_question``, ``last_review`` and ``last_sources`` (or ``pending_question`` when asking consent).
    """

    kind = "plot"

    def name(self) -> str:
        return "action_answer_plot"
