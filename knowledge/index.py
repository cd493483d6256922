"""The on-disk index: a folder with the vectors, their passages and a manifest.

Layout of the folder::

    manifest.json        model, dimension, normalisation, metric, index types, versions, source
                         hashes, a fingerprint, and a sha256 of every file below
    passage_vectors.npy  one normalised vector per passage, embedded with its review's title as
                         context (inner product = cosine)
    unit_vectors.npy     normalised vectors of each passage's units, in passage order: first its
                         sentences, then its windows of two adjacent sentences
    passage_keys.npy, unit_keys.npy  each vector's content key: a hash of the text embedded, the
                         model and the encoding code (:func:`content_keys`), so that a later build
                         reuses the vector of any text it embeds again
    sentence_offsets.npy where each passage's units start in unit_vectors.npy
    passages.ann, units.ann  the approximate (IVF) index of those vectors, only above the threshold
                         (knowledge/ann.py); below it a search scans the vectors
    passages.jsonl       the passages, in vector order (reviews in file-name order)
    reviews.json         each review's metadata (title, author, outlet, url, date, rating, names)
    ingest.json          what reading each review dropped (page chrome), for the ``herbot index`` report
    bm25/                the lexical index over the same passages (its files are checksummed too)

A build writes a new folder beside the old one and swaps it in at the end, so a
failed or interrupted build never loses the index that was there. Loading checks
the manifest and the hash of every file in the folder (a file the manifest does not
list is refused as well), so a half-written, damaged or foreign index is refused with a
message rather than answering nonsense, and ``herbot index`` rebuilds it. The previous
index is also what an update reuses (knowledge/pipeline.py): the passages of unchanged
reviews and every vector whose content key is still wanted.
"""

from __future__ import annotations

import hashlib
import json
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
from knowledge.passage import Passage

FORMAT = 6  # bump whenever the folder layout changes: older indexes are then rebuilt, nothing reused
METRIC = "inner_product"
MANIFEST = manifest_file.MANIFEST
LEXICAL = "bm25"
ANN_FILES = {"passages": "passages.ann", "units": "units.ann"}
# The files every load reads; each must be in the manifest with its sha256 (and the .ann files when listed).
REQUIRED_FILES = (
    "passage_vectors.npy", "unit_vectors.npy", "passage_keys.npy", "unit_keys.npy", "passages.jsonl",
    "sentence_offsets.npy", "reviews.json", "ingest.json", *(f"{LEXICAL}/{name}" for name in lexical.FILES),
)
CODE_DIR = Path(__file__).parent
# The code that shapes passages and their spoiler labels: when it changes, every review is read again.
PASSAGE_CODE = ("ingest.py", "text.py", "labels.py", "spoilers.py", "data/spoiler_cues.yaml", "passage.py")
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
class Contents:
    """What a build writes: the passages in order with their vectors and keys, and the reviews."""

    passages: list[Passage]
    passage_vectors: np.ndarray
    unit_vectors: np.ndarray
    passage_keys: np.ndarray
    unit_keys: np.ndarray
    sentence_offsets: np.ndarray
    reviews: list[dict]
    dropped: dict


