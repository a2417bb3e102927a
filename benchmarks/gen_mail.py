"""Deterministic mail generator for the import benchmarks: a Maildir and an mbox holding the same messages.

The mail looks like a real professional inbox: a few thousand correspondents with skewed activity, threads with
In-Reply-To/References, RFC 2047 display names, mailing-list and automated mail, bodies from a few hundred bytes to
a few KB, and the user (``me@example.org``) sending about 30% of it (stored in ``.Sent``). The same ``seed`` always
gives the same bytes, so figures measured on two machines compare.

    python benchmarks/gen_mail.py maildir /tmp/bench/Maildir 100000
    python benchmarks/gen_mail.py mbox /tmp/bench/all.mbox 100000
"""

from __future__ import annotations

import base64
import os
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ME = "me@example.org"
ME_NAME = "Robin Me"
START = 1_600_000_000  # September 2020
SPAN = 3 * 365 * 86400

_GIVEN = [
    "Ana",
    "Bo",
    "Chen",
    "Dana",
    "Emil",
    "Fatima",
    "Gustav",
    "Hana",
    "Ivan",
    "Jana",
    "Kofi",
    "Lena",
    "Marco",
    "Nadia",
    "Omar",
    "Petra",
    "Quinn",
    "Rosa",
    "Sven",
    "Tomasz",
    "Uma",
    "Viktor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoe",
    "Aiko",
    "Björn",
    "Chloé",
    "José",
    "Łukasz",
    "Mäite",
    "Renée",
    "Søren",
    "Zoë",
    "Ngozi",
    "Priya",
    "Rahul",
]
_FAMILY = [
    "Smith",
    "Müller",
    "Nguyen",
    "García",
    "Rossi",
    "Kowalski",
    "Novák",
    "Jensen",
    "Dubois",
    "Silva",
    "Tanaka",
    "Kim",
    "Okafor",
    "Ivanova",
    "Larsen",
    "O'Brien",
    "Schäfer",
    "Łopata",
    "Fernández",
    "Håkansson",
    "Çelik",
    "Papadopoulos",
    "Virtanen",
    "Horváth",
    "Moreau",
    "Wagner",
    "Lindqvist",
]
_DOMAINS = [
    "acme.com",
    "globex.io",
    "initech.com",
    "umbrella.org",
    "hooli.xyz",
    "example.net",
    "uni-heidelberg.de",
    "polimi.it",
    "startup.ai",
    "consult.co.uk",
    "gmail.com",
    "outlook.com",
    "posteo.de",
    "fastmail.fm",
]
_TOPICS = [
    "Quarterly plan",
    "Intro: meet {n}",
    "Coffee next week?",
    "Contract draft v{k}",
    "Follow-up on our call",
    "Conference in Lisbon",
    "Hiring for the data team",
    "Board deck feedback",
    "Re-org notes",
    "Reference for {n}",
    "Lunch on Thursday",
    "Paper review #{k}",
    "Invoice {k}",
    "Recommendation",
    "Offsite agenda",
    "Question about the API",
    "Grant proposal",
]
_LISTS = [
    ("python-dev", "python-dev.python.org"),
    ("devops-weekly", "lists.devops.example"),
    ("alumni", "alumni.uni-heidelberg.de"),
]
_AUTOMATED = [
    ("GitHub", "notifications@github.com", "[acme/api] PR #{k}: fix flaky test"),
    ("", "noreply@linkedin.com", "You appeared in {k} searches this week"),
    ("Mail Delivery Subsystem", "mailer-daemon@googlemail.com", "Delivery Status Notification (Failure)"),
    ("Calendar", "calendar-notification@google.com", "Invitation: Sync @ Tue {k}:00"),
]
_WORDS = [
    "the",
    "project",
    "plan",
    "meeting",
    "budget",
    "team",
    "data",
    "launch",
    "review",
    "draft",
    "numbers",
    "customer",
    "thanks",
    "please",
    "let",
    "me",
    "know",
    "when",
    "works",
    "for",
    "you",
    "next",
    "steps",
    "agreed",
    "timeline",
    "details",
    "attached",
    "share",
    "quick",
    "question",
    "follow",
    "up",
    "deck",
    "hiring",
    "intro",
    "great",
    "to",
    "meet",
    "chat",
    "soon",
    "regards",
    "cheers",
    "best",
]


