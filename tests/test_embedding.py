"""The ONNX export of the sentence model: equal to sentence-transformers, re-exported when damaged."""

import io
import shutil
import sys

import numpy as np
import pytest

from herbot.settings import PROJECT_ROOT
from knowledge.embedding import Encoder, ModelUnavailable, model_path
from knowledge.ingest import load_corpus
from knowledge.model_export import ensure_exported, is_current


def test_the_export_encodes_every_paragraph_as_sentence_transformers_does(encoder, settings):
    """The index and the questions are encoded by the export; this is the reference it must equal."""
    from sentence_transformers import SentenceTransformer

    reviews, _ = load_corpus(settings.reviews_dir)
    texts = [p.text for review in reviews for p in review.passages]
    texts += [s for review in reviews for p in review.passages for s in p.sentences]
    texts += ["who voices Samantha?", "Theodore’s “letters”", "x", "love " * 400]
    reference = SentenceTransformer(str(model_path(settings.embedding_model)), device="cpu")
    expected = reference.encode([Encoder.prepare(t) for t in texts], normalize_embeddings=True, batch_size=16)
    assert len(texts) > 50
    assert np.abs(encoder.encode(texts, batch_size=16) - expected).max() < 1e-5


def test_serving_processes_never_import_torch(encoder, settings):
    """The point of the export: the Rasa and action servers encode without loading PyTorch."""
    import subprocess

    code = (
        "import sys; from herbot.settings import get_settings; from knowledge.embedding import open_encoder; "
        "open_encoder(get_settings()).encode_query('who voices Samantha?'); "
        "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT)
    assert out.stdout.split() == ["False", "False"]


def test_a_damaged_export_is_refused_then_exported_again(encoder, settings, tmp_path):
    folder = tmp_path / "encoder"
    shutil.copytree(settings.encoder_dir, folder)
    assert is_current(folder, settings.embedding_model)
    with open(folder / "model.onnx", "r+b") as model:
        model.seek(1000)
        model.write(b"\0" * 64)
    assert not is_current(folder, settings.embedding_model)
    said = io.StringIO()
    assert ensure_exported(folder, settings.embedding_model, said)
    assert said.getvalue().startswith("Exporting the sentence model all-MiniLM-L6-v2 to ONNX, once")
    assert is_current(folder, settings.embedding_model)
    assert not ensure_exported(folder, settings.embedding_model)


def test_a_missing_export_says_what_to_run(tmp_path):
    with pytest.raises(ModelUnavailable, match="run 'herbot index'"):
        Encoder(tmp_path / "nothing-here")


def test_a_message_encoded_ahead_is_the_one_the_turn_takes_and_only_once(encoder):
    """Channels encode a message in a worker thread before Rasa parses it; the classifier takes it."""
    text = "did the critics like the ending?"
    encoder.forget_recent()
    encoder.encode_ahead(text)
    assert text in encoder._ahead
    taken = encoder.encode_query(text)
    assert text not in encoder._ahead  # taken once: a later turn with the same words encodes afresh
    assert np.allclose(taken, encoder.encode([text])[0], atol=1e-6)


def test_turns_in_flight_with_the_same_words_each_take_the_one_vector_encoded_ahead(encoder):
    """Fifty conversations saying "yes" at once: one encoding, and no turn encodes in the event loop."""
    text = "yes please"
    encoder.forget_recent()
    encoder.encode_ahead(text)
    first = encoder._ahead[text][0]
    encoder.encode_ahead(text)
    assert encoder._ahead[text] == (first, 2)  # counted, not encoded again
    assert encoder.encode_query(text) is first
    assert encoder._ahead[text] == (first, 1)  # still there for the second turn
    encoder._recent.clear()
    assert encoder.encode_query(text) is first
    assert text not in encoder._ahead


def test_corpus_texts_are_encoded_once_and_kept_between_turns(encoder):
    """The clauses of a sentence that may tell the ending recur every time the ending is asked: kept, the
    second turn encodes none of them, and a text asked twice in one call is encoded once."""
    texts = ["in the closing minutes she leaves", "he writes a letter", "in the closing minutes she leaves"]
    for text in texts:
        encoder._kept.pop(text, None)
    first = encoder.encode_kept(texts)
    assert first.shape == (3, encoder.dimension)
    assert np.allclose(first, encoder.encode(texts), atol=1e-6)
    kept = {text: encoder._kept[text] for text in texts}
    again = encoder.encode_kept(texts[:2])
    assert all(encoder._kept[text] is kept[text] for text in texts)  # the same vectors, not encoded afresh
    assert np.array_equal(again, first[:2])
    assert encoder.encode_kept([]).shape == (0, encoder.dimension)


def test_the_knowledge_answers_a_question_without_importing_jax(built_index):
    """bm25s imports JAX (installed with TensorFlow) for a top-k herbot does not use: 135 MB and 0.4 s on the first
    search. The action server's knowledge, loaded and warmed, searches without it."""
    import subprocess

    code = (
        "import sys; from herbot.settings import get_settings; from knowledge.loaded import open_knowledge; "
        "k = open_knowledge(get_settings()); k.retriever.search('who voices Samantha?'); "
        "import bm25s; print('jax' in sys.modules, bm25s.selection.JAX_IS_AVAILABLE)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT)
    assert out.stdout.split()[-2:] == ["False", "False"]
