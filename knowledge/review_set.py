"""The reviews herbot has loaded, as people name them: by title, author, outlet, the names
their metadata gives, or their place in the set ("the third review", "the last one").

Everything here is computed from the reviews' metadata (``reviews.json`` in the index,
written from each review's front matter, its ``.meta.yaml`` file or its title and By-line),
so a review dropped into the folder is known by its own names, and nothing about a
particular review lives in code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

from dateutil import parser as dateparser

from knowledge.close_words import CloseWords
from knowledge.text import TYPO_MATCH

TYPO_FROM = 5  # letters of a word that may be a misspelt name ("rourk"); shorter words are only ever themselves

_QUOTES = "\"“”‘’' "
_SUBTITLE = re.compile(r":\s|\s[–—-]\s")  # where a title's subtitle begins
NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                "twelve")
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
            "eleventh", "twelfth")
_ORDINAL = re.compile(r"\b(?:(?P<word>" + "|".join(ORDINALS) + r")|(?P<digits>\d{1,3})(?:st|nd|rd|th))\b"
                      r"|\b(?P<last>last|final)\b(?! (?:third|act|scene|part|half|minutes?|shot))"
                      r"|\b(?P<dated>earliest|oldest|most recent|newest|latest)\b")
# "the third (film) critic": an ordinal that points at a review, not at "the first thing" or "its final act".
_OF_A_REVIEW = (r"(?: (?:film|movie|online|newspaper|magazine|blog|student))?"
                r" (?:review|reviewer|critic|one|writer|piece)\b")
_POINTED = re.compile(f"(?:{_ORDINAL.pattern}){_OF_A_REVIEW}")  # "the third critic", "the last one" (lower case)
# "that review", "this critic": the review the conversation is on ("this one" may be the film).
_THAT = re.compile(r"\b(?:that|this|the same) (?:review|reviewer|critic|writer)\b")
_OTHER = re.compile(r"\b(?:the )?other (?:one|review|reviewer|critic|writer)\b|\bthe other\b\s*\??$|^other$")
# "the next one", "the one after it", "the previous review": the review beside the one the conversation is on.
_BESIDE = re.compile(r"\b(?:the )?(?P<next>next|following)(?: one| review| reviewer| critic)\b"
                     r"|\bthe one (?P<after>after|before) (?:it|that|this)\b"
                     r"|\b(?:the )?(?:previous|preceding)(?: one| review| reviewer| critic)\b")
# "the third review", "the last one", "that critic", "the other one": words that point at a review.
_POINTING = re.compile(r"\b(?:the |that |this )?(?:" + _ORDINAL.pattern + r")(?:" + _OF_A_REVIEW + r"|(?=\W*$))"
                       r"|" + _THAT.pattern + r"|" + _OTHER.pattern + r"|" + _BESIDE.pattern, re.IGNORECASE)
# Words that only say "a review" ("the weekly review" is named by "weekly", not "review").
_GENERIC = {"the", "a", "an", "review", "reviewer", "critic", "one", "post", "piece", "article", "of", "her", "by",
            "s", "and", "on", "in", "with", "film", "movie", "writer", "about"}
# "the Courant review", "the Whisper piece": one word of a review's longer name, said right before a word for a
# review, names it when no other review's names hold that word.
_REVIEW_NOUN = (r"(?:['’]s)?(?: (?:film|movie))? (?:review|reviewer|critic|writer|piece|article|post|one|blurb|"
                r"write-?up|essay|listing|capsule|column|notice|listicle|blog|list|(?:diary )?entry|diary|thread|"
                r"podcast|episode|round[- ]?up|transcript|hosts?|guys?|people|folks)\b")
# Words for a kind of piece: said alone ("what did the podcast say?"), one names the only review whose names or file
# name hold it ("podcast-ep12-her.txt").
_KINDS_OF_PIECE = {"podcast", "episode", "thread", "forum", "roundup", "capsule", "listicle", "diary", "essay",
                   "transcript", "newsletter", "column", "blog", "letterboxd", "scorecard", "interview", "letter",
                   "footnotes", "tweets", "posts", "notebook", "dispatch"}
# A kind of piece said as the review itself: its subject ("the podcast say"), or where something is said ("in the
# thread", "according to the newsletter"); "the letter he writes" is no review.
_KIND_AS_THE_REVIEW = (r"\b(?:(?:the|that|this) (?:{0})(?:['’]s)?(?=\s+(?:say|says|said|think|thinks|thought|mentions?|"
                       r"mentioned|make|made|rate|rates|rated|call|calls|called|like|liked|writes?|wrote|feel|felt|"
                       r"discuss|discusses|discussed|covers?|covered|do|does|did|have|has|had)\b|\s*[,?.!]|\s*$)"
                       r"|\b(?:in|from|according to|by|of) the (?:{0})\b)")
# One word of a review's names said as the review: the one who speaks ("the blu-ray say", "the retrospective
# conclude"), or what was reviewed or written ("who reviewed the blu-ray?"). Only the saying itself is taken.
_SAID_AS_THE_REVIEW = re.compile(r"\bthe ([\w-]+)(?:['’]s)?(?=\s+(?:say|says|said|think|thinks|thought|conclude|"
                                 r"concludes|concluded|make of|made of|rate|rates|rated|like|liked|mention|mentions|"
                                 r"mentioned)\b)|\b(?:reviewed|covered|wrote up|penned)\s+the ([\w-]+)(?=\W*$)",
                                 re.IGNORECASE)
_WORD_BEFORE_NOUN = re.compile(r"([\w-]+)" + _REVIEW_NOUN, re.IGNORECASE)
_NOUN_AFTER_NAME = re.compile(_REVIEW_NOUN, re.IGNORECASE)
_WORDS_BEFORE_NOUN = re.compile(r"((?:[\w-]+\s+){0,3})([\w-]+)" + _REVIEW_NOUN, re.IGNORECASE)
# Where a name may begin: a word, or a character of no word after none (a name may start with "(" or "@").
_NAME_START = re.compile(r"(?<!\w)(?:\w+|\W)")
_WORD_CHARACTER = re.compile(r"\w")
_NOT_A_NAME_WORD = {"that", "this", "same", "other", "every", "each", "which", "what", "last", "final", "latest",
                    "good", "best", "worst", "bad", "great", "long", "short", "first", "positive", "negative", "mixed",
                    *ORDINALS}


@dataclass(frozen=True)
class ReviewInfo:
    """One review's metadata: how to cite it and every name it goes by."""

    id: str
    title: str
    author: str | None = None
    outlet: str | None = None
    url: str | None = None
    date: str | None = None
    rating: str | None = None
    names: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: dict) -> ReviewInfo:
        return cls(**{**data, "names": tuple(data.get("names") or ())})

    @property
    def short_title(self) -> str:
        return self.title.strip(_QUOTES)

    @property
    def label(self) -> str:
        """How an answer names the review: "Jo Critic's review (The Weekly)", or its title and outlet."""
        name = f"{self.author}'s review" if self.author else self.title.strip()
        return f"{name} ({self.outlet})" if self.outlet else name

    @property
    def who(self) -> str:
        """The reviewer, as a sentence's subject: the author, else the outlet, else the title."""
        return self.author or (f"the review in {self.outlet}" if self.outlet else f"“{self.short_title}”")

    @property
    def file_words(self) -> list[str]:
        """The words of its file's name ("podcast-second-reel-her"): a site names its files for what they hold."""
        return [word for word in re.split(r"[-_.\s]+", self.id.casefold()) if word.isalpha()]

    @property
    def first_names(self) -> list[str]:
        """Its critics' first names, where a name has more than one word ("Jo Critic": "Jo"): people call a critic
        by it ("what was Jo's complaint?")."""
        return [first for name in self.authors if len(parts := name.split()) > 1
                and len(first := parts[0].strip(".,")) >= 3 and first.isalpha()]

    @property
    def authors(self) -> list[str]:
        """Its critics, one by one ("Jo Critic and Sam Writer": two; one author: one; none: none)."""
        return [name.strip() for name in _CO_AUTHORS.split(self.author or "") if name.strip()]

    def called(self) -> list[str]:
        """Every name the review goes by, longest first (matched whole words, case-insensitively)."""
        found = [self.short_title, *(self.names or ())]
        main, *rest = [part.strip(_QUOTES) for part in _SUBTITLE.split(self.short_title)]
        if main != self.short_title and len(main.split()) >= 2:  # "Letters From a Glass City: Jonze Finds ..."
            found.append(main)
        found += [part for part in rest if len(part.split()) >= 2 and  # "Her: Parents' Guide", "Her — A Second Look"
                  any(word.casefold().strip(_QUOTES) not in _GENERIC for word in part.split())]
        for author in dict.fromkeys([self.author, *self.authors] if self.author else []):  # each of its critics
            found += [author, author.split()[-1]]
        if self.outlet:
            found += [self.outlet, *(part.strip() for part in self.outlet.split(","))]
        found += [bare for name in found if (bare := _APOSTROPHES.sub("", name)) != name]  # "parents guide" typed
        return sorted({n for n in found if n and n.casefold() not in _GENERIC}, key=len, reverse=True)


