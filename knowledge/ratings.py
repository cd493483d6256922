"""A reviewer's own overall rating of the film, normalised to 0..1 and kept in their words.

- :func:`parse_rating` reads a value known to be a rating (a review's front matter,
  ``rating: 7/10``) in any common form: ``x/y``, ``x out of y (stars)``, number words
  ("three stars out of four", "two and a half stars"), star glyphs (``★★★★☆``, ``★★★½``),
  asterisks (``***1/2``), letter grades (``B+``, ``A minus``) and percentages (``85%``).
- :func:`find_rating` finds the rating a review states in its body text. Only general cues
  count: a rating line ("Verdict: 4/5", "Rating: B-"), "I give it ...", a line that is
  nothing but a rating, stars at a line's start or end, a score on a usual scale in running
  text ("8/10", "4 out of 5"). It refuses years, times, dates, fractions ("1/2 hour", "3/4 of
  the film"), counts ("top 10", "9 out of 10 critics"), scores of something else ("I'd give
  the soundtrack 10/10", "5 stars on the app") and adjectives ("a five-star hotel").

A number with no scale (``4``, ``"4"``, "Rating: 8") is ambiguous: 4 of 4, of 5 or of 10? It
is no rating (None); the reviewer's words must carry the scale. Stars with no stated maximum
("4 stars", ``★★★★``) are out of five, the common convention, and more than five of them
with no maximum are refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Letter grades on the usual US school scale; F stands apart (a fail, not a zero).
LETTER_GRADES = {
    "A+": 1.0, "A": 0.95, "A-": 0.9,
    "B+": 0.85, "B": 0.8, "B-": 0.75,
    "C+": 0.7, "C": 0.65, "C-": 0.6,
    "D+": 0.55, "D": 0.5, "D-": 0.45,
    "F": 0.3,
}  # fmt: skip

SCALES = (4, 5, 10, 20, 100)  # maximums a score may have: 1/2, 9/11 or 24/7 are no ratings
PLAIN_SCALES = (5, 10, 100)  # maximums that make "x/y" a score in running text; "3/4 of" is a fraction
STARS_OUT_OF = 5  # the maximum of stars written without one
# A rating's verdict (Rating.verdict): clearly positive from 0.8 (four stars of five, B), clearly
# negative up to 0.45 (two of five, D-), mixed around 0.6 (3/5, C). Between those, a 7/10, a B- or a
# 2.5/5 reads either way: there the review's own words decide, and mixed when they do not.
POSITIVE_FROM, NEGATIVE_UP_TO = 0.8, 0.45
LEANS_POSITIVE_FROM, LEANS_NEGATIVE_UP_TO = 0.65, 0.55
# Letter grades sit high on the scale above (a school's percentages), but a critic's C- is a pan: from B a grade is
# positive, C+ and B- lean the words' way, C leans negative with negative words, and C- and below are negative.
_LETTER_BANDS = (0.8, 0.6, 0.7, 0.65)  # positive from, negative up to, leans positive from, leans negative up to

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "twenty": 20, "hundred": 100, "a hundred": 100, "one hundred": 100,
}  # fmt: skip
_WORDS = "|".join(sorted(_UNITS, key=len, reverse=True))
_DIGITS = r"\d{1,3}(?:[.,]\d{1,2})?"
_AND_A_HALF = r"(?:[\s-]+and[\s-]+a[\s-]+half)"
# A rating's number: 3, 3.5, 3,5, 3½, 3 1/2, "three", "three and a half", "half".
_NUMBER = rf"(?:{_DIGITS}(?:\s?½|\s1/2|{_AND_A_HALF})?|½|(?:{_WORDS})(?:{_AND_A_HALF})?|half(?:\s+a)?)"
_MAXIMUM = rf"(?:\d{{1,3}}|{_WORDS})"
_UNIT = r"(?:stars?|points?)"

_FULL, _EMPTY = "★✭✮⭐", "☆✩"
# "(out of 4)" after stars that are not out of five
_STATED_MAXIMUM = rf"(?:\s*\(\s*out\s+of\s+(?P<y>{_MAXIMUM})(?:\s+stars)?\s*\))"
_GLYPHS = re.compile(rf"(?:(?:[★✭✮⭐]\ufe0f?){{1,10}}(?:\s?(?:½|1/2))?[☆✩]{{0,10}}|½[☆✩]{{0,10}}){_STATED_MAXIMUM}?",
                     re.IGNORECASE)
_ASTERISKS = re.compile(rf"\*{{1,5}}(?:\s?(?:½|1/2))?{_STATED_MAXIMUM}?", re.IGNORECASE)
_OUT_OF = re.compile(
    rf"(?P<x>{_NUMBER})(?:[\s-]+(?P<unit>{_UNIT}))?\s+out\s+of\s+(?P<y>{_MAXIMUM})(?![\d.,]\d)"
    rf"(?:[\s-]+(?P<unit2>{_UNIT}))?",
    re.IGNORECASE,
)
_SLASH = re.compile(rf"(?P<x>{_DIGITS}½?|½)\s?/\s?(?P<y>\d{{1,3}})(?![\d.,]\d)(?:[\s-]+(?P<unit>{_UNIT}))?",
                    re.IGNORECASE)
_STARS = re.compile(rf"(?P<x>{_NUMBER})[\s-]+(?P<unit>stars?)\b{_STATED_MAXIMUM}?", re.IGNORECASE)
_PERCENT = re.compile(rf"(?P<x>{_DIGITS})\s?(?:%|percent\b)", re.IGNORECASE)
_LETTER_TEXT = r"(?P<letter>[A-DF])(?:(?P<sign>[+\-−–])|\s(?P<word>plus|minus)\b)?(?![\w+\-−–])"
_LETTER = re.compile(_LETTER_TEXT)  # capitals only in running text: "a" is a word, "A" may be a grade
_LETTER_ANY_CASE = re.compile(_LETTER_TEXT, re.IGNORECASE)


@dataclass(frozen=True)
class Rating:
    """A reviewer's overall rating: ``value`` in 0..1, as ``written``, on a ``scale``."""

    value: float  # 0..1
    written: str  # as the reviewer wrote it, e.g. "three stars out of four"
    scale: str  # "stars" (out of 5), "out of 4 stars", "out of 10", "letter", "percent"

    @property
    def stance(self) -> str:
        """The verdict the rating gives alone, in the stances of knowledge/stance.py."""
        return self.verdict(None)

    def verdict(self, words: str | None) -> str:
        """The verdict of a review with this rating, ``words`` the stance of its verdict sentences:
        the rating decides where it is clear; a borderline one (7/10, B-, 2.5/5) leans the words' way."""
        positive, negative, leans_positive, leans_negative = _LETTER_BANDS if self.scale == "letter" else (
            POSITIVE_FROM, NEGATIVE_UP_TO, LEANS_POSITIVE_FROM, LEANS_NEGATIVE_UP_TO)
        if self.value >= positive:
            return "positive"
        if self.value <= negative:
            return "negative"
        if self.value >= leans_positive and words == "positive":
            return "positive"
        if self.value <= leans_negative and words == "negative":
            return "negative"
        return "mixed"


