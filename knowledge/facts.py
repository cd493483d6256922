"""Film facts: title, year, crew, cast and awards, each with the source it comes from.

The reviews do not name every actor; these facts fill that gap. Every value keeps
its source, so an answer built from it can say where it comes from. Each entry also
carries the questions it answers (``FilmFacts.asks``), generated from the facts where
they can be (roles, the first-billed role, awards, trivia) and otherwise read from the
questions file the facts file names, so that a question is matched to an entry by meaning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from knowledge.once import once


class FactsError(ValueError):
    """The facts file is missing or malformed; the message names the entry."""


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    url: str


@dataclass(frozen=True)
class Fact:
    """One fact and its source, e.g. ``director = "Spike Jonze"`` from Wikipedia."""

    name: str
    value: object
    source: Source


@dataclass(frozen=True)
class Role:
    actor: str
    character: str
    description: str
    voice: bool
    aliases: tuple[str, ...]
    source: Source


@dataclass(frozen=True, eq=False)  # known by identity: loaded once, its vectors kept by it
class FilmFacts:
    film: dict[str, Fact]
    cast: tuple[Role, ...]
    awards: tuple[dict, ...]
    trivia: tuple[dict, ...]
    sources: dict[str, Source]
    # Entry id -> the questions it answers. Ids: a `film` key, "cast" (the list), "cast:<actor>",
    # "awards", "trivia:<id>", and "unknown" (things a film has that the facts do not hold).
    asks: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def roles_for(self, name: str) -> list[Role]:
        """Roles matching an actor's or character's name or alias, case-insensitively."""
        key = name.casefold().strip()
        return [
            role
            for role in self.cast
            if key in (role.actor.casefold(), role.character.casefold(), *(a.casefold() for a in role.aliases))
        ]

    def names(self) -> frozenset[str]:
        """Every name of this film, lower case, whole and word by word: its cast and characters, crew,
        places, songs and awards (what is never another film)."""
        names: set[str] = set()
        for role in self.cast:
            names |= {role.actor, role.character, *role.aliases}
        for fact in self.film.values():
            names |= {str(value) for value in (fact.value if isinstance(fact.value, list) else [fact.value])}
        # Awards and songs whole: their words name other things ("tied with <a film>", the moon of a song title).
        whole = {str(award.get(key, "")).casefold() for award in self.awards for key in ("award", "recipient", "song")}
        return names_and_words(names) | {name for name in whole if name}


# Words of the industry a name may hold ("Warner Bros. Pictures", "Best Original Score"): no name by themselves.
_GENERIC_NAME_WORDS = frozenset({
    "the", "of", "a", "an", "and", "for", "in", "on", "at", "to", "with", "best", "film", "films", "movie", "movies",
    "picture", "pictures", "award", "awards", "original", "score", "song", "actor", "actress", "director",
    "screenplay", "review", "reviews", "critic", "critics", "new", "world", "national", "motion", "production",
    "design", "choice", "association", "board", "guild", "festival", "musical", "comedy", "drama", "bros", "studio",
    "studios", "company"})
_NAME_WORDS = 4  # a name this short is a person, a place or a company: each of its words names it too


def names_and_words(names: set[str]) -> frozenset[str]:
    """``names``, their parts ("Arcade Fire" of "Arcade Fire (score by ...)") and, for short parts, each of
    their capitalised words, lower case ("Spike Jonze", "spike", "jonze")."""
    parts = {part.strip() for name in names for part in re.split(r"[(),;]| and | by ", name)}
    short = {part for part in parts if 0 < len(part.split()) <= _NAME_WORDS}
    words = {word for part in short for word in re.findall(r"[\w'’]+", part)
             if word[:1].isupper() and word.casefold() not in _GENERIC_NAME_WORDS}
    return frozenset(n.casefold() for n in names | short | words if n)


@once
def load_facts(path: Path) -> FilmFacts:
    """Parse and check the facts file once per process: every entry must name a known source."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise FactsError(f"{path}: cannot read the film facts ({error})") from None
    sources = {
        key: Source(key, entry["title"], entry["url"]) for key, entry in (data.get("sources") or {}).items()
    }

    def source_of(entry: dict, where: str) -> Source:
        key = entry.get("source")
        if key not in sources:
            raise FactsError(f"{path}: {where} names source {key!r}, which is not under 'sources'")
        return sources[key]

    film = {name: Fact(name, entry["value"], source_of(entry, name)) for name, entry in data["film"].items()}
    cast = tuple(
        Role(
            actor=entry["actor"],
            character=entry["character"],
            description=entry.get("description", ""),
            voice=bool(entry.get("voice", False)),
            aliases=tuple(entry.get("aliases", ())),
            source=source_of(entry, f"cast entry {entry.get('actor')!r}"),
        )
        for entry in data["cast"]
    )
    for section in ("awards", "trivia"):
        for entry in data.get(section) or ():
            source_of(entry, f"{section} entry {entry.get('id') or entry.get('award')!r}")
    awards = tuple(data.get("awards") or ())
    trivia = (*(data.get("trivia") or ()), *_songs(awards))
    questions = _questions(path, data.get("questions"), film, trivia)
    return FilmFacts(film, cast, awards, trivia, sources, describe(questions, film, cast, awards, trivia))


