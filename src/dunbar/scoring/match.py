"""The baseline matcher of offers and needs: pure functions, no I/O but reading the shipped synonym table.

A text becomes a bag of **concepts**: folded, tokenized and lightly stemmed words are matched, longest phrase
first, against the synonym table (``dunbar/data/synonyms.txt``: "k8s" and "Kubernetes" are one concept, and
"kubernetes" is a little bit of "devops"); words the table does not know stay concepts of their own ("acme"),
except stop words and the words of asking ("hiring", "looking for", "help with"), which say nothing about what.

Two texts are compared by the cosine of their concept vectors, each concept weighted by how rare it is among
all offers and needs (so "acme" counts for more than "engineer"). An inverted index over concepts finds the
candidates of a text without comparing all pairs, and every match keeps the concepts it shares, so that it can
say why.
"""

from __future__ import annotations

import heapq
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

from dunbar.text import fold

BROADER = 0.5  # how much of a broader concept a narrower one is
MIN_SCORE = 0.2  # below this a shared concept is a coincidence, not a match
MAX_PHRASE = 5

_TOKEN = re.compile(r"[0-9a-z]+")
# Names whose punctuation carries the meaning; replaced before the punctuation is dropped.
_SPECIAL = [
    (re.compile(r"(?<![0-9a-z])c\+\+"), " cplusplus "),
    (re.compile(r"(?<![0-9a-z])c#"), " csharp "),
    (re.compile(r"(?<![0-9a-z])f#"), " fsharp "),
    (re.compile(r"(?<![0-9a-z])\.net\b"), " dotnet "),
    (re.compile(r"\bnode\.js\b"), " nodejs "),
]


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOP_WORDS = _word_set(
    """
    a an and or the of to in on at for from by with about into onto over under as is are be been being am was
    were it its this that these those there here i me my mine we us our you your he him his she her they them
    their who whom whose what which when where why how do does did doing have has had can could will would shall
    should may might must not no nor so than too very just also only some any all each every other more most
    much many few own same such both either neither one two three etc via per like e g ie eg up out off again
    further then once currently now soon asap next new good great best strong solid really maybe possibly please
    thanks anything something things thing stuff area areas field space kind sort way ways lot lots bit inc ltd
    llc gmbh corp co plc sa ag bv
    """
)

# The words of offering and asking: they say that something is wanted or given, not what.
INTENT_WORDS = _word_set(
    """
    hiring hire hires hired looking look looks seeking seek seeks need needs needed needing want wants wanted
    wanting would love help helps helping helped advice advise advising tips tip intro intros introduction
    introductions introduce introduced connect connecting connection connections contact contacts someone
    somebody anyone anybody people person folks find finding get getting know knows knowing ask asking question
    questions chat coffee call access expert experts expertise experience experienced knowledge guidance input
    thoughts recommendation recommendations referral referrals refer open offer offers offering give giving
    share sharing provide providing happy glad available willing able support supporting learn learning
    understand understanding figure out try trying start starting moving move switch switching transition
    transitioning build building around senior lead leading based team teams company companies role roles work
    working works position positions
    """
)


def stem(word: str) -> str:
    """A light English stemmer: plurals and ``-ing`` (engineers, engineering -> engineer); enough for short texts."""
    n = len(word)
    if n <= 3 or word.isdigit():
        return word
    if word.endswith("ies") and n > 4:
        return word[:-3] + "y"
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    if word.endswith("ing") and n - 3 >= 4:
        base = word[:-3]
        if base[-1] == base[-2] and base[-1] not in "aeiouls":
            base = base[:-1]  # programming -> programm -> program
        return base
    return word


_stem = lru_cache(maxsize=65536)(stem)


def tokens(text: str) -> list[tuple[str, str]]:
    """(stem, folded word) pairs of a text, stop words and all (phrases of the table may contain them)."""
    folded = fold(text)
    if any(ch in folded for ch in "+#."):
        for pattern, repl in _SPECIAL:
            folded = pattern.sub(repl, folded)
    return [(_stem(w), w) for w in _TOKEN.findall(folded)]


# The synonym table -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """The synonym table, compiled: phrase (tuple of stems) -> concept, and concept -> broader concepts."""

    phrases: dict[tuple[str, ...], str]
    broader: dict[str, tuple[str, ...]]
    longest: int
    names: dict[str, str] = field(default_factory=dict)  # concept -> its name as the table writes it
    starts: dict[str, int] = field(default_factory=dict)  # first stem of a phrase -> the longest such phrase

    def name(self, concept: str) -> str:
        return self.names.get(concept, concept)


def _key(text: str) -> tuple[str, ...]:
    return tuple(s for s, _ in tokens(text))


