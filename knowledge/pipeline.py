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
from functools import cached_property
from pathlib import Path

import numpy as np

from knowledge import ann, index, lexical, spoilers
from knowledge.film_sections import other_films_off_topic
from knowledge.ingest import REVIEW_KINDS, ReviewFileError, read_review, review_digest, review_files
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
        raise ReviewFileError(f"{settings.reviews_dir}: no review files ({REVIEW_KINDS}) found")
    sources = {path.stem: review_digest(path) for path in files}
    expected = index.fingerprint(sources, identity)
    reason = "--force" if force else index.rebuild_reason(settings.index_dir, expected)
    if reason is None:
        manifest = index.read_manifest(settings.index_dir)
        return RefreshResult(_report(manifest, skipped, settings.index_dir), manifest, rebuilt=False)
    started = time.perf_counter()
    previous = None if force or reason != index.CHANGED else _previous(settings)
    update = Update(settings, identity, previous, out=out, progress=progress, encoder=encoder)
    update.work["seconds"] = {"reading the previous index's manifest": round(time.perf_counter() - started, 2)}
    try:
        manifest = update.run(files, sources, expected)
    except index.IndexUnavailable as damaged:  # a file of the previous index it read is damaged: from scratch
        if previous is None:
            raise
        reason = damaged.problem
        update = Update(settings, identity, None, out=out, progress=progress, encoder=encoder)
        update.say(f"The previous index cannot be reused ({reason}): building it from scratch.")
        update.work["seconds"] = {}
        manifest = update.run(files, sources, expected)
    return RefreshResult(_report(manifest, skipped, settings.index_dir), manifest, rebuilt=True, reason=reason,
                         work=update.work)


def _previous(settings) -> index.Previous | None:
    """The index there now, to update, if its manifest can be read (this format, this model); None otherwise.

    Its files are checked as the update reads them; those it keeps without reading are checked at load."""
    try:
        return index.Previous.open(settings.index_dir, settings.embedding_model)
    except (index.IndexUnavailable, KeyError, TypeError):
        return None


