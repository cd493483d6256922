"""What readers said in the comments (never the comments about the website itself)."""

from actions.review_answers import ReviewAnswerAction


class ActionAnswerComments(ReviewAnswerAction):
    """Quotes the reader comment closest to the question; sets ``last_kind`` = comments."""

    kind = "comments"

    def name(self) -> str:
        return "action_answer_comments"
