"""Answers from the reviews, for any number of reviews: what each says on the point asked.

Plain functions returning plain results, no Rasa: :func:`review_answer` gives a
:class:`ReviewOutcome` (which reviews speak to the point and with which sentence and stance,
which are silent, whether the user must first agree to spoilers, each review's verdict);
``actions/phrasing.py`` turns it into words. Whether a sentence is on the point is judged by
meaning and by general words (:mod:`knowledge.aspects`), never by phrases of the reviews.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

import numpy as np

from knowledge.aspects import speaks_to_open_topic, subject_words, topic_words, vader, words_shared
from knowledge.retrieval import Filters, Hit, Retriever
from knowledge.review_set import ORDINALS, join, says_the_others  # noqa: F401 - join: the facts' answers list things alike
from knowledge.spoilers import EARLY
from knowledge.text import LIST_ITEM, asks
from knowledge.verdict_questions import VerdictReading
from knowledge.verdicts import agreement, keenest_first
from knowledge.works import as_compared

MAX_QUOTES = 3  # an answer quotes at most this many reviews: the strongest and the most different
ASPECT_FLOOR = 0.1  # least score of a passage searched for an aspect (its sentences decide, not the score)
# A hint appended to the question ("the reviewer's overall verdict") lifts every passage's
# similarity, unrelated ones too: the hinted query needs a higher floor than the question alone.
HINTED_FLOOR = 0.25
READERS_HINT = "what readers thought of the movie"
UNSURE_FLOOR = 0.3  # least score for answering a message the NLU was unsure of (see asks_reviews_about_them)
OPEN_TOPIC_FLOOR = 0.25  # least passage score for an open topic ("the video game") to be answered
TOPIC_WORDS_NAMED = 2  # ... unless it uses this many of the question's content words ("video", "game")
TOPIC_SHARE_NAMED = 0.5  # ... and more than this share of them ("the foul-mouthed alien kid from the video game": no)
# A plot answer prefers a sentence that tells what happens to one that judges it: each sentence's
# score gains this much of its similarity to a telling of events minus its similarity to a verdict.
PLOT_NARRATION = 1.0
# After consent, "what happens at the end?" is answered from the passages that give the ending away,
# by how much a sentence tells events more than by its words ("its ending is superb" tells nothing).
ENDING_QUESTION_WEIGHT = 0.3
ELSEWHERE_WORDS = 4  # a request says what it wants; "sure, tell me" answers the bot's own question
_A_REPLY = re.compile(r"\W*(?:no|nope|nah|yes|yeah|yep|sure|ok|okay)\b", re.IGNORECASE)  # "no, don't tell me"
# After consent, an ending question's sentence is chosen by how much it tells the ending (the spoiler cues'
# score, about -0.2 to 0.3) beside its similarity to the question (weighted by ENDING_QUESTION_WEIGHT).
REVEAL_WEIGHT = 1.0
# After consent, an ending is told as the review tells it: the chosen sentence and the next ones of its passage that
# also tell it (their reveal score at least ENDING_RUN_FLOOR), at most ENDING_RUN sentences: a twist, then the last
# scenes, as a review recounts them in order.
ENDING_RUN = 3
ENDING_RUN_FLOOR = 0.1
# The silent reviews an outcome lists by name; past this many it leaves them to be counted.
SILENT_LISTED_AT_MOST = 12
# Before consent, a story question whose best answering sentence (by its similarity to the question) lies
# in a passage that gives the ending away by this much more than any other asks first.
SPOILER_LEAD = 0.05
# How close a passage (and its best sentence) must come to a message the intent classifier called out
# of scope for the reviews to answer it anyway. Unrelated requests (the weather, a joke, code, other
# cities) stay below 0.35 on the six test reviews; questions about the film's themes reach 0.45-0.6.
EVIDENCE_FLOOR = 0.45
EVIDENCE_SENTENCE_FLOOR = 0.4
VERDICT_KINDS = ("opinion", "compare", "recommendation")
MENTION_SIDE_CLOSENESS = 0.5  # "the one that didn't like it" reads as a side; "the critic" alone does not
MAX_SIDE_PASSAGES = 12  # passages of one review searched for its sentences on a side
SIDE_QUOTES = 2  # sentences quoted for one side of one review
SIDE_SENTENCE_CHARS = 25  # shorter sentences ("Grade: B-", "Minuses:") say no reason
SHORT_SENTENCE_WORDS = 12  # a sentence this short that is quoted brings the next one with it ("The look of
# the film deserves a paragraph of its own." opens what the next one says)
QUESTION_PENALTY = 0.3  # a sentence that asks is quoted only when nothing that says comes near
WORDS_ASKED_BONUS = 0.3  # for a sentence that uses every content word of the question; times the square of its share
# The same on an aspect, for the question's words beyond the aspect's own ("the harmonica waltz" in the music): the
# thing named comes before a sentence that names the music outright.
OWN_WORDS_ON_AN_ASPECT_BONUS = 0.3
# A word at least this close to an aspect's query in meaning is that aspect in other words ("photography" of the look,
# 0.48; "soundtrack" of the music, 0.54), not a thing on it ("harmonica", 0.32; "moon", 0.17).
ASPECT_WORD_CLOSENESS = 0.4
# of them, else (half of "the sound design" is a quarter of it: a list line that names "the sound" is not on it)
MARKED_BONUS = 0.5  # a pros-and-cons line ("- too long") is the review's own list of its sides: first
# Questions about the world today, which no review answers however close its words come ("the weather in Shanghai").
_THE_WORLD_NOW = re.compile(r"\b(?:weather|forecast|temperature|stock (?:price|market)|traffic|headlines|"
                            r"what time is it)\b", re.IGNORECASE)
# A question that says it is about what the reviews or critics said, however else it is worded.
ASKS_REVIEWS = re.compile(r"\breview(?:s|ers?|ed)?\b|\bcritics?\b|\bcritiques?\b", re.IGNORECASE)
# How good someone or something was, which only the reviews can say: "how was <actor> in it?", "was he any good?",
# "does any reviewer say that?" (a film fact or a cast entry names them, and says nothing of how they did).
ASKS_JUDGEMENT = re.compile(
    r"\bhow (?:good|well|bad|convincing|believable)\b|\bany good\b|\bthoughts on\b|"
    r"\b(?:what|how) (?:does|did) it (?:say|describe|portray|treat|handle)\b|"  # "it": the review one talks of
    r"\b(?:does|did) it (?:mention|bring up|talk about|discuss|say anything)\b|"
    r"\bwho (?:brought up|brings up|mentions|mentioned|talks about|talked about|praised|complained about)\b|"
    r"^\W*(?:anyone|anybody|any (?:critics?|reviewers?|reviews?))\s+(?:talk|mention|say|bring up|discuss|complain|"
    r"praise|like|love|hate|rave)\w*\b|"  # "anyone talk about the sound design": the auxiliary left out
    r"\bhow (?:was|were|is|are|did)\b(?! (?:it|the (?:film|movie)) do\b)[^?.!]{1,40}?"
    r"\b(?:in (?:it|this|that|the (?:film|movie))|as \w+|"
    r"do|perform|come across)\s*[?.!]*$|"
    r"\b(?:do|does|did)\b[^?.!]{0,30}\b(?:reviews?|reviewers?|critics?|anyone|anybody|(?:any|either|each) of them)\b"
    r"[^?.!]{0,25}"
    r"\b(?:say|said|think|mention|like|praise|complain|talk|bring up|mind|care|enjoy|love|hate|dislike|defend|"
    r"object|notice|find|feel|\w+ about)\b|"  # "did any critic moan about the length?": any word about it
    r"\baccording to (?:her|him|them|(?:the|this|that|these) (?:reviews?|critics?|reviewers?|piece|article))\b|"
    r"\b(?:mentioned|brought up|discussed|talked about|praised|critici[sz]ed)\s+(?:by|in)\s+"
    r"(?:any\w*|either|(?:the|a|one|some)\s+(?:reviews?|critics?|reviewers?|of them))\b",
    re.IGNORECASE)
# "how many reviews have you read?", "who wrote them?": about the set itself.
ASKS_READ = re.compile(r"\bhow many (?:reviews|reviewers|critics)\b|"
                       r"\b(?:which|what) (?:reviews|critics|reviewers)\b"
                       r"(?!(?: \w+){0,2} (?:say|said|think|thought|like|mention|discuss|talk|prais|criticis|agree))|"
                       r"\bwho (?:wrote|are|were) "
                       r"(?:(?:the|these|those) (?:reviews|reviewers|critics)|them|they|['’]?em)\b|"
                       r"\blist (?:the |all |your )?(?:reviews|critics|reviewers)|"
                       r"\bwhat (?:have|did) you read\b|\bwhere (?:are|were) the reviews from\b", re.IGNORECASE)
# Asking for a review's own score.
ASKS_RATING = re.compile(r"\b(?:rat(?:e|ed|ing|ings)|score[sd]?|stars?|grade[sd]?|marks?|out of (?:5|10|five|ten))\b|"
                         r"\bgive (?:it|the film|the movie)\b", re.IGNORECASE)
# A rating given to the film: "what score did each critic give it?" (the score, not the music), "who rated it highest?"
GIVES_RATING = re.compile(r"\b(?:rat(?:e|ed|ing|ings)|score|stars?|grades?|marks?|points?)\b[^.?!]{0,40}"
                          r"\b(?:give|gave|given|giving|award(?:ed)?)\b(?: (?:it|her|the (?:film|movie)))?\s*[?.!]*$|"
                          r"\b(?:give|gave|given|giving)s? (?:it|her|the (?:film|movie)) (?:a |an |the )?"
                          r"(?:\w+ )?(?:rating|score|grade|stars?|marks?)\b|"
                          r"\brated (?:it|her|the (?:film|movie))\b|\b(?:highest|lowest|best|worst)[ -]rat(?:ed|ing)\b",
                          re.IGNORECASE)
# What the readers said under a review, not the critic: "the comments", "did any reader agree?".
ASKS_COMMENTS = re.compile(r"\b(?:comments|commenters?|comment section|readers?)\b|\bpeople (?:reading|who read)\b|"
                           r"\b(?:people|anyone|anybody|someone|somebody|folks|they) (?:\w+ )?comment(?:ed)?\b|"
                           r"\b(?:underneath|below|under) (?:it|the (?:post|review|blog|article|piece))\b|"
                           r"\bwrite underneath\b|\brespon(?:ses|ded) (?:to|under) (?:it|the (?:post|review|blog))\b",
                           re.IGNORECASE)
# Which side of the verdicts a question asks about ("did anyone dislike it?").
ASKS_NEGATIVE = re.compile(r"\b(?:dislik|hate|hated|didn'?t like|did not like|not like|negative|pan(?:ned|s)?\b|"
                           r"(?:didn'?t|doesn'?t|don'?t)(?: \w+){1,2} (?:like|enjoy|love|care for)\b|"
                           r"critical of|complain|bad review|thumbs down|disappoint|downsides?|drawbacks?|"
                           r"flaw(?:s|ed)?\b|weak(?:ness(?:es)?| points?| spots?| links?)|faults?\b|gripes?|quibbles?|"
                           r"criticis|reservations?\b|liked it (?:the )?least|least (?:keen|impressed|enthusiastic|"
                           r"positive|favou?rable|fond|happy|kind)|harshest|toughest|grumpiest|meanest|coldest|"
                           r"most (?:critical|negative|scathing|dismissive)|"
                           r"bug(?:ged|s)? (?:them|him|her|you)\b|"
                           r"(?:not|\w*n['’]?t|never) (?:\w+ )?(?:a )?fan|not impressed)",
                           re.IGNORECASE)
# What no knowledge here holds: ratings sites, sequels; and, for the facts, people's lives and other work.
OFF_LIMITS = re.compile(r"rotten tomatoes|tomatometer|metacritic|imdb (?:score|rating)|sequel|remake|prequel",
                        re.IGNORECASE)
PEOPLES_LIVES = re.compile(r"\bborn\b|birthday|how old|\bage\b|\btall\b|height|married|net worth|salary|\bpaid\b|"
                           r"\bfee\b|other (?:films|movies)|filmography|else (?:has|did)", re.IGNORECASE)
# What else someone made or was in: a filmography, not a film a review compares this one with.
_FILMOGRAPHY = re.compile(r"\bfilmography\b|\b(?:other|previous|earlier|later|next) (?:films|movies)\b.{0,40}"
                          r"\b(?:direct(?:ed)?|make|made|star(?:red)?|act(?:ed)?|been in|done|appear(?:ed)?|"
                          r"writ(?:e|ten)|shoot|shot)\b|"
                          r"\bwhat else (?:has|did|is|was) \w+(?: \w+)? (?:directed|made|in|done|written)\b",
                          re.IGNORECASE)
_THEY = re.compile(r"\b(?:they|them|their|theirs|those|these|['’]em)\b", re.IGNORECASE)
# "did they like it?": the verdict itself, not what they liked in it.
_WHOLE_FILM = re.compile(r"\b(?:lik|lov|hat|enjoy|dislik|admir)\w* (?:it|her|the (?:film|movie))\W*$", re.IGNORECASE)
# The word that introduced a name taken out of a question ("the one called <title>, is it positive?").
# What a question asks of a film itself (who made it, who is in it, when it came out, how it ends, what it is about):
# of another film a review names, that is no question about the reviews.
_ITS_OWN_FACTS = re.compile(
    r"\bwho (?:directed|made|wrote|produced|scored|shot|(?:stars?|starred|plays?|played|acts?|acted) in)\b|"
    r"\bwho(?:'s| is| was) in\b|\b(?:director|cast|plot|story|ending|end|soundtrack|composer|sequel|remake) "
    r"(?:of|to)\b|"
    r"\b(?:when|what year) (?:was|did|is)\b|\bhow (?:does|did) .{1,60} (?:end|finish|turn out)\b|"
    r"\bwhat(?:['’]?s| is| was) .{1,60} about\b|\bhow long is\b|\b(?:come|came) out\b|\breleased\b",
    re.IGNORECASE)
_ABOUT_THE_MENTION = re.compile(r"\b(?:compar\w*|liken\w*|similar|remind\w*|versus|vs\b|better|worse|than|"
                                r"mention\w*|bring\w* up|brought up|cites?|cited|names?|named|instead|reference\w*)\b",
                                re.IGNORECASE)
_SET_SIDE_BY_SIDE = {"compare", "comparing", "contrast", "versus", "differ", "difference", "different", "similar",
                     "same", "review", "reviews", "with"}
# herbot's own list of reviews, which a question may point into: "the third review on your list", "the last one in
# your collection", "the first one you've read"
_YOUR_COLLECTION = re.compile(r"\b(?:on|in|from|of)\s+(?:your|ur|the)\s+(?:list|collection|pile|stack|library)\b|"
                              r"\b(?:that\s+)?(?:you(?:'ve|’ve|\s+have)?|u)\s+(?:read|got)\b", re.IGNORECASE)
_CALLED = re.compile(r"\b(?:called|titled|named|entitled)(?=\s*(?:[,.;:?!]|$)|\s{2})", re.IGNORECASE)
_SINGULAR = re.compile(r"\b(?:he|she|him|his|hers)\b", re.IGNORECASE)
SIDE_TONE = 0.2  # VADER's compound score past which a question's words ask for one side ("what did they like?")
_PRONOUN = re.compile(r"\b(he|him|his|she|her|hers|they|them|their)\b", re.IGNORECASE)


@dataclass
class Answer:
    """What to say (a domain response and its values) and what it rests on (the film facts' answers)."""

    response: str
    values: dict[str, str] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)  # passage ids, or "facts:<entry>"
    quotes: list[dict] = field(default_factory=list)  # for channels that show quotes apart
    suggestions: list[str] = field(default_factory=list)
    subject: str | None = None  # the person talked about, for "her performance" next turn
    review: str | None = None  # the review quoted, for "and the other one?"
    needs_consent: bool = False
    notes: list[tuple[str, str]] = field(default_factory=list)  # (fact, source) said after the answer
    reviews: list[str] = field(default_factory=list)  # every review the answer quoted