def parse_table(lines: Iterable[str]) -> Table:
    """Compile the lines of a synonym table (format in ``dunbar/data/synonyms.txt``); a bad line is a ValueError."""
    phrases: dict[tuple[str, ...], str] = {}
    broader: dict[str, tuple[str, ...]] = {}
    names: dict[str, str] = {}
    for number, raw in enumerate(lines, 1):
        line = raw.split("#", 1)[0].strip() if raw.lstrip().startswith("#") else raw.strip()
        if not line:
            continue
        head, sep, rest = line.partition(":")
        if not sep or not head.strip():
            raise ValueError(f"line {number}: expected 'concept: alias, alias > broader'")
        concept = " ".join(_key(head))
        names.setdefault(concept, " ".join(head.split()))
        aliases, _, parents = rest.partition(">")
        for alias in [head, *aliases.split(",")]:
            k = _key(alias)
            if k:
                # The first concept to claim a phrase keeps it: the table is read top to bottom.
                phrases.setdefault(k, concept)
        wider = tuple(" ".join(_key(p)) for p in parents.split(",") if _key(p))
        if wider:
            broader[concept] = wider
    known = set(phrases.values())
    for name, ups in broader.items():
        unknown = [p for p in ups if p not in known]
        if unknown:
            raise ValueError(f"{name}: broader concept {unknown[0]!r} has no line of its own")
    starts: dict[str, int] = {}
    for k in phrases:
        starts[k[0]] = max(starts.get(k[0], 0), len(k))
    return Table(phrases, broader, max((len(k) for k in phrases), default=1), names, starts)


@lru_cache(maxsize=1)
def default_table() -> Table:
    text = resources.files("dunbar").joinpath("data/synonyms.txt").read_text(encoding="utf-8")
    return parse_table(text.splitlines())


# Concepts of one text --------------------------------------------------------------------------------------


class Mention(NamedTuple):
    """A concept in a text: how strongly (1 said, 0.5 implied by a narrower one), and the words that said it."""

    strength: float
    words: str
    via: str | None = None  # the narrower concept that implied this broader one


Concepts = dict[str, Mention]


def concepts(text: str, table: Table | None = None) -> Concepts:
    """The concepts of a text: table phrases (longest first), then the remaining meaningful words, then the broader
    concepts of what was found. A text of nothing but asking ("need help with hiring") keeps its asking words."""
    t = table or default_table()
    toks = tokens(text)
    out: Concepts = {}
    literal: list[tuple[str, str]] = []
    i, n = 0, len(toks)
    phrases, starts = t.phrases, t.starts
    while i < n:
        longest = starts.get(toks[i][0], 0)
        for size in range(min(longest, n - i), 0, -1):
            key = tuple(s for s, _ in toks[i : i + size])
            concept = phrases.get(key)
            if concept is not None and not (size == 1 and key[0] in STOP_WORDS):
                if concept not in out:
                    out[concept] = Mention(1.0, " ".join(w for _, w in toks[i : i + size]))
                i += size
                break
        else:
            literal.append(toks[i])
            i += 1
    content = [(s, w) for s, w in literal if s not in STOP_WORDS and w not in STOP_WORDS and len(s) > 1]
    meaningful = [(s, w) for s, w in content if s not in INTENT_WORDS and w not in INTENT_WORDS]
    if not out and not meaningful:
        meaningful = content
    for s, w in meaningful:
        out.setdefault(s, Mention(1.0, w))
    for concept in list(out):
        for parent in t.broader.get(concept, ()):
            if parent not in out:
                out[parent] = Mention(BROADER, out[concept].words, via=concept)
    return out


# Why two texts match ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """One concept two texts share, and how each side said it."""

    concept: str
    need_words: str
    offer_words: str
    how: str  # same, synonym, related
    weight: float  # this concept's share of the score

    def sentence(self) -> str:
        if self.how == "same":
            return f"both say '{self.need_words}'"
        if self.how == "synonym":
            return f"synonym: {self.offer_words} = {self.need_words}"
        return f"related: {self.offer_words} ~ {self.need_words} ({default_table().name(self.concept)})"


def _how(a: Mention, b: Mention) -> str:
    if a.strength < 1 or b.strength < 1:
        return "related"
    return "same" if a.words == b.words or _key(a.words) == _key(b.words) else "synonym"


def explain(need: Concepts, offer: Concepts, weights: dict[str, float]) -> list[Reason]:
    """The shared concepts of a need and an offer, largest contribution first (given the concept weights)."""
    shared = []
    total = 0.0
    for c in need.keys() & offer.keys():
        part = weights.get(c, 1.0) ** 2 * need[c].strength * offer[c].strength
        total += part
        shared.append((part, c))
    shared.sort(key=lambda x: (-x[0], x[1]))
    out = []
    for part, c in shared:
        out.append(Reason(c, need[c].words, offer[c].words, _how(need[c], offer[c]), part / total if total else 0.0))
    # A broader concept reached through concepts already given adds nothing to read.
    direct = {r.concept for r in out if r.how != "related"}
    return [r for r in out if r.how != "related" or not ({need[r.concept].via, offer[r.concept].via} & direct)]


