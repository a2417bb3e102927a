"""Values several pages need that cost tens of milliseconds to compute at 30,000 people (everyone's strength, the
dormant ties), kept while the database does not change.

Kept per day, for at most ``TTL_SECONDS`` (strength decays with the clock),
and only while SQLite's change counter (``WebConfig.data_version``, which sees the app's own writes and the CLI's
alike) stays the same. Each entry is keyed by the database it came from too, and nothing is kept where the store
cannot tell a change (``WebConfig.watch`` is None: PostgreSQL) or the request's database is not the one watched.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from fastapi import Request

from dunbar.store.db import Db
from dunbar.web.deps import Clock, WebConfig, config

if TYPE_CHECKING:
    from dunbar.strength import Everyone

T = TypeVar("T")

TTL_SECONDS = 60.0
MAX_PER_KIND = 32  # values kept of one kind (a page of the ranking per filter and offset)


_pause = {"depth": 0, "resume": False}
_pause_lock = threading.Lock()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector held off while a value is computed (and on again once no request computes).

    Computing one reads tens of thousands of rows into tuples that live until it ends; with the collector on,
    they are promoted to the oldest generation and set off a full collection of the app's whole heap (75 ms of a
    cold page at 30,000 people). The rows hold no cycles: they are freed when the computation ends. The pause
    is the whole process's (other requests' threads included) and lasts while any request computes a value."""
    with _pause_lock:
        if _pause["depth"] == 0:
            _pause["resume"] = gc.isenabled()
            gc.disable()
        _pause["depth"] += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pause["depth"] -= 1
            if _pause["depth"] == 0 and _pause["resume"]:
                gc.enable()


def _version(cfg: WebConfig, db: Db) -> int | None:
    """The change counter of ``db``'s database, or None when values from it must not be kept."""
    if cfg.watch is None or getattr(db, "url", None) != cfg.url:
        return None
    return cfg.data_version()


def _key(cfg: WebConfig, db: Db, clock: Clock, kind: str, args: tuple[Any, ...]) -> tuple[Any, ...]:
    return (kind, clock.today, cfg.url, getattr(db, "schema", None), *args)


def _fresh(cfg: WebConfig, key: tuple[Any, ...], version: int) -> tuple[Any] | None:
    """The kept value of ``key`` (in a 1-tuple, since a value may be None) if the data and the clock allow it."""
    hit = cfg.cache.get(key)
    if hit is None:
        return None
    seen, stamp, value = hit
    if seen == version and time.monotonic() - stamp <= TTL_SECONDS:
        return (value,)
    return None


def known(request: Request, db: Db, clock: Clock, kind: str, *args: Any) -> bool:
    """Whether ``remember`` would answer from what it keeps, without computing (e.g. to stay on the event loop)."""
    cfg = config(request)
    version = _version(cfg, db)
    return version is not None and _fresh(cfg, _key(cfg, db, clock, kind, args), version) is not None


def remember(request: Request, db: Db, clock: Clock, kind: str, compute: Callable[[], T], *args: Any) -> T:
    """``compute()``, or the value it gave for an earlier request (same database, day, ``args`` and data).

    ``compute`` runs holding the app's cache lock (so that one request computes and the others wait for its
    value): it must not call ``remember`` itself; take what it needs from ``remember`` before."""
    cfg = config(request)
    version = _version(cfg, db)
    if version is None:
        with collector_paused():
            return compute()
    key = _key(cfg, db, clock, kind, args)
    with cfg.cache_lock:
        # One request computes; the others waiting here then find its result.
        hit = _fresh(cfg, key, version)
        if hit is not None:
            return hit[0]
        with collector_paused():
            value = compute()
        # Values of other days, or of an older version of the data, of this kind go.
        stale = [k for k, v in cfg.cache.items() if k[0] == kind and (k[1] != clock.today or v[0] != version)]
        for k in stale:
            del cfg.cache[k]
        # Asked with many different arguments (filters typed into the address), the oldest go first.
        same = sorted((k for k in cfg.cache if k[0] == kind), key=lambda k: cfg.cache[k][1])
        for k in same[: max(0, len(same) - (MAX_PER_KIND - 1))]:
            del cfg.cache[k]
        cfg.cache[key] = (version, time.monotonic(), value)
        return value


def everyone(request: Request, db: Db, clock: Clock) -> Everyone:
    """``strength.ranking`` at this request's time: everyone's scores and those circles are suggested for."""
    from dunbar import strength

    return remember(request, db, clock, "strength", lambda: strength.ranking(db, now=clock.now))
