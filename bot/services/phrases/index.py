"""The in-memory search index over active phrases: Chinese by character bigrams, other text by words.

Chinese is written without spaces, so a query such as 催发货 must find 已为您催促仓库发货: every
pair of neighbouring Han characters (and each character alone, for one-character queries) is a term,
and so is every Latin word. The index is an inverted map term → phrase → weight (the title counts more
than the text); it is built from the database on first use and dropped by every change (`invalidate`),
so it never serves stale text.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

HAN_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
WORD = re.compile(r"[a-z0-9]+")
TITLE_WEIGHT, CATEGORY_WEIGHT, TEXT_WEIGHT = 3, 2, 1
PAIR, SINGLE = 2, 1
"""A matching pair of characters says far more than a single shared character (searched alone only)."""


@dataclass(frozen=True, slots=True)
class Entry:
    """What the index needs of a phrase."""

    id: int
    title: str
    text: str
    category_words: str
    language: str


def terms(text: str) -> dict[str, int]:
    """The search terms of a text with their strength: Han pairs, Han characters, Latin words (a plural's
    trailing s dropped)."""
    norm = unicodedata.normalize("NFKC", text).lower()
    found: dict[str, int] = {}
    for run in HAN_RUN.findall(norm):
        for char in run:
            found[char] = SINGLE
        for start in range(len(run) - 1):
            found[run[start : start + 2]] = PAIR
    for word in WORD.findall(norm):
        stem = word[:-1] if len(word) > 3 and word.endswith("s") else word
        found[stem] = PAIR
    return found


@dataclass(slots=True)
class Index:
    """Term → phrase id → weight, and each phrase's language for the tie-break."""

    postings: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(dict))
    languages: dict[int, str] = field(default_factory=dict)
    held: dict[int, list[str]] = field(default_factory=dict)
    """Each phrase's terms, so a change replaces one phrase's postings without rebuilding the rest."""

    @classmethod
    def build(cls, entries: Iterable[Entry]) -> Index:
        """Index every entry."""
        index = cls()
        for entry in entries:
            index.put(entry)
        return index

    def put(self, entry: Entry) -> None:
        """Add a phrase, or replace what the index holds of it."""
        self.drop(entry.id)
        weights: dict[str, int] = {}
        for text, weight in (
            (entry.text, TEXT_WEIGHT),
            (entry.category_words, CATEGORY_WEIGHT),
            (entry.title, TITLE_WEIGHT),
        ):
            weights.update(dict.fromkeys(terms(text), weight))  # the strongest place a term appears wins
        for term, weight in weights.items():
            self.postings[term][entry.id] = weight
        self.languages[entry.id] = entry.language
        self.held[entry.id] = list(weights)

    def drop(self, phrase_id: int) -> None:
        """Forget a phrase (switched off, or about to be replaced)."""
        for term in self.held.pop(phrase_id, ()):
            self.postings[term].pop(phrase_id, None)
        self.languages.pop(phrase_id, None)

    def search(self, query: str, *, language: str, limit: int = 3) -> list[int]:
        """The ids of the best matches: most query terms matched (weighted), then the asker's language, then
        the oldest phrase."""
        scores: dict[int, int] = defaultdict(int)
        wanted = terms(query)
        if PAIR in wanted.values():  # single characters only for a one-character query: 快 must not find 尽快
            wanted = {term: strength for term, strength in wanted.items() if strength == PAIR}
        for term, strength in wanted.items():
            for phrase_id, weight in self.postings.get(term, {}).items():
                scores[phrase_id] += strength * weight
        ranked = sorted(
            scores.items(), key=lambda item: (-item[1], self.languages[item[0]] != language, item[0])
        )
        return [phrase_id for phrase_id, _ in ranked[:limit]]