@dataclass(frozen=True)
class ReviewQuote:
    """One review's sentence on the point asked."""

    review: str
    passage_id: str
    sentence: str
    source: str  # how to cite it: title, author, outlet (or the reader comment)
    stance: str | None = None  # positive, negative, mixed or neutral
    spoiler: bool = False
    score: float = 0.0
    rating: str | None = None  # the review's own rating, in its words, for verdicts


@dataclass
class ReviewOutcome:
    """What the reviews say on a question, before it is put into words.

    ``status``: ``quoted`` (``quotes`` from the reviews that speak to it, ``silent`` the ones
    that do not), ``verdicts`` (each review's overall verdict: ``counts`` by stance), ``silent``
    (no review speaks to it), ``needs_consent`` (only a spoiler would answer and the user was
    never asked), ``withheld`` (the user said no spoilers and only spoilers answer),
    ``reviews_read`` (the set itself), ``which_review`` (the words name no single review),
    ``no_other`` ("the other one" where there is none), ``unread`` (a review named that herbot has not read:
    ``topic`` is its name), ``off_limits`` (ratings sites, sequels), ``other_film`` (a fact of another film a
    review names, "who directed <it>?": ``topic`` is its title).
    """

    status: str
    kind: str
    total: int
    quotes: list[ReviewQuote] = field(default_factory=list)
    speaking: list[str] = field(default_factory=list)
    silent: list[str] = field(default_factory=list)
    topic: str | None = None  # the aspect's label ("the acting"); None for an open topic
    review: str | None = None  # the one review asked about
    counts: dict[str, int] = field(default_factory=dict)  # verdicts by stance
    focus: str | None = None  # "negative" / "positive": the side a verdict question asks about
    suggestions: list[str] = field(default_factory=list)
    subject: str | None = None

    @property
    def sources(self) -> list[str]:
        return list(dict.fromkeys(quote.passage_id for quote in self.quotes))


# --- the reviews -------------------------------------------------------------------------------

