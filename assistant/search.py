"""Retrieval over the catalog: BM25 (bm25s, Snowball stemming) over every panel, every health check and the Health
page, from what each declares beside it (title, description, phrases, the system tables it reads), plus a weaker
second field of the words its SQL uses (column names, the metric or setting names it reads, its leading comment).

A question is read the way operators type: abbreviations and jargon are expanded (`SYNONYMS`), a word the catalog
does not know is taken as its nearest known spelling, and a system table named in it (`system.parts`, `query_log`)
lifts the entries that read that table.

Nothing is downloaded: the index is built in memory from the catalog at first use (a few milliseconds).
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass

import bm25s
import Stemmer

from core import sqlfiles
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
    "lot", "lots", "going", "along", "like", "looking", "want", "need", "know", "should", "would",
    "could", "quick", "quickly", "way", "there", "anything", "something", "thing", "things", "e", "g", "eg",
    "than", "rn", "atm", "pls", "plz",
)
_WORD = re.compile(r"[a-z0-9]+")
SQL_WEIGHT = 0.5
"""How much the SQL field's score counts beside the declared words'. Only a question's words that nothing declares
are looked up there (a column name, a metric): the SQL is longer and noisier than what is declared."""
COVERAGE = 0.5
"""A score is multiplied by the share of the question's words the entry knows, to this power: an entry that
matches many of the question's words beats one that matches a few of them often."""
MENTION_BOOST = 1.2
"""A system table named in the question adds this share of the best score (at least `MIN_SCORE`) to the entries
that require it, half of it to those that only read it."""
# Operators' abbreviations and jargon → the words the catalog uses (added to the question, never replacing it).
SYNONYMS = {
    "mem": "memory", "ram": "memory", "rss": "memory", "oom": "memory limit", "heap": "memory",
    "repl": "replication replica", "replicated": "replication replica", "zk": "keeper", "zookeeper": "keeper",
    "p50": "latency percentiles", "p90": "latency percentiles", "p95": "latency percentiles",
    "p99": "latency percentiles", "p999": "latency percentiles", "percentile": "latency percentiles",
    "quantile": "latency percentiles", "median": "latency percentiles",
    "qps": "queries per second", "rps": "queries per second",
    "proc": "processes", "processlist": "processes running",
    "conn": "connections", "conns": "connections", "sessions": "connections",
    "cfg": "configuration settings", "conf": "configuration settings", "config": "configuration settings",
    "err": "errors", "errs": "errors", "exception": "error", "exceptions": "errors",
    "db": "database", "dbs": "databases", "tbl": "table", "tbls": "tables", "cols": "columns",
    "dict": "dictionary", "dicts": "dictionaries", "mv": "materialized view",
    "ddl": "ddl create statement", "perf": "performance",
    "latency": "duration", "lag": "delay behind", "hang": "stuck", "hung": "stuck", "hanging": "stuck",
    "segfault": "crash", "sigsegv": "crash", "coredump": "crash", "outage": "crash restart", "down": "crash restart",
    "ingest": "inserted rows", "ingested": "inserted rows", "ingestion": "insert rate",
    "unusual": "problems issues", "abnormal": "problems issues", "weird": "problems issues", "odd": "problems issues",
    "killed": "failed", "cancelled": "failed", "canceled": "failed", "aborted": "failed",
    "auth": "authentication login", "signin": "login", "logon": "login",
    "storage": "disk space", "capacity": "disk space", "full": "disk free space",
    "timeout": "failed errors", "timeouts": "failed errors", "timedout": "failed errors",
    "longer": "long", "ongoing": "running progress", "inflight": "running progress",
}
_NOW = re.compile(r"\b(?:rn|atm|now|currently|at (?:the|this) (?:very )?moment|as we speak|at present|presently|"
                  r"in flight|live|ongoing|this (?:very )?(?:instant|second))\b", re.IGNORECASE)
"""Words asking about the present: the live views (`LIVE_TTL`) count more (`NOW_BOOST`)."""
LIVE_TTL = 10
"""A panel refreshed at least this often (seconds), that takes no window and is no check, is a live view: what runs,
merges, fetches or is counted at this instant (processes, merges, metrics)."""
NOW_BOOST = 1.5
"""A question asking about the present multiplies a live view's score by this."""
_ERROR_CODE = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")
"""An error code's name (`MEMORY_LIMIT_EXCEEDED`): the question is about errors, whatever words the name holds."""
_SINCE_START = re.compile(r"\bsince\s+(?:the\s+|it\s+|its\s+|a\s+)?(?:last\s+|most\s+recent\s+|server\s+|"
                          r"clickhouse\s+)?(?:re)?(?:start(?:ed|up)?|boot(?:ed)?|launch(?:ed)?|"
                          r"(?:came|was|went|come)\s+(?:back\s+)?(?:up|online))\b", re.IGNORECASE)