def _report(manifest: dict, skipped: list[tuple[str, str]], folder: Path) -> IngestReport:
    """The ``herbot index`` summary, from what the build recorded (nothing is read again)."""
    counts = manifest["counts"]
    _, dropped = index.read_reviews(folder, manifest)
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
        self.kept: set[str] = set()
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
        old = self.previous
        passage_code = index.code_hash(index.PASSAGE_CODE)
        kept = self.kept = self._kept(sources, passage_code)
        read = self._read([path for path in files if path.stem not in kept])
        fresh = {stem: list(review.passages) for stem, (review, _) in read.items()}
        metadata = {stem: review.metadata() for stem, (review, _) in read.items()}
        dropped = {stem: [list(item) for item in lines] for stem, (_, lines) in read.items()}
        old_ids = set(old.manifest["sources"]) if old is not None else set()
        self.work |= {"reviews kept": len(kept), "reviews read": len(fresh),
                      "reviews removed": len(old_ids - set(sources))}
        self.say(f"Index update: {len(kept):,} reviews unchanged (kept as they are), {len(fresh):,} new or "
                 f"changed (read now), {self.work['reviews removed']:,} removed.")
        self._lap("reading new and changed reviews", started)
        labelled = self._labelled(fresh)
        self._lap("labelling their spoilers")
        vectors = self._fresh_vectors(labelled)
        plan = plan_segments(old.manifest["segments"] if old is not None else [], [path.stem for path in files],
                             kept)
        vocab = old.vocab() if old is not None else {}
        parts = self._parts(plan, kept, labelled, vectors, metadata, dropped, vocab, sources, passage_code)
        self._lap("vectors (kept, found by key, embedded) and segments")
        searches = self._searches(parts)
        self._lap("nearest-neighbour indexes")
        counts = {"reviews": len(files), "paragraphs": 0, "comments": 0, "spoilers": 0, "off_topic": 0}
        for part in parts:
            entry = old.segment_entry(part) if isinstance(part, str) else part[1].entry(part[0])
            for name in ("paragraphs", "comments", "spoilers", "off_topic"):
                counts[name] += entry["counts"][name]
        self.work["segments kept"] = sum(isinstance(part, str) for part in parts)
        self.work["segments written"] = len(parts) - self.work["segments kept"]
        manifest = index.write(self.settings.index_dir, parts, searches, vocab=vocab, cues=self._cues.stacked(),
                               extra={"passage_code": passage_code, "encoder": self.identity, "counts": counts,
                                      "cues": self._cues_key, "work": self.work},
                               model_name=self.settings.embedding_model, dimension=self._dimension, sources=sources,
                               fingerprint_=fingerprint, started=started, previous=old)
        self._lap("writing the new segments, the approximate indexes and their checksums")
        return manifest

    @property
    def _cues_key(self) -> str:
        return index.cues_key(self.identity)

    @cached_property
    def _cues(self) -> spoilers.Cues:
        """The spoiler cues and examples, their vectors kept by the previous index when it has them for this model,
        cue file and examples (encoding them would open the encoder for nothing)."""
        stacked = self.previous.cues(self._cues_key) if self.previous is not None else None
        return spoilers.Cues.for_labelling(self.encoder if stacked is None else None, stacked=stacked)

    @property
    def _dimension(self) -> int:
        return self.previous.manifest["model"]["dimension"] if self.previous is not None else self.encoder.dimension

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

    def _kept(self, sources: dict[str, str], passage_code: str) -> set[str]:
        """The reviews kept as they are: same files, read by the same passage code, embedded by the same model."""
        old = self.previous
        if old is None or old.manifest.get("passage_code") != passage_code or old.manifest.get("encoder") != \
                self.identity:
            return set()
        return {review for review, digest in sources.items()
                if old.manifest["sources"].get(review) == digest and review in old.rows}

    def _labelled(self, fresh: dict[str, list[Passage]]) -> dict[str, list[Passage]]:
        """The new reviews' passages with their spoiler labels decided (by meaning where the review does not)."""
        passages = [p for review in fresh.values() for p in review]
        if any(p.spoiler is None for p in passages):
            texts = sum(len(spoilers.units_of(p)) for p in passages if p.spoiler is None)
            self.say(f"Spoiler check: {texts:,} sentences and clauses of {len(passages):,} passages.")
            passages = spoilers.label(passages, self._timed(texts, "spoiler check"), self._cues)
        labelled = iter(other_films_off_topic(passages, self._cues.title))
        return {review: [next(labelled) for _ in found] for review, found in fresh.items()}

    def _fresh_vectors(self, labelled: dict[str, list[Passage]]) -> dict[str, tuple]:
        """Per new or changed review: its passage vectors, unit vectors and their keys, each found by key in
        the previous index or embedded (all of them together, in one pass per kind)."""
        passages = [p for found in labelled.values() for p in found]
        paragraphs = self._vectors([index.paragraph_text(p) for p in passages], "passages")
        units = self._vectors([t for p in passages for t in index.unit_texts(p)], "units")
        self.work["vectors reused"] += sum(int(self.previous.rows[review][2] + self.previous.rows[review][4])
                                           for review in self.kept) if self.previous is not None else 0
        found, row, unit = {}, 0, 0
        for review, own in labelled.items():
            count = sum(len(index.unit_texts(p)) for p in own)
            found[review] = (paragraphs[0][row:row + len(own)], units[0][unit:unit + count],
                             paragraphs[1][row:row + len(own)], units[1][unit:unit + count])
            row, unit = row + len(own), unit + count
        return found

    def _vectors(self, texts: list[str], kind: str) -> tuple[np.ndarray, np.ndarray]:
        """Vectors and keys of ``texts``: found by key in the previous index, else embedded."""
        keys = index.content_keys(texts, self.identity)
        vectors = np.zeros((len(texts), self._dimension), dtype=np.float32)
        found = _by_key(self.previous.keys(kind), keys) if self.previous is not None and len(texts) else \
            np.full(len(texts), -1, dtype=np.int64)
        known = found >= 0
        if known.any():
            vectors[known] = self.previous.vectors(kind, found[known])
        missing = np.flatnonzero(~known)
        if len(missing):
            wanted = [texts[i] for i in missing]
            vectors[missing] = self._timed(len(wanted), f"embedding {kind}").encode(wanted, progress=self.progress)
        self.work["vectors reused"] += int(known.sum())
        self.work["vectors embedded"] += len(missing)
        self.say(f"Vectors of {kind}: {self._kept_count(kind):,} kept with their reviews, {int(known.sum()):,} found "
                 f"by content, {len(missing):,} embedded now.")
        return vectors, keys

    def _kept_count(self, kind: str) -> int:
        column = 2 if kind == "passages" else 4
        return sum(self.previous.rows[review][column] for review in self.kept) if self.previous else 0

    def _parts(self, plan, kept, labelled, vectors, metadata, dropped, vocab, sources, passage_code) -> list:
        """The new index's segments in order: an old segment's name where it is kept whole, else the segment to
        write (its kept reviews taken from their old segments, the others from ``labelled`` and ``vectors``)."""
        old = self.previous
        tokens = self._fresh_tokens(labelled, vocab)
        parts, read_segments = [], {}
        self.work["passages kept"] = sum(old.rows[review][2] for review in kept) if old is not None else 0
        for reviews, reused in plan:
            if reused is not None:
                parts.append(reused)
                continue
            pieces = []
            for review in reviews:
                if review in kept:
                    segment = old.rows[review][0]
                    if segment not in read_segments:
                        read_segments[segment] = _OldSegment(old, segment)
                    pieces.append(read_segments[segment].piece(review))
                else:
                    pieces.append(index.Segment([metadata[review]], {review: dropped[review]}, labelled[review],
                                                *vectors[review], *tokens[review]))
            parts.append((index.segment_name(reviews, sources, passage_code), _joined(pieces, self._dimension)))
        return parts

    def _fresh_tokens(self, labelled: dict[str, list[Passage]], vocab: dict[str, int]) -> dict[str, tuple]:
        """Each new review's BM25 token ids and offsets (the vocabulary grows), tokenized in one pass."""
        passages = [p for found in labelled.values() for p in found]
        ids, offsets = lexical.token_ids([p.text for p in passages], vocab)
        found, row = {}, 0
        for review, own in labelled.items():
            start, end = offsets[row], offsets[row + len(own)]
            found[review] = (ids[start:end], offsets[row:row + len(own) + 1] - start)
            row += len(own)
        return found

    def _searches(self, parts: list) -> index.Searches:
        """The approximate indexes over the new rows: the previous ones with the rows gone dropped, the others
        renumbered and the new ones added (or built, below the threshold: none)."""
        old = self.previous
        threshold = self.settings.ann_threshold
        code = index.code_hash(("ann.py",))
        layout = _Layout(old, parts, self.kept)
        found = {}
        for kind in ("passages", "units"):
            info = old.manifest["ann"][kind] if old is not None else {}
            if info.get("code") != code:
                info = {}  # built by other ANN code: trained again
            search = old.search(kind) if old is not None and info else None
            built, described = ann.update(search, info, layout.total(kind), layout.new_of_old(kind),
                                          layout.added(kind), layout.added_vectors(kind),
                                          lambda kind=kind: layout.matrix(kind), threshold)
            found[kind] = (built, {**described, "code": code})
        return index.Searches(found["passages"][0], found["units"][0], found["passages"][1], found["units"][1])

    def _timed(self, total: int, what: str):
        return EncodingProgress(self.encoder, total, what, self.say)


