"""Offline ingestion: reviews folder in, index folder out, only when something changed, reusing what it can.

An update starts from the previous index. A review whose files hash as they did (and read
by the same passage code, with the same model) keeps its passages as they were: sentences,
spoiler labels, off-topic flags, metadata, and its rows of vectors. Only new and changed
reviews are read, labelled and embedded, and even then a text whose content key (its hash
with the model's identity, :func:`knowledge.index.content_keys`) is in the previous index
takes that vector. A removed review's rows are dropped. The result is what a build from
scratch gives (tests/test_index.py checks it); ``--force`` is that build.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from knowledge import ann, index, lexical, spoilers
from knowledge.ingest import REVIEW_SUFFIX, ReviewFileError, read_review, review_digest, review_files
from knowledge.passage import IngestReport, Passage

PARALLEL_FROM = 200  # reviews to read from which they are read on every core


@dataclass
class RefreshResult:
    report: IngestReport
    manifest: dict
    rebuilt: bool
    reason: str | None = None  # why it was rebuilt: "--force", missing, damaged (which file), or changed sources
    work: dict = field(default_factory=dict)  # what an update reused and what it embedded (see Update.work)


def refresh_index(settings, *, force: bool = False, progress: bool = False, out=None, encoder=None) -> RefreshResult:
    """Export the model if needed; update the index when it is missing or damaged (any file, checked against
    the manifest) or when the sources, the model or the index code changed.

    Hashing the review files is cheap; reading them (sentence splitting) and embedding are not,
    so the fingerprint is compared first and only what changed is read and embedded.
    ``out``: where to say what is reused and what is embedded (and how long embedding will take).
    ``encoder``: what embeds (default: the exported model on every core; benchmarks pass their own).
    """
    from knowledge.model_export import ensure_exported, exported_identity

    ensure_exported(settings.encoder_dir, settings.embedding_model, out)
    identity = exported_identity(settings.encoder_dir)
    files, skipped = review_files(settings.reviews_dir)
    if not files:
        raise ReviewFileError(f"{settings.reviews_dir}: no {REVIEW_SUFFIX} review files found")
    sources = {path.stem: review_digest(path) for path in files}
    expected = index.fingerprint(sources, identity)
    reason = "--force" if force else index.rebuild_reason(settings.index_dir, expected)
    if reason is None:
        manifest = index.read_manifest(settings.index_dir)
        return RefreshResult(_report(manifest, skipped, settings.index_dir), manifest, rebuilt=False)
    started = time.perf_counter()
    previous = None if force else _previous(settings, verified=reason == index.CHANGED)
    update = Update(settings, identity, previous, out=out, progress=progress, encoder=encoder)
    update.work["seconds"] = {"checking and reading the previous index": round(time.perf_counter() - started, 2)}
    manifest = update.run(files, sources, expected)
    return RefreshResult(_report(manifest, skipped, settings.index_dir), manifest, rebuilt=True, reason=reason,
                         work=update.work)


def _previous(settings, *, verified: bool) -> index.LoadedIndex | None:
    """The index there now, if it can be read (intact, this format, this model's dimension); None otherwise.

    ``verified``: its files were just checked against its manifest (it is only out of date)."""
    try:
        manifest = index.read_manifest(settings.index_dir)
        return index.load(settings.index_dir, model_name=settings.embedding_model,
                          dimension=manifest["model"]["dimension"], verified=verified, lexical_index=False)
    except (index.IndexUnavailable, KeyError, TypeError):
        return None


def _report(manifest: dict, skipped: list[tuple[str, str]], folder: Path) -> IngestReport:
    """The ``herbot index`` summary, from what the build recorded (nothing is read again)."""
    import json

    counts = manifest["counts"]
    dropped = json.loads((folder / "ingest.json").read_text(encoding="utf-8"))["dropped"]
    report = IngestReport(**counts, skipped=list(skipped))
    report.skipped += [tuple(item) for review in sorted(dropped) for item in dropped[review]]
    return report


class Update:
    """One build of the index, from the previous one where it can (``previous`` None: from scratch)."""

    def __init__(self, settings, identity: str, previous: index.LoadedIndex | None, *, out=None,
                 progress: bool = False, encoder=None):
        self.settings, self.identity, self.previous = settings, identity, previous
        self.out, self.progress = out, progress
        self._encoder = encoder
        self.work = {"reviews kept": 0, "reviews read": 0, "reviews removed": 0, "passages kept": 0,
                     "vectors reused": 0, "vectors embedded": 0}

    def say(self, message: str) -> None:
        if self.out is not None:
            print(message, file=self.out, flush=True)

    @property
    def encoder(self):
        if self._encoder is None:
            from knowledge.embedding import open_encoder

            self._encoder = open_encoder(self.settings, threads=os.cpu_count())
        return self._encoder

    def run(self, files: list[Path], sources: dict[str, str], fingerprint: str) -> dict:
        started = time.perf_counter()
        passage_code = index.code_hash(index.PASSAGE_CODE)
        kept_rows = self._kept_rows(sources, passage_code)
        reviews, dropped, fresh = [], {}, {}
        kept_metadata = {row["id"]: row for row in self.previous.reviews} if kept_rows else {}
        read = self._read([path for path in files if path.stem not in kept_rows])
        for path in files:
            if path.stem in kept_rows:
                reviews.append(kept_metadata[path.stem])
                dropped[path.stem] = self.previous.dropped.get(path.stem, [])
                continue
            review, lines = read[path.stem]
            reviews.append(review.metadata())
            dropped[path.stem] = [list(item) for item in lines]
            fresh[path.stem] = list(review.passages)
        old_ids = set(self.previous.manifest["sources"]) if self.previous else set()
        self.work |= {"reviews kept": len(kept_rows), "reviews read": len(fresh),
                      "reviews removed": len(old_ids - set(sources))}
        self.say(f"Index update: {len(kept_rows):,} reviews unchanged (kept as they are), {len(fresh):,} new or "
                 f"changed (read now), {self.work['reviews removed']:,} removed.")
        self._lap("reading new and changed reviews", started)
        labelled = self._labelled(fresh)
        self._lap("labelling their spoilers")
        contents, new_of_old, added = self._assemble(files, kept_rows, labelled, reviews, dropped)
        self._lap("vectors (kept, found by key, embedded)")
        searches = self._searches(contents, new_of_old, added)
        self._lap("nearest-neighbour indexes")
        counts = {"reviews": len(files), "paragraphs": sum(p.section == "body" for p in contents.passages),
                  "comments": sum(p.section == "comment" for p in contents.passages),
                  "spoilers": sum(bool(p.spoiler) for p in contents.passages),
                  "off_topic": sum(bool(p.off_topic) for p in contents.passages)}
        tokens = lexical.Tokens.read(self.previous.folder / index.LEXICAL) if kept_rows else None
        manifest = index.write(self.settings.index_dir, contents, searches, model_name=self.settings.embedding_model,
                           sources=sources, fingerprint_=fingerprint, started=started,
                           extra={"passage_code": passage_code, "encoder": self.identity, "counts": counts,
                                  "work": self.work},
                           lexical_reuse=(tokens, self._passage_rows) if tokens is not None else None)
        self._lap("writing BM25, the files and their checksums")
        return manifest

    def _lap(self, what: str, since: float | None = None) -> None:
        """Record how long the step just done took (``work["seconds"]``, printed by ``herbot index``)."""
        now = time.perf_counter()
        self.work["seconds"][what] = round(now - (since if since is not None else self._last), 2)
        self._last = now

    def _read(self, paths: list[Path]) -> dict:
        """Each review file read (split into passages); many are read on every core, saying how long it takes."""
        if len(paths) < PARALLEL_FROM:
            return {path.stem: read_review(path) for path in paths}
        from concurrent.futures import ProcessPoolExecutor

        workers = os.cpu_count() or 1
        found, progress = {}, Progress(len(paths), "reading reviews", self.say, workers)
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for path, result in zip(paths, pool.map(read_review, paths, chunksize=16), strict=True):
                found[path.stem] = result
                progress.done(len(found))
        return found

    def _kept_rows(self, sources: dict[str, str], passage_code: str) -> dict[str, tuple[int, int]]:
        """The reviews kept as they are, each with its passage rows in the previous index."""
        old = self.previous
        if old is None or old.manifest.get("passage_code") != passage_code or old.manifest.get("encoder") != \
                self.identity:
            return {}
        rows = old.review_rows
        same = {review for review, digest in sources.items() if old.manifest["sources"].get(review) == digest}
        return {review: rows[review] for review in same if review in rows}

    def _labelled(self, fresh: dict[str, list[Passage]]) -> dict[str, list[Passage]]:
        """The new reviews' passages with their spoiler labels decided (by meaning where the review does not)."""
        passages = [p for review in fresh.values() for p in review]
        if not any(p.spoiler is None for p in passages):
            return fresh
        texts = sum(len(spoilers.units_of(p)) for p in passages if p.spoiler is None)
        self.say(f"Spoiler check: {texts:,} sentences and clauses of {len(passages):,} passages.")
        labelled = iter(spoilers.label(passages, self._timed(texts, "spoiler check")))
        return {review: [next(labelled) for _ in found] for review, found in fresh.items()}

    def _assemble(self, files, kept_rows, labelled, reviews, dropped):
        """Every passage in order with its vectors: kept rows copied, the others found by key or embedded."""
        old = self.previous
        passages: list[Passage] = []
        old_passage_rows, old_unit_rows = [], []  # for each new row: the old row it copies, or -1
        for path in files:
            if path.stem in kept_rows:
                start, end = kept_rows[path.stem]
                passages += old.passages[start:end]
                old_passage_rows += range(start, end)
                old_unit_rows += range(int(old.sentence_offsets[start]), int(old.sentence_offsets[end]))
            else:
                found = labelled[path.stem]
                passages += found
                old_passage_rows += [-1] * len(found)
                old_unit_rows += [-1] * sum(len(index.unit_texts(p)) for p in found)
        self.work["passages kept"] = sum(r >= 0 for r in old_passage_rows)
        offsets = index.offsets_of(passages)
        passage_rows, unit_rows = np.array(old_passage_rows, dtype=np.int64), np.array(old_unit_rows, dtype=np.int64)
        self._passage_rows = passage_rows  # whose BM25 tokens each passage takes, too
        new = [p for p, row in zip(passages, old_passage_rows, strict=True) if row < 0]
        paragraph_vectors, paragraph_keys = self._vectors(passage_rows, [index.paragraph_text(p) for p in new],
                                                          "passages")
        unit_vectors, unit_keys = self._vectors(unit_rows, [t for p in new for t in index.unit_texts(p)], "units")
        contents = index.Contents(passages, paragraph_vectors, unit_vectors, paragraph_keys, unit_keys, offsets,
                                  reviews, dropped)
        return contents, (_new_of_old(passage_rows, old, "passages"), _new_of_old(unit_rows, old, "units")), (
            np.flatnonzero(passage_rows < 0), np.flatnonzero(unit_rows < 0))

    def _vectors(self, old_rows: np.ndarray, texts: list[str], kind: str) -> tuple[np.ndarray, np.ndarray]:
        """Vectors and keys for every row: copied where ``old_rows`` names one, else (``texts``, one for each
        row that is not copied, in order) found by key or embedded."""
        old = self.previous
        dimension = old.passage_matrix.shape[1] if old is not None else self.encoder.dimension
        vectors = np.zeros((len(old_rows), dimension), dtype=np.float32)
        keys = np.zeros(len(old_rows), dtype="<u8")
        copied = old_rows >= 0
        if copied.any():
            vectors[copied] = (old.passage_matrix if kind == "passages" else old.unit_matrix)[old_rows[copied]]
            keys[copied] = (old.passage_keys if kind == "passages" else old.unit_keys)[old_rows[copied]]
        rows = np.flatnonzero(~copied)
        if not len(rows):
            return vectors, keys
        keys[rows] = index.content_keys(texts, self.identity)
        found = _by_key(old, kind, keys[rows])
        known = found >= 0
        if known.any():
            vectors[rows[known]] = (old.passage_matrix if kind == "passages" else old.unit_matrix)[found[known]]
        missing = rows[~known]
        if len(missing):
            wanted = [texts[i] for i in np.flatnonzero(~known)]
            vectors[missing] = self._timed(len(wanted), f"embedding {kind}").encode(wanted, progress=self.progress)
        self.work["vectors reused"] += int(copied.sum() + known.sum())
        self.work["vectors embedded"] += len(missing)
        self.say(f"Vectors of {kind}: {int(copied.sum()):,} kept with their reviews, {int(known.sum()):,} found by "
                 f"content, {len(missing):,} embedded now.")
        return vectors, keys

    def _searches(self, contents: index.Contents, new_of_old, added) -> tuple:
        threshold = self.settings.ann_threshold
        old = self.previous
        found = []
        for kind, matrix, mapping, new_rows in (("passages", contents.passage_vectors, new_of_old[0], added[0]),
                                                ("units", contents.unit_vectors, new_of_old[1], added[1])):
            if old is None:
                found.append(ann.build(matrix, threshold))
                continue
            search = old.vectors if kind == "passages" else old.sentences
            info = old.manifest["ann"][kind]
            if info.get("code") != index.code_hash(("ann.py",)):
                info = {}  # built by other ANN code: trained again
            found.append(ann.update(search, info, matrix, mapping, new_rows, threshold))
        return tuple((search, {**info, "code": index.code_hash(("ann.py",))}) for search, info in found)

    def _timed(self, total: int, what: str):
        return EncodingProgress(self.encoder, total, what, self.say)


def _new_of_old(old_rows: np.ndarray, old: index.LoadedIndex | None, kind: str) -> np.ndarray:
    """For each row of the previous index: its row now, or -1 when it is gone."""
    if old is None:
        return np.zeros(0, dtype=np.int64)
    count = len(old.passage_matrix) if kind == "passages" else len(old.unit_matrix)
    mapping = np.full(count, -1, dtype=np.int64)
    copied = np.flatnonzero(old_rows >= 0)
    mapping[old_rows[copied]] = copied
    return mapping


def _by_key(old: index.LoadedIndex | None, kind: str, keys: np.ndarray) -> np.ndarray:
    """For each key, a row of the previous index whose vector has that key, or -1."""
    if old is None:
        return np.full(len(keys), -1, dtype=np.int64)
    stored = old.passage_keys if kind == "passages" else old.unit_keys
    if not len(stored):
        return np.full(len(keys), -1, dtype=np.int64)
    order = np.argsort(stored, kind="stable")
    at = np.minimum(np.searchsorted(stored[order], keys), len(order) - 1)
    return np.where(stored[order[at]] == keys, order[at], -1)


class Progress:
    """Says, at most every ``EVERY`` seconds, how far a long step is and how long it will still take."""

    EVERY = 15.0

    def __init__(self, total: int, what: str, say, workers: int | None = None):
        """``workers``: the step runs in that many processes (their CPU time is not seen until they end);
        otherwise the line says how many cores this process kept busy."""
        self.total, self.what, self.say, self.workers = total, what, say, workers
        self.started = self.last = time.perf_counter()
        self.cpu = time.process_time()

    def done(self, count: int) -> None:
        now = time.perf_counter()
        if now - self.last < self.EVERY and count < self.total:
            return
        self.last = now
        elapsed = now - self.started
        left = elapsed / max(count, 1) * (self.total - count)
        busy = f"{self.workers} processes" if self.workers else \
            f"{(time.process_time() - self.cpu) / max(elapsed, 1e-9):.1f} cores busy"
        self.say(f"  {self.what}: {count:,} of {self.total:,} ({count / self.total:.0%}), {_duration(elapsed)} so far, "
                 f"about {_duration(left)} left ({busy})")


class EncodingProgress:
    """An encoder that says, while a long embedding runs, how far it is and how long it will still take
    (:class:`Progress`). The encoder itself runs on every core: ``open_encoder(threads=cpu_count)``."""

    CHUNK = 2048

    def __init__(self, encoder, total: int, what: str, say):
        self.encoder, self.total, self.what, self.say = encoder, total, what, say
        self.dimension = encoder.dimension

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        if len(texts) <= self.CHUNK:
            return self.encoder.encode(texts, progress=progress)
        parts, said = [], Progress(len(texts), f"{self.what} (texts)", self.say)
        for start in range(0, len(texts), self.CHUNK):
            parts.append(self.encoder.encode(texts[start:start + self.CHUNK]))
            said.done(start + len(parts[-1]))
        return np.concatenate(parts)


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
