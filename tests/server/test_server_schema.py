"""Schemathesis against the team server's own OpenAPI document, in-process, on a real PostgreSQL copy.

(i) With alice's API token: generated requests (valid and not) to every operation never end in a 5xx, and every
response matches what the document promises (as tests/web/test_api_schema.py asks of the embedded app, with the
same two checks left out for the same reasons). Her network holds a few records first so that ids often exist.

(ii) Without credentials: every operation answers 401 (or a 4xx about the request itself, such as malformed
JSON, before the question of who asks comes up), never 2xx or 3xx and never 5xx. The requests carry a valid
anonymous CSRF token, which anyone may fetch, so that they reach the sign-in check rather than stop at CSRF.
The only operation open to everyone is GET /csrf, which hands out that token.

A few examples per operation keep the default run short; DUNBAR_SCHEMA_EXAMPLES=50 (say) makes a heavier run.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import allow_header_conformance, positive_data_acceptance

from dunbar.web.deps import CSRF_COOKIE, CSRF_HEADER
from tests.server.conftest import NOW

EXAMPLES = int(os.environ.get("DUNBAR_SCHEMA_EXAMPLES", "0"))
PUBLIC = {("GET", "/api/v1/csrf")}
EXCLUDED = [allow_header_conformance, positive_data_acceptance]


@pytest.fixture(scope="module")
def seeded(module_server_url: str) -> Iterator[tuple[Any, str, str]]:
    """The team server's app, alice's API token, and an anonymous CSRF token; her network holds a few people,
    an interaction and a pending pair, bob's a person of his own (whose id alice's requests may hit)."""
    from dunbar import interactions, merge, people
    from dunbar.server import accounts, open_server
    from dunbar.web import create_app

    server = open_server(module_server_url)
    try:
        alice = accounts.get_user(server, "alice")
        with accounts.user_db(server, alice) as db:
            ids = [
                people.add_person(db, people.PersonChanges(name=name, emails=emails, tags=["demo"]), now=NOW)
                for name, emails in (
                    ("Ana Lima", ["ana@acme.example"]),
                    ("Ana M. Lima", ["al@x.example"]),
                    ("Bo Chen", []),
                )
            ]
            interactions.log_interaction(db, summary="coffee at the meetup", people=ids[:2], occurred_at=NOW, now=NOW)
            merge.queue_candidate(db, ids[0], ids[1], 0.9, ["similar names"], now=NOW)
        with accounts.user_db(server, accounts.get_user(server, "bob")) as db:
            people.add_person(db, people.PersonChanges(name="Bob's Secret"), now=NOW)
        _, secret = accounts.create_token(server, alice, "schemathesis", now=datetime.now(UTC))
    finally:
        server.close()
    app = create_app(module_server_url, server=True, allowed_hosts=["testserver"], today=NOW.date())
    with TestClient(app) as client:
        anonymous = str(client.get("/api/v1/csrf").json()["token"])
    yield app, secret, anonymous
    app.state.dunbar.engine.dispose()


@pytest.fixture(scope="module")
def server_schema(seeded: tuple[Any, str, str]) -> Any:
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", seeded[0])


def each_operation(schema: Any, examples: int, check: Callable[[Any], None]) -> None:
    """``check`` on generated cases (valid and not) of every operation; one report of all that failed.

    (Schemathesis's own ``from_fixture`` parametrization does not run under pytest 9, so the loop is here.)"""
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        strategies = []
        for mode in GenerationMode:
            try:
                strategies.append(operation.as_strategy(generation_mode=mode))
            except Exception:  # an operation without inputs to get wrong has no negative cases
                continue

        @given(case=st.one_of(strategies))
        @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def probe(case: Any) -> None:
            check(case)

        try:
            probe()
        except Exception as exc:
            failures.append(f"{operation.label}: {type(exc).__name__}: {str(exc)[:2000]}")
    assert operations > 50, operations
    assert not failures, f"{len(failures)} of {operations} operations failed:\n\n" + "\n\n".join(failures)


def test_with_a_token_the_api_conforms_to_its_document(
    server_schema: Any, seeded: tuple[Any, str, str], module_server_url: str
) -> None:
    from dunbar.server import open_server

    _, secret, _ = seeded
    answered: dict[str, set[int]] = defaultdict(set)
    server = open_server(module_server_url)

    def check(case: Any) -> None:
        response = case.call_and_validate(headers={"Authorization": f"Bearer {secret}"}, excluded_checks=EXCLUDED)
        answered[case.operation.label].add(response.status_code)
        if case.method.upper() == "DELETE" and case.operation.path == "/api/v1/tokens/{token_id}":
            # DELETE /tokens/1 revokes the very token these requests carry: put it back for the next ones.
            server.execute("UPDATE dunbar_server.api_token SET revoked_at = NULL")

    try:
        each_operation(server_schema, EXAMPLES or 3, check)
    finally:
        server.close()
    # The token did open the door: most operations answered a success at least once, none only 401.
    succeeded = [op for op, codes in answered.items() if any(200 <= c < 300 for c in codes)]
    assert len(succeeded) >= len(answered) // 2, sorted(set(answered) - set(succeeded))
    assert not [op for op, codes in answered.items() if codes == {401}]


def test_without_credentials_nothing_is_answered(server_schema: Any, seeded: tuple[Any, str, str]) -> None:
    _, _, anonymous = seeded

    def check(case: Any) -> None:
        response = case.call_and_validate(
            headers={CSRF_HEADER: anonymous}, cookies={CSRF_COOKIE: anonymous}, excluded_checks=EXCLUDED
        )
        where = f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:200]}"
        if (case.method.upper(), case.operation.full_path) in PUBLIC:
            return
        assert 400 <= response.status_code < 500, where
        if response.status_code != 401:
            # Refused for the request's own shape, never because something was found or not found.
            assert response.status_code in (400, 405, 406, 415, 422), where
        assert "Ana Lima" not in response.text, where
        refusals[response.status_code] += 1

    refusals: Counter[int] = Counter()
    each_operation(server_schema, EXAMPLES or 2, check)
    # Most requests did reach the sign-in check (rather than all stopping at CSRF or validation).
    assert refusals[401] >= sum(refusals.values()) // 2, refusals
