"""Problems for CI servers: GitLab Code Quality, SARIF 2.1.0 and JUnit XML.

Each writer takes the problems as they are; every string from a file goes out through
``json`` or ``xml.etree``, so no text in a unit file can break the report around it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath
from typing import IO, Any
from urllib.parse import quote

from checklist.model import Problem, Severity
from checklist.words import printable

# GitLab's five severities: an error blocks the unit from counting (major); a warning is
# valid but probably not meant (minor). blocker and critical are left to real outages.
GITLAB_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor"}

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SRCROOT = "SRCROOT"


def repo_path(file: str) -> str:
    """The file relative to the repository: CI's checkout folder, else the current one.

    A file outside it keeps the path it was given.
    """
    base = os.environ.get("CI_PROJECT_DIR") or os.environ.get("GITHUB_WORKSPACE")
    path = Path(file)
    if base or path.is_absolute():
        with contextlib.suppress(ValueError, OSError):
            return path.absolute().relative_to(Path(base or ".").absolute()).as_posix()
    return path.as_posix()


def _repo_paths(problems: Iterable[Problem]) -> dict[str, str]:
    return {file: repo_path(file) for file in {p.file for p in problems}}


# Positions inside a message ("line 5, column 3", "12:4") move with the lines around them.
_POSITION = re.compile(r"\b(?:line|column)\s+\d+|\b\d+:\d+\b")


def fingerprints(problems: Iterable[Problem]) -> list[str]:
    """A fingerprint per problem that stays the same when lines are added above it.

    The file, the code and the message (which names the key and value, with any position
    in it blanked), plus how many identical problems came before it in that file: two
    identical problems differ, and neither changes when the lines move.
    """
    seen: Counter[tuple[str, str, str]] = Counter()
    paths = _repo_paths(problems)
    prints = []
    for problem in problems:
        key = (paths[problem.file], problem.code, _POSITION.sub("#", problem.message))
        occurrence = seen[key]
        seen[key] += 1
        text = "\0".join((*key, str(occurrence)))
        prints.append(hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest())
    return prints


def _message(problem: Problem) -> str:
    return problem.message + (f" ({problem.hint})" if problem.hint else "")


def write_gitlab(problems: Sequence[Problem], out: IO[str], *, lang: str = "en") -> None:
    """GitLab Code Quality: the merge request widget and the changes tab read it.

    One issue a line: json's C encoder writes no indentation, and its Python one takes
    seconds for 100,000 problems.
    """
    paths = _repo_paths(problems)
    issues = [
        {
            "type": "issue",
            "description": _safe(f"{problem.code} {_message(problem.speaking(lang))}"),
            "check_name": f"{problem.code} {problem.rule}",
            "categories": ["Bug Risk" if problem.severity is Severity.ERROR else "Style"],
            "fingerprint": fingerprint,
            "severity": GITLAB_SEVERITY[problem.severity],
            "location": {
                "path": _safe(paths[problem.file]),
                "lines": {"begin": max(problem.line, 1)},
            },
        }
        for problem, fingerprint in zip(problems, fingerprints(problems), strict=True)
    ]
    lines = (json.dumps(issue, ensure_ascii=False) for issue in issues)
    out.write("[\n" + ",\n".join(lines) + "\n]\n" if issues else "[]\n")


def rule_anchor(code: str) -> str:
    """The id of the rule's section in docs/rules.md, as GitHub and GitLab make it."""
    from checklist.rules.registry import RULES

    return f"{code.lower()}-{RULES[code].name}"


def docs_url() -> str | None:
    """The installed package's "Documentation" project URL: the docs/ folder, if declared."""
    from importlib import metadata

    with contextlib.suppress(Exception):  # metadata of a broken install is no reason to fail
        for dist in metadata.packages_distributions().get("checklist", []):
            for entry in metadata.metadata(dist).get_all("Project-URL") or []:
                label, _, url = str(entry).partition(",")
                if label.strip().lower() == "documentation" and url.strip():
                    return str(url).strip().rstrip("/")
    return None


def sarif_rules(docs: str | None, *, lang: str = "en") -> list[dict[str, Any]]:
    """Every rule as a SARIF reportingDescriptor, in code order."""
    from checklist.rules.registry import RULES

    rules = []
    for code, rule in RULES.items():
        section = f"docs/rules.md#{rule_anchor(code)}"
        summary = rule.zh_summary if lang == "zh" and rule.zh_summary else rule.summary
        severity, more = ("Severity", "Examples and fixes")
        if lang == "zh":
            severity, more = "严重程度", "示例和改法"
        descriptor: dict[str, Any] = {
            "id": code,
            "name": rule.name,
            "shortDescription": {"text": summary},
            "fullDescription": {"text": f"{summary} {severity}: {rule.severity}."},
            "help": {
                "text": f"{summary} {more}: {section}",
                "markdown": f"{summary} {more}: [{section}]({section})",
            },
            "defaultConfiguration": {"level": str(rule.severity)},
        }
        if docs:
            descriptor["helpUri"] = f"{docs}/rules.md#{rule_anchor(code)}"
        rules.append(descriptor)
    return rules


