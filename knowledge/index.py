"""The on-disk index: a folder of segments, each the passages and vectors of a run of reviews, and a manifest.

Layout of the folder::

    manifest.json        model, dimension, normalisation, metric, index types, versions, source
                         hashes, a fingerprint, the segments in order with each review's row counts,
                         and a sha256 of every file below
    segments/NAME/       one segment: the passages of a run of about ``SEGMENT_REVIEWS`` reviews
                         (reviews in file-name order, segments in that order too), with
        passages.jsonl       its passages, in vector order
        reviews.json         its reviews' metadata (title, author, outlet, url, date, rating, names) and
                             what reading each dropped (page chrome), for the ``herbot index`` report
        passage_vectors.npy  one normalised vector per passage, embedded with its review's title as
                             context (inner product = cosine)
        unit_vectors.npy     normalised vectors of each passage's units, in passage order: first its
                             sentences, then its windows of two adjacent sentences
        passage_keys.npy, unit_keys.npy  each vector's content key: a hash of the text embedded, the
                             model and the encoding code (:func:`content_keys`), so that a later build
                             reuses the vector of any text it embeds again
        sentence_offsets.npy where each passage's units start among the segment's units
        tokens.npy, token_offsets.npy  each passage's BM25 token ids (term counts, not scores:
                             knowledge/lexical.py scores them when the index is loaded)
    vocab.json           the BM25 vocabulary, token -> id (ids never change; an update appends)
    spoiler_cues.npy     the spoiler cues' vectors (knowledge/spoilers.py), reused by the next update
    passages.ann, units.ann  the approximate (IVF) index over all segments' vectors, only above the
                         threshold (knowledge/ann.py); below it a search scans the vectors

A build writes a new folder beside the old one and swaps it in at the end, so a failed or
interrupted build never loses the index that was there. An update (knowledge/pipeline.py) writes
only the segments whose reviews changed, the vocabulary and the approximate indexes; every other
segment's files are hard links to the previous folder's, listed with the checksums the previous
manifest had for them, so an update neither copies nor hashes them. Loading checks the manifest and
the hash of every file in the folder (a file the manifest does not list is refused as well), so a
half-written, damaged or foreign index is refused with a message rather than answering nonsense,
and ``herbot index`` rebuilds it; an update checks each file of the previous index it reads.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from functools import cached_property
from importlib import metadata
from itertools import pairwise
from pathlib import Path

import numpy as np

from knowledge import ann, lexical, manifest_file, spoilers
from knowledge.checksums import file_sha256
from knowledge.film_sections import other_films_off_topic
from knowledge.passage import Passage

FORMAT = 7  # bump whenever the folder layout changes: older indexes are then rebuilt, nothing reused
METRIC = "inner_product"
MANIFEST = manifest_file.MANIFEST
SEGMENTS = "segments"
SEGMENT_REVIEWS = 100  # reviews a segment is made of; an update rewrites the segments of the reviews that changed
ANN_FILES = {"passages": "passages.ann", "units": "units.ann"}
VOCAB, CUES = "vocab.json", "spoiler_cues.npy"
GLOBAL_FILES = (VOCAB, CUES)
# Every segment has these files, each in the manifest with its sha256.
SEGMENT_FILES = ("passages.jsonl", "reviews.json", "passage_vectors.npy", "unit_vectors.npy", "passage_keys.npy",
                 "unit_keys.npy", "sentence_offsets.npy", "tokens.npy", "token_offsets.npy")
_ARRAYS = ("passage_vectors", "unit_vectors", "passage_keys", "unit_keys", "sentence_offsets", "tokens",
           "token_offsets")
CODE_DIR = Path(__file__).parent


def imported_modules(*roots: str) -> tuple[str, ...]:
    """The roots and every module of this package they import, directly or not (file names, sorted): what a
    change in any of them changes."""
    found: set[str] = set()
    waiting = list(roots)
    while waiting:
        name = waiting.pop()
        if name in found or not (CODE_DIR / name).is_file():
            continue
        found.add(name)
        for dotted, listed in _IMPORT.findall((CODE_DIR / name).read_text(encoding="utf-8")):
            waiting += [f"{dotted}.py"] if dotted else [f"{module.strip()}.py" for module in listed.split(",")]
    return tuple(sorted(found))


# "from knowledge.text import ...", "import knowledge.text", "from knowledge import labels, spoilers"
_IMPORT = re.compile(r"^\s*(?:from|import)\s+knowledge(?:\.(\w+)|\s+import\s+([\w, ]+))", re.MULTILINE)
# The code that shapes passages and their labels (ingest.py, spoilers.py, film_sections.py and all they import: the
# credit line, Markdown, ratings ...): when any of it changes, every review is read again.
PASSAGE_CODE = (*imported_modules("ingest.py", "spoilers.py", "film_sections.py"), "data/spoiler_cues.yaml",
                *(str(path.relative_to(CODE_DIR)) for path in spoilers.example_files()))
# The code that turns a text into its vector: part of every content key.
ENCODING_CODE = ("embedding.py",)
# Everything the index content depends on: when any of it changes, ``herbot index`` updates the index.
_INDEX_CODE = (*PASSAGE_CODE, *ENCODING_CODE, "lexical.py", "ann.py")
_QUOTES = "\"“”' "  # stripped from a title used as context


def code_hash(names: tuple[str, ...]) -> str:
    """sha256 over the named files of this package (names and contents)."""
    digest = hashlib.sha256()
    for name in names:
        digest.update(f"{name}\0{file_sha256(CODE_DIR / name)}\n".encode())
    return digest.hexdigest()


def content_keys(texts: list[str], model: str) -> np.ndarray:
    """One 64-bit key per text: its hash with the model's identity, the encoding code and FORMAT.

    Two texts with one key get one vector, so a later build takes a vector from the previous
    index by key instead of embedding its text again; another model, another encoder or another
    index format gives every text another key, and nothing is reused.
    """
    salt = hashlib.sha256(f"{model}\0{code_hash(ENCODING_CODE)}\0{FORMAT}".encode()).digest()[:32]
    digests = b"".join(hashlib.blake2b(text.encode("utf-8"), digest_size=8, key=salt).digest() for text in texts)
    return np.frombuffer(digests, dtype="<u8").copy()


def paragraph_text(passage: Passage) -> str:
    """What a passage's vector is embedded from: the review's title, then the paragraph.

    The title says what the paragraph is about ("love with an OS") when the paragraph itself
    only says "he" and "the film"; it raised dense recall@3 on the dev set (bench/retrieval.py).
    """
    return f"{passage.review_title.strip(_QUOTES)}. {passage.text}"


def unit_texts(passage: Passage) -> list[str]:
    """A passage's sentence-level units: each sentence, then each pair of adjacent sentences.

    A question about one point matches the sentence that makes it; a pair keeps a sentence
    that only says "he" or "it" next to the one that names what it is about.
    """
    sentences = list(passage.sentences or (passage.text,))
    return sentences + [f"{a} {b}" for a, b in pairwise(sentences)]


CHANGED = "the reviews, the model or the ingestion code changed"  # the index is intact, only out of date


class IndexUnavailable(RuntimeError):
    """The index is missing, corrupt or built for another model; the message says which, and what to do.

    ``problem`` is the message without the advice: what a rebuild reports as its reason.
    """

    def __init__(self, problem: str, advice: str = "run 'herbot index' to rebuild"):
        super().__init__(f"{problem}; {advice}")
        self.problem = problem


@dataclass(frozen=True)
class LoadedIndex:
    """Everything a query needs, read once: vectors, passages and their search structures.

    ``passage_matrix`` and ``unit_matrix`` are the stored vectors (read-only), which scoring
    reads in place; ``vectors`` and ``sentences`` find the rows nearest to a question.
    """

    folder: Path
    manifest: dict
    vectors: ann.NearestRows  # over passages
    sentences: ann.NearestRows  # over sentence units
    passages: tuple[Passage, ...]
    sentence_offsets: np.ndarray
    bm25: lexical.LexicalIndex | None
    reviews: tuple[dict, ...] = ()  # each review's metadata, in the reviews' order
    passage_keys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype="<u8"))
    unit_keys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype="<u8"))
    dropped: dict = field(default_factory=dict)  # review id -> [[what, why], ...] dropped when it was read

    @property
    def passage_matrix(self) -> np.ndarray:
        return self.vectors.matrix

    @cached_property
    def review_rows(self) -> dict[str, tuple[int, int]]:
        """Each review's passage rows, [start, end), worked out once."""
        return review_rows(self.passages)

    @property
    def unit_matrix(self) -> np.ndarray:
        return self.sentences.matrix