def _number(text: str) -> float | None:
    """The value of a rating's number ("3.5", "3,5", "3½", "3 1/2", "three and a half", "half")."""
    text = " ".join(text.lower().split())
    if text in ("½", "half", "half a"):
        return 0.5
    half = 0.0
    for mark in ("½", "1/2"):
        if text.endswith(mark):
            text, half = text[: -len(mark)].strip(), 0.5
    if (stripped := re.sub(_AND_A_HALF + "$", "", text)) != text:
        text, half = stripped.strip(), 0.5
    if text in _UNITS:
        return _UNITS[text] + half
    try:
        return float(text.replace(",", ".")) + half
    except ValueError:
        return None


def _scaled(value: float | None, out_of: float | None, written: str, *, stars: bool) -> Rating | None:
    if value is None or out_of not in SCALES or not 0 <= value <= out_of:
        return None
    scale = f"out of {out_of:g}"
    if stars:
        scale = "stars" if out_of == STARS_OUT_OF else f"{scale} stars"
    return Rating(round(value / out_of, 4), written.strip(), scale)


def _glyph_rating(written: str, stated: str | None = None) -> Rating | None:
    """★★★★☆ (4 of the 5 drawn), ★★★½ (of 5), ****, ***1/2, ★★★ (out of 4)."""
    text = written.split("(")[0]
    full = sum(text.count(c) for c in _FULL) or text.count("*")
    half = 0.5 if ("½" in text or "1/2" in text) else 0.0
    empty = sum(text.count(c) for c in _EMPTY)
    if stated:
        return _scaled(full + half, _number(stated), written, stars=True)
    if empty:
        return _scaled(full + half, full + empty + (1 if half else 0), written, stars=True)
    if not 0 < full + half <= STARS_OUT_OF:
        return None
    return _scaled(full + half, STARS_OUT_OF, written, stars=True)


