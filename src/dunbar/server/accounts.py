"""Accounts of the team server: users, passwords, sign-in sessions, personal API tokens and login throttling.

Passwords are kept only as argon2id hashes. Session and API tokens are random secrets handed to the client once;
the database keeps their SHA-256 (a token is already 256 bits of randomness, so a slow hash adds nothing), so a
copy of the database does not let anyone sign in.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from dunbar.errors import Conflict, InvalidInput, NotFound, NotSignedIn, Throttled
from dunbar.server.schema import SERVER_SCHEMA as S
from dunbar.store.db import Db, SqlAlchemyDb

SESSION_IDLE = timedelta(days=14)
SESSION_MAX = timedelta(days=30)
TOKEN_PREFIX = "dbr_"  # noqa: S105 - a marker that names the kind of secret, not a secret  # nosec B105
MIN_PASSWORD = 10
# Login throttling: this many failures within the window refuse further attempts until the window passes.
FAILURES_PER_USER = 5
FAILURES_PER_ADDRESS = 30
FAILURE_WINDOW = timedelta(minutes=15)
_BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,39}")


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    display_name: str
    email: str | None
    is_admin: bool
    disabled: bool
    schema_name: str

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "username": self.username,
            "display_name": self.display_name,
            "email": self.email,
            "is_admin": self.is_admin,
            "disabled": self.disabled,
        }


_ACCOUNT_COLUMNS = "a.id, a.username, a.display_name, a.email, a.is_admin, a.disabled, a.schema_name"


def _account(row: dict[str, Any] | None) -> Account | None:
    return Account(**row) if row else None


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()  # argon2id with the library's current recommended parameters


def hash_password(password: str) -> str:
    check_password(password)
    return str(_hasher().hash(password))


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"a password needs at least {MIN_PASSWORD} characters", hint="a short phrase works well")
    if "\x00" in password:
        raise InvalidInput("a password cannot contain NUL characters")


def normalize_username(username: str) -> str:
    name = username.strip().lower()
    if not _USERNAME.fullmatch(name):
        raise InvalidInput(
            f"not a usable user name: {username!r}",
            hint="use letters, digits, dots, dashes or underscores (at most 40), starting with a letter or digit",
        )
    return name


# Users ----------------------------------------------------------------------------------------------------------


def user_db(server: Db, account: Account) -> SqlAlchemyDb:
    """A handle on one user's network (their schema only), sharing the server's connection pool."""
    assert isinstance(server, SqlAlchemyDb)
    return SqlAlchemyDb(server.engine, schema=account.schema_name, owns_engine=False)


def add_user(
    server: Db,
    username: str,
    password: str,
    *,
    now: datetime,
    display_name: str | None = None,
    email: str | None = None,
    admin: bool = False,
) -> Account:
    """A new account with an empty network of its own (its schema made by the same migrations as SQLite)."""
    from dunbar.normalize import require_email
    from dunbar.people import set_me
    from dunbar.store import ensure_schema

    name = normalize_username(username)
    hashed = hash_password(password)
    if email:
        require_email(email)  # before anything is made: "me" in the new network takes the address too
    if display_name and _BIDI_CONTROLS.search(display_name):
        # Teammates see this name: a right-to-left override would let it read as something else.
        raise InvalidInput("a name cannot contain text-direction control characters", hint="type the name plainly")
    with server.transaction():
        if server.scalar(f"SELECT 1 FROM {S}.account WHERE username = :u", {"u": name}):
            raise Conflict(f"there is already a user called {name}", hint="pick another name")
        uid = server.insert(
            f"INSERT INTO {S}.account (username, display_name, email, password_hash, is_admin, schema_name,"
            " created_at, password_changed_at)"
            " VALUES (:u, :d, :e, :h, :a, :s, :now, :now) RETURNING id",
            {
                "u": name,
                "d": (display_name or name).strip() or name,
                "e": email,
                "h": hashed,
                "a": admin,
                "s": f"pending_{secrets.token_hex(8)}",
                "now": now,
            },
        )
        schema = f"u_{uid}"
        server.execute(f"UPDATE {S}.account SET schema_name = :s WHERE id = :id", {"s": schema, "id": uid})
        server.execute(f'CREATE SCHEMA "{schema}"')
    account = get_user(server, name)
    db = user_db(server, account)
    ensure_schema(db)
    set_me(db, name=account.display_name, emails=[email] if email else [], now=now)
    return account


def get_user(server: Db, username: str) -> Account:
    row = server.one(f"SELECT {_ACCOUNT_COLUMNS} FROM {S}.account a WHERE a.username = :u", {"u": username.lower()})
    account = _account(row)
    if account is None:
        raise NotFound(f"no user called {username}", hint="`dunbar users list` shows them")
    return account


def get_user_by_id(server: Db, account_id: int) -> Account | None:
    return _account(server.one(f"SELECT {_ACCOUNT_COLUMNS} FROM {S}.account a WHERE a.id = :id", {"id": account_id}))


def list_users(server: Db) -> list[Account]:
    rows = server.all(f"SELECT {_ACCOUNT_COLUMNS} FROM {S}.account a ORDER BY a.username")
    return [Account(**r) for r in rows]


def set_disabled(server: Db, username: str, disabled: bool) -> Account:
    """Disable (or enable) an account; disabling also ends its sessions and revokes nothing else, so enabling it
    again restores its API tokens."""
    account = get_user(server, username)
    with server.transaction():
        server.execute(f"UPDATE {S}.account SET disabled = :d WHERE id = :id", {"d": disabled, "id": account.id})
        if disabled:
            server.execute(f"DELETE FROM {S}.session WHERE account_id = :id", {"id": account.id})
    return get_user(server, username)


def set_password(server: Db, username: str, password: str, *, now: datetime) -> Account:
    """A new password; every session of the account ends (whoever knew the old one is signed out)."""
    account = get_user(server, username)
    hashed = hash_password(password)
    with server.transaction():
        server.execute(
            f"UPDATE {S}.account SET password_hash = :h, password_changed_at = :now WHERE id = :id",
            {"h": hashed, "now": now, "id": account.id},
        )
        server.execute(f"DELETE FROM {S}.session WHERE account_id = :id", {"id": account.id})
    return account


# Signing in -----------------------------------------------------------------------------------------------------


def _throttle(server: Db, username: str, address: str, now: datetime) -> None:
    since = now - FAILURE_WINDOW
    by_user = server.scalar(
        f"SELECT count(*) FROM {S}.login_failure WHERE username = :u AND at > :since", {"u": username, "since": since}
    )
    by_address = server.scalar(
        f"SELECT count(*) FROM {S}.login_failure WHERE address = :a AND at > :since", {"a": address, "since": since}
    )
    if int(by_user) >= FAILURES_PER_USER or int(by_address) >= FAILURES_PER_ADDRESS:
        raise Throttled(
            "too many failed sign-ins; wait a few minutes before trying again",
            retry_after=int(FAILURE_WINDOW.total_seconds()),
            hint="an administrator can reset the password with `dunbar users reset-password`",
        )


def authenticate(server: Db, username: str, password: str, *, address: str, now: datetime) -> Account:
    """The account whose password this is, or NotSignedIn (the same message whatever was wrong)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    name = username.strip().lower()[:64]
    _throttle(server, name, address, now)
    row = server.one(
        f"SELECT {_ACCOUNT_COLUMNS}, a.password_hash FROM {S}.account a WHERE a.username = :u", {"u": name}
    )
    ok = False
    if row is not None:
        try:
            ok = bool(_hasher().verify(row["password_hash"], password))
        except (VerificationError, InvalidHashError):
            ok = False
    else:
        # Spend the same time as a real check, so a response time does not tell which user names exist.
        with contextlib.suppress(VerificationError, InvalidHashError):
            _hasher().verify(_DUMMY_HASH.value(), password)
    if not ok or row is None or row["disabled"]:
        with server.transaction():
            server.execute(
                f"INSERT INTO {S}.login_failure (username, address, at) VALUES (:u, :a, :now)",
                {"u": name, "a": address, "now": now},
            )
            server.execute(f"DELETE FROM {S}.login_failure WHERE at < :old", {"old": now - 4 * FAILURE_WINDOW})
        raise NotSignedIn("the user name or password is not right", hint="check both and try again")
    with server.transaction():
        server.execute(f"DELETE FROM {S}.login_failure WHERE username = :u", {"u": name})
    row.pop("password_hash")
    return Account(**row)


