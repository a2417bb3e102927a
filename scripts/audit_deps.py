"""Known vulnerabilities in the installed dependencies: pip-audit first, PyPI's project records where it cannot answer.

pip-audit asks PyPI for each installed release (``/pypi/NAME/VERSION/json``), or OSV. Where neither answers (a network
that reaches the package index and its per-project records, but not per-release records or OSV), every dependency
pip-audit skips is checked against its project record, ``/pypi/NAME/json``. That record carries the advisories of the
project's current release only, so it answers for an installed version exactly when that version is the current
release. Any other dependency is listed as not audited: it is never counted as clean.

Run with the project's virtualenv: ``.venv/bin/python scripts/audit_deps.py`` (``make audit``).
Exit status: 0 no known vulnerability in what was audited; 1 one was found (or, with --strict, a dependency could not
be audited); 2 nothing could be audited at all.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

PYPI_JSON = "https://pypi.org/pypi/{name}/json"
PROJECT = "dunbar"  # the project itself (installed editable) is not a dependency


@dataclass
class Finding:
    name: str
    version: str
    id: str
    aliases: list[str]
    fixed_in: list[str]
    source: str


@dataclass
class Audit:
    installed: dict[str, str]
    by_pip_audit: list[str] = field(default_factory=list)
    by_record: list[str] = field(default_factory=list)
    not_audited: dict[str, str] = field(default_factory=dict)  # name -> why
    findings: list[Finding] = field(default_factory=list)
    pip_audit_note: str = ""


def installed_distributions() -> dict[str, str]:
    """Canonical name -> version of every distribution in this interpreter's environment but the project itself."""
    out: dict[str, str] = {}
    for dist in metadata.distributions():
        name = canonicalize_name(dist.metadata["Name"] or "")
        if name and name != PROJECT:
            out[name] = dist.version
    return out


def run_pip_audit(ignore: set[str]) -> tuple[list[dict[str, Any]] | None, str]:
    """pip-audit's per-dependency report for this environment, or None and why when it produced none."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "pip-audit.json"
        cmd = [sys.executable, "-m", "pip_audit", "--skip-editable", "--progress-spinner", "off"]
        cmd += ["--format", "json", "--output", str(report)]
        for vuln in sorted(ignore):
            cmd += ["--ignore-vuln", vuln]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603 - fixed argv
        if not report.exists():
            last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            return None, f"pip-audit exited {proc.returncode} without a report: {last}"
        deps: list[dict[str, Any]] = json.loads(report.read_text())["dependencies"]
        return deps, ""


def fetch_record(name: str, *, tries: int = 3) -> dict[str, Any]:
    """The project's JSON record from PyPI; LookupError when PyPI has no such project, OSError when unreachable."""
    request = urllib.request.Request(  # noqa: S310 - a fixed https URL
        PYPI_JSON.format(name=name), headers={"Accept": "application/json", "User-Agent": "dunbar-audit"}
    )
    for attempt in range(tries):
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - a fixed https URL
                record: dict[str, Any] = json.load(response)
                return record
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise LookupError(f"PyPI has no project {name!r}") from exc
            if attempt == tries - 1:
                raise OSError(f"PyPI answered {exc.code} for {name}") from exc
        except (urllib.error.URLError, TimeoutError) as exc:
            if attempt == tries - 1:
                raise OSError(f"PyPI unreachable for {name}: {getattr(exc, 'reason', exc)}") from exc
        time.sleep(1 + attempt)
    raise AssertionError("unreachable")


