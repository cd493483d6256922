"""Which passages reveal how the film ends or a major late twist: the review's overrides, then meaning.

Two steps, because meaning needs the sentence model and reading the reviews must stay cheap:

1. **Overrides**, at ingestion (:func:`apply_overrides`, called by ``knowledge/ingest.py``), from
   what the review itself says; they win over meaning. A ``spoilers:`` key in the front matter (or
   in ``NAME.meta.yaml``) lists passages: 1-based body paragraph numbers, or short phrases found in
   a paragraph or a reader comment; each one listed is a spoiler, the others are still judged by
   meaning. ``spoilers: none`` (also ``false``, ``no``, ``[]``) says the review reveals nothing:
   none of its passages is a spoiler, whatever it says; ``spoilers: all`` (or ``true``) says every
   passage is. An entry that names nothing stops the build. Then the reviewer's own markers: a
   paragraph that opens with ``SPOILER:``, ``Spoilers:``, ``Spoiler alert:``, ``[spoiler]`` or
   ``(spoiler)``, or sits inside ``[spoiler]`` … ``[/spoiler]``, is a spoiler; a paragraph that is
   nothing but a warning ("Spoilers ahead", "Spoiler warning", "[major spoilers below]") makes every
   body paragraph after it a spoiler, up to one that closes the section ("End of spoilers",
   "[/spoiler]") or the end of the body, or as many as it counts ("the following paragraph reveals it":
   one). A warning at the end of a paragraph about something else
   ("... (mild spoilers follow)") only warns: it marks nothing. Every other passage is left
   undecided (``spoiler=None``).
2. **Meaning**, when the index is built (:func:`label`, called by ``knowledge/index.py`` with its
   encoder). Each sentence of an undecided passage, and each clause of it (a reveal is often one
   clause of an opinion: "their parting scene is hard to watch, yet ..."), is compared
   with descriptions of what revealing an ending or a twist looks like and of what does not
   (``data/spoiler_cues.yaml``: how a story ends, and late twists, both of which give it away; an ending
   question after consent is answered by the first alone, :meth:`Cues.ending_scores`): a soft
   nearest-neighbour vote (:meth:`Cues.scores`). A passage is
   a spoiler when one of them reaches the threshold, or the lower one when a general rule backs
   its sentence: a twist marker ("it turns out", "is revealed as", "one of thousands"), a
   parting ("goodbye"), or a word of finality next to a story event ("finally ... split",
   "in the closing scene ... dies"). Warnings and promises not to spoil ("I won't give away the
   ending") and sentences placed early or midway in the story ("early on", "halfway through")
   are never reveals. A clear reveal (a whole sentence, a score past ``whole_from``, a rule behind it, or
   reveals in two sentences) hides the whole passage, whose other sentences tell around it; a faint one (a
   clause alone) hides only its sentence (``Passage.revealing``), and the rest of the passage may be quoted
   without consent: on the regression sets' own reviews most alarms are such clauses of opinions.
   Beside the descriptions, the sentences of labelled example paragraphs (``data/spoiler_examples/``: each spoiler
   with the sentences that give it away) vote the same way with numbers of their own (:meth:`Cues.for_labelling`);
   a unit either vote finds reveals. They catch what no description foresaw ("the voice is simply not coming back")
   and are read at index time only: a question is judged by the descriptions alone (:meth:`Cues.load`).
   The numbers were chosen on the examples (by cross-validation) and on tests/data/spoiler_review_dev.yaml;
   ``bench/spoilers.py`` prints recall and precision on the labelled fixtures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import yaml

from knowledge.labels import is_heading, is_reader_note, section_under
from knowledge.once import once
from knowledge.passage import Passage
from knowledge.ratings import find_rating, only_a_rating
from knowledge.text import normalise_for_compare, split_sentences

CUES_FILE = Path(__file__).parent / "data" / "spoiler_cues.yaml"
# Labelled paragraphs whose sentences vote beside the cues when passages are labelled (not when a question is read).
EXAMPLES_DIR = Path(__file__).parent / "data" / "spoiler_examples"


def example_files() -> tuple[Path, ...]:
    return tuple(sorted(EXAMPLES_DIR.glob("*.yaml")))
_OFF = ("none", "no", "false", "off")
_ALL = ("all", "yes", "true")

# --- a reviewer's own markers ---------------------------------------------------------------
_TAG_OPEN = re.compile(r"\[\s*spoilers?\s*\]", re.IGNORECASE)
_TAG_CLOSE = re.compile(r"\[\s*/\s*spoilers?\s*\]", re.IGNORECASE)
# "SPOILER: ...", "Spoilers - ...", "[spoiler] ...", "(spoilers) ...", "Spoiler alert, and I mean it: ..." at the
# very start.
_LEADING_MARK = re.compile(
    r"^\W{0,3}(\[\s*spoilers?\s*\]|\(\s*spoilers?\s*\)|spoilers?(\s+(alert|warning))?\s*[:–—-]"
    r"|spoilers?\s+(alert|warning)\b[^.!?:]{0,40}[:–—-])", re.IGNORECASE
)
_SECTION_END = re.compile(r"^\W*(end(\s+of)?\s+spoilers?|spoilers?\s+(end|over|done)(\s+here)?|/\s*spoilers?)\W*$",
                          re.IGNORECASE)

# --- general rules for the meaning step -------------------------------------------------------
# A sentence about not spoiling, or a warning: it reveals nothing by itself.
_WARNING = re.compile(
    r"\bspoil(er|ers|ing|s)?\b|\bgiv(e|es|ing|en) (anything|too much|it|much|the game|the ending) away\b"
    r"|\bgiv(e|es|ing|en) away (the (ending|end|twist|game|plot|story)|anything|too much|much|what|how)\b"
    r"|\bwithout (revealing|giving)\b",
    re.IGNORECASE,
)
# The story's beginning or middle, said outright (a question that says it asks no ending).
EARLY = re.compile(
    r"\b(early on|at first|in the first place|halfway through|midway through|in the middle( stretch| of the film)?"
    r"|in the (opening|beginning|first (act|half|hour|scene|reel))|the (film|movie|story) (opens|begins|starts)"
    r"|at the (start|outset|beginning)|first (act|half|hour))\b",
    re.IGNORECASE,
)
# A late revelation.
_TWIST = re.compile(
    r"\b(it turns out|turns? out (that|to (be|have))|(is|was|are|were) revealed (to|as)|the revelation that"
    r"|reveals? that|(admits|admitting|confesses|confessing|learns|discovers|realises|realizes)( that)?\b"
    r"(?! (of|about|to|how)\b)"  # "she admits she ...", not "he learns to trust her"
    r"|we (learn|discover|find out)(?! (of|about)\b)"  # "we learn that she ...", not "we learn of his hobbies"
    r"|all along|the (big |late |final )?twist|one (of|among) (thousands|hundreds|many)"
    r"|(relationship|partner|lover)s? among (thousands|hundreds|many))\b",
    re.IGNORECASE,
)
_FINALITY = re.compile(
    r"\b(finally|eventually|ultimately|in the end|(by|at) the (end|close)|the parting (image|scene|moments?|frames?)"
    r"|ends? (with|on|up)|the (last|final|closing) "
    r"(scene|shot|image|moments?|minutes|frames?|act|stretch|reel)|closing (scene|shot|image|moments?|minutes)"
    r"|credits roll|before the (lights|credits)|the (film|movie|story) (closes|ends|leaves))\b",
    re.IGNORECASE,
)
_EVENT = re.compile(
    r"\b(leav(e|es|ing)|left|depart(s|ed|ing)?|gone|goodbye|farewell|walks? away|disappear(s|ed)?|vanish(es|ed)?"
    r"|break(s|ing)? (it )?off|break(s|ing)? up|broke (it )?(off|up)|split(s)? up|part(s|ed)? ways|separat(e|es|ed)"
    r"|di(e|es|ed)|dead|death|kill(s|ed)?|sacrific(e|es|ed)|reunit(e|es|ed)|marr(y|ies|ied)|escap(e|es|ed)"
    r"|desert(s|ed)?|abandon(s|ed)?|alone|over|wakes? up)\b",
    re.IGNORECASE,
)

# Where a sentence breaks into clauses, and the fewest words a clause needs to be judged alone.
_CLAUSE_BREAK = re.compile(r"[,;:()\u2013\u2014]|\s-\s|\b(?:but|while)\b")
_CLAUSE_WORDS = 4
# A parting is a late event by itself.
_PARTING = re.compile(r"\b(goodbyes?|farewells?)\b", re.IGNORECASE)


class SpoilerOverrideError(ValueError):
    """A ``spoilers:`` entry that names no passage; the message says which."""


def apply_overrides(passages: list[Passage], declared=None) -> list[Passage]:
    """``passages`` of one review with ``spoiler`` set where the review decides it, else ``None``.

    ``declared`` is the front matter's ``spoilers:`` value (see the module docstring).
    """
    if _is_off(declared):
        return [replace(p, spoiler=False) for p in passages]
    if declared is True or (isinstance(declared, str) and declared.strip().casefold() in _ALL):
        return [replace(p, spoiler=True) for p in passages]
    listed = _listed(passages, declared)
    marked = _marked(passages)
    return [replace(p, spoiler=True if p.id in listed or p.id in marked else None) for p in passages]


def _is_off(declared) -> bool:
    if declared is False or declared == []:
        return True
    return isinstance(declared, str) and declared.strip().casefold() in _OFF


def _listed(passages: list[Passage], declared) -> set[str]:
    if declared is None:
        return set()
    entries = declared if isinstance(declared, list) else [declared]
    body = [p for p in passages if p.section == "body"]
    found: set[str] = set()
    for entry in entries:
        if isinstance(entry, int) and not isinstance(entry, bool):
            if not 1 <= entry <= len(body):
                raise SpoilerOverrideError(f"spoilers: paragraph {entry} does not exist (the body has {len(body)})")
            found.add(body[entry - 1].id)
        elif isinstance(entry, str) and entry.strip():
            phrase = normalise_for_compare(entry)
            hits = {p.id for p in passages if phrase in normalise_for_compare(p.text)}
            if not hits:
                raise SpoilerOverrideError(f"spoilers: no paragraph contains {entry!r}")
            texts = [p.text for p in body]
            found |= hits | {body[n].id for place, heading in enumerate(body) if heading.id in hits and
                             is_heading(heading.text) for n in section_under(texts, place)}  # a heading: its section
        else:
            raise SpoilerOverrideError(f"spoilers: {entry!r} is neither a paragraph number nor a phrase")
    return found


def _marked(passages: list[Passage]) -> set[str]:
    """Passages the reviewer marked: a leading marker, a [spoiler] span, or a warning line's section."""
    marked: set[str] = set()
    in_tag = in_section = under_heading = False  # under_heading: the section is a heading's, which the next one ends
    left = None  # body paragraphs a warning still covers when it counts them ("the next paragraph")
    for p in passages:
        text = p.text.strip()
        opens, closes = _TAG_OPEN.search(text), _TAG_CLOSE.search(text)
        if p.section == "body" and _SECTION_END.match(text):
            in_section = in_tag = False
            continue
        if p.section == "body" and is_reader_note(text):  # a warning on its own: what follows spoils
            in_section, left, under_heading = True, _paragraphs_counted(text), False
            continue
        if p.section == "body" and not (in_tag or opens or closes) and is_heading(text):  # "The ending (spoilers)":
            # its section spoils, up to the next heading
            if _WARNING.search(text):
                in_section, left, under_heading = True, None, True
            elif under_heading:
                in_section = under_heading = False
            continue
        if in_tag or opens or _LEADING_MARK.match(text) or (in_section and p.section == "body"):
            marked.add(p.id)
        if in_section and p.section == "body" and left is not None:
            left -= 1
            in_section = left > 0
        if opens and not closes or (opens and closes and closes.start() < opens.start()):
            in_tag = True
        elif closes:
            in_tag = False
    return marked


