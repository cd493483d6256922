"""Verdicts and topic coverage kept per segment of the index between processes (knowledge/segment_cache.py)."""

import json
import shutil
from dataclasses import replace

from knowledge import index, segment_cache
from knowledge.loaded import Knowledge
from knowledge.pipeline import refresh_index
from tests.support.corpora import MORE_REVIEWS, SEED_REVIEWS
from tests.test_index_update import NEW_REVIEW, _copy


def test_kept_verdicts_and_coverage_are_those_worked_out_and_are_read_back(knowledge, tmp_path):
    cache = tmp_path / "cache"
    worked_out = Knowledge(knowledge.retriever, knowledge.facts, cache_dir=None)
    first = Knowledge(knowledge.retriever, knowledge.facts, cache_dir=cache)
    assert first.verdicts == worked_out.verdicts and first.coverage == worked_out.coverage
    assert first.verdicts and any(first.coverage.values())
    kept = sorted(cache.glob("verdicts-*.json"))
    assert len(kept) == len(knowledge.retriever.index.manifest["segments"])
    # A later process reads them: what the file says is what it gets.
    data = json.loads(kept[0].read_text(encoding="utf-8"))
    review = sorted(data)[0]
    data[review]["stance"] = "negative" if data[review]["stance"] != "negative" else "positive"
    kept[0].write_text(json.dumps(data), encoding="utf-8")
    again = Knowledge(knowledge.retriever, knowledge.facts, cache_dir=cache)
    assert again.verdicts[review].stance == data[review]["stance"] != worked_out.verdicts[review].stance


def test_after_an_update_only_the_segments_written_anew_are_worked_out(settings, tmp_path, monkeypatch):
    monkeypatch.setattr(index, "SEGMENT_REVIEWS", 2)
    reviews = _copy([*SEED_REVIEWS, *MORE_REVIEWS], tmp_path / "reviews")
    own = replace(settings, reviews_dir=reviews, index_dir=tmp_path / "index")
    refresh_index(own)
    cache, asked = tmp_path / "cache", []

    def work_out(rows):
        asked.append(rows)
        return {"rows": len(rows)}

    before = index.read_manifest(own.index_dir)
    assert segment_cache.per_segment(before, "model", "test", work_out, cache) == [
        {"rows": len(rows)} for _, rows in segment_cache.segment_rows(before)]
    assert len(asked) == 3
    _copy([NEW_REVIEW], reviews)
    refresh_index(own)
    after = index.read_manifest(own.index_dir)
    asked.clear()
    segment_cache.per_segment(after, "model", "test", work_out, cache)
    written = [rows for entry, rows in segment_cache.segment_rows(after)
               if entry["name"] not in {old["name"] for old in before["segments"]}]
    assert asked == written and len(written) == 1
    shutil.rmtree(cache)