def review_answer(knowledge, question: str, *, kind: str, consent: bool | None, review: str | None = None,
                  aspect: str | None = None, subject: str | None = None, last_review: str | None = None,
                  in_play: tuple[str, ...] = (), reviewer_mention: str | None = None) -> ReviewOutcome:
    """Answer from the reviews. ``kind`` is plot, opinion, compare, recommendation or comments.

    Opinions consult every review (or the one named) and quote those that speak to the point: a
    sentence on the aspect asked about (or naming the person asked about, or on the question's own
    topic); a review with none is silent. A general "what did they think?", "do they agree?" or
    "is it worth seeing?" gets each review's verdict. Spoiler-bearing passages are used only with
    ``consent``; when consent was never asked, a question only a spoiler answers asks first.
    """
    retriever = knowledge.retriever
    total = len(knowledge.reviews)
    question = knowledge.judged_film_as_it(question)  # "who liked Her the least?": the film, not a woman
    if OFF_LIMITS.search(question) or _FILMOGRAPHY.search(question):  # "which other films has <him> directed?"
        return ReviewOutcome("off_limits", kind, total, suggestions=covered_topics(knowledge))
    if ASKS_READ.search(question):
        return ReviewOutcome("reviews_read", kind, total)
    reader = knowledge.commenter_named(question)  # "what did Nadia say?": a reader's comment, not a critic's view
    if kind in VERDICT_KINDS and (ASKS_COMMENTS.search(question) or reader and not reviewer_mention and
                                  not knowledge.reviews.named_in(question)):  # "what did people say in the comments?"
        kind = "comments"
    if kind == "comments" and review is None and not reviewer_mention:  # the comments under the review it names
        named = knowledge.reviews.named_in(question)
        review = named[0] if len(named) == 1 else None
    # "and the other ones?" after one review: said as the question, or as the review the NLU found in it (the
    # follow-up then re-asks the last question: its verdict, or its topic of every review)
    said_others = says_the_others(question)
    named_others = bool(reviewer_mention and says_the_others(reviewer_mention))
    if review is None and kind in VERDICT_KINDS and last_review in knowledge.reviews.by_id and \
            len(knowledge.reviews) > 2 and (said_others or named_others):
        if said_others or not topic_words(knowledge.without_names(question)):
            rest = tuple(r for r in knowledge.reviews.ids if r != last_review)
            return verdicts_answer(knowledge, question, kind, consent=consent, among=rest)
        reviewer_mention = None
    named = knowledge.reviews.named_in(question) if review is None and kind in VERDICT_KINDS else []
    if len(named) >= 2 and not set(topic_words(knowledge.reviews.without_names(question))) - _SET_SIDE_BY_SIDE:
        return verdicts_answer(knowledge, question, kind, consent=consent, among=tuple(named))  # "do <one> and
        # <another> agree?", "compare <one> with <another>"
    if reviewer_mention and (_OTHER_THING.search(reviewer_mention) or re.fullmatch(
            r"\W*(?:the\s+)?others?\W*", reviewer_mention, re.IGNORECASE) and _OTHER_THING.search(question)
            and not knowledge.reviews.refers_to_one(question)):  # "the other OSes": no review at all
        reviewer_mention = None
    if reviewer_mention and review is None and len(knowledge.reviews.named_in(reviewer_mention)) > 1:
        reviewer_mention = None  # "fenwick and sørensen": two reviews, which the question names itself
    if reviewer_mention and review is None:  # the NLU's words, the whole message ("the critic" in "in <title>, …"),
        reviews = knowledge.reviews  # then the side the words name ("the one that didn't like it")
        review = reviews.resolve(reviewer_mention, last=last_review, in_play=in_play) or \
            reviews.resolve(question, last=last_review, in_play=in_play) or \
            resolve_review(knowledge, reviewer_mention, last_review, in_play)
        if review is None and (unread := unread_review_named(knowledge, question)):  # a review herbot has not read
            return ReviewOutcome("unread", kind, total, topic=unread)
        if review is None:
            other = bool(re.search(r"\bother\b", reviewer_mention, re.IGNORECASE)) and total < 2
            past = knowledge.reviews.points_past(reviewer_mention) or knowledge.reviews.points_past(question)
            return ReviewOutcome("no_other" if other or past else "which_review", kind, total)
    if total < 2 and _OTHER_REVIEWS.search(question):  # "and what do the other critics say?" with one review
        return ReviewOutcome("no_other", kind, total)
    if kind != "comments" and (numbered := numbered_item_answer(knowledge, question, kind, review, consent)):
        return numbered  # "what does the 8th post of the thread say?", "footnote 1 in <a review>?": that item
    if review is None and kind != "comments":  # "what did the third critic think?", "and Jo Critic?"
        review = knowledge.reviews.resolve(question, last=last_review, in_play=in_play)
        if review is None and (pointer := _THE_ONE_WHO.search(question)):  # "the one who hated it, did they ...?"
            review = resolve_review(knowledge, pointer.group(0), last_review, in_play)
        if review is None and (unread := unread_review_named(knowledge, question)):  # a review herbot has not read
            return ReviewOutcome("unread", kind, total, topic=unread)
        if review is None and knowledge.reviews.refers_to_one(question):
            other = bool(re.search(r"\bother\b", question, re.IGNORECASE)) and total < 2
            past = knowledge.reviews.points_past(question)  # "the fifth review" of three
            return ReviewOutcome("no_other" if other or past else "which_review", kind, total)
    unnamed = _YOUR_COLLECTION.sub(" ", _CALLED.sub(" ", knowledge.reviews.without_names(question)))  # "the one
    # called <title>", "the third one on your list": no topic
    if kind == "plot" and review and not aspect and not topic_words(unnamed) and not _asks_ending(knowledge, question,
                                                                                                 aspect):
        kind = "opinion"  # "tell me about the fourth one": what that review is and thinks, not the story
    if kind != "comments" and (works := knowledge.works.in_text(unnamed)):  # "does anyone bring up <a film>?"
        if not knowledge.reviews.named_in(question) and (title := another_works_facts(knowledge, unnamed)):  # "who
            # directed <a film>?": that film, not the reviews ("who wrote the <review> with <a film>?" is the review's)
            return ReviewOutcome("other_film", kind, total, topic=title)
        return works_answer(knowledge, question, works, review=review, consent=consent)
    aspect = knowledge.topics.of_question(weighed(unnamed), aspect)  # a review named "... Glass City" asks nothing
    # of the city
    if aspect and knowledge.topics.aspects[aspect].titles and kind != "comments" and len(knowledge.works):
        return works_answer(knowledge, question, list(knowledge.works.titles), review=review, consent=consent,
                            label=_label(knowledge, aspect))  # "which other films do they compare it with?"
    if kind in VERDICT_KINDS and (GIVES_RATING.search(unnamed) or ASKS_RATING.search(question) and (
            review or not aspect) and not (subject and _refers_to(question, subject)) and
            knowledge.verdict_questions.read(unnamed).asks):  # not "the score" alone, nor "rate <her> work"
        return verdicts_answer(knowledge, question, kind, review, consent=consent)
    if subject and not (kind in VERDICT_KINDS and _refers_to(question, subject)):
        subject = None
    # "them" is the reviews in play, even when a person was talked about, unless a "he" or "she" says otherwise
    if kind in VERDICT_KINDS and review is None and not aspect and len(in_play) >= 2 and _THEY.search(unnamed) and \
            (not subject or not _SINGULAR.search(unnamed)) and not _WHOLE_FILM.search(unnamed) and \
            not subject_words(ASKS_NEGATIVE.sub(" ", unnamed)) and (side := side_asked(question)):
        return sides_answer(knowledge, question, kind, in_play, side, consent)  # "and what bugged them?"
    # About one review, pronouns and evaluative words name no topic: "what were his reasons?" asks its verdict.
    words = [] if aspect or subject else subject_words(unnamed) if review else topic_words(unnamed)
    # Words of its own make a question a topic question unless the verdict reading is clearly ahead;
    # about one named review, "what bothered her?" is its verdict more often than a topic.
    reading = knowledge.verdict_questions.read(unnamed, own_words=bool(words) and not review) \
        if kind in VERDICT_KINDS and not aspect and not subject else VerdictReading(False)
    ending = _asks_ending(knowledge, question, aspect)  # "how did she feel about the closing scenes?" is no verdict
    general = kind in VERDICT_KINDS and not aspect and not subject and not (words and ending) and (
        not words or reading.asks or asks_verdict_in_words(question))
    if general or (kind in VERDICT_KINDS and ASKS_RATING.search(question) and not aspect and not subject):
        # Words of dislike outweigh the encoder's sense of a side (it reads "wasn't a fan" near "a fan").
        focus = "negative" if ASKS_NEGATIVE.search(question) else reading.focus
        if review and (focus is None or _ANY_PART.search(unnamed)):  # of one review, the side its words ask for:
            focus = side_asked(unnamed) or focus  # "did he like anything at all?" asks the good it found, whatever
            # the encoder makes of "at all"
        return verdicts_answer(knowledge, question, kind, review, focus, consent)
    asked = unnamed if review and unnamed.strip() and not knowledge.works.in_text(question) else question
    query = build_query(knowledge, asked, aspect, subject, limit=retriever.max_query_chars)  # the review's name
    # says which review, not what about: "the Lakeshore round-up on Mara?" searches that review for Mara
    if kind == "comments":  # "what did people say?" meets a comment's words only through what readers do
        query = f"{query} ({READERS_HINT})"
    section = "comment" if kind == "comments" else "body"  # a reader's comment is not the review's view
    filters = Filters(review=review, section=section, spoilers=consent is not False)
    floor = ASPECT_FLOOR if aspect else OPEN_TOPIC_FLOOR if words and kind != "plot" else None
    floor = HINTED_FLOOR if kind == "comments" and not aspect else floor
    if ending and floor is not None and kind != "comments":  # the passages that tell it, however they are worded
        floor = min(floor, ASPECT_FLOOR)
    open_topic = not aspect and bool(words) and kind not in ("plot", "comments") and not ending
    if open_topic:  # a passage that names the topic in its words is on it, however far in meaning
        hits = [hit for hit in retriever.search(query, top_k=30, filters=filters, min_score=ASPECT_FLOOR)
                if hit.score >= floor or _names_the_topic(words, hit.passage.text)]
    elif subject and kind in VERDICT_KINDS:  # a person asked about: a passage that names them is on it, however low it
        # scores on the question (a paragraph on four actors scores low on each)
        named, least = _names_of(subject, question), retriever.min_score if floor is None else floor
        hits = [hit for hit in retriever.search(query, top_k=30, filters=filters, min_score=-1.0)
                if hit.score >= least or named.search(hit.passage.text)]
    else:
        hits = retriever.search(query, top_k=30 if aspect or words else 10, filters=filters, min_score=floor)
    vector = retriever.encoder.encode_query(query)
    if kind == "comments" and _ASKS_REPLIES.search(question):  # "did the author reply?": every reply, however far
        hits = _replies(knowledge, retriever.search(query, top_k=30, filters=filters, min_score=-1.0)) or hits
    elif kind == "comments" and reader:  # "what was Maren's argument?": that reader's comments, however worded;
        # none when all they wrote was about the website, not another reader's instead
        hits = [hit for hit in retriever.search(query, top_k=30, min_score=-1.0, filters=replace(
            filters, review=reader[1])) if hit.passage.commenter == reader[0]]
    elif kind == "comments":  # "what did people say?": the readers first, the critic's own replies after them
        hits = sorted(hits, key=lambda hit: _by_its_critic(knowledge, hit.passage))
    judge = _judge(knowledge, kind, aspect, subject, words, question)
    if kind in VERDICT_KINDS and not subject and not aspect:  # of two sentences on an open topic, the one that
        judge = _using_the_words(judge, words)  # uses the words asked (an aspect's own words weigh already)
    elif kind in VERDICT_KINDS and not subject and aspect:  # "what about the moon song?": on the music, the sentence
        judge = _naming_the_words(judge, _own_words(knowledge, aspect, topic_words(unnamed)))  # that names the song
    # Without consent, a passage that gives the ending away may still be quoted by a sentence that does not.
    visible = [hit for hit in hits if consent or not hit.passage.shows_nothing]
    on_point = []
    def tells_the_ending(sentences, vectors, scores):  # a judge: how plainly each sentence says how it ends
        return REVEAL_WEIGHT * knowledge.reveal_scores(sentences, vectors)

    if kind == "plot" and ending and consent:  # the sentence that tells how it ends, not the one that praises it
        on_point = _on_point(knowledge, visible, vector, tells_the_ending, kind, ending=True)
    on_point = on_point or _on_point(knowledge, visible, vector, judge, kind, hide_spoilers=not consent)
    if not on_point and ending and consent and kind in VERDICT_KINDS:  # "how does <a review> describe the ending?"
        on_point = _on_point(knowledge, visible, vector, tells_the_ending, kind, ending=True)  # told, never named
    if consent is None and hits and (ending and any(h.passage.spoiler for h in hits)
                                     or (kind == "plot" and _spoiler_leads(hits) and not
                                         knowledge.question_kinds.about_the_story(knowledge.without_names(question)))
                                     or (not on_point and _on_point(knowledge, hits, vector, judge, kind))):
        return ReviewOutcome("needs_consent", kind, total, review=review, topic=_label(knowledge, aspect))
    if consent is False and ending and any(h.passage.spoiler for h in retriever.search(  # among the passages nearest
            query, top_k=10, filters=Filters(review=review, section=section), min_score=-1.0)):  # it, however far, one
        # tells the ending: anything else quoted would skirt what was asked
        return ReviewOutcome("withheld", kind, total, review=review, topic=_label(knowledge, aspect))
    if not on_point and review and kind != "comments" and is_a_discussion(knowledge, review):  # a thread's replies:
        # what its opening post does not say, the replies may ("what did the forum think of how it wraps up?")
        answered = review_answer(knowledge, question, kind="comments", consent=consent, review=review,
                                 aspect=aspect, subject=subject)
        if answered.status != "silent":
            return answered
    if not on_point:
        withheld = consent is False and bool(_on_point(knowledge, retriever.search(
            query, top_k=10, filters=Filters(review=review, section=section), min_score=floor), vector, judge, kind))
        return ReviewOutcome("withheld" if withheld else "silent", kind, total, review=review,
                             topic=_label(knowledge, aspect), suggestions=covered_topics(knowledge, review))
    per_review = kind in VERDICT_KINDS and review is None
    chosen = _strongest_and_most_different(on_point) if per_review else on_point[:1]
    speaking = [quote.review for quote in on_point] if per_review else [chosen[0].review]
    silent = _silent_ones(knowledge, speaking) if per_review else []
    return ReviewOutcome("quoted", kind, total, quotes=chosen, speaking=speaking, silent=silent,
                         topic=_label(knowledge, aspect), review=review, subject=subject,
                         suggestions=_suggestions(knowledge, chosen, aspect))


