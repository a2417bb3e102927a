"""The quicker dormant-ties ranking (reasons and tiebreaks only for those who can make the list; every current job
read in one pass) gives what the plain way gives: every tie valued with its reasons, sorted, cut; the employers
and colleague counts read by id; on both backends."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from dunbar import agenda, demo, people
from dunbar.scoring import agenda as rank
from dunbar.store import Db
from dunbar.store.db import chunks, to_date

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def _rank_plainly(ties: list[rank.Tie], *, today: date, limit: int) -> list[rank.Revival]:
    found = [r for r in (rank.revival(t, today) for t in ties) if r is not None]
    found.sort(key=lambda r: (-r.value, rank.tiebreak(today, r.person_id)))
    return found[:limit]


day = st.one_of(st.none(), st.integers(-3000, 5).map(lambda d: TODAY + timedelta(days=d)))
tie = st.builds(
    rank.Tie,
    person_id=st.integers(1, 10**6),
    circle=st.sampled_from([None, "inner", "acquaintance", "network", "dormant"]),
    closeness=st.one_of(st.none(), st.sampled_from([0, 50, 100])),
    connected_on=day,
    last_contact=day,
    n_them=st.integers(0, 3),
    n_total=st.integers(0, 5),
    organization=st.sampled_from([None, "Acme", "Solo"]),
    colleagues=st.sampled_from([0, 1, 8]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(tie, max_size=60, unique_by=lambda t: t.person_id), st.integers(-1, 70))
def test_ranking_only_the_reachable_is_ranking_all(ties: list[rank.Tie], limit: int) -> None:
    assert rank.rank_dormant(ties, today=TODAY, limit=limit) == _rank_plainly(ties, today=TODAY, limit=limit)


def _ties_plainly(db: Db, *, today: date) -> list[rank.Tie]:
    """The candidates as ``agenda.dormant`` read them before: employers by id in chunks, then a count per
    organization of the live people working there."""
    start = datetime.combine(today, time(), UTC)
    weak = [c for c in rank.WEAK_CIRCLES if c is not None]
    rows = db.rows(
        "SELECT p.id, p.circle, p.closeness, p.connected_on, p.last_contact_at, s.n_them, s.n_total FROM person p "
        "LEFT JOIN person_stats s ON s.person_id = p.id WHERE p.deleted_at IS NULL AND p.merged_into_id IS NULL "
        "AND p.is_me = :f AND ((p.connected_on IS NOT NULL AND (p.last_contact_at IS NULL OR p.last_contact_at < "
        "p.connected_on)) OR (p.last_contact_at >= :a AND p.last_contact_at < :b AND s.n_them > 0 AND (p.circle IS "
        "NULL OR p.circle IN :weak)))",
        {
            "f": False,
            "a": start - timedelta(days=rank.QUIET_TO_DAYS + 1),
            "b": start - timedelta(days=rank.QUIET_FROM_DAYS - 1),
            "weak": weak,
        },
    )
    employer: dict[int, tuple[int, str]] = {}
    for part in chunks([int(r[0]) for r in rows]):
        for pid, org_id, name in db.rows(
            "SELECT e.person_id, o.id, o.name FROM employment e JOIN organization o ON o.id = e.organization_id "
            "WHERE e.person_id IN :ids AND e.end_date IS NULL ORDER BY e.start_date, e.id",
            {"ids": list(part)},
        ):
            employer[int(pid)] = (int(org_id), name)
    staff = {
        int(org): int(n)
        for org, n in db.rows(
            "SELECT e.organization_id, COUNT(DISTINCT e.person_id) FROM employment e JOIN person p ON "
            "p.id = e.person_id WHERE e.end_date IS NULL AND p.deleted_at IS NULL AND p.merged_into_id IS NULL "
            "AND p.is_me = :f GROUP BY e.organization_id",
            {"f": False},
        )
    }
    out = []
    for pid, circle, closeness, connected, last_at, n_them, n_total in rows:
        org = employer.get(int(pid))
        out.append(
            rank.Tie(
                int(pid),
                circle,
                None if closeness is None else int(closeness),
                to_date(connected),
                agenda._local_date(last_at),
                int(n_them or 0),
                int(n_total or 0),
                org[1] if org else None,
                max(0, staff.get(org[0], 1) - 1) if org else 0,
            )
        )
    return out


def test_dormant_ties_are_those_of_the_plain_way(db: Db) -> None:
    demo.generate(db, people=400, interactions=3000, seed=23, today=TODAY)
    # Colleagues in the trash do not count; two current jobs: the latest is the employer.
    org = db.one(
        "SELECT e.organization_id AS o FROM employment e WHERE e.end_date IS NULL GROUP BY e.organization_id "
        "ORDER BY COUNT(*) DESC, e.organization_id LIMIT 1"
    )
    assert org is not None
    staff = [int(r[0]) for r in db.rows(
        "SELECT person_id FROM employment WHERE organization_id = :o AND end_date IS NULL ORDER BY person_id",
        {"o": org["o"]},
    )]  # fmt: skip
    assert len(staff) >= 3, "the demo has an organization several people work at"
    for pid in staff[:2]:
        people.trash(db, pid, now=NOW)
    for i in range(3):
        people.add_person(
            db,
            people.PersonChanges(
                name=f"New Contact {i}", connected_on=TODAY - timedelta(days=5 * i), organization="Tiny Startup"
            ),
            now=NOW,
        )

    everyone = _rank_plainly(_ties_plainly(db, today=TODAY), today=TODAY, limit=10**6)
    assert len(everyone) > 50
    assert any(r.kind == rank.QUIET for r in everyone)
    assert any(r.kind == rank.NEVER for r in everyone)
    assert any("Tiny Startup" in " ".join(r.reasons) for r in everyone)
    for limit in (1, 5, 20, len(everyone) + 3):
        got = agenda.dormant(db, today=TODAY, now=NOW, limit=limit)
        want: list[Any] = everyone[:limit]
        assert [(g["person"]["id"], g["kind"], g["value"], g["reasons"]) for g in got] == [
            (w.person_id, w.kind, w.value, w.reasons) for w in want
        ]
