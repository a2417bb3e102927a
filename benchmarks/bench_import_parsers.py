"""Parse-only figures for the vCard and iCalendar importers beside the libraries they are measured against.

    .venv/bin/python benchmarks/bench_import_parsers.py [--cards 30000] [--events 5000]

The import target is "whole import at most 1.5x the time the library alone takes to read the file", so the
parser's share has to be well below 1x. Prints one table: seconds and items per second for each reader.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.gen_calendar import _FIRST, _LAST, write_calendar
from dunbar.importers import ics, vcard
from dunbar.importers.records import ParseContext

_ORGS = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay Industries", "Stark, Inc."]


def generate_vcards(cards: int = 30_000, *, seed: int = 3) -> str:
    """vCard 3.0 text shaped like a phone or Google export: names, 1-3 e-mails and phones, org, notes, labels."""
    rng = random.Random(seed)
    out: list[str] = []
    for i in range(cards):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        out += ["BEGIN:VCARD", "VERSION:3.0", f"FN:{first} {last}", f"N:{last};{first};;;"]
        for k in range(rng.randrange(1, 4)):
            out.append(
                f"EMAIL;TYPE=INTERNET;TYPE={('HOME', 'WORK')[k % 2]}:{first.lower()}.{last.lower()}{i}.{k}@example.com"
            )
        for k in range(rng.randrange(0, 3)):
            out.append(f"TEL;TYPE={('CELL', 'WORK')[k % 2]}:+49 30 {rng.randrange(10**6, 10**7)}")
        if rng.random() < 0.6:
            org = rng.choice(_ORGS).replace(",", "\\,")
            out += [f"ORG:{org}", "TITLE:Engineer"]
        if rng.random() < 0.3:
            out += [
                f"item1.URL:https\\://www.linkedin.com/in/{first.lower()}-{last.lower()}-{i}",
                "item1.X-ABLabel:LinkedIn",
            ]
        if rng.random() < 0.3:
            out.append(f"BDAY:19{rng.randrange(50, 99)}-0{rng.randrange(1, 9)}-1{rng.randrange(0, 9)}")
        if rng.random() < 0.2:
            out.append("NOTE:Met at the conference in Lisbon\\, introduced by a friend.\\nFollow up about the project.")
        if rng.random() < 0.2:
            out.append("CATEGORIES:friends,work")
        out += [f"UID:{rng.getrandbits(64):016x}", "END:VCARD"]
    return "\r\n".join(out) + "\r\n"


def _time(fn: Callable[[], int]) -> tuple[float, int]:
    start = time.perf_counter()
    n = fn()
    return time.perf_counter() - start, n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cards", type=int, default=30_000)
    ap.add_argument("--events", type=int, default=5_000)
    args = ap.parse_args()
    import icalendar
    import vobject

    rows: list[tuple[str, float, int, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        vcf = Path(tmp) / "cards.vcf"
        vcf.write_text(generate_vcards(args.cards), encoding="utf-8", newline="")

        def read_vobject() -> int:
            with vcf.open(encoding="utf-8") as fh:
                return sum(1 for _ in vobject.readComponents(fh))

        def read_ours() -> int:
            return sum(1 for _ in vcard.parse(vcf, ParseContext()))

        for name, fn in (("vobject.readComponents", read_vobject), ("dunbar vcard.parse", read_ours)):
            seconds, n = _time(fn)
            rows.append((name, seconds, n, "cards"))

        cal = write_calendar(Path(tmp) / "cal.ics", events=args.events)
        ctx = ParseContext(today=date(2026, 1, 1), me_emails=frozenset({"me@example.com"}))

        def read_icalendar() -> int:
            return len(icalendar.Calendar.from_ical(cal.read_bytes()).walk("VEVENT"))

        def read_ics() -> int:
            return sum(1 for _ in ics.parse(cal, ctx))

        for name, fn in (("icalendar.Calendar.from_ical", read_icalendar), ("dunbar ics.parse", read_ics)):
            seconds, n = _time(fn)
            rows.append((name, seconds, n, "events" if "icalendar" in name else "records"))

    print(f"{'reader':32} {'seconds':>8} {'items':>8} {'per second':>11}")
    for name, seconds, n, unit in rows:
        print(f"{name:32} {seconds:8.3f} {n:8d} {n / seconds:11.0f} {unit}")
    print(f"vcard: ours / vobject = {rows[1][1] / rows[0][1]:.2f}")
    print(f"ics: ours / icalendar = {rows[3][1] / rows[2][1]:.2f} (icalendar reads {args.events} events)")


if __name__ == "__main__":
    main()