def _region(problem: Problem) -> dict[str, int] | None:
    if problem.line < 1:
        return None
    region = {"startLine": problem.line, "startColumn": max(problem.column, 1)}
    if problem.end_line is not None and problem.end_line >= problem.line:
        region["endLine"] = problem.end_line
        if problem.end_column is not None:
            end = problem.end_column
            if problem.end_line > problem.line or end > region["startColumn"]:
                region["endColumn"] = end
    return region


def _artifact(path: str) -> dict[str, str]:
    if PurePosixPath(path).is_absolute():
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(path.encode("utf-8", "surrogateescape")), "uriBaseId": SRCROOT}


def sarif_log(problems: Sequence[Problem], *, version: str, lang: str = "en") -> dict[str, Any]:
    """One SARIF 2.1.0 run: the driver with every rule, and a result per problem."""
    from checklist.rules.registry import RULES

    index = {code: i for i, code in enumerate(RULES)}
    artifacts = {file: _artifact(path) for file, path in _repo_paths(problems).items()}
    results = []
    for problem, fingerprint in zip(problems, fingerprints(problems), strict=True):
        location: dict[str, Any] = {"artifactLocation": artifacts[problem.file]}
        region = _region(problem)
        if region:
            location["region"] = region
        result: dict[str, Any] = {
            "ruleId": problem.code,
            "level": "error" if problem.severity is Severity.ERROR else "warning",
            "message": {"text": _safe(_message(problem.speaking(lang)))},
            "locations": [{"physicalLocation": location}],
            "partialFingerprints": {"checklist/v1": fingerprint},
        }
        if problem.code in index:
            result["ruleIndex"] = index[problem.code]
        results.append(result)
    base = Path(os.environ.get("CI_PROJECT_DIR") or os.environ.get("GITHUB_WORKSPACE") or ".")
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "checklist",
                        "version": version,
                        "semanticVersion": version,
                        "rules": sarif_rules(docs_url(), lang=lang),
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": base.absolute().as_uri() + "/"}},
                # Problem columns count characters, not UTF-16 units (SARIF's default).
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def write_sarif(
    problems: Sequence[Problem], out: IO[str], *, version: str, lang: str = "en"
) -> None:
    """SARIF 2.1.0, for GitHub code scanning and, through reviewdog, Gitea reviews.

    One line, for speed as in write_gitlab: ``jq .`` shows it indented.
    """
    log = sarif_log(problems, version=version, lang=lang)
    out.write(json.dumps(log, ensure_ascii=False) + "\n")


def _safe(text: str) -> str:
    """Text that encodes as UTF-8 and is allowed in XML 1.0: no lone surrogates, no C0
    controls (shown as control pictures), no U+FFFE or U+FFFF."""
    return printable(text).translate(_NONCHARACTERS)


_NONCHARACTERS = {0xFFFE: 0xFFFD, 0xFFFF: 0xFFFD}


def county_of(file: str) -> str:
    """A JUnit class name: the county folder of a unit file, else "units" (or "campaign")."""
    parts = PurePosixPath(repo_path(file)).parts
    if parts and parts[-1] == "campaign.toml":
        return "campaign"
    if "units" in parts[:-1]:
        after = parts[parts.index("units") + 1 : -1]
        if after:
            return after[0]
    return "units"


def write_junit(
    problems: Sequence[Problem], out: IO[str], *, files: Sequence[str], strict: bool
) -> None:
    """JUnit XML: one test case per file, failed by its errors (and warnings under --strict).

    GitLab's test tab and Jenkins read it. A file with only warnings passes without
    --strict, as the exit code does; its warnings are listed in its system-out.
    """
    import xml.etree.ElementTree as ET

    by_file: dict[str, list[Problem]] = {file: [] for file in files}
    for problem in problems:
        by_file.setdefault(problem.file, []).append(problem)
    suite = ET.Element("testsuite", name="checklist validate")
    failures = 0
    for file, found in by_file.items():
        case = ET.SubElement(
            suite, "testcase", name=_safe(repo_path(file)), classname=_safe(county_of(file))
        )
        failing = [p for p in found if strict or p.severity is Severity.ERROR]
        passing = [p for p in found if not (strict or p.severity is Severity.ERROR)]
        if failing:
            failures += 1
            errors = sum(p.severity is Severity.ERROR for p in failing)
            failure = ET.SubElement(case, "failure", message=_count(errors, len(failing) - errors))
            failure.set("type", " ".join(sorted({p.code for p in failing})))
            failure.text = _lines(failing)
        if passing:
            ET.SubElement(case, "system-out").text = _lines(passing)
    suite.set("tests", str(len(by_file)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", "0")
    root = ET.Element("testsuites", name="checklist")
    root.append(suite)
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode") + "\n")


def _count(errors: int, warnings: int) -> str:
    parts = [f"{errors} error{'s' * (errors != 1)}"] if errors else []
    if warnings:
        parts.append(f"{warnings} warning{'s' * (warnings != 1)}")
    return ", ".join(parts)


def _lines(problems: Iterable[Problem]) -> str:
    return "\n".join(
        _safe(f"{p.line}:{p.column} {p.severity}[{p.code}] {_message(p)}") for p in problems
    )