_APOSTROPHES = re.compile(r"['’]")
_CO_AUTHORS = re.compile(r"\s*(?:,|&|\band\b)\s*")
# A word that may be a critic's first name, and its possessive; what said after it makes it someone's.
_A_FIRST_NAME = re.compile(r"(?<![\w'’])([^\W\d_]{3,})(['’]s\b)?")
_AS_SOMEONE = re.compile(r"\s+(?:say|says|said|think|thinks|thought|write|writes|wrote|reply|replies|replied|answer|"
                         r"answers|answered|make|makes|made|rate|rates|rated|give|gives|gave|like|likes|liked|love|"
                         r"loves|loved|hate|hates|hated|feel|feels|felt|complain\w*|mean|means|meant|conclude\w*|"
                         r"prefer\w*|recommend\w*|compare\w*|mention\w*|argue\w*)\b", re.IGNORECASE)


# "which review came out first?", "the most recent one", "the oldest review", "which was published last?": an end
# of the set by date ("the first review", "the last one" are places in the set).
_BY_DATE = re.compile(r"\b(?:(?P<early>earliest|oldest)|(?P<late>most recent(?:ly)?|newest|latest))\b"
                      r"|\b(?:published|posted|written|dated|came out|appeared|ran|went (?:up|online))\s+"
                      r"(?:(?P<early_verb>first)|(?P<late_verb>last))\b"
                      r"|\b(?:(?P<first>first)|(?P<last>last))\s+(?:one\s+)?(?:to be\s+)?"
                      r"(?:published|posted|written|dated|to (?:come out|appear|run|go up))\b", re.IGNORECASE)