@dataclass
class Segment:
    """A segment as a build or an update writes it: a run of reviews with their passages, vectors and tokens."""

    reviews: list[dict]  # metadata, in order
    dropped: dict  # review id -> [[what, why], ...]
    passages: list[Passage]
    passage_vectors: np.ndarray
    unit_vectors: np.ndarray
    passage_keys: np.ndarray
    unit_keys: np.ndarray
    tokens: np.ndarray
    token_offsets: np.ndarray

    @property
    def sentence_offsets(self) -> np.ndarray:
        return offsets_of(self.passages)

    def entry(self, name: str) -> dict:
        """What the manifest says of it: its reviews with their passage and unit counts, and its counts."""
        rows = review_rows(self.passages)
        offsets = self.sentence_offsets
        reviews = []
        for review in self.reviews:
            start, end = rows.get(review["id"], (0, 0))
            reviews.append([review["id"], end - start, int(offsets[end] - offsets[start])])
        counts = {"paragraphs": sum(p.section == "body" for p in self.passages),
                  "comments": sum(p.section == "comment" for p in self.passages),
                  "spoilers": sum(bool(p.spoiler) for p in self.passages),
                  "off_topic": sum(bool(p.off_topic) for p in self.passages)}
        return {"name": name, "reviews": reviews, "counts": counts}


