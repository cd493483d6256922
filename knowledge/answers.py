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

from knowledge.facts import FilmFacts
from knowledge.retrieval import Filters, Hit, Retriever


@dataclass(frozen=True)
class Aspect:
    query: str  # how to ask the index about it
    label: str  # how to name it to a person
    pattern: str  # words that show a passage covers it


# The aspects the NLU recognises (canonical entity values), and how each is searched.
ASPECTS = {
    "acting": Aspect("how good the acting and the performances are", "the acting", r"perform|acting|played|convey"),
    "casting": Aspect("the casting choices", "the casting", r"\bcast"),
    "ending": Aspect("the ending and the break-up", "the ending", r"ending|last third|break it off"),
    "intimate scene": Aspect("the sex scene between Theodore and Samantha", "the intimate scene", r"sex scene"),
    "setting": Aspect("the future Los Angeles where it is set", "the future city", r"future LA|\bcity\b|point in time"),
    "sci-fi world": Aspect("the science-fiction world and its culture", "the sci-fi world", r"sci-fi|universe|culture"),
    "technology": Aspect("technology, phones and computers against real human connection", "technology and us",
                         r"technolog|phones?\b|laptop|computers?\b|devices"),
    "relationships": Aspect("what relationships between people and AI are", "relationships", r"relationship"),
    "comparisons": Aspect("other films it is compared with", "films it's compared with",
                          r"Good Will Hunting|Eternal Sunshine"),
    "music": Aspect("the music and the soundtrack", "the music", r"\bmusic|soundtrack|\bscore\b"),
    "screenplay": Aspect("the script and the writing", "the writing", r"\bscript|screenplay|dialogue"),
    "direction": Aspect("Spike Jonze's direction", "the direction", r"Jonze"),
}
# What a question of each kind is about when it names no aspect ("do they agree?").
KIND_HINTS = {
    "recommendation": "whether the film is a must-see",
    "compare": "the reviewer's overall verdict on the film",
    "comments": "what readers thought of the movie",
}
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


# --- film facts ---------------------------------------------------------------------------------

# The fact entity's canonical values and the facts-file entries that answer them.
FACT_ENTRIES = {
    "director": "director", "writer": "writer", "year": "year", "release date": "release",
    "runtime": "runtime_minutes", "music": "music", "filming locations": "filming_locations",
    "budget": "budget", "box office": "box_office", "cinematography": "cinematography",
}


def cast_answer(facts: FilmFacts, retriever: Retriever, name: str | None) -> Answer:
    """Who plays whom, from the facts; plus a review's line about that actor when there is one."""
    if not name:
        roles = facts.cast[:6]  # the facts file lists the principal cast first
        cast = _join([f"{role.actor} ({'voice of ' if role.voice else ''}{role.character})" for role in roles])
        titles = list(dict.fromkeys(role.source.title for role in roles))
        return Answer("utter_cast_list", {"cast": cast, "source": f"film facts, from {_join(titles)}"},
                      sources=[f"facts:cast:{role.actor}" for role in roles],
                      suggestions=["Who voices Samantha?", "What did the critics think of the acting?"])
    roles = facts.roles_for(name)
    if not roles:
        return Answer("utter_person_unknown", {"name": name})
    role = roles[0]
    answer = Answer(
        "utter_cast_voice_role" if role.voice else "utter_cast_role",
        {"actor": role.actor, "character": role.character, "description": role.description,
         "source": _cite(role.source)},
        sources=[f"facts:cast:{role.actor}"],
        subject=known_subject(facts, role.actor),
        suggestions=[f"What did the critics say about {role.actor}?"],
    )
    quote = _line_naming(retriever, role.actor, f"{role.actor} as {role.character}")
    if quote:
        answer.response += "_quoted"
        answer.values.update(quote=quote.sentence, quote_source=source_label(quote))
        _add_quote(answer, quote)
    return answer


def known_subject(facts: FilmFacts, mention: str | None) -> str | None:
    """"Actor as Character" for a mention of a real cast member or role; None for anything else.

    Entity extraction sometimes tags words like "his performance" as a character; only names
    the facts know may replace the person a conversation is about.
    """
    roles = facts.roles_for(mention) if mention else []
    return f"{roles[0].actor} as {roles[0].character}" if roles else None


