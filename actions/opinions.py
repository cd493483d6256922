"""What the reviewers think: in general, on one aspect, whether it's worth seeing, and compared."""

from actions.review_answers import ReviewAnswerAction


class ActionAnswerOpinion(ReviewAnswerAction):
    """Consults every review (or the one named) and quotes each that speaks to the question.

    Reads the ``aspect``, ``reviewer`` and ``person``/``character`` entities, ``last_subject`` for
    "her performance", and ``spoiler_consent``; sets ``last_kind`` = opinion and the other context slots.
    """

    kind = "opinion"

    def name(self) -> str:
        return "action_answer_opinion"


class ActionAnswerRecommendation(ReviewAnswerAction):
    """Whether it's worth watching, in the reviewers' own words. Same slots as the opinion action."""

    kind = "recommendation"

    def name(self) -> str:
        return "action_answer_recommendation"


class ActionCompareReviews(ReviewAnswerAction):
    """Puts the two reviews side by side on the question, saying when only one addresses it."""

    kind = "compare"

    def name(self) -> str:
        return "action_compare_reviews"
