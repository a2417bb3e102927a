"""Schemathesis against the API's own OpenAPI document: generated requests, in-process, on a real SQLite file.

Every operation gets a few examples (valid and not); the checks say no request ends in a 5xx and every response
(success or problem document) matches what the document promises. The database holds a few people,
interactions and a pending pair first, so that ids in paths often name something real.

Two checks are left out. "Schema-valid data is accepted": a request can match the schema and still be refused by
a rule of the network (you cannot trash yourself, a merge undone twice), which is a documented 400 or 409.
"Allow header": Starlette answers a wrong method with the Allow header of the first route on that path, not of
all of them (``/people`` says ``Allow: GET`` though it takes POST too).
"""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import allow_header_conformance, positive_data_acceptance

from dunbar import interactions, merge, people
from dunbar.store import open_db

TODAY = date(2026, 11, 25)
SECRET = b"schemathesis-secret-of-this-test"


def _seeded_app() -> Any:
    """The app over a fresh SQLite file with a few records (made when the module is collected, since the
    schema's test items come from the document; the folder goes when the test run ends)."""
    from dunbar.web.app import create_app

    url = f"sqlite:///{Path(_FOLDER.name) / 'dunbar.db'}"
    now = datetime(2026, 11, 20, 12, tzinfo=UTC)
    with open_db(url, create=True) as db:
        people.set_me(db, name="Jordan Avery", emails=["jordan@example.org"], now=now)
        ids: list[int] = []
        for name, emails in (("Ana Lima", ["ana@acme.example"]), ("Ana M. Lima", ["al@x.example"]), ("Bo Chen", [])):
            ids.append(people.add_person(db, people.PersonChanges(name=name, emails=emails, tags=["demo"]), now=now))
        interactions.log_interaction(db, summary="coffee at the meetup", people=ids[:2], occurred_at=now, now=now)
        merge.queue_candidate(db, ids[0], ids[1], 0.9, ["similar names"], now=now)
    return create_app(url, today=TODAY, allowed_hosts=["testserver"], secret=SECRET)


_FOLDER = tempfile.TemporaryDirectory(prefix="dunbar-schemathesis-")
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", _seeded_app())


@schema.parametrize()
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_api_conforms_to_its_document(case: Any) -> None:
    from dunbar.web.deps import make_token

    token = make_token(SECRET)
    case.call_and_validate(
        headers={"X-CSRF-Token": token},
        cookies={"dunbar_csrf": token},
        excluded_checks=[allow_header_conformance, positive_data_acceptance],
    )
