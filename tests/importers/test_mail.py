"""The mail parsers on our own small fixtures, on real corpora, and under fuzzing."""

from __future__ import annotations

import random
import sys
import tracemalloc
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dunbar.errors import ImportProblem
from dunbar.importers import mail
from dunbar.importers.mail_headers import build_record, header_end, parse_date, split_fields
from dunbar.importers.records import InteractionRecord, ParseContext, Record, Rejected, Warning

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "mail"
CORPUS = ROOT.parent / "shared" / "corpora" / "mail"
BENCHMARKS = ROOT / "benchmarks"
ME = ParseContext(me_emails=frozenset({"me@example.org"}))


def records(path: Path, ctx: ParseContext = ME) -> list[Record]:
    return list(mail.parse(path, ctx))


def interactions(recs: list[Record]) -> list[InteractionRecord]:
    return [r for r in recs if isinstance(r, InteractionRecord)]


def need_corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared mail corpora are not at {CORPUS} (a user's clone has none)")
    return CORPUS


def write_maildir(root: Path, messages: dict[str, bytes]) -> Path:
    for sub in ("cur", "new", "tmp"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    for name, data in messages.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


# --- sniffing ----------------------------------------------------------------------------------------------


def test_sniff_tells_mbox_maildir_and_eml_apart(tmp_path: Path) -> None:
    mbox = FIXTURES / "small.mbox"
    assert mail.sniff(mbox, mbox.read_bytes()[:512]) >= 0.9
    eml = FIXTURES / "two_from.eml"
    assert mail.sniff(eml, eml.read_bytes()[:512]) >= 0.9
    box = write_maildir(tmp_path / "Mail", {})
    assert mail.sniff(box, b"") == 1.0
    vcard = tmp_path / "people.vcf"
    vcard.write_text("BEGIN:VCARD\nVERSION:3.0\nFN:Ana\nEND:VCARD\n")
    assert mail.sniff(vcard, vcard.read_bytes()) == 0.0
    assert mail.sniff(tmp_path / "empty-dir-that-is-not-mail", b"") == 0.0


# --- what one message becomes ------------------------------------------------------------------------------


def test_rfc2047_names_subject_threads_and_crlf() -> None:
    recs = records(FIXTURES / "rfc2047_crlf.eml")
    (rec,) = interactions(recs)
    assert rec.kind == "email"
    assert rec.sender is not None
    assert (rec.sender.name, rec.sender.email, rec.sender.role) == ("Björn Åström", "bjorn@example.se", "from")
    assert [(p.name, p.email, p.role) for p in rec.participants] == [
        ("Renée Dubois", "renee@example.fr", "to"),
        ("Lima, Ana", "ana@example.com", "to"),
        (None, "me@example.org", "cc"),
    ]
    assert rec.summary == "Re: Konferenz in München – Termine"
    assert rec.external_id == "2047@example.se"
    assert rec.thread == "root@example.fr"
    assert rec.occurred_at == datetime(2024, 3, 6, 17, 2, 11, tzinfo=UTC)
    assert rec.initiator == "them"
    assert rec.bulk is False


def test_two_from_headers_use_the_first_with_a_warning() -> None:
    recs = records(FIXTURES / "two_from.eml")
    (rec,) = interactions(recs)
    assert rec.sender is not None
    assert rec.sender.email == "ana@example.com"
    warnings = [r for r in recs if isinstance(r, Warning)]
    assert any("2 From headers" in w.message for w in warnings)


def test_auto_reply_is_bulk() -> None:
    (rec,) = interactions(records(FIXTURES / "out_of_office.eml"))
    assert rec.bulk is True


def test_8bit_garbage_and_lines_without_colon_are_survived() -> None:
    (rec,) = interactions(records(FIXTURES / "garbage_8bit.eml"))
    assert rec.sender is not None
    assert rec.sender.email == "kofi@example.gh"
    assert rec.summary == "café au lait"  # raw Latin-1 read through the declared charset
    assert rec.participants == []  # "To me@example.org without a colon" is no header


def test_mbox_positions_quoting_fallback_date_and_rejects() -> None:
    recs = records(FIXTURES / "small.mbox")
    got = interactions(recs)
    assert [r.line for r in got] == [1, 12, 22]
    first, reply, bodiless = got
    assert first.summary == "First"
    assert first.initiator == "them"
    assert reply.initiator == "me"
    assert reply.thread == "m1@example.com"
    # A bad Date falls back to the "From " line, with a warning that says so.
    assert reply.occurred_at == datetime(2024, 3, 5, 12, 30, tzinfo=UTC)
    assert any(isinstance(r, Warning) and "bad Date" in r.message and r.line == 12 for r in recs)
    assert bodiless.summary == "headers only, no body, no blank line"
    (rejected,) = [r for r in recs if isinstance(r, Rejected)]
    assert rejected.line == 26
    assert "message 4" in rejected.reason
    assert "no From" in rejected.reason


def test_missing_message_id_gets_a_stable_hash(tmp_path: Path) -> None:
    data = b"From: a@example.com\nDate: Mon, 4 Mar 2024 11:00:00 +0100\nSubject: hi\n\nx\n"
    one = tmp_path / "one.eml"
    two = tmp_path / "two.eml"
    one.write_bytes(data)
    two.write_bytes(data.replace(b"\nx\n", b"\nanother body\n"))
    (a,) = interactions(records(one))
    (b,) = interactions(records(two))
    assert a.external_id is not None
    assert a.external_id.startswith("sha1:")
    assert a.external_id == b.external_id == a.thread


@pytest.mark.parametrize(
    ("header", "bulk"),
    [
        (b"List-Id: Dev <dev.lists.example>", True),
        (b"List-Unsubscribe: <mailto:leave@lists.example>", True),
        (b"Precedence: bulk", True),
        (b"Precedence: junk", True),
        (b"Precedence: high", False),
        (b"Auto-Submitted: auto-generated", True),
        (b"Auto-Submitted: no", False),
        (b"X-Autoreply: yes", True),
        (b"X-Autorespond: yes", True),
        (b"X-Mailer: Thunderbird", False),
    ],
)
def test_bulk_headers(header: bytes, bulk: bool) -> None:
    block = b"From: Ana <ana@example.com>\nDate: Mon, 4 Mar 2024 11:00:00 +0100\nSubject: hello\n" + header
    rec, _ = build_record(block, number=1, line=None, where="t", me_emails=frozenset())
    assert isinstance(rec, InteractionRecord)
    assert rec.bulk is bulk


@pytest.mark.parametrize(
    ("sender", "subject", "bulk"),
    [
        ("noreply@github.com", "hello", True),
        ("no-reply@accounts.example", "hello", True),
        ("donotreply@bank.example", "hello", True),
        ("MAILER-DAEMON@mx.example", "hello", True),
        ("postmaster@example.com", "hello", True),
        ("notifications@github.com", "hello", True),
        ("ana@example.com", "Out of Office: back Monday", True),
        ("ana@example.com", "Abwesenheitsnotiz: Urlaub", True),
        ("ana@example.com", "Automatic reply: lunch", True),
        ("ana@example.com", "Re: out of office plans for the team", False),
        ("noreen@example.com", "hello", False),
    ],
)
def test_bulk_senders_and_subjects(sender: str, subject: str, bulk: bool) -> None:
    block = f"From: {sender}\nDate: Mon, 4 Mar 2024 11:00:00 +0100\nSubject: {subject}".encode()
    rec, _ = build_record(block, number=1, line=None, where="t", me_emails=frozenset())
    assert isinstance(rec, InteractionRecord)
    assert rec.bulk is bulk


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thu, 31 Jul 2008 14:57:25 -0400", datetime(2008, 7, 31, 14, 57, 25, tzinfo=timezone(timedelta(hours=-4)))),
        ("31 Jul 2008 14:57 +0000", datetime(2008, 7, 31, 14, 57, tzinfo=UTC)),
        ("Fri,  6 Apr 2007 15:43:55 -0700 (PDT)", datetime(2007, 4, 6, 22, 43, 55, tzinfo=UTC)),
        ("Mon, 4 Mar 2024 11:00:00 GMT", datetime(2024, 3, 4, 11, tzinfo=UTC)),
        ("Mon, 4 Mar 2024 11:00:00 -0000", datetime(2024, 3, 4, 11, tzinfo=UTC)),
        ("Mon, 30 Jun 3609 15:33:50 +0600", None),
        ("Pn, 29 paX 2007 21:13:00 +0100", None),
        ("<HR>", None),
        ("", None),
    ],
)
def test_parse_date(text: str, expected: datetime | None) -> None:
    got = parse_date(text)
    assert got == expected
    if got is not None:
        assert got.tzinfo is not None


