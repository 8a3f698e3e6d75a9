"""Every error a command reports speaks Chinese when the command does: asked for (--lang zh,
or a Chinese locale where the command has no --lang), or by the campaign's lang = "zh";
the exit code is the English one's. The source says so raise by raise."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from tests.conftest import CAMPAIGN_TOML, REPO, VALID_UNIT, Result

SOURCE = REPO / "src" / "checklist"
CJK = re.compile(r"[\u3400-\u9fff]")
LANG_COMMANDS = {"validate", "status", "rollup", "remind"}  # the commands with --lang


@dataclass(frozen=True)
class Case:
    """A command that fails; ``{c}`` in an argument is the campaign folder."""

    args: tuple[str, ...]
    says: tuple[str, ...]  # what the Chinese message must name
    tables: str = ""  # added to campaign.toml
    prepare: Callable[[Path], None] | None = None
    in_campaign: bool = False  # run from the campaign folder (else from the folder above)
    has_campaign: bool = True  # False: the error is that no campaign is found
    english: tuple[str, ...] = field(default=())  # what the English message names


def _journal(folder: Path) -> None:
    journal = folder / ".checklist" / "remind-state.json.journal"
    journal.parent.mkdir()
    journal.write_text('["not", "a", "record"]\n', encoding="utf-8")


CONFIG = ("--config", "{c}/campaign.toml")
WEBHOOK = '\n[webhook]\nurl = "http://127.0.0.1:9/hook"\n'

CASES = {
    # edit.py: what clerks type most
    "edit: unknown unit": Case(
        ("done", "erqi-tset", "study", *CONFIG), ('"erqi-tset"', "erqi-test")
    ),
    "edit: unknown measure": Case(
        ("done", "erqi-test", "studdy", *CONFIG), ('"studdy"', '"study"', "理论学习")
    ),
    "edit: task number": Case(
        ("done", "erqi-test", "study", "7", *CONFIG), ("第 7 项", "读书班结业")
    ),
    "edit: already done": Case(
        ("done", "erqi-test", "study", "1", *CONFIG), ("理论学习中心组专题学习", "2023-09-28")
    ),
    "edit: not done": Case(("reopen", "erqi-test", "study", "2", *CONFIG), ("读书班结业",)),
    "edit: not later": Case(
        ("postpone", "erqi-test", "research", "--to", "2023-11-01", "--reason", "调整", *CONFIG),
        ("2023-11-01", "2023-11-30"),
    ),
    # cli/edit.py
    "cli/edit: postpone needs --to": Case(
        ("postpone", "erqi-test", "research", *CONFIG), ("--to", "--reason")
    ),
    "cli/edit: dry run": Case(
        ("done", "erqi-test", "study", "1", "--dry-run", *CONFIG),
        ("--dry-run", "理论学习中心组专题学习"),
    ),
    # cli/setup.py, scaffold.py
    "setup: init over a campaign": Case(("init", "{c}"), ("campaign.toml", "已经存在")),
    "scaffold: a space": Case(
        ("new", "--county", "410103", "--level", "grassroots", "--name", " 测试单位", *CONFIG),
        ('" 测试单位"', "空格"),
    ),
    "scaffold: a line break": Case(
        ("new", "--county", "410103", "--level", "grassroots", "--name", "测试\n单位", *CONFIG),
        ("第 3 个字符", "U+000A", "换行"),
    ),
    # dates.py, filters.py (from the campaign folder: its campaign.toml is the working one's)
    "dates: not a day": Case(("status", "--as-of", "notaday"), ('"notaday"',), in_campaign=True),
    "dates: too far": Case(
        ("status", "--as-of", "+99999999d"), ('"+99999999d"', "1900-01-01"), in_campaign=True
    ),
    "filters: unknown county": Case(
        ("status", "{c}", "--county", "二七"), ('"二七"', '"二七区"', "410105(金水区)")
    ),
    # load/campaign.py, load/discover.py, cli/scope.py, cli/check.py, cli/app.py
    "campaign: none found": Case(
        ("validate", "{c}/../bare"), ("campaign.toml",), has_campaign=False
    ),
    "campaign: no such --config": Case(
        ("validate", "--config", "{c}/missing.toml"), ("missing.toml",), has_campaign=False
    ),
    "discover: no such path": Case(("validate", "{c}/nowhere"), ("nowhere",)),
    "scope: no unit files": Case(
        ("status", "{c}/empty"), ("empty", "*.toml"), prepare=lambda c: (c / "empty").mkdir()
    ),
    "scope: compare after the report day": Case(
        ("rollup", "{c}", "--compare", "2023-12-01"), ("--compare", "2023-12-01", "2023-11-20")
    ),
    "check: report not written": Case(
        ("validate", "{c}", "--output-file", "{c}/no/such/report.txt"), ("report.txt",)
    ),
    "app: bad choice": Case(("status", "{c}", "--format", "xml"), ('"xml"', "json")),
    # remind/: what the office admin reads
    "remind: no channel": Case(("remind", "{c}", "--send"), ("[smtp]", "[webhook]")),
    "remind: webhook variable unset": Case(
        ("remind", "{c}", "--send"),
        ("CHECKLIST_TEST_HOOK",),
        tables='\n[webhook]\nurl_env = "CHECKLIST_TEST_HOOK"\n',
    ),
    "remind: smtp password unset": Case(
        ("remind", "{c}", "--send"),
        ("CHECKLIST_TEST_PASSWORD", "[smtp]"),
        tables='\n[smtp]\nhost = "127.0.0.1"\nsender = "办公室 <office@example.cn>"\n'
        'user = "office"\npassword_env = "CHECKLIST_TEST_PASSWORD"\n',
    ),
    "remind: damaged journal": Case(
        ("remind", "{c}", "--send"), ("remind-state.json.journal", "第 1 行"), WEBHOOK, _journal
    ),
}


@pytest.fixture
def fail(
    tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> Callable[[Case, str], Result]:
    """fail(case, how): run the case in a fresh campaign, speaking as ``how`` says."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "CHECKLIST_TEST_HOOK", "CHECKLIST_TEST_PASSWORD"):
        monkeypatch.delenv(name, raising=False)

    def run(case: Case, how: str) -> Result:
        folder = tmp_path / how / "campaign"
        text = CAMPAIGN_TOML + case.tables
        if how == "campaign":
            text = text.replace("[campaign]\n", '[campaign]\nlang = "zh"\n', 1)
        if case.has_campaign:
            (folder / "units" / "410103").mkdir(parents=True)
            (folder / "campaign.toml").write_text(text, encoding="utf-8")
            (folder / "units" / "410103" / "erqi-test.toml").write_text(VALID_UNIT, "utf-8")
        else:
            folder.mkdir(parents=True)
        (folder.parent / "bare").mkdir()
        if case.prepare:
            case.prepare(folder)
        args = [arg.replace("{c}", str(folder)) for arg in case.args]
        if how == "asked" and args[0] in LANG_COMMANDS:
            args += ["--lang", "zh"]
        elif how == "asked":
            monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
        elif how == "english":
            monkeypatch.setenv("LC_ALL", "en_US.UTF-8")  # a locale naming a language wins
        monkeypatch.chdir(folder if case.in_campaign else folder.parent)
        try:
            return cli(*args)
        finally:
            monkeypatch.delenv("LC_ALL", raising=False)

    return run