# "post 8", "item #3", "footnote 1", "number 4", "the 8th post", "the third tweet": one numbered item of a review.
_ITEM_NOUNS = r"(?:posts?|items?|points?|tweets?|entr(?:y|ies)|footnotes?|notes?|things?|reasons?|numbers?|no\.?)"
_ORDINAL_WORDS = ORDINALS[:10]
_NUMBERED_ASKED = re.compile(rf"\b{_ITEM_NOUNS}\s*#?\s*(?P<n>\d{{1,3}})\b|#(?P<hash>\d{{1,3}})\b|"
                             rf"\b(?P<ordinal>\d{{1,3}}(?:st|nd|rd|th)|{'|'.join(_ORDINAL_WORDS)})\s+{_ITEM_NOUNS}",
                             re.IGNORECASE)


def numbered_item(question: str) -> int | None:
    """The number of the item a question asks for ("post 8", "the 8th post", "footnote 1", "the third point")."""
    match = _NUMBERED_ASKED.search(question)
    if not match:
        return None
    if match.group("ordinal"):
        word = match.group("ordinal").casefold()
        return _ORDINAL_WORDS.index(word) + 1 if word in _ORDINAL_WORDS else int(re.sub(r"\D", "", word))
    return int(match.group("n") or match.group("hash"))


def numbered_item_answer(knowledge, question: str, kind: str, review: str | None,
                         consent: bool | None) -> ReviewOutcome | None:
    """The item of one review a question asks for by its number, quoted from its first sentence: a paragraph that
    opens with that label ("8/", "8.", "[8]", "#8", "(8)"). Of the review named, or the only one loaded; None when
    none (or the question asks no item), for the usual search."""
    number = numbered_item(question)
    if number is None:
        return None
    total, named = len(knowledge.reviews), knowledge.reviews.named_in(question) if review is None else []
    review = review or (named[0] if len(named) == 1 else knowledge.reviews.ids[0] if total == 1 else None)
    if review is None:
        return None
    label = re.compile(rf"^\W{{0,2}}(?:\[{number}\]|\({number}\)|#{number}\b|{number}\s*[./):](?!\d))")
    start, end = knowledge.retriever.index.review_rows.get(review, (0, 0))
    items = [p for p in knowledge.retriever.index.passages[start:end]
             if p.section == "body" and not p.off_topic and label.match(p.text)]
    if len(items) != 1:
        return None
    passage = items[0]
    if passage.spoiler and not consent:
        shown = [i for i in range(len(passage.sentences)) if not passage.spoils(i)]
        if consent is None or not shown:
            return ReviewOutcome("needs_consent" if consent is None else "withheld", kind, total, review=review)
    else:
        shown = list(range(len(passage.sentences)))
    if not shown:
        return None
    i = shown[0]
    said = _with_what_follows(passage, list(passage.sentences), i, hide_spoilers=not consent)
    quote = ReviewQuote(passage.review, passage.id, said, passage.source_label,
                        knowledge.sentence_stances(passage.id)[i], passage.spoils(i), 1.0)
    return ReviewOutcome("quoted", kind, total, quotes=[quote], speaking=[review], silent=[], review=review)


def is_a_discussion(knowledge, review: str) -> bool:
    """A review with as many reader comments as paragraphs of its own, or more (a forum thread): its readers speak
    for it as much as its writer does. A review with a few comments under it is not one."""
    comments = knowledge.comment_counts.get(review, 0)
    return bool(comments) and comments >= knowledge.body_paragraphs.get(review, 0)


def _silent_ones(knowledge, speaking: list[str]) -> list[str]:
    """The reviews that do not speak to the point, when few enough to be named (``SILENT_LISTED_AT_MOST``), else
    none: an answer then counts them, and never walks every review of a large set."""
    said = set(speaking)
    if len(knowledge.reviews) - len(said) > SILENT_LISTED_AT_MOST:
        return []
    return [r for r in knowledge.reviews.ids if r not in said]


def another_works_facts(knowledge, question: str) -> str | None:
    """The title of another film a review names whose own facts the question asks ("what year did <it> come out?",
    "whats <it> about?"), not what the reviews say of it; else None."""
    works = knowledge.works.in_text(question)
    if not works or ASKS_REVIEWS.search(question) or _ABOUT_THE_MENTION.search(question) or \
            knowledge.reviews.named_in(question):  # "who wrote the double bill review, the one with <a film>?"
        return None
    normal = as_compared(question)
    about = re.search(r"\bwhat(?:'?s| is| was)? (?:the (?:film|movie) )?" + re.escape(works[0]) + r" (?:\w+ )?about\b",
                      normal)  # "what good will hunting about?", as the speller mends "whats"
    return knowledge.works.titles[works[0]] if about or _ITS_OWN_FACTS.search(question) else None


