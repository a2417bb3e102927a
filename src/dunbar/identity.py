"""Who is this? Identity resolution across sources, as pure in-memory matching.

The import pipeline loads an ``IdentityIndex`` of everyone once (a few set-based queries), then asks it about each
incoming record, adding the people it creates so that later records of the same batch find them too.

The rules, strongest first:
1. a shared normalized e-mail, LinkedIn URL or phone (E.164) is certain;
2. the same folded full name at the same organization is certain;
3. the same name without a shared organization, or a similar name (rapidfuzz) in the same family-name block,
   is uncertain: a new person is created and the pair goes to the review queue (``dunbar dedupe``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from dunbar.text import fold

Key = tuple[str, str]  # (kind, norm)

# A family-name block larger than this (a very common name) is too weak to fuzz through.
BLOCK_LIMIT = 400
STRONG = ("email", "phone", "linkedin")


@dataclass(slots=True)
class Candidate:
    person_id: int
    score: float
    evidence: list[str]


@dataclass(slots=True)
class Match:
    person_id: int | None  # the certain match, if any
    evidence: list[str] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)  # uncertain ones, for the review queue


_WORDS = {"email": "e-mail", "linkedin": "LinkedIn", "phone": "phone", "ref": "record in", "uid": "dunbar id"}


def _same(kind: str, norm: str) -> str:
    """Evidence in the words ``dunbar dedupe`` uses: "same e-mail ana@example.com"."""
    return f"same {_WORDS.get(kind, kind)} {norm}"


def _tokens(name_fold: str) -> list[str]:
    return [t for t in name_fold.replace("-", " ").replace(".", " ").split() if t]


class IdentityIndex:
    def __init__(self) -> None:
        self.by_key: dict[Key, int] = {}
        self.by_name: dict[str, list[int]] = {}
        self.by_family: dict[str, dict[int, str]] = {}  # family-name token -> {person: folded name}
        self.names: dict[int, str] = {}
        self.orgs: dict[int, set[str]] = {}
        self.kinds: dict[int, set[str]] = {}  # the kinds of strong key a person has (e-mail, phone, LinkedIn)

    def add_person(self, person_id: int, name_fold: str) -> None:
        if person_id in self.names:
            return
        self.names[person_id] = name_fold
        self.by_name.setdefault(name_fold, []).append(person_id)
        toks = _tokens(name_fold)
        if len(toks) >= 2:
            self.by_family.setdefault(toks[-1], {})[person_id] = name_fold

    def add_key(self, person_id: int, key: Key) -> None:
        self.by_key.setdefault(key, person_id)
        if key[0] in STRONG:
            self.kinds.setdefault(person_id, set()).add(key[0])

    def add_org(self, person_id: int, org_fold: str) -> None:
        self.orgs.setdefault(person_id, set()).add(org_fold)

    def owner(self, key: Key) -> int | None:
        return self.by_key.get(key)

    def match(self, keys: Iterable[Key], name: str | None, orgs: Iterable[str] = (), *, fuzzy: bool = True) -> Match:
        """Who an incoming record is: a certain person, and/or candidates for review."""
        keys = list(keys)
        shared = [k for k in keys if k in self.by_key]
        if shared:
            hits = Counter(self.by_key[k] for k in shared)
            (best, _), *others = hits.most_common()
            evidence = [_same(kind, norm) for kind, norm in shared if self.by_key[(kind, norm)] == best]
            cands = [
                Candidate(pid, 1.0, [_same(k, n) for k, n in shared if self.by_key[(k, n)] == pid]) for pid, _ in others
            ]
            return Match(best, evidence, cands)
        name_fold = fold(name or "")
        if not name_fold:
            return Match(None)
        same_name = self.by_name.get(name_fold)
        toks = _tokens(name_fold)
        if not same_name and not (fuzzy and len(toks) >= 2):
            return Match(None)  # the common case of a new person: nothing to compare with
        org_set = {fold(o) for o in orgs if o}
        candidates: list[Candidate] = []
        mine = {kind for kind, _ in keys if kind in STRONG}
        for pid in same_name or ():
            common = org_set & self.orgs.get(pid, set())
            # Two addresses of the same kind that differ say "maybe two people" (two John Smiths at IBM).
            differ = sorted(mine & self.kinds.get(pid, set()))
            if common and len(toks) >= 2 and not differ:
                return Match(pid, [f"same name and organization ({sorted(common)[0]})"])
            if common and len(toks) >= 2:
                why = f"same name and organization ({sorted(common)[0]}), different {_WORDS.get(differ[0], differ[0])}"
                candidates.append(Candidate(pid, 0.9, [why]))
                continue
            if len(toks) >= 2 or common:
                score = 0.8 if common or not org_set or not self.orgs.get(pid) else 0.6
                why = "same name" + ("" if score == 0.8 else ", different organizations")
                candidates.append(Candidate(pid, score, [why]))
        if fuzzy and len(toks) >= 2:
            candidates += self._similar(name_fold, toks, org_set, exclude={c.person_id for c in candidates})
        candidates.sort(key=lambda c: -c.score)
        return Match(None, [], candidates[:3])

    def _similar(self, name_fold: str, toks: list[str], org_set: set[str], exclude: set[int]) -> list[Candidate]:
        block = self.by_family.get(toks[-1])
        if not block or len(block) > BLOCK_LIMIT:
            return []
        from rapidfuzz import fuzz, process, utils

        out = []
        # token_set: "Ana P. Lima" is "Ana Lima" with a middle initial; only a candidate, never a merge
        for other, ratio, pid in process.extract(
            name_fold, block, scorer=fuzz.token_set_ratio, processor=utils.default_process, score_cutoff=88, limit=5
        ):
            if pid in exclude:
                continue
            common = org_set & self.orgs.get(pid, set())
            if not common and ratio < 95:
                continue
            score = round(min(0.85, 0.5 + (ratio - 85) / 40 + (0.15 if common else 0)), 2)
            why = [f"similar names: {name_fold} / {other} ({ratio:.0f})"]
            if common:
                why.append(f"same organization ({sorted(common)[0]})")
            out.append(Candidate(pid, score, why))
        return out