def _letter_rating(match: re.Match) -> Rating | None:
    sign = match["sign"] or {"plus": "+", "minus": "-"}.get((match["word"] or "").lower(), "")
    letter = match["letter"].upper()
    grade = letter if letter == "F" else letter + sign.replace("−", "-").replace("–", "-")
    return Rating(LETTER_GRADES[grade], match.group(0).strip(), "letter") if grade in LETTER_GRADES else None


def _has_unit(match: re.Match) -> bool:
    return any(match.groupdict().get(name) for name in ("unit", "unit2"))


def _is_stars(match: re.Match) -> bool:
    return any((match.groupdict().get(name) or "").lower().startswith("star") for name in ("unit", "unit2"))


def _rating_of(form: str, match: re.Match) -> Rating | None:
    """The rating one form's match stands for, or None."""
    written = match.group(0)
    if form == "out_of":
        return _scaled(_number(match["x"]), _number(match["y"]), written, stars=_is_stars(match))
    if form == "slash":
        return _scaled(_number(match["x"]), float(match["y"]), written, stars=_is_stars(match))
    if form == "stars":
        value = _number(match["x"])
        if match["y"]:
            return _scaled(value, _number(match["y"]), written, stars=True)
        return _scaled(value, STARS_OUT_OF, written, stars=True) if value is not None and value <= 5 else None
    if form == "percent":
        value = _number(match["x"])
        return Rating(round(value / 100, 4), written.strip(), "percent") if value is not None and value <= 100 else None
    if form == "glyphs":
        return _glyph_rating(written, match["y"])
    return _letter_rating(match)


# Every form, the longest first where two could start alike ("4 out of 5 stars" before "4 stars").
_FORMS = (("out_of", _OUT_OF), ("slash", _SLASH), ("percent", _PERCENT), ("stars", _STARS),
          ("glyphs", _GLYPHS), ("glyphs", _ASTERISKS), ("letter", _LETTER))  # fmt: skip


def parse_rating(written: str | float | int) -> Rating | None:
    """The rating a front-matter value states; None for no rating or a bare number (no scale)."""
    if not isinstance(written, str):
        return None  # a number alone has no scale (see the module)
    text = " ".join(written.split()).strip(" .!;:()[]\"'“”")
    for form, pattern in _FORMS:
        if form == "letter":
            pattern = _LETTER_ANY_CASE  # a front-matter value is a rating, so "b+" is one too
        match = pattern.fullmatch(text)
        if match and (rating := _rating_of(form, match)):
            return Rating(rating.value, written.strip(), rating.scale)
    return None


# ---- a rating in a review's text ----

# How strongly each kind of evidence marks the reviewer's rating: the strongest wins, then the last.
_REVISED, _CUED_LINE, _GIVEN, _ALONE, _STARS_AT_EDGE, _IN_RUNNING_TEXT, _FORMER = 6, 5, 4, 3, 2, 1, 0