_COUNTED = re.compile(r"\b(?:next|following)\s+(?:(?P<n>\d+|one|two|three|four|five)\s+)?paragraphs?\b", re.IGNORECASE)
_COUNT_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}


def _paragraphs_counted(warning: str) -> int | None:
    """How many paragraphs a warning says it covers ("the next paragraph" 1, "the following two paragraphs" 2);
    None when it says none (it covers the rest of the body, up to an end marker)."""
    match = _COUNTED.search(warning)
    if not match:
        return None
    n = match.group("n")
    return 1 if not n else int(n) if n.isdigit() else _COUNT_WORDS[n.casefold()]


# --- meaning ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Vote:
    """Labelled example sentences that vote beside the cues, and the numbers read with them."""

    reveal: np.ndarray
    not_reveal: np.ndarray
    temperature: float
    threshold: float
    backed_threshold: float

    def scores(self, vectors: np.ndarray) -> np.ndarray:
        return _vote(vectors, self.reveal, self.not_reveal, self.temperature)

    def floors(self, units: list[tuple[str, bool]]) -> np.ndarray:
        return _floors(units, self.threshold, self.backed_threshold)


@dataclass(frozen=True)
class Cues:
    """The descriptions' vectors and the numbers read with them."""

    reveal: np.ndarray  # how a story ends, then its late twists: both give it away
    not_reveal: np.ndarray
    temperature: float
    threshold: float
    backed_threshold: float
    whole_from: float  # a reveal this clear hides its whole passage, not only its sentence
    endings: int = 0  # the first rows of ``reveal`` that tell how a story ends (the rest are twists)
    early_share: float = 0.0  # the first part of a review's body (a share of its paragraphs) ...
    early_threshold: float = 0.0  # ... where a reveal must score this much
    title: str = ""  # the film's title, judged as "the film" where a sentence names it
    examples: Vote | None = None  # labelled sentences voting beside the cues, when passages are labelled

    def as_judged(self, text: str) -> str:
        """``text`` with the film's title said as "the film" (:func:`title_as_the_film`)."""
        return title_as_the_film(text, self.title)

    @classmethod
    def load(cls, encoder, path: Path = CUES_FILE, stacked: np.ndarray | None = None) -> Cues:
        """The cues of ``path``, encoded now, or taken from ``stacked`` (:meth:`stacked` of the same cues,
        kept by the index so that an update does not encode them again). What reads a question uses these."""
        return cls._made(yaml.safe_load(path.read_text(encoding="utf-8")), encoder, stacked, ())

    @classmethod
    def for_labelling(cls, encoder, stacked: np.ndarray | None = None, path: Path = CUES_FILE,
                      examples: tuple[Path, ...] | None = None) -> Cues:
        """The cues with the sentences of labelled examples voting beside them (``examples``: the files of
        ``data/spoiler_examples``), with the numbers of the cue file's ``examples:`` block: what labels passages. The
        vectors are made once per process and model (every index build of a test run shares them)."""
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls._made(data, encoder, stacked, example_files() if examples is None else examples)

    @classmethod
    def _made(cls, data: dict, encoder, stacked, files: tuple[Path, ...]) -> Cues:
        title = str(data.get("title") or "")
        reveal, other = (([title_as_the_film(s, title) for s in group] for group in example_sentences(files))
                         if files else ([], []))
        revealing = [*data["reveal"], *data.get("twist", ())]
        texts = (*revealing, *data["not_reveal"], *reveal, *other)
        if stacked is None or len(stacked) != len(texts):
            stacked = _encoded(encoder, texts)
        cut = np.cumsum([len(revealing), len(data["not_reveal"]), len(reveal)])
        vote = data.get("examples") or {}
        return cls(
            stacked[: cut[0]],
            stacked[cut[0]: cut[1]],
            float(data["temperature"]),
            float(data["threshold"]),
            float(data["backed_threshold"]),
            float(data["whole_from"]),
            len(data["reveal"]),
            float(data.get("early_share", 0.0)),
            float(data.get("early_threshold", 0.0)),
            title,
            Vote(stacked[cut[1]: cut[2]], stacked[cut[2]:], float(vote["temperature"]), float(vote["threshold"]),
                 float(vote["backed_threshold"])) if files else None,
        )

    def stacked(self) -> np.ndarray:
        """The reveal descriptions' vectors, then the others', then the examples' (revealing first)."""
        extra = [self.examples.reveal, self.examples.not_reveal] if self.examples else []
        return np.concatenate([self.reveal, self.not_reveal, *extra])

    def scores(self, vectors: np.ndarray) -> np.ndarray:
        """Per text: how much nearer it is to the reveal descriptions than to the others.

        A soft nearest-neighbour vote: the log of the mean of exp(cosine / temperature) over the
        reveal descriptions minus the same over the others, times the temperature. A low
        temperature lets the few nearest descriptions decide.
        """
        return _vote(vectors, self.reveal, self.not_reveal, self.temperature)

    def ending_scores(self, vectors: np.ndarray) -> np.ndarray:
        """:meth:`scores` by the descriptions of how a story ends alone: a late twist tells something else."""
        return _vote(vectors, self.reveal[: self.endings or len(self.reveal)], self.not_reveal, self.temperature)

    def floors(self, units: list[tuple[str, bool]]) -> np.ndarray:
        """The score each of the ``units`` (text, backed by a rule) must reach to reveal."""
        return _floors(units, self.threshold, self.backed_threshold)


