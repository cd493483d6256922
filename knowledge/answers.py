"""Answers built from the knowledge: film facts first for facts, both reviews for opinions.

Plain functions, no Rasa: actions read slots and entities, call one of these and
dispatch the result. An :class:`Answer` names the domain response that phrases it (the
persona's lines live in the domain) and the values that fill it, every one of them
taken from the reviews or the facts, with where it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from knowledge.retrieval import Filters, Hit, Retriever
from knowledge.text import misspelt


@dataclass(frozen=True)
class Aspect:
    query: str  # how to ask the index about it
    label: str  # how to name it to a person
    pattern: str  # words that show a passage covers it
    asked: str = ""  # words that show a question is about it, when the NLU tagged no aspect


# The aspects the NLU recognises (canonical entity values), and how each is searched.
ASPECTS = {
    "acting": Aspect("how good the acting and the performances are", "the acting",
                     r"perform|acting|played|voiced|convey", r"\bact(?:ing|ors?|ress(?:es)?)\b|perform|portray"),
    "casting": Aspect("the casting choices", "the casting", r"\bcast", r"\bcasting\b"),
    "ending": Aspect("the ending and the break-up", "the ending", r"ending|last third|break it off"),
    "intimate scene": Aspect("the sex scene between Theodore and Samantha", "the intimate scene", r"sex scene",
                             r"\bsex|love.?making|love scene|intimate scene"),
    "setting": Aspect("the future Los Angeles where it is set", "the future city", r"future LA|\bcity\b|point in time",
                      r"\bcity\b|los angeles|\bLA\b|time period|setting|near.?future|future city"),
    "sci-fi world": Aspect("the science-fiction world and its culture", "the sci-fi world", r"sci-fi|universe|culture",
                           r"sci.?fi|science.?fiction|world.?building|universe"),
    "technology": Aspect("technology, phones and computers against real human connection", "technology and us",
                         r"technolog|phones?\b|laptop|computers?\b|devices",
                         r"technolog|phones?\b|gadget|devices?\b|laptops?\b|screens?\b"),
    "relationships": Aspect("what relationships between people and AI are", "relationships", r"relationship",
                            r"relationship|love between|human connection"),
    "comparisons": Aspect("other films it is compared with", "films it's compared with",
                          r"Good Will Hunting|Eternal Sunshine", r"\bcompar|\bliken|similar to|reminds? .* of"),
    "music": Aspect("the music and the soundtrack", "the music", r"\bmusic|soundtrack|\bscore\b",
                    r"\bmusic|soundtrack|\bscore\b|\bsongs?\b"),
    "screenplay": Aspect("the script and the writing", "the writing", r"\bscript|screenplay|dialogue",
                         r"\bscript|screenplay|dialogue|the writing"),
    "direction": Aspect("Spike Jonze's direction", "the direction", r"Jonze", r"\bdirect|jonze"),
}


def aspect_of(question: str, tagged: str | None) -> str | None:
    """The aspect the NLU tagged, if it is one herbot knows; else the one the question's words ask about."""
    if tagged in ASPECTS:
        return tagged
    if ENDING.search(question):
        return "ending"
    named = next((name for name, aspect in ASPECTS.items()
                  if aspect.asked and re.search(aspect.asked, question, re.IGNORECASE)), None)
    return named or _misspelt_aspect(question)


def _misspelt_aspect(question: str) -> str | None:
    """An aspect whose name a word of the question misspells ("the actng", "the musik").

    The first letter must match (people seldom mistype it, and "reacting" is not "acting"); the
    ending is left to ENDING, since a false match there would ask for spoiler consent.
    """
    words = [word for word in re.findall(r"[a-z]+", question.casefold()) if len(word) >= 4]
    return next((name for name in ASPECTS if name != "ending"
                 for target in [name.split()[0]]
                 if any(word[0] == target[0] and misspelt(word, target) for word in words)), None)


# What a question of each kind is about when it names no aspect ("do they agree?").
KIND_HINTS = {
    "opinion": "the reviewer's overall verdict on the film",
    "recommendation": "whether the film is a must-see",
    "compare": "the reviewer's overall verdict on the film",
    "comments": "what readers thought of the movie",
}
# What a general opinion question ("what did they think?") is answered with: a verdict sentence.
VERDICT = Aspect("the reviewer's overall verdict on the film", "the verdict",
                 r"must.?see|recommend|masterpiece|masterful|brilliant|heart-?wrenching|haunting|\bmagic\b|nails it|"
                 r"greatest strength|deeply human|worth (?:seeing|watching)|disappoint|overrated|boring")