# The start of a line that announces a rating: "Rating: 4/5", "Verdict - B+", "My grade is A-", "Stars: ★★★★".
_LINE_CUE = re.compile(
    r"^\W*(?:(?:the|my|our|final|overall|film|movie|critic'?s?|reviewer'?s?)\s+){0,3}"
    r"(?:(?:rating|verdict|grade)\s+(?:is|of)\b|(?:rating|verdict|grade|score|stars|mark|overall|rated)\s*(?:[:=|–—?-]|\s(?=\S)))"
    r"(?:\s*(?:\*\*|__)(?!\*))?\s*",
    re.IGNORECASE,
)
# Words that give a rating to what follows them: "I give it", "I'd rate this film", "it gets", "this one earns".
_GIVE = re.compile(
    r"\b(?:i|we)(?:['’](?:d|ll|m|ve)|\s+(?:would|will|can|must|am|have|had|have\s+to))?(?:\s+(?:have|been))?"
    r"(?:\s+(?:\w+ly|still|since|first|now|only|even|just|then|once))?(?:\s+going\s+to)?"
    r"\s+(?:give|gave|given|giving|rate|rated|rating|award|awarded|awarding|score|scored|scoring|say|said"
    r"|(?:put|putting|peg|pegged|place|placed)\s+it\s+at|call(?:ing)?\s+it|go(?:ing)?\s+(?:with|for)"
    r"|settl(?:e|ed|ing)\s+on|land(?:ed|ing)?\s+on)\b"
    r"|\b(?:it|this(?:\s+(?:one|film|movie|picture))?|the\s+(?:film|movie))\s+(?:gets|earns|deserves|merits|scores"
    r"|receives|rates)\b",
    re.IGNORECASE,
)
# Words that change a rating given before: "I've bumped it up to four stars", "now it's a 4/5".
_REVISE = re.compile(
    r"\b(?:(?:up|down)grad(?:e|ed|ing)|bump(?:ed|ing)?|rais(?:e|ed|ing)|lower(?:ed|ing)?|knock(?:ed|ing)?|drop(?:ped|ping)?"
    r"|revis(?:e|ed|ing)|chang(?:e|ed|ing))\s+(?:it|this|that|my\s+(?:rating|score|grade|verdict))\s+(?:(?:up|down)\s+)?"
    r"(?:to|from\s+\S+\s+to)\b|\bnow\s+(?:it['’]s|a|at)\b",
    re.IGNORECASE,
)
# A clause that tells a rating given before and since changed: "I originally gave it 3/5", "at first".
_FORMERLY = re.compile(
    r"\b(?:originally|initially|at\s+first|first|at\s+the\s+time|used\s+to|previously|back\s+then|once|on\s+first)\b"
    r"|\b(?:would|could|might|['’]d)\s+have\b",
    re.IGNORECASE,
)
# A score told of someone else: "critics rate it 4 out of 5", "my friend gave it 2/5".
_OTHERS = re.compile(
    r"\b(?:critics?|audiences?|users?|viewers?|fans?|readers?|people|everyone|everybody|friends?|average[sd]?"
    r"|aggregat\w*|consensus|public)\b",
    re.IGNORECASE,
)
_RATING_VERB = re.compile(r"\b(?:gave|gives?|giving|rated|rates?|scored|scores|awarded|awards?)\b", re.IGNORECASE)
_FIRST_PERSON = re.compile(r"\b(?:i|we)\b(?:['’](?:d|ll|m|ve)\b)?|\bme\b|\bmy\b", re.IGNORECASE)
_AUXILIARY = {"would", "will", "can", "could", "might", "must", "have", "had", "has", "been", "also", "even", "then",
              "still", "since", "first", "now", "only", "just", "once", "not", "never", "to", "d", "ll", "ve", "m",
              "am", "going", "gonna", "want", "wanted", "like", "happy", "glad", "about", "ready", "willing"}
