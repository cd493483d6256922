"""Film facts: title, year, crew, cast and awards, each with the source it comes from.

The reviews do not name every actor; these facts fill that gap. Every value keeps
its source, so an answer built from it can say where it comes from.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml


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


@dataclass(frozen=True)
class FilmFacts:
    film: dict[str, Fact]
    cast: tuple[Role, ...]
    awards: tuple[dict, ...]
    trivia: tuple[dict, ...]
    sources: dict[str, Source]

    def roles_for(self, name: str) -> list[Role]:
        """Roles matching an actor's or character's name or alias, case-insensitively."""
        key = name.casefold().strip()
        return [
            role
            for role in self.cast
            if key in (role.actor.casefold(), role.character.casefold(), *(a.casefold() for a in role.aliases))
        ]


@lru_cache(maxsize=4)
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
    return FilmFacts(film, cast, tuple(data.get("awards") or ()), tuple(data.get("trivia") or ()), sources)