def date_end(text: str) -> str | None:
    """ "earliest" or "latest" when the words ask for an end of the reviews by date, else None."""
    match = _BY_DATE.search(text)
    if not match:
        return None
    return "earliest" if match.group("early") or match.group("early_verb") or match.group("first") else "latest"


def published_on(written: str | None) -> date | None:
    """The day a review's date names, in any usual spelling ("2014-01-22", "22 January 2014", "Feb. 11, 2014",
    "Friday 7 March 2014"), or None when it names no day."""
    if not written:
        return None
    try:
        day = dateparser.parse(written, fuzzy=True, default=datetime(1, 1, 1)).date()
    except (ValueError, OverflowError):
        return None
    return day if day.year > 1 else None  # words with no year in them name no day


def kinds_of_piece(text: str) -> list[str]:
    """The words for a kind of piece in ``text`` ("round-up" is "roundup")."""
    words = re.findall(r"[\w-]+", re.sub(r"\bround up\b", "roundup", text.casefold()))
    return [word for word in (w.replace("-", "") for w in words) if word in _KINDS_OF_PIECE]


class ReviewSet:
    """The loaded reviews in a stable order (their file names), with how to refer to them."""

    def __init__(self, reviews: list[ReviewInfo], reserved: frozenset[str] = frozenset()):
        """``reserved``: names (lower case) that belong to the film, which a critic's first name never takes over
        ("Amy" stays the character)."""
        self.reviews = tuple(reviews)
        self.reserved = reserved
        self.by_id = {review.id: review for review in self.reviews}
        self.ids = [review.id for review in self.reviews]  # in the set's order; made once, never per question

    @classmethod
    def from_metadata(cls, rows: list[dict], reserved: frozenset[str] = frozenset()) -> ReviewSet:
        return cls([ReviewInfo.from_dict(row) for row in rows], reserved)

    def __len__(self) -> int:
        return len(self.reviews)

    def __iter__(self):
        return iter(self.reviews)

    def __getitem__(self, review_id: str) -> ReviewInfo:
        return self.by_id[review_id]

    def resolve(self, mention: str | None, *, last: str | None = None, in_play: tuple[str, ...] = ()) -> str | None:
        """The review someone means, or None when the words name none (or more than one).

        A name the review goes by (title, author, surname, outlet, its metadata's names; a typo
        allowed); an ordinal over the set in its order ("the third review", "the 2nd", "the
        last one"); "the other one" only where exactly two reviews are in play (the set, or
        the two the last answer quoted); "that review" or "this critic" is ``last``.
        """
        if not mention or not mention.strip():
            return None
        text = " ".join(mention.casefold().split())
        if text in self.by_id:
            return text
        named = self.named_in(text)
        if _THAT.search(text) and last in self.by_id and not named:
            return last
        if (beside := _BESIDE.search(text)) and last in self.by_id and not named:  # "and the one after it?"
            step = 1 if beside.group("next") or beside.group("after") == "after" else -1
            place = self.ids.index(last) + step
            return self.ids[place] if 0 <= place < len(self.ids) else None
        if _OTHER.search(text):
            pair = list(in_play) if len(in_play) == 2 else self.ids if len(self) == 2 else []
            if last in pair:
                return next(r for r in pair if r != last)
            return None
        if len(named) == 1:
            return named[0]
        ordinal = _ORDINAL.search(text)
        pointed = _POINTED.search(text)
        if pointed or (ordinal and len(text.split()) <= 3):
            return self._at(_ORDINAL.search(pointed.group(0)) if pointed else ordinal)
        return None

    def points_past(self, text: str) -> bool:
        """Whether words point at a review by a place the set does not have ("the second review" of one)."""
        pointed = _POINTED.search(" ".join(text.casefold().split()))
        number = _number_of(_ORDINAL.search(pointed.group(0))) if pointed else None
        return number is not None and number > len(self)

    @staticmethod
    def refers_to_one(text: str) -> bool:
        """Whether words point at one review by its place or as "the other one" ("the third critic")."""
        text = " ".join(text.casefold().split())
        pointed = _POINTED.search(text)
        return bool(_OTHER.search(text) or _THAT.search(text) or pointed or _BESIDE.search(text))

    @cached_property
    def by_date(self) -> list[tuple[date, str]]:
        """(date, id) of every review whose date can be read, earliest first."""
        return sorted((day, review.id) for review in self.reviews if (day := published_on(review.date)))

    def at_date_end(self, end: str | None) -> list[str]:
        """The reviews at the ``end`` ("earliest" or "latest") of the set by date (two or more sharing the day), or
        none when fewer than two reviews are dated: there is no order to speak of."""
        if end not in ("earliest", "latest") or len(self.by_date) < 2:
            return []
        day = self.by_date[0][0] if end == "earliest" else self.by_date[-1][0]
        return [review_id for on, review_id in self.by_date if on == day]

    def warm(self) -> ReviewSet:
        """Make now what naming a review looks up, instead of on the first question."""
        _ = self._owner, self._word_owner, self._name_lengths, self._misspelt_names, self.by_date
        _ = self._first_name_owner
        return self

    def named_in(self, text: str) -> list[str]:
        """The reviews whose names appear in ``text`` (whole words; a typo allowed in a one-word name of
        six letters or more, in a word of ``TYPO_FROM`` or more)."""
        found = [self._owner[name] for _, _, name in self._found_names(text)]
        if not found and self._word_owner:
            found = [self._word_owner[m.group(1).casefold()] for m in _WORD_BEFORE_NOUN.finditer(text)
                     if m.group(1).casefold() in self._word_owner]
        if not found:  # "what did the podcast say?": a kind of piece only one review is
            found = [self._word_owner[kind] for kind in kinds_of_piece(text) if kind in self._word_owner]
        if not found:  # "what did the blu-ray conclude?", "who reviewed the blu-ray": a word only one review's names
            # hold, said as the one who speaks or as what was reviewed
            found = [self._word_owner[word] for m in _SAID_AS_THE_REVIEW.finditer(text)
                     if (word := (m.group(1) or m.group(2)).casefold()) in self._word_owner]
        if not found:  # "what was tobias's complaint?", "did wes reply to anyone?": a critic by their first name
            found = [review for _, _, review in self._first_names_said(text)]
        words = [w for w in re.findall(r"[\w'’-]+", text.casefold()) if len(w) >= TYPO_FROM and w not in self._owner]
        for word in words:
            close = self._misspelt_names.closest(word)
            if close:
                found.append(self._owner[close])
        return list(dict.fromkeys(found))

    def without_names(self, text: str, *, nouns: bool = False, instead: str = " ") -> str:
        """``text`` with every review's names, and the words that point at one ("the third review", "the last
        one", "that critic"), taken out: they say which review, not what about. With ``nouns``, the word for a
        review after a name goes too ("the Weekly review"), for readings that "review" would mislead. ``instead``:
        what a name becomes ("review", for a reading of what is asked about the review itself)."""
        kept, end = [], 0
        for start, after, _ in self._found_names(text, nouns=nouns):
            kept += [text[end:start], instead]
            end = after
        named = "".join(kept) + text[end:]
        named = _WORDS_BEFORE_NOUN.sub(self._without_its_name, named)
        named = _SAID_AS_THE_REVIEW.sub(lambda m: self._without_the_word(m, instead), named)  # "what did the blu-ray
        # conclude?", "who reviewed the blu-ray?"
        for start, end, review in reversed(list(self._first_names_said(named))):  # "what was tobias's complaint?";
            if len(self.by_id[review].authors) == 1:  # one of two hosts stays: whose view is asked ("what does maya
                named = named[:start] + instead + named[end:]  # say about it being slow?")
        kinds = [kind for kind in kinds_of_piece(named) if kind in self._word_owner]
        if kinds:  # "what does the newsletter say about …": the one newsletter, said as the subject of what it says
            named = re.sub(_KIND_AS_THE_REVIEW.format("|".join(kinds)), instead, named, flags=re.IGNORECASE)
        return _POINTING.sub(instead, named)

    def _without_the_word(self, match: re.Match, instead: str) -> str:
        """The match with its word of a review's names as ``instead``, when the word names one review."""
        group = 1 if match.group(1) else 2
        if match.group(group).casefold() not in self._word_owner:
            return match.group(0)
        start = 0 if group == 1 else match.start(group) - match.start()  # "the blu-ray" goes whole, as the speaker
        return match.group(0)[:start] + instead + match.group(0)[match.end(group) - match.start():]

    def _without_its_name(self, match: re.Match) -> str:
        """ "the Lantern Street blurb": the word before the noun names one review; the words of its names before
        that go with it ("Lantern"), the rest of the question stays."""
        owner = self._word_owner.get(match.group(2).casefold())
        if owner is None:
            return match.group(0)
        before = match.group(1).split()
        while before and before[-1].casefold() in self._name_words[owner]:
            before.pop()
        return " ".join(before) + " "

    def _first_names_said(self, text: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, review) of each critic's first name in ``text`` said as someone's: in the possessive, before
        a verb of saying or judging, or capitalised past the first word ("Will" opens many a question)."""
        if not self._first_name_owner:
            return
        for match in _A_FIRST_NAME.finditer(text):
            review = self._first_name_owner.get(match.group(1).casefold())
            if review and (match.group(2) or _AS_SOMEONE.match(text, match.end()) or
                           (match.group(1)[0].isupper() and match.start() > 0)):
                yield match.start(), match.end(), review

    @cached_property
    def _first_name_owner(self) -> dict[str, str]:
        """Each critic's first name, lower case, and the review it names: only where one review's critic has it and
        it names nothing else of the set or of the film, nor is the start of a name of the film's (a nickname)."""
        owners: dict[str, set[str]] = {}
        for review in self.reviews:
            for first in review.first_names:
                owners.setdefault(first.casefold(), set()).add(review.id)
        taken = set(self._owner) | self.reserved
        reserved_words = {word for name in self.reserved for word in name.split()}
        return {name: ids.pop() for name, ids in owners.items() if len(ids) == 1 and name not in taken
                and not any(word.startswith(name) for word in reserved_words)}  # "sam" may be Samantha

    @cached_property
    def _name_words(self) -> dict[str, set[str]]:
        """Each review's words of its names, lower case."""
        return {review.id: {word for name in review.called() for word in re.findall(r"[\w-]+", name.casefold())}
                | set(review.file_words) for review in self.reviews}

    @cached_property
    def _owner(self) -> dict[str, str]:
        """Each name, lower case, and the review it names (a name two reviews share names neither)."""
        owners: dict[str, set[str]] = {}
        for review in self.reviews:
            for name in review.called():
                owners.setdefault(name.casefold(), set()).add(review.id)
        return {name: ids.pop() for name, ids in owners.items() if len(ids) == 1}

    @cached_property
    def _word_owner(self) -> dict[str, str]:
        """Each word of four letters or more of a review's names and the review it belongs to, when one only."""
        owners: dict[str, set[str]] = {}
        for review in self.reviews:
            for word in self._name_words[review.id]:
                if len(word) >= 4 and word not in _GENERIC and word not in _NOT_A_NAME_WORD:
                    owners.setdefault(word, set()).add(review.id)
        return {word: ids.pop() for word, ids in owners.items() if len(ids) == 1}

    def _found_names(self, text: str, *, nouns: bool = False) -> Iterator[tuple[int, int, str]]:
        """(start, end, name) of each review name in ``text``, left to right, as one regular expression of every
        name would find them (whole words, any case, the longest at each place), looking only at the lengths
        of the names that begin with each word; with ``nouns``, a word for a review after the name is taken too
        ("the Weekly review")."""
        end = 0
        for begins in _NAME_START.finditer(text):
            start = begins.start()
            if start < end:
                continue
            for length in self._name_lengths.get(begins.group(0).casefold(), ()):
                piece = text[start:start + length]
                if len(piece) == length and piece.casefold() in self._owner \
                        and not _WORD_CHARACTER.match(text, start + length):
                    end = start + length
                    if nouns and (noun := _NOUN_AFTER_NAME.match(text, end)):
                        end = noun.end()
                    yield start, end, piece.casefold()
                    break

    @cached_property
    def _name_lengths(self) -> dict[str, tuple[int, ...]]:
        """The names' lengths, longest first, under the word (or character) each begins with."""
        lengths: dict[str, set[int]] = {}
        for name in self._owner:
            lengths.setdefault(_NAME_START.match(name).group(0), set()).add(len(name))
        return {begins: tuple(sorted(found, reverse=True)) for begins, found in lengths.items()}

    @cached_property
    def _misspelt_names(self) -> CloseWords:
        """The one-word names of six letters or more, the names a misspelt word may be."""
        return CloseWords([name for name in self._owner if " " not in name and len(name) >= 6], cutoff=TYPO_MATCH,
                          shortest=TYPO_FROM)

    def _at(self, match: re.Match) -> str | None:
        if match.group("dated"):  # "the most recent review": by date when the reviews give theirs
            end = date_end(match.group("dated"))
            ends = self.at_date_end(end)
            if ends:
                return ends[0] if len(ends) == 1 else None
            return self.reviews[-1].id if end == "latest" and self.reviews else None  # "the latest one": the last
        if match.group("last"):
            return self.reviews[-1].id if self.reviews else None
        number = _number_of(match)
        return self.reviews[number - 1].id if 1 <= number <= len(self.reviews) else None


