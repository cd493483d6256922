"""Nearest neighbours of a question among stored vectors: an exact scan, or an approximate index.

The vectors themselves are always kept as one float32 matrix (the index's ``.npy`` files), which
scoring reads in place. Up to ``threshold`` rows a search scans the matrix (``faiss.knn``, no
copy); above it an inverted-file index (FAISS IVF with 8-bit scalar-quantised codes, a quarter
of the matrix's size) proposes ``RERANK`` times more rows than asked, and their exact scores
from the matrix decide. IVF rather than HNSW because an update can remove rows and add new ones
in milliseconds (HNSW can only add), so a review added to a large corpus never rebuilds it; its
parameters come from ``bench/ann.py`` (the README's trade-off table).

The coarse centroids of an IVF index are trained once, on the vectors there at the time; an
update assigns new rows to them. When the row count has grown or shrunk by more than
``RETRAIN_FACTOR`` since, the index is trained again (from the stored vectors: nothing is embedded).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

NPROBE = 256  # lists searched per question, out of NLIST_PER_SQRT * sqrt(rows): chosen in bench/ann.py (README)
NLIST_PER_SQRT = 4  # nlist = this times the square root of the row count, as a power of two
TRAIN_POINTS_PER_LIST = 40  # k-means sample: this many rows per list (FAISS warns below 39)
TRAIN_ITERATIONS = 12
RERANK = 4  # approximate candidates per wanted row, re-scored exactly from the matrix
RETRAIN_FACTOR = 2.0
CODES = "SQ8"


@dataclass
class NearestRows:
    """Search over ``matrix`` (rows are normalised vectors; inner product is cosine)."""

    matrix: np.ndarray
    ann: object | None = None  # faiss.IndexIVF with ids = matrix rows, or None for an exact scan

    @property
    def ntotal(self) -> int:
        return len(self.matrix)

    @property
    def kind(self) -> str:
        return "flat" if self.ann is None else "ivf"

    def search(self, query: np.ndarray, k: int, allowed: Allowed | None = None) -> np.ndarray:
        """The rows of the ``k`` vectors closest to ``query``, closest first; with ``allowed``, only among those
        rows (filtered inside the search, so that a filter that leaves a third of the rows still finds k)."""
        k = min(k, self.ntotal if allowed is None else allowed.count)
        if k <= 0:
            return np.zeros(0, dtype=np.int64)
        if self.ann is None:
            import faiss

            if allowed is not None:
                scores = np.where(allowed.mask, self.matrix @ query, -np.inf)
                top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
                return top[np.lexsort((top, -scores[top]))]
            _, rows = faiss.knn(query[None, :], self.matrix, k, metric=faiss.METRIC_INNER_PRODUCT)
            return rows[0]
        wanted = min(k * RERANK, self.ntotal if allowed is None else allowed.count)
        if allowed is None:
            _, found = self.ann.search(query[None, :], wanted)
        else:
            _, found = self.ann.search(query[None, :], wanted, params=allowed.parameters())
        candidates = found[0][found[0] >= 0]
        exact = self.matrix[candidates] @ query
        order = np.argsort(-exact, kind="stable")[:k]
        return candidates[order]


class Allowed:
    """The rows a search may return (a filter on every review: no spoilers, comments only, ...)."""

    def __init__(self, mask: np.ndarray):
        self.mask = mask
        self.count = int(mask.sum())
        self._bits = np.packbits(mask, bitorder="little")  # kept alive while FAISS reads it

    def parameters(self):
        """FAISS search parameters that keep an IVF search to these rows (its ids are the rows)."""
        import faiss

        return faiss.SearchParametersIVF(sel=faiss.IDSelectorBitmap(len(self.mask), faiss.swig_ptr(self._bits)),
                                         nprobe=NPROBE)


def needs_ann(rows: int, threshold: int) -> bool:
    return rows >= threshold


def nlist_for(rows: int) -> int:
    """Inverted lists for ``rows`` vectors: about four times the square root, as a power of two (and at
    least eight rows a list, for the tiny indexes of tests)."""
    wanted = 2 ** round(math.log2(max(NLIST_PER_SQRT * math.sqrt(rows), 1)))
    return max(1, min(wanted, 2 ** int(math.log2(max(rows // 8, 1)))))


def train(matrix: np.ndarray, *, seed: int = 13):
    """A new, empty IVF index trained on (a sample of) ``matrix``."""
    import faiss

    nlist = nlist_for(len(matrix))
    index = faiss.index_factory(matrix.shape[1], f"IVF{nlist},{CODES}", faiss.METRIC_INNER_PRODUCT)
    sample = min(len(matrix), TRAIN_POINTS_PER_LIST * nlist)
    chosen = np.random.default_rng(seed).choice(len(matrix), sample, replace=False) if sample < len(matrix) else None
    training = matrix if chosen is None else matrix[np.sort(chosen)]
    ivf = faiss.extract_index_ivf(index)
    ivf.cp.niter = TRAIN_ITERATIONS
    ivf.cp.seed = seed
    index.train(np.ascontiguousarray(training))
    index.nprobe = NPROBE
    return index


def build(matrix: np.ndarray, threshold: int) -> tuple[NearestRows, dict]:
    """Search over ``matrix`` built afresh, and what the manifest says of it."""
    if not needs_ann(len(matrix), threshold):
        return NearestRows(matrix), {"type": "flat"}
    index = train(matrix)
    index.add_with_ids(matrix, np.arange(len(matrix), dtype=np.int64))
    return NearestRows(matrix, index), _described(index, len(matrix))


def update(old, old_info: dict, rows: int, new_of_old: np.ndarray, added: np.ndarray, added_vectors: np.ndarray,
           matrix, threshold: int) -> tuple[object | None, dict]:
    """The approximate index over ``rows`` vectors (None: an exact scan), made from ``old`` without rebuilding
    where it can be.

    ``new_of_old[i]`` is the new row of the old row ``i`` (-1: gone); ``added`` are the new rows and
    ``added_vectors`` their vectors. An IVF index drops the rows gone, renumbers the others and adds
    the new ones; it is built again (from ``matrix()``, every vector) when there was none, or when the
    size moved past ``RETRAIN_FACTOR``.
    """
    trained_for = old_info.get("trained_for", 0)
    if not needs_ann(rows, threshold):
        return None, {"type": "flat"}
    if old is None or not (
            trained_for / RETRAIN_FACTOR <= rows <= trained_for * RETRAIN_FACTOR):
        search, info = build(matrix(), threshold)
        return search.ann, info
    import faiss

    index = old
    gone = np.flatnonzero(new_of_old < 0).astype(np.int64)
    if len(gone):
        index.remove_ids(faiss.IDSelectorBatch(len(gone), faiss.swig_ptr(gone)))
    invlists = faiss.extract_index_ivf(index).invlists
    for number in range(invlists.nlist):
        size = invlists.list_size(number)
        if size:
            ids = faiss.rev_swig_ptr(invlists.get_ids(number), size)
            ids[:] = new_of_old[ids]
    if len(added):
        index.add_with_ids(np.ascontiguousarray(added_vectors, dtype=np.float32), added.astype(np.int64))
    return index, _described(index, trained_for)


def _described(index, trained_for: int) -> dict:
    import faiss

    return {"type": "ivf", "factory": f"IVF{faiss.extract_index_ivf(index).nlist},{CODES}", "nprobe": NPROBE,
            "trained_for": int(trained_for)}


def save_index(index, path: Path) -> None:
    import faiss

    faiss.write_index(index, str(path))


def read_index(path: Path):
    import faiss

    index = faiss.read_index(str(path))
    index.nprobe = NPROBE
    return index


def load(matrix: np.ndarray, path: Path | None) -> NearestRows:
    if path is None:
        return NearestRows(matrix)
    return NearestRows(matrix, read_index(path))