@dataclass(slots=True)
class Person:
    name: str
    email: str
    weight: float


def _encode_name(name: str) -> str:
    """Write a display name as a mail client would: plain when ASCII, an RFC 2047 encoded-word otherwise."""
    if name.isascii():
        return f'"{name}"' if "'" in name or "," in name else name
    return "=?utf-8?b?" + base64.b64encode(name.encode()).decode() + "?="


def _people(rng: random.Random, count: int) -> list[Person]:
    people: list[Person] = []
    seen = set()
    while len(people) < count:
        given, family = rng.choice(_GIVEN), rng.choice(_FAMILY)
        local = f"{given}.{family}".lower().encode("ascii", "ignore").decode().replace("'", "")
        email = f"{local}{rng.randrange(100) if rng.random() < 0.5 else ''}@{rng.choice(_DOMAINS)}"
        if email in seen:
            continue
        seen.add(email)
        # Activity follows a Zipf-like law: a few people get most of the mail, as in a real inbox.
        people.append(Person(f"{given} {family}", email, 1.0 / (len(people) + 1) ** 0.8))
    return people


def _body(rng: random.Random) -> str:
    size = rng.choice((200, 400, 800, 1500, 3000)) if rng.random() < 0.9 else rng.randrange(4000, 12000)
    words = rng.choices(_WORDS, k=size // 6)
    lines = [" ".join(words[i : i + 12]) for i in range(0, len(words), 12)]
    if rng.random() < 0.05:
        # A body line that an mbox writer must quote: a classic source of mis-split mailboxes.
        lines.insert(len(lines) // 2, "From the desk of the project lead: see below.")
    return "\n".join(lines) + "\n"


def _fmt_date(ts: int, offset_min: int) -> str:
    t = time.gmtime(ts + offset_min * 60)
    sign = "+" if offset_min >= 0 else "-"
    off = abs(offset_min)
    return time.strftime("%a, %d %b %Y %H:%M:%S ", t) + f"{sign}{off // 60:02d}{off % 60:02d}"


@dataclass(slots=True)
class Message:
    ts: int  # delivery time, seconds since the epoch
    sender: str  # envelope sender for the mbox "From " line
    sent_by_me: bool
    data: bytes


def iter_messages(n: int, seed: int = 1) -> Iterator[Message]:
    """Yield ``n`` messages in delivery order; the same seed always gives the same messages."""
    rng = random.Random(seed)
    people = _people(rng, 3000)
    weights = [p.weight for p in people]
    threads: list[tuple[str, str, list[str]]] = []  # (subject, root id, references)
    ts = START
    step = SPAN / max(n, 1)
    for i in range(n):
        ts += max(1, int(rng.expovariate(1.0 / step)))
        kind = rng.random()
        offset = rng.choice((0, 60, 120, -300, -240, 330, 540))
        msgid = f"<{ts:x}.{i}.{rng.getrandbits(32):08x}@mail.example.org>"
        headers: list[str] = [
            f"Return-Path: <{ME}>",
            f"Received: from mx{i % 7}.example.org (mx{i % 7}.example.org [192.0.2.{i % 250}])\n"
            f"\tby mail.example.org (Postfix) with ESMTPS id {i:X}\n\tfor <{ME}>; {_fmt_date(ts, 0)}",
        ]
        extra: list[str] = []
        if kind < 0.08:  # mailing list
            lname, ldomain = rng.choice(_LISTS)
            p = rng.choices(people, weights)[0]
            sender, sent_by_me = p.email, False
            frm = f"{_encode_name(p.name)} <{p.email}>"
            to = f"{lname}@{ldomain}"
            subject = f"[{lname}] " + rng.choice(_TOPICS).format(n=p.name.split()[0], k=rng.randrange(99))
            extra = [
                f"List-Id: {lname.title()} <{lname}.{ldomain}>",
                f"List-Unsubscribe: <mailto:{lname}-leave@{ldomain}>",
                "Precedence: list",
            ]
            refs: list[str] = []
        elif kind < 0.12:  # automated
            aname, addr, subj = rng.choice(_AUTOMATED)
            sender, sent_by_me = addr, False
            frm = f"{aname} <{addr}>" if aname else addr
            to = f"{ME_NAME} <{ME}>"
            subject = subj.format(k=rng.randrange(1, 99))
            extra = ["Auto-Submitted: auto-generated"]
            refs = []
        else:
            sent_by_me = rng.random() < 0.33
            recipients = rng.choices(people, weights, k=1 if rng.random() < 0.75 else rng.randint(2, 6))
            other = recipients[0]
            if threads and rng.random() < 0.45:
                subject, root, refs = threads[rng.randrange(len(threads))]
                refs = [*refs[-8:], root] if root not in refs else refs[-9:]
                subject = subject if subject.startswith("Re:") else "Re: " + subject
            else:
                subject = rng.choice(_TOPICS).format(n=other.name.split()[0], k=rng.randrange(99))
                refs = []
            if sent_by_me:
                sender = ME
                frm = f"{ME_NAME} <{ME}>"
                to = ", ".join(f"{_encode_name(p.name)} <{p.email}>" for p in recipients[:2])
                cc = recipients[2:]
            else:
                sender = other.email
                frm = f"{_encode_name(other.name)} <{other.email}>"
                to = f"{ME_NAME} <{ME}>"
                cc = recipients[1:]
            if cc:
                extra.append("Cc: " + ",\n\t".join(f"{_encode_name(p.name)} <{p.email}>" for p in cc))
            if len(threads) < 20000:
                threads.append((subject, refs[0] if refs else msgid, [*refs, msgid]))
            else:
                threads[rng.randrange(len(threads))] = (subject, refs[0] if refs else msgid, [*refs, msgid])
        headers += [
            f"Date: {_fmt_date(ts, offset)}",
            f"From: {frm}",
            f"To: {to}",
            *extra,
            f"Subject: {subject}",
            f"Message-ID: {msgid}",
        ]
        if refs:
            headers.append(f"In-Reply-To: {refs[-1]}")
            headers.append("References: " + "\n ".join(refs))
        headers += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"]
        data = ("\n".join(headers) + "\n\n" + _body(rng)).encode()
        yield Message(ts, sender, sent_by_me, data)


def generate_maildir(path: Path | str, n: int = 100_000, seed: int = 1) -> Path:
    """Write a Maildir (received mail in cur/ and new/, the user's own in .Sent/cur) and return its path."""
    root = Path(path)
    for sub in ("cur", "new", "tmp", ".Sent/cur", ".Sent/new", ".Sent/tmp"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    cur, new, sent = str(root / "cur"), str(root / "new"), str(root / ".Sent" / "cur")
    for i, msg in enumerate(iter_messages(n, seed)):
        if msg.sent_by_me:
            folder, name = sent, f"{msg.ts}.M{i}P1.bench:2,S"
        elif i % 50 == 0:
            folder, name = new, f"{msg.ts}.M{i}P1.bench"
        else:
            folder, name = cur, f"{msg.ts}.M{i}P1.bench:2,S"
        fd = os.open(f"{folder}/{name}", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            os.write(fd, msg.data)
        finally:
            os.close(fd)
    return root


def generate_mbox(path: Path | str, n: int = 100_000, seed: int = 1) -> Path:
    """Write one mbox (mboxrd quoting of body "From " lines) holding the same messages as ``generate_maildir``."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb", buffering=1 << 20) as f:
        for msg in iter_messages(n, seed):
            head, _, body = msg.data.partition(b"\n\n")
            if b"From " in body:
                body = b"\n".join(b">" + ln if ln.lstrip(b">").startswith(b"From ") else ln for ln in body.split(b"\n"))
            envelope = time.strftime("%a %b %d %H:%M:%S %Y", time.gmtime(msg.ts))
            f.write(b"From " + msg.sender.encode() + b" " + envelope.encode() + b"\n")
            f.write(head + b"\n\n" + body)
            if not body.endswith(b"\n"):
                f.write(b"\n")
            f.write(b"\n")
    return out


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] not in ("maildir", "mbox"):
        print("usage: gen_mail.py maildir|mbox PATH [N] [SEED]", file=sys.stderr)
        return 2
    n = int(argv[3]) if len(argv) > 3 else 100_000
    seed = int(argv[4]) if len(argv) > 4 else 1
    started = time.perf_counter()
    (generate_maildir if argv[1] == "maildir" else generate_mbox)(argv[2], n, seed)
    print(f"wrote {n} messages to {argv[2]} in {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