def test_split_fields_unfolds_and_is_case_blind() -> None:
    block = b"Received: x\n\tfrom: y\nFROM : Ana\n <a@b.c>\nsubject:hi\r\nX-From: no\nTo: b@c.d"
    assert split_fields(block) == {"from": [b"Ana <a@b.c>"], "subject": [b"hi"], "to": [b"b@c.d"]}


def test_header_end_lf_crlf_and_none() -> None:
    assert header_end(b"A: b\n\nbody") == (4, 6)
    assert header_end(b"A: b\r\n\r\nbody") == (5, 8)
    assert header_end(b"A: b\r\nC: d") is None


# --- folders -----------------------------------------------------------------------------------------------


def _msg(n: int, sender: str = "ana@example.com", date: str = "Mon, 4 Mar 2024 11:00:00 +0100") -> bytes:
    return f"From: {sender}\nTo: me@example.org\nDate: {date}\nSubject: n{n}\nMessage-ID: <{n}@x>\n\nbody\n".encode()


def test_maildir_reads_cur_new_and_subfolders_never_tmp(tmp_path: Path) -> None:
    box = write_maildir(
        tmp_path / "Mail",
        {
            "cur/1709546400.M1P1.host:2,S": _msg(1),
            "new/1709546500.M2P1.host": _msg(2),
            "tmp/1709546600.M3P1.host": _msg(3),
            ".Sent/cur/1709546700.M4P1.host:2,S": _msg(4, sender="me@example.org"),
            ".Sent/tmp/x": _msg(5),
            "cur/1709546800.M6P1.host:2,S": _msg(6, date="yesterday-ish"),
        },
    )
    recs = records(box)
    got = {r.summary: r for r in interactions(recs)}
    assert set(got) == {"n1", "n2", "n4", "n6"}
    assert got["n4"].initiator == "me"
    # No usable Date: the delivery time in the Maildir file name, with a warning.
    assert got["n6"].occurred_at == datetime.fromtimestamp(1709546800, UTC)
    assert any(isinstance(r, Warning) and "delivery time" in r.message for r in recs)


