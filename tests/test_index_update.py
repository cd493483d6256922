"""Updating the index from the previous one: what it reuses, what it embeds, and that the result is
the index a build from scratch gives (passages, labels, metadata, vectors, search)."""

import io
import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from knowledge import index
from knowledge.ingest import META_SUFFIX
from knowledge.pipeline import refresh_index
from knowledge.retrieval import Retriever
from tests.support.corpora import MORE_REVIEWS, SEED_REVIEWS

DATA = Path(__file__).parent / "data"
NEW_REVIEW = DATA / "blind4_reviews" / "not-for-me.txt"
EDITED, REMOVED = MORE_REVIEWS[0].stem, MORE_REVIEWS[2].stem


def _copy(files, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for path in files:
        shutil.copy(path, folder / path.name)
        if (sidecar := path.with_name(path.stem + META_SUFFIX)).is_file():
            shutil.copy(sidecar, folder / sidecar.name)
    return folder


def _change(reviews: Path) -> None:
    """A review added, one edited (a sentence added to its second paragraph), one removed."""
    _copy([NEW_REVIEW], reviews)
    edited = reviews / f"{EDITED}.txt"
    paragraphs = edited.read_text(encoding="utf-8").split("\n\n")
    paragraphs[2] = paragraphs[2].rstrip() + " I left the cinema thinking about my own phone."
    edited.write_text("\n\n".join(paragraphs), encoding="utf-8")
    (reviews / f"{REMOVED}.txt").unlink()


def _loaded(settings) -> index.LoadedIndex:
    return index.load(settings.index_dir, model_name=settings.embedding_model, dimension=384)


def _same_index(updated: index.LoadedIndex, scratch: index.LoadedIndex) -> None:
    assert [p.to_dict() for p in updated.passages] == [p.to_dict() for p in scratch.passages]
    assert updated.reviews == scratch.reviews
    assert updated.dropped == scratch.dropped
    assert np.array_equal(updated.sentence_offsets, scratch.sentence_offsets)
    assert np.array_equal(updated.passage_keys, scratch.passage_keys)
    assert np.array_equal(updated.unit_keys, scratch.unit_keys)
    # Batches of other sizes pad differently: the same text's vector agrees to rounding.
    assert np.allclose(updated.passage_matrix, scratch.passage_matrix, atol=1e-5)
    assert np.allclose(updated.unit_matrix, scratch.unit_matrix, atol=1e-5)
    for key in ("passages", "sentences", "spoilers", "sources", "fingerprint", "counts", "index_type",
                "sentence_index_type"):
        assert updated.manifest[key] == scratch.manifest[key], key


def _inodes(folder: Path) -> dict[str, int]:
    return {path.relative_to(folder).as_posix(): path.stat().st_ino for path in folder.rglob("*") if path.is_file()}


@pytest.fixture(scope="module")
def corpus(settings, tmp_path_factory):
    """Six reviews indexed from scratch in segments of two, then changed (one added, one edited, one removed)
    and updated: the first segment is kept, the others are written again."""
    home = tmp_path_factory.mktemp("update")
    reviews = _copy([*SEED_REVIEWS, *MORE_REVIEWS], home / "reviews")
    own = replace(settings, reviews_dir=reviews, index_dir=home / "index")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index, "SEGMENT_REVIEWS", 2)
        first = refresh_index(own)
        before, inodes = _loaded(own), _inodes(own.index_dir)
        _change(reviews)
        said = io.StringIO()
        updated = refresh_index(own, out=said)
        scratch = replace(own, index_dir=home / "scratch")
        refresh_index(scratch, force=True)
    return {"first": first, "before": before, "updated": updated, "said": said.getvalue(), "own": own,
            "scratch": scratch, "inodes": inodes}


def test_an_update_reads_and_embeds_only_the_new_and_changed_reviews(corpus):
    work, before = corpus["updated"].work, corpus["before"]
    assert corpus["updated"].rebuilt and corpus["first"].work["reviews read"] == 6
    assert (work["reviews kept"], work["reviews read"], work["reviews removed"]) == (4, 2, 1)
    kept = [p for p in before.passages if p.review not in (EDITED, REMOVED)]
    assert work["passages kept"] == len(kept)
    edited_passages = [p for p in before.passages if p.review == EDITED]
    # The edited review's untouched paragraphs are found by their content keys: only the edited one,
    # its units and the new review are embedded.
    new_review = [p for p in _loaded(corpus["own"]).passages if p.review == NEW_REVIEW.stem]
    new_texts = len(new_review) + sum(len(index.unit_texts(p)) for p in new_review)
    assert new_texts < work["vectors embedded"] < new_texts + len(edited_passages) * 4
    total = len(_loaded(corpus["own"]).passage_matrix) + len(_loaded(corpus["own"]).unit_matrix)
    assert work["vectors reused"] + work["vectors embedded"] == total
    said = corpus["said"]
    assert "4 reviews unchanged (kept as they are), 2 new or changed (read now), 1 removed" in said
    assert "found by content" in said and "embedded now" in said


