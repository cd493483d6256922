"""Offline ingestion: reviews folder in, index folder out, only when something changed."""

from __future__ import annotations

import os
from dataclasses import dataclass

from knowledge import index
from knowledge.ingest import load_corpus
from knowledge.passage import IngestReport


@dataclass
class RefreshResult:
    report: IngestReport
    manifest: dict
    rebuilt: bool
    reason: str | None = None  # why it was rebuilt: "--force", missing, damaged (which file), or changed sources


def refresh_index(settings, *, force: bool = False, progress: bool = False, out=None) -> RefreshResult:
    """Export the model if needed; rebuild the index when it is missing or damaged (any file, checked against
    the manifest) or when the sources, the model or the ingest code changed.

    Reading the reviews is cheap; embedding is not, so the fingerprint is compared
    first and the model is loaded only when a build is due.
    """
    from knowledge.model_export import ensure_exported, exported_identity

    ensure_exported(settings.encoder_dir, settings.embedding_model, out)
    reviews, report = load_corpus(settings.reviews_dir)
    sources = {review.id: review.sha256 for review in reviews}
    expected = index.fingerprint(sources, exported_identity(settings.encoder_dir))
    reason = "--force" if force else index.rebuild_reason(settings.index_dir, expected)
    if reason is None:
        manifest = index.read_manifest(settings.index_dir)
        report.spoilers = manifest.get("spoilers", report.spoilers)  # decided at build time, by meaning
        return RefreshResult(report, manifest, rebuilt=False)

    from knowledge.embedding import open_encoder

    passages = [passage for review in reviews for passage in review.passages]
    manifest = index.build(
        settings.index_dir,
        passages,
        open_encoder(settings, threads=os.cpu_count()),
        model_name=settings.embedding_model,
        sources=sources,
        fingerprint_=expected,
        ann_threshold=settings.ann_threshold,
        progress=progress,
        reviews=[review.metadata() for review in reviews],
    )
    report.spoilers = manifest["spoilers"]
    return RefreshResult(report, manifest, rebuilt=True, reason=reason)