"""A count "since the last restart / startup": what the server counts since start (`system.errors`, `events`),
not whether it restarted (the uptime check); read as the catalog's own words for it."""
# SQL words that say nothing about what a panel answers.
_SQL_WORDS = frozenset((
    "select", "from", "where", "and", "or", "not", "in", "is", "null", "as", "by", "order", "group", "limit", "desc",
    "asc", "having", "join", "left", "on", "using", "with", "fill", "step", "interval", "case", "when", "then",
    "else", "end", "if", "like", "ilike", "between", "distinct", "union", "all", "array", "settings", "format",
    "count", "sum", "avg", "max", "min", "any", "round", "toString", "tostring", "todate", "merge", "system", "string",
    "uint8", "uint32", "uint64", "int64", "float64", "datetime", "date", "greatest", "least", "concat", "coalesce",
    "substring", "position", "positioncaseinsensitive", "hide", "own", "tag", "log", "comment", "start", "event",
))


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


_PLACEHOLDER = re.compile(r"\{\w+:[^}]+\}")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def _sql_document(panel: Panel) -> str:
    """The words of the panel's SQL files: identifiers and quoted names (CamelCase split), placeholders dropped."""
    words = []
    for name in dict.fromkeys(panel.sql_files):
        text = _PLACEHOLDER.sub(" ", sqlfiles.load(name))
        words += [w for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text) if w.lower() not in _SQL_WORDS]
    return " ".join(words)


def _words(text: str, wholes: frozenset[str] | None = None) -> list[str]:
    """The content words of a text, lower case, stop words dropped, `snake_case` names split. A `CamelCase` name
    gives itself and its parts (`MergeTree` → mergetree merge tree); given `wholes`, itself if among them, else its
    parts (a question counts a name once)."""
    stop = frozenset(_STOPWORDS)
    words = []
    for word in re.findall(r"[A-Za-z0-9]+", text.replace("_", " ")):
        whole, parts = word.lower(), [part.lower() for part in _CAMEL.split(word)]
        if len(parts) == 1 or (wholes is not None and whole in wholes):
            words.append(whole)
        else:
            words += parts if wholes is not None else [whole, *parts]
    return [w for w in words if w not in stop and not w.isdigit()]


def _camel_wholes(text: str) -> set[str]:
    return {word.lower() for word in re.findall(r"[A-Za-z0-9]+", text.replace("_", " ")) if _CAMEL.search(word)}


def _tokens(texts: list[str], stemmer: Stemmer.Stemmer) -> list[list[str]]:
    return [stemmer.stemWords(_words(text)) for text in texts]


def _expanded(question: str) -> str:
    """The question with the catalog's words added after the abbreviations and jargon it uses (`SYNONYMS`)."""
    question = _SINCE_START.sub(" cumulative counters since start ", question)
    question = _ERROR_CODE.sub(r"\g<0> error code", question)
    words = _WORD.findall(question.lower().replace("_", " "))
    return " ".join((question, *(SYNONYMS[w] for w in words if w in SYNONYMS)))


_SUPERLATIVE = re.compile(r"(\w+?)(?:(?<=([bdgmnpt]))\2|(i))?est")
_MENTION = re.compile(r"\bsystem\s*\.\s*`?([a-z_][a-z0-9_]*)|\b([a-z]+(?:_[a-z0-9]+)+)\b")


def mentioned_tables(question: str, known: frozenset[str]) -> frozenset[str]:
    """The system tables of `known` the question names: `system.x` (any x), or a bare `snake_case` name."""
    found = set()
    for match in _MENTION.finditer(question.lower()):
        name = match.group(1) or match.group(2)
        if name in known:
            found.add(name)
    return frozenset(found)


def stems(text: str) -> frozenset[str]:
    """The stemmed content words of a text, as the index sees them."""
    return frozenset(_tokens([text], _stemmer())[0])


@functools.cache
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