def test_an_updated_index_equals_one_built_from_scratch(corpus):
    _same_index(_loaded(corpus["own"]), _loaded(corpus["scratch"]))


def test_an_update_writes_only_the_segments_whose_reviews_changed(corpus):
    """The first segment (two seed reviews) is kept: its files are the previous index's, hard-linked, and the
    manifest keeps their checksums; the segments of the edited, added and removed reviews are written anew."""
    work, manifest = corpus["updated"].work, index.read_manifest(corpus["own"].index_dir)
    first = corpus["first"].manifest["segments"][0]
    assert manifest["segments"][0] == first and [review for review, _, _ in first["reviews"]] == [
        path.stem for path in SEED_REVIEWS]
    assert (work["segments kept"], work["segments written"]) == (1, 2)
    now = _inodes(corpus["own"].index_dir)
    kept = [name for name in now if name.startswith(f"{index.SEGMENTS}/{first['name']}/")]
    assert len(kept) == len(index.SEGMENT_FILES)
    assert all(now[name] == corpus["inodes"][name] for name in kept)
    assert all(manifest["files"][name] == corpus["first"].manifest["files"][name] for name in kept)
    written = [name for name in now if name.startswith(f"{index.SEGMENTS}/") and name not in kept]
    assert written and not any(now[name] == corpus["inodes"].get(name) for name in written)


def test_new_reviews_join_the_segment_before_them_and_a_grown_segment_is_cut(monkeypatch):
    from knowledge.pipeline import plan_segments

    monkeypatch.setattr(index, "SEGMENT_REVIEWS", 2)
    old = [{"name": "a", "reviews": [["r1", 1, 1], ["r3", 1, 1]]},
           {"name": "b", "reviews": [["r5", 1, 1], ["r7", 1, 1]]}]
    every = {"r1", "r3", "r5", "r7"}
    assert plan_segments(old, ["r1", "r3", "r5", "r7"], every) == [(["r1", "r3"], "a"), (["r5", "r7"], "b")]
    assert plan_segments(old, ["r1", "r3", "r4", "r5", "r7"], every) == [
        (["r1", "r3", "r4"], None), (["r5", "r7"], "b")]
    assert plan_segments(old, ["r0", "r1", "r3", "r7"], every) == [(["r0"], None), (["r1", "r3"], "a"), (["r7"], None)]
    assert plan_segments(old, ["r1", "r3", "r5", "r7"], every - {"r1"}) == [(["r1", "r3"], None), (["r5", "r7"], "b")]
    grown = ["r1", "r2", "r2a", "r2b", "r3", "r4"]
    assert plan_segments(old, [*grown, "r5", "r7"], every) == [
        (["r1", "r2"], None), (["r2a", "r2b"], None), (["r3", "r4"], None), (["r5", "r7"], "b")]


def _flip_a_byte(path: Path) -> None:
    content = bytearray(path.read_bytes())
    content[-7] ^= 0x01
    path.write_bytes(bytes(content))


def test_a_damaged_segment_an_update_keeps_is_refused_at_load_and_then_rebuilt(settings, tmp_path, monkeypatch):
    """An update does not hash the segments it keeps: the load after it does, refuses the damage with a message,
    and the next ``herbot index`` rebuilds."""
    monkeypatch.setattr(index, "SEGMENT_REVIEWS", 2)
    reviews = _copy([*SEED_REVIEWS, *MORE_REVIEWS], tmp_path / "reviews")
    own = replace(settings, reviews_dir=reviews, index_dir=tmp_path / "index")
    refresh_index(own)
    first = index.read_manifest(own.index_dir)["segments"][0]["name"]
    _flip_a_byte(own.index_dir / index.SEGMENTS / first / "unit_vectors.npy")
    _copy([NEW_REVIEW], reviews)
    assert refresh_index(own).work["segments kept"] == 2  # the first and the last; the new review joins the second
    with pytest.raises(index.IndexUnavailable, match=f"{first}/unit_vectors.npy: corrupt .checksum mismatch.; run"):
        _loaded(own)
    repaired = refresh_index(own)
    assert repaired.rebuilt and repaired.reason.endswith(f"{first}/unit_vectors.npy: corrupt (checksum mismatch)")
    assert repaired.work["reviews read"] == 7
    _loaded(own)


