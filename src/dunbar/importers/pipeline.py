"""The import pipeline: records from any parser → identity resolution → one batch in one transaction.

Stages: a parser yields neutral records (``records.py``); ``Planner`` resolves each against an in-memory
``IdentityIndex`` and existing facts (loaded once, set-based) and plans rows; ``Writer`` inserts the planned rows in
pages with ``executemany`` under pre-allocated ids. Everything happens inside one transaction, so a batch lands whole
or not at all (a dry run is the same work, rolled back). Every record is counted exactly once:
read = created + merged + unchanged + rejected.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import json
import os
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from dunbar import normalize, search
from dunbar.identity import IdentityIndex, Key
from dunbar.importers.records import (
    Digested,
    DigestRow,
    InteractionRecord,
    ParticipantRef,
    PersonRecord,
    Record,
    Rejected,
    Warning,
    is_bulk_row,
)
from dunbar.scoring.stats import decay_term_micros, kind_bit
from dunbar.store.db import Db, defer_indexes, from_micros, sqlite_ts, to_date, to_micros
from dunbar.text import fold, search_body
from dunbar.vocabulary import new_uid

# Organization names and job titles repeat across thousands of records (300 companies in 30,000 connections):
# fold each once.
fold_term = lru_cache(maxsize=16384)(fold)
# The same correspondents write again and again: a mailbox of 100,000 messages has a few thousand addresses.
norm_email = lru_cache(maxsize=65536)(normalize.email)

LOW_WEIGHT = 0.1  # large meetings and bulk threads: kept, but they say little about a tie
PAGE = 2000

Progress = Callable[[int], None]


@dataclass
class Report:
    format: str
    path: str
    dry_run: bool = False
    batch_id: int | None = None
    read: int = 0
    created: int = 0
    merged: int = 0
    unchanged: int = 0
    rejected: int = 0
    people_created: int = 0
    interactions_created: int = 0
    review_queued: int = 0
    ignored_bulk: int = 0
    rejects: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    already_imported: int | None = None  # the batch that imported this very file before
    rejects_file: str | None = None
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.merged)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class _DryRun(Exception):
    pass


def fingerprint(path: Path) -> str:
    """A hash that says "you imported this before": a file's content, or the names of a folder's files.

    A folder (a Maildir of 100,000 messages) is fingerprinted from its file names alone, combined in an order-free
    way: no stat, no read, nothing sorted or held in memory. Maildir messages never change in place (a new flag
    renames the file), and the fingerprint only says "imported before"; the import itself always compares content.
    """
    h = hashlib.sha1(usedforsecurity=False)
    if path.is_dir():
        total = count = 0
        for root, _dirs, files in os.walk(path):
            rel = os.path.relpath(root, path).encode()
            for name in files:
                entry = rel + b"/" + name.encode()
                total = (total + ((zlib.crc32(entry) << 32) | zlib.adler32(entry))) % (1 << 64)
                count += 1
        h.update(f"{count}:{total}".encode())
        return h.hexdigest()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# Loading what is known ---------------------------------------------------------------------------------------


@dataclass
class Known:
    """What the database already holds, as sets and maps, to tell new facts from known ones without queries."""

    index: IdentityIndex
    orgs: dict[str, int]  # name_fold -> id
    tags: dict[str, int]
    person: dict[int, dict[str, Any]]  # the scalar columns the pipeline may fill
    jobs: set[tuple[int, int, str]]  # (person, org, folded title)
    notes: set[tuple[int, str]]  # (person, sha1 of body)
    dates: set[tuple[int, str, int, int]]
    fields: dict[tuple[int, str], str]
    person_tags: set[tuple[int, int]]
    alternates: set[tuple[int, str, str]]
    external_ids: set[str]
    me_id: int | None
    ident_kinds: set[tuple[int, str]] = field(default_factory=set)  # people who already have an e-mail, a phone…


def load_known(db: Db) -> Known:
    index = IdentityIndex()
    person: dict[int, dict[str, Any]] = {}
    me_id = None
    for pid, name_fold, display, loc, conn, is_me in db.rows(
        "SELECT id, name_fold, display_name, location, connected_on, is_me FROM person WHERE deleted_at IS NULL"
    ):
        index.add_person(pid, name_fold)
        person[pid] = {"name_fold": name_fold, "display_name": display, "location": loc, "connected_on": to_date(conn)}
        if is_me:
            me_id = pid
    ident_kinds: set[tuple[int, str]] = set()
    for pid, kind, norm in db.rows(
        "SELECT i.person_id, i.kind, i.norm FROM identifier i JOIN person p ON p.id = i.person_id "
        "WHERE p.deleted_at IS NULL"
    ):
        index.add_key(pid, (kind, norm))
        ident_kinds.add((pid, kind))
    for pid, uid in db.rows("SELECT id, uid FROM person WHERE deleted_at IS NULL"):
        index.add_key(pid, ("uid", uid))
    orgs = {k: i for i, k in db.rows("SELECT id, name_fold FROM organization")}
    jobs: set[tuple[int, int, str]] = set()
    org_names = {i: k for k, i in orgs.items()}
    for pid, oid, title in db.rows("SELECT person_id, organization_id, title FROM employment"):
        jobs.add((pid, oid, fold(title or "")))
        if pid in person:
            index.add_org(pid, org_names[oid])
    return Known(
        index=index,
        orgs=orgs,
        tags={k: i for i, k in db.rows("SELECT id, name_fold FROM tag")},
        person=person,
        jobs=jobs,
        notes={(p, _digest(b)) for p, b in db.rows("SELECT person_id, body FROM note")},
        dates={(p, k, m, d) for p, k, m, d in db.rows("SELECT person_id, kind, month, day FROM important_date")},
        fields={(p, k): v for p, k, v in db.rows("SELECT person_id, key, value FROM field")},
        person_tags={(p, t) for p, t in db.rows("SELECT person_id, tag_id FROM person_tag")},
        alternates={(p, a, v) for p, a, v in db.rows("SELECT person_id, attribute, value FROM alternate")},
        external_ids={r[0] for r in db.rows("SELECT external_id FROM interaction WHERE external_id IS NOT NULL")},
        me_id=me_id,
        ident_kinds=ident_kinds,
    )


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


# Planning and writing -----------------------------------------------------------------------------------------


class IdAllocator:
    """Ids handed out before insert, so rows can reference each other and go in with ``executemany``.

    Safe because the batch holds the write lock (SQLite: BEGIN IMMEDIATE) or draws from the sequence (PostgreSQL).
    """

    def __init__(self, db: Db) -> None:
        self.db = db
        self.next: dict[str, int] = {}
        self._drawn: dict[str, list[int]] = {}  # PostgreSQL: values drawn from the sequence, not yet handed out
        self._block: dict[str, int] = {}
        self._pg = db.dialect == "postgresql"

    def take(self, table: str, n: int = 1) -> int:
        if self._pg:
            # One value per call: PostgreSQL sequences promise unique values, not consecutive ones. They are drawn
            # in growing blocks (one round trip per block instead of one per row: a 3,000-row import made 9,000
            # round trips); values left over at the end are gaps in the ids, which nothing relies on.
            assert n == 1
            drawn = self._drawn.setdefault(table, [])
            if not drawn:
                size = self._block[table] = min(4096, max(16, self._block.get(table, 8) * 2))
                drawn.extend(
                    int(r[0])
                    for r in self.db.rows(
                        f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, :k)",
                        {"k": size},
                    )
                )
                drawn.reverse()  # handed out from the end, smallest first
            return drawn.pop()
        if table not in self.next:
            self.next[table] = int(self.db.scalar(f"SELECT coalesce(max(id), 0) FROM {table}")) + 1
        first = self.next[table]
        self.next[table] += n
        return first


class Planner:
    """Turns records into planned rows; the only place that decides "new, merged or unchanged"."""

    def __init__(
        self, db: Db, known: Known, *, batch_id: int, source_id: int, now: datetime, report: Report, label: str
    ) -> None:
        self.db = db
        self.k = known
        self.batch_id = batch_id
        self.source_id = source_id
        self.now = now
        self.report = report
        self.label = label
        self.fmt = report.format
        self._uid_prefix = new_uid()[:20]
        self._uids = 0
        self.ids = IdAllocator(db)
        self.rows: dict[str, list[dict[str, Any]]] = {}
        # The tables a mail import fills by the hundred thousand take plain tuples (see ``Writer``).
        self.sqlite = db.dialect == "sqlite"
        self.created: Any = sqlite_ts(now) if self.sqlite else now
        self.interactions: list[tuple[Any, ...]] = []
        self.participants: list[tuple[int, int, str | None]] = []
        self.docs: list[tuple[int, str]] = []  # (interaction, search words of its summary)
        self.fills: list[tuple[int, str, Any, Any]] = []  # (person, column, old, new)
        self.touched_people: set[int] = set()
        self.new_docs: dict[int, list[str]] = {}  # what search will index for the people this batch creates
        self.new_notes: list[int] = []
        from dunbar import stats

        self.stats = stats.pending(db)  # running totals of the new interactions, for strength
        self.candidates: list[tuple[int, int, float, list[str]]] = []
        self.me_emails: set[str] = set()
        self.me_linkedin: set[str] = set()
        self.me_names: set[str] = set()

    # rows

    def _uid(self) -> str:
        """A new 32-hex uid: a random prefix per batch and a counter, so the unique index grows at its end
        (random uids scatter 30,000 inserts across the whole index)."""
        self._uids += 1
        return f"{self._uid_prefix}{self._uids:012x}"

    def _add(self, table: str, row: dict[str, Any]) -> None:
        self.rows.setdefault(table, []).append(row)

    def _org(self, name: str) -> int:
        key = fold_term(name)
        oid = self.k.orgs.get(key)
        if oid is None:
            oid = self.ids.take("organization")
            self.k.orgs[key] = oid
            self._add(
                "organization", {"id": oid, "name": " ".join(name.split()), "name_fold": key, "created_at": self.now}
            )
        return oid

    def _tag(self, name: str) -> int:
        clean = " ".join(name.strip().lstrip("#").split())
        key = fold(clean)
        tid = self.k.tags.get(key)
        if tid is None:
            tid = self.ids.take("tag")
            self.k.tags[key] = tid
            self._add("tag", {"id": tid, "name": clean, "name_fold": key})
        return tid

    def _new_person(
        self,
        name: str,
        *,
        given: str | None = None,
        family: str | None = None,
        nickname: str | None = None,
        location: str | None = None,
        connected_on: Any = None,
    ) -> int:
        pid = self.ids.take("person")
        name = " ".join(name.split())
        if given is None and family is None:
            parts = name.split()
            given, family = (" ".join(parts[:-1]), parts[-1]) if len(parts) > 1 else (name, None)
        name_fold = fold(name)
        given, family = given or None, family or None
        # Only the columns an import can fill: the rest (circle, cadence, closeness…) are NULL by default, and
        # binding eight NULLs per row costs a third of the insert on a 30,000-row file.
        self._add(
            "person",
            {
                "id": pid,
                "uid": self._uid(),
                "display_name": name,
                "name_fold": name_fold,
                "given_name": given,
                "family_name": family,
                "nickname": nickname,
                "location": location,
                "connected_on": connected_on,
                "is_me": False,
                "source_id": self.source_id,
                "created_at": self.now,
                "updated_at": self.now,
            },
        )
        self.k.index.add_person(pid, name_fold)
        self.k.person[pid] = {
            "name_fold": name_fold,
            "display_name": name,
            "location": location,
            "connected_on": connected_on,
        }
        self.new_docs[pid] = [v for v in (name, given, family, nickname, location) if v]
        self.report.people_created += 1
        return pid

    def _identifier(self, pid: int, kind: str, value: str, norm: str, label: str | None) -> bool:
        if (kind, norm) in self.k.index.by_key:
            return False
        primary = (pid, kind) not in self.k.ident_kinds
        self.k.ident_kinds.add((pid, kind))
        self._add(
            "identifier",
            {
                "id": self.ids.take("identifier"),
                "person_id": pid,
                "kind": kind,
                "value": value,
                "norm": norm,
                "label": label,
                "is_primary": primary,
                "source_id": self.source_id,
            },
        )
        self.k.index.add_key(pid, (kind, norm))
        if kind == "email":
            self._doc(pid, value)
        return True

    def _doc(self, pid: int, *parts: str | None) -> None:
        """Add words to the search document of a person this batch creates (others are reindexed at the end)."""
        doc = self.new_docs.get(pid)
        if doc is not None:
            doc.extend(p for p in parts if p)
        else:
            self.touched_people.add(pid)

    # people

    @staticmethod
    def person_keys(rec: PersonRecord) -> tuple[list[tuple[str, str, str, str | None]], list[Key]]:
        idents: list[tuple[str, str, str, str | None]] = []
        for value, label in rec.emails:
            norm = normalize.email(value)
            if norm:
                idents.append(("email", value.strip(), norm, label))
        for value, label in rec.phones:
            norm = normalize.phone(value)
            if norm:
                idents.append(("phone", norm, norm, label))
        for value, label in rec.links:
            li = normalize.linkedin(value)
            if li:
                idents.append(("linkedin", value.strip(), li, label))
            else:
                u = normalize.url(value)
                if u:
                    idents.append(("url", value.strip(), u, label))
        keys = [(k, n) for k, _, n, _ in idents if k in ("email", "phone", "linkedin")]
        return idents, keys

    def _ref(self, rec: PersonRecord, name: str, idents: list[tuple[str, str, str, str | None]]) -> str:
        """The record's identity within its source: the source's own id (a vCard UID), else a digest of what
        it says, so that importing the same record again finds the same person even with no e-mail or URL."""
        if rec.ref:
            return f"{self.fmt}:{rec.ref}"
        parts = [fold(name), *sorted(n for _, _, n, _ in idents)]
        parts += [f"{fold(e.organization)}|{fold(e.title or '')}" for e in rec.employments]
        parts.append(rec.connected_on.isoformat() if rec.connected_on else "")
        return f"{self.fmt}:" + _digest("\x1f".join(parts))

    def person(self, rec: PersonRecord) -> None:
        idents, keys = self.person_keys(rec)
        name = rec.display_name or " ".join(p for p in (rec.given_name, rec.family_name) if p)
        if not name.strip():
            name = next((v for k, v, _, _ in idents if k == "email"), "")
        if not name.strip():
            self.reject(rec.line, "no name, e-mail, phone or link: nothing to know this person by")
            return
        orgs = [e.organization for e in rec.employments if e.organization]
        strong = bool(keys)
        # Records without an e-mail, phone or LinkedIn URL are recognised on re-import by their own id (or a digest
        # of what they say); the others already carry a key, and 30,000 more identifier rows would cost.
        ref = None if strong else self._ref(rec, name, idents)
        if ref:
            keys.append(("ref", ref))
        if rec.ref and rec.ref.lower().startswith("urn:uuid:"):
            keys.append(("uid", rec.ref[9:].replace("-", "").lower()))  # a card dunbar exported itself
        # Fuzzy names only for records without an e-mail, phone or LinkedIn URL of their own: the rest already had
        # every chance to be recognised, and 30,000 of them would pay for it.
        match = self.k.index.match(keys, name, orgs, fuzzy=not strong)
        if match.person_id is None:
            pid = self._new_person(
                name,
                given=rec.given_name,
                family=rec.family_name,
                nickname=rec.nickname,
                location=rec.location,
                connected_on=rec.connected_on,
            )
            self._facts(pid, rec, idents, name, new=True)
            if ref:
                self._identifier(pid, "ref", ref, ref, None)
            self.report.created += 1
            for cand in match.candidates:
                self.candidates.append((pid, cand.person_id, cand.score, cand.evidence))
            return
        pid = match.person_id
        for cand in match.candidates:
            self.candidates.append((pid, cand.person_id, cand.score, cand.evidence))
        changed = self._facts(pid, rec, idents, name, new=False)
        if ref and self.k.index.owner(("ref", ref)) is None:
            self._identifier(pid, "ref", ref, ref, None)
        if changed:
            self.touched_people.add(pid)
            self.report.merged += 1
        else:
            self.report.unchanged += 1

    def _fill(self, pid: int, column: str, value: Any) -> bool:
        old = self.k.person[pid].get(column)
        self.fills.append((pid, column, old, value))
        if isinstance(value, str):
            self._doc(pid, value)
        self.k.person[pid][column] = value
        return True

    def _alternate(self, pid: int, attribute: str, value: str) -> bool:
        key = (pid, attribute, value)
        if key in self.k.alternates:
            return False
        self.k.alternates.add(key)
        self._add(
            "alternate",
            {
                "id": self.ids.take("alternate"),
                "person_id": pid,
                "attribute": attribute,
                "value": value,
                "source_id": self.source_id,
            },
        )
        return True

    def _facts(
        self, pid: int, rec: PersonRecord, idents: list[tuple[str, str, str, str | None]], name: str, *, new: bool
    ) -> bool:
        """Plan every fact of ``rec`` that ``pid`` does not have yet; True when there was any."""
        changed = False
        for kind, value, norm, label in idents:
            owner = self.k.index.owner((kind, norm))
            if owner is None:
                changed |= self._identifier(pid, kind, value, norm, label)
        known = self.k.person[pid]
        if not new:
            if fold(name) != known["name_fold"]:
                changed |= self._alternate(pid, "name", " ".join(name.split()))
            if rec.location:
                if not known.get("location"):
                    changed |= self._fill(pid, "location", rec.location)
                elif fold(rec.location) != fold(known["location"]):
                    changed |= self._alternate(pid, "location", rec.location)
            if rec.connected_on and (known.get("connected_on") is None or rec.connected_on < known["connected_on"]):
                changed |= self._fill(pid, "connected_on", rec.connected_on)
        for job in rec.employments:
            if not job.organization or not job.organization.strip():
                continue
            oid = self._org(job.organization)
            key = (pid, oid, fold_term(job.title or ""))
            if key in self.k.jobs:
                continue
            self.k.jobs.add(key)
            self.k.index.add_org(pid, fold_term(job.organization))
            self._doc(pid, job.organization, job.title)
            self._add(
                "employment",
                {
                    "id": self.ids.take("employment"),
                    "person_id": pid,
                    "organization_id": oid,
                    "title": job.title or None,
                    "start_date": job.start,
                    "end_date": job.end,
                    "source_id": self.source_id,
                },
            )
            changed = True
        for d in rec.dates:
            dkey = (pid, d.kind, d.month, d.day)
            if dkey in self.k.dates:
                continue
            self.k.dates.add(dkey)
            self._add(
                "important_date",
                {
                    "id": self.ids.take("important_date"),
                    "person_id": pid,
                    "kind": d.kind,
                    "label": d.label,
                    "year": d.year,
                    "month": d.month,
                    "day": d.day,
                    "source_id": self.source_id,
                },
            )
            changed = True
        for body in rec.notes:
            text = body.strip()
            if not text or (pid, _digest(text)) in self.k.notes:
                continue
            self.k.notes.add((pid, _digest(text)))
            nid = self.ids.take("note")
            self._add(
                "note", {"id": nid, "person_id": pid, "body": text, "created_at": self.now, "source_id": self.source_id}
            )
            self.new_notes.append(nid)
            changed = True
        for key_, value in rec.fields.items():
            if value in (None, ""):
                continue
            have = self.k.fields.get((pid, key_))
            if have is None:
                self.k.fields[(pid, key_)] = value
                self._add(
                    "field",
                    {
                        "id": self.ids.take("field"),
                        "person_id": pid,
                        "key": key_,
                        "value": value,
                        "source_id": self.source_id,
                    },
                )
                changed = True
            elif have != value:
                changed |= self._alternate(pid, f"field:{key_}", value)
        for tag in rec.tags:
            if not tag.strip():
                continue
            tid = self._tag(tag)
            if (pid, tid) in self.k.person_tags:
                continue
            self.k.person_tags.add((pid, tid))
            self._add("person_tag", {"person_id": pid, "tag_id": tid})
            changed = True
        return changed

    # interactions

    def _is_me(self, ref: ParticipantRef) -> bool:
        if ref.email and norm_email(ref.email) in self.me_emails:
            return True
        if ref.linkedin and normalize.linkedin(ref.linkedin) in self.me_linkedin:
            return True
        return bool(not ref.email and ref.name and fold(ref.name) in self.me_names)

    def _participant(self, ref: ParticipantRef, *, create: bool) -> int | None:
        keys: list[Key] = []
        email = norm_email(ref.email) if ref.email else None
        linkedin = normalize.linkedin(ref.linkedin) if ref.linkedin else None
        if email:
            keys.append(("email", email))
        if linkedin:
            keys.append(("linkedin", linkedin))
        for key in keys:
            owner = self.k.index.owner(key)
            if owner is not None:
                return owner
        name = " ".join((ref.name or "").split())
        if name:
            same = self.k.index.by_name.get(fold(name), [])
            if len(same) == 1:
                pid = same[0]
                if email:
                    self._identifier(pid, "email", ref.email or email, email, None)
                if linkedin:
                    self._identifier(pid, "linkedin", ref.linkedin or linkedin, linkedin, None)
                return pid
        if not create or not (name or email):
            return None
        pid = self._new_person(name or (email or ""))
        if email:
            self._identifier(pid, "email", (ref.email or email).strip(), email, None)
        if linkedin:
            self._identifier(pid, "linkedin", (ref.linkedin or linkedin).strip(), linkedin, None)
        return pid

    def interaction(self, rec: InteractionRecord) -> None:
        """Plan one interaction record from any parser."""
        sender = rec.sender
        everyone = [sender, *rec.participants] if sender else list(rec.participants)
        ext = rec.external_id or self._synthetic_id(rec, everyone)
        if ext in self.k.external_ids:
            self.report.unchanged += 1
            return
        is_me = self._is_me
        sender_is_me = False
        others = []
        for ref in everyone:
            if is_me(ref):
                if ref is sender:
                    sender_is_me = True
            else:
                others.append(ref)
        if not others:
            self.reject(rec.line, "no one but you took part")
            return
        bulk = rec.bulk
        me_id = self.k.me_id
        people: dict[int, str | None] = {}
        for ref in others:
            pid = self._participant(ref, create=not bulk)
            if pid is not None and pid != me_id:
                people.setdefault(pid, ref.role)
        at = rec.occurred_at
        if at.tzinfo is None:
            raise ValueError(f"line {rec.line}: a parser gave a time without a zone ({at.isoformat()})")
        summary = " ".join((rec.summary or "").split())[:1000]
        large = rec.attendee_count is not None and rec.attendee_count > self.large_meeting
        self._plan(
            rec.line,
            people,
            rec.initiator or ("me" if sender_is_me else ("them" if sender else None)),
            sqlite_ts(at) if self.sqlite else at,
            to_micros(at),
            rec.kind,
            summary,
            search_body(summary) if summary else "",
            ext,
            rec.thread,
            LOW_WEIGHT if (large or bulk) else 1.0,
            bulk,
        )

    def digested(self, digest: Digested) -> None:
        """Plan the rows of a mail reader's digest: the same decisions as ``interaction`` makes for the records
        they stand for, without building them (this runs once a message in the process that writes the database)."""
        report, known_ids, me_emails, by_key = self.report, self.k.external_ids, self.me_emails, self.k.index.by_key
        me_id, kind, sqlite, plan = self.k.me_id, digest.kind, self.sqlite, self._plan
        warnings = report.warnings
        report.read += len(digest.rows)
        for number, row in digest.numbered():
            said = row[-1]
            if said:
                warnings.extend({"line": number, "message": message} for message in said)
            if row[0] == "R":
                self.reject(number, row[1], row[2])
                continue
            _, stamp, micros, _, summary, body, ext, thread, parts, initiator, bulk, _ = row
            if ext in known_ids:
                report.unchanged += 1
                continue
            sender_is_me = False
            others = []
            for part in parts:
                if part[2] is not None and part[2] in me_emails:
                    if part[3] == "from":
                        sender_is_me = True
                else:
                    others.append(part)
            if not others:
                self.reject(number, "no one but you took part")
                continue
            people: dict[int, str | None] = {}
            for name, email, norm, role in others:
                pid = by_key.get(("email", norm)) if norm is not None else None
                if pid is None:
                    pid = self._participant(ParticipantRef(name, email, None, role), create=not bulk)
                if pid is not None and pid != me_id and pid not in people:
                    people[pid] = role
            plan(
                number,
                people,
                initiator or ("me" if sender_is_me else "them"),
                stamp if sqlite else from_micros(micros),
                micros,
                kind,
                summary,
                body,
                ext,
                thread,
                LOW_WEIGHT if bulk else 1.0,
                bulk,
            )

    def _plan(
        self,
        line: int | None,
        people: dict[int, str | None],
        initiator: str | None,
        occurred: Any,
        micros: int,
        kind: str,
        summary: str,
        body: str,
        ext: str,
        thread: str | None,
        weight: float,
        bulk: bool,
    ) -> None:
        """The rows of one new interaction with ``people`` (person id -> role); ``occurred`` is its time as the
        database takes it, ``micros`` the same time in microseconds since 1970 (for strength)."""
        if not people:
            if bulk:
                self.report.ignored_bulk += 1
                self.report.unchanged += 1
            else:
                self.reject(line, "no participant could be identified (no name or address)")
            return
        iid = self.ids.take("interaction")
        self.interactions.append(
            (
                iid,
                self._uid(),
                occurred,
                kind,
                initiator,
                summary,
                weight,
                ext,
                thread,
                self.source_id,
                self.created,
            )
        )
        if summary:
            self.docs.append((iid, body))
        self.participants.extend([(iid, pid, role) for pid, role in people.items()])
        term = decay_term_micros(micros, weight, self.stats.half_life)
        self.stats.add_all(people, micros, term, weight, initiator == "me", initiator == "them", kind_bit(kind))
        self.k.external_ids.add(ext)
        self.report.created += 1
        self.report.interactions_created += 1

    large_meeting = 10

    @staticmethod
    def _synthetic_id(rec: InteractionRecord, refs: list[ParticipantRef]) -> str:
        who = sorted(fold(r.email or r.linkedin or r.name or "") for r in refs)
        raw = "|".join([rec.kind, rec.occurred_at.isoformat(), fold(rec.summary or ""), *who])
        return "sha1:" + _digest(raw)

    def reject(self, line: int | None, reason: str, text: str | None = None) -> None:
        self.report.rejected += 1
        self.report.rejects.append({"file": self.label, "line": line, "reason": reason, "text": text})


class Writer:
    """Flushes planned rows, page by page, with one ``executemany`` per table."""

    ORDER = (
        "organization",
        "tag",
        "person",
        "identifier",
        "employment",
        "important_date",
        "note",
        "field",
        "person_tag",
        "alternate",
    )

    # A batch of more than one page into tables smaller than this builds their secondary indexes once at its end
    # (a first mail import: 100,000 interactions in random time order); larger tables keep theirs up to date.
    DEFER_BELOW = 20_000

    def __init__(self, db: Db) -> None:
        self.db = db
        self.deferred: list[str] | None = None

    def flush(self, plan: Planner, *, more: bool = False) -> None:
        """Write what ``plan`` holds; ``more``: other pages will follow."""
        if self.deferred is None and more:
            self.deferred = defer_indexes(
                self.db, ("interaction", "participant", "search_doc"), fewer_than=self.DEFER_BELOW
            )
        for table in self.ORDER:
            rows = plan.rows.pop(table, None)
            if not rows:
                continue
            cols = list(rows[0])
            sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})"
            self.db.executemany(sql, rows)
        # Positional rows, in the columns' order: binding a tuple costs a fraction of binding a dict by name.
        if plan.interactions:
            self.db.insert_rows("interaction", INTERACTION_COLUMNS, plan.interactions)
            plan.interactions = []
        if plan.participants:
            self.db.insert_rows("participant", ("interaction_id", "person_id", "role"), plan.participants)
            plan.participants = []
        if plan.docs:
            self.db.insert_rows("search_doc", ("ref_id", "body"), plan.docs, constants={"kind": "interaction"})
            plan.docs = []

    def finish(self) -> None:
        """Build the indexes the first page deferred."""
        for sql in self.deferred or ():
            self.db.execute(sql)
        self.deferred = []


INTERACTION_COLUMNS = (
    "id",
    "uid",
    "occurred_at",
    "kind",
    "initiator",
    "summary",
    "weight",
    "external_id",
    "thread",
    "source_id",
    "created_at",
)


# Running a batch ------------------------------------------------------------------------------------------------


def _batch(db: Db, *, fmt: str, path: Path, fp: str | None, now: datetime) -> tuple[int, int]:
    batch_id = db.insert(
        "INSERT INTO batch (kind, format, path, fingerprint, started_at, status) "
        "VALUES ('import', :f, :p, :fp, :t, 'applied') RETURNING id",
        {"f": fmt, "p": str(path), "fp": fp, "t": now},
    )
    source_id = db.insert(
        "INSERT INTO source (batch_id, kind, label, created_at) VALUES (:b, :k, :l, :t) RETURNING id",
        {"b": batch_id, "k": fmt, "l": path.name or str(path), "t": now},
    )
    return batch_id, source_id


def _finish(db: Db, plan: Planner, report: Report, now: datetime) -> None:
    for pid, column, old, new in plan.fills:
        db.execute(f"UPDATE person SET {column} = :v, updated_at = :t WHERE id = :id", {"v": new, "t": now, "id": pid})
        db.execute(
            "INSERT INTO batch_change (batch_id, table_name, row_id, column_name, old_value) "
            "VALUES (:b, 'person', :r, :c, :o)",
            {
                "b": plan.batch_id,
                "r": pid,
                "c": column,
                "o": json.dumps(old.isoformat() if hasattr(old, "isoformat") else old),
            },
        )
    # A batch only adds interactions: each person's last contact is the later of the stored one and the batch's
    # (both backends compare stored times correctly: PostgreSQL as timestamptz, SQLite as fixed-width UTC text).
    db.executemany(
        "UPDATE person SET last_contact_at = :at WHERE id = :id AND (last_contact_at IS NULL OR last_contact_at < :at)",
        [{"id": pid, "at": last} for pid, last in plan.stats.last_times()],
    )
    plan.stats.upsert(db)
    search.add_person_docs(db, plan.new_docs)
    search.index_people(db, plan.touched_people - plan.new_docs.keys())
    search.index_notes(db, plan.new_notes)
    _queue_candidates(db, plan, report, now)


def _queue_candidates(db: Db, plan: Planner, report: Report, now: datetime) -> None:
    """Pairs to review, the first time each is seen, unless the pair was queued or decided before (set-based: a
    large batch can queue tens of thousands)."""
    pairs: dict[tuple[int, int], tuple[float, list[str]]] = {}
    for a, b, score, evidence in plan.candidates:
        if a != b:
            pairs.setdefault((min(a, b), max(a, b)), (score, evidence))
    if not pairs:
        return
    known = {(int(a), int(b)) for a, b in db.rows("SELECT person_a_id, person_b_id FROM merge_candidate")}
    rows = [
        {"a": lo, "b": hi, "s": score, "e": json.dumps(evidence), "batch": plan.batch_id, "t": now}
        for (lo, hi), (score, evidence) in pairs.items()
        if (lo, hi) not in known
    ]
    db.executemany(
        "INSERT INTO merge_candidate (person_a_id, person_b_id, score, evidence, status, batch_id, created_at) "
        "VALUES (:a, :b, :s, :e, 'pending', :batch, :t)",
        rows,
    )
    report.review_queued += len(rows)


def apply_records(
    db: Db,
    records: Iterable[Record | tuple[str, Record]],
    *,
    fmt: str,
    path: Path,
    now: datetime,
    dry_run: bool = False,
    large_meeting: int = 10,
    progress: Progress | None = None,
    fp: str | None = None,
) -> Report:
    """Import ``records`` as one batch: all of it or none of it."""
    started = time.perf_counter()
    report = Report(format=fmt, path=str(path), dry_run=dry_run)
    if fp:
        report.already_imported = db.scalar(
            "SELECT max(id) FROM batch WHERE fingerprint = :f AND status = 'applied'", {"f": fp}
        )
    gc.freeze()
    cache = _bound_cache(db)
    try:
        with db.transaction(check_references=False), search.bulk_indexing(db):
            batch_id, source_id = _batch(db, fmt=fmt, path=path, fp=fp, now=now)
            known = load_known(db)
            plan = Planner(
                db, known, batch_id=batch_id, source_id=source_id, now=now, report=report, label=path.name or str(path)
            )
            plan.large_meeting = large_meeting
            _me(db, plan)
            writer = Writer(db)
            pending = 0
            for item in _bulk_last(records):
                if isinstance(item, tuple):
                    plan.label, rec = item
                else:
                    rec = item
                if isinstance(rec, PersonRecord):
                    report.read += 1
                    plan.person(rec)
                elif isinstance(rec, Digested):
                    plan.digested(rec)
                    pending += len(rec.rows) - 1
                elif isinstance(rec, InteractionRecord):
                    report.read += 1
                    plan.interaction(rec)
                elif isinstance(rec, Rejected):
                    report.read += 1
                    plan.reject(rec.line, rec.reason, rec.text)
                elif isinstance(rec, Warning):
                    report.warnings.append({"line": rec.line, "message": rec.message})
                pending += 1
                if pending >= PAGE:
                    writer.flush(plan, more=True)
                    gc.freeze()  # what the batch keeps (its indexes, sets of known facts) is never scanned again
                    if progress:
                        progress(pending)
                    pending = 0
            writer.flush(plan)
            writer.finish()
            if progress and pending:
                progress(pending)
            _finish(db, plan, report, now)
            report.batch_id = batch_id
            report.seconds = round(time.perf_counter() - started, 3)
            db.execute(
                "UPDATE batch SET finished_at = :t, report = :r WHERE id = :id",
                {"t": now, "r": json.dumps(report.as_dict(), default=str), "id": batch_id},
            )
            if dry_run or not report.changed:
                raise _DryRun
    except _DryRun:
        report.batch_id = None
    finally:
        gc.unfreeze()
        if cache is not None:
            db.execute(f"PRAGMA cache_size = {cache}")
    report.seconds = round(time.perf_counter() - started, 3)
    assert report.read == report.created + report.merged + report.unchanged + report.rejected
    return report


IMPORT_CACHE_KIB = 4096


def _bound_cache(db: Db) -> int | None:
    """SQLite: a 4 MiB page cache while a batch runs (the previous size is returned, to be put back).

    A batch writes most pages it touches once; a larger cache (the connection's 64 MiB) held the whole new
    database in memory, so peak memory grew with the mailbox (128 MB at 100,000 messages against 47 MB at 10,000;
    67 MB with this cache, in the same CPU time: pages it drops are still in the operating system's cache).
    """
    if db.dialect != "sqlite":
        return None
    before = int(db.scalar("PRAGMA cache_size"))
    db.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
    return before


def _bulk_last(records: Iterable[Record | tuple[str, Record]]) -> Iterator[Record | tuple[str, Record]]:
    """Every record, bulk mail last: bulk mail links only people the batch knows, so it waits until the batch has
    seen everyone else (otherwise what it links would depend on the order of the mailbox)."""
    later: list[Record | tuple[str, Record]] = []
    for item in records:
        rec = item[1] if isinstance(item, tuple) else item
        if isinstance(rec, Digested):
            # A digest goes now without its bulk rows, which follow later in a digest of their own, keeping their
            # numbers.
            bulk = [is_bulk_row(row) for row in rec.rows]
            if any(bulk):
                numbered = list(rec.numbered())
                later.append(_digest_of(rec, [nr for nr, b in zip(numbered, bulk, strict=True) if b]))
                rest = [nr for nr, b in zip(numbered, bulk, strict=True) if not b]
                if rest:
                    yield _digest_of(rec, rest)
                continue
        if isinstance(rec, InteractionRecord) and rec.bulk:
            later.append(item)
        else:
            yield item
    yield from later


def _digest_of(rec: Digested, numbered: list[tuple[int, DigestRow]]) -> Digested:
    return Digested(numbered[0][0], [row for _, row in numbered], rec.kind, [n for n, _ in numbered])


def _me(db: Db, plan: Planner) -> None:
    from dunbar.people import me_identity

    me = me_identity(db)
    plan.me_emails = set(me["emails"])
    plan.me_linkedin = set(me["linkedin"])
    plan.me_names = set(me["names"])


def write_rejects(report: Report, folder: Path) -> Path | None:
    """The rejected records as CSV (file, line, reason, text), next to the batch report."""
    if not report.rejects:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    name = f"batch-{report.batch_id}-rejects.csv" if report.batch_id else "dry-run-rejects.csv"
    out = folder / name
    with out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["file", "line", "reason", "text"])
        w.writeheader()
        w.writerows(report.rejects)
    report.rejects_file = str(out)
    return out


# Undo ------------------------------------------------------------------------------------------------------------


def undo_batch(db: Db, batch_id: int, *, now: datetime) -> dict[str, int]:
    """Take a batch back: what it created goes, what it filled in is put back; people it created who have since
    gained facts from elsewhere stay."""
    from dunbar.errors import InvalidInput, NotFound

    with db.transaction():
        row = db.one("SELECT id, status, kind FROM batch WHERE id = :id", {"id": batch_id})
        if row is None:
            raise NotFound(f"no batch #{batch_id}", hint="`dunbar import --history` lists them")
        if row["status"] != "applied":
            raise InvalidInput(f"batch #{batch_id} was already undone")
        sources = [r[0] for r in db.rows("SELECT id FROM source WHERE batch_id = :b", {"b": batch_id})]
        counts: dict[str, int] = {}
        touched = {
            r[0]
            for r in db.rows(
                "SELECT DISTINCT pa.person_id FROM participant pa JOIN interaction i ON i.id = pa.interaction_id "
                "WHERE i.source_id IN :s",
                {"s": sources},
            )
        }
        touched |= {r[0] for r in db.rows("SELECT person_id FROM identifier WHERE source_id IN :s", {"s": sources})}
        inter_ids = [r[0] for r in db.rows("SELECT id FROM interaction WHERE source_id IN :s", {"s": sources})]
        note_ids = [r[0] for r in db.rows("SELECT id FROM note WHERE source_id IN :s", {"s": sources})]
        search.unindex(db, "interaction", inter_ids)
        search.unindex(db, "note", note_ids)
        counts["interactions"] = db.execute("DELETE FROM interaction WHERE source_id IN :s", {"s": sources})
        for table in ("identifier", "employment", "important_date", "note", "field", "alternate"):
            counts[table] = db.execute(f"DELETE FROM {table} WHERE source_id IN :s", {"s": sources})
        for change in db.all(
            "SELECT table_name, row_id, column_name, old_value FROM batch_change WHERE batch_id = :b AND table_name = 'person' AND column_name IN ('location', 'connected_on') ORDER BY id DESC",  # only what _fill records
            {"b": batch_id},
        ):
            old = json.loads(change["old_value"]) if change["old_value"] else None
            db.execute(
                f"UPDATE {change['table_name']} SET {change['column_name']} = :v WHERE id = :id",
                {"v": old, "id": change["row_id"]},
            )
        created = [r[0] for r in db.rows("SELECT id FROM person WHERE source_id IN :s", {"s": sources})]
        keep = set()
        if created:
            for table in ("identifier", "employment", "note", "participant", "important_date", "field"):
                keep |= {
                    r[0]
                    for r in db.rows(
                        f"SELECT DISTINCT person_id FROM {table} WHERE person_id IN :ids", {"ids": created}
                    )
                }
        gone = [p for p in created if p not in keep]
        for chunk_start in range(0, len(gone), 500):
            db.execute("DELETE FROM person WHERE id IN :ids", {"ids": gone[chunk_start : chunk_start + 500]})
        counts["people"] = len(gone)
        stay = sorted((touched | set(created)) - set(gone))
        existing = [r[0] for r in db.rows("SELECT id FROM person WHERE id IN :ids", {"ids": stay})] if stay else []
        for chunk_start in range(0, len(existing), 500):
            db.execute(
                "UPDATE person SET last_contact_at = (SELECT max(i.occurred_at) FROM participant pa "
                "JOIN interaction i ON i.id = pa.interaction_id WHERE pa.person_id = person.id) WHERE id IN :ids",
                {"ids": existing[chunk_start : chunk_start + 500]},
            )
        search.index_people(db, existing)
        from dunbar import stats

        stats.recompute(db, touched | set(created))
        db.execute("UPDATE batch SET status = 'undone', finished_at = :t WHERE id = :id", {"t": now, "id": batch_id})
    return counts


def history(db: Db, *, limit: int = 50) -> list[dict[str, Any]]:
    out = []
    for r in db.all(
        "SELECT id, kind, format, path, started_at, status, report FROM batch ORDER BY id DESC LIMIT :n", {"n": limit}
    ):
        rep = json.loads(r["report"]) if r["report"] else {}
        out.append(
            {
                "id": r["id"],
                "kind": r["kind"],
                "format": r["format"],
                "path": r["path"],
                "status": r["status"],
                "started_at": r["started_at"],
                "counts": {k: rep.get(k) for k in ("read", "created", "merged", "unchanged", "rejected")},
            }
        )
    return out