def why_text(reasons: Sequence[Reason], *, limit: int = 3) -> str:
    return "; ".join(r.sentence() for r in reasons[:limit])


# Scoring many texts: an inverted index over concepts -------------------------------------------------------


def idf(df: int, n: int) -> float:
    """How much a concept counts: rare ones much more than common ones (smoothed, never zero)."""
    return math.log(1.0 + n / (1.0 + df))


@dataclass
class Index:
    """Texts (offers, or needs) as unit vectors over weighted concepts, with postings concept -> (doc, weight).

    ``weights`` is shared by both sides of a comparison: build it from all offers and needs with ``weigh``.
    """

    weights: dict[str, float]
    docs: list[Concepts] = field(default_factory=list)
    vectors: list[dict[str, float]] = field(default_factory=list)
    postings: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    top: dict[str, float] = field(default_factory=dict)  # the largest weight in each posting list
    _default: float | None = None

    def add(self, found: Concepts) -> int:
        if self._default is None:
            self._default = max(self.weights.values(), default=1.0)
        vec = vector(found, self.weights, self._default)
        n = len(self.docs)
        self.docs.append(found)
        self.vectors.append(vec)
        for c, w in vec.items():
            self.postings.setdefault(c, []).append((n, w))
            if w > self.top.get(c, 0.0):
                self.top[c] = w
        return n

    def search(self, query: dict[str, float], *, min_score: float = MIN_SCORE) -> Iterator[tuple[int, float]]:
        """The documents whose cosine with ``query`` (a unit vector) reaches ``min_score``.

        MaxScore pruning: concepts whose best possible contributions add up to less than ``min_score`` cannot
        make a match on their own, so they only add to candidates found through the others; a common concept
        ("engineer") is then never walked for a query that also has a rare one.
        """
        terms = sorted(((q * self.top[c], c, q) for c, q in query.items() if c in self.top), reverse=True)
        bound, cut = 0.0, len(terms)
        while cut > 0 and bound + terms[cut - 1][0] < min_score:
            cut -= 1
            bound += terms[cut][0]
        acc: dict[int, float] = {}
        get = acc.get
        for _, c, q in terms[:cut]:
            for doc, w in self.postings[c]:
                acc[doc] = get(doc, 0.0) + q * w
        rest = terms[cut:]
        vectors = self.vectors
        for doc, score in acc.items():
            if rest:
                vec = vectors[doc]
                score += sum(q * vec.get(c, 0.0) for _, c, q in rest)
            if score >= min_score:
                yield doc, score


def weigh(texts: Iterable[Concepts | tuple[Concepts, int]]) -> dict[str, float]:
    """Concept weights (idf) from every text that will be compared: offers and needs together. A text can come
    with how many hold it, ``(concepts, count)``: a concept is as common as the offers and needs that say it."""
    df: dict[str, int] = {}
    n = 0
    for item in texts:
        found, k = item if isinstance(item, tuple) else (item, 1)
        n += k
        for c in found:
            df[c] = df.get(c, 0) + k
    return {c: idf(k, n) for c, k in df.items()}


def vector(found: Concepts, weights: dict[str, float], default: float | None = None) -> dict[str, float]:
    """A unit vector: concept -> weight × strength, normalised; an unknown concept weighs as a rare one."""
    if default is None:
        default = max(weights.values(), default=1.0)
    raw = {c: weights.get(c, default) * m.strength for c, m in found.items()}
    norm = math.sqrt(sum(v * v for v in raw.values()))
    return {c: v / norm for c, v in raw.items()} if norm else {}


def score(need: Concepts, offer: Concepts, weights: dict[str, float]) -> float:
    """The cosine of two texts' concept vectors, 0..1."""
    a, b = vector(need, weights), vector(offer, weights)
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(c, 0.0) for c, w in a.items())


def best(pairs: Iterable[tuple[float, int, int]], k: int) -> list[tuple[float, int, int]]:
    """The ``k`` best (score, i, j), best first; ties by the smaller ids, so output is stable."""
    return sorted(heapq.nsmallest(k, pairs, key=lambda x: (-x[0], x[1], x[2])), key=lambda x: (-x[0], x[1], x[2]))


def match(need: str, offer: str, *, table: Table | None = None) -> tuple[float, list[Reason]]:
    """Score and explain one need against one offer, with equal weights: for trying the matcher by hand."""
    a, b = concepts(need, table), concepts(offer, table)
    weights = dict.fromkeys(a.keys() | b.keys(), 1.0)
    return score(a, b, weights), explain(a, b, weights)