def _floors(units: list[tuple[str, bool]], threshold: float, backed_threshold: float) -> np.ndarray:
    return np.array([backed_threshold if backed else threshold for _, backed in units])


def _vote(vectors: np.ndarray, reveal: np.ndarray, not_reveal: np.ndarray, t: float) -> np.ndarray:
    return t * (_log_mean_exp(vectors @ reveal.T / t) - _log_mean_exp(vectors @ not_reveal.T / t))


def title_as_the_film(text: str, title: str) -> str:
    """``text`` with the film's ``title`` said as "the film": a title like "Her" reads as a pronoun, and "and Her
    has only one" as a woman's fate. The title is a capitalised word inside a sentence, or in quotation marks, or the
    first word before a verb ("Her is ...")."""
    if not title:
        return text
    name = re.escape(title)
    return re.sub(rf"[“\"‘']{name}[”\"’']|(?<=[\w,;:–—-] ){name}\b(?!['’]s)|^{name}(?= (?:is|was|has|does|feels|"
                  rf"works|isn['’]t|wasn['’]t|doesn['’]t)\b)", "the film", text)


@once(key=lambda encoder, texts: (getattr(encoder, "name", None), texts))
def _encoded(encoder, texts: tuple[str, ...]) -> np.ndarray:
    """The texts' vectors, made once per process and model: the cues and examples are the same for every build."""
    return encoder.encode(list(texts))


