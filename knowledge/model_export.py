"""Offline: the sentence model exported once to ONNX, so that serving never loads torch.

A question is one short text, and PyTorch's per-operation overhead dominates its encoding;
ONNX Runtime runs the same graph in less time (the README's "Measured" has the figures), with
vectors equal to sentence-transformers' to ~1e-7. The export is checked against sentence-transformers
on probe texts before it is kept, and it lives in a folder of its own::

    manifest.json    source model and the hashes of its files, pooling, max length, inputs,
                     versions, the largest difference measured against sentence-transformers,
                     and a sha256 of every file below
    model.onnx       the transformer, token ids in, token vectors out
    tokenizer.json   the model's tokenizer (truncation and padding are set when loading)

Only the plain pipeline is exported: a transformer, mean pooling, optionally a normalisation
(every vector is normalised anyway, so that inner product is cosine).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
import warnings
from importlib import metadata
from pathlib import Path

import numpy as np

from knowledge.checksums import file_sha256
from knowledge.embedding import FORMAT, MANIFEST, Encoder, ModelUnavailable, model_path, read_manifest

OPSET = 17
_VERSIONS_RECORDED = ("torch", "onnx", "onnxruntime", "sentence-transformers")
TOLERANCE = 1e-5  # largest difference from sentence-transformers' vectors an export may have
_PROBES = (  # short and long, curly quotes, accents, a truncated one
    "who voices Samantha?",
    "What did the critics say about Joaquin Phoenix’s performance in “Her”?",
    "Théodore écrit des lettres pour les autres; the film is set in a city of the near future.",
    "love " * 400,
)


def source_hash(source: Path) -> str:
    """sha256 over every file of the source model folder (names and contents)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(source)).encode() + b"\0")
        digest.update(file_sha256(path).encode())
    return digest.hexdigest()


def is_current(folder: Path, model_name: str) -> bool:
    """True when ``folder`` holds an intact export of ``model_name`` as it is installed now."""
    try:
        manifest = read_manifest(folder)
        files_ok = all(file_sha256(folder / name) == digest for name, digest in manifest["files"].items())
        return (
            files_ok
            and manifest["model"] == model_name
            and manifest["source_sha256"] == source_hash(model_path(model_name))
        )
    except (ModelUnavailable, OSError, KeyError, TypeError):
        return False


def exported_identity(folder: Path) -> str:
    """The exported model's name and source hash ('' when there is no export), for the fingerprints
    of what was computed with it: the index's vectors and the intent classifier's weights."""
    try:
        manifest = read_manifest(folder)
        return f"{manifest['model']} sha256:{manifest['source_sha256']}"
    except (ModelUnavailable, OSError, KeyError):
        return ""


# Exports found current in this process: herbot serve checks before the index and again before
# training, and hashing ~180 MB twice is half a second for nothing.
_CHECKED: set[tuple[Path, str]] = set()


def ensure_exported(folder: Path, model_name: str, out=None) -> bool:
    """Export ``model_name`` into ``folder`` unless a current export is there; True if it exported.

    ``out``: where to say so first (it takes ~10 s, loading PyTorch), e.g. ``herbot serve``'s output.
    """
    if (folder, model_name) in _CHECKED or is_current(folder, model_name):
        _CHECKED.add((folder, model_name))
        return False
    if out is not None:
        print(f"Exporting the sentence model {model_name} to ONNX, once (about 10 s): {folder}", file=out, flush=True)
    export(folder, model_name)
    _CHECKED.add((folder, model_name))
    return True


def export(folder: Path, model_name: str) -> dict:
    """Export, check against sentence-transformers, and swap the new folder in; returns the manifest.

    Raises ``ModelUnavailable`` when the model is not a transformer + mean pooling pipeline, or
    when the exported graph's vectors differ from sentence-transformers' by more than TOLERANCE.
    """
    import torch
    from sentence_transformers import SentenceTransformer

    source = model_path(model_name)
    model = SentenceTransformer(str(source), device="cpu")
    transformer = _plain_transformer(model, model_name)
    tokenizer = model.tokenizer
    inputs = [name for name in ("input_ids", "attention_mask", "token_type_ids") if name in tokenizer.model_input_names]

    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = folder.with_name(f".{folder.name}.building")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        example = tokenizer(["an example"], return_tensors="pt")
        axes = {name: {0: "batch", 1: "tokens"} for name in [*inputs, "token_vectors"]}
        with torch.inference_mode(), warnings.catch_warnings():
            # The tracer warns that a literal 1.0 in the attention mask becomes a constant: it is one.
            warnings.simplefilter("ignore", torch.jit.TracerWarning)
            torch.onnx.export(
                transformer,
                tuple(example[name] for name in inputs),
                str(staging / "model.onnx"),
                input_names=inputs,
                output_names=["token_vectors"],
                dynamic_axes=axes,
                opset_version=OPSET,
                dynamo=False,  # the TorchScript exporter: no onnxscript needed, a plain BERT traces exactly
            )
        shutil.copyfile(source / "tokenizer.json", staging / "tokenizer.json")
        manifest = {
            "format": FORMAT,
            "model": model_name,
            "source_sha256": source_hash(source),
            "pooling": "mean",
            "max_length": int(model.max_seq_length),
            "dimension": int(model.get_embedding_dimension()),
            "inputs": inputs,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "versions": {name: metadata.version(name) for name in _VERSIONS_RECORDED},
            "files": {name: file_sha256(staging / name) for name in ("model.onnx", "tokenizer.json")},
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        manifest["max_difference"] = _check(staging, model)
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        staging.rename(folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


def _plain_transformer(model, model_name: str):
    """The Hugging Face model inside a transformer + mean pooling (+ normalise) pipeline."""
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling

    modules = list(model)
    plain = (
        len(modules) in (2, 3)
        and hasattr(modules[0], "auto_model")
        and isinstance(modules[1], Pooling)
        and modules[1].pooling_mode == "mean"
        and all(isinstance(module, Normalize) for module in modules[2:])
    )
    if not plain:
        raise ModelUnavailable(f"model {model_name!r}: herbot runs transformer + mean pooling models only")
    return _token_vectors(modules[0].auto_model.eval())


def _token_vectors(auto_model):
    """The Hugging Face model as a module whose graph returns the last hidden state only."""
    import torch

    class TokenVectors(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = auto_model

        def forward(self, *inputs):
            names = ("input_ids", "attention_mask", "token_type_ids")
            return self.model(**dict(zip(names, inputs, strict=False))).last_hidden_state

    return TokenVectors().eval()


def _check(folder: Path, model) -> float:
    """Largest absolute difference between the export's vectors and sentence-transformers' on the probes."""
    exported = Encoder(folder).encode(list(_PROBES))
    reference = model.encode([Encoder.prepare(text) for text in _PROBES], normalize_embeddings=True)
    difference = float(np.abs(exported - reference).max())
    if difference > TOLERANCE:
        raise ModelUnavailable(f"the ONNX export is {difference:.1e} away from sentence-transformers (> {TOLERANCE})")
    return difference