def works_answer(knowledge, question: str, works: list[str], *, review: str | None,
                 consent: bool | None, label: str | None = None) -> ReviewOutcome:
    """What the reviews say where they name other works (``works``: keys of ``knowledge.works``): each
    review's sentence naming one that comes closest to the question (of one review, its sentences naming
    different works, up to ``MAX_QUOTES``); the reviews that name none are silent. ``label`` names the topic
    ("films it's compared with"), followed by the works the quoted reviews name."""
    total = len(knowledge.reviews)
    vector = knowledge.retriever.encoder.encode_query(question)
    found: dict[str, list[tuple[float, str, ReviewQuote, tuple]]] = {}  # per review: (score, work, quote, place)
    hidden, hidden_in, hidden_works = False, {}, {}  # the reviews that name a work only where they give the ending
    # away, and the works they name there (dicts as ordered sets)
    for key in works:
        for passage_id, i in knowledge.works.places[key]:
            passage = knowledge.passage(passage_id)
            if review and passage.review != review:
                continue
            if passage.spoils(i) and not consent:
                hidden = True
                hidden_in[passage.review] = hidden_works[key] = None
                continue
            score = float(knowledge.sentence_vectors(passage_id)[i] @ vector)
            found.setdefault(passage.review, []).append((score, key, ReviewQuote(
                passage.review, passage_id, passage.sentences[i], passage.source_label,
                knowledge.sentence_stances(passage_id)[i], passage.spoils(i), score), (passage.position, i)))
    if not found:
        status = "needs_consent" if hidden and consent is None else "withheld" if hidden else "silent"
        topic = f"{label} ({_works_list(knowledge, list(hidden_works))})" if label and hidden_works else \
            label or _works_list(knowledge, works)
        return ReviewOutcome(status, "compare", total, review=review, topic=topic,
                             speaking=list(hidden_in) if status == "needs_consent" else [])
    best = {name: max(named, key=lambda item: item[0])[2] for name, named in found.items()}
    quotes = sorted(best.values(), key=lambda quote: -quote.score)
    chosen = _strongest_and_most_different(quotes) if review is None else _its_comparisons(found[review])
    speaking = [quote.review for quote in quotes]
    silent = _silent_ones(knowledge, speaking) if review is None else []
    # the works named: those the quotes name first, then the others the speaking reviews name, the most named first
    quoted = [key for quote in chosen for _, key, said, _ in found[quote.review] if said.sentence == quote.sentence]
    naming = Counter(key for named_here in found.values() for key in {key for _, key, _, _ in named_here})
    named = list(dict.fromkeys([*quoted, *sorted(naming, key=lambda key: -naming[key])]))
    topic = f"{label} ({_works_list(knowledge, named)})" if label and named else label or \
        _works_list(knowledge, works)
    return ReviewOutcome("quoted", "compare", total, quotes=chosen, speaking=speaking, silent=silent, topic=topic,
                         review=review, suggestions=_suggestions(knowledge, chosen, None))


WORKS_NAMED_AT_MOST = 6  # works listed by title in an answer; past it, counted


def _works_list(knowledge, keys: list[str]) -> str:
    titles = [knowledge.works.titles[key] for key in keys]
    if len(titles) <= WORKS_NAMED_AT_MOST:
        return join(titles)
    return ", ".join(titles[:WORKS_NAMED_AT_MOST]) + f" and {len(titles) - WORKS_NAMED_AT_MOST} more"


def _its_comparisons(named: list[tuple[float, str, ReviewQuote, tuple]]) -> list[ReviewQuote]:
    """One review's sentences that name different works, the closest first (each work once, up to ``MAX_QUOTES``),
    in the order the review says them."""
    picked: dict[str, tuple[ReviewQuote, tuple]] = {}
    for _, key, quote, place in sorted(named, key=lambda item: -item[0]):
        if len(picked) < MAX_QUOTES and key not in picked and all(place != seen for _, seen in picked.values()):
            picked[key] = (quote, place)
    return [quote for quote, _ in sorted(picked.values(), key=lambda item: item[1])]


def verdicts_answer(knowledge, question: str, kind: str, review: str | None = None, focus: str | None = None,
                    consent: bool | None = None, among: tuple[str, ...] = ()) -> ReviewOutcome:
    """Each review's overall verdict (its rating when it states one), or the named review's.

    ``focus``: the side asked about ("who disliked it?"); for one review, its sentences on that
    side ("what were her complaints?") are quoted after its verdict. ``among``: only these reviews
    ("and the other ones?"), counted as the set."""
    verdicts = knowledge.verdicts
    total = len(among) if among else len(knowledge.reviews)
    only = knowledge.reviews.ids[0] if len(knowledge.reviews) == 1 else None
    if only and only in verdicts and (focus in (None, verdicts[only].stance) or _ASKS_WHAT.match(question)):
        review = only  # the set's verdict is its one review's; "what were the downsides?" asks its side, not "who"
    everyone = not review and not among  # then what is worked out over every review comes from the knowledge, once
    found = knowledge.verdicts_in_order if everyone else [verdicts[review]] if review in verdicts else \
        [verdict for verdict in knowledge.verdicts_in_order if verdict.review in among]
    if review and found:
        verdict = _verdict_quote(knowledge, found[0])  # its sentence may be None: then its sides speak for it
        # A verdict is told with the side it comes down on (a mixed one with both), unless a side is asked.
        side = focus or (found[0].stance if found[0].stance in ("positive", "negative", "mixed") else None)
        own = found[0].critic_rating(speaker) if (speaker := critic_asked(knowledge, review, question)) \
            else None  # one of its critics: their rating, their side and their own lines, not the piece's
        side = focus or (own.stance if own else side)
        lines = review_sides(knowledge, review, question, side, consent)
        if lines and speaker:
            verdict = replace(lines[0], rating=own.written if own else verdict.rating, stance=side or verdict.stance)
        if not verdict.sentence:  # its verdict sentences give the ending away: its strongest line instead
            verdict = _shown_verdict(knowledge, found[0], question, consent,
                                     lines=lines if side == found[0].stance else None)
        quotes = [verdict, *(q for q in lines if q.sentence != verdict.sentence)] if verdict else []
        return ReviewOutcome("verdicts", kind, total, quotes=quotes,
                             speaking=[review], counts=agreement(found), focus=side, review=review)
    order = {"negative": ("negative", "mixed", "positive"), "positive": ("positive", "mixed", "negative"),
             "mixed": ("mixed", "positive", "negative")}.get(
        focus or "", ("positive", "mixed", "negative"))
    counts = knowledge.verdict_counts if everyone else agreement(found)
    quotes = []
    if focus and counts.get(focus):  # "who didn't like it?": the reviews on that side, not the others
        side = keenest_first([v for v in found if v.stance == focus], reverse=focus == "negative")
        quotes = [q for v in side[:MAX_QUOTES] if (q := _shown_verdict(knowledge, v, question, consent))]
        return ReviewOutcome("verdicts", kind, total, quotes=quotes, speaking=[v.review for v in found],
                             counts=counts, focus=focus, review=review)
    for stance in sorted(order, key=lambda s: (order.index(s), -counts.get(s, 0))):
        side = knowledge.keenest(stance, coolest_first=focus == "negative") if everyone else \
            keenest_first([v for v in found if v.stance == stance], reverse=focus == "negative")
        for verdict in side:
            if len(quotes) < MAX_QUOTES and (quote := _shown_verdict(knowledge, verdict, question, consent)):
                quotes.append(quote)
            if len(found) > MAX_QUOTES:
                break  # one verdict of each side first, the strongest (its order in the set)
    for verdict in found:  # fill up with the rest, when there were fewer sides than places
        if len(quotes) >= min(MAX_QUOTES, len(found)):
            break
        if all(q.review != verdict.review for q in quotes) and \
                (quote := _shown_verdict(knowledge, verdict, question, consent)):
            quotes.append(quote)
    speaking = knowledge.verdict_reviews if everyone else [v.review for v in found]
    return ReviewOutcome("verdicts", kind, total, quotes=quotes, speaking=list(speaking), counts=counts, focus=focus,
                         review=review)


# "what were the downsides?", "any complaints?", "list the flaws": what was said on a side, not whether anyone said it.
_ASKS_WHAT = re.compile(r"^\W*(?:(?:and|so|but|ok|okay|then)\W+)*(?:what|which (?:parts?|things?|bits?|scenes?)|"
                        r"any(?:thing)?\b(?! ?(?:one|body)\b)|list|name|tell me (?:the|its|her|his))", re.IGNORECASE)


def _says_a_reason(sentence: str) -> bool:
    """Long enough to give a reason, a debate's speaker label ("JO CRITIC:") not counted: "JO CRITIC: Completely." is
    no more than "Grade: B-"."""
    return len(_SPEAKER_LABEL.sub("", sentence)) >= SIDE_SENTENCE_CHARS


_SPEAKER_LABEL = re.compile(r"^[A-Z][A-Z.'’ -]{2,40}:\s*")


def critic_asked(knowledge, review: str, question: str) -> str | None:
    """Of a review written by more than one critic ("Jo Critic and Sam Writer", a debate, a podcast's hosts), the one
    the question names by first name or surname; else None."""
    names = knowledge.reviews[review].authors
    if len(names) < 2:
        return None
    asked = [name for name in names if any(re.search(rf"\b{re.escape(word)}\b", question, re.IGNORECASE)
                                           for word in (name.split()[0], name.split()[-1]) if len(word) > 2)]
    return asked[0] if len(asked) == 1 else None


def spoken_by(text: str, speaker: str) -> bool:
    """Whether a paragraph is the speaker's turn in a debate ("JO CRITIC: I'll go first ...") or a transcript
    ("[00:14:02] JO: ...", the speaker's first name)."""
    names = "|".join(map(re.escape, dict.fromkeys([speaker, speaker.split()[0]])))
    return bool(re.match(rf"\W*(?:\[[\d:.]+\]\s*)?(?:{names})\W*[:–—-]", text, re.IGNORECASE))