VERDICT_KINDS = ("opinion", "compare", "recommendation")
ASPECT_FLOOR = 0.1  # least score of a passage searched for an aspect (its words decide, not the score)
# A hint appended to the question ("the reviewer's overall verdict") lifts every passage's
# similarity, unrelated ones too: the hinted query needs a higher floor than the question alone.
HINTED_FLOOR = 0.25
UNSURE_FLOOR = 0.3  # least score for answering a message the NLU was unsure of (see asks_reviews_about_them)
SECOND_REVIEW_MARGIN = 0.12  # a second review is quoted only if its sentence answers nearly as well
# Questions about the ending, whatever the NLU made of them.
ENDING = re.compile(r"\bend(?:s|ing|ed)?\b|finale|final (?:act|scene|part)|last (?:third|act|scene|part)|"
                    r"split(?:s|ting)? up|break(?:s|ing)? up|broke up|break it off|wrap(?:s|ped)? up|conclu|"
                    r"climax|resolution", re.IGNORECASE)
# A question that says it is about what the reviews or critics said, however else it is worded.
ASKS_REVIEWS = re.compile(r"\breview(?:s|ers?|ed)?\b|\bcritics?\b|\bcritiques?\b", re.IGNORECASE)
# What no knowledge here holds: ratings sites, sequels; and, for the facts, people's lives and other work.
OFF_LIMITS = re.compile(r"rotten tomatoes|tomatometer|metacritic|imdb (?:score|rating)|sequel|remake|prequel",
                        re.IGNORECASE)
PEOPLES_LIVES = re.compile(r"\bborn\b|birthday|how old|\bage\b|\btall\b|height|married|net worth|salary|\bpaid\b|"
                           r"\bfee\b|other (?:films|movies)|filmography|else (?:has|did)", re.IGNORECASE)
_PRONOUN = re.compile(r"\b(he|him|his|she|her|hers|they|them|their)\b", re.IGNORECASE)


@dataclass
class Answer:
    """What to say (a domain response and its values) and what it rests on."""

    response: str
    values: dict[str, str] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)  # passage ids, or "facts:<entry>"
    quotes: list[dict] = field(default_factory=list)  # for channels that show quotes apart
    suggestions: list[str] = field(default_factory=list)
    subject: str | None = None  # the person talked about, for "her performance" next turn
    review: str | None = None  # the review quoted, for "and the other one?"
    needs_consent: bool = False
    notes: list[tuple[str, str]] = field(default_factory=list)  # (fact, source) said after the answer


# --- the reviews -------------------------------------------------------------------------------

def review_answer(retriever: Retriever, question: str, *, kind: str, consent: bool | None,
                  review: str | None = None, aspect: str | None = None, subject: str | None = None) -> Answer:
    """Answer from the reviews. ``kind`` is plot, opinion, compare, recommendation or comments.

    Opinions consult every review (or the one named) and quote each that speaks to the
    point: a sentence on the aspect asked about (or naming the person asked about, or, for a
    general question, a verdict); a review with no such sentence is said to be silent, and
    an aspect neither review covers gets "the reviews don't say". Spoiler-bearing passages
    are used only with ``consent``. When consent was never asked, a question about the
    ending, or about an aspect only spoiler passages cover, asks first if a passage that
    reveals it would answer; any other question is answered from spoiler-free passages.
    """
    if OFF_LIMITS.search(question):
        return Answer("utter_reviews_silent", suggestions=covered_topics(retriever))
    aspect = aspect_of(question, aspect)
    subject = subject if subject and kind in VERDICT_KINDS and _refers_to(question, subject) else None
    hint = None if aspect or subject else KIND_HINTS.get(kind)
    query = build_query(question, aspect or None, subject, hint=hint, limit=retriever.max_query_chars)
    section = "comment" if kind == "comments" else "body"  # a reader's comment is not the review's view
    filters = Filters(review=review, section=section, spoilers=consent is not False)
    # An aspect is judged by its words, so reach further down the ranking for passages that use them.
    floor = ASPECT_FLOOR if aspect in ASPECTS else max(retriever.min_score, HINTED_FLOOR) if hint else None
    hits = retriever.search(query, top_k=30 if aspect else 10, filters=filters, min_score=floor)
    visible = hits if consent is not None else [hit for hit in hits if not hit.passage.spoiler]
    on_topic = _on_topic(visible, question, kind, aspect, subject)
    if consent is None and hits and (_reveals_ending(question, aspect, hits) or (
            aspect and not on_topic and _on_topic(hits, question, kind, aspect, subject))):
        return Answer("utter_ask_spoiler_consent", needs_consent=True)
    hits = on_topic
    per_review = kind in ("opinion", "compare", "recommendation") and review is None
    chosen = _speaking(_best_per_review(hits), bool(aspect or subject)) if per_review else hits[:1]
    if not chosen:
        withheld = consent is False and bool(retriever.search(query, top_k=1, filters=Filters(review=review)))
        return Answer("utter_spoiler_withheld" if withheld else "utter_reviews_silent",
                      suggestions=covered_topics(retriever))
    answer = _quote_answer(retriever, chosen, kind, per_review, asked=query)
    answer.subject = subject
    return answer