def test_folder_of_eml_files_is_read_recursively(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "one.eml").write_bytes(_msg(1))
    (tmp_path / "a" / "b" / "two.eml").write_bytes(_msg(2))
    (tmp_path / "a" / "notes.txt").write_bytes(b"just some notes, not mail\n")
    recs = records(tmp_path)
    assert sorted(r.summary for r in interactions(recs)) == ["n1", "n2"]
    (rejected,) = [r for r in recs if isinstance(r, Rejected)]
    assert "notes.txt" in rejected.reason


def test_a_symlink_loop_is_walked_once(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.eml").write_bytes(_msg(1))
    (tmp_path / "a" / "back").symlink_to(tmp_path)
    assert [r.summary for r in interactions(records(tmp_path))] == ["n1"]


def test_an_eml_without_any_date_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "x.eml"
    path.write_bytes(b"From: a@example.com\nSubject: s\n\nbody\n")
    (rec,) = records(path)
    assert isinstance(rec, Rejected)
    assert "no Date" in rec.reason


def test_not_an_mbox_and_unreadable_paths_are_import_problems(tmp_path: Path) -> None:
    with pytest.raises(ImportProblem, match="cannot read"):
        records(tmp_path / "missing.mbox")
    bad = tmp_path / "x.mbox"
    bad.write_bytes(b"Hello\n")
    with pytest.raises(ImportProblem, match="not an mbox"):
        list(mail.parse_mbox(bad, frozenset()))


def test_mbox_reading_across_small_chunks_matches_one_big_read(tmp_path: Path) -> None:
    """Separators and header blocks cut by a read boundary are found all the same."""
    path = FIXTURES / "small.mbox"
    whole = list(mail.iter_mbox_heads(path))
    for chunk in (7, 16, 33, 64, 100):
        assert list(mail.iter_mbox_heads(path, chunk=chunk)) == whole


# --- the benchmark generator, and memory --------------------------------------------------------------------


def _gen() -> object:
    import importlib.util

    spec = importlib.util.spec_from_file_location("gen_mail", BENCHMARKS / "gen_mail.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_mail"] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_generated_maildir_and_mbox_give_the_same_records(tmp_path: Path) -> None:
    gen = _gen()
    box = gen.generate_maildir(tmp_path / "Maildir", n=400, seed=7)  # type: ignore[attr-defined]
    mbox = gen.generate_mbox(tmp_path / "all.mbox", n=400, seed=7)  # type: ignore[attr-defined]
    from_box = interactions(records(box))
    from_mbox = interactions(records(mbox))
    assert len(from_box) == len(from_mbox) == 400

    def key(r: InteractionRecord) -> tuple[object, ...]:
        return (r.external_id, r.occurred_at, r.summary, r.thread, r.bulk, r.initiator, len(r.participants))

    assert sorted(map(key, from_box), key=str) == sorted(map(key, from_mbox), key=str)
    mine = sum(r.initiator == "me" for r in from_mbox) / 400
    assert 0.2 < mine < 0.4
    assert any(r.bulk for r in from_mbox)
    assert any(r.thread != r.external_id for r in from_mbox)
    assert any(r.sender and r.sender.name and not r.sender.name.isascii() for r in from_mbox)
    # Same seed, same bytes.
    again = gen.generate_mbox(tmp_path / "again.mbox", n=400, seed=7)  # type: ignore[attr-defined]
    assert again.read_bytes() == mbox.read_bytes()


def test_workers_read_a_large_maildir_exactly_as_one_process_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gen = _gen()
    box = gen.generate_maildir(tmp_path / "Maildir", n=300, seed=5)  # type: ignore[attr-defined]
    # The odd files too: a bad date (a warning and the delivery time), no From (rejected), an mbox in cur/.
    (box / "cur" / "1600000000.odd1.host:2,S").write_bytes(b"From: Ana <ana@example.org>\nDate: never\n\nx\n")
    (box / "cur" / "1600000001.odd2.host:2,S").write_bytes(b"Subject: lost\nDate: Thu, 1 Oct 2020 10:00 +0000\n\n")
    (box / "cur" / "1600000002.odd3.host:2,S").write_bytes(
        b"From ana@example.org Thu Oct  1 10:00:00 2020\nFrom: Ana <ana@example.org>\n"
        b"Date: Thu, 1 Oct 2020 10:00:00 -0330\nMessage-ID: <odd3@x>\n\nbody\n"
    )
    alone = records(box)
    monkeypatch.setattr(mail, "PARALLEL_FROM", 40)
    monkeypatch.setattr(mail, "CHUNK_NAMES", 7)
    monkeypatch.setattr(mail, "WORKERS", 2)
    together = records(box)
    assert together == alone
    assert len(interactions(alone)) == 302
    assert any(isinstance(r, Warning) for r in alone)
    assert any(isinstance(r, Rejected) for r in alone)
    # Numbered in order, one number a message (the mbox-in-cur message says its line in its own file instead).
    numbered = [r.line for r in alone if not isinstance(r, Warning)]
    assert len(numbered) == 303
    assert len(set(numbered)) == 302  # 1 twice: the first message, and the mbox message's line in its own file
    assert set(numbered) <= set(range(1, 304))
    odd = next(r for r in together if isinstance(r, InteractionRecord) and r.external_id == "odd3@x")
    assert odd.occurred_at.utcoffset() == timedelta(hours=-3, minutes=-30)


def test_a_large_maildir_is_read_whole_where_no_workers_can_be_had(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One core, or a system without fork: the same messages, all of them, read in this process.
    gen = _gen()
    box = gen.generate_maildir(tmp_path / "Maildir", n=200, seed=9)  # type: ignore[attr-defined]
    alone = records(box)
    monkeypatch.setattr(mail, "PARALLEL_FROM", 20)
    monkeypatch.setattr(mail, "CHUNK_NAMES", 7)
    monkeypatch.setattr(mail, "WORKERS", 0)
    assert records(box) == alone
    assert len(interactions(alone)) == 200


def _die(*_args: object) -> list[object]:
    import os

    os._exit(3)


def test_a_worker_that_dies_stops_the_import_with_a_clear_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    box = write_maildir(tmp_path / "Maildir", {f"cur/16000000{i:02d}.m{i}.host:2,S": _msg(i) for i in range(30)})
    monkeypatch.setattr(mail, "PARALLEL_FROM", 10)
    monkeypatch.setattr(mail, "CHUNK_NAMES", 5)
    monkeypatch.setattr(mail, "WORKERS", 2)
    monkeypatch.setattr(mail, "_read_chunk", _die)  # forked workers see the same module
    with pytest.raises(ImportProblem, match="reading process stopped"):
        records(box)


def _peak(path: Path) -> int:
    tracemalloc.start()
    count = sum(1 for _ in mail.parse(path, ME))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count > 0
    return peak


def test_memory_is_flat_in_the_mailbox_size(tmp_path: Path) -> None:
    gen = _gen()
    small = gen.generate_mbox(tmp_path / "small.mbox", n=300, seed=3)  # type: ignore[attr-defined]
    large = gen.generate_mbox(tmp_path / "large.mbox", n=3000, seed=3)  # type: ignore[attr-defined]
    assert large.stat().st_size > 5 * 1024 * 1024  # more than one read chunk
    # The caches of names and dates fill up the same way in both; the mailbox itself is never held.
    assert _peak(large) < _peak(small) + 6 * 1024 * 1024


# --- real corpora ------------------------------------------------------------------------------------------


def test_every_corpus_file_and_folder_gives_records_or_reasons() -> None:
    root = need_corpus()
    seen = 0
    for path in sorted(root.rglob("*")):
        if "easy_ham_maildir" in path.parts and path.name != "easy_ham_maildir":
            continue
        recs = records(path)  # any exception other than ImportProblem fails the test
        seen += 1
        for rec in recs:
            assert isinstance(rec, InteractionRecord | Rejected | Warning)
            if isinstance(rec, InteractionRecord):
                assert rec.occurred_at.tzinfo is not None
                assert rec.sender is not None
                assert rec.sender.email
                assert "@" in rec.sender.email
                assert rec.external_id
                assert rec.thread
                assert "\n" not in rec.summary
            elif isinstance(rec, Rejected):
                assert rec.reason
                assert rec.line is not None
    assert seen > 200


def test_spamassassin_maildir_is_read_whole() -> None:
    box = need_corpus() / "spamassassin-public-corpus" / "easy_ham_maildir"
    recs = records(box)
    got = interactions(recs)
    assert len(got) == 2500
    assert len({r.sender.email.lower() for r in got if r.sender and r.sender.email}) > 300
    assert any(r.bulk for r in got)
    assert not all(r.bulk for r in got)


def test_corpus_hard_cases() -> None:
    root = need_corpus()
    # RFC 2047 names in a pipermail archive that writes "user at host (Name)".
    got = interactions(records(root / "hyperkitty" / "non-ascii-headers.txt"))
    assert len(got) == 6
    assert got[0].sender is not None
    assert (got[0].sender.name, got[0].sender.email) == (
        "Vít Ondruch",
        "vondruch@redhat.com",
    )
    assert got[2].summary == "[Fedora-fr-list] Compte-rendu de la réunion du 1 novembre 2009"
    assert [r.line for r in got] == [1, 28, 69, 123, 163, 189]
    # A bad Date falls back to the Received header, with a warning.
    recs = records(root / "imap_tools" / "error_emails" / "bad_date_header.eml")
    (rec,) = interactions(recs)
    assert rec.occurred_at.year == 2010
    assert any(isinstance(r, Warning) and "bad Date" in r.message for r in recs)
    # A bad Date with nothing to fall back on is rejected with its reason.
    (rej,) = records(root / "mu" / "testdir2" / "Foo" / "cur" / "fraiche.eml")
    assert isinstance(rej, Rejected)
    assert "bad Date" in rej.reason
    # No Date in a Maildir file: the delivery time in its name.
    (_, rec) = records(root / "mu" / "testdir" / "cur" / "1283599333.1840_11.cthulhu!2,")
    assert isinstance(rec, InteractionRecord)
    assert rec.occurred_at == datetime.fromtimestamp(1283599333, UTC)
    # List mail is bulk.
    (rec,) = interactions(records(root / "notmuch" / "default" / "bar" / "new" / "21:2,"))
    assert rec.bulk is True
    # An encoded name in To.
    mail3 = root / "mu" / "testdir2" / "bar" / "cur" / "mail3"
    block = mail.read_head(str(mail3))
    rec2, _ = build_record(
        block, number=1, line=None, where="mail3", me_emails=frozenset(), fallback_date=datetime.now(UTC)
    )
    assert isinstance(rec2, InteractionRecord)
    assert [p.name for p in rec2.participants] == ["Edmond Dantès"]
    # A From without angle brackets.
    (rec,) = interactions(records(root / "imap_tools" / "plain_emails" / "mix_caps_content_type.eml"))
    assert rec.sender is not None
    assert (rec.sender.name, rec.sender.email) == ("Big Bug", "bb@bug.com")


# --- fuzzing -----------------------------------------------------------------------------------------------

_NAMES = [b"From", b"To", b"Cc", b"Date", b"Subject", b"Message-ID", b"References", b"In-Reply-To", b"List-Id", b"X"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_fuzz_random_header_bytes(data: bytes) -> None:
    rec, warnings = build_record(data, number=1, line=None, where="fuzz", me_emails=frozenset({"me@example.org"}))
    assert isinstance(rec, InteractionRecord | Rejected)
    assert all(isinstance(w, Warning) for w in warnings)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(_NAMES),
            st.sampled_from([b":", b" :", b"", b": "]),
            st.one_of(st.binary(max_size=80), st.text(max_size=80).map(str.encode)),
        ),
        max_size=12,
    )
)
def test_fuzz_structured_headers(fields: list[tuple[bytes, bytes, bytes]]) -> None:
    block = b"\n".join(name + sep + value for name, sep, value in fields)
    rec, _ = build_record(
        block, number=3, line=None, where="fuzz", me_emails=frozenset(), fallback_date=datetime.now(UTC)
    )
    assert isinstance(rec, InteractionRecord | Rejected)
    if isinstance(rec, InteractionRecord):
        assert rec.occurred_at.tzinfo is not None


