"""What the job search measures, per channel, and the one sentence the numbers support. Pure: no I/O.

Definitions (docs/json.md repeats them for ``dunbar jobs stats --json``):

- An **application** is an opportunity that got past "saved": it has an ``applied``, ``screen``, ``interview``,
  ``offer``, ``accepted``, ``rejected`` or ``ghosted`` stage (being rejected or ghosted implies having applied;
  ``withdrawn`` alone does not, one can withdraw from a saved job). Its date is the date of its ``applied``
  stage, or of its first such stage when it went straight to, say, a screen (a referral often does).
- It **reached interview** when it has an ``interview``, ``offer`` or ``accepted`` stage. A screen does not
  count: a recruiter's screening call filters applicants, an interview is the hiring team taking them seriously.
  Screens are counted on their own (``reached_screen``).
- **Days to interview** run from the application date to the first interview (or later) stage.
- An **offer** is an ``offer`` or ``accepted`` stage.

Stages dated after ``today`` are left out (typed ahead by mistake; they have not happened yet).

The sentence makes a claim only where the data can carry one: at least ``MIN_APPLICATIONS`` applications on
each side of a comparison, at least ``MIN_INTERVIEWS`` interviews on each side before medians are compared, and
a share difference is called out as possibly chance when Fisher's exact test gives p ≥ ``ALPHA``.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

STAGES = ("saved", "applied", "screen", "interview", "offer", "accepted", "rejected", "withdrawn", "ghosted")
ACTIVE_STAGES = ("saved", "applied", "screen", "interview", "offer")
CLOSED_STAGES = ("accepted", "rejected", "withdrawn", "ghosted")
CHANNELS = ("referral", "warm-intro", "recruiter", "cold", "other")
NETWORK_CHANNELS = ("referral", "warm-intro")

APPLIED_STAGES = frozenset({"applied", "screen", "interview", "offer", "accepted", "rejected", "ghosted"})
SCREEN_STAGES = frozenset({"screen", "interview", "offer", "accepted"})
INTERVIEW_STAGES = frozenset({"interview", "offer", "accepted"})
OFFER_STAGES = frozenset({"offer", "accepted"})

MIN_APPLICATIONS = 5
MIN_INTERVIEWS = 3
ALPHA = 0.05

# How a channel reads in a sentence: (one, many).
_NOUNS = {
    "referral": ("referral", "referrals"),
    "warm-intro": ("warm introduction", "warm introductions"),
    "recruiter": ("recruiter approach", "recruiter approaches"),
    "cold": ("cold application", "cold applications"),
    "other": ("other application", "other applications"),
    "network": ("referral or warm introduction", "referrals and warm introductions"),
}


@dataclass(frozen=True)
class History:
    """One opportunity as the statistics see it: its channel and its dated stages, in the order recorded."""

    channel: str
    stages: Sequence[tuple[str, date]]


@dataclass(frozen=True)
class ChannelStats:
    channel: str
    applications: int
    reached_screen: int
    reached_interview: int
    offers: int
    open: int  # applications still in applied/screen/interview/offer
    days_to_interview: tuple[int, ...]  # one per application that reached interview, sorted

    @property
    def interview_share(self) -> float | None:
        return self.reached_interview / self.applications if self.applications else None

    @property
    def median_days(self) -> float | None:
        return float(statistics.median(self.days_to_interview)) if self.days_to_interview else None

    def as_dict(self) -> dict[str, Any]:
        share = self.interview_share
        return {
            "channel": self.channel,
            "applications": self.applications,
            "reached_screen": self.reached_screen,
            "reached_interview": self.reached_interview,
            "interview_share": None if share is None else round(share, 4),
            "median_days_to_interview": self.median_days,
            "offers": self.offers,
            "open": self.open,
            "enough": self.applications >= MIN_APPLICATIONS,
        }


def _application_date(stages: Sequence[tuple[str, date]]) -> date | None:
    applied = [on for stage, on in stages if stage == "applied"]
    if applied:
        return min(applied)
    later = [on for stage, on in stages if stage in APPLIED_STAGES]
    return min(later) if later else None


def _empty() -> dict[str, Any]:
    return {"applications": 0, "screen": 0, "interview": 0, "offers": 0, "open": 0, "days": []}


def channel_stats(histories: Iterable[History], *, today: date) -> dict[str, ChannelStats]:
    """Per channel (every channel in ``CHANNELS``, in that order, plus any unknown one seen), the counts."""
    acc: dict[str, dict[str, Any]] = {c: _empty() for c in CHANNELS}
    for h in histories:
        stages = [(s, on) for s, on in h.stages if on <= today]
        applied_on = _application_date(stages)
        if applied_on is None:
            continue
        a = acc.setdefault(h.channel, _empty())
        a["applications"] += 1
        names = {s for s, _ in stages}
        if names & SCREEN_STAGES:
            a["screen"] += 1
        if names & INTERVIEW_STAGES:
            a["interview"] += 1
            first = min(on for s, on in stages if s in INTERVIEW_STAGES)
            # An interview dated before the application is a typing slip; it still counts, as the same day.
            a["days"].append(max(0, (first - applied_on).days))
        if names & OFFER_STAGES:
            a["offers"] += 1
        # The current stage is the newest by date, then the later one given (stages come in the order recorded).
        current = max(enumerate(stages), key=lambda t: (t[1][1], t[0]))[1][0]
        if current in ACTIVE_STAGES:
            a["open"] += 1
    return {
        c: ChannelStats(
            channel=c,
            applications=a["applications"],
            reached_screen=a["screen"],
            reached_interview=a["interview"],
            offers=a["offers"],
            open=a["open"],
            days_to_interview=tuple(sorted(a["days"])),
        )
        for c, a in acc.items()
    }


def combine(channel: str, parts: Iterable[ChannelStats]) -> ChannelStats:
    """Several channels counted as one (``network``: referrals and warm introductions together)."""
    items = list(parts)
    return ChannelStats(
        channel=channel,
        applications=sum(p.applications for p in items),
        reached_screen=sum(p.reached_screen for p in items),
        reached_interview=sum(p.reached_interview for p in items),
        offers=sum(p.offers for p in items),
        open=sum(p.open for p in items),
        days_to_interview=tuple(sorted(d for p in items for d in p.days_to_interview)),
    )


def fisher_exact(a: int, b: int, c: int, d: int) -> float:
    """Two-sided p-value of Fisher's exact test for the 2×2 table [[a, b], [c, d]].

    Rows are the two channels, columns reached interview / did not. The p-value sums the probabilities of every
    table with the same margins that is at most as likely as the one observed.
    """
    row1, col1, n = a + b, a + c, a + b + c + d
    if n == 0 or row1 in (0, n) or col1 in (0, n):
        return 1.0
    denom = math.comb(n, col1)

    def prob(x: int) -> float:
        return math.comb(row1, x) * math.comb(n - row1, col1 - x) / denom

    observed = prob(a)
    lo, hi = max(0, col1 - (n - row1)), min(row1, col1)
    # The tolerance keeps tables exactly as likely as the observed one from being lost to rounding.
    p = sum(q for q in (prob(x) for x in range(lo, hi + 1)) if q <= observed * (1 + 1e-7))
    return min(1.0, p)


def _noun(channel: str, count: int) -> str:
    one, many = _NOUNS.get(channel, (f"{channel} application", f"{channel} applications"))
    return one if count == 1 else many


def _days(value: float) -> str:
    return f"{value:g}"


def _pct(share: float) -> str:
    return f"{round(100 * share)}%"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def too_few(s: ChannelStats) -> str:
    """The flag for a channel with fewer than ``MIN_APPLICATIONS`` applications."""
    if s.applications == 0:
        return f"No {_noun(s.channel, 0)} yet."
    return f"Only {s.applications} {_noun(s.channel, s.applications)} so far: too few to say."


def compare(s: ChannelStats, base: ChannelStats) -> str:
    """The sentence comparing one channel ``s`` with the baseline ``base`` (cold applications), as far as the
    numbers carry it."""
    if s.applications < MIN_APPLICATIONS:
        return too_few(s)
    if base.applications < MIN_APPLICATIONS:
        if base.applications == 0:
            return f"No {_noun(base.channel, 0)} to compare {_noun(s.channel, 2)} with."
        return (
            f"Only {base.applications} {_noun(base.channel, base.applications)} so far: "
            f"too few to compare {_noun(s.channel, 2)} with."
        )
    name, other = _noun(s.channel, 2), _noun(base.channel, 2)
    counts = f"from {s.applications} and {base.applications} applications"
    s_share, b_share = s.interview_share or 0.0, base.interview_share or 0.0
    p = fisher_exact(
        s.reached_interview,
        s.applications - s.reached_interview,
        base.reached_interview,
        base.applications - base.reached_interview,
    )
    if s.reached_interview == 0 and base.reached_interview == 0:
        return f"Neither {name} nor {other} have reached interview yet ({counts})."
    share_part = f"{_pct(s_share)} of {name} reached interview vs {_pct(b_share)} of {other}"
    chance = " (at these numbers the difference could be chance)" if p >= ALPHA else ""
    if s.reached_interview >= MIN_INTERVIEWS and base.reached_interview >= MIN_INTERVIEWS:
        s_days, b_days = s.median_days, base.median_days
        assert s_days is not None
        assert b_days is not None
        return (
            f"{_capital(name)} reached interview in a median {_days(s_days)} days vs {_days(b_days)} for {other}, "
            f"{counts}; {share_part}{chance}."
        )
    few = min(s.reached_interview, base.reached_interview)
    return (
        f"{_capital(share_part)}, {counts}{chance}; "
        f"{'no' if few == 0 else f'only {few}'} interview{'' if few == 1 else 's'} on one side: "
        "too few to compare how fast."
    )


def sentences(stats: dict[str, ChannelStats]) -> list[str]:
    """What the numbers support, one sentence per channel that has applications, compared with cold ones.

    Referrals and warm introductions are also compared together when each alone is too few but both together
    are enough. With no applications at all there is one sentence saying so.
    """
    if not any(s.applications for s in stats.values()):
        return ["No applications yet: record them with `dunbar jobs add` and move them along with `dunbar jobs move`."]
    base = stats.get("cold") or combine("cold", [])
    out: list[str] = []
    for channel, s in stats.items():
        if channel == "cold" or s.applications == 0:
            continue
        out.append(compare(s, base))
    network = [stats[c] for c in NETWORK_CHANNELS if c in stats]
    together = combine("network", network)
    if (
        all(0 < n.applications < MIN_APPLICATIONS for n in network)
        and len(network) == len(NETWORK_CHANNELS)
        and together.applications >= MIN_APPLICATIONS
    ):
        out.append(compare(together, base))
    if not out:
        out.append(
            f"Only {_noun('cold', 2)} so far ({base.applications}): "
            "nothing to compare them with; record referrals and introductions too."
        )
    return out