def off_limits(question: str) -> bool:
    """Questions the film facts never answer: people's lives and pay, their other films, ratings sites, sequels."""
    return bool(OFF_LIMITS.search(question or "") or PEOPLES_LIVES.search(question or ""))


def _reveals_ending(question: str, aspect: str | None, hits: list[Hit]) -> bool:
    """Asked about the ending, with a spoiler passage among the answers (other questions just skip spoilers)."""
    return (aspect == "ending" or bool(ENDING.search(question))) and any(hit.passage.spoiler for hit in hits)


def _refers_to(question: str, subject: str) -> bool:
    """Whether the question is about the person talked about: names them, or says "he", "her", "their"…

    "Her" with a capital H inside a sentence is the film, not a pronoun.
    """
    if _stem(subject) in question.casefold():
        return True
    return any(m.group(0) != "Her" or m.start() == 0 for m in _PRONOUN.finditer(question))


def _on_topic(hits: list[Hit], question: str, kind: str, aspect: str | None, subject: str | None) -> list[Hit]:
    """Hits whose quoted sentence is on the point asked: the aspect, the person, or a verdict.

    An aspect the user asked about that no passage covers leaves nothing (the reviews are
    silent on it); a general opinion question with no verdict sentence keeps the best matches.
    Without any of these, the retrieval order stands (its ranking already weighs the best sentence).
    """
    if subject:
        named = re.escape(_stem(subject))
        both = aspect in ASPECTS and _with_sentence(hits, rf"(?=.*(?:{ASPECTS[aspect].pattern}))(?=.*{named})")
        return both or _with_sentence(hits, named)
    if aspect in ASPECTS:
        return _with_sentence(hits, ASPECTS[aspect].pattern)
    if kind in VERDICT_KINDS:
        return _with_sentence(hits, VERDICT.pattern) or hits
    return hits


def _with_sentence(hits: list[Hit], pattern: str) -> list[Hit]:
    """Each hit with its best sentence if that matches ``pattern``, else its first one that does; others dropped."""
    found = []
    for hit in hits:
        if re.search(pattern, hit.sentence, re.IGNORECASE):
            found.append(hit)
            continue
        sentence = next((s for s in hit.passage.sentences if re.search(pattern, s, re.IGNORECASE)), None)
        if sentence:
            found.append(Hit(hit.passage, hit.score, sentence, hit.sentence_score, hit.rank))
    return found


def _speaking(hits: list[Hit], focused: bool) -> list[Hit]:
    """The first review's hit and every other review's that answers nearly as well (all of them when focused)."""
    if focused or not hits:
        return hits
    return [hits[0]] + [hit for hit in hits[1:] if hit.sentence_score >= hits[0].sentence_score - SECOND_REVIEW_MARGIN]


def asks_reviews_about_them(retriever: Retriever, question: str) -> bool:
    """Whether a question says it is about the reviews and some passage comes near it.

    For a message the NLU is unsure of, so a passage must clear a higher floor than a recognised
    question's: "according to the reviews, what is its biggest strength?" is answered; "do the
    critics say what the weather will be?" is not.
    """
    floor = max(retriever.min_score, UNSURE_FLOOR)
    return bool(ASKS_REVIEWS.search(question)) and bool(retriever.search(question, top_k=1, min_score=floor))


def build_query(question: str, aspect: str | None, subject: str | None, hint: str | None = None,
                limit: int | None = None) -> str:
    """The question as searched: a follow-up's aspect, the person "her" refers to, or the kind's hint.

    With ``limit``, the question is cut so that it and the additions fit (a pasted essay still gets an answer).
    """
    extra = []
    if aspect in ASPECTS and not _names(question, ASPECTS[aspect]):
        extra.append(f"({ASPECTS[aspect].query})")
    if subject and _PRONOUN.search(question):
        extra.append(f"({subject})")
    if hint:
        extra.append(f"({hint})")
    added = " ".join(extra)
    if limit is not None:
        question = question[: max(limit - len(added) - 1, 0)]
    return f"{question} {added}".strip()


def _names(text: str, aspect: Aspect) -> bool:
    """Whether ``text`` already names ``aspect`` (the last word of its label: "acting", "ending", …)."""
    return aspect.label.split()[-1].casefold() in text.casefold()


def _stem(person: str) -> str:
    """The start of a person's surname ("Johans" for "Scarlett Johansson as Samantha"): reviews misspell names."""
    return person.split(" as ")[0].split()[-1][:6].casefold()


@lru_cache(maxsize=4)
def covered_topics(retriever: Retriever) -> list[str]:
    """Three questions the reviews do answer (aspects some quotable passage covers), computed once."""
    quotable = " ".join(p.text for p in retriever.passages if not p.spoiler and not p.off_topic)
    return [f"What do the reviewers say about {aspect.label}?" for aspect in ASPECTS.values()
            if re.search(aspect.pattern, quotable, re.IGNORECASE)][:3]