def judge_record(name: str, installed: str, record: dict[str, Any], ignore: set[str]) -> list[Finding] | str:
    """The advisories of ``installed`` according to the project record, or why the record cannot tell."""
    current = str(record.get("info", {}).get("version") or "")
    try:
        same = Version(installed) == Version(current)
    except InvalidVersion:
        same = installed == current
    advisories = [
        v
        for v in record.get("vulnerabilities") or []
        if not v.get("withdrawn") and not ({v.get("id", ""), *(v.get("aliases") or [])} & ignore)
    ]
    if not same:
        why = (
            f"installed {installed}, current release {current or '?'}; only the current release's advisories are served"
        )
        if advisories:
            why += f" (and it has some: {', '.join(str(v.get('id')) for v in advisories)})"
        return why
    findings: list[Finding] = []
    seen: set[str] = set()
    for vuln in advisories:  # one advisory may be listed under each of its ids (GHSA, PYSEC, ...): report it once
        ids = {str(vuln.get("id")), *(vuln.get("aliases") or [])}
        if ids & seen:
            continue
        seen |= ids
        findings.append(
            Finding(
                name,
                installed,
                str(vuln.get("id")),
                list(vuln.get("aliases") or []),
                list(vuln.get("fixed_in") or []),
                "PyPI project record",
            )
        )
    return findings


def audit(ignore: set[str], *, workers: int = 8) -> Audit:
    result = Audit(installed=installed_distributions())
    deps, note = run_pip_audit(ignore)
    result.pip_audit_note = note
    left: list[str] = []
    if deps is None:
        left = sorted(result.installed)
    else:
        for dep in deps:
            name = canonicalize_name(dep["name"])
            if name == PROJECT or name not in result.installed:
                continue
            if "skip_reason" in dep:
                left.append(name)
                continue
            result.by_pip_audit.append(name)
            for vuln in dep.get("vulns", []):
                fixed = list(vuln.get("fix_versions") or [])
                result.findings.append(
                    Finding(name, dep["version"], vuln["id"], list(vuln.get("aliases") or []), fixed, "pip-audit")
                )
        reasons = {d.get("skip_reason", "").split(":")[0] for d in deps if canonicalize_name(d["name"]) in left}
        if left:
            result.pip_audit_note = f"pip-audit could not audit {len(left)}: {'; '.join(sorted(reasons))}"

    def check(name: str) -> tuple[str, list[Finding] | str]:
        try:
            return name, judge_record(name, result.installed[name], fetch_record(name), ignore)
        except (LookupError, OSError, ValueError) as exc:
            return name, str(exc)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for dist, verdict in pool.map(check, left):
            if isinstance(verdict, str):
                result.not_audited[dist] = verdict
            else:
                result.by_record.append(dist)
                result.findings.extend(verdict)
    return result


def report(result: Audit) -> None:
    total = len(result.installed)
    print(f"dependency audit: {total} installed distributions ({PROJECT} itself not counted)")
    print(f"  pip-audit: {len(result.by_pip_audit)} audited")
    if result.pip_audit_note:
        print(f"    ({result.pip_audit_note})")
    print(f"  PyPI project records (current release's advisories): {len(result.by_record)} audited")
    if result.not_audited:
        print(f"  NOT AUDITED: {len(result.not_audited)}")
        for name, why in sorted(result.not_audited.items()):
            print(f"    {name}: {why}")
    for f in sorted(result.findings, key=lambda f: (f.name, f.id)):
        aliases = f" ({', '.join(f.aliases)})" if f.aliases else ""
        fix = f"fixed in {', '.join(f.fixed_in)}" if f.fixed_in else "no fixed release"
        print(f"VULNERABLE {f.name} {f.version}: {f.id}{aliases}; {fix} [{f.source}]")
    audited = len(result.by_pip_audit) + len(result.by_record)
    if result.findings:
        n = len(result.findings)
        print(f"dependency audit: {n} known {'vulnerability' if n == 1 else 'vulnerabilities'} in {audited} audited")
    else:
        print(f"dependency audit: no known vulnerabilities in the {audited} audited distributions")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ignore-vuln", action="append", default=[], metavar="ID", help="an advisory id to accept")
    parser.add_argument("--strict", action="store_true", help="fail when any dependency could not be audited")
    args = parser.parse_args(argv)
    result = audit(set(args.ignore_vuln))
    report(result)
    if not result.by_pip_audit and not result.by_record:
        print("dependency audit: no vulnerability data could be reached, so nothing was audited", file=sys.stderr)
        return 2
    if result.findings or (args.strict and result.not_audited):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
