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


def new_uid() -> str:
    return uuid.uuid4().hex


def utcnow() -> datetime:
    return datetime.now(UTC)
