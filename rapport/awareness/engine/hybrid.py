"""Hybrid mode: lexical and semantic scores, each scaled to the profile's best, blended.

Scaling per profile puts the two scores on one footing (TF-IDF cosines are small, embedding
cosines are not); the blend weight was chosen on the development split of the evaluation
(benchmarks/evaluation) and never on the held-out split.
"""

import numpy as np
import scipy.sparse as sp

from rapport.awareness.engine.lexical import Lexical
from rapport.awareness.engine.scoring import Block, Chunk, aggregate
from rapport.awareness.engine.semantic import Semantic, SemanticEngine
from rapport.awareness.engine.types import ItemText

#: Share of the lexical score in the blend (tuned on the dev split only).
LEXICAL_WEIGHT = 0.4


def scaled(scores: sp.csr_matrix) -> np.ndarray:
    """Each profile's scores divided by its best, as a dense block."""
    dense = scores.toarray()
    peak = dense.max(axis=1, keepdims=True) if dense.size else dense
    peak[peak == 0] = 1.0
    return dense / peak


class HybridEngine(SemanticEngine):
    mode = "hybrid"
    lexical_weight = LEXICAL_WEIGHT

    def fit(self, texts: list[str], items: list[ItemText], *, explain: bool) -> None:
        self.semantic = Semantic(texts, items)
        self.lexical = Lexical(texts, items)

    def block(self, chunk: Chunk) -> Block:
        assert self.lexical is not None
        lexical = aggregate(self.lexical.similarity(chunk), chunk)
        semantic = aggregate(self.semantic.similarity(chunk), chunk)
        w = self.lexical_weight
        blend = w * scaled(lexical.scores) + (1 - w) * scaled(semantic.scores)
        # The evidence is the semantic one: it sees documents that share no word with the item.
        return Block(scores=sp.csr_matrix(blend), similarity=semantic.similarity, chunk=chunk)