# Asked for by the locale always; by the campaign only where there is a campaign.toml.
WAYS = [
    (name, how)
    for name, case in CASES.items()
    for how in ("asked", "campaign")
    if how == "asked" or case.has_campaign
]


@pytest.mark.parametrize(("name", "how"), WAYS)
def test_a_command_error_speaks_chinese(
    name: str, how: str, fail: Callable[[Case, str], Result]
) -> None:
    case = CASES[name]
    english = fail(case, "english")
    chinese = fail(case, how)
    assert english.err.startswith("checklist: error: "), english.err
    assert english.code in (1, 2)
    assert chinese.code == english.code
    assert chinese.err.startswith("checklist: 错误:"), chinese.err
    message = chinese.err.removeprefix("checklist: 错误:")
    assert CJK.search(message.replace("测试单位", "").replace("理论学习中心组", ""))
    for value in case.says:
        assert value in message, value
    assert chinese.err != english.err


def test_a_broken_campaign_toml_that_says_zh_speaks_chinese_to_its_last_line(
    tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "campaign.toml").write_text(
        CAMPAIGN_TOML.replace("[campaign]\n", '[campaign]\nlang = "zh"\nnmae = "x"\n'), "utf-8"
    )
    monkeypatch.chdir(tmp_path)
    result = cli("status")
    assert result.code == 2
    assert "checklist: 错误:campaign.toml 有问题" in result.err


