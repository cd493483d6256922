"""The on-disk index: a folder with a FAISS index, its passages and a manifest.

Layout of the folder::

    manifest.json      model, dimension, normalisation, metric, index type, versions,
                       source hashes, a fingerprint, and a sha256 of every file below
    vectors.faiss      one normalised vector per passage, embedded with its review's title
                       as context (inner product = cosine)
    sentences.faiss    normalised vectors of each passage's units, in passage order: first its
                       sentences, then its windows of two adjacent sentences
    sentence_offsets.npy  where each passage's units start in sentences.faiss
    passages.jsonl     the passages, in vector order
    reviews.json       each review's metadata (title, author, outlet, url, date, rating, names)
    bm25/              the lexical index over the same passages (its files are checksummed too)

A build writes a new folder beside the old one and swaps it in at the end, so a
failed or interrupted build never loses the index that was there. Loading checks
the manifest and the hash of every file in the folder (a file the manifest does not
list is refused as well), so a half-written, damaged or foreign index is refused with a
message rather than answering nonsense, and ``herbot index`` rebuilds it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import dataclass
from importlib import metadata
from itertools import pairwise
from pathlib import Path

import numpy as np

from knowledge import lexical, manifest_file, spoilers
from knowledge.checksums import file_sha256
from knowledge.passage import Passage

FORMAT = 5  # bump whenever the folder layout changes: older indexes are then rebuilt
METRIC = "inner_product"
MANIFEST = manifest_file.MANIFEST
LEXICAL = "bm25"
# The files a load reads; each must be in the manifest with its sha256.
REQUIRED_FILES = (
    "vectors.faiss", "sentences.faiss", "passages.jsonl", "sentence_offsets.npy", "reviews.json",
    *(f"{LEXICAL}/{name}" for name in lexical.FILES),
)
# The code that shapes passages and their vectors: when it changes, rebuild.
_INGEST_CODE = (
    "ingest.py", "text.py", "labels.py", "spoilers.py", "data/spoiler_cues.yaml", "passage.py", "lexical.py",
    "embedding.py",
)
_QUOTES = "\"“”' "  # stripped from a title used as context


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


class IndexUnavailable(RuntimeError):
    """The index is missing, corrupt or built for another model; the message says which, and what to do.

    ``problem`` is the message without the advice: what a rebuild reports as its reason.
    """

    def __init__(self, problem: str, advice: str = "run 'herbot index' to rebuild"):
        super().__init__(f"{problem}; {advice}")
        self.problem = problem


@dataclass(frozen=True)
class LoadedIndex:
    """Everything a query needs, read once: vectors, passages and sentence vectors.

    ``passage_matrix`` and ``unit_matrix`` are numpy views of the FAISS indexes' stored
    vectors (no copy), so scoring a candidate reads its vectors in place.
    """

    folder: Path
    manifest: dict
    vectors: object  # faiss.Index over passages
    sentences: object  # faiss.Index over sentences
    passages: tuple[Passage, ...]
    sentence_offsets: np.ndarray
    bm25: lexical.LexicalIndex
    passage_matrix: np.ndarray
    unit_matrix: np.ndarray
    reviews: tuple[dict, ...] = ()  # each review's metadata, in the reviews' order


def fingerprint(sources: dict[str, str], model: str) -> str:
    """What the index content depends on: the source files, the model (its name, or its name and
    hash) and the ingest code."""
    code_dir = Path(__file__).parent
    code = {name: file_sha256(code_dir / name) for name in _INGEST_CODE}
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
        return "the reviews, the model or the ingestion code changed"
    return None


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
) -> dict:
    """Embed ``passages``, write a complete index next to ``folder`` and swap it in.

    Passages whose ``spoiler`` is still undecided (``None``: no override in their review) are
    labelled here by meaning, with the same encoder (knowledge/spoilers.py).
    """
    import faiss

    started = time.perf_counter()
    passages = spoilers.label(passages, encoder)
    vectors = encoder.encode([paragraph_text(p) for p in passages], progress=progress)
    units = [unit_texts(p) for p in passages]
    sentences = [text for texts in units for text in texts]
    offsets = np.cumsum([0] + [len(texts) for texts in units]).astype(np.int64)
    sentence_vectors = encoder.encode(sentences, progress=progress)
    dimension = vectors.shape[1]
    index, index_type = _new_faiss_index(dimension, len(passages), ann_threshold)
    index.add(vectors)
    sentence_index, sentence_index_type = _new_faiss_index(dimension, len(sentences), ann_threshold)
    sentence_index.add(sentence_vectors)

    tmp = folder.with_name(folder.name + ".building")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    faiss.write_index(index, str(tmp / "vectors.faiss"))
    with open(tmp / "passages.jsonl", "w", encoding="utf-8") as out:
        for passage in passages:
            out.write(json.dumps(passage.to_dict(), ensure_ascii=False) + "\n")
    faiss.write_index(sentence_index, str(tmp / "sentences.faiss"))
    np.save(tmp / "sentence_offsets.npy", offsets)
    (tmp / "reviews.json").write_text(json.dumps(reviews or [], ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (tmp / LEXICAL).mkdir()
    lexical.build([p.text for p in passages]).save(tmp / LEXICAL)

    manifest = {
        "format": FORMAT,
        "model": {"name": model_name, "dimension": int(dimension), "normalized": True},
        "metric": METRIC,
        "index_type": index_type,
        "sentence_index_type": sentence_index_type,
        "passages": len(passages),
        "spoilers": sum(p.spoiler for p in passages),
        "sentences": len(sentences),
        "sources": sources,
        "fingerprint": fingerprint_,
        "versions": {name: metadata.version(name) for name in ("faiss-cpu", "sentence-transformers", "numpy", "bm25s")},
        "files": {name: file_sha256(tmp / name) for name in _files_in(tmp)},
        "build_seconds": round(time.perf_counter() - started, 3),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    if missing := sorted(set(REQUIRED_FILES) - set(manifest["files"])):
        raise RuntimeError(f"the index build wrote no {missing[0]} (a bm25s upgrade?); it could never be loaded")
    (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    _swap_in(tmp, folder)
    return manifest


def load(folder: Path, *, model_name: str, dimension: int) -> LoadedIndex:
    """Read and check an index built by :func:`build` for this model."""
    import faiss

    manifest = read_manifest(folder)
    if manifest["model"]["name"] != model_name:
        raise IndexUnavailable(f"{folder}: built with model {manifest['model']['name']!r}, not {model_name!r}")
    if manifest["model"]["dimension"] != dimension or not manifest["model"]["normalized"]:
        raise IndexUnavailable(f"{folder}: vectors do not match the model (dimension or normalisation)")
    _verify_files(folder, manifest)
    try:
        vectors = faiss.read_index(str(folder / "vectors.faiss"))
        with open(folder / "passages.jsonl", encoding="utf-8") as lines:
            passages = tuple(Passage.from_dict(json.loads(line)) for line in lines)
        sentences = faiss.read_index(str(folder / "sentences.faiss"))
        offsets = np.load(folder / "sentence_offsets.npy")
        bm25 = lexical.LexicalIndex.load(folder / LEXICAL)
        reviews = tuple(json.loads((folder / "reviews.json").read_text(encoding="utf-8")))
    except (OSError, ValueError, RuntimeError, KeyError, TypeError) as error:
        raise IndexUnavailable(f"{folder}: cannot read the index ({error})") from None
    if not (vectors.ntotal == len(passages) == len(offsets) - 1 == manifest["passages"]) or (
        sentences.ntotal != offsets[-1]
    ):
        raise IndexUnavailable(f"{folder}: vector and passage counts disagree")
    if vectors.d != dimension or sentences.d != dimension:
        raise IndexUnavailable(f"{folder}: stored vectors have the wrong dimension")
    return LoadedIndex(
        folder,
        manifest,
        vectors,
        sentences,
        passages,
        offsets,
        bm25,
        stored_vectors(vectors),
        stored_vectors(sentences),
        reviews,
    )


def stored_vectors(index) -> np.ndarray:
    """The vectors a flat or HNSW FAISS index stores, as a read-only numpy view (valid while it lives)."""
    import faiss

    flat = faiss.downcast_index(index.storage) if hasattr(index, "storage") else index
    view = faiss.rev_swig_ptr(flat.get_xb(), flat.ntotal * flat.d).reshape(flat.ntotal, flat.d)
    view.flags.writeable = False
    return view


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
    manifest["model"]["name"], manifest["files"], manifest["passages"]  # noqa: B018


def _files_in(folder: Path) -> list[str]:
    """Every file of an index folder but its manifest, as relative paths: a build checksums them all."""
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*")
                  if path.is_file() and path != folder / MANIFEST)


def _verify_files(folder: Path, manifest: dict) -> None:
    """Every file a load reads is listed and matches its sha256, and no file is there that the manifest does not
    list (nothing unchecked can be read)."""
    listed = manifest["files"]
    if not set(REQUIRED_FILES) <= set(listed) or any(".." in Path(name).parts or Path(name).is_absolute()
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


def _new_faiss_index(dimension: int, count: int, ann_threshold: int):
    """Exact search for small corpora; HNSW (no training pass) for large ones."""
    import faiss

    if count < ann_threshold:
        return faiss.IndexFlatIP(dimension), "flat"
    index = faiss.IndexHNSWFlat(dimension, 32, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = 80
    index.hnsw.efSearch = 128
    return index, "hnsw"


def _swap_in(tmp: Path, folder: Path) -> None:
    old = folder.with_name(folder.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        folder.rename(old)
    tmp.rename(folder)
    shutil.rmtree(old, ignore_errors=True)