def review_sides(knowledge, review: str, question: str, focus: str | None, consent: bool | None
                 ) -> list[ReviewQuote]:
    """One review's sentences on the side asked about, its own pros-and-cons lines and then the
    sentences closest to the question and to a verdict first: its praise
    for "positive", its complaints for "negative", one of each for "mixed" (its pros and cons).
    With no side asked, its strongest judged sentence, so that a bare rating line is not all it says."""
    hits = knowledge.retriever.search(question, top_k=MAX_SIDE_PASSAGES, min_score=-1.0,
                                      filters=Filters(review=review, section="body", spoilers=bool(consent)))
    if (speaker := critic_asked(knowledge, review, question)) and \
            (theirs := [hit for hit in hits if spoken_by(hit.passage.text, speaker)]):
        hits = theirs  # "what did <one of its two critics> think?": that critic's paragraphs
    vector = knowledge.retriever.encoder.encode_query(question)
    candidates = []
    for hit in hits:
        sentences = list(hit.passage.sentences or (hit.passage.text,))
        vectors = knowledge.sentence_vectors(hit.passage.id)
        if len(vectors) != len(sentences):
            continue
        marked = knowledge.marked_sides(hit.passage.id)
        for place, (sentence, sentence_vector, label, side) in enumerate(zip(
                sentences, vectors, knowledge.sentence_stances(hit.passage.id), marked, strict=True)):
            if hit.passage.spoils(place) and not consent:
                continue
            weight = float(sentence_vector @ (vector + knowledge.verdict_vector)) - (QUESTION_PENALTY if
                                                                                     asks(sentence) else 0.0)
            candidates.append((weight + (MARKED_BONUS if side else 0.0), sentence, hit.passage, label, place))
    candidates.sort(key=lambda c: -c[0])
    wanted = {"positive": ["positive"], "negative": ["negative"], "mixed": ["positive", "negative"]}.get(
        focus or "", ["positive", "negative", "mixed"])
    chosen = []
    for stance in wanted:
        picks = [c for c in candidates if c[3] == stance and _says_a_reason(c[1])]
        if not picks and focus in ("positive", "negative"):  # praise and criticism at once hold the side asked
            picks = [c for c in candidates if c[3] == "mixed" and _says_a_reason(c[1])]
        chosen += picks[: (SIDE_QUOTES if len(wanted) == 1 else 1)]
        if focus is None and chosen:
            break
    return [ReviewQuote(review, passage.id, sentence, passage.source_label, stance, passage.spoils(place), score)
            for score, sentence, passage, stance, place in chosen]


# "anything", "any part", "something": a part of the film asked for, on one side ("did she like anything at all?")
_ANY_PART = re.compile(r"\b(?:anything|something|any (?:part|parts|thing|things|bits?|moments?|positives?|"
                       r"negatives?|good|bad|redeeming))\b", re.IGNORECASE)


def side_asked(question: str) -> str | None:
    """The side of the reviews' views a question asks for by its words ("what did they like?" positive,
    "what bugged them?" negative), from VADER's lexicon and the words of dislike; None when it says none."""
    if ASKS_NEGATIVE.search(question):
        return "negative"
    tone = vader().polarity_scores(question)["compound"]
    return "positive" if tone >= SIDE_TONE else "negative" if tone <= -SIDE_TONE else None


def warm_answers() -> None:
    """Load VADER's lexicon now (the sides asked, the evaluative words), not on the first question that needs it."""
    subject_words("")


def sides_answer(knowledge, question: str, kind: str, reviews: tuple[str, ...], side: str,
                 consent: bool | None) -> ReviewOutcome:
    """What each review in play holds on one side ("what did they like?" after the mixed verdicts): its
    strongest sentence on that side, at most ``MAX_QUOTES`` reviews; a review with none on that side is silent."""
    total = len(knowledge.reviews)
    asked = [r for r in reviews if r in knowledge.reviews.by_id][:MAX_QUOTES]
    quotes = [found[0] for r in asked if (found := review_sides(knowledge, r, question, side, consent))]
    if not quotes:
        return ReviewOutcome("silent", kind, total, suggestions=covered_topics(knowledge))
    speaking = [quote.review for quote in quotes]
    return ReviewOutcome("quoted", kind, total, quotes=quotes, speaking=speaking,
                         silent=[r for r in asked if r not in speaking],
                         suggestions=_suggestions(knowledge, quotes, None))


def _shown_verdict(knowledge, verdict, question: str, consent: bool | None,
                   lines: list[ReviewQuote] | None = None) -> ReviewQuote | None:
    """A review's verdict as a quote: its verdict sentence, or, when every such sentence gives the ending away,
    its strongest line on the side it comes down on (``lines``, when the caller has them) or any judged line,
    with its rating and its overall stance."""
    if verdict.sentence:
        return _verdict_quote(knowledge, verdict)
    side = verdict.stance if verdict.stance in ("positive", "negative", "mixed") else None
    found = lines or review_sides(knowledge, verdict.review, question, side, consent) or \
        (review_sides(knowledge, verdict.review, question, None, consent) if side else [])
    rating = verdict.rating.written if verdict.rating else None
    return replace(found[0], rating=rating, stance=verdict.stance) if found else None


def _verdict_quote(knowledge, verdict) -> ReviewQuote:
    info = knowledge.reviews[verdict.review]
    return ReviewQuote(verdict.review, verdict.passage_id, verdict.sentence, info.label, verdict.stance,
                       rating=verdict.rating.written if verdict.rating else None)


def asks_verdict_in_words(question: str) -> bool:
    """Whether a question with topic words still asks for the verdict ("is it any good overall?")."""
    return bool(re.search(r"\b(?:overall|consensus|agree|verdicts?|worth|must.?see|recommend|good film|good movie|"
                          r"in a nutshell|bottom line|"
                          r"eye to eye|same page|divided|split on|"
                          r"any good|like it|love it|hate it|dislike|in general|as a whole)\b", question,
                          re.IGNORECASE)) or bool(ASKS_NEGATIVE.search(question))


def _judge(knowledge, kind: str, aspect: str | None, subject: str | None, words: list[str], question: str = ""):
    """How far each sentence is on the point: (sentences, vectors, scores) -> an amount added to its
    score against the question, or ``-inf`` for a sentence that is not on the point."""
    if subject:
        named = _names_of(subject, question)

        def judge(sentences, vectors, scores):
            names = np.array([0.0 if named.search(s) else -np.inf for s in sentences])
            if aspect:
                both = names + knowledge.topics.relevance(aspect, sentences, vectors)
                return both if np.isfinite(both).any() else names
            return names
        return judge
    if kind == "plot":  # what happens: told, not judged (an ending is told without the word "end")
        return lambda sentences, vectors, scores: PLOT_NARRATION * (vectors @ knowledge.narration)
    if aspect:
        return lambda sentences, vectors, scores: knowledge.topics.relevance(aspect, sentences, vectors)
    if words and kind != "comments":
        return lambda sentences, vectors, scores: np.where(speaks_to_open_topic(
            words, sentences, scores, vectors @ knowledge.verdict_vector), 0.0, -np.inf)
    return lambda sentences, vectors, scores: np.zeros(len(sentences))


def _names_the_topic(words: list[str], text: str) -> bool:
    """Whether a passage uses two content words of the question or more, and most of them (its topic, "the video
    game", in so many words), however low its score in meaning (a long paragraph on many things scores low on each)."""
    asked = [word for word in words if len(word) > 3]
    share = words_shared(asked, [text])[0] if len(asked) >= TOPIC_WORDS_NAMED else 0.0
    return share * len(asked) >= TOPIC_WORDS_NAMED and share > TOPIC_SHARE_NAMED


def _using_the_words(judge, words: list[str]):
    """``judge``, with a bonus for the share of the question's own words a sentence uses ("the sound design": the
    sentence on the sound design before the one that lists "the sound")."""
    if not [word for word in words if len(word) > 3]:
        return judge
    return lambda sentences, vectors, scores: judge(sentences, vectors, scores) + \
        WORDS_ASKED_BONUS * words_shared(words, sentences) ** 2


def _own_words(knowledge, aspect: str, words: list[str]) -> list[str]:
    """The question's words that name something on ``aspect`` rather than the aspect itself: neither its own words
    nor near it in meaning ("moon" of "the moon song" in the music, not "soundtrack"; "photography" is the look)."""
    words = [word for word in words if not knowledge.topics.aspects[aspect].named_in(word)]
    if not words:
        return []
    closeness = knowledge.retriever.encoder.encode(words) @ knowledge.topics.vectors[aspect]
    return [word for word, close in zip(words, closeness, strict=True) if close < ASPECT_WORD_CLOSENESS]


def _naming_the_words(judge, words: list[str]):
    """An aspect's ``judge`` for a question that names something on it in words of its own ("the harmonica waltz" in
    the music): a sentence that uses them comes before one that only names the aspect outright, and one that uses all
    of two or more is on the point however few of the aspect's words it has (one word, "design" of "the costume
    design", is no evidence on its own)."""
    asked = [word for word in words if len(word) > 3]
    if not asked:
        return judge

    def judged(sentences, vectors, scores):
        shared = words_shared(asked, sentences)
        on_it = judge(sentences, vectors, scores)
        if len(asked) >= TOPIC_WORDS_NAMED:
            on_it = np.where(np.isneginf(on_it) & (shared >= 1.0), 0.0, on_it)
        return on_it + OWN_WORDS_ON_AN_ASPECT_BONUS * shared ** 2
    return judged