def _songs(awards: tuple[dict, ...]) -> list[dict]:
    """A trivia item for each song an award names, with who wrote it: "who wrote <the song>?" is answered by the
    award's own entry, which the awards answer lists by award, not by song."""
    songs = {}
    for award in awards:
        if award.get("song") and award.get("recipient"):
            outcome = "won" if award.get("result") == "won" else "was nominated for"
            songs.setdefault(award["song"], {
                "id": "song_" + re.sub(r"\W+", "_", award["song"].casefold()).strip("_"),
                "text": f"“{award['song']}” is by {award['recipient']}; it {outcome} the {award['award']}.",
                "source": award["source"]})
    return list(songs.values())


def _questions(path: Path, name: str | None, film: dict, trivia: tuple[dict, ...]) -> dict:
    """The questions file the facts file names (relative to it), checked against the entries."""
    if not name:
        return {}
    where = path.parent / name
    try:
        questions = yaml.safe_load(where.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise FactsError(f"{where}: cannot read the fact questions ({error})") from None
    known = {"film": set(film), "trivia": {item["id"] for item in trivia}}
    for section, keys in known.items():
        unknown = set(questions.get(section) or {}) - keys
        if unknown:
            raise FactsError(f"{where}: {section} has questions for {sorted(unknown)}, which the facts do not hold")
    return questions


def _statement(name: str, value) -> str:
    """A film entry said as a sentence ("the rating of the film: R (MPAA)"): its value's words count too."""
    said = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return f"the {name.replace('_', ' ')} of the film: {said}"


def describe(questions: dict, film: dict, cast: tuple[Role, ...], awards: tuple[dict, ...],
             trivia: tuple[dict, ...]) -> dict[str, tuple[str, ...]]:
    """Every entry's questions: the file's wordings, filled in from the facts where they can be.

    A film entry is matched by its own statement too ("the budget of the film: $23 million"); a
    role is asked about by its character, its description and its aliases (with the file's
    ``roles`` templates); the first-billed role also answers the ``lead`` wordings; an award is
    asked about by its name; a trivia item by its own text.
    """
    asks = {name: (*texts, _statement(name, film[name].value)) for name, texts in (questions.get("film") or {}).items()}
    asks["cast"] = tuple(questions.get("cast") or ())
    templates = questions.get("roles") or {}
    for billing, role in enumerate(cast):
        wordings = [*templates.get("every", ()), *(templates.get("voice", ()) if role.voice else ())]
        description = role.description.split(";")[0]  # what follows a semicolon is a note, not who they are
        # the description whole and its first clause ("Theodore's ex-wife, whom he is divorcing")
        # and who they are to someone ("Theodore's co-worker at the letter-writing company": his co-worker),
        # each also with its hyphens closed up as people type them ("coworker")
        head = re.split(r",| (?:at|who|whom|with|from|in) ", description)[0]
        heads = (head,) if re.search(r"['’]s\b", head) else ()  # a relation ("Amy's husband"), not "a character"
        descriptions = dict.fromkeys(said for text in (description, description.split(", ")[0], *heads)
                                     for said in (text, text.replace("-", "")))
        filled = [text.format(actor=role.actor, character=role.character, description=said, alias=alias)
                  for text in wordings if role.description or "{description}" not in text
                  for said in (descriptions if "{description}" in text else ("",))
                  for alias in (role.aliases if "{alias}" in text else ("",))]
        lead = (questions.get("lead") or ()) if billing == 0 else ()
        asks[f"cast:{role.actor}"] = tuple(dict.fromkeys([*filled, *lead]))
    asks["awards"] = (*(questions.get("awards") or ()), *(f"did the film win the {a['award']}" for a in awards))
    for item in trivia:
        asks[f"trivia:{item['id']}"] = (item["text"], *(questions.get("trivia") or {}).get(item["id"], ()))
    asks["unknown"] = tuple(questions.get("unknown") or ())
    return {name: texts for name, texts in asks.items() if texts}