class _Dummy:
    _hash: str | None = None

    def value(self) -> str:
        if self._hash is None:
            self._hash = str(_hasher().hash(secrets.token_hex(16)))
        return self._hash


_DUMMY_HASH = _Dummy()


def start_session(server: Db, account: Account, *, now: datetime) -> str:
    """A new session for ``account``; the returned token goes into the cookie and nowhere else."""
    token = secrets.token_urlsafe(32)
    with server.transaction():
        server.execute(
            f"INSERT INTO {S}.session (token_hash, account_id, created_at, last_seen_at, expires_at)"
            " VALUES (:t, :a, :now, :now, :exp)",
            {"t": digest(token), "a": account.id, "now": now, "exp": now + SESSION_MAX},
        )
        server.execute(f"DELETE FROM {S}.session WHERE expires_at < :now", {"now": now})
    return token


def session_account(server: Db, token: str, *, now: datetime) -> Account | None:
    """The signed-in account of a session cookie, or None when it is unknown, expired, idle or disabled."""
    row = server.one(
        f"SELECT {_ACCOUNT_COLUMNS}, s.last_seen_at FROM {S}.session s JOIN {S}.account a ON a.id = s.account_id"
        " WHERE s.token_hash = :t AND s.expires_at > :now AND NOT a.disabled",
        {"t": digest(token), "now": now},
    )
    if row is None:
        return None
    seen = row.pop("last_seen_at")
    if now - seen > SESSION_IDLE:
        return None
    if now - seen > timedelta(minutes=5):
        server.execute(
            f"UPDATE {S}.session SET last_seen_at = :now WHERE token_hash = :t", {"now": now, "t": digest(token)}
        )
    return Account(**row)