def _on_point(knowledge, hits: list[Hit], vector: np.ndarray, judge, kind: str, ending: bool = False,
              hide_spoilers: bool = False) -> list[ReviewQuote]:
    """Each review's best sentence that passes ``judge``, best review first (one quote per review).

    ``ending``: the question asks what happens at the end: only passages that reveal it are read.
    ``hide_spoilers``: no sentence that gives the ending away is quoted."""
    best: dict[str, ReviewQuote] = {}
    chosen: dict[str, int] = {}  # the quoted sentence's place in its passage
    for hit in hits:
        passage = hit.passage
        sentences = list(passage.sentences or (passage.text,))
        vectors = knowledge.sentence_vectors(passage.id)
        if len(vectors) != len(sentences):
            continue
        scores = vectors @ vector
        if ending:  # the ending is told in the passages that give it away, seldom in the words "the end"
            if not passage.spoiler:
                continue
            scores = ENDING_QUESTION_WEIGHT * scores
        told = judge(sentences, vectors, scores)
        ranked = scores + told - QUESTION_PENALTY * np.array([asks(sentence) for sentence in sentences])
        if ending:  # a sentence that tells the ending before one that only names it ("the ending is superb")
            ranked = np.where(told >= REVEAL_WEIGHT * knowledge.spoiler_cues.threshold, ranked, ranked - 1.0)
        if hide_spoilers and passage.spoiler:
            ranked = np.where(passage.spoiling(), -np.inf, ranked)
        if not np.isfinite(ranked).any():
            continue
        i = int(np.argmax(ranked))
        said = _told_on(passage.text, sentences, i, told) if ending else _with_what_follows(
            passage, sentences, i, hide_spoilers)
        quote = ReviewQuote(passage.review, passage.id, said, passage.source_label, None,
                            passage.spoils(i), float(ranked[i]) + (0.0 if ending else hit.score))
        held = best.get(passage.review)
        if held is None or quote.score > held.score:
            best[passage.review] = quote
            chosen[passage.review] = i
    quotes = sorted(best.values(), key=lambda quote: -quote.score)
    return [replace(quote, stance=knowledge.sentence_stances(quote.passage_id)[chosen[quote.review]])
            for quote in quotes]


def _with_what_follows(passage, sentences: list[str], i: int, hide_spoilers: bool) -> str:
    """Sentence ``i``, and the next one of its passage when it is short and only opens the point ("The bigger
    disappointment is ethical."), verbatim; not a list item, and not a next sentence that gives the ending away."""
    sentence = sentences[i]
    if len(sentence.split()) >= SHORT_SENTENCE_WORDS or i + 1 >= len(sentences) or LIST_ITEM.match(sentence) or \
            LIST_ITEM.match(sentences[i + 1]) or (hide_spoilers and passage.spoils(i + 1)):
        return sentence
    return _verbatim(passage.text, sentences, i, i + 1)


def _verbatim(text: str, sentences: list[str], first: int, last: int) -> str:
    """Sentences ``first`` to ``last`` as the passage's ``text`` has them, or sentence ``first`` when not found."""
    start = text.find(sentences[first])
    end = text.find(sentences[last], max(start, 0))
    return text[start:end + len(sentences[last])] if last > first and 0 <= start <= end else sentences[first]


def _told_on(text: str, sentences: list[str], first: int, told: np.ndarray) -> str:
    """The passage's words from sentence ``first`` through the next ones that also tell the ending (``told``: each
    sentence's reveal score), at most ``ENDING_RUN`` sentences, verbatim from ``text``."""
    last = first
    while last + 1 < min(len(sentences), first + ENDING_RUN) and told[last + 1] >= ENDING_RUN_FLOOR:
        last += 1
    return _verbatim(text, sentences, first, last)


# "did the author reply?": a question about the review's writer answering the readers.
_ASKS_REPLIES = re.compile(r"\b(?:author|critic|reviewer|writer|blogger|he|she)\b.{0,30}\b(?:repl|respond|answer|"
                           r"write back|wrote back)", re.IGNORECASE)


def _by_its_critic(knowledge, passage) -> bool:
    """Whether a comment is the review's author answering their readers."""
    author = knowledge.reviews[passage.review].author
    return bool(passage.commenter and author and passage.commenter.casefold() in author.casefold())


def _replies(knowledge, hits: list[Hit]) -> list[Hit]:
    """The replies among the comments found, the review's author's own if any."""
    replies = [hit for hit in hits if hit.passage.reply_to]
    by_author = [hit for hit in replies if _by_its_critic(knowledge, hit.passage)]
    return by_author or replies


def _strongest_and_most_different(quotes: list[ReviewQuote]) -> list[ReviewQuote]:
    """The strongest quote, then each next the strongest of a stance not yet quoted, then the strongest left."""
    chosen = quotes[:1]
    rest = quotes[1:]
    while rest and len(chosen) < MAX_QUOTES:
        seen = {quote.stance for quote in chosen}
        pick = next((quote for quote in rest if quote.stance not in seen), rest[0])
        chosen.append(pick)
        rest.remove(pick)
    return chosen


# "The Guardian's film critic", "the Ebert review": a capitalised name said right before a word for a review.
_NAMED_REVIEW = re.compile(r"\b((?:[A-Z][\w'’.&-]*\s+){0,3}[A-Z][\w.&-]*)(?:['’]s)?(?:\s+(?:film|movie))?"
                           r"\s+(?:[Rr]eview|[Rr]eviewer|[Cc]ritic|[Pp]iece|[Aa]rticle)s?\b")
_NOT_A_NAME = {"the", "a", "an", "this", "that", "these", "those", "each", "every", "any", "which", "what", "whose",
               "who", "how", "did", "does", "do", "is", "was", "and", "or", "but", "so", "if", "other", "first", "last",
               "second", "third", "i", "you", "we", "they", "okay", "ok", "hi", "hey", "yes", "no", "please", "tell",
               "well", "one", "student", "blog", "film", "movie", "online", "newspaper", "magazine", "paper", "site",
               "website", "outlet", "publication", "college", "school", "local", "have", "has", "had", "got", "u",
               "read", "seen", "know"}


_BEFORE_A_NAME = _NOT_A_NAME - {"and", "or"}  # no name, and none inside one either ("Sight and Sound" keeps "and")
_OTHER_REVIEWS = re.compile(r"\b(?:the )?others?\b(?= *[?.!]*$)|\bother (?:critics?|reviews?|reviewers?|writers?|ones?|"
                            r"people who reviewed)\b", re.IGNORECASE)


# An outlet named in lower case by the noun that ends most outlets' names ("the new york times critic", "what did the
# static report think?"): one the loaded reviews go by is theirs (named_in), another is one herbot has not read.
_OUTLET_NAMED = re.compile(
    r"\b((?:[a-z][\w'’.&-]*\s+){0,3}(?:times|post|journal|tribune|magazine|weekly|gazette|herald|observer|report|"
    r"chronicle|telegraph|quarterly|monthly|digest|examiner|bulletin|courier|ledger|standard|reporter|guardian))"
    r"(?:['’]s)?\s+(?:(?:film|movie)\s+)?(?:critic|review|reviewer|piece|article|think|thought|say|said|make|made|"
    r"gave|give|gives|rated|rate|rates)\b")


# "the new yorker's critic": two words or more in lower case, owning a critic (one word, "the guy's review", is none)
_OWNER_OF_A_REVIEW = re.compile(r"\bthe ((?:[a-z][\w.&-]*\s+){1,3}[a-z][\w.&-]*)['’]s\s+(?:(?:film|movie)\s+)?"
                                r"(?:critic|reviewer|review)\b")


# "what did mark kermode say about it?", "how did Roger Ebert rate it?": someone's view of the film asked by name
_VIEW_OF_SOMEONE = re.compile(r"\b(?:what|how)\s+(?:did|does|do|would)\s+((?:[a-z][\w.-]*\s+){0,2}[a-z][\w.-]*)\s+"
                              r"(?:say|think|make of|write|rate|like|feel|review)\b", re.IGNORECASE)
# "have you read roger ebert's review?", "did u see dargis's piece": someone's review asked for by name
_SOMEONES_REVIEW = re.compile(r"\b(?:read|seen|see|heard|have|got|know|found)\s+((?:[a-z][\w.-]*\s+){0,2}[a-z][\w.-]*)"
                              r"['’]s?\s+(?:(?:film|movie)\s+)?(?:reviews?|critiques?|pieces?|articles?|write-?ups?)\b",
                              re.IGNORECASE)
# Who is not a name: people at large, pronouns, determiners ("what did most critics think?", "what did you think?")
_NOBODY_NAMED = {"you", "he", "she", "they", "it", "we", "i", "u", "ya", "critics", "reviewers", "people", "audiences",
                 "viewers", "folks", "everyone", "everybody", "anyone", "anybody", "someone", "somebody", "most",
                 "many", "some", "all", "both", "users", "fans", "my", "your", "his", "their", "our", "its", "her",
                 "guys", "reviews", "critic", "reviewer", "review", "writer", "writers", "author", "authors", "others",
                 "ppl", "film", "movie", "audience", "public", "press", "media", "internet", "world"}


def unread_review_named(knowledge, question: str) -> str | None:
    """A review the question names by a name no loaded review goes by ("what did The Guardian's critic think?", "what
    did mark kermode say?", "did you read ebert's review?"), or None: a name of the film (its title, cast, crew) or
    of a loaded review is not one."""
    for match in (*_VIEW_OF_SOMEONE.finditer(question), *_SOMEONES_REVIEW.finditer(question)):
        words = match.group(1).split()
        if not any(w.casefold() in _NOT_A_NAME or w.casefold() in _NOBODY_NAMED or w.casefold() in knowledge.own_names
                   or not w.replace(".", "").isalpha() for w in words):
            name = " ".join(words)
            return name if name != name.casefold() else name.title()  # "mark kermode" said as "Mark Kermode"
    for match in (*_NAMED_REVIEW.finditer(question), *_OUTLET_NAMED.finditer(question),
                  *_OWNER_OF_A_REVIEW.finditer(question)):
        if knowledge.reviews.named_in(match.group(1)):  # "the school paper's critic": a review read
            continue
        words = match.group(1).split()
        cut = max((i + 1 for i, w in enumerate(words[:-1]) if w.casefold().strip("'’") in _BEFORE_A_NAME), default=0)
        words = words[cut:]  # the name is what follows the last word no name holds ("how many stars did the herald",
        # "have the empire magazine")
        name = " ".join(words)
        if not name or name.casefold() in _NOT_A_NAME or knowledge.reviews.named_in(name) or \
                name.casefold() in knowledge.own_names or any(w.casefold() in knowledge.own_names for w in words):
            continue
        return name if name != name.casefold() else name.title()  # "new york times" said as "New York Times"
    return None