def segment_name(reviews: list[str], sources: dict[str, str], passage_code: str) -> str:
    """A name for a segment of these reviews as they are now: another content gets another name."""
    blob = json.dumps([passage_code, [[review, sources.get(review, "")] for review in reviews]])
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


@dataclass
class Searches:
    """The approximate indexes to write (None: an exact scan) and what the manifest says of them."""

    passages: object | None
    units: object | None
    passage_info: dict
    unit_info: dict


def write(folder: Path, parts: list, searches: Searches, *, vocab: dict[str, int], cues: np.ndarray, extra: dict,
          model_name: str, dimension: int, sources: dict[str, str], fingerprint_: str, started: float,
          previous: Previous | None = None) -> dict:
    """Write an index beside ``folder`` and swap it in: ``parts`` are, in order, ``(name, Segment)`` pairs
    to write and names of ``previous``'s segments to keep (hard-linked, with the checksums it had)."""
    tmp = folder.with_name(folder.name + ".building")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / SEGMENTS).mkdir(parents=True)
    files: dict[str, str] = {}
    entries = []
    for part in parts:
        if isinstance(part, str):
            entry = previous.segment_entry(part)
            for name in SEGMENT_FILES:
                relative = f"{SEGMENTS}/{part}/{name}"
                (tmp / relative).parent.mkdir(exist_ok=True)
                _link(previous.folder / relative, tmp / relative)
                files[relative] = previous.manifest["files"][relative]
        else:
            name, segment = part
            entry = segment.entry(name)
            files |= _write_segment(tmp / SEGMENTS / name, segment, f"{SEGMENTS}/{name}")
        entries.append(entry)
    (tmp / VOCAB).write_text(json.dumps(vocab, ensure_ascii=False) + "\n", encoding="utf-8")
    np.save(tmp / CUES, np.ascontiguousarray(cues, dtype=np.float32))
    for kind, search in (("passages", searches.passages), ("units", searches.units)):
        if search is not None:
            ann.save_index(search, tmp / ANN_FILES[kind])
    files |= {name: file_sha256(tmp / name) for name in (*GLOBAL_FILES, *ANN_FILES.values()) if (tmp / name).is_file()}
    reviews = [review for entry in entries for review in entry["reviews"]]
    manifest = {
        "format": FORMAT,
        "model": {"name": model_name, "dimension": int(dimension), "normalized": True},
        "metric": METRIC,
        "index_type": searches.passage_info["type"],
        "sentence_index_type": searches.unit_info["type"],
        "ann": {"passages": searches.passage_info, "units": searches.unit_info},
        "passages": sum(count for _, count, _ in reviews),
        "spoilers": sum(entry["counts"]["spoilers"] for entry in entries),
        "sentences": sum(units for _, _, units in reviews),
        "sources": sources,
        "fingerprint": fingerprint_,
        **extra,
        "versions": {name: metadata.version(name) for name in ("faiss-cpu", "sentence-transformers", "numpy", "bm25s")},
        "segments": entries,
        "files": dict(sorted(files.items())),
        "build_seconds": round(time.perf_counter() - started, 3),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    if unlisted := sorted(set(_files_in(tmp)) - set(files)):
        raise RuntimeError(f"the index build wrote {unlisted[0]}, which it does not list")
    (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    _swap_in(tmp, folder)
    return manifest


def _write_segment(folder: Path, segment: Segment, prefix: str) -> dict[str, str]:
    """Write one segment's files; their checksums by path in the index."""
    folder.mkdir()
    with open(folder / "passages.jsonl", "w", encoding="utf-8") as out:
        for passage in segment.passages:
            out.write(json.dumps(passage.to_dict(), ensure_ascii=False) + "\n")
    (folder / "reviews.json").write_text(json.dumps({"reviews": segment.reviews, "dropped": segment.dropped},
                                                    ensure_ascii=False) + "\n", encoding="utf-8")
    for name in _ARRAYS:
        np.save(folder / f"{name}.npy", np.ascontiguousarray(getattr(segment, name)))
    return {f"{prefix}/{name}": file_sha256(folder / name) for name in SEGMENT_FILES}


def _link(source: Path, target: Path) -> None:
    """``target`` the same file as ``source`` (a hard link; a copy where the file system has none)."""
    try:
        os.link(source, target)
    except FileNotFoundError:
        raise IndexUnavailable(f"{source}: missing") from None
    except OSError:
        shutil.copy2(source, target)


def segments_of(reviews: list[dict], dropped: dict, passages: list[Passage], vectors: tuple, vocab: dict[str, int],
                tokens: tuple | None = None) -> list[Segment]:
    """``passages`` (of ``reviews``, in order) with their ``vectors`` (passage vectors, unit vectors,
    passage keys, unit keys) cut into segments of ``SEGMENT_REVIEWS`` reviews; ``tokens`` (ids and
    offsets) are the passages' BM25 tokens, tokenized here (``vocab`` grows) when not given."""
    ids, token_offsets = tokens if tokens is not None else lexical.token_ids([p.text for p in passages], vocab)
    rows = review_rows(passages)
    offsets = offsets_of(passages)
    found = []
    for first in range(0, len(reviews), SEGMENT_REVIEWS):
        chunk = reviews[first:first + SEGMENT_REVIEWS]
        start = next((rows[r["id"]][0] for r in chunk if r["id"] in rows), None)
        end = next((rows[r["id"]][1] for r in reversed(chunk) if r["id"] in rows), None)
        start, end = (start, end) if start is not None else (0, 0)
        units = slice(int(offsets[start]), int(offsets[end]))
        found.append(Segment(
            chunk, {r["id"]: dropped.get(r["id"], []) for r in chunk}, passages[start:end],
            vectors[0][start:end], vectors[1][units], vectors[2][start:end], vectors[3][units],
            ids[token_offsets[start]:token_offsets[end]], token_offsets[start:end + 1] - token_offsets[start]))
    return found


def build(
    folder: Path,
    passages: list[Passage],
    encoder,
    *,
    model_name: str,
    sources: dict[str, str],
    fingerprint_: str,
    ann_threshold: int,
    progress: bool = False,
    reviews: list[dict] | None = None,
    model_identity: str | None = None,
) -> dict:
    """Embed ``passages`` from scratch, write a complete index next to ``folder`` and swap it in.

    Passages whose ``spoiler`` is still undecided (``None``: no override in their review) are
    labelled here by meaning, with the same encoder (knowledge/spoilers.py).
    """
    started = time.perf_counter()
    cues = spoilers.Cues.for_labelling(encoder)
    passages = other_films_off_topic(spoilers.label(passages, encoder, cues), cues.title)
    identity = model_identity or model_name
    paragraphs = [paragraph_text(p) for p in passages]
    units = [text for p in passages for text in unit_texts(p)]
    vectors = (encoder.encode(paragraphs, progress=progress), encoder.encode(units, progress=progress),
               content_keys(paragraphs, identity), content_keys(units, identity))
    reviews = reviews or [{"id": review} for review in review_rows(passages)]
    vocab: dict[str, int] = {}
    parts = [(f"{n:06d}", segment) for n, segment in enumerate(segments_of(reviews, {}, passages, vectors, vocab))]
    (passage_search, passage_info), (unit_search, unit_info) = (ann.build(vectors[0], ann_threshold),
                                                                ann.build(vectors[1], ann_threshold))
    return write(folder, parts, Searches(passage_search.ann, unit_search.ann, passage_info, unit_info), vocab=vocab,
                 cues=cues.stacked(), extra={"cues": cues_key(identity)}, model_name=model_name,
                 dimension=vectors[0].shape[1], sources=sources, fingerprint_=fingerprint_, started=started)


def cues_key(identity: str) -> str:
    """What the stored spoiler cue vectors were made from: the model, the cue file and the example files."""
    files = (spoilers.CUES_FILE, *spoilers.example_files())
    return hashlib.sha256("\0".join([identity, *(file_sha256(path) for path in files)]).encode()).hexdigest()


class Previous:
    """The index there before an update, read only where the update needs it, each file checked as it is read.

    The update keeps most of its segments as they are (hard links), without reading them.
    """

    def __init__(self, folder: Path, manifest: dict):
        self.folder, self.manifest = folder, manifest
        self._checked: set[str] = set()

    @classmethod
    def open(cls, folder: Path, model_name: str) -> Previous:
        manifest = read_manifest(folder)
        if manifest["model"]["name"] != model_name:
            raise IndexUnavailable(f"{folder}: built with model {manifest['model']['name']!r}, not {model_name!r}")
        return cls(folder, manifest)

    def path(self, name: str) -> Path:
        """The path of one of its files, once its checksum is checked."""
        if name not in self._checked:
            expected = self.manifest["files"].get(name)
            path = self.folder / name
            if expected is None:
                raise IndexUnavailable(f"{path}: not in the manifest")
            if not path.is_file():
                raise IndexUnavailable(f"{path}: missing")
            if file_sha256(path) != expected:
                raise IndexUnavailable(f"{path}: corrupt (checksum mismatch)")
            self._checked.add(name)
        return self.folder / name

    def segment_entry(self, name: str) -> dict:
        return self._entries[name]

    @cached_property
    def _entries(self) -> dict[str, dict]:
        return {entry["name"]: entry for entry in self.manifest["segments"]}

    @cached_property
    def rows(self) -> dict[str, tuple[str, int, int, int, int]]:
        """Each review: its segment, and the start and count of its passage rows and of its unit rows."""
        found, passage, unit = {}, 0, 0
        for entry in self.manifest["segments"]:
            for review, passages, units in entry["reviews"]:
                found[review] = (entry["name"], passage, passages, unit, units)
                passage, unit = passage + passages, unit + units
        return found

    @cached_property
    def totals(self) -> tuple[int, int]:
        return int(self.manifest["passages"]), int(self.manifest["sentences"])

    def array(self, segment: str, name: str) -> np.ndarray:
        """One of a segment's arrays (``passage_vectors``, ``unit_keys``, ...), memory-mapped."""
        return _mapped(self.path(f"{SEGMENTS}/{segment}/{name}.npy"))

    def segment(self, name: str) -> tuple[list[Passage], dict]:
        """A segment's passages and its ``reviews.json`` (metadata and what was dropped)."""
        with open(self.path(f"{SEGMENTS}/{name}/passages.jsonl"), encoding="utf-8") as lines:
            passages = [Passage.from_dict(json.loads(line)) for line in lines]
        return passages, json.loads(self.path(f"{SEGMENTS}/{name}/reviews.json").read_text(encoding="utf-8"))

    def keys(self, kind: str) -> np.ndarray:
        """Every row's content key, over all segments (``kind``: passages or units)."""
        name = "passage_keys" if kind == "passages" else "unit_keys"
        parts = [self.array(entry["name"], name) for entry in self.manifest["segments"]]
        return np.concatenate(parts) if parts else np.zeros(0, dtype="<u8")

    def vectors(self, kind: str, rows: np.ndarray) -> np.ndarray:
        """The stored vectors of these rows (over all segments), read from their segments."""
        name = "passage_vectors" if kind == "passages" else "unit_vectors"
        starts, names, total = [], [], 0
        for entry in self.manifest["segments"]:
            starts.append(total)
            names.append(entry["name"])
            total += sum(item[1] if kind == "passages" else item[2] for item in entry["reviews"])
        found = np.zeros((len(rows), self.manifest["model"]["dimension"]), dtype=np.float32)
        owners = np.searchsorted(np.array(starts), rows, side="right") - 1
        for owner in np.unique(owners):
            mine = np.flatnonzero(owners == owner)
            found[mine] = self.array(names[owner], name)[rows[mine] - starts[owner]]
        return found

    def search(self, kind: str):
        """Its approximate index over ``kind`` (None when it scans instead)."""
        if self.manifest["ann"][kind]["type"] == "flat":
            return None
        return ann.read_index(self.path(ANN_FILES[kind]))

    def vocab(self) -> dict[str, int]:
        return json.loads(self.path(VOCAB).read_text(encoding="utf-8"))

    def cues(self, key: str) -> np.ndarray | None:
        """The spoiler cues' vectors it kept, when they were made from the same model and cue file."""
        if self.manifest.get("cues") != key:
            return None
        return np.load(self.path(CUES))


def fingerprint(sources: dict[str, str], model: str) -> str:
    """What the index content depends on: the source files, the model (its name, or its name and
    hash) and the index code."""
    code = {name: file_sha256(CODE_DIR / name) for name in _INDEX_CODE}
    blob = json.dumps({"sources": sources, "model": model, "code": code, "format": FORMAT}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def rebuild_reason(folder: Path, expected_fingerprint: str) -> str | None:
    """Why ``folder`` must be rebuilt or updated (missing, damaged, or built from other sources), or None
    when it is intact and current.

    An index built from other sources is only out of date (:data:`CHANGED`): its files are then not
    hashed here, the update checks those it reads. A current one has every file checked."""
    try:
        manifest = read_manifest(folder)
        if manifest.get("fingerprint") != expected_fingerprint:
            _check_listing(folder, manifest)
            return CHANGED
        _verify_files(folder, manifest)
    except IndexUnavailable as unusable:
        return unusable.problem
    return None


def review_rows(passages) -> dict[str, tuple[int, int]]:
    """Each review's passage rows, [start, end): a review's passages are contiguous, in file-name order."""
    rows: dict[str, tuple[int, int]] = {}
    for row, passage in enumerate(passages):
        start, _ = rows.get(passage.review, (row, row))
        rows[passage.review] = (start, row + 1)
    return rows


def offsets_of(passages: list[Passage]) -> np.ndarray:
    """Where each passage's units start among all units (and, last, how many there are): n sentences
    make n units and n - 1 windows (:func:`unit_texts`), counted without building the texts."""
    return np.cumsum([0] + [2 * max(len(p.sentences), 1) - 1 for p in passages]).astype(np.int64)


def load(folder: Path, *, model_name: str, dimension: int, verified: bool = False, lexical_index: bool = True
         ) -> LoadedIndex:
    """Read and check an index written by :func:`write` for this model.

    ``verified``: its files were checked against the manifest a moment ago, so they are not hashed
    again; ``lexical_index=False`` leaves BM25 unscored."""
    manifest = read_manifest(folder)
    if manifest["model"]["name"] != model_name:
        raise IndexUnavailable(f"{folder}: built with model {manifest['model']['name']!r}, not {model_name!r}")
    if manifest["model"]["dimension"] != dimension or not manifest["model"]["normalized"]:
        raise IndexUnavailable(f"{folder}: vectors do not match the model (dimension or normalisation)")
    if not verified:
        _verify_files(folder, manifest)
    try:
        arrays = _concatenated(folder, manifest["segments"], dimension)
        searches = {kind: ann.load(arrays[f"{name}_vectors"],
                                   folder / ANN_FILES[kind] if ANN_FILES[kind] in manifest["files"] else None)
                    for kind, name in (("passages", "passage"), ("units", "unit"))}
        passages, reviews, dropped = [], [], {}
        for entry in manifest["segments"]:
            with open(folder / SEGMENTS / entry["name"] / "passages.jsonl", encoding="utf-8") as lines:
                passages += [Passage.from_dict(json.loads(line)) for line in lines]
            described = json.loads((folder / SEGMENTS / entry["name"] / "reviews.json").read_text(encoding="utf-8"))
            reviews += described["reviews"]
            dropped |= described["dropped"]
        vocab = json.loads((folder / VOCAB).read_text(encoding="utf-8"))
        bm25 = lexical.LexicalIndex(vocab, arrays["tokens"], arrays["token_offsets"]) if lexical_index else None
    except (OSError, ValueError, RuntimeError, KeyError, TypeError) as error:
        raise IndexUnavailable(f"{folder}: cannot read the index ({error})") from None
    offsets = arrays["sentence_offsets"]
    passage_matrix, unit_matrix = arrays["passage_vectors"], arrays["unit_vectors"]
    if not (len(passage_matrix) == len(passages) == len(offsets) - 1 == manifest["passages"] ==
            len(arrays["passage_keys"]) == len(arrays["token_offsets"]) - 1) or (
        len(unit_matrix) != offsets[-1] or len(arrays["unit_keys"]) != len(unit_matrix)
    ):
        raise IndexUnavailable(f"{folder}: vector and passage counts disagree")
    return LoadedIndex(folder, manifest, searches["passages"], searches["units"], tuple(passages), offsets, bm25,
                       tuple(reviews), arrays["passage_keys"], arrays["unit_keys"], dropped)


def _concatenated(folder: Path, entries: list[dict], dimension: int) -> dict[str, np.ndarray]:
    """Every segment's arrays, end to end (offsets made global), read-only."""
    found: dict[str, list[np.ndarray]] = {name: [] for name in _ARRAYS}
    units = tokens = 0
    for entry in entries:
        for name in _ARRAYS:
            array = _mapped(folder / SEGMENTS / entry["name"] / f"{name}.npy")  # copied once, below
            if name.endswith("_vectors") and array.shape[1:] != (dimension,):
                raise IndexUnavailable(f"{folder}: stored vectors have the wrong dimension")
            if name in ("sentence_offsets", "token_offsets"):
                array = array[:-1] + (units if name == "sentence_offsets" else tokens)
            found[name].append(array)
        units += sum(item[2] for item in entry["reviews"])
        tokens += len(found["tokens"][-1])
    no_vectors = np.zeros((0, dimension), np.float32)
    empty = {"passage_vectors": no_vectors, "unit_vectors": no_vectors,
             "passage_keys": np.zeros(0, "<u8"), "unit_keys": np.zeros(0, "<u8"), "tokens": np.zeros(0, np.int32)}
    arrays = {name: empty.get(name, np.zeros(0, np.int64)) if not parts else
              np.array(parts[0]) if len(parts) == 1 else np.concatenate(parts) for name, parts in found.items()}
    arrays["sentence_offsets"] = np.append(arrays["sentence_offsets"], units).astype(np.int64)
    arrays["token_offsets"] = np.append(arrays["token_offsets"], tokens).astype(np.int64)
    for array in arrays.values():
        array.flags.writeable = False
    return arrays


def _mapped(path: Path) -> np.ndarray:
    """An array file memory-mapped (read where used), or read whole when it is empty (nothing to map)."""
    try:
        return np.load(path, mmap_mode="r")
    except ValueError:
        return np.load(path)


def read_reviews(folder: Path, manifest: dict) -> tuple[list[dict], dict]:
    """Every review's metadata in order, and what reading each dropped (page chrome), from the segments:
    for the ``herbot index`` report and for training, which then read no review again."""
    reviews, dropped = [], {}
    for entry in manifest["segments"]:
        described = json.loads((folder / SEGMENTS / entry["name"] / "reviews.json").read_text(encoding="utf-8"))
        reviews += described["reviews"]
        dropped |= described["dropped"]
    return reviews, dropped


def read_manifest(folder: Path) -> dict:
    """The index's manifest, checked for what loading it needs; ``IndexUnavailable`` says what is wrong."""
    return manifest_file.read_manifest(
        folder,
        _check_manifest,
        missing=IndexUnavailable(f"{folder}: no index here", advice="run 'herbot index' to build it"),
        corrupt=lambda reason: IndexUnavailable(f"{reason} (the manifest is corrupt)"),
    )


def _check_manifest(manifest: dict) -> None:
    if manifest.get("format") != FORMAT or manifest.get("metric") != METRIC:
        raise ValueError("unknown format or metric (an index of an older herbot: 'herbot index' rebuilds it)")
    manifest["model"]["name"], manifest["files"], manifest["passages"], manifest["ann"]  # noqa: B018
    for entry in manifest["segments"]:
        if not isinstance(entry["name"], str) or "/" in entry["name"] or entry["name"] in ("", ".", ".."):
            raise ValueError(f"bad segment name {entry['name']!r}")
        for _, passages, units in entry["reviews"]:
            int(passages), int(units)


def _required(manifest: dict) -> list[str]:
    """The files a load of this index reads: the global ones, every segment's, and the approximate indexes it has."""
    return [*GLOBAL_FILES, *(f"{SEGMENTS}/{entry['name']}/{name}" for entry in manifest["segments"]
                             for name in SEGMENT_FILES),
            *(ANN_FILES[kind] for kind, info in manifest["ann"].items() if info["type"] != "flat")]


def _files_in(folder: Path) -> list[str]:
    """Every file of an index folder but its manifest, as relative paths: a build checksums them all."""
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*")
                  if path.is_file() and path != folder / MANIFEST)


def _check_listing(folder: Path, manifest: dict) -> None:
    """The manifest lists what this version reads, and nothing outside the folder."""
    listed = manifest["files"]
    if not set(_required(manifest)) <= set(listed) or any(".." in Path(name).parts or Path(name).is_absolute()
                                                      for name in listed):
        raise IndexUnavailable(f"{folder}: manifest lists other files than this version writes")


def _verify_files(folder: Path, manifest: dict) -> None:
    """Every file a load reads is listed and matches its sha256, and no file is there that the manifest does not
    list (nothing unchecked can be read)."""
    _check_listing(folder, manifest)
    for name, expected in sorted(manifest["files"].items()):
        path = folder / name
        if not path.is_file():
            raise IndexUnavailable(f"{path}: missing")
        if file_sha256(path) != expected:
            raise IndexUnavailable(f"{path}: corrupt (checksum mismatch)")
    unlisted = sorted(set(_files_in(folder)) - set(manifest["files"]))
    if unlisted:
        raise IndexUnavailable(f"{folder / unlisted[0]}: not in the manifest")


def _swap_in(tmp: Path, folder: Path) -> None:
    old = folder.with_name(folder.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        folder.rename(old)
    tmp.rename(folder)
    shutil.rmtree(old, ignore_errors=True)
