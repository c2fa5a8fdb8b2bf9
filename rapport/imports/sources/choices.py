"""A source's values for a choice field (channel, origin, status…) → canonical values.

Looked up in this order: the mapping's own values, the canonical values and their labels,
the words other systems commonly use (fields.VALUE_SYNONYMS), then the same by the value's
words ("Faculty (our university)" is faculty, fields.by_words). A value nothing knows becomes
"other" where the field has it (else the field's default) and is reported by name.
"""

from __future__ import annotations

from rapport.imports.sources.fields import VALUE_SYNONYMS, FieldSpec, by_words, fold
from rapport.imports.sources.mapping import Mapping

# What a value nobody recognises becomes, for fields without an "other" choice.
FALLBACK = {"kind": "question", "initiated_by": "them"}


class ChoiceLookup:
    """Memoised: each distinct text is resolved once per read."""

    def __init__(self, name: str, spec: FieldSpec, mapping: Mapping) -> None:
        self.name = name
        self.label = spec.label.lower()
        allowed = {value for value, _ in spec.choices}
        self.known: dict[str, str] = {}
        for value, label in spec.choices:
            self.known[fold(value)] = value
            self.known[fold(label)] = value
        for word, value in VALUE_SYNONYMS.get(name, {}).items():
            self.known.setdefault(fold(word), value)
        self.own: dict[str, str] = {}
        self.unusable: dict[str, str] = {}
        for source, target in mapping.values.get(name, {}).items():
            canonical = self.known.get(fold(target)) if target not in allowed else target
            if canonical is None:
                self.unusable[source.strip().casefold()] = target
            else:
                self.own[source.strip().casefold()] = canonical
        self.fallback = "other" if "other" in allowed else FALLBACK.get(name, "")
        self.cache: dict[str, tuple[str, str | None]] = {}

    def get(self, text: str) -> tuple[str, str | None]:
        """The canonical value and, when it was not recognised, a note naming it."""
        try:
            return self.cache[text]
        except KeyError:
            pass
        key = text.strip().casefold()
        found = self.own.get(key) or self.known.get(fold(text)) or by_words(self.known, text)
        if found:
            result: tuple[str, str | None] = (found, None)
        elif key in self.unusable:
            result = (
                self.fallback,
                f"'{text}' is mapped to '{self.unusable[key]}', which is not a {self.label}; "
                f"kept as {self.fallback}",
            )
        else:
            result = (
                self.fallback,
                f"unknown value '{text}' for {self.label} kept as {self.fallback}",
            )
        if len(self.cache) < 10_000:
            self.cache[text] = result
        return result

    def recognised(self, text: str) -> str | None:
        """The canonical value this text is read as without the mapping's help, or None."""
        return self.known.get(fold(text)) or by_words(self.known, text)