def weighed(question: str) -> str:
    """The question without an "in the end" that only weighs things up ("what did the paper say in the end,
    overall?" asks its verdict, not how the film ends)."""
    return re.sub(r"\bin the end\b", " ", question, flags=re.IGNORECASE) if _ON_BALANCE.search(question) else question


_ON_BALANCE = re.compile(r"\b(?:overall|on the whole|all in all|on balance|all things considered)\b", re.IGNORECASE)
# "the other OSes", "the other characters": "other" said of something that is no review
_OTHER_THING = re.compile(r"\bother\s+(?!(?:reviews?|reviewers?|critics?|ones?|pieces?|articles?|posts?|writers?|"
                          r"essays?|blurbs?|write-?ups?|takes?)\b)[a-z]", re.IGNORECASE)
# A review pointed at by what its critic thought, within a longer question: "the one who hated it, did they ...?"
_THE_ONE_WHO = re.compile(r"\bthe (?:one|review|critic|reviewer)\s+(?:who|that|which)\b"
                          r"[^,;?.!]{2,40}", re.IGNORECASE)


def resolve_review(knowledge, mention: str | None, last_review: str | None,
                   in_play: tuple[str, ...] = ()) -> str | None:
    """The review someone means: a name, an ordinal, "the other one", or "the one that didn't like it"."""
    found = knowledge.reviews.resolve(mention, last=last_review, in_play=in_play)
    if found or not mention:
        return found
    if knowledge.reviews.refers_to_one(mention):  # "the other critic", "the seventh review": no side
        return None
    reading = knowledge.verdict_questions.read(mention)
    side = reading.focus if reading.closeness >= MENTION_SIDE_CLOSENESS else None
    side = side or ("negative" if ASKS_NEGATIVE.search(mention) else None)
    if side:
        matching = knowledge.keenest(side)
        return matching[0].review if len(matching) == 1 else None
    return None


def off_limits(question: str) -> bool:
    """Questions the film facts never answer: people's lives and pay, their other films, ratings sites, sequels."""
    return bool(OFF_LIMITS.search(question or "") or PEOPLES_LIVES.search(question or ""))


def _asks_ending(knowledge, question: str, aspect: str | None) -> bool:
    """Whether the question asks how the film ends: the ending named, or a question that reads as one
    ("how does it all turn out for them?"), the film's and the reviews' names taken out."""
    ending = knowledge.topics.aspects.get("ending")
    if EARLY.search(question):  # "how does he end up with her in the first place?": the story's beginning
        return False
    question = weighed(question)
    return aspect == "ending" or bool(ending and ending.named_in(question)) or knowledge.asks_ending(question)


def _spoiler_leads(hits: list[Hit]) -> bool:
    """Whether a passage that gives the ending away answers a story question clearly better than any other."""
    hidden = max((hit.sentence_score for hit in hits if hit.spoiler), default=None)
    shown = max((hit.sentence_score for hit in hits if not hit.spoiler), default=-1.0)
    return hidden is not None and hidden >= shown + SPOILER_LEAD


def _label(knowledge, aspect: str | None) -> str | None:
    return knowledge.topics.aspects[aspect].label if aspect else None


def _refers_to(question: str, subject: str) -> bool:
    """Whether the question is about the person talked about: names them, or says "he", "her", "their"…

    "Her" with a capital H inside a sentence is the film, not a pronoun.
    """
    if _names_of(subject, question).search(question):
        return True
    return any(m.group(0) != "Her" or m.start() == 0 for m in _PRONOUN.finditer(question))


def named_by_a_review(knowledge, title: str) -> bool:
    """Whether a review names this other film (then a question about it asks for a comparison)."""
    return bool(knowledge.works.in_text(title))


def strongly_answered(knowledge, question: str) -> bool:
    """Whether a review passage answers the question so closely that it is in scope, whatever the
    intent classifier made of it: "why is the film so focused on loneliness?" is; the weather is not.
    A question about another film is not (its words would meet the sentence that names that film)."""
    if not question.strip() or OFF_LIMITS.search(question) or _THE_WORLD_NOW.search(question) or \
            asks_elsewhere(knowledge, question):
        return False
    hits = knowledge.retriever.search(question, top_k=1, filters=Filters(section="body"), min_score=EVIDENCE_FLOOR)
    return bool(hits) and hits[0].sentence_score >= EVIDENCE_SENTENCE_FLOOR


def asks_elsewhere(knowledge, question: str) -> bool:
    """Whether a message asks for something outside the film and its reviews ("where can i buy a jacket like
    his?"), read by meaning; never one that says it is about the reviews, nor a short reply ("sure, tell me"). The
    film's and the reviews' names are taken out first: "like <a character>'s" is no topic, and a word that also
    names a review ("a cover letter", "to start a podcast") asks nothing of it."""
    if len(question.split()) < ELSEWHERE_WORDS or _A_REPLY.match(question) or ASKS_REVIEWS.search(question):
        return False
    return knowledge.question_kinds.asks_elsewhere(knowledge.without_names(question, nouns=True))


def asks_reviews_about_them(retriever: Retriever, question: str) -> bool:
    """Whether a question says it is about the reviews and some passage comes near it.

    For a message the NLU is unsure of, so a passage must clear a higher floor than a recognised
    question's: "according to the reviews, what is its biggest strength?" is answered; "do the
    critics say what the weather will be?" is not.
    """
    floor = max(retriever.min_score, UNSURE_FLOOR)
    return bool(ASKS_REVIEWS.search(question)) and bool(retriever.search(question, top_k=1, min_score=floor))


def build_query(knowledge, question: str, aspect: str | None, subject: str | None, limit: int | None = None) -> str:
    """The question as searched: a follow-up's aspect, the person "her" refers to.

    With ``limit``, the question is cut so that it and the additions fit (a pasted essay still gets an answer).
    """
    extra = []
    if aspect and not knowledge.topics.aspects[aspect].named_in(question):
        extra.append(f"({knowledge.topics.aspects[aspect].query})")
    if subject and _PRONOUN.search(question):
        extra.append(f"({subject})")
    added = " ".join(extra)
    if limit is not None:
        question = question[: max(limit - len(added) - 1, 0)]
    return f"{question} {added}".strip()


def _stem(person: str) -> str:
    """The start of a person's surname ("Johans" for "Scarlett Johansson as Samantha"): reviews misspell names."""
    return person.split(" as ")[0].split()[-1][:6].casefold()


def _names_of(person: str, question: str) -> re.Pattern:
    """Where a text names a person ("Actor as Character") as the question does: by the start of the actor's surname,
    or, when the question calls them by a word of the role's name ("Amy", not "Adams"), by that word alone: a role
    may be a description ("Alien Child") and an actor another credit ("Jonze" directed), so only the name asked
    counts. A question that says "she" names them by the surname."""
    actor, _, role = person.partition(" as ")
    stem = _stem(actor)
    said = [word[:6].casefold() for word in re.findall(r"[^\W\d_]{3,}", role)
            if re.search(rf"\b{re.escape(word[:6])}", question, re.IGNORECASE)]
    stems = said if said and not re.search(rf"\b{re.escape(stem)}", question, re.IGNORECASE) else [stem, *said]
    return re.compile(r"\b(?:" + "|".join(map(re.escape, dict.fromkeys(stems))) + ")", re.IGNORECASE)


def covered_topics(knowledge, review: str | None = None) -> list[str]:
    """Up to three questions the reviews (or the one named) do answer: topics a quotable sentence covers."""
    covered = knowledge.coverage
    return [f"What do the reviewers say about {aspect.label}?" for name, aspect in knowledge.topics.aspects.items()
            if covered.get(name) and (review is None or review in covered[name])][:3]


def _suggestions(knowledge, quotes: list[ReviewQuote], asked: str | None) -> list[str]:
    """Up to three follow-ups herbot can answer: other topics the quoted reviews cover, a review not quoted."""
    covered = knowledge.coverage
    quoted = {quote.review for quote in quotes}
    found = [f"What do the reviewers say about {aspect.label}?" for name, aspect in knowledge.topics.aspects.items()
             if name != asked and quoted & covered.get(name, set())]
    if asked and len(knowledge.reviews) > 1:
        other = next((r for r in knowledge.covering(asked) if r not in quoted), None)
        if other:
            found.insert(0, f"What does {knowledge.reviews[other].who} say about "
                            f"{knowledge.topics.aspects[asked].label}?")
    return found[:3]


def line_naming(retriever: Retriever, actor: str, query: str) -> Hit | None:
    """A spoiler-free review sentence that names the actor (reviews misspell names: match the stem)."""
    stem = re.compile(re.escape(_stem(actor)), re.IGNORECASE)
    for hit in retriever.search(query, top_k=5, filters=Filters(spoilers=False)):
        if stem.search(hit.sentence):
            return hit
        place = next((i for i, s in enumerate(hit.passage.sentences) if stem.search(s) and not hit.passage.spoils(i)),
                     None)
        if place is not None:
            return Hit(hit.passage, hit.score, hit.passage.sentences[place], hit.sentence_score, hit.rank)
    return None


def add_quote(answer: Answer, hit: Hit) -> None:
    answer.sources.append(hit.passage.id)
    answer.quotes.append({"sentence": hit.sentence, "source": source_label(hit), "passage_id": hit.passage.id,
                          "spoiler": hit.spoiler})


def source_label(hit: Hit) -> str:
    """Where a quote comes from: the review's title, author and outlet, or a reader comment."""
    return hit.passage.source_label

