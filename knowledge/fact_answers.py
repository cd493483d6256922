"""Answers from the film facts: who plays whom, who made it, what it won, and the trivia.

Plain functions, no Rasa. Every entry of the facts carries the questions it answers
(``FilmFacts.asks``); a question is encoded once, with the same encoder as retrieval, and
answered with the entry whose questions are nearest in meaning ("who's the star?" is the
first-billed role, "who shot it?" the cinematographer), or with "not something I know" when
none is near enough or the nearest is something a film has that the facts do not hold.
The NLU's fact entity adds weight to the entry it names; a name in the possessive only
describes someone else ("Amy's husband"); an actor named (even misspelt) is the answer when
nothing is near enough by meaning. fact_answer and cast_answer share the matcher, so a crew
question the NLU sent to the cast action still gets the crew fact.
Questions about people's lives, other films, ratings sites or sequels are never answered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from knowledge.answers import Answer, add_quote, join, line_naming, off_limits, source_label
from knowledge.facts import FilmFacts, Role
from knowledge.lexical import content_stems
from knowledge.once import once
from knowledge.other_films import another_film
from knowledge.retrieval import Retriever
from knowledge.spelling import SHORT_WORD, typo_distance
from knowledge.text import misspelt

# The fact entity's canonical values and the facts entries that answer them.
FACT_ENTRIES = {
    "director": "director", "writer": "writer", "year": "year", "release date": "release",
    "runtime": "runtime_minutes", "music": "music", "filming locations": "filming_locations",
    "budget": "budget", "box office": "box_office", "cinematography": "cinematography",
}
# Entries whose values are people (the awards name them as recipients).
CREW_ENTRIES = ("director", "writer", "producers", "cinematography", "editing", "production_design")
# Film entries answered with a response of their own, ``utter_fact_<entry>`` (the title is never asked).
FACT_TOPICS = tuple((entry, f"utter_fact_{entry}") for entry in (
    "awards", "budget", "box_office", "distributor", "production_company", "release", "year", "runtime_minutes",
    "cinematography", "editing", "production_design", "producers", "director", "writer", "music", "genre",
    "rating", "filming_locations", "setting", "language", "country"))
SPEAKABLE_NAME = re.compile(r"[^\W\d_][\w .'’-]{0,59}")  # a name said back to the user: letters first, no markup
FACT_MATCH = 0.5  # least cosine between a question and an entry's nearest question for that entry to answer
CLEAR_FACT = 0.1  # how far past FACT_MATCH a question the NLU did not call a fact question must come
ENTITY_BONUS = 0.1  # added to the entry the NLU's fact entity names
_POSSESSIVE = re.compile(r"\b(?!(?:who|what|it|that|there|here|he|she|where|how|when|let)['’]s\b)\w+['’]s\b",
                         re.IGNORECASE)  # "Amy's", not "who's"
# Words that ask about awards; with an award of the facts named ("best picture"), the awards answer.
_ASKS_AWARD = re.compile(r"\b(?:oscars?|academy awards?|awards?|nominat\w*|up for|w[io]n(?!['’])|golden globes?|"
                         r"baftas?|prizes?)\b", re.IGNORECASE)
# What a question asks for by its first wh-words (a person, a place, a time, an amount), as the entries' own
# wordings do: an entry worded that way gains WH_BONUS (chosen on tests/data/facts_dev.yaml).
_WH = re.compile(r"\b(who|whom|whose|where|when|how (?:much|many|long|old)|what year|which year)\b", re.IGNORECASE)
_WH_SAME = {"whom": "who", "whose": "who", "which year": "what year"}
WH_BONUS = 0.1
# The words of a question as one of an entry's wordings has them ("who composed it?" and "who composed the score"),
# stemmed, words of asking left out (lexical.content_stems): the share of the question's words one wording holds,
# times LEXICAL_BONUS, ranks the entries where the encoder puts near synonyms ("composed", "wrote") side by side; like
# WH_BONUS it lifts no floor. On tests/data/facts_dev.yaml 0.84 at 0.1 and 0.15; at 0.2 it starts to trade roles.
LEXICAL_BONUS = 0.15
NAMED_AWARD = FACT_MATCH + 0.15  # the score a question that names an award gets for the awards entry
UNKNOWN = "unknown"  # the entry of things a film has that the facts do not hold
NOTE_MATCH = 0.6  # least cosine for a trivia item to ride along with an answer
TRIVIA_ANSWER = 0.55  # least cosine for a trivia item to be the answer itself


@dataclass(frozen=True)
class FactMatch:
    """The facts entry a question asks for (an id of ``FilmFacts.asks``, or "unknown") and its score."""

    entry: str
    score: float


def match_fact(facts: FilmFacts, retriever: Retriever, question: str, *, fact: str | None = None,
               name: str | None = None) -> FactMatch:
    """The entry whose questions are nearest in meaning to ``question``, or "unknown" below the floor.

    ``fact`` (the NLU's fact entity) adds weight to the entry it names. A role named in the
    possessive is not the one asked about ("who plays Theodore's ex?"); a person the question
    (or ``name``, the NLU's person or character entity) names otherwise is the answer when
    nothing is near enough by meaning ("who is Scarlet Johanson in it?": a misspelt name).
    """
    vectors = _vectors(facts, retriever.encoder)
    if not vectors.entries:
        return FactMatch(UNKNOWN, 0.0)
    scores = np.maximum.reduceat(vectors.asks @ retriever.encoder.encode_query(question), vectors.starts)
    # names are looked for by spelling (a few ms) only when one may be in the possessive
    owners = {f"cast:{role.actor}" for role, owner in (_mentions(facts, question) if _POSSESSIVE.search(question)
                                                       else []) if owner}
    weights = dict.fromkeys(vectors.entries, 0.0)
    if _entity_entry(fact) in weights:
        weights[_entity_entry(fact)] += ENTITY_BONUS
    asked = _wh(question)  # "where was it filmed?" asks a place, not who filmed it: it ranks, it lifts no floor
    wh = {entry: WH_BONUS if asked and asked in said else 0.0 for entry, said in zip(vectors.entries, vectors.wh,
                                                                                      strict=True)}
    words = content_stems(question)
    shared = {entry: LEXICAL_BONUS * max((_shared(words, said) for said in wordings), default=0) / len(words)
              if words else 0.0 for entry, wordings in zip(vectors.entries, vectors.stems, strict=True)}
    _, score, entry = max((float(score) + weights[entry] + wh[entry] + shared[entry], float(score) + weights[entry],
                           entry) for score, entry in zip(scores, vectors.entries, strict=True) if entry not in owners)
    if "awards" in vectors.entries and (score < NAMED_AWARD or entry in (UNKNOWN, "awards") or
                                        entry.startswith("cast:")) and _ASKS_AWARD.search(question) and \
            (_named_awards(facts, question) or _person_named(facts, question)):  # "was it up for best picture too?",
        score, entry = max(score, NAMED_AWARD), "awards"  # "what did Amy Adams win an Oscar for?": her awards
    if entry.startswith("cast:") and not _actors_named(facts, question) and _a_stranger_named(facts, question):
        entry = UNKNOWN  # "is Tom Hanks in it?" comes near "is <an actor of the cast> in it?": not their role
    if score < FACT_MATCH:
        named = [*(facts.roles_for(name) if name else []), *_actors_named(facts, question)]
        entry = next((f"cast:{role.actor}" for role in named if f"cast:{role.actor}" not in owners), UNKNOWN)
    return FactMatch(entry, score)


def clearly_asked(facts: FilmFacts, retriever: Retriever, question: str) -> FactMatch | None:
    """The entry a question asks for when the facts answer it clearly (``CLEAR_FACT`` past their own floor), whatever
    the intent classifier made of it ("who direced her?", "what's the OS he buys called?" taken for the story)."""
    found = match_fact(facts, retriever, question)
    return found if found.entry != UNKNOWN and found.score >= FACT_MATCH + CLEAR_FACT else None


def fact_answer(facts: FilmFacts, retriever: Retriever, fact: str | None, question: str = "") -> Answer:
    """A fact about the film with its source: the entry the question asks for, by meaning."""
    if off_limits(question):
        return Answer("utter_fact_unknown", suggestions=["Who directed Her?", "What did it win?"])
    if title := another_film(facts, question):
        return other_film_answer(title)
    if _no_words(question):  # "/ask_film_fact{...}": only the entity says what is asked
        entry = _entity_entry(fact) or UNKNOWN
    else:
        entry = match_fact(facts, retriever, question, fact=fact).entry
    if entry == UNKNOWN and (stranger := stranger_asked(facts, question)):
        return stranger
    return entry_answer(facts, retriever, entry, question,
                        ["Who directed Her?", "How long is it?", "What did it win?"])


def stranger_asked(facts: FilmFacts, question: str) -> Answer | None:
    """ "what role does <someone the film's facts do not name> play in it?": that they are not known to be in it."""
    if _ASKS_A_ROLE.search(question) and (stranger := _a_stranger_named(facts, question)):
        return Answer("utter_person_unknown", {"name": stranger}, suggestions=["Who is in the cast?"])
    return None


_ASKS_A_ROLE = re.compile(r"\b(?:play(?:s|ed)?|role|part|appear(?:s|ed)?|star(?:s|red)?|cast|voices?d?|in it|in her)\b",
                          re.IGNORECASE)


def entry_answer(facts: FilmFacts, retriever: Retriever, entry: str, question: str,
                 suggestions: list[str]) -> Answer:
    """The answer of one facts entry (an id of ``FilmFacts.asks``); ``suggestions`` go with "not something I know"."""
    if entry == "cast":
        return _cast_list(facts)
    if entry == "awards":
        return awards_answer(facts, question)
    if entry.startswith("cast:"):
        return role_answer(facts, retriever, next(r for r in facts.cast if f"cast:{r.actor}" == entry), question)
    if entry.startswith("trivia:"):
        trivia = next(t for t in facts.trivia if f"trivia:{t['id']}" == entry)
        return Answer("utter_fact_trivia", {"fact": trivia["text"], "source": cite(facts.sources[trivia["source"]])},
                      sources=[f"facts:{entry}"])
    if entry in facts.film and entry in dict(FACT_TOPICS):
        item = facts.film[entry]
        value = join(item.value) if isinstance(item.value, list) else str(item.value)
        return Answer(f"utter_fact_{entry}", {"value": value, "source": cite(item.source)}, sources=[f"facts:{entry}"])
    return Answer("utter_fact_unknown", suggestions=suggestions)


def _wh(text: str) -> str | None:
    """The question's first wh-words, one name for each kind ("whom" is "who")."""
    match = _WH.search(text)
    return _WH_SAME.get(match.group(1).casefold(), match.group(1).casefold()) if match else None


def _entity_entry(fact: str | None) -> str | None:
    """The entry the NLU's fact entity names ("runtime" is runtime_minutes, "cast" the cast list)."""
    return fact if fact in ("cast", "awards") else FACT_ENTRIES.get(fact or "")


def _no_words(question: str) -> bool:
    return not question.strip() or question.lstrip().startswith("/")


def awards_answer(facts: FilmFacts, question: str) -> Answer:
    """The awards a question names ("a Golden Globe", "Best Picture"), or a person's, or every win.

    A person named in the question ("was Joaquin Phoenix up for a Golden Globe?") keeps only
    the awards whose recipient is that person; none means herbot knows of none for them.
    """
    if (unlisted := _unlisted_category(facts, question)) is not None:  # "who won best actor at the oscars?": Her
        # was not up for it
        return Answer("utter_fact_award_not_listed", {"body": unlisted[0], "source": cite(facts.sources[unlisted[1]])},
                      sources=["facts:awards"], suggestions=["What did Her win?"])
    named = _named_awards(facts, question)
    person = _person_named(facts, question)
    if person:
        surname = person.split()[-1]
        named = [a for a in (named or facts.awards) if surname in a.get("recipient", "")]
        if not named:
            return Answer("utter_fact_awards_none", {"name": person}, suggestions=["What did Her win?"])
    if named:
        won = [a["award"] for a in named if a.get("result") == "won"]
        lost = [a["award"] for a in named if a.get("result") != "won"]
        parts = ([f"won the {join(won)}"] if won else []) + ([f"was nominated for the {join(lost)}"] if lost else [])
        sources = list(dict.fromkeys(a["source"] for a in named))
        return Answer("utter_fact_awards_named", {
            "result": " and ".join(parts) + ("" if won else ", but didn't win it"),
            "source": join([cite(facts.sources[s]) for s in sources]),
        }, sources=["facts:awards"])
    wins = [a for a in facts.awards if a.get("result") == "won"]
    nominated = [a for a in facts.awards if a.get("result") != "won"]
    if nominated and _ASKS_NOMINATIONS.search(question) and not _ASKS_WINS.search(question):  # "what else was it
        sources = list(dict.fromkeys(a["source"] for a in facts.awards))                     # nominated for?"
        return Answer("utter_fact_awards_named", {
            "result": (f"won the {join([a['award'] for a in wins])}, and " if wins else "")
                      + f"was nominated for the {join([a['award'] for a in nominated])}",
            "source": join([cite(facts.sources[s]) for s in sources]),
        }, sources=["facts:awards"])
    return Answer("utter_fact_awards", {
        "wins": join([a["award"] for a in wins[:4]]),
        "nominations": str(len(nominated)),
        "source": cite(facts.sources[wins[0]["source"]]) if wins else "",
    }, sources=["facts:awards"], suggestions=["Was it nominated for Best Picture?"])


_ASKS_NOMINATIONS = re.compile(r"\bnominat\w*|\bup for\b|\bin the running\b", re.IGNORECASE)
_ASKS_WINS = re.compile(r"\bw[io]n\b|\bwins\b|\bwinning\b", re.IGNORECASE)
_GENERIC_AWARD_WORDS = {"award", "awards", "best", "for", "the", "of", "a", "an", "and", "film", "her", "-", "in", "or",
                        "with", "at", "on", "by", "to", "as", "tied", "it", "its"}


_BODY_END = re.compile(r"\s+(?:award|best)\b")  # "Academy| Award for Best Picture", "Rome Film Festival| Best ..."


def _award_words(text: str) -> list[str]:
    """The words of a question or an award's name, spelt alike ("Oscar" is the Academy Award's, "globes" "globe")."""
    tokens = re.findall(r"[a-z]+", re.sub(r"\boscars?\b", "academy", text.casefold()))
    return [re.sub(r"(?<=[a-z]{3}[^s])s$", "", token) for token in tokens]


def _body_and_category(award: dict) -> tuple[list[str], set[str]]:
    """Who gives an award ("academy", "golden globe"), its words in order, and the distinctive words of what it is
    for ("picture")."""
    name = award["award"].casefold()
    split = _BODY_END.search(name)
    body, category = (name[:split.start()], name[split.end():]) if split else (name, "")
    return _award_words(body), set(_award_words(category)) - _GENERIC_AWARD_WORDS


def _bodies_named(facts: FilmFacts, question: str) -> list[dict]:
    """The awards given by a body the question names by its first words ("at the Oscars": the Academy Awards;
    "golden globes"), none when it names none: one word of a long name ("writer") names no body."""
    said = f" {' '.join(_award_words(question))} "
    return [award for award in facts.awards if f" {' '.join(_body_and_category(award)[0][:2])} " in said]


def _unlisted_category(facts: FilmFacts, question: str) -> tuple[str, str] | None:
    """A body and a category the question names ("best actor at the oscars") that none of that body's awards in the
    facts is for: (the body's name, its awards' source). None when the question names no body, no category, or a
    listed one."""
    given = _bodies_named(facts, question)
    if not given:
        return None
    tokens = _award_words(question)
    asked = {word for before, word in zip(tokens, tokens[1:], strict=False) if before == "best"} - _GENERIC_AWARD_WORDS
    asked |= set(tokens) & {word for award in facts.awards for word in _body_and_category(award)[1]}
    if not asked or any(_body_and_category(award)[1] & asked for award in given):
        return None
    name = given[0]["award"]
    return name[:_BODY_END.search(name.casefold()).start()] + " Awards", given[0]["source"]


def _named_awards(facts: FilmFacts, question: str) -> list[dict]:
    """The awards the question names: most distinctive words shared with it ("Oscar" means the Academy Award),
    and of those, the most of its words in a row ("best picture" is Best Picture, not a Motion Picture award).
    A body named ("at the Oscars") keeps only its own awards, and a category none of them is for names none."""
    tokens = _award_words(question)
    words = set(tokens)
    pairs = {f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False) if {a, b} - _GENERIC_AWARD_WORDS}

    def rank(award: dict) -> tuple[int, int]:
        name = award["award"].casefold()
        shared = len(words & (set(re.findall(r"[a-z]+", name)) - _GENERIC_AWARD_WORDS))
        return shared, sum(1 for pair in pairs if re.search(rf"\b{pair}\b", name))

    if _unlisted_category(facts, question) is not None:
        return []
    ranked = [(rank(award), award) for award in (_bodies_named(facts, question) or facts.awards)]
    best = max((r for r, _ in ranked), default=(0, 0))
    return [award for r, award in ranked if best[0] and r == best]


def _person_named(facts: FilmFacts, question: str) -> str | None:
    """An actor or a credited crew member the question names by full name or surname."""
    people = [role.actor for role in facts.cast]
    for entry in CREW_ENTRIES:
        value = facts.film[entry].value if entry in facts.film else []
        people += [str(v) for v in (value if isinstance(value, list) else [value])]
    text = question.casefold()
    return next((p for p in dict.fromkeys(people) if len(p.split()) > 1
                 and re.search(rf"\b{re.escape(p.split()[-1].casefold())}\b", text)), None)


def other_film_answer(title: str) -> Answer:
    return Answer("utter_other_film", {"title": title}, suggestions=["Who directed Her?", "What is Her about?"])


# --- people -------------------------------------------------------------------------------------

def cast_answer(facts: FilmFacts, retriever: Retriever, name: str | None, question: str = "") -> Answer:
    """Who plays whom, from the facts (or the fact a cast question turns out to ask for, "who made it?")."""
    if off_limits(question):
        return Answer("utter_fact_unknown", suggestions=["Who is in the cast?"])
    if title := another_film(facts, question):
        return other_film_answer(title)
    roles = facts.roles_for(name) if name else []
    if name and not roles and not _mentions(facts, question):
        if not SPEAKABLE_NAME.fullmatch(name):  # never echo markup or junk a user typed
            return Answer("utter_fact_unknown", suggestions=["Who is in the cast?"])
        return Answer("utter_person_unknown", {"name": name})
    if _no_words(question):
        return role_answer(facts, retriever, roles[0], question) if roles else _cast_list(facts)
    entry = match_fact(facts, retriever, question, name=name).entry
    if entry == UNKNOWN and (stranger := stranger_asked(facts, question)):  # the NLU found no name in it
        return stranger
    return entry_answer(facts, retriever, entry, question, ["Who is in the cast?"])


def role_answer(facts: FilmFacts, retriever: Retriever, role: Role, question: str = "") -> Answer:
    """Who plays a role, plus a review's line about that actor and a related trivia item."""
    answer = Answer(
        "utter_cast_voice_role" if role.voice else "utter_cast_role",
        {"actor": role.actor, "character": role.character, "description": role.description,
         "source": cite(role.source)},
        sources=[f"facts:cast:{role.actor}"],
        subject=f"{role.actor} as {role.character}",
        suggestions=[f"What did the critics say about {role.actor}?"],
    )
    quote = line_naming(retriever, role.actor, f"{role.actor} as {role.character}")
    if quote:
        answer.response += "_quoted"
        answer.values.update(quote=quote.sentence, quote_source=source_label(quote))
        add_quote(answer, quote)
    note = _trivia(facts, retriever, question or role.actor, NOTE_MATCH, about=(role.actor, role.character))
    if note:
        answer.notes.append((note["text"], cite(facts.sources[note["source"]])))
        answer.sources.append(f"facts:trivia:{note['id']}")
    return answer


def known_subject(facts: FilmFacts, mention: str | None) -> str | None:
    """"Actor as Character" for a mention of a real cast member or role; None for anything else.

    Entity extraction sometimes tags words like "his performance" as a character; only names
    the facts know may replace the person a conversation is about.
    """
    roles = facts.roles_for(mention) if mention else []
    return f"{roles[0].actor} as {roles[0].character}" if roles else None


def _names(role: Role) -> str:
    return " ".join((role.actor, role.character, *role.aliases))


def _mentions(facts: FilmFacts, question: str) -> list[tuple[Role, bool]]:
    """Roles named in the question, in order, each with whether the name is in the possessive.

    Names are matched whole first, then word by word allowing a typo ("Twomblee", "chris prat").
    """
    found = []
    text = question.casefold()
    words = [(m.start(), m.group(1), bool(m.group(2))) for m in re.finditer(r"([a-z]+)(['’]s)?", text)]
    for role in facts.cast:
        for name in (role.actor, role.character, *role.aliases, role.actor.split()[-1]):
            match = re.search(rf"\b{re.escape(name.casefold())}\b(['’]s)?", text)
            if match:
                found.append((match.start(), role, bool(match.group(1))))
                break
        else:
            names = {w for w in re.findall(r"[a-z]+", f"{role.actor} {role.character}".casefold()) if len(w) >= 4}
            near = next(((start, possessive) for start, word, possessive in words
                         if len(word) >= 4 and any(_a_typo_of(word, name) for name in names)), None)
            if near:
                found.append((near[0], role, near[1]))
    return [(role, possessive) for _, role, possessive in sorted(found, key=lambda item: item[0])]


def _a_typo_of(word: str, name: str) -> bool:
    """Whether ``word`` is ``name`` misspelt: alike, and a short word only one edit away (as the speller mends them):
    "find" is two from "friend" (a role named "Chat Room Friend"), "prat" one from "pratt"."""
    return misspelt(word, name) and (len(word) > SHORT_WORD or typo_distance(word, name) <= 1)


_FULL_NAME = re.compile(r"\b[A-Z][a-z'’]+(?: [A-Z][a-z'’]+)+\b")  # two capitalised words or more: a person's name
_NOT_A_NAME_WORD = {"is", "does", "did", "was", "who", "what", "has", "have", "do", "can", "which", "where", "when",
                    "how", "and", "but", "so", "in", "the", "a", "an", "of", "oh", "ok", "okay", "hey", "hi"}


def _a_stranger_named(facts: FilmFacts, question: str) -> str | None:
    """The person the question names (two capitalised words) none of whose words the film's names hold, if any."""
    known = facts.names()
    for match in _FULL_NAME.finditer(question):
        if re.search(r"\b(?:in|at|from|of|on|the|a|an)\s+$", question[:match.start()], re.IGNORECASE):
            continue  # "who played Deckard in Blade Runner?": a film or a place, not a person
        words = [word for word in match.group(0).split() if word.casefold() not in _NOT_A_NAME_WORD]
        if len(words) >= 2 and not any(word.casefold().rstrip("'’s") in known or word.casefold() in known
                                       for word in words):
            return " ".join(words)
    return None


def _actors_named(facts: FilmFacts, question: str) -> list[Role]:
    """Roles whose actor the question names: whole, by surname, or a misspelt name word of five letters or more.

    Only actors' names: a character's name is often a word ("Friend"), and a short name a part
    of one ("Bill" in "billed").
    """
    text = question.casefold()
    words = [word for word in re.findall(r"[a-z]+", text) if len(word) >= 5]

    def named(actor: str) -> bool:
        if re.search(rf"\b(?:{re.escape(actor)}|{re.escape(actor.split()[-1])})\b", text):
            return True
        return any(misspelt(word, name) for word in words for name in actor.split() if len(name) >= 5)

    return [role for role in facts.cast if named(role.actor.casefold())]


def person_in(facts: FilmFacts, question: str, mention: str | None) -> str | None:
    """"Actor as Character" for the person a review question names: the NLU's entity, else a name in the text."""
    subject = known_subject(facts, mention)
    if subject:
        return subject
    mentioned = _mentions(facts, question)
    return f"{mentioned[0][0].actor} as {mentioned[0][0].character}" if mentioned else None


def _cast_list(facts: FilmFacts) -> Answer:
    roles = facts.cast[:6]  # the facts file lists the principal cast first
    cast = join([f"{role.actor} ({'voice of ' if role.voice else ''}{role.character})" for role in roles])
    titles = list(dict.fromkeys(role.source.title for role in roles))
    return Answer("utter_cast_list", {"cast": cast, "source": f"film facts, from {join(titles)}"},
                  sources=[f"facts:cast:{role.actor}" for role in roles],
                  suggestions=["Who voices Samantha?", "What did the critics think of the acting?"])


# --- the encoder's view of the facts -------------------------------------------------------------

@dataclass(frozen=True)
class _FactVectors:
    entries: tuple[str, ...]  # the entry ids of ``FilmFacts.asks``, in order
    starts: np.ndarray  # each entry's first row in ``asks``
    asks: np.ndarray  # one row per question an entry answers, grouped by entry
    trivia: np.ndarray  # one row per trivia item: its text
    wh: tuple[frozenset[str], ...]  # each entry's wh-words, from its wordings
    stems: tuple[tuple[frozenset[str], ...], ...]  # each entry's wordings, as the stems of their content words


def warm_facts(facts: FilmFacts, encoder) -> None:
    """Encode the facts' wordings now, not on the first fact question of the process."""
    _vectors(facts, encoder)


@once
def _vectors(facts: FilmFacts, encoder) -> _FactVectors:
    """Encoded once per process (facts and encoder are loaded once), on first use."""
    entries = tuple(facts.asks)
    sizes = [len(facts.asks[entry]) for entry in entries]
    return _FactVectors(entries, np.cumsum([0, *sizes[:-1]]),
                        encoder.encode([text for entry in entries for text in facts.asks[entry]]),
                        encoder.encode([t["text"] for t in facts.trivia]),
                        tuple(frozenset(filter(None, map(_wh, facts.asks[entry]))) for entry in entries),
                        tuple(tuple(content_stems(text) for text in facts.asks[entry]) for entry in entries))


def _shared(words: frozenset[str], said: frozenset[str]) -> int:
    """How many of ``words`` a wording has: the same stem, or one of four letters or more beginning the other
    ("produc" and "product")."""
    return sum(1 for word in words if word in said or any(
        len(short) >= 4 and long.startswith(short) for other in said
        for short, long in [sorted((word, other), key=len)]))




def _trivia(facts: FilmFacts, retriever: Retriever, question: str, floor: float,
            about: tuple[str, ...] = ()) -> dict | None:
    """The trivia item closest in meaning to the question, if close enough (and naming ``about``)."""
    if not facts.trivia or not question.strip():
        return None
    scores = _vectors(facts, retriever.encoder).trivia @ retriever.encoder.encode_query(question)
    ranked = sorted(((float(s), t) for s, t in zip(scores, facts.trivia, strict=True)
                     if not about or any(name in t["text"] for name in about)), key=lambda item: -item[0])
    return ranked[0][1] if ranked and ranked[0][0] >= floor else None


def add_trivia_note(facts: FilmFacts, retriever: Retriever, question: str, answer: Answer) -> Answer:
    """A trivia item that answers the question outright ("what is the OS called?") rides along with a review answer."""
    trivia = _trivia(facts, retriever, question, TRIVIA_ANSWER)
    if trivia and answer.sources:
        answer.notes.append((trivia["text"], cite(facts.sources[trivia["source"]])))
        answer.sources.append(f"facts:trivia:{trivia['id']}")
    return answer


def cite(source) -> str:
    return f"film facts, from {source.title}"
