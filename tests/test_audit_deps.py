"""scripts/audit_deps.py: a PyPI project record answers for the installed version only when that is the current release."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "audit_deps.py"


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_deps", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def record(version: str, *vulns: dict[str, Any]) -> dict[str, Any]:
    return {"info": {"name": "example", "version": version}, "vulnerabilities": list(vulns)}


ADVISORY = {"id": "GHSA-aaaa-bbbb-cccc", "aliases": ["CVE-2026-0001"], "fixed_in": [], "withdrawn": None}
WITHDRAWN = {"id": "PYSEC-2026-1", "aliases": [], "fixed_in": ["2.0"], "withdrawn": "2026-01-01T00:00:00Z"}


def test_the_current_release_is_judged_by_its_advisories() -> None:
    audit = load()
    [found] = audit.judge_record("example", "1.0", record("1.0", ADVISORY, WITHDRAWN), set())
    assert (found.name, found.version, found.id, found.aliases) == (
        "example",
        "1.0",
        "GHSA-aaaa-bbbb-cccc",
        ["CVE-2026-0001"],
    )
    assert audit.judge_record("example", "1.0.0", record("1.0", WITHDRAWN), set()) == []
    same = {"id": "PYSEC-2026-2", "aliases": ["GHSA-aaaa-bbbb-cccc"], "fixed_in": [], "withdrawn": None}
    assert len(audit.judge_record("example", "1.0", record("1.0", ADVISORY, same), set())) == 1
    assert audit.judge_record("example", "1.0", record("1.0", ADVISORY), {"CVE-2026-0001"}) == []


def test_an_older_release_is_not_audited_never_clean() -> None:
    audit = load()
    why = audit.judge_record("example", "0.9", record("1.0"), set())
    assert isinstance(why, str)
    assert "installed 0.9, current release 1.0" in why
    why = audit.judge_record("example", "0.9", record("1.0", ADVISORY), set())
    assert "GHSA-aaaa-bbbb-cccc" in why
