"""The words of the schema that services need without loading SQLAlchemy (``dunbar.model`` re-exports them).

The hot read commands have a 0.3 s whole-process budget and ``import sqlalchemy`` alone costs more than that.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

CIRCLES = ("inner", "close", "active", "network", "acquaintance", "dormant")
INTERACTION_KINDS = ("meeting", "call", "video", "email", "message", "event", "note")
INITIATORS = ("me", "them")
IDENTIFIER_KINDS = ("email", "phone", "linkedin", "url", "handle")

# The ledger. Kinds are extensible: an unknown kind is stored as typed (and the CLI says it is new).
FAVOUR_KINDS = ("introduction", "referral", "advice", "recommendation", "feedback", "job-lead", "time", "other")
FAVOUR_DIRECTIONS = ("given", "received")  # given by me to them, received by me from them
FAVOUR_STATUSES = ("asked", "promised", "done", "declined")
FAVOUR_WEIGHTS = {"small": 1, "medium": 2, "large": 3}


def new_uid() -> str:
    return uuid.uuid4().hex


def utcnow() -> datetime:
    return datetime.now(UTC)