# "A B+ from me", "three stars for me": the reviewer's own rating, told after it.
_FROM_ME = re.compile(r"\s*\b(?:from|for)\s+(?:me|this\s+(?:critic|reviewer|viewer))\b", re.IGNORECASE)
# "this is a four-star film": the reviewer rating the film with an adjective.
_STAR_FILM = re.compile(
    rf"\b(?:it|this|that|this\s+(?:film|movie|one))(?:['’]s|\s+is|\s+was|\s+remains)\s+(?:an?\s+)?(?:\w+\s+)?"
    rf"(?P<written>(?P<x>{_NUMBER})[- ]stars?)\s+(?:film|movie|picture|experience)\b",
    re.IGNORECASE,
)
# A part of the film given its own score: "the ensemble is 10/10", ", the script a 5/10".
_ASPECT_BEFORE = re.compile(
    r"(?:\b(?:the|its|his|her|their)\s+(?!film\b|movie\b|picture\b|whole\b|thing\b|verdict\b|rating\b|score\b)"
    r"[\w'’-]+(?:\s+[\w'’-]+)?\s+(?:alone\s+)?(?:is|was|are|were|gets|got|earns|deserves)\s+|,\s*(?:the|its)\s+[\w'’-]+\s+)"
    r"(?:an?\s+)?(?:solid\s+|perfect\s+|clear\s+)?$",
    re.IGNORECASE,
)
# What a rating may be given to: the film itself ("it", "this film", its title); "the soundtrack" is another thing.
_FILM = re.compile(r"^(?:it|this|that|this\s+(?:one|film|movie|picture)|the\s+(?:film|movie|picture))?$", re.IGNORECASE)
_FILLER = re.compile(
    r"(?:\s+(?:a|an|the|solid|strong|full|generous|well[- ]deserved|rare|perfect|respectable|healthy|only|just"
    r"|about|around|nearly|almost|maybe|perhaps|easily|at\s+least|at\s+most|probably|definitely|high|low))+$",
    re.IGNORECASE,
)
# What follows a score: the end of its clause, its scale, "from me", or a conjunction.
_PLAIN_AFTER = re.compile(
    r"^\s*(?:$|[.!?,;:)\]–—*_-]|\(|(?:stars?|from\s+me|overall|for\s+(?:me|it|this|that)|if|because|since|but|and|though"
    r"|although|despite|as|without|easily|at\s+least|at\s+most|maybe|perhaps|myself|too|here|then|now)\b)",
    re.IGNORECASE,
)
# What makes a number a count, a time or a platform's figure rather than this reviewer's score.
_NOT_A_SCORE_AFTER = re.compile(
    r"^\s*(?:(?:of|on|in|at|by|from\s+(?!me\b))\b|for\s+(?:the|its|his|her|their|a|an)\b|[-/:]\d|%)",
    re.IGNORECASE,
)
_NOT_A_SCORE_BEFORE = re.compile(r"(?:[\w½]|\d[-/:.,]\s?|\btop\s+|\bno\.\s*|#|\$)$", re.IGNORECASE)
_SENTENCE = re.compile(r"(?:[^.!?\n]|[.!?](?![\s.!?]|$))+(?:[.!?]+|$)")  # "7.5/10" is inside one


def _longest_at(text: str, start: int, *, letters: bool) -> tuple[int, Rating] | None:
    """The longest rating that starts at ``start`` and ends where a score may end; (end, rating)."""
    best = None
    for form, pattern in _FORMS:
        if form == "letter" and not letters:
            continue
        match = pattern.match(text, start)
        rest = text[match.end():] if match else ""
        if not match or _NOT_A_SCORE_AFTER.match(rest) or not _PLAIN_AFTER.match(rest):
            continue
        if (rating := _rating_of(form, match)) and (best is None or match.end() > best[0]):
            best = (match.end(), rating)
    return best


def _after_cue(text: str, start: int) -> tuple[int, Rating] | None:
    """The rating right after a cue ending at ``start`` (quotes and brackets skipped); (position, rating)."""
    while start < len(text) and text[start] in " \t\"'“‘([":
        start += 1
    if text.startswith(("**", "__"), start) and text[start + 2: start + 3] not in ("*", "_"):
        start += 2  # Markdown bold around the rating: "**4/5**"
    found = _longest_at(text, start, letters=True)
    return (start, found[1]) if found else None


_CLAUSE_BREAK = re.compile(r"[;:(—–]|,?\s+\b(?:but|yet|though|although|while|whereas)\b", re.IGNORECASE)


def _clause(sentence: str, position: int) -> str:
    """The clause of ``sentence`` that holds ``position``: "I first gave it 3/5 | but now it's a 4/5"."""
    start, end = 0, len(sentence)
    for match in _CLAUSE_BREAK.finditer(sentence):
        if match.end() <= position:
            start = match.end()
        elif match.start() > position:
            end = match.start()
            break
    return sentence[start:end]