def _quote_answer(retriever: Retriever, hits: list[Hit], kind: str, per_review: bool, asked: str) -> Answer:
    first = hits[0]
    if kind == "comments":
        answer = Answer("utter_comment_quote", {"quote": first.sentence, "source": source_label(first)})
    elif len(hits) >= 2:
        second = hits[1]
        answer = Answer("utter_reviews_both", {
            "quote": first.sentence, "source": source_label(first),
            "other_quote": second.sentence, "other_source": source_label(second),
        })
    elif per_review and len(reviews := review_ids(retriever)) > 1:
        other = next(r for r in reviews if r != first.passage.review)
        answer = Answer("utter_review_only_one", {
            "quote": first.sentence, "source": source_label(first), "other_source": review_name(retriever, other),
        })
    else:
        answer = Answer("utter_plot_quote" if kind == "plot" else "utter_review_quote",
                        {"quote": first.sentence, "source": source_label(first)})
    for hit in hits:
        add_quote(answer, hit)
    answer.review = first.passage.review
    answer.suggestions = _suggestions(retriever, hits, asked)
    return answer


def _best_per_review(hits: list[Hit]) -> list[Hit]:
    seen: dict[str, Hit] = {}
    for hit in hits:
        seen.setdefault(hit.passage.review, hit)
    return list(seen.values())


def _suggestions(retriever: Retriever, hits: list[Hit], asked: str) -> list[str]:
    """Up to three follow-ups: other aspects the quoted passages cover (not the one just asked), the other review."""
    found = []
    text = " ".join(hit.passage.text for hit in hits)
    for aspect in ASPECTS.values():
        if _names(asked, aspect):
            continue
        if re.search(aspect.pattern, text, re.IGNORECASE):
            found.append(f"What do the reviewers say about {aspect.label}?")
    if len({hit.passage.review for hit in hits}) == 1 and len(review_ids(retriever)) > 1:
        found.insert(0, "And the other reviewer?")
    return found[:3]


def line_naming(retriever: Retriever, actor: str, query: str) -> Hit | None:
    """A spoiler-free review sentence that names the actor (reviews misspell names: match the stem)."""
    found = _with_sentence(retriever.search(query, top_k=5, filters=Filters(spoilers=False)), re.escape(_stem(actor)))
    return found[0] if found else None


def add_quote(answer: Answer, hit: Hit) -> None:
    answer.sources.append(hit.passage.id)
    answer.quotes.append({"sentence": hit.sentence, "source": source_label(hit), "passage_id": hit.passage.id,
                          "spoiler": hit.passage.spoiler})


# --- naming the reviews ------------------------------------------------------------------------

@lru_cache(maxsize=4)
def _reviewers(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {} if path.is_file() else {}


def reviewers_file() -> Path:
    from herbot.settings import KNOWLEDGE_DATA

    return KNOWLEDGE_DATA / "reviewers.yaml"


def review_ids(retriever: Retriever) -> list[str]:
    """Reviews in a stable order: "the first" and "the second" critic follow it."""
    return list(retriever.reviews)


def review_name(retriever: Retriever, review: str) -> str:
    passage = retriever.reviews[review]
    outlet = _reviewers(reviewers_file()).get(review, {}).get("outlet")
    name = f"{passage.author}'s review" if passage.author else f"the review {passage.review_title}"
    return f"{name} ({outlet})" if outlet else name


def source_label(hit: Hit) -> str:
    """Where a quote comes from: the review's title, author and outlet, or a reader comment."""
    passage = hit.passage
    outlet = _reviewers(reviewers_file()).get(passage.review, {}).get("outlet")
    return f"{passage.source_label}, {outlet}" if outlet else passage.source_label


def resolve_review(retriever: Retriever, mention: str | None, last_review: str | None) -> str | None:
    """The review someone means by "Sam Beezjak", "the blog", "the second critic" or "the other one"."""
    if not mention:
        return None
    reviews = review_ids(retriever)
    key = mention.casefold().strip().removeprefix("the ")
    if key in ("first", "second"):
        index = 0 if key == "first" else 1
        return reviews[index] if index < len(reviews) else None
    if key == "other":
        others = [r for r in reviews if r != last_review]
        return others[0] if len(others) == 1 or last_review else None
    known = _reviewers(reviewers_file())
    for review, passage in retriever.reviews.items():
        names = [passage.review_title, passage.author or "", *known.get(review, {}).get("names", [])]
        if any(key == n.casefold() or (len(key) > 3 and key in n.casefold()) for n in names if n):
            return review
    return None


def join(items) -> str:
    items = [str(item) for item in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]