class _OldSegment:
    """A segment of the previous index whose reviews go, some of them, into a segment written anew."""

    def __init__(self, old: index.Previous, name: str):
        self.passages, described = old.segment(name)
        self.metadata = {row["id"]: row for row in described["reviews"]}
        self.dropped = described["dropped"]
        self.arrays = {name_: old.array(name, name_) for name_ in index._ARRAYS if name_ != "sentence_offsets"}
        self.rows = index.review_rows(self.passages)
        self.offsets = index.offsets_of(self.passages)

    def piece(self, review: str) -> index.Segment:
        """The review's passages, vectors and tokens, as a segment of one review."""
        start, end = self.rows.get(review, (0, 0))
        units = slice(int(self.offsets[start]), int(self.offsets[end]))
        tokens = self.arrays["token_offsets"]
        return index.Segment([self.metadata[review]], {review: self.dropped.get(review, [])}, self.passages[start:end],
                             self.arrays["passage_vectors"][start:end], self.arrays["unit_vectors"][units],
                             self.arrays["passage_keys"][start:end], self.arrays["unit_keys"][units],
                             self.arrays["tokens"][tokens[start]:tokens[end]], tokens[start:end + 1] - tokens[start])


def _joined(pieces: list[index.Segment], dimension: int) -> index.Segment:
    """One segment of these one-review segments, in order."""
    def stacked(name: str, empty) -> np.ndarray:
        parts = [getattr(piece, name) for piece in pieces]
        return np.concatenate(parts) if parts else empty

    offsets, start = [np.zeros(1, dtype=np.int64)], 0
    for piece in pieces:
        offsets.append(np.asarray(piece.token_offsets[1:], dtype=np.int64) + start)
        start += int(piece.token_offsets[-1])
    vectors = np.zeros((0, dimension), dtype=np.float32)
    return index.Segment(
        [row for piece in pieces for row in piece.reviews],
        {review: lines for piece in pieces for review, lines in piece.dropped.items()},
        [p for piece in pieces for p in piece.passages], stacked("passage_vectors", vectors),
        stacked("unit_vectors", vectors), stacked("passage_keys", np.zeros(0, "<u8")),
        stacked("unit_keys", np.zeros(0, "<u8")), stacked("tokens", np.zeros(0, np.int32)).astype(np.int32),
        np.concatenate(offsets))