def test_a_damaged_file_an_update_reads_makes_it_build_from_scratch(settings, tmp_path):
    reviews = _copy([*SEED_REVIEWS, *MORE_REVIEWS], tmp_path / "reviews")
    own = replace(settings, reviews_dir=reviews, index_dir=tmp_path / "index")
    refresh_index(own)
    _flip_a_byte(own.index_dir / index.VOCAB)
    _copy([NEW_REVIEW], reviews)
    said = io.StringIO()
    result = refresh_index(own, out=said)
    assert result.reason == f"{own.index_dir / index.VOCAB}: corrupt (checksum mismatch)"
    assert result.work["reviews kept"] == 0 and result.work["reviews read"] == 7
    assert "cannot be reused" in said.getvalue()
    _loaded(own)


def test_bm25_scores_from_stored_term_counts_are_those_of_bm25s(corpus):
    """Scored at load from each passage's token ids, BM25 gives bm25s's own scores (the library it replaces
    for scoring, and whose tokenizer it keeps)."""
    import bm25s

    from knowledge import lexical

    loaded = _loaded(corpus["own"])
    reference = bm25s.BM25()
    reference.index(lexical.tokenize([p.text for p in loaded.passages]), show_progress=False)
    for question in ("what did they think of Phoenix?", "the phone in the cinema", "Arcade Fire score", "ending",
                     "love love story"):
        tokens = [t for t in lexical.tokenize([question])[0] if t in loaded.bm25.vocab]
        assert tokens
        assert np.allclose(loaded.bm25.scores(tokens), reference.get_scores(tokens), rtol=1e-5, atol=1e-6)


def test_an_update_with_nothing_changed_rebuilds_nothing(corpus):
    again = refresh_index(corpus["own"])
    assert not again.rebuilt and again.report.reviews == 6


def test_an_approximate_index_is_updated_in_place_and_searches_as_a_fresh_one(settings, encoder, tmp_path,
                                                                               dev_set):
    """Above the threshold the IVF index drops the removed rows, renumbers the others and adds the new ones;
    it then finds, question by question, what the one built from scratch finds."""
    reviews = _copy([*SEED_REVIEWS, *MORE_REVIEWS], tmp_path / "reviews")
    own = replace(settings, reviews_dir=reviews, index_dir=tmp_path / "index", ann_threshold=40)
    refresh_index(own)
    assert _loaded(own).manifest["index_type"] == "ivf"
    _change(reviews)
    assert refresh_index(own).work["reviews kept"] == 4
    scratch = replace(own, index_dir=tmp_path / "scratch")
    refresh_index(scratch, force=True)
    updated, fresh = _loaded(own), _loaded(scratch)
    _same_index(updated, fresh)
    assert updated.manifest["ann"]["units"]["type"] == "ivf"
    for item in dev_set["questions"][:12]:
        query = encoder.encode_query(item["q"])
        for search in ("vectors", "sentences"):
            assert list(getattr(updated, search).search(query, 5)) == list(getattr(fresh, search).search(query, 5))
    by_update = Retriever(updated, encoder, min_score=0.2, max_query_chars=2000)
    by_scratch = Retriever(fresh, encoder, min_score=0.2, max_query_chars=2000)
    question = "what did the critics think of the ending?"
    assert [h.passage.id for h in by_update.search(question)] == [h.passage.id for h in by_scratch.search(question)]


def test_another_model_or_index_format_reuses_nothing(settings, tmp_path):
    keys = index.content_keys(["the same words"], "model-a sha256:1")
    assert keys[0] != index.content_keys(["the same words"], "model-b sha256:1")[0]
    assert keys[0] == index.content_keys(["the same words"], "model-a sha256:1")[0]
    reviews = _copy(SEED_REVIEWS, tmp_path / "reviews")
    own = replace(settings, reviews_dir=reviews, index_dir=tmp_path / "index")
    total = refresh_index(own).work["vectors embedded"]
    manifest_path = own.index_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["format"] = index.FORMAT - 1
    manifest_path.write_text(json.dumps(manifest))
    again = refresh_index(own)
    assert again.rebuilt and again.work["vectors embedded"] == total and again.work["vectors reused"] == 0


def test_an_update_ranks_by_bm25_as_a_fresh_build(corpus, encoder):
    """The kept passages' BM25 tokens are reused, the new ones tokenized: the scores are a fresh build's."""
    updated = index.load(corpus["own"].index_dir, model_name="all-MiniLM-L6-v2", dimension=384)
    scratch = index.load(corpus["scratch"].index_dir, model_name="all-MiniLM-L6-v2", dimension=384)
    assert updated.manifest["work"]["passages kept"] > 0
    for question in ("what did they think of Phoenix?", "the phone in the cinema", "Arcade Fire score", "ending"):
        assert [(row, round(score, 5)) for row, score in updated.bm25.search(question, 10)] == [
            (row, round(score, 5)) for row, score in scratch.bm25.search(question, 10)]
