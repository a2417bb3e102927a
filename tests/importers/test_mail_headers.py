"""The per-message header parsers: how a raw header block is cut into fields, dates and addresses."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dunbar.importers import mail_headers
from dunbar.importers.mail_headers import address_pairs, build_record, parse_date, split_fields
from dunbar.importers.records import InteractionRecord, ParticipantRef

# --- fields ------------------------------------------------------------------------------------------------


def test_split_fields_unfolds_crlf_and_bare_cr_and_keeps_duplicates_in_order() -> None:
    block = (
        b"From: a\r\n\tb\r\n"  # CRLF, folded with a tab
        b"To: x\ry\n"  # a bare CR inside a value is a space, not a line break
        b"Subject: s  \n"
        b"SUBJECT:\tt\n"
        b"Message-Id:<m@x>\n"
        b"no colon line\n"
        b"To : z\n  cont\n"  # a space before the colon, a continuation line
        b"Received: r\n To: not-a-field\n"  # an indented "To:" belongs to the Received line
        b"X-To: nope\n"
        b"Date: \xe9t\xe9\n"
    )
    assert split_fields(block) == {
        "from": [b"a b"],
        "to": [b"x y", b"z cont"],
        "subject": [b"s", b"t"],
        "message-id": [b"<m@x>"],
        "date": [b"\xe9t\xe9"],
    }


def test_split_fields_mixed_case_names_and_a_first_line_without_newline_before_it() -> None:
    block = b"from:first line\nCc: c1\nCC: c2\ncc: c3\nmEsSaGe-iD: <q@r>\nIN-REPLY-TO: <p@r>\nlist-ID: l"
    assert split_fields(block) == {
        "from": [b"first line"],
        "cc": [b"c1", b"c2", b"c3"],
        "message-id": [b"<q@r>"],
        "in-reply-to": [b"<p@r>"],
        "list-id": [b"l"],
    }


def test_split_fields_strips_every_kind_of_edge_whitespace_and_keeps_empty_values() -> None:
    block = b"Subject: \x0bhi\x0c \r\nTo:\r\n\t a@b.c ,\r\n\r\n c@d.e\r\nCc:\nDate: \t\n"
    assert split_fields(block) == {"subject": [b"hi"], "to": [b"a@b.c ,"], "cc": [b""], "date": [b""]}


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from([b"\r", b"\n", b"\r\n", b" ", b"\t", b"\x0b", b"a", b"\n\t", b"\r\r\n"]), max_size=30))
def test_unfold_is_the_one_pattern_substitution(parts: list[bytes]) -> None:
    value = b"".join(parts)
    assert mail_headers._unfold(value) == re.sub(rb"\r?\n[ \t]*|\r", b" ", value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (b"a\r\n\t b", b"a b"),
        (b"a\n  \t\nb", b"a  b"),
        (b"a\rb", b"a b"),
        (b"a\r\r\nb", b"a  b"),
        (b"a\n\r\nb", b"a  b"),
    ],
)
def test_unfold_values(value: bytes, expected: bytes) -> None:
    assert mail_headers._unfold(value) == expected


# --- dates -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "offset"),
    [
        ("Thu, 31 Jul 2008 14:57:25 -0400", datetime(2008, 7, 31, 18, 57, 25, tzinfo=UTC), timedelta(hours=-4)),
        ("31 jul 2008 14:57:25 +0530", datetime(2008, 7, 31, 9, 27, 25, tzinfo=UTC), timedelta(hours=5, minutes=30)),
        ("Thu, 31 Jul 2008 14:57:25 -0000", datetime(2008, 7, 31, 14, 57, 25, tzinfo=UTC), timedelta(0)),
        ("Thu, 1 Jan 2009 00:00:00 +2359", datetime(2008, 12, 31, 0, 1, tzinfo=UTC), timedelta(hours=23, minutes=59)),
        # Past the fast shape's ranges, the general path decides as it always did.
        ("Thu, 31 Jul 2008 14:57:25 +0099", datetime(2008, 7, 31, 13, 18, 25, tzinfo=UTC), timedelta(minutes=99)),
        ("Thu, 31 Jul 0049 14:57:25 -0400", datetime(2049, 7, 31, 18, 57, 25, tzinfo=UTC), timedelta(hours=-4)),
        ("Thu, 31 Feb 2020 14:57:25 +0000", None, None),
        ("Thu, 31 Jul 2008 24:57:25 +0000", None, None),
        ("Thu, 31 Jul 2008 23:59:60 +0000", None, None),
        ("Thu, 31 Jul 2008 14:57:25 +2400", None, None),
        ("Thu, 31 Jul 1949 14:57:25 +0000", None, None),
        ("Thu, 31 Jul 2101 14:57:25 +0000", None, None),
    ],
)
def test_parse_date_common_shape_and_its_edges(text: str, expected: datetime | None, offset: timedelta | None) -> None:
    got = parse_date(text)
    assert got == expected
    if got is not None:
        assert got.utcoffset() == offset


_DAYS = st.integers(min_value=0, max_value=40).map(str)
_MONTHS = st.sampled_from(["Jan", "feb", "MAR", "Jun", "Sep", "Dec", "Foo"])
_YEARS = st.sampled_from(["1949", "1950", "2000", "2024", "2100", "2101", "0049", "0070", "9999"])
_TWO = st.integers(min_value=0, max_value=99).map(lambda n: f"{n:02d}")


@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from(["", "Thu, ", "xyz, "]), _DAYS, _MONTHS, _YEARS, _TWO, _TWO, _TWO, st.sampled_from("+-"), _TWO, _TWO
)
def test_parse_date_fast_path_gives_what_the_general_path_gives(
    weekday: str, day: str, month: str, year: str, hh: str, mm: str, ss: str, sign: str, zh: str, zm: str
) -> None:
    text = f"{weekday}{day} {month} {year} {hh}:{mm}:{ss} {sign}{zh}{zm}"
    # A leading space keeps a value out of the fast path (it matches the whole value only) and is stripped
    # before the general one.
    fast, general = parse_date(text), parse_date(" " + text)
    assert fast == general
    assert (fast and fast.utcoffset()) == (general and general.utcoffset())


# --- addresses ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            '"Lima, Ana" <ana@x.org>, Bo  Chen  <bo@y.org>, "A \\"B\\" C" <abc@z.org>, plain@x.org,',
            [("Lima, Ana", "ana@x.org"), ("Bo Chen", "bo@y.org"), ('A "B" C', "abc@z.org"), (None, "plain@x.org")],
        ),
        ("=?utf-8?b?QmrDtnJuIER1Ym9pcw==?= <bjrn@x.de>", [("Björn Dubois", "bjrn@x.de")]),
        ("  Ana\t<  ana@x.org >  ", [("Ana", "ana@x.org")]),
        ('"" <ana@x.org>', [(None, "ana@x.org")]),
        ("ANA@X.ORG <ana@x.org>", [(None, "ANA@X.ORG"), (None, "ana@x.org")]),
        # Not a list of the common shapes: the general parser and its fallbacks.
        ('"Lima, Ana" <ana@x.org>,, Bo <bo@y.org>', [("Lima, Ana", "ana@x.org"), ("Bo", "bo@y.org")]),
        ("Ana <ana@x.org> Bo <bo@y.org>", [("Ana", "ana@x.org"), ("Bo", "bo@y.org")]),
        ("ana at x.org (Ana Lima)", [("Ana Lima", "ana@x.org")]),
        ("undisclosed-recipients:;", []),
    ],
)
def test_address_pairs(value: str, expected: list[tuple[str | None, str]]) -> None:
    assert address_pairs(value) == expected
    assert address_pairs(value) == expected  # the second time from the entry cache


# The list pattern as it was first written, with a lazy display name: the reference for how lists are cut.
_LAZY_ENTRY = (
    r'\s*(?:(?:"((?:[^"\\]|\\.)*)"|([^",<>()\\;:@]*?))\s*<\s*([^<>\s@,;:"()]+@[^<>\s,;:"()@]+)\s*>'
    r'|([^\s<>",;:()@]+@[^\s<>",;:()@]+))\s*'
)
_LAZY_LIST = re.compile(rf"(?:{_LAZY_ENTRY},)*{_LAZY_ENTRY},?")
_LAZY_ITEM = re.compile(rf"{_LAZY_ENTRY},?")
_PIECES = ['"', "\\", ",", "<", ">", "@", " ", "\t", "a", "Bo", "x.org", "=?", "?=", ";", ":", "(", "\xa0", "é"]
_ENTRIES = ['"L, A" <a@x.org>', "Bo <b@y.org>", "c@z.org", '"q\\"" <d@w.org>', "<e@v.org>", " ,", ", "]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(_PIECES + _ENTRIES), max_size=12))
def test_address_lists_are_cut_where_the_lazy_pattern_cuts_them(parts: list[str]) -> None:
    value = "".join(parts)
    is_list = _LAZY_LIST.fullmatch(value) is not None
    assert (mail_headers._common_list(value) is not None) is is_list
    if is_list:
        cut = mail_headers._ADDR_SPLIT.split(value)[1::2]
        groups = [mail_headers._ENTRY_PARTS.fullmatch(text) for text in cut]
        assert [m.groups() for m in groups if m is not None] == [m.groups() for m in _LAZY_ITEM.finditer(value)]


# --- the record --------------------------------------------------------------------------------------------


def test_records_are_built_with_the_field_order_build_record_passes() -> None:
    # build_record passes these positionally: keywords more than double what building a record costs.
    assert [f.name for f in dataclasses.fields(InteractionRecord)][:11] == [
        "occurred_at",
        "kind",
        "line",
        "summary",
        "external_id",
        "thread",
        "sender",
        "participants",
        "initiator",
        "attendee_count",
        "bulk",
    ]
    assert [f.name for f in dataclasses.fields(ParticipantRef)][:4] == ["name", "email", "linkedin", "role"]


def test_a_crlf_message_with_folded_mixed_case_headers() -> None:
    block = (
        b"Return-Path: <ana@x.org>\r\n"
        b"FROM: Ana Lima <Ana@X.org>\r\n"
        b'to: me@example.org,\r\n\t"Chen, Bo" <bo@y.org>\r\n'
        b"CC: ana@x.org, Dee <dee@z.org>\r\n"
        b"Subject: Re: plans\r\n"
        b"Date: Mon, 4 Mar 2024 11:00:00 +0100\r\n"
        b"Message-ID: <m1@x.org>\r\n"
        b"References: <r0@x.org>\r\n <r1@x.org>\r\n"
    )
    rec, warnings = build_record(block, number=5, line=None, where="m", me_emails=frozenset({"me@example.org"}))
    assert warnings == []
    assert rec == InteractionRecord(
        occurred_at=datetime(2024, 3, 4, 11, tzinfo=timezone(timedelta(hours=1))),
        kind="email",
        line=5,
        summary="Re: plans",
        external_id="m1@x.org",
        thread="r0@x.org",
        sender=ParticipantRef(name="Ana Lima", email="Ana@X.org", role="from"),
        participants=[
            ParticipantRef(name=None, email="me@example.org", role="to"),
            ParticipantRef(name="Chen, Bo", email="bo@y.org", role="to"),
            ParticipantRef(name="Dee", email="dee@z.org", role="cc"),
        ],
        initiator="them",
        bulk=False,
    )


def test_an_8bit_subject_is_read_in_each_message_s_own_charset() -> None:
    def subject(charset: bytes) -> str:
        block = (
            b"From: a@b.c\nDate: Mon, 4 Mar 2024 11:00:00 +0100\nSubject: caf\xe9\nContent-Type: text/plain; charset="
        )
        rec, _ = build_record(block + charset, number=1, line=None, where="t", me_emails=frozenset())
        assert isinstance(rec, InteractionRecord)
        return rec.summary

    assert [subject(b"iso-8859-1"), subject(b"koi8-r"), subject(b"iso-8859-1")] == ["café", "cafИ", "café"]


def test_repeated_subjects_and_senders_give_the_same_bulk_answer() -> None:
    def bulk(sender: str, subject: str) -> bool:
        block = f"From: {sender}\nDate: Mon, 4 Mar 2024 11:00:00 +0100\nSubject: {subject}".encode()
        rec, _ = build_record(block, number=1, line=None, where="t", me_emails=frozenset())
        assert isinstance(rec, InteractionRecord)
        return rec.bulk

    for _ in range(2):
        assert bulk("ana@x.org", "Automatic reply: away") is True
        assert bulk("No-Reply@x.org", "hello") is True
        assert bulk("ana@x.org", "hello") is False


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"<a@b>", "a@b"),
        (b"<a@b> <c@d>", "a@b"),
        (b"  <x@y>", "x@y"),
        (b"a@b", "a@b"),
        (b"<\xc3\xa9@b>", "é@b"),
        (b"<a b@c>", None),
        (b"<>", None),
    ],
)
def test_first_message_id(raw: bytes, expected: str | None) -> None:
    assert mail_headers._first_id_raw(raw) == expected


# --- the digest row: what worker processes hand to the import --------------------------------------------------

_LINES = [
    b"From: Ana Lima <ana@example.org>",
    b"From: =?utf-8?q?Jos=C3=A9?= <Jose@Example.ORG.>",
    b"From: no-reply@service.example",
    b'To: me@example.org, "Chen, Bo" <bo@example.org>',
    b"Cc: ana@example.org, root@localhost",
    b"Date: Thu, 1 Oct 2020 10:00:00 -0330",
    b"Date: sometime",
    b"Subject: Re:   plans  for  Q3",
    b"Subject: Automatic reply: away",
    b"Message-ID: <m1@x>",
    b"In-Reply-To: <m0@x>",
    b"List-Id: <news.example.org>",
    b"Received: by mx; Fri, 2 Oct 2020 09:00:00 +0000",
    b"\tfolded continuation",
    b"garbage without colon",
]


@settings(max_examples=300)
@given(st.lists(st.sampled_from(_LINES), max_size=10), st.sampled_from([b"\n", b"\r\n"]))
def test_a_digest_row_is_the_record_it_stands_for(lines: list[bytes], eol: bytes) -> None:
    from dunbar.importers.mail import to_records
    from dunbar.importers.records import Digested, Rejected, Warning

    block = eol.join(lines)
    me = frozenset({"me@example.org"})
    fallback = datetime(2020, 10, 3, tzinfo=UTC)
    record, warnings = build_record(
        block, number=7, line=None, where="m", me_emails=me, fallback_date=fallback, fallback_label="x"
    )
    row = mail_headers.build_row(block, where="m", me_emails=me, fallback_date=fallback, fallback_label="x")
    got = list(to_records(Digested(7, [row])))
    assert [w.message for w in got if isinstance(w, Warning)] == [w.message for w in warnings]
    (back,) = [r for r in got if not isinstance(r, Warning)]
    if isinstance(record, Rejected):
        assert back == record
        return
    assert isinstance(back, InteractionRecord)
    # The row keeps the summary as it is stored: the subject's whitespace collapsed.
    assert back == dataclasses.replace(record, summary=" ".join(record.summary.split())[:1000])
    assert back.occurred_at.utcoffset() == record.occurred_at.utcoffset()
    from dunbar import normalize

    assert [norm for _, _, norm, _ in row[8]] == [normalize.email(email) for _, email, _, _ in row[8]]
