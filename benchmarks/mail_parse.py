"""How fast the mail parsers read a large mailbox, against the standard library and notmuch.

    python benchmarks/mail_parse.py                      # 100,000 messages in a temporary folder
    python benchmarks/mail_parse.py --n 20000 --runs 3 --data /tmp/mailbench   # keep the data for next time

Prints messages/s (median of ``--runs`` runs) for
  (a) the plain standard-library loop: ``mailbox.Maildir`` + ``email.parser.BytesHeaderParser`` reading
      From/To/Cc/Date/Subject/Message-ID of every message (no database),
  (b) ``dunbar.importers.mail.parse_digested`` over the same Maildir (what the import reads: digest rows made in
      worker processes), and (b') ``mail.parse``, the same messages as records,
  (c) ``dunbar.importers.mail.parse`` over an mbox of the same messages,
  (d) ``notmuch new`` indexing the same Maildir (when the notmuch binary exists; it indexes bodies too),
and the ratio (b)/(a). Parsing only: the pipeline's database writes are measured by its own benchmark.
The second and later runs read from the page cache, as a re-import would.
"""

from __future__ import annotations

import argparse
import mailbox
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from email.parser import BytesHeaderParser
from pathlib import Path

from dunbar.importers.mail import parse, parse_digested
from dunbar.importers.records import Digested, InteractionRecord, ParseContext

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_mail import ME, generate_maildir, generate_mbox


def stdlib_loop(maildir: Path) -> int:
    parser = BytesHeaderParser()
    root = mailbox.Maildir(maildir, factory=None, create=False)
    count = 0
    for box in [root, *(root.get_folder(name) for name in root.list_folders())]:
        for key in box.iterkeys():
            with box.get_file(key) as f:
                msg = parser.parse(f)  # type: ignore[arg-type]
            _ = (msg["From"], msg["To"], msg["Cc"], msg["Date"], msg["Subject"], msg["Message-ID"])
            count += 1
    return count


def dunbar_parse(path: Path) -> int:
    ctx = ParseContext(me_emails=frozenset({ME}))
    return sum(1 for r in parse(path, ctx) if isinstance(r, InteractionRecord))


def dunbar_digests(path: Path) -> int:
    """What the import reads: Maildir messages as digest rows, made in worker processes."""
    ctx = ParseContext(me_emails=frozenset({ME}))
    return sum(
        sum(1 for row in r.rows if row[0] == "I") if isinstance(r, Digested) else isinstance(r, InteractionRecord)
        for r in parse_digested(path, ctx)
    )


def notmuch_new(maildir: Path) -> int:
    db = maildir / ".notmuch"
    shutil.rmtree(db, ignore_errors=True)
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "notmuch-config"
        config.write_text(
            f"[database]\npath={maildir}\n[user]\nname=Me\nprimary_email={ME}\n"
            "[new]\ntags=unread;inbox;\n[maildir]\nsynchronize_flags=false\n"
        )
        env = {**os.environ, "NOTMUCH_CONFIG": str(config)}
        subprocess.run(["notmuch", "new", "--quiet"], env=env, check=True, capture_output=True)
        out = subprocess.run(["notmuch", "count", "*"], env=env, check=True, capture_output=True, text=True)
    shutil.rmtree(db, ignore_errors=True)
    return int(out.stdout.strip())


def measure(fn: Callable[[Path], int], path: Path, runs: int) -> tuple[float, int]:
    rates = []
    count = 0
    for _ in range(runs):
        started = time.perf_counter()
        count = fn(path)
        rates.append(count / (time.perf_counter() - started))
    return statistics.median(rates), count


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000, help="messages to generate (default 100000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3, help="runs per row; the median is shown (default 3)")
    ap.add_argument("--notmuch-runs", type=int, default=None, help="runs of notmuch new (default: --runs)")
    ap.add_argument("--data", type=Path, default=None, help="folder for the generated mail, kept and reused")
    args = ap.parse_args(argv)

    tmp = None
    if args.data is None:
        tmp = tempfile.TemporaryDirectory(prefix="dunbar-mail-")
        data = Path(tmp.name)
    else:
        data = args.data
    maildir = data / f"Maildir-{args.n}-{args.seed}"
    mbox = data / f"all-{args.n}-{args.seed}.mbox"
    try:
        if not (maildir / "cur").is_dir():
            started = time.perf_counter()
            generate_maildir(maildir, args.n, args.seed)
            print(f"generated the Maildir in {time.perf_counter() - started:.1f}s", file=sys.stderr)
        if not mbox.exists():
            started = time.perf_counter()
            generate_mbox(mbox, args.n, args.seed)
            print(f"generated the mbox in {time.perf_counter() - started:.1f}s", file=sys.stderr)

        rows: list[tuple[str, float, int]] = []
        std, n_std = measure(stdlib_loop, maildir, args.runs)
        rows.append(("(a) stdlib mailbox.Maildir + BytesHeaderParser", std, n_std))
        ours, n_ours = measure(dunbar_digests, maildir, args.runs)
        rows.append(("(b) dunbar mail.parse_digested, Maildir", ours, n_ours))
        records, n_records = measure(dunbar_parse, maildir, args.runs)
        rows.append(("(b') dunbar mail.parse (records), Maildir", records, n_records))
        ours_mbox, n_mbox = measure(dunbar_parse, mbox, args.runs)
        rows.append(("(c) dunbar mail.parse, mbox", ours_mbox, n_mbox))
        if shutil.which("notmuch"):
            nm, n_nm = measure(notmuch_new, maildir, args.notmuch_runs or args.runs)
            rows.append(("(d) notmuch new (indexes bodies too)", nm, n_nm))
        else:
            print("notmuch not installed: row (d) skipped (apt-get install notmuch)", file=sys.stderr)

        print(f"\n{args.n:,} generated messages, median of {args.runs} runs\n")
        print(f"{'what':<50} {'messages':>9} {'messages/s':>11}")
        for label, rate, count in rows:
            print(f"{label:<50} {count:>9,} {rate:>11,.0f}")
        print(f"\n(b)/(a) = {ours / std:.2f}x   (c)/(a) = {ours_mbox / std:.2f}x")
        peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"peak resident memory of this process: {peak_kib / 1024:.0f} MiB")
    finally:
        if tmp is not None:
            tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
