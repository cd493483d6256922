"""Whether a question is about a film other than Her, and which: "the end of Titanic", "how long is under the skin?".

Plain functions, no Rasa. A title is read where a film goes: after words that take one ("the movie Arrival",
"the plot of the matrix") or in the subject of a question of a film's own facts ("who directed the social
network?", "when did moonlight come out?"). What the slot holds is no other film when it is this film ("it", "the
movie her"), one of its parts or people ("the trailer", "the os", "spike jonze's film"), or a description ("the
movie about a man who ...").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from knowledge.facts import FilmFacts
from knowledge.text import misspelt

# A title after words that take a film: "the movie Arrival", "director of Dune: Part Two", "end of Blade Runner".
_TITLE = r"([A-Z0-9][\w:'’-]*(?: (?:(?:of|in|the|and|on|a) )*[A-Z0-9][\w:'’-]*)*)"
_FILM_OBJECT = re.compile(r"(?:\b(?:the (?:movie|film)|director of|directed|cast of|plot of|end of|ending of|"
                          r"stars? of|starred in|star in|composer of|sequel to|think of|make of|opinion of)) " +
                          _TITLE + r"|\b(?:does|did) " + _TITLE + r" (?:end|finish|turn out)\b")  # "how does X end?"


# The same in lower case, as people type: only after words that take a story ("the end of titanic", "how does
# inception end?"), and never a phrase led by a function word or naming a part of a story or of time ("the end of
# the day", "the end of it", "the end of act two", "the end of time").
_LOWER_TITLE = r"([a-z0-9][\w'’-]*(?: [a-z0-9][\w'’-]*){0,3}?)"
_LOWER_FILM_OBJECTS = tuple(re.compile(pattern) for pattern in (
    r"\b(?i:(?:end|ending|plot|storyline) of|(?:better|worse) than|compared? (?:to|with)) " + _LOWER_TITLE
    + r"(?=\s*(?:[?.!,;]|$))",
    r"\b(?i:does|did) " + _LOWER_TITLE + r" (?:end|finish)\b(?! up)",
    r"\b(?i:is|was) " + _LOWER_TITLE + r" (?:a )?(?:better|worse)\b"))
_NOT_A_TITLE_START = frozenset({
    "a", "an", "the", "this", "that", "these", "those", "it", "its", "his", "her", "their", "my", "your", "our",
    "one", "two", "three", "some", "any", "all", "every", "each", "no", "what", "which", "who", "whom", "whose",
    "in", "on", "at", "for", "with", "about", "from", "to", "of", "by",
    "how", "when", "where", "why", "there", "here", "them", "him", "me", "us", "you", "they", "she", "he", "we", "i"})
_STORY_OR_TIME = frozenset({
    "time", "times", "day", "days", "story", "stories", "act", "part", "chapter", "scene", "scenes", "film", "movie",
    "book", "season", "episode", "credits", "year", "years", "week", "month", "night", "relationship", "marriage",
    "romance", "affair", "love", "things", "everything", "life", "world", "expected", "average", "usual", "before",
    "ever", "most", "anything", "others", "other", "rest"})


# "the plot of where the wild things are": what follows "the plot of" is a story, any words long, however it begins
_PLOT_OF = re.compile(r"\b(?i:plot|storyline|synopsis|premise) of ((?:[a-z0-9][\w'’-]* ){0,5}[a-z0-9][\w'’-]*)"
                      r"(?=\s*(?:[?.!,;]|$))")
_THIS_STORY = frozenset({"it", "her", "this", "that", "film", "movie", "story", "one", "them", "its", "his", "their",
                         "film's", "movie's", "ending", "end", "thing", "whole", "part", "scene", "act", "half",
                         "middle", "beginning", "start", "relationship", "romance", "first", "second", "last", "final"})
_SMALL_TITLE_WORDS = frozenset({"the", "a", "an", "of", "and", "in", "on", "at", "to", "for", "or"})


def _lower_case_title(question: str) -> str | None:
    """A film title typed in lower case after words that take one, unless it reads as a common phrase (a title
    with capitals is read by ``_FILM_OBJECT``: "HAL from 2001" is no title typed in lower case)."""
    for match in (match for pattern in _LOWER_FILM_OBJECTS for match in pattern.finditer(question)):
        words = match.group(1).split()
        if words[0] not in _NOT_A_TITLE_START and not _STORY_OR_TIME.intersection(words) and not words[0].isdigit():
            return _as_a_title(words)
    if (plot := _PLOT_OF.search(question)) and not _THIS_STORY.intersection(words := plot.group(1).split()):
        return _as_a_title(words)
    return None


def _as_a_title(words: list[str]) -> str:
    """Words as titles are written: "Where the Wild Things Are"."""
    return " ".join(word if i and word in _SMALL_TITLE_WORDS else word[:1].upper() + word[1:]
                    for i, word in enumerate(words))


# Questions of a film's own facts, the film in the slot ``film``: "how long is X?", "who directed X?", "when did X
# come out?", "what is X rated?", "X runtime?". Up to seven words; what follows a question's end ("exactly") is no
# part of it.
_SLOT = r"(?P<film>[\w'’:.&-]+(?: [\w'’:.&-]+){0,6}?)"
_ENDS = (r"(?=\s*(?:[?.!,;]|$| (?:exactly|again|then|anyway|overall|in total|in minutes|roughly|approximately|though|"
         r"please|too)\b))")
_FACT_FRAMES = tuple(re.compile(pattern, re.IGNORECASE) for pattern in (
    r"\bhow long(?: is| was|'s|’s) " + _SLOT + _ENDS,
    r"\bhow long (?:does|did) " + _SLOT + r" (?:run|last)\b",
    r"\bwho (?:directed|made|wrote|produced|shot|edited|scored) " + _SLOT + _ENDS,
    r"\bwho(?:'s|’s| is| was)? (?:(?:stars?|starred|acts?|acted|appears?|appeared|is|was) in|(?:plays |played )?the "
    r"(?:lead|star|main character|director|writer|composer) (?:in|of)) " + _SLOT + _ENDS,
    r"\b(?:director|directors|cast|stars?|composer|writer|screenwriter|runtime|running time|length|budget|"
    r"release date|rating) (?:of|for|in) " + _SLOT + _ENDS,
    r"\bwhen (?:did|does|was|is) " + _SLOT + r" (?:come out|came out|released|premiered?|made|filmed|shot|out)\b",
    r"\bwhat year (?:did|was|is) " + _SLOT + r" (?:come out|released|made|filmed|from|out)\b",
    r"\bwhat (?:did|has) " + _SLOT + r" (?:win|won)\b",
    r"\b(?:did|has|does) " + _SLOT + r" (?:win|won) (?:any|an|a|the|some|best|oscars?|awards?)\b",
    r"\bhow many (?:oscars|academy awards|awards|golden globes|nominations) (?:did|has) " + _SLOT
    + r" (?:win|won|get|got|receive)\b",
    r"\b(?:what(?: is|'s|’s)|is) " + _SLOT + r" rated\b",
    r"\bwhere (?:was|is|did) " + _SLOT + r" (?:filmed|shot|made|set|premiere)\b",
    r"\bhow much did " + _SLOT + r" (?:cost|make|earn|gross)\b",
    r"\b(?:music|score|soundtrack|songs?) (?:for|of|to) " + _SLOT + _ENDS,
    r"^\W*(?:(?:and|so|ok|okay|what about|what(?:'s|’s| is)|whats) )?" + _SLOT
    + r" (?:runtime|running time|length|release date)\W*$"))
# "what is X about?" asks as much of a story's part or theme ("what is the plot about?", "what is love about?"): X is
# a film there only when it reads as a title, in title case or of two words or more besides an article.
_ABOUT = re.compile(r"\bwhat(?:'s|’s| is| was) " + _SLOT + r" about\W*$", re.IGNORECASE)
# Words of a film's parts, its people and its reviews, and of someone: what a fact question's slot holds when it
# asks of this film ("how long is the trailer?", "who wrote the second review?", "did anyone win?").
_PARTS_AND_PEOPLE = frozenset({
    "runtime", "running", "length", "trailer", "trailers", "teaser", "soundtrack", "score", "music", "song", "songs",
    "screenplay", "script", "cast", "crew", "director", "director's", "directors", "sequel", "prequel", "remake",
    "credits", "review", "reviews", "reviewer", "reviewers", "critic", "critics", "article", "essay", "piece", "post",
    "blog", "letter", "letters", "book", "novel", "cut", "version", "edition", "dvd", "blu-ray", "poster", "minutes",
    "hours", "hour", "budget", "premiere", "release", "oscar", "oscars", "award", "awards", "rating", "ratings", "lead",
    "star", "stars", "actor", "actors", "actress", "character", "characters", "guy", "man", "woman", "girl", "voice",
    "computer", "phone", "game", "video", "show", "photography", "cinematography", "shots", "line", "lines", "quote",
    "dialogue", "app", "assistant", "comparison", "comparisons", "point", "argument", "claim", "remark", "comment",
    "comments", "plot", "plots", "subplot", "subplots", "theme", "themes", "intro", "opening", "prologue", "epilogue",
    "interface", "ui", "setting", "title", "voiceover", "narration", "montage", "sequence", "sequences",
    "twist", "twists", "reveal", "spoiler", "spoilers", "footnote", "footnotes",
    "hype", "fuss", "buzz", "deal", "message",
    "em", "'em", "’em", "anyone", "anybody", "someone", "somebody", "everyone", "everybody", "nobody"})
# Every word that keeps a slot from holding a title, and those long enough to be recognised misspelt ("the moive")
_NOT_A_TITLE_WORD = _THIS_STORY | _PARTS_AND_PEOPLE
_LONG_NOT_A_TITLE_WORDS = tuple(word for word in _NOT_A_TITLE_WORD if len(word) >= 5)
# "what's the twist the second review talks about?": words of saying, which hold a question's own verb, not a title
_SAYING = frozenset({"talk", "talks", "talking", "talked", "say", "says", "saying", "said", "write", "writes",
                     "writing", "mean", "means", "meant", "going", "refer", "refers", "referring", "mention",
                     "mentions", "mentioning", "mentioned"})
# "the movie about a man who ...": a film described, not titled
_DESCRIBED = frozenset({"about", "where", "with", "that", "which", "who", "in", "by", "starring", "from", "like"})


def _in_fact_frames(question: str) -> Iterator[str]:
    """The titles in the film's place of questions of a film's own facts, unless the place holds this film, a part
    of it, someone, or a film described (lazily: the first that is no name of this film is enough)."""
    for match in (match for frame in (*_FACT_FRAMES, _ABOUT) if (match := frame.search(question))):
        words = match.group("film").split()
        folded = [word.casefold().rstrip(":.") for word in words]
        if match.re is _ABOUT and not _title_case(words) and len(set(folded) - {"the", "a", "an"}) < 2:
            continue  # "what is the theme about?", "what is love about?"
        if folded[:2] in (["the", "movie"], ["the", "film"]):  # "the movie her", "the film about ..."
            words, folded = words[2:], folded[2:]
        if not folded or folded[0] in _DESCRIBED or folded[0] in _NOT_A_TITLE_START - {"the", "a", "an"} or \
                folded in (["the"], ["a"], ["an"]) or (len(folded) == 1 and folded[0].isdigit()) or \
                _SAYING.intersection(folded) or \
                not _title_case(words) and any(_a_part_or_someone(word) for word in folded):
            continue
        yield " ".join(words) if any(word[:1].isupper() for word in words) else _as_a_title(words)


def _title_case(words: list[str]) -> bool:
    """Words capitalised as a title is ("Marriage Story", "Jackass: The Movie"): a film's words may be a story's."""
    return all(word[:1].isupper() or word.casefold() in _SMALL_TITLE_WORDS for word in words) and \
        any(word.casefold() not in _SMALL_TITLE_WORDS for word in words)


def _a_part_or_someone(word: str) -> bool:
    """A word of this story, its parts or people, or someone, as typed ("the moive")."""
    return word in _NOT_A_TITLE_WORD or len(word) >= 5 and any(misspelt(word, part) for part in _LONG_NOT_A_TITLE_WORDS)


def another_film(facts: FilmFacts, question: str, known: frozenset[str] = frozenset()) -> str | None:
    """The title of a film other than Her that the question is about, if it names one.

    ``known`` (lower case): more names that are not other films (the reviews' names); a title with a
    word of the film's own names (cast, crew, places, songs) or of ``known`` is no other film."""
    match = _FILM_OBJECT.search(question)
    title = (match.group(1) or match.group(2)).rstrip(":'’-") if match else _lower_case_title(question)
    if title:
        return None if _names_this_film(title, facts, known) else title
    return next((title for title in _in_fact_frames(question) if not _names_this_film(title, facts, known)), None)


def _names_this_film(title: str, facts: FilmFacts, known: frozenset[str]) -> bool:
    """Whether a title read is this film or holds one of its names or of ``known`` (a word of a name will do); the
    names are gathered only once a title is read, as most questions hold none."""
    names = {"her", *known, *facts.names()}
    words = [w.casefold().removesuffix("'s").removesuffix("’s") for w in title.split()]
    return title.casefold() in names or any(w in names or (w.endswith("s") and w[:-1] in names)  # "amys documentary":
                                            for w in words if w[:1].isalnum())  # a possessive typed without its "'"
