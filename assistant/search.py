"""Retrieval over the catalog: BM25 (bm25s, Snowball stemming) over every panel, every health check and the Health
page, from what each declares beside it (title, description, phrases, the system tables it reads).

Nothing is downloaded: the index is built in memory from the catalog at first use (a few milliseconds).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import bm25s
import Stemmer

from dashboard import catalog_health
from dashboard.catalog import PAGES, PANELS
from dashboard.panels import Panel

HEALTH = "health"
"""The name of the Health page's entry: every check at once."""
MIN_SCORE = 1.0
"""Below this BM25 score the best entry is not taken as the answer (the nearest ones are offered instead)."""
# Words that say nothing about which panel answers: question and politeness words, and time-window words (the window
# is read separately). bm25s's English list covers articles and prepositions.
_STOPWORDS = (
    *bm25s.stopwords.STOPWORDS_EN,
    "what", "which", "whats", "how", "show", "me", "list", "give", "tell", "please", "can", "you", "i", "see", "get",
    "any", "some", "have", "has", "been", "were", "do", "does", "did", "my", "our", "we", "us", "s", "right",
    "last", "past", "hour", "hours", "minute", "minutes", "day", "days", "today", "yesterday", "week", "since", "ago",
    "now", "currently", "current", "moment", "recent", "recently", "latest",
)
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Entry:
    """One thing a question can be answered by: a panel, a health check (a panel with a check) or the Health page."""

    name: str
    title: str
    description: str
    panel: Panel | None

    @property
    def kind(self) -> str:
        """`health` (the whole Health page), `check` or `panel`."""
        if self.panel is None:
            return "health"
        return "check" if self.panel.check else "panel"


@dataclass(frozen=True)
class Hit:
    """An entry and its BM25 score for one question."""

    entry: Entry
    score: float


def _document(panel: Panel) -> str:
    meaning = panel.check.meaning if panel.check else ""
    tables = " ".join(f"system {table.replace('_', ' ')}" for table in panel.reads)
    return " ".join((panel.title, panel.description, meaning, *panel.phrases, tables))


def _tokens(texts: list[str], stemmer: Stemmer.Stemmer) -> list[list[str]]:
    stop = frozenset(_STOPWORDS)
    return [stemmer.stemWords([w for w in _WORD.findall(text.lower().replace("_", " "))
                               if w not in stop and not w.isdigit()])
            for text in texts]


def stems(text: str) -> frozenset[str]:
    """The stemmed content words of a text, as the index sees them."""
    return frozenset(_tokens([text], _stemmer())[0])


@functools.cache
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


class Index:
    """A BM25 index of entries; `search` scores every entry against a question."""

    def __init__(self, entries: list[Entry], documents: list[str]) -> None:
        self.entries = entries
        self._stemmer = _stemmer()
        self._bm25 = bm25s.BM25()
        self._bm25.index(_tokens(documents, self._stemmer), show_progress=False)

    def search(self, question: str, k: int = 3) -> list[Hit]:
        """The `k` best entries for the question, best first (scores of 0 mean no word in common)."""
        words = _tokens([question], self._stemmer)[0]
        if not words:
            return [Hit(entry, 0.0) for entry in self.entries[:k]]
        scores = self._bm25.get_scores(words)
        ranked = sorted(range(len(self.entries)), key=lambda i: -float(scores[i]))
        return [Hit(self.entries[i], float(scores[i])) for i in ranked[:k]]


def build_index(panels: dict[str, Panel] | None = None) -> Index:
    """An index over the panels that declare phrases (health checks included) and the Health page."""
    panels = PANELS if panels is None else panels
    health_page = PAGES["health"]
    entries = [Entry(HEALTH, health_page.title, health_page.intro, None)]
    documents = [" ".join((health_page.title, health_page.intro, *catalog_health.HEALTH_PHRASES))]
    for panel in panels.values():
        if panel.phrases:
            entries.append(Entry(panel.name, panel.title, panel.description, panel))
            documents.append(_document(panel))
    return Index(entries, documents)


@functools.cache
def catalog_index() -> Index:
    """The index of the whole catalog, built once per process."""
    return build_index()
