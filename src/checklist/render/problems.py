"""Problems as text (source line and caret), JSON, GitHub annotations, or for CI servers."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from checklist.i18n import Lang, t
from checklist.model import Problem, Severity
from checklist.render import console, plain_stream
from checklist.words import printable

SCHEMA_VERSION = 1


def write(
    problems: Sequence[Problem],
    output_format: str,
    out: IO[str] | None,
    *,
    checked: int,
    within: Path | None = None,
    files: Sequence[str] = (),
    strict: bool = False,
    lang: Lang = Lang.EN,
) -> None:
    """Write the problems in ``output_format`` (``out`` None: the terminal), in ``lang``.

    ``files`` are the files checked, for JUnit's one test case per file; ``strict`` makes
    its warnings fail a test case as they fail the run.
    """
    if output_format in ("gitlab", "sarif", "junit"):
        # Fingerprints come from the English message: choosing a language moves no issue.
        _write_ci(problems, output_format, out or sys.stdout, files=files, strict=strict, lang=lang)
        print(summary(problems, checked=checked, lang=lang), file=sys.stderr)
        return
    problems = [p.speaking(lang) for p in problems]
    if output_format == "json":
        write_json(problems, out or sys.stdout, checked=checked, lang=lang)
    elif output_format == "github":
        write_github(problems, out or sys.stdout)
        print(summary(problems, checked=checked, lang=lang), file=sys.stderr)
    else:
        sources = quoted_sources(problems, within=within)
        write_text(problems, out, sources=sources, checked=checked, lang=lang)


def _write_ci(
    problems: Sequence[Problem],
    output_format: str,
    out: IO[str],
    *,
    files: Sequence[str],
    strict: bool,
    lang: Lang,
) -> None:
    from checklist import __version__
    from checklist.render import ci

    if output_format == "gitlab":
        ci.write_gitlab(problems, out, lang=lang)
    elif output_format == "sarif":
        ci.write_sarif(problems, out, version=__version__, lang=lang)
    else:
        ci.write_junit(
            [p.speaking(lang) for p in problems],
            out,
            files=files or list(dict.fromkeys(p.file for p in problems)),
            strict=strict,
        )


def quoted_sources(problems: Iterable[Problem], *, within: Path | None) -> dict[str, str]:
    """The text of the files that have problems, to quote their lines.

    Read again, and perhaps changed or gone since: never quote a file that is now binary,
    or (given ``within``, the campaign folder) one whose real path is now outside it.
    """
    from checklist.load.source import SourceError, decode, read

    texts = {}
    for file in {p.file for p in problems if p.code not in ("E002", "E007")}:
        with contextlib.suppress(SourceError):
            texts[file] = decode(read(Path(file), within=within))
    return texts


def summary(problems: Iterable[Problem], *, checked: int, lang: Lang = Lang.EN) -> str:
    problems = list(problems)
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warnings = len(problems) - errors
    files = len({p.file for p in problems})
    if not problems:
        return t("problems.none", lang, checked=checked, files_word=_plural(checked, "file"))
    return t(
        "problems.found",
        lang,
        errors=errors,
        errors_word=_plural(errors, "error"),
        warnings=warnings,
        warnings_word=_plural(warnings, "warning"),
        files=files,
        files_word=_plural(files, "file"),
        checked=checked,
    )


def _plural(n: int, word: str) -> str:
    return word if n == 1 else word + "s"


def write_text(
    problems: Iterable[Problem],
    out: IO[str] | None,
    *,
    sources: dict[str, str],
    checked: int | None,
    lang: Lang = Lang.EN,
) -> None:
    """Write each problem like cargo and ruff do: where, the source line, a caret, the fix.

    In Chinese the rule's English name is left out: the code is what the docs list.
    """
    problems = list(problems)
    if not problems and (stream := plain_stream(out)) is not None:
        # Nothing to show but the count, to a pipe (a hook, CI): rich is not even imported.
        if checked is not None:
            stream.write(summary(problems, checked=checked, lang=lang) + "\n")
        return
    from rich.text import Text

    screen = console(out)
    lines = {file: text.split("\n") for file, text in sources.items() if text}  # once per file
    help_word = t("problems.help", lang)
    for shown, problem in enumerate(problems):
        severity = t(f"severity.{problem.severity}", lang)
        if shown == _IN_FULL:
            more = t("problems.more", lang, count=len(problems) - shown)
            screen.print(Text(more, style="bold"))
        if shown >= _IN_FULL:
            screen.file.write(
                f"{printable(problem.file)}:{problem.line}:{problem.column}: "
                f"{severity}[{problem.code}] {printable(problem.message)}\n"
            )
            continue
        style = "bold red" if problem.severity is Severity.ERROR else "bold yellow"
        head = Text()
        head.append(f"{severity}[{problem.code}]", style=style)
        head.append(f" {problem.rule}: " if lang is Lang.EN else ":", style="bold")
        head.append(printable(problem.message), style="bold")
        screen.print(head)
        gutter = " " * len(str(problem.line))
        screen.print(
            Text(
                f"{gutter}--> {printable(problem.file)}:{problem.line}:{problem.column}",
                style="blue",
            )
        )
        source = _source_line(lines.get(problem.file), problem.line)
        if source is not None:
            source, offset = _clip(source, problem.column)
            screen.print(Text(f"{gutter} |", style="blue"))
            line = Text(f"{problem.line} | ", style="blue")
            line.append(printable(source))
            screen.print(line)
            caret = Text(f"{gutter} | ", style="blue")
            caret.append(_caret(source, problem, offset), style=style)
            screen.print(caret)
        if problem.hint:
            screen.print(Text(f"{gutter} = {help_word}{printable(problem.hint)}", style="cyan"))
        screen.print()
    if checked is not None:
        screen.print(Text(summary(problems, checked=checked, lang=lang), style="bold"))


# Problems shown with their source line; rich takes a third of a millisecond for each,
# so the rest of a long list (100,000 unknown keys) goes out one plain line each.
_IN_FULL = 1000


def _source_line(lines: list[str] | None, line: int) -> str | None:
    if not lines:
        return None
    return lines[line - 1].rstrip("\r") if 0 < line <= len(lines) else None


# Characters of a long source line quoted around a problem: a 1 MiB line quoted once per
# problem on it would print gigabytes.
_QUOTED = 160


def _clip(source: str, column: int) -> tuple[str, int]:
    """The part of a long line around ``column``, "…" for the rest; and where it starts."""
    if len(source) <= _QUOTED:
        return source, 0
    start = min(max(column - 1 - _QUOTED // 2, 0), len(source) - _QUOTED)
    head = "…" if start else ""
    tail = "…" if start + _QUOTED < len(source) else ""
    return head + source[start : start + _QUOTED] + tail, start - len(head)


def _caret(source: str, problem: Problem, offset: int = 0) -> str:
    from rich.cells import cell_len

    start = min(max(problem.column - 1 - offset, 0), len(source))
    end = len(source)
    if problem.end_line == problem.line and problem.end_column:
        end = max(min(problem.end_column - 1 - offset, len(source)), start)
    if problem.end_line is None:
        end = start + 1
    indent = cell_len(printable(source[:start]))
    width = max(cell_len(printable(source[start:end])), 1)
    return " " * indent + "^" * width


def to_dict(problem: Problem) -> dict[str, Any]:
    return {
        "file": problem.file,
        "line": problem.line,
        "column": problem.column,
        "end_line": problem.end_line,
        "end_column": problem.end_column,
        "severity": str(problem.severity),
        "code": problem.code,
        "rule": problem.rule,
        "message": problem.message,
        "hint": problem.hint,
    }


def write_json(
    problems: Iterable[Problem], out: IO[str], *, checked: int, lang: Lang = Lang.EN
) -> None:
    problems = list(problems)
    errors = sum(p.severity is Severity.ERROR for p in problems)
    document = {
        "schema_version": SCHEMA_VERSION,
        "lang": str(lang),
        "checked": checked,
        "errors": errors,
        "warnings": len(problems) - errors,
        "problems": [to_dict(p) for p in problems],
    }
    # One write: json.dump writes each token on its own, 4 million calls for 100,000 problems.
    out.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def _escape_data(text: str) -> str:
    # GitHub's own escapes first; printable() then shows any other control character.
    escaped = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return printable(escaped)


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def write_github(problems: Iterable[Problem], out: IO[str]) -> None:
    """GitHub Actions workflow commands; paths relative to the repository."""
    workspace = os.environ.get("GITHUB_WORKSPACE")
    for problem in problems:
        file = problem.file
        if workspace:
            with contextlib.suppress(ValueError):
                file = Path(file).absolute().relative_to(Path(workspace).absolute()).as_posix()
        level = "error" if problem.severity is Severity.ERROR else "warning"
        props = [f"file={_escape_property(file)}", f"line={problem.line}", f"col={problem.column}"]
        if problem.end_line == problem.line and problem.end_column:
            props += [f"endLine={problem.end_line}", f"endColumn={problem.end_column}"]
        props.append(f"title={_escape_property(f'{problem.code} {problem.rule}')}")
        message = problem.message + (f" ({problem.hint})" if problem.hint else "")
        out.write(f"::{level} {','.join(props)}::{_escape_data(message)}\n")