class Index:
    """A BM25 index of entries; `search` scores every entry against a question."""

    def __init__(self, entries: list[Entry], documents: list[str], sql_documents: list[str] | None = None) -> None:
        self.entries = entries
        self._stemmer = _stemmer()
        declared = _tokens(documents, self._stemmer)
        sql = _tokens(sql_documents or [""] * len(documents), self._stemmer)
        self._bm25 = bm25s.BM25()
        self._bm25.index(declared, show_progress=False)
        self._sql = bm25s.BM25()
        self._sql.index(sql, show_progress=False)
        self._known = frozenset(w for doc in (*declared, *sql) for w in doc)
        self._declared = frozenset(w for doc in declared for w in doc)
        self._entry_words = [frozenset(doc) | frozenset(more) for doc, more in zip(declared, sql, strict=True)]
        self._spellings = sorted({w for text in (*documents, *(sql_documents or ())) for w in _words(text)})
        self.tables = frozenset(t for e in entries if e.panel for t in e.panel.reads)
        """The system tables some entry reads."""
        self._wholes = frozenset(w for text in (*documents, *(sql_documents or ())) for w in _camel_wholes(text))

    def _stem(self, word: str) -> str:
        """The stem of a word the catalog knows, else of its plain form when it is a superlative the stemmer keeps
        (heaviest, biggest), else of its nearest known spelling (six letters or more, about one slip in seven)."""
        stem = self._stemmer.stemWord(word)
        if stem in self._known:
            return stem
        if match := _SUPERLATIVE.fullmatch(word):
            base = match.group(1) + ("y" if match.group(3) else "")
            if (plain := self._stemmer.stemWord(base)) in self._known:
                return plain
        if len(word) < 6:
            return stem
        close = difflib.get_close_matches(word, self._spellings, n=1, cutoff=0.85)
        return self._stemmer.stemWord(close[0]) if close else stem

    def search(self, question: str, k: int = 3, mentions: str | None = None) -> list[Hit]:
        """The `k` best entries for the question, best first (scores of 0 mean no word in common).

        System tables are looked for in `mentions` (default: the question), so a caller that took names out of the
        question can still pass the whole of it."""
        words = [self._stem(w) for w in _words(_expanded(question), self._wholes)]
        mentioned = mentioned_tables(question if mentions is None else mentions, self.tables)
        if not words and not mentioned:
            return [Hit(entry, 0.0) for entry in self.entries[:k]]
        scores = [float(score) for score in self._bm25.get_scores(words)] if words else [0.0] * len(self.entries)
        if unknown := [w for w in words if w not in self._declared]:
            scores = [a + SQL_WEIGHT * float(b) for a, b in zip(scores, self._sql.get_scores(unknown), strict=True)]
        if asked := set(words):
            scores = [score * (len(asked & known) / len(asked)) ** COVERAGE
                      for score, known in zip(scores, self._entry_words, strict=True)]
        if asks_now(question):
            scores = [score * (NOW_BOOST if is_live(entry) else 1.0) for score, entry in zip(scores, self.entries,
                                                                                           strict=True)]
        if mentioned:
            boost = max(MENTION_BOOST * max(scores), MIN_SCORE)
            for i, entry in enumerate(self.entries):
                if entry.panel is not None and entry.panel.requires in mentioned:
                    scores[i] += boost
                elif entry.panel is not None and mentioned & set(entry.panel.reads):
                    scores[i] += boost / 2
        ranked = sorted(range(len(self.entries)), key=lambda i: -scores[i])
        return [Hit(self.entries[i], scores[i]) for i in ranked[:k]]


def asks_now(question: str) -> bool:
    """Whether the question asks about this instant ("rn", "at the moment", "currently")."""
    return _NOW.search(question) is not None


def is_live(entry: Entry) -> bool:
    """Whether the entry is a live view (`LIVE_TTL`): a panel, no check, refreshed often, taking no time window."""
    panel = entry.panel
    return panel is not None and panel.check is None and panel.ttl <= LIVE_TTL and "window" not in panel.fillable


def build_index(panels: dict[str, Panel] | None = None) -> Index:
    """An index over the panels that declare phrases (health checks included) and the Health page."""
    panels = PANELS if panels is None else panels
    health_page = PAGES["health"]
    entries = [Entry(HEALTH, health_page.title, health_page.intro, None)]
    documents = [" ".join((health_page.title, health_page.intro, *catalog_health.HEALTH_PHRASES))]
    sql_documents = [""]
    for panel in panels.values():
        if panel.phrases:
            entries.append(Entry(panel.name, panel.title, panel.description, panel))
            documents.append(_document(panel))
            sql_documents.append(_sql_document(panel))
    return Index(entries, documents, sql_documents)


@functools.cache
def catalog_index() -> Index:
    """The index of the whole catalog, built once per process."""
    return build_index()
