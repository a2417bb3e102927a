"""One family of errors that every face knows how to show to a person.

Library code raises these; the CLI turns them into one line and exit status 2, the web app into a page or an
``application/problem+json`` response. Anything else escaping the library is a bug.
"""

from __future__ import annotations

from collections.abc import Sequence


class DunbarError(Exception):
    """A problem the user can act on: a message, and optionally a hint."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message

    @property
    def headers(self) -> dict[str, str]:
        """HTTP headers an answer about this error carries (the web app and the API add them alike)."""
        return {}


class InvalidInput(DunbarError):
    """A value the user gave cannot be used (a bad date, an unknown circle…)."""


class NotFound(DunbarError):
    status = 404
    code = "not-found"


class Ambiguous(DunbarError):
    """A reference matches more than one record; the candidates are listed."""

    status = 409
    code = "ambiguous"

    def __init__(self, message: str, candidates: Sequence[str], *, hint: str | None = None) -> None:
        shown = ", ".join(candidates[:8])
        more = f" and {len(candidates) - 8} more" if len(candidates) > 8 else ""
        super().__init__(f"{message}: {shown}{more}", hint=hint)
        self.candidates = list(candidates)


class Conflict(DunbarError):
    status = 409
    code = "conflict"


class StoreError(DunbarError):
    """The database cannot be opened, is locked, or is of an unknown version."""

    status = 503
    code = "store"


class ImportProblem(DunbarError):
    """A file cannot be imported at all (not a problem with one record of it)."""

    code = "import"

    def __init__(
        self, message: str, *, path: str | None = None, line: int | None = None, hint: str | None = None
    ) -> None:
        where = path or ""
        if line is not None:
            where = f"{where}:{line}" if where else f"line {line}"
        super().__init__(f"{where}: {message}" if where else message, hint=hint)
        self.path = path
        self.line = line


class NotSignedIn(DunbarError):
    """The team server does not know who is asking: no session, or a token that is not (or no longer) valid."""

    status = 401
    code = "unauthorized"

    @property
    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Bearer realm="dunbar"'}


class Throttled(DunbarError):
    """Too many attempts (sign-in failures): wait ``retry_after`` seconds."""

    status = 429
    code = "throttled"

    def __init__(self, message: str, *, retry_after: int, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}
