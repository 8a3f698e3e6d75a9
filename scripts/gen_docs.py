"""Regenerate the parts of docs/ that come from the code: key tables and the rule catalogue.

    python scripts/gen_docs.py          # rewrite docs/format.md and docs/rules.md
    python scripts/gen_docs.py --check  # exit 1 if either is out of date (the tests run this)

Generated parts of format.md sit between ``<!-- begin: NAME -->`` and
``<!-- end: NAME -->`` markers; rules.md is generated whole, quoting each
rule's example from examples/invalid/ and the message the validator gives it.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from checklist.cli.app import run
from checklist.i18n import Lang, t
from checklist.load.schema import (
    CAMPAIGN_SCHEMA,
    TASK_FIELDS,
    UNIT_TABLE,
    Field,
    Kind,
    measure_table,
)
from checklist.model import DEFAULT_MEASURES
from checklist.rules.registry import RULES

REPO = Path(__file__).resolve().parents[1]
INVALID = REPO / "examples" / "invalid"
GENERATED_IN_TESTS = {
    "E001": "a folder or FIFO named *.toml, an unreadable folder, a broken link",
    "E004": "a file over 1 MiB",
    "E007": "a unit file linked to /proc/self/environ",
    "E008": "a check made to fail on purpose",
}


def _table(fields: tuple[Field, ...]) -> str:
    rows = ["| key | type | required | default | meaning |", "|---|---|---|---|---|"]
    for field in fields:
        kind = field.kind.value
        if field.choices:
            kind += ": " + " or ".join(f'`"{c}"`' for c in field.choices)
        default = field.default or ("—" if not field.required else "")
        rows.append(
            f"| `{field.name}` | {kind} | {'yes' if field.required else 'no'} "
            f"| {default} | {field.doc} |"
        )
    return "\n".join(rows)


def _sections() -> dict[str, str]:
    campaign = {f.name: f for f in CAMPAIGN_SCHEMA.fields}
    measure = measure_table(DEFAULT_MEASURES[0])
    return {
        "campaign-keys": _table(campaign["campaign"].fields),
        "measures-keys": _table(campaign["measures"].fields),
        "counties-keys": _table(campaign["counties"].fields),
        "remind-keys": _table(campaign["remind"].fields),
        "smtp-keys": _table(campaign["smtp"].fields),
        "webhook-keys": _table(campaign["webhook"].fields),
        "lights-keys": _table(campaign["lights"].fields),
        "history-keys": _table(campaign["history"].fields),
        "milestones-keys": _table(campaign["milestones"].fields),
        "calendar-keys": _table(campaign["calendar"].fields),
        "groups-keys": _table(campaign["groups"].fields),
        "bulletin-keys": _table(campaign["bulletin"].fields),
        "unit-keys": _table(UNIT_TABLE.fields),
        "measure-keys": _table(tuple(f for f in measure.fields if f.kind is not Kind.TABLES)),
        "task-keys": _table(TASK_FIELDS),
        "default-measures": "\n".join(
            ["| key | name |", "|---|---|"]
            + [f"| `{m.key}` | {m.name} |" for m in DEFAULT_MEASURES]
        ),
    }


def format_md(current: str) -> str:
    for name, body in _sections().items():
        pattern = re.compile(
            rf"(<!-- begin: {name} -->\n)(?:.*?\n)?(<!-- end: {name} -->)", re.DOTALL
        )
        if not pattern.search(current):
            raise SystemExit(f"docs/format.md lacks the markers for {name}")
        current = pattern.sub(lambda m, body=body: m[1] + body + "\n" + m[2], current)
    return current


def _examples(code: str) -> list[Path]:
    """A rule's example files; a config rule's example is a campaign folder's campaign.toml."""
    return sorted([*INVALID.rglob(f"{code}-*.toml"), *INVALID.glob(f"{code}-*/campaign.toml")])


def _messages(paths: list[Path]) -> list[dict[str, object]]:
    out = io.StringIO()
    os.environ["CHECKLIST_AS_OF"] = "2023-11-20"
    cwd = Path.cwd()
    os.chdir(REPO)
    try:
        with redirect_stdout(out), redirect_stderr(io.StringIO()):
            targets = [p.parent if p.name == "campaign.toml" else p for p in paths]
            # --lang en: the page quotes the English messages whatever the locale of the build.
            args = ["validate", "--format", "json", "--lang", "en"]
            run([*args, *(str(p.relative_to(REPO)) for p in targets)])
    finally:
        os.chdir(cwd)
    return json.loads(out.getvalue())["problems"]  # type: ignore[no-any-return]