def fact_answer(facts: FilmFacts, fact: str | None) -> Answer:
    """A fact about the film (director, year, runtime, awards, …) with its source."""
    if fact == "cast":
        return Answer("utter_ask_which_role", suggestions=["Who plays Theodore?", "Who voices Samantha?"])
    if fact == "awards":
        wins = [a for a in facts.awards if a.get("result") == "won"]
        nominated = [a for a in facts.awards if a.get("result") != "won"]
        return Answer("utter_fact_awards", {
            "wins": _join([a["award"] for a in wins[:4]]),
            "nominations": str(len(nominated)),
            "source": _cite(facts.sources[wins[0]["source"]]) if wins else "",
        }, sources=["facts:awards"])
    entry = FACT_ENTRIES.get(fact or "")
    if entry is None or entry not in facts.film:
        return Answer("utter_ask_which_fact", suggestions=["Who directed Her?", "How long is it?", "What did it win?"])
    item = facts.film[entry]
    value = _join(item.value) if isinstance(item.value, list) else str(item.value)
    return Answer(f"utter_fact_{entry}", {"value": value, "source": _cite(item.source)}, sources=[f"facts:{entry}"])


# --- the reviews -------------------------------------------------------------------------------

def review_answer(retriever: Retriever, question: str, *, kind: str, consent: bool | None,
                  review: str | None = None, aspect: str | None = None, subject: str | None = None) -> Answer:
    """Answer from the reviews. ``kind`` is plot, opinion, compare, recommendation or comments.

    Opinions consult every review (or the one named) and say whether both speak to the
    point or only one does. Spoiler-bearing passages are used only with ``consent``. When
    consent was never asked, a question about the ending (its aspect, or a plot question
    whose best passage reveals it) asks first; any other answers from spoiler-free passages.
    """
    query = build_query(question, aspect or None, subject, hint=None if aspect else KIND_HINTS.get(kind))
    section = "comment" if kind == "comments" else "body"  # a reader's comment is not the review's view
    filters = Filters(review=review, section=section, spoilers=consent is not False)
    hits = retriever.search(query, top_k=10, filters=filters)
    about_ending = aspect == "ending" or kind == "plot"
    if consent is None and about_ending and hits and hits[0].passage.spoiler:
        return Answer("utter_ask_spoiler_consent", needs_consent=True)
    if consent is None:
        hits = [hit for hit in hits if not hit.passage.spoiler]
    per_review = kind in ("opinion", "compare", "recommendation") and review is None
    chosen = [_naming(hit, subject) for hit in (_best_per_review(hits) if per_review else hits[:1])]
    if not chosen:
        withheld = consent is False and bool(retriever.search(query, top_k=1, filters=Filters(review=review)))
        return Answer("utter_spoiler_withheld" if withheld else "utter_reviews_silent",
                      suggestions=covered_topics(retriever))
    answer = _quote_answer(retriever, chosen, kind, per_review, asked=query)
    answer.subject = subject
    return answer


def build_query(question: str, aspect: str | None, subject: str | None, hint: str | None = None) -> str:
    """The question as searched: a follow-up's aspect, the person "her" refers to, or the kind's hint."""
    parts = [question]
    if aspect in ASPECTS and not _names(question, ASPECTS[aspect]):
        parts.append(f"({ASPECTS[aspect].query})")
    if subject and _PRONOUN.search(question):
        parts.append(f"({subject})")
    if hint:
        parts.append(f"({hint})")
    return " ".join(parts)


def _names(text: str, aspect: Aspect) -> bool:
    """Whether ``text`` already names ``aspect`` (the last word of its label: "acting", "ending", …)."""
    return aspect.label.split()[-1].casefold() in text.casefold()


def _naming(hit: Hit, subject: str | None) -> Hit:
    """Quote the passage's sentence that names the person asked about, when it has one."""
    if not subject:
        return hit
    stem = subject.split(" as ")[0].split()[-1][:6].casefold()
    sentence = next((s for s in hit.passage.sentences if stem in s.casefold()), None)
    return Hit(hit.passage, hit.score, sentence, hit.sentence_score, hit.rank) if sentence else hit


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
        _add_quote(answer, hit)
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


def _line_naming(retriever: Retriever, actor: str, query: str) -> Hit | None:
    """A spoiler-free review sentence that names the actor (reviews misspell names: match the stem)."""
    for hit in retriever.search(query, top_k=5, filters=Filters(spoilers=False)):
        named = _naming(hit, actor)
        if named is not hit:
            return named
    return None


def _add_quote(answer: Answer, hit: Hit) -> None:
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
    key = mention.casefold().strip()
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


def _join(items) -> str:
    items = [str(item) for item in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _cite(source) -> str:
    return f"film facts, from {source.title}"