def example_sentences(files: tuple[Path, ...]) -> tuple[list[str], list[str]]:
    """The sentences of labelled paragraphs that give an ending or a twist away (each spoiler's ``reveals``), and
    the others (every sentence of a paragraph that reveals nothing, the rest of one that does). A spoiler that
    does not say which sentences reveal gives no example: its other sentences may tell around the reveal."""
    reveal, other = _sentences_of_examples(tuple(path.read_text(encoding="utf-8") for path in files))
    return list(reveal), list(other)


@once
def _sentences_of_examples(files: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """:func:`example_sentences` of the files' texts, split once per process (every build, and every update that
    takes the vectors from the index, needs them, and splitting a thousand sentences takes most of a second)."""
    reveal, other = [], []
    for text in files:
        for item in yaml.safe_load(text)["items"]:
            reveals = [" ".join(str(r).split()) for r in item.get("reveals") or ()]
            if item["spoiler"] and not reveals:
                continue
            reveal += reveals
            other += [sentence for sentence in split_sentences(" ".join(item["text"].split()))
                      if not any(sentence in r or r in sentence for r in reveals)]
    return tuple(reveal), tuple(other)


def _log_mean_exp(values: np.ndarray) -> np.ndarray:
    top = values.max(axis=1, keepdims=True)
    return (top + np.log(np.exp(values - top).mean(axis=1, keepdims=True)))[:, 0]


def backed_by_rule(sentence: str) -> bool:
    """A twist marker, a parting, or a word of finality in the same sentence as a story event."""
    return bool(
        _TWIST.search(sentence)
        or _PARTING.search(sentence)
        or (_FINALITY.search(sentence) and _EVENT.search(sentence))
    )


def units_of(passage: Passage) -> list[tuple[str, bool]]:
    """What a passage is judged by: its sentences (not the reader's notes, warnings or early-story
    ones) and their clauses, each with whether a rule backs its sentence.

    A reveal is often one clause of a sentence that is otherwise an opinion ("the scene where
    they part is hard to watch, yet ..."); judged whole, the opinion drowns it.
    """
    return [unit for unit, _ in _placed_units(passage)]


def _placed_units(passage: Passage) -> list[tuple[tuple[str, bool], int]]:
    """:func:`units_of`, each with the place of its sentence in the passage."""
    units = []
    for place, sentence in enumerate(passage.sentences or (passage.text,)):
        placed_early = EARLY.search(sentence) and not (_TWIST.search(sentence) or _FINALITY.search(sentence))
        if _WARNING.search(sentence) or placed_early or _only_a_rating(sentence):
            continue  # a rating line ("My verdict: two and a half stars out of four.") tells no event
        backed = backed_by_rule(sentence)
        units += [((unit, backed), place) for unit in (sentence, *clauses_of(sentence))]
    return units


def _only_a_rating(sentence: str) -> bool:
    """A rating line ("My verdict: two and a half stars out of four."), which gives no event away."""
    rating = find_rating(sentence)
    return rating is not None and only_a_rating(sentence, rating)


def clauses_of(sentence: str) -> list[str]:
    """The clauses of a sentence long enough to be judged alone (none when it has only one)."""
    parts = [part.strip() for part in _CLAUSE_BREAK.split(sentence)]
    return [part for part in parts if len(part.split()) >= _CLAUSE_WORDS and part != sentence]


def label(passages: list[Passage], encoder, cues: Cues | None = None) -> list[Passage]:
    """``passages`` with every undecided ``spoiler`` (``None``) decided by meaning (``cues``: already loaded)."""
    undecided = [i for i, p in enumerate(passages) if p.spoiler is None]
    if not undecided:
        return list(passages)
    cues = cues or Cues.for_labelling(encoder)
    units = {i: _placed_units(passages[i]) for i in undecided}
    texts = [cues.as_judged(text) for i in undecided for (text, _), _ in units[i]]
    vectors = encoder.encode(texts) if texts else np.zeros((0, 1), dtype=np.float32)
    early = _in_the_first_part(passages, cues.early_share)
    labelled, start = list(passages), 0
    for i in undecided:
        end = start + len(units[i])
        labelled[i] = _judged(passages[i], units[i], vectors[start:end], cues, early=i in early)
        start = end
    return labelled


def _in_the_first_part(passages: list[Passage], share: float) -> set[int]:
    """The places in ``passages`` of body paragraphs in the first ``share`` of their review's body: a review sets a
    film up before it tells how it ends, so a reveal there must be clear."""
    bodies: dict[str, list[tuple[int, int]]] = {}
    for i, passage in enumerate(passages):
        if passage.section == "body":
            bodies.setdefault(passage.review, []).append((passage.position, i))
    return {i for places in bodies.values() for rank, (_, i) in enumerate(sorted(places), start=1)
            if rank <= share * len(places)}


def _judged(passage: Passage, units: list[tuple[tuple[str, bool], int]], vectors: np.ndarray, cues: Cues,
            early: bool = False) -> Passage:
    """The passage labelled by its units' scores: a spoiler when one reveals. A clear reveal (a whole sentence, a
    unit past ``cues.whole_from``, one a rule backs, or reveals in two sentences) hides the whole passage, whose
    other sentences tell around it; a faint one, a clause of an opinion that merely sounds like an ending, hides
    only its own sentence. ``early``: the paragraph is in the first part of its review, where only a unit past
    ``cues.early_threshold`` reveals (a rule behind it or not)."""
    scores = cues.scores(vectors) if len(units) else np.zeros(0)
    floors = cues.floors([unit for unit, _ in units])
    found = scores >= (np.maximum(floors, cues.early_threshold) if early else floors)
    if cues.examples is not None and len(units):  # what the cues miss, the labelled examples may find
        voted, floors = cues.examples.scores(vectors), cues.examples.floors([unit for unit, _ in units])
        found |= voted >= (np.maximum(floors, cues.early_threshold) if early else floors)
        scores = np.maximum(scores, voted)
    places = sorted({place for (_, place), hit in zip(units, found, strict=True) if hit})
    if not places:
        return replace(passage, spoiler=False, revealing=())
    sentences = {}  # each sentence's own unit comes first among its units
    for i, (_, place) in enumerate(units):
        sentences.setdefault(place, i)
    clear = len(places) > 1 or any(found[sentences[place]] for place in places) or any(
        hit and (backed or score >= cues.whole_from)
        for ((_, backed), _), hit, score in zip(units, found, scores, strict=True))
    return replace(passage, spoiler=True, revealing=() if clear else tuple(places))


def detect(texts: list[str], encoder, cues: Cues | None = None) -> list[bool]:
    """Spoiler or not for loose paragraphs (a labelled set, a benchmark): markers, then meaning."""
    return [bool(p.spoiler) for p in detect_passages(texts, encoder, cues)]


def detect_passages(texts: list[str], encoder, cues: Cues | None = None) -> list[Passage]:
    """Loose paragraphs labelled as a review's would be: which are spoilers, and which sentences of them (``cues``:
    :meth:`Cues.for_labelling` unless given)."""
    passages = [  # each a review of its own: a loose paragraph has no place in a review
        Passage(id=f"t{n}/p1", review=f"t{n}", review_title="", author=None, section="body", position=n, text=text,
                sentences=tuple(s for s in split_sentences(text) if not is_reader_note(s)), spoiler=None)
        for n, text in enumerate(texts, start=1)
    ]
    marked = [replace(p, spoiler=True) if _marked([p]) else p for p in passages]
    return label(marked, encoder, cues)
