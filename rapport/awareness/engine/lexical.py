"""Lexical mode: TF-IDF cosine between each document and each item, as sparse products."""

import numpy as np
import scipy.sparse as sp

from rapport.awareness.engine.scoring import Block, BlockEngine, Chunk, aggregate, item_texts
from rapport.awareness.engine.text import Vectors, vectorise
from rapport.awareness.engine.types import ItemText

#: A feature in more than this share of the items (and more than MIN_COMMON items) is too
#: common to tell items apart; dropping it keeps the product sparse at 10,000 items.
COMMON_SHARE = 0.01
MIN_COMMON = 50
#: Words and phrases shown per match.
TERMS = 5


class Lexical:
    """Fitted vectors of one call: documents and items in the same feature space."""

    def __init__(self, texts: list[str], items: list[ItemText]) -> None:
        n_items = len(items)
        cap = max(MIN_COMMON, int(COMMON_SHARE * n_items))
        vectors: Vectors = vectorise(item_texts(items) + texts, n_items, max_item_df=cap)
        self.names = vectors.names
        self.items = vectors.rows[:n_items]
        self.items_t = self.items.T.tocsr()
        self.documents = vectors.rows[n_items:]

    def similarity(self, chunk: Chunk) -> sp.csr_matrix:
        """Weighted cosine of each document of the chunk with each item (documents × items)."""
        first, last = chunk.doc_index[0], chunk.doc_index[-1] + 1
        weighted = sp.diags(chunk.scale.astype(np.float32)) @ self.documents[first:last]
        return (weighted @ self.items_t).tocsr()

    def terms(self, docs: np.ndarray, items: np.ndarray) -> list[tuple[str, ...]]:
        """Per (document, item) pair: the words and phrases adding most to their similarity."""
        shared = self.documents[docs].multiply(self.items[items]).tocsr()
        out = []
        for k in range(len(docs)):
            lo, hi = shared.indptr[k], shared.indptr[k + 1]
            features, contribution = shared.indices[lo:hi], shared.data[lo:hi]
            order = np.lexsort((features, -contribution))[: 3 * TERMS]
            candidates = [self.names[int(f)] for f in features[order]]
            # A phrase says more than its words: a word inside a candidate phrase is not repeated.
            in_phrases = {w for c in candidates if " " in c for w in c.split()}
            out.append(tuple([c for c in candidates if " " in c or c not in in_phrases][:TERMS]))
        return out


class LexicalEngine(BlockEngine):
    mode = "lexical"

    def fit(self, texts: list[str], items: list[ItemText], *, explain: bool) -> None:
        self.lexical = Lexical(texts, items)

    def block(self, chunk: Chunk) -> Block:
        return aggregate(self.lexical.similarity(chunk), chunk)

    def terms(self, docs: np.ndarray, items: np.ndarray) -> list[tuple[str, ...]]:
        return self.lexical.terms(docs, items)