def _excerpt(path: Path, lines: list[int]) -> str:
    """The example's opening comment and the lines around each problem, numbered."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("utf-8", "backslashreplace")
    text = text.replace("\ufeff", "<BOM>")  # shown, not invisibly copied into the page
    source = text.split("\n")
    shown = {i for i, line in enumerate(source, 1) if line.startswith("#") and i <= 3}
    for line in lines:
        shown |= set(range(max(1, line - 3), min(len(source), line + 1) + 1))
    out, previous = [], 0
    for number in sorted(shown):
        if number > previous + 1:
            out.append("  …")
        out.append(f"{number:>3} {source[number - 1]}".rstrip())
        previous = number
    return "\n".join(out)


def rules_md() -> str:
    lines = [
        "# Validation rules",
        "",
        "<!-- Generated by scripts/gen_docs.py from src/checklist/rules/registry.py and examples/invalid/."
        " Do not edit by hand. -->",
        "",
        "Every problem `checklist validate` reports carries one of these codes. Codes are stable:",
        "a code is never reused for another rule. `E` codes are errors (exit 1); `W` codes are",
        "warnings, which fail only under `--strict`. Problems in `campaign.toml` use the same",
        "codes but make the command exit 2, since no unit can be checked against a broken config.",
        "",
        # Chinese paragraphs stay on one line: a line break between CJK characters shows as a space.
        "每条问题都带有下面的一个代码,代码固定不变。`E` 开头的是错误(命令以 1 退出);"
        "`W` 开头的是警告,只有加 `--strict` 时才算不通过。`campaign.toml` 里的问题用同样的代码,"
        "但命令以 2 退出,因为活动设置有错时,哪个单位的文件都没法检查。",
        "",
        '**Messages in Chinese.** Write `[campaign] lang = "zh"` in campaign.toml, or run',
        "`checklist validate --lang zh`, and every message and hint is in Chinese, written for",
        "the clerk who fixes the file. A locale that names a language (`LANG=zh_CN.UTF-8`,",
        "`LANG=en_US.UTF-8`) overrides the campaign's setting; an unset, `C` or `POSIX` locale",
        "(cron, most CI containers) does not. `--lang zh` or `--lang en` overrides both.",
        "",
        '**中文提示。** 在 campaign.toml 的 `[campaign]` 里写上 `lang = "zh"`,'
        "或者运行 `checklist validate --lang zh`,每条问题和“怎么改”就都用中文写出来。"
        "系统语言环境如果指明了语言(`LANG=zh_CN.UTF-8`、`LANG=en_US.UTF-8`),"
        "就以它为准,不看 campaign.toml 的设置;没有设置、或者是 `C`、`POSIX`"
        "(定时任务和大多数 CI 容器就是这样)时,仍按 campaign.toml 的设置。"
        "`--lang zh` 或 `--lang en` 比这两者都优先。",
        "",
        "| code | name | severity | catches |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| [{r.code}](#{r.code.lower()}-{r.name}) | `{r.name}` | {r.severity} | {r.summary} |"
        for r in RULES.values()
    ]
    for rule in RULES.values():
        lines += [
            "",
            f"## {rule.code} {rule.name}",
            "",
            f"{rule.summary} Severity: {rule.severity}.",
            "",
            f"{rule.zh_summary}严重程度:{t(f'severity.{rule.severity}', Lang.ZH)}。",
        ]
        if rule.code in GENERATED_IN_TESTS:
            lines += [
                "",
                f"Example: {GENERATED_IN_TESTS[rule.code]} (made by the tests; "
                "it cannot live in git).",
            ]
            continue
        examples = _examples(rule.code)
        if not examples:
            raise SystemExit(f"no example in examples/invalid/ for {rule.code}")
        problems = _messages(examples)
        for path in examples:
            name = path.relative_to(REPO).as_posix()
            where = [int(str(p["line"])) for p in problems if p["file"] == name]
            if not where and path.name != "campaign.toml":
                continue  # a valid unit beside a campaign.toml warning (W410, W411)
            lines += ["", f"`{name}`:", "", "```toml", _excerpt(path, where), "```"]
        lines += ["", "gets:", "", "```"]
        for problem in problems:
            lines.append(
                f"{problem['file']}:{problem['line']}:{problem['column']}: "
                f"{problem['severity']}[{problem['code']}] {problem['message']}"
            )
            if problem["hint"]:
                lines.append(f"  help: {problem['hint']}")
        lines.append("```")
    return "\n".join(lines) + "\n"


def main() -> int:
    check = "--check" in sys.argv[1:]
    stale = []
    format_path, rules_path = REPO / "docs" / "format.md", REPO / "docs" / "rules.md"
    current_format = format_path.read_text(encoding="utf-8")
    for path, wanted in ((format_path, format_md(current_format)), (rules_path, rules_md())):
        have = path.read_text(encoding="utf-8") if path.exists() else ""
        if have != wanted:
            stale.append(path.relative_to(REPO).as_posix())
            if not check:
                path.write_text(wanted, encoding="utf-8")
    if check and stale:
        print(f"out of date: {', '.join(stale)}; run python scripts/gen_docs.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