def fingerprint(sources: dict[str, str], model: str) -> str:
    """What the index content depends on: the source files, the model (its name, or its name and
    hash) and the index code."""
    code = {name: file_sha256(CODE_DIR / name) for name in _INDEX_CODE}
    blob = json.dumps({"sources": sources, "model": model, "code": code, "format": FORMAT}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def rebuild_reason(folder: Path, expected_fingerprint: str) -> str | None:
    """Why ``folder`` must be rebuilt (missing, damaged, or built from other sources), or None when it is intact
    and current."""
    try:
        manifest = read_manifest(folder)
        _verify_files(folder, manifest)
    except IndexUnavailable as unusable:
        return unusable.problem
    if manifest.get("fingerprint") != expected_fingerprint:
        return CHANGED
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


def embed(passages: list[Passage], encoder, model: str, *, progress: bool = False) -> Contents:
    """Every vector of ``passages``, embedded now (no reuse), with its content key."""
    paragraphs = [paragraph_text(p) for p in passages]
    units = [text for p in passages for text in unit_texts(p)]
    return Contents(
        list(passages), encoder.encode(paragraphs, progress=progress), encoder.encode(units, progress=progress),
        content_keys(paragraphs, model), content_keys(units, model), offsets_of(passages), [], {})


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
    passages = spoilers.label(passages, encoder)
    contents = embed(passages, encoder, model_identity or model_name, progress=progress)
    contents.reviews = reviews or []
    searches = ann.build(contents.passage_vectors, ann_threshold), ann.build(contents.unit_vectors, ann_threshold)
    return write(folder, contents, searches, model_name=model_name, sources=sources, fingerprint_=fingerprint_,
                 started=started)


def write(folder: Path, contents: Contents, searches: tuple, *, model_name: str, sources: dict[str, str],
          fingerprint_: str, started: float, extra: dict | None = None, lexical_reuse: tuple | None = None) -> dict:
    """Write ``contents`` and its search structures (``(passages, units)``, each a pair of the
    search and its description) beside ``folder``, checksum every file and swap the folder in.

    ``lexical_reuse``: the previous index's BM25 tokens and, for each passage, its row there (or -1)."""
    (passage_search, passage_info), (unit_search, unit_info) = searches
    tmp = folder.with_name(folder.name + ".building")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name, array in (("passage_vectors", contents.passage_vectors), ("unit_vectors", contents.unit_vectors),
                        ("passage_keys", contents.passage_keys), ("unit_keys", contents.unit_keys),
                        ("sentence_offsets", contents.sentence_offsets)):
        np.save(tmp / f"{name}.npy", np.ascontiguousarray(array))
    for (kind, search), info in zip((("passages", passage_search), ("units", unit_search)), (passage_info, unit_info),
                                    strict=True):
        if info["type"] != "flat":
            ann.save(search, tmp / ANN_FILES[kind])
    with open(tmp / "passages.jsonl", "w", encoding="utf-8") as out:
        for passage in contents.passages:
            out.write(json.dumps(passage.to_dict(), ensure_ascii=False) + "\n")
    (tmp / "reviews.json").write_text(json.dumps(contents.reviews, ensure_ascii=False, indent=1) + "\n",
                                      encoding="utf-8")
    (tmp / "ingest.json").write_text(json.dumps({"dropped": contents.dropped}, ensure_ascii=False) + "\n",
                                     encoding="utf-8")
    (tmp / LEXICAL).mkdir()
    lexical.build([p.text for p in contents.passages], *(lexical_reuse or ())).save(tmp / LEXICAL)

    manifest = {
        "format": FORMAT,
        "model": {"name": model_name, "dimension": int(contents.passage_vectors.shape[1]), "normalized": True},
        "metric": METRIC,
        "index_type": passage_info["type"],
        "sentence_index_type": unit_info["type"],
        "ann": {"passages": passage_info, "units": unit_info},
        "passages": len(contents.passages),
        "spoilers": sum(bool(p.spoiler) for p in contents.passages),
        "sentences": int(len(contents.unit_vectors)),
        "sources": sources,
        "fingerprint": fingerprint_,
        **(extra or {}),
        "versions": {name: metadata.version(name) for name in ("faiss-cpu", "sentence-transformers", "numpy", "bm25s")},
        "files": {name: file_sha256(tmp / name) for name in _files_in(tmp)},
        "build_seconds": round(time.perf_counter() - started, 3),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    if missing := sorted(set(_required(manifest)) - set(manifest["files"])):
        raise RuntimeError(f"the index build wrote no {missing[0]} (a bm25s upgrade?); it could never be loaded")
    (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    _swap_in(tmp, folder)
    return manifest


def load(folder: Path, *, model_name: str, dimension: int, verified: bool = False, lexical_index: bool = True
         ) -> LoadedIndex:
    """Read and check an index built by :func:`build` for this model.

    ``verified``: its files were checked against the manifest a moment ago (an update, right after
    :func:`rebuild_reason`), so they are not hashed again; ``lexical_index=False`` leaves BM25 unread
    (an update builds its own)."""
    manifest = read_manifest(folder)
    if manifest["model"]["name"] != model_name:
        raise IndexUnavailable(f"{folder}: built with model {manifest['model']['name']!r}, not {model_name!r}")
    if manifest["model"]["dimension"] != dimension or not manifest["model"]["normalized"]:
        raise IndexUnavailable(f"{folder}: vectors do not match the model (dimension or normalisation)")
    if not verified:
        _verify_files(folder, manifest)
    try:
        passage_matrix, unit_matrix = (_read_only(np.load(folder / name)) for name in
                                       ("passage_vectors.npy", "unit_vectors.npy"))
        searches = {kind: ann.load(matrix, folder / ANN_FILES[kind] if ANN_FILES[kind] in manifest["files"] else None)
                    for kind, matrix in (("passages", passage_matrix), ("units", unit_matrix))}
        with open(folder / "passages.jsonl", encoding="utf-8") as lines:
            passages = tuple(Passage.from_dict(json.loads(line)) for line in lines)
        offsets = np.load(folder / "sentence_offsets.npy")
        keys = [np.load(folder / name) for name in ("passage_keys.npy", "unit_keys.npy")]
        bm25 = lexical.LexicalIndex.load(folder / LEXICAL) if lexical_index else None
        reviews = tuple(json.loads((folder / "reviews.json").read_text(encoding="utf-8")))
        dropped = json.loads((folder / "ingest.json").read_text(encoding="utf-8"))["dropped"]
    except (OSError, ValueError, RuntimeError, KeyError, TypeError) as error:
        raise IndexUnavailable(f"{folder}: cannot read the index ({error})") from None
    if not (len(passage_matrix) == len(passages) == len(offsets) - 1 == manifest["passages"] == len(keys[0])) or (
        len(unit_matrix) != offsets[-1] or len(keys[1]) != len(unit_matrix)
    ):
        raise IndexUnavailable(f"{folder}: vector and passage counts disagree")
    if passage_matrix.shape[1:] != (dimension,) or unit_matrix.shape[1:] != (dimension,):
        raise IndexUnavailable(f"{folder}: stored vectors have the wrong dimension")
    return LoadedIndex(folder, manifest, searches["passages"], searches["units"], passages, offsets, bm25,
                       reviews, keys[0], keys[1], dropped)


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


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
        raise ValueError("unknown format or metric")
    manifest["model"]["name"], manifest["files"], manifest["passages"], manifest["ann"]  # noqa: B018


def _required(manifest: dict) -> list[str]:
    """The files a load of this index reads: the fixed ones, and the approximate indexes it has."""
    return [*REQUIRED_FILES, *(ANN_FILES[kind] for kind, info in manifest["ann"].items() if info["type"] != "flat")]


def _files_in(folder: Path) -> list[str]:
    """Every file of an index folder but its manifest, as relative paths: a build checksums them all."""
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*")
                  if path.is_file() and path != folder / MANIFEST)


def _verify_files(folder: Path, manifest: dict) -> None:
    """Every file a load reads is listed and matches its sha256, and no file is there that the manifest does not
    list (nothing unchecked can be read)."""
    listed = manifest["files"]
    if not set(_required(manifest)) <= set(listed) or any(".." in Path(name).parts or Path(name).is_absolute()
                                                      for name in listed):
        raise IndexUnavailable(f"{folder}: manifest lists other files than this version writes")
    for name, expected in sorted(listed.items()):
        path = folder / name
        if not path.is_file():
            raise IndexUnavailable(f"{path}: missing")
        if file_sha256(path) != expected:
            raise IndexUnavailable(f"{path}: corrupt (checksum mismatch)")
    unlisted = sorted(set(_files_in(folder)) - set(listed))
    if unlisted:
        raise IndexUnavailable(f"{folder / unlisted[0]}: not in the manifest")


def _swap_in(tmp: Path, folder: Path) -> None:
    old = folder.with_name(folder.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        folder.rename(old)
    tmp.rename(folder)
    shutil.rmtree(old, ignore_errors=True)