def _number_of(match: re.Match) -> int | None:
    """The place an ordinal says ("third" 3, "2nd" 2); None for "last" or a word of date."""
    if match.group("word"):
        return ORDINALS.index(match.group("word")) + 1
    return int(match.group("digits")) if match.group("digits") else None


# "and the other ones?", "what about the others?", "what did the other critics think?": the rest of the set.
_THE_OTHERS = re.compile(r"(?:(?:and|but|so|ok(?:ay)?|what about|how about)\s+)?(?:what did\s+|and\s+)?"
                         r"(?:the|all the)\s+(?:others|other (?:ones|reviews|reviewers|critics|writers))"
                         r"(?:\s+(?:think|say|thought|said|give|gave))?")


def says_the_others(text: str) -> bool:
    """Whether the message, all of it, asks about the rest of the set ("and the others?") after one review."""
    return bool(_THE_OTHERS.fullmatch(text.strip(" ?!.").casefold()))


def count_words(n: int) -> str:
    """ "two", "twelve", "25": how a sentence says a count."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


def reviews_read(count: int) -> str:
    """ "one review of Her", "six reviews of Her": what herbot has read, in the persona's words."""
    return f"{count_words(count)} review{'' if count == 1 else 's'} of Her"


def join(items) -> str:
    """ "a", "a and b", "a, b and c"."""
    items = [str(item) for item in items]
    if not items:
        return ""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