def test_an_unreadable_campaign_toml_is_no_language_and_the_error_is_english(
    tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Looking for the language never adds an error of its own."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "campaign.toml").write_bytes(b"[campaign\n\xff")
    monkeypatch.chdir(tmp_path)
    result = cli("new", "--county", "410103", "--level", "grassroots", "--name", " x")
    assert result.code == 2
    assert result.err.startswith("checklist: error: ")


def test_the_campaign_of_the_first_path_argument_is_the_one_read(
    tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An option's value is no PATH: --as-of zh is skipped, though a folder is named so."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for lang in ("zh", "en"):
        (tmp_path / lang).mkdir()
        text = CAMPAIGN_TOML.replace("[campaign]\n", f'[campaign]\nlang = "{lang}"\n')
        (tmp_path / lang / "campaign.toml").write_text(text, "utf-8")
    monkeypatch.chdir(tmp_path)
    result = cli("status", "--as-of", "zh", "en")
    assert result.err.startswith("checklist: error: "), result.err
    result = cli("status", "--as-of", "en", "zh")
    assert result.err.startswith("checklist: 错误:"), result.err


USAGE = {
    "unknown command": (("statu",), ("statu", "status", "用法:checklist [OPTIONS] COMMAND")),
    "unknown option": (("status", "--nope"), ("--nope", "--no-cache", "checklist status -h")),
    "missing argument": (("done", "erqi-test"), ("MEASURE", "用法:checklist done")),
    "missing value": (("status", "--format"), ("--format",)),
    "value of a flag": (("validate", "--strict=1"), ("--strict",)),
    "extra argument": (
        ("new", "--county", "410103", "--level", "grassroots", "--name", "二七区", "建中街"),
        ("建中街", "引号"),
    ),
}


@pytest.mark.parametrize("how", ["locale", "campaign"])
@pytest.mark.parametrize("name", list(USAGE))
def test_a_usage_error_of_click_speaks_chinese_too(
    name: str,
    how: str,
    tmp_path: Path,
    cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    args, says = USAGE[name]
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    lang = '[campaign]\nlang = "zh"\n' if how == "campaign" else "[campaign]\n"
    (tmp_path / "campaign.toml").write_text(CAMPAIGN_TOML.replace("[campaign]\n", lang), "utf-8")
    monkeypatch.chdir(tmp_path)
    if how == "locale":
        monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    chinese = cli(*args)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    english = cli(*args)
    assert english.code == chinese.code == 2
    assert "Error: " in english.err  # click's own words, as before
    assert chinese.err.startswith("checklist: 错误:"), chinese.err
    assert "Error" not in chinese.err
    for value in says:
        assert value in chinese.err, value


def _family() -> set[str]:
    """ChecklistError and every class the source derives from it, by name."""
    family = {"ChecklistError"}
    classes = [
        node
        for path in SOURCE.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text("utf-8")))
        if isinstance(node, ast.ClassDef)
    ]
    grown = True
    while grown:
        before = len(family)
        family |= {c.name for c in classes if {getattr(b, "id", "") for b in c.bases} & family}
        grown = len(family) > before
    return family


def test_every_command_error_in_the_source_is_written_in_chinese_too() -> None:
    family = _family()
    assert {"UsageError", "ConfigError", "EditError", "LedgerWriteError"} <= family
    calls = []
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in family:
                calls.append((f"{path.relative_to(REPO)}:{node.lineno}", node))
    assert len(calls) > 60  # the scan sees the raises
    for where, call in calls:
        assert "zh" in {k.arg for k in call.keywords}, f"{where}: an error without zh="
