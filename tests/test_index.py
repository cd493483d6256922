"""The on-disk index: build, load in a fresh process, rebuild only on change, refuse damage."""

import json
import shutil
import subprocess
import sys

import pytest

from knowledge import index
from knowledge.pipeline import refresh_index

QUESTION = "what does Theodore do for a living?"


def test_manifest_describes_model_metric_and_sources(built_index, settings):
    manifest = index.read_manifest(settings.index_dir)
    assert manifest["model"] == {"name": "all-MiniLM-L6-v2", "dimension": 384, "normalized": True}
    assert manifest["metric"] == "inner_product"
    assert manifest["index_type"] == "flat"
    assert manifest["passages"] == 15
    assert set(manifest["sources"]) == {"her-explores-love-with-an-os", "her-makes-sci-fi-heartfelt"}
    assert {"faiss-cpu", "sentence-transformers"} <= set(manifest["versions"])


def test_second_refresh_rebuilds_nothing(built_index, settings):
    before = (settings.index_dir / "vectors.faiss").stat().st_mtime_ns
    result = refresh_index(settings)
    assert not result.rebuilt
    assert (settings.index_dir / "vectors.faiss").stat().st_mtime_ns == before


def test_a_changed_source_triggers_a_rebuild(settings, tmp_path, encoder):
    reviews = tmp_path / "reviews"
    shutil.copytree(settings.reviews_dir, reviews)
    changed = type(settings)(**{**settings.__dict__, "reviews_dir": reviews, "index_dir": tmp_path / "index"})
    assert refresh_index(changed).rebuilt
    assert not refresh_index(changed).rebuilt
    (reviews / "extra.txt").write_text("Extra\n\nA short new review of the film.\n", encoding="utf-8")
    result = refresh_index(changed)
    assert result.rebuilt and result.manifest["passages"] == 16


def test_fresh_process_loads_the_same_results(retriever, settings, herbot_home):
    here = [(h.passage.id, round(h.score, 4)) for h in retriever.search(QUESTION, top_k=3)]
    code = (
        "import json; from herbot.settings import get_settings; from knowledge.retrieval import open_retriever; "
        "hits = open_retriever(get_settings()).search("
        f"{QUESTION!r}, top_k=3); print(json.dumps([(h.passage.id, round(h.score, 4)) for h in hits]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"HERBOT_HOME": str(herbot_home), "PATH": ""},
    )
    assert [tuple(item) for item in json.loads(out.stdout)] == here


def test_corrupt_file_is_refused_and_rebuilt(settings, tmp_path):
    copy = tmp_path / "index"
    shutil.copytree(settings.index_dir, copy)
    with open(copy / "vectors.faiss", "r+b") as handle:
        handle.seek(100)
        handle.write(b"\x00garbage\x00")
    with pytest.raises(index.IndexUnavailable, match="corrupt .checksum mismatch."):
        index.load(copy, model_name=settings.embedding_model, dimension=384)
    repaired = type(settings)(**{**settings.__dict__, "index_dir": copy})
    assert refresh_index(repaired).rebuilt
    index.load(copy, model_name=settings.embedding_model, dimension=384)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda folder: shutil.rmtree(folder), "no index here; run 'herbot index'"),
        (lambda folder: (folder / "manifest.json").write_text("{not json"), "manifest is corrupt"),
        (lambda folder: (folder / "passages.jsonl").unlink(), "passages.jsonl: missing"),
    ],
)
def test_missing_or_broken_index_says_what_to_do(settings, tmp_path, damage, message):
    copy = tmp_path / "index"
    shutil.copytree(settings.index_dir, copy)
    damage(copy)
    with pytest.raises(index.IndexUnavailable, match=message):
        index.load(copy, model_name=settings.embedding_model, dimension=384)


def test_index_for_another_model_is_refused(settings):
    with pytest.raises(index.IndexUnavailable, match="built with model 'all-MiniLM-L6-v2', not 'other-model'"):
        index.load(settings.index_dir, model_name="other-model", dimension=384)


def test_large_corpora_use_hnsw_behind_the_same_api(settings, tmp_path, encoder, retriever, dev_set):
    """Above the threshold the index is approximate (HNSW); on this corpus it ranks as exact search does."""
    from knowledge.ingest import load_corpus
    from knowledge.retrieval import Retriever

    reviews, _ = load_corpus(settings.reviews_dir)
    passages = [p for review in reviews for p in review.passages]
    index.build(
        tmp_path / "hnsw",
        passages,
        encoder,
        model_name=settings.embedding_model,
        sources={},
        fingerprint_="test",
        ann_threshold=5,
    )
    loaded = index.load(tmp_path / "hnsw", model_name=settings.embedding_model, dimension=384)
    assert loaded.manifest["index_type"] == "hnsw"
    approximate = Retriever(loaded, encoder, min_score=retriever.min_score, max_query_chars=2000)
    for item in dev_set["questions"][:10]:
        exact = [h.passage.id for h in retriever.search(item["q"], top_k=3, mode="dense")]
        assert [h.passage.id for h in approximate.search(item["q"], top_k=3, mode="dense")] == exact