def end_session(server: Db, token: str) -> None:
    server.execute(f"DELETE FROM {S}.session WHERE token_hash = :t", {"t": digest(token)})


# API tokens -----------------------------------------------------------------------------------------------------


def create_token(server: Db, account: Account, name: str, *, now: datetime) -> tuple[dict[str, Any], str]:
    """A new personal API token: its record, and the secret itself (shown once, never stored)."""
    label = name.strip()
    if not label or len(label) > 80:
        raise InvalidInput("a token needs a name of 1 to 80 characters", hint="say what uses it, e.g. 'laptop script'")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    tid = server.insert(
        f"INSERT INTO {S}.api_token (account_id, name, prefix, token_hash, created_at)"
        " VALUES (:a, :n, :p, :h, :now) RETURNING id",
        {"a": account.id, "n": label, "p": secret[:10], "h": digest(secret), "now": now},
    )
    return _token(server, account, tid), secret


_TOKEN_COLUMNS = "id, name, prefix, created_at, last_used_at, revoked_at"  # noqa: S105 - column names  # nosec B105


def _token(server: Db, account: Account, token_id: int) -> dict[str, Any]:
    row = server.one(
        f"SELECT {_TOKEN_COLUMNS} FROM {S}.api_token WHERE id = :id AND account_id = :a",
        {"id": token_id, "a": account.id},
    )
    if row is None:
        raise NotFound(f"no API token {token_id}")
    return row


def list_tokens(server: Db, account: Account) -> list[dict[str, Any]]:
    return server.all(
        f"SELECT {_TOKEN_COLUMNS} FROM {S}.api_token WHERE account_id = :a ORDER BY id", {"a": account.id}
    )


def revoke_token(server: Db, account: Account, token_id: int, *, now: datetime) -> dict[str, Any]:
    _token(server, account, token_id)  # someone else's token is simply not found
    server.execute(
        f"UPDATE {S}.api_token SET revoked_at = :now WHERE id = :id AND account_id = :a AND revoked_at IS NULL",
        {"now": now, "id": token_id, "a": account.id},
    )
    return _token(server, account, token_id)


def token_account(server: Db, secret: str, *, now: datetime) -> Account | None:
    """The account of a bearer token, or None when it is unknown, revoked or its account disabled."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    row = server.one(
        f"SELECT {_ACCOUNT_COLUMNS}, t.id AS token_id, t.last_used_at FROM {S}.api_token t"
        f" JOIN {S}.account a ON a.id = t.account_id"
        " WHERE t.token_hash = :h AND t.revoked_at IS NULL AND NOT a.disabled",
        {"h": digest(secret)},
    )
    if row is None:
        return None
    token_id, used = row.pop("token_id"), row.pop("last_used_at")
    if used is None or now - used > timedelta(minutes=5):
        server.execute(f"UPDATE {S}.api_token SET last_used_at = :now WHERE id = :id", {"now": now, "id": token_id})
    return Account(**row)


def server_secret(server: Db) -> bytes:
    """The key that signs CSRF tokens, shared by every worker process of the server and kept across restarts."""
    value = server.scalar(f"SELECT value FROM {S}.setting WHERE key = 'secret'")
    if value is None:
        server.execute(
            f"INSERT INTO {S}.setting (key, value) VALUES ('secret', :v) ON CONFLICT (key) DO NOTHING",
            {"v": secrets.token_hex(32)},
        )
        value = server.scalar(f"SELECT value FROM {S}.setting WHERE key = 'secret'")
    return bytes.fromhex(str(value))
