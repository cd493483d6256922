"""The on-disk index: build, load in a fresh process, rebuild only on change, refuse damage."""

import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
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


def _segment_file(folder: Path, name: str) -> str:
    """A file of the index by its name: a global one, or that file of the first segment."""
    if name in index.SEGMENT_FILES:
        return f"{index.SEGMENTS}/{index.read_manifest(folder)['segments'][0]['name']}/{name}"
    return name


def test_second_refresh_rebuilds_nothing(built_index, settings):
    before = (settings.index_dir / "manifest.json").stat().st_mtime_ns
    result = refresh_index(settings)
    assert not result.rebuilt
    assert (settings.index_dir / "manifest.json").stat().st_mtime_ns == before


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


def test_the_manifest_checksums_every_file_of_the_index(built_index, settings):
    """The BM25 files too: nothing a load reads may escape the check."""
    folder = settings.index_dir
    on_disk = {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()}
    manifest = index.read_manifest(folder)
    listed = manifest["files"]
    assert set(listed) == on_disk - {"manifest.json"}
    assert set(index._required(manifest)) <= set(listed)
    assert {index.VOCAB, _segment_file(folder, "tokens.npy"), _segment_file(folder, "passage_vectors.npy")} <= set(
        listed)


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _overwrite(path: Path) -> None:
    """Same size, one byte changed in the middle: a load may well succeed, with other rankings."""
    content = bytearray(path.read_bytes())
    content[len(content) // 2] ^= 0x01
    path.write_bytes(bytes(content))


@pytest.mark.parametrize("damage", [_truncate, _overwrite], ids=["truncated", "overwritten"])
@pytest.mark.parametrize("name", [*index.GLOBAL_FILES, *index.SEGMENT_FILES])
def test_each_damaged_file_is_noticed_and_rebuilt(built_index, retriever, settings, encoder, tmp_path, name, damage):
    from knowledge.retrieval import Retriever

    copy = tmp_path / "index"
    shutil.copytree(settings.index_dir, copy)
    name = _segment_file(copy, name)
    damage(copy / name)
    expected = index.read_manifest(copy)["fingerprint"]
    assert index.rebuild_reason(copy, expected) == f"{copy / name}: corrupt (checksum mismatch)"
    with pytest.raises(index.IndexUnavailable, match=f"{name}: corrupt .checksum mismatch.; run 'herbot index'"):
        index.load(copy, model_name=settings.embedding_model, dimension=384)

    result = refresh_index(replace(settings, index_dir=copy))
    assert result.rebuilt and result.reason == f"{copy / name}: corrupt (checksum mismatch)"
    assert index.rebuild_reason(copy, expected) is None
    repaired = Retriever(index.load(copy, model_name=settings.embedding_model, dimension=384), encoder,
                         min_score=retriever.min_score, max_query_chars=2000)
    for mode in ("bm25", "hybrid"):
        assert [(h.passage.id, round(h.score, 4)) for h in repaired.search(QUESTION, top_k=5, mode=mode)] == [
            (h.passage.id, round(h.score, 4)) for h in retriever.search(QUESTION, top_k=5, mode=mode)]


def test_a_file_the_manifest_does_not_list_is_refused(built_index, settings, tmp_path):
    copy = tmp_path / "index"
    shutil.copytree(settings.index_dir, copy)
    planted = f"{Path(_segment_file(copy, 'tokens.npy')).parent}/planted.npy"
    (copy / planted).write_bytes(b"planted")
    with pytest.raises(index.IndexUnavailable, match=f"{planted}: not in the manifest; run 'herbot index'"):
        index.load(copy, model_name=settings.embedding_model, dimension=384)


def test_herbot_index_rebuilds_a_truncated_bm25_file_without_force(built_index, settings, tmp_path):
    copy = tmp_path / "index"
    shutil.copytree(settings.index_dir, copy)
    _truncate(copy / index.VOCAB)
    env = {**os.environ, "HERBOT_HOME": str(settings.home), "HERBOT_INDEX_DIR": str(copy)}
    herbot = [str(Path(sys.executable).parent / "herbot"), "index"]
    rebuilt = subprocess.run(herbot, capture_output=True, text=True, timeout=300, env=env)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "built in " in rebuilt.stdout and f"({copy}/{index.VOCAB}: corrupt (checksum mismatch);" in (
        rebuilt.stdout), rebuilt.stdout
    again = subprocess.run(herbot, capture_output=True, text=True, timeout=300, env=env)
    assert "up to date, nothing rebuilt" in again.stdout, again.stdout


def test_corrupt_file_is_refused_and_rebuilt(settings, tmp_path):
    copy = tmp_path / "index"
    shutil.copytree(settings.index_dir, copy)
    with open(copy / _segment_file(copy, "passage_vectors.npy"), "r+b") as handle:
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
        (lambda folder: (folder / _segment_file(folder, "passages.jsonl")).unlink(), "passages.jsonl: missing"),
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


def test_large_corpora_use_an_approximate_index_behind_the_same_api(settings, tmp_path, encoder, retriever, dev_set):
    """Above the threshold the index is approximate (IVF); on this corpus it ranks as exact search does."""
    from knowledge.ingest import load_corpus
    from knowledge.retrieval import Retriever

    reviews, _ = load_corpus(settings.reviews_dir)
    passages = [p for review in reviews for p in review.passages]
    index.build(
        tmp_path / "ivf",
        passages,
        encoder,
        model_name=settings.embedding_model,
        sources={},
        fingerprint_="test",
        ann_threshold=5,
    )
    loaded = index.load(tmp_path / "ivf", model_name=settings.embedding_model, dimension=384)
    assert loaded.manifest["index_type"] == loaded.manifest["sentence_index_type"] == "ivf"
    assert {"passages.ann", "units.ann"} <= set(loaded.manifest["files"])
    approximate = Retriever(loaded, encoder, min_score=retriever.min_score, max_query_chars=2000)
    for item in dev_set["questions"][:10]:
        exact = [h.passage.id for h in retriever.search(item["q"], top_k=3, mode="dense")]
        assert [h.passage.id for h in approximate.search(item["q"], top_k=3, mode="dense")] == exact


def test_a_filter_is_applied_inside_the_search_exact_or_approximate(settings, tmp_path, encoder, dev_set):
    """The rows a filter allows (no spoilers) are searched among themselves: k of them at once, the same k
    an exact scan of the allowed rows finds, whether the index scans or asks IVF."""
    from knowledge.ann import Allowed, NearestRows
    from knowledge.ingest import load_corpus

    reviews, _ = load_corpus(settings.reviews_dir)
    passages = [p for review in reviews for p in review.passages]
    index.build(tmp_path / "ivf", passages, encoder, model_name=settings.embedding_model, sources={},
                fingerprint_="test", ann_threshold=5)
    loaded = index.load(tmp_path / "ivf", model_name=settings.embedding_model, dimension=384)
    allowed = Allowed(np.array([not p.spoiler for p in loaded.passages]))
    assert 0 < allowed.count < len(loaded.passages)
    exact = NearestRows(loaded.passage_matrix)
    for item in dev_set["questions"][:10]:
        query = encoder.encode_query(item["q"])
        found = loaded.vectors.search(query, 5, allowed)
        assert len(found) == 5 and allowed.mask[found].all()
        assert list(found) == list(exact.search(query, 5, allowed))
        assert list(exact.search(query, 5, allowed)) == [row for row in exact.search(query, len(loaded.passages))
                                                          if allowed.mask[row]][:5]


def test_the_passage_code_is_every_module_reading_a_review_imports():
    """A change to any module the ingestion runs (the credit line, Markdown, ratings ...) reads every review again:
    PASSAGE_CODE holds every knowledge module that importing ingest and spoilers loads."""
    import subprocess
    import sys

    from herbot.settings import PROJECT_ROOT
    from knowledge.index import PASSAGE_CODE

    loaded = subprocess.run([sys.executable, "-c", "import sys, knowledge.ingest, knowledge.spoilers; "
                             "print(' '.join(m for m in sys.modules if m.startswith('knowledge.')))"],
                            capture_output=True, text=True, check=True, cwd=PROJECT_ROOT).stdout.split()
    assert {f"{module.split('.')[1]}.py" for module in loaded} <= set(PASSAGE_CODE), loaded