def plan_segments(old: list[dict], reviews: list[str], kept: set[str]) -> list[tuple[list[str], str | None]]:
    """The new index's segments in order, each its reviews and the old segment's name when it is kept whole.

    A review stays in its old segment; a new one joins the segment of the review before it (new
    reviews before any old one make a segment of their own), so that an old segment is rewritten only when one of its
    reviews changed, left or came; a segment grown past twice ``SEGMENT_REVIEWS`` is cut up."""
    owner = {review: entry["name"] for entry in old for review, _, _ in entry["reviews"]}
    members = {entry["name"]: [review for review, _, _ in entry["reviews"]] for entry in old}
    runs: list[tuple[str | None, list[str]]] = []
    for review in reviews:
        segment = owner.get(review, runs[-1][0] if runs else None)
        if runs and (runs[-1][0] == segment or segment is None):
            runs[-1][1].append(review)
        else:
            runs.append((segment, [review]))
    plan = []
    for segment, members_now in runs:
        if segment is not None and members[segment] == members_now and kept.issuperset(members_now):
            plan.append((members_now, segment))
            continue
        size = index.SEGMENT_REVIEWS if len(members_now) > 2 * index.SEGMENT_REVIEWS else len(members_now)
        plan += [(members_now[start:start + size], None) for start in range(0, len(members_now), size)]
    return plan


class _Layout:
    """Where each row of the previous index goes in the new one, and the new rows, per kind of vector."""

    def __init__(self, old: index.Previous | None, parts: list, kept: set[str]):
        self.old, self.parts, self.kept = old, parts, kept
        self._moves = {"passages": [], "units": []}  # (old start, new start, count) of each kept review
        self._added = {"passages": [], "units": []}  # (new start, vectors) of each written segment's rows
        self._totals = {"passages": 0, "units": 0}
        for part in parts:
            if isinstance(part, str):
                reviews = [(review, True) for review, _, _ in old.segment_entry(part)["reviews"]]
                self._place(reviews, None)
            else:
                self._place([(row["id"], False) for row in part[1].reviews], part[1])

    def _place(self, reviews, segment: index.Segment | None) -> None:
        """Rows of one part: kept segments move whole; a written one's kept reviews move, its others are added."""
        rows = index.review_rows(segment.passages) if segment is not None else {}
        offsets = segment.sentence_offsets if segment is not None else None
        for review, whole in reviews:
            kept = whole or review in self.kept
            if segment is not None:
                start, end = rows.get(review, (0, 0))
                counts = {"passages": end - start, "units": int(offsets[end] - offsets[start])}
                local = {"passages": start, "units": int(offsets[start])}
            else:
                _, _, passages, _, units = self.old.rows[review]
                counts = {"passages": passages, "units": units}
            for kind in ("passages", "units"):
                if kept:
                    _, passage_start, _, unit_start, _ = self.old.rows[review]
                    self._moves[kind].append((passage_start if kind == "passages" else unit_start,
                                              self._totals[kind], counts[kind]))
                else:
                    vectors = segment.passage_vectors if kind == "passages" else segment.unit_vectors
                    self._added[kind].append((self._totals[kind], vectors[local[kind]:local[kind] + counts[kind]]))
                self._totals[kind] += counts[kind]

    def total(self, kind: str) -> int:
        return self._totals[kind]

    def new_of_old(self, kind: str) -> np.ndarray:
        if self.old is None:
            return np.zeros(0, dtype=np.int64)
        mapping = np.full(self.old.totals[0 if kind == "passages" else 1], -1, dtype=np.int64)
        for old_start, new_start, count in self._moves[kind]:
            mapping[old_start:old_start + count] = np.arange(new_start, new_start + count)
        return mapping

    def added(self, kind: str) -> np.ndarray:
        return np.concatenate([np.arange(start, start + len(vectors)) for start, vectors in self._added[kind]]
                              ).astype(np.int64) if self._added[kind] else np.zeros(0, dtype=np.int64)

    def added_vectors(self, kind: str) -> np.ndarray:
        parts = [vectors for _, vectors in self._added[kind]]
        return np.concatenate(parts) if parts else np.zeros((0, 1), dtype=np.float32)

    def matrix(self, kind: str) -> np.ndarray:
        """Every vector of the new index, in order (when an approximate index is built from scratch)."""
        name = "passage_vectors" if kind == "passages" else "unit_vectors"
        return np.concatenate([self.old.array(part, name) if isinstance(part, str) else getattr(part[1], name)
                               for part in self.parts])


def _by_key(stored: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """For each key, a row of ``stored`` (the previous index's keys) with that key, or -1."""
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
