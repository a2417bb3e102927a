"""Pure normalizers for the identifiers that recognise a person across sources.

An e-mail address, a phone number and a LinkedIn URL each have one canonical form (``norm``) that identity
resolution compares; the value as given is kept beside it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from dunbar.errors import InvalidInput

_EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+\.[^@\s<>(),;:\"\[\]]+$")
_LINKEDIN = re.compile(r"^(?:[a-z]{2,3}\.)?linkedin\.com/(in|pub|company|school)/([^/?#]+)", re.I)


@lru_cache(maxsize=65536)
def email(value: str) -> str | None:
    """``Ana@Example.COM `` -> ``ana@example.com``; None when it is not an e-mail address."""
    v = (value or "").strip().strip("<>").strip()
    if v.lower().startswith("mailto:"):
        v = v[7:]
    if not _EMAIL.match(v):
        return None
    local, _, domain = v.rpartition("@")
    return f"{local.lower()}@{domain.lower().rstrip('.')}"


def require_email(value: str) -> str:
    norm = email(value)
    if norm is None:
        raise InvalidInput(f"not an e-mail address: {value!r}", hint="like ana@example.com")
    return norm


@lru_cache(maxsize=4096)
def phone(value: str, region: str | None = None) -> str | None:
    """A phone number in E.164 (``+4930123456``), or None when it cannot be read as one.

    Numbers without a country code are read in ``region`` (the user's country, from their locale).
    """
    import phonenumbers

    raw = (value or "").strip()
    if not raw or sum(c.isdigit() for c in raw) < 5:
        return None
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    try:
        parsed = phonenumbers.parse(raw, None if raw.startswith("+") else (region or default_region()))
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=1)
def default_region() -> str:
    import locale
    import os

    for name in ("DUNBAR_REGION",):
        if os.environ.get(name):
            return os.environ[name].upper()
    loc = locale.getlocale()[0] or os.environ.get("LANG", "")
    m = re.search(r"_([A-Za-z]{2})", loc or "")
    return m.group(1).upper() if m else "US"


_LINKEDIN_FAST = re.compile(r"^(?:https?://)?(?:[a-z]{2,3}\.)?linkedin\.com/(in|pub|company|school)/([a-z0-9_-]+)/?$")


def linkedin(value: str) -> str | None:
    """Any form of a LinkedIn profile URL -> ``linkedin.com/in/slug`` (lower case, no trailing parts)."""
    v = (value or "").strip()
    if not v:
        return None
    fast = _LINKEDIN_FAST.match(v.lower())
    if fast:  # the common, plain form (every row of a Connections.csv): no need to split the URL
        return f"linkedin.com/{fast.group(1)}/{fast.group(2)}"
    if "://" not in v:
        v = "https://" + v
    try:
        parts = urlsplit(v)
        host = (parts.hostname or "").lower()
    except ValueError:  # "[" and other text that cannot be a URL
        return None
    if host.startswith("www."):
        host = host[4:]
    m = _LINKEDIN.match(host + parts.path)
    if not m or not host.endswith("linkedin.com"):
        return None
    kind, slug = m.group(1).lower(), unquote(m.group(2)).strip().lower()
    return f"linkedin.com/{kind}/{slug}" if slug else None


def url(value: str) -> str | None:
    v = (value or "").strip()
    if not v or " " in v:
        return None
    if "://" not in v:
        v = "https://" + v
    try:
        parts = urlsplit(v)
        if not parts.hostname or "." not in parts.hostname:
            return None
    except ValueError:
        return None
    host = parts.hostname.lower().removeprefix("www.")
    return host + parts.path.rstrip("/") + (f"?{parts.query}" if parts.query else "")


def identifier(kind: str, value: str) -> str | None:
    """The canonical form of an identifier of ``kind``, or None when the value is not one."""
    if kind == "email":
        return email(value)
    if kind == "phone":
        return phone(value)
    if kind == "linkedin":
        return linkedin(value)
    if kind == "url":
        return linkedin(value) or url(value)
    v = (value or "").strip()
    return v.lower() or None


def guess_kind(value: str) -> str:
    """What a bare reference looks like: an e-mail, a LinkedIn URL, a phone number, or a name."""
    v = value.strip()
    if email(v):
        return "email"
    if linkedin(v):
        return "linkedin"
    if re.fullmatch(r"\+?[\d\s().-]{7,}", v):
        return "phone"
    return "name"
