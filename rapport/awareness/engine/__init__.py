"""The matching engine of current awareness: score new items against interest profiles.

Pure code, no models and no database: callers hand in profiles (weighted documents) and items
(title and text), and get scores with the words and the documents that explain them.

    engine = get_engine("lexical")
    for hit in engine.score(profiles, items, top=20):
        ...

Modes: ``lexical`` (TF-IDF over words and two-word phrases, built in), ``semantic`` (sentence
embeddings from the ``rapport[semantic]`` extra) and ``hybrid`` (both, blended per profile).
"""

from rapport.awareness.engine.types import (
    Document,
    Engine,
    EngineUnavailable,
    ItemText,
    Profile,
    Progress,
    Scored,
)

MODES = ("lexical", "semantic", "hybrid")

__all__ = [
    "MODES",
    "Document",
    "Engine",
    "EngineUnavailable",
    "ItemText",
    "Profile",
    "Progress",
    "Scored",
    "get_engine",
]


def get_engine(mode: str = "lexical") -> Engine:
    """The engine for `mode`; EngineUnavailable if its optional dependency is missing."""
    if mode == "lexical":
        from rapport.awareness.engine.lexical import LexicalEngine

        return LexicalEngine()
    if mode == "semantic":
        from rapport.awareness.engine.semantic import SemanticEngine

        return SemanticEngine()
    if mode == "hybrid":
        from rapport.awareness.engine.hybrid import HybridEngine

        return HybridEngine()
    raise ValueError(f"unknown matching mode {mode!r}; choose one of {', '.join(MODES)}")