def _someone_else_rates(clause: str) -> bool:
    """True when the clause tells another person's score: "critics rate it", "my friend gave it", "users average"."""
    for verb in _RATING_VERB.finditer(clause):
        words = re.findall(r"\w+", clause[: verb.start()])
        subject = next((w.lower() for w in reversed(words) if w.lower() not in _AUXILIARY and not w.endswith("ly")), "")
        if subject not in ("i", "we"):
            return True
    return bool(_OTHERS.search(clause)) and not _FIRST_PERSON.search(clause)


def _strength(sentence: str, position: int, strength: int) -> int:
    """``strength`` for a rating at ``position``, unless its clause tells it was the rating before ("at first")."""
    clause = _clause(sentence, position)
    return _FORMER if _FORMERLY.search(clause) and not _REVISE.search(clause) else strength


def _given(sentence: str, base: int, title: str | None) -> tuple[list[tuple[int, int, Rating]], set[int]]:
    """Ratings a sentence gives the film ("I give it four stars", "I'd rate this film a B+", "it earns 8/10",
    "I've bumped it up to 4/5"), and the positions of those it gives to something else ("I'd give the soundtrack
    10/10")."""
    found, elsewhere = [], set()
    cues = [(cue, _GIVEN) for cue in _GIVE.finditer(sentence)] + [(cue, _REVISED) for cue in _REVISE.finditer(sentence)]
    for cue, strength in cues:
        # the rating is the first one within a few words; what comes between must be the film
        for word in re.finditer(r"(?<!\S)\S", sentence[cue.end(): cue.end() + 60]):
            start = cue.end() + word.start()
            hit = _after_cue(sentence, start)
            if hit is None:
                continue
            between = _FILLER.sub("", " " + sentence[cue.end(): start].strip(" ,")).strip(" \"'“”‘’")
            if _someone_else_rates(_clause(sentence, hit[0])):
                elsewhere.add(base + hit[0])
            elif _FILM.match(between) or (title and between.lower() == title.lower()):
                found.append((_strength(sentence, hit[0], strength), base + hit[0], hit[1]))
            else:
                elsewhere.add(base + hit[0])
            break
    return found, elsewhere


def _told_after(sentence: str, base: int) -> list[tuple[int, int, Rating]]:
    """Ratings told after they are given ("A B+ from me", "three stars for me") or as the film's
    adjective ("this is a four-star film")."""
    found = []
    for told in _FROM_ME.finditer(sentence):
        for word in re.finditer(r"(?<!\S)\S", sentence[max(0, told.start() - 40): told.start()]):
            start = max(0, told.start() - 40) + word.start()
            hit = _longest_at(sentence, start, letters=True)
            if hit and hit[0] == told.start() and not _someone_else_rates(_clause(sentence, start)):
                found.append((_strength(sentence, start, _GIVEN), base + start, hit[1]))
                break
    for film in _STAR_FILM.finditer(sentence):
        value = _number(film["x"])
        rating = _scaled(value, STARS_OUT_OF, film["written"], stars=True) if value is not None and value <= 5 else None
        if rating and not _someone_else_rates(_clause(sentence, film.start("written"))):
            found.append((_strength(sentence, film.start(), _GIVEN), base + film.start("written"), rating))
    return found


def _running_text(sentence: str, base: int) -> list[tuple[int, int, Rating]]:
    """Scores on a usual scale anywhere in a sentence: "a solid 8/10", "4 out of 5 stars"."""
    found = []
    for form, pattern in (("out_of", _OUT_OF), ("slash", _SLASH)):
        for match in pattern.finditer(sentence):
            before, after = sentence[: match.start()], sentence[match.end():]
            if _NOT_A_SCORE_BEFORE.search(before) or _NOT_A_SCORE_AFTER.match(after) or not _PLAIN_AFTER.match(after):
                continue  # "12/18/2013", "top 10", "9 out of 10 critics", "4/5 of the script"
            if not _has_unit(match) and (_number(match["y"]) or 0) not in PLAIN_SCALES:
                continue  # "3/4", "two out of four": a fraction more often than a score
            if _ASPECT_BEFORE.search(before) or _someone_else_rates(_clause(sentence, match.start())):
                continue  # "the ensemble is 10/10", "critics rate it 4 out of 5"
            if rating := _rating_of(form, match):
                found.append((_strength(sentence, match.start(), _IN_RUNNING_TEXT), base + match.start(), rating))
    return found