def _real_messages() -> list[bytes]:
    root = CORPUS / "imap_tools"
    if not root.is_dir():
        return [p.read_bytes() for p in sorted(FIXTURES.glob("*.eml"))]
    return [p.read_bytes()[:4000] for p in sorted(root.rglob("*.eml"))[:60]]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=30))
def test_fuzz_mutated_real_messages_in_an_mbox(tmp_path: Path, seed: int, mutations: int) -> None:
    rng = random.Random(seed)
    messages = _real_messages()
    out = bytearray()
    for _ in range(3):
        msg = bytearray(rng.choice(messages))
        for _ in range(mutations):
            if not msg:
                break
            i = rng.randrange(len(msg))
            choice = rng.random()
            if choice < 0.4:
                msg[i] = rng.randrange(256)
            elif choice < 0.7:
                del msg[i : i + rng.randrange(1, 20)]
            else:
                msg[i:i] = rng.choice([b"\n", b"\r\n", b"=?utf-8?b?", b"?=", b"\nFrom ", b":", b"<", b"\n\n", b"\x00"])
        out += b"From x@y Mon Mar  4 10:00:00 2024\n" + bytes(msg) + b"\n\n"
    path = tmp_path / f"fuzz-{seed}.mbox"
    path.write_bytes(bytes(out))
    recs = list(mail.parse(path, ME))
    assert recs
    assert all(isinstance(r, InteractionRecord | Rejected | Warning) for r in recs)
    eml = tmp_path / f"fuzz-{seed}.eml"
    eml.write_bytes(bytes(out).partition(b"\n")[2])
    assert all(isinstance(r, InteractionRecord | Rejected | Warning) for r in mail.parse(eml, ME))