def _alone(line: str, base: int) -> list[tuple[int, int, Rating]]:
    """A line that is nothing but a rating: "4/5", "★★★★☆", "B+", "Three and a half stars out of four"."""
    bare = line.strip(" .!*_#>\"'“”")
    while len(bare) > 2 and (bare[0], bare[-1]) in (("(", ")"), ("[", "]")):
        bare = bare[1:-1].strip(" .!*_")
    for form, pattern in _FORMS:
        if form == "letter" and not re.search(r"[+\-−–]|plus|minus", bare, re.IGNORECASE):
            continue  # a lone capital is an initial or a heading more often than a grade
        match = pattern.fullmatch(bare)
        if not match or not (rating := _rating_of(form, match)):
            continue
        if form in ("out_of", "slash") and not _has_unit(match) and (_number(match["y"]) or 0) not in PLAIN_SCALES:
            continue
        return [(_ALONE, base, rating)]
    # a line that opens with a rating: "Three stars, maybe three and a half", "4/5 - a lovely film"
    opening = _longest_at(bare, 0, letters=bool(re.match(r"[A-DF](?:[+\-−–]|\s(?:plus|minus)\b)", bare)))
    if opening and (opening[0] < len(bare)) and not _someone_else_rates(_clause(bare, 0)):
        return [(_ALONE, base, opening[1])]
    return []


def _stars_at_edge(line: str, base: int) -> list[tuple[int, int, Rating]]:
    """Star glyphs that open or close a line: "★★★★ A love story", "The film (2013) ★★★½"."""
    found = []
    for match in _GLYPHS.finditer(line):
        opens = not line[: match.start()].strip(" -–—|:*_#>")
        closes = not line[match.end():].strip(" .-–—|()*_")
        if (opens or closes) and (rating := _glyph_rating(match.group(0))):
            found.append((_STARS_AT_EDGE, base + match.start(), rating))
    return found


_POST_NUMBER = re.compile(r"^\d{1,3}/\s+(?=\S)")  # a thread's post number: "1/", "10/"


def find_rating(text: str, *, title: str | None = None) -> Rating | None:
    """The rating a review's text gives the film, or None; ``title`` lets "I give <title> ..." count too."""
    found: list[tuple[int, int, Rating]] = []  # (strength, position, rating)
    position = 0
    for raw in text.splitlines(keepends=True):
        line = raw.strip()
        base = position + (raw.index(line) if line else 0)
        position += len(raw)
        if not line:
            continue
        if post := _POST_NUMBER.match(line):  # "10/ 2/5. pretty ...": a thread's tenth post gives 2/5
            line, base = line[post.end():], base + post.end()
        if (cue := _LINE_CUE.match(line)) and (hit := _after_cue(line, cue.end())):
            found.append((_CUED_LINE, base + hit[0], hit[1]))
        found += _alone(line, base) + _stars_at_edge(line, base)
        for sentence in _SENTENCE.finditer(line):
            given, elsewhere = _given(sentence.group(0), base + sentence.start(), title)
            found += given + _told_after(sentence.group(0), base + sentence.start())
            found += [item for item in _running_text(sentence.group(0), base + sentence.start())
                      if item[1] not in elsewhere]
    if not found:
        return None
    return max(found, key=lambda item: (item[0], item[1]))[2]


_RATING_LABEL = re.compile(r"\b(?:my|our|final|overall|verdict|rating|rated|grade|score|stars?|out|of|the|film|"
                           r"movie)\b", re.IGNORECASE)


def only_a_rating(sentence: str, rating: Rating) -> bool:
    """Whether a sentence is nothing but its rating and a label ("Verdict: three and a half stars.", "★½")."""
    rest = sentence.replace(rating.written, " ") if rating.written in sentence else sentence
    return not re.search(r"[^\W\d_]{2,}", _RATING_LABEL.sub(" ", rest))
