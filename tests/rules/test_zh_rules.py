"""The unit rules speak Chinese to a clerk: every message and hint, with the facts kept.

Each case validates a real file twice, in English and in Chinese, and pairs the problems
by code and position: the Chinese message holds Chinese words and the values the clerk
must find (the key, the date, the guess), and it has a hint exactly when the English does.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import pickle
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from checklist import recur
from checklist.recur import RecurrenceError, occurrences, rule_parts
from conftest import VALID_UNIT, Result

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "invalid"
CJK = re.compile(r"[\u4e00-\u9fff]")

Problem = dict[str, Any]
Cli = Callable[..., Result]


def _problems(cli: Cli, target: Path, lang: str) -> list[Problem]:
    result = cli("validate", target, "--lang", lang, "--format", "json", "--no-cache")
    assert result.code in (0, 1), result.err
    problems: list[Problem] = json.loads(result.out)["problems"]
    return problems


def _pairs(cli: Cli, target: Path, code: str) -> list[tuple[Problem, Problem]]:
    """The problems with ``code``, each as (English, Chinese), paired by file and position."""
    english = [p for p in _problems(cli, target, "en") if p["code"] == code]
    chinese = [p for p in _problems(cli, target, "zh") if p["code"] == code]

    def where(p: Problem) -> tuple[str, int, int]:
        return p["file"], p["line"], p["column"]

    assert [where(p) for p in english] == [where(p) for p in chinese]
    assert english, f"no {code} reported for {target}"
    return list(zip(english, chinese, strict=True))


def _assert_spoken(
    en: Problem, zh: Problem, facts: tuple[str, ...], hint_facts: tuple[str, ...]
) -> None:
    assert CJK.search(zh["message"]), zh["message"]
    assert zh["message"] != en["message"]
    for fact in facts:
        assert fact in zh["message"], (fact, zh["message"])
    assert (zh["hint"] is None) == (en["hint"] is None), (en["hint"], zh["hint"])
    if en["hint"] is not None:
        assert CJK.search(zh["hint"]), zh["hint"]
    for fact in hint_facts:
        assert fact in zh["hint"], (fact, zh["hint"])


# --- the examples: one file per rule ---------------------------------------------------

# code -> (the example, facts in the Chinese message, facts in its hint)
EXAMPLE_FACTS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "E105": ("E105-misplaced-key.toml", ("done", "理论学习", "[study]"), ("[[study.tasks]]",)),
    "E201": ("E201-unknown-county.toml", ('"中原"', "campaign.toml"), ('"410102"', "中原区")),
    "E202": ("E202-unknown-level.toml", ('"县级"', '"county"', '"grassroots"'), ('"county"',)),
    "E205": (
        "E205-invalid-recurrence.toml",
        ('"every week"', "FREQ=", "weekly", "每周"),
        ("每周", '"weekly"', "FREQ=WEEKLY;BYDAY=FR"),
    ),
    "E206": (
        "E206-due-outside-campaign.toml",
        ("2024-02-29", "2023-09-09", "2024-01-31", "结束之后"),
        ("2023-09-09", "2024-01-31"),
    ),
    "E207": ("E207-done-in-future.toml", ("2099-09-27", "2023-11-20"), ()),
    "E208": ("E208-done-before-start.toml", ("2023-09-01", "2023-09-09"), ()),
    "E209": (
        "E209-bad-address.toml",
        ('"冯保国 <fengbaoguo.example.cn>"',),
        ('"张伟 <zhangwei@example.cn>"', "[people]"),
    ),
    "E210": ("E210-bad-id.toml", ('"erqi committee"', "id"), ("erqi-committee",)),
    "E211": (
        "E211-too-many-done.toml",
        ("3 个", "2 次", "2023-10-31", "三会一课"),
        (),
    ),
    "E212": ("E212-duplicate-task-id.toml", ('"study-1"', "[[study.tasks]] 第 1 项"), ()),
    "W401": (
        "W401-duplicate-task-title.toml",
        ('"中心组专题学习(第一次)"', "理论学习", "[study]", "第 1 项", "第 2 项"),
        (),
    ),
    "W402": ("W402-done-out-of-order.toml", ("done",), ()),
    "W403": ("W403-no-occurrences.toml", ("2023-10-01", "2023-10-15", "until"), ("2023-10-15",)),
    "W404": (
        "W404-postpone-incomplete.toml",
        ('"老旧小区加装电梯需求摸排"', "postponed_from", "postpone_reason"),
        ('postpone_reason = "',),
    ),
    "W405": (
        "410105/W405-county-folder.toml",
        ("410105", "金水区", "410103", "二七区"),
        ('county = "410105"', "410103"),
    ),
}


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.mark.usefixtures("in_repo")
@pytest.mark.parametrize("code", sorted(EXAMPLE_FACTS))
def test_each_example_is_explained_in_chinese(cli: Cli, code: str) -> None:
    name, facts, hint_facts = EXAMPLE_FACTS[code]
    for en, zh in _pairs(cli, EXAMPLES / name, code):
        _assert_spoken(en, zh, facts, hint_facts)


@pytest.mark.usefixtures("in_repo")
def test_a_duplicate_unit_id_names_the_other_file_in_chinese(cli: Cli) -> None:
    pairs = _pairs(cli, EXAMPLES, "E301")
    assert len(pairs) == 2
    for en, zh in pairs:
        other = "b" if en["file"].endswith("-a.toml") else "a"
        _assert_spoken(
            en, zh, ('"dup-example"', f"examples/invalid/E301-duplicate-unit-id-{other}.toml"), ()
        )


# --- the other ways each rule is met ----------------------------------------------------


def _edit(*changes: tuple[str, str]) -> str:
    text = VALID_UNIT
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


_READING = '[[study.tasks]]\ntitle = "读书班结业"\n'
_RESEARCH_OWNER = 'owner = "李强"\n'

# (case, file name, text, code, facts in the message, facts in the hint)
CASES = [
    (
        "measure-without-tasks-needs-an-owner",
        "u.toml",
        _edit((_RESEARCH_OWNER, "")),
        "E102",
        ("调查研究", "[research]", "owner", "责任人"),
        ('owner = "张伟"', "[[research.tasks]]"),
    ),
    (
        "task-inherits-no-due",
        "u.toml",
        _edit(('owner = "张伟"\ndue = 2023-10-31\n', 'owner = "张伟"\n')),
        "E102",
        ('"读书班结业"', "due", "截止日期", "[study]"),
        ("due = 2023-10-31", "[study]"),
    ),
    (
        "until-without-repeat",
        "u.toml",
        _edit((_READING, _READING + "until = 2023-12-31\n")),
        "E105",
        ('"读书班结业"', "until", "repeat"),
        ('repeat = "weekly"', "until"),
    ),
    (
        "done-list-on-a-plain-task",
        "u.toml",
        _edit(("done = 2023-09-28", "done = [2023-09-28]")),
        "E103",
        ('"理论学习中心组专题学习"', "done"),
        ("done = 2023-10-27",),
    ),
    (
        "task-id-with-a-space",
        "u.toml",
        _edit((_READING, _READING + 'id = "学习 1"\n')),
        "E210",
        ('"学习 1"', "id"),
        ("study-1",),
    ),
    (
        "unit-id-from-a-file-name-with-a-space",
        "erqi test.toml",
        _edit(('id = "erqi-test"\n', "")),
        "E210",
        ('"erqi test"',),
        ('id = "', "[unit]"),
    ),
    (
        "reason-without-postponed-from",
        "u.toml",
        _edit((_READING, _READING + 'postpone_reason = "上级会议调整"\n')),
        "W404",
        ('"读书班结业"', "postpone_reason", "postponed_from"),
        ("postponed_from = ",),
    ),
    (
        "rrule-with-interval-zero",
        "u.toml",
        _edit(('repeat = "monthly"', 'repeat = "FREQ=WEEKLY;INTERVAL=0"')),
        "E205",
        ('"FREQ=WEEKLY;INTERVAL=0"', "INTERVAL=0", "1 到 1000"),
        ("FREQ=WEEKLY;BYDAY=FR",),
    ),
    (
        "rrule-within-a-day",
        "u.toml",
        _edit(('repeat = "monthly"', 'repeat = "FREQ=HOURLY"')),
        "E205",
        ('"FREQ=HOURLY"', "一天之内"),
        ("每月",),
    ),
    (
        "too-many-repeating-tasks",
        "u.toml",
        VALID_UNIT
        + "".join(
            f'\n[[research.tasks]]\ntitle = "周例会 {i}"\nrepeat = "weekly"\n' for i in range(101)
        ),
        "E205",
        ("100",),
        (),
    ),
    (
        "county-of-the-folder-guessed",
        "u.toml",
        _edit(('county = "410103"', 'county = "二七"')),
        "E201",
        ('"二七"',),
        ('county = "410103"', "二七区", "文件夹"),
    ),
    (
        "level-with-no-guess",
        "u.toml",
        _edit(('level = "grassroots"', 'level = "xyz"')),
        "E202",
        ('"xyz"',),
        ('level = "county"', 'level = "grassroots"'),
    ),
    (
        "address-in-people",
        "u.toml",
        _edit(('"王红" = "wanghong@example.cn"', '"王红" = "wanghong-at-example.cn"')),
        "E209",
        ('"wanghong-at-example.cn"', "邮箱"),
        ('"王红" = "name@example.cn"',),
    ),
    (
        "due-before-the-start",
        "u.toml",
        _edit(("due = 2023-11-30", "due = 2023-09-01")),
        "E206",
        ("2023-09-01", "2023-09-09", "2024-01-31", "开始之前"),
        ("2023-09-09",),
    ),
]


@pytest.mark.parametrize(
    ("name", "text", "code", "facts", "hint_facts"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_each_way_a_rule_is_met_is_explained_in_chinese(
    cli: Cli,
    write_unit: Callable[[str, str], Path],
    name: str,
    text: str,
    code: str,
    facts: tuple[str, ...],
    hint_facts: tuple[str, ...],
) -> None:
    path = write_unit(name, text)
    for en, zh in _pairs(cli, path, code):
        _assert_spoken(en, zh, facts, hint_facts)


def test_a_county_with_no_guess_lists_the_campaigns_counties_in_chinese(
    cli: Cli, campaign_dir: Callable[[], Path]
) -> None:
    folder = campaign_dir()
    path = folder / "units" / "u.toml"
    path.parent.mkdir()
    path.write_text(_edit(('county = "410103"', 'county = "999999"')), encoding="utf-8")
    [(en, zh)] = _pairs(cli, path, "E201")
    _assert_spoken(en, zh, ('"999999"',), ("410103 二七区、410105 金水区",))


def test_a_repeat_that_never_occurs_is_explained_in_chinese(
    cli: Cli, write_unit: Callable[[str, str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Expansion always gives a repeating task its own due date; only a rule that yields
    # nothing at all (none today) reaches this message, so the expansion is stubbed.
    monkeypatch.setattr("checklist.rules.recurrence.task_dates", lambda *a, **k: ())
    # Expansions are remembered per campaign, and an earlier test's is equal to this one's.
    monkeypatch.setattr("checklist.rules.recurrence._SEEN", {})
    path = write_unit("u.toml", VALID_UNIT)
    [(en, zh)] = _pairs(cli, path, "W403")
    _assert_spoken(en, zh, ('"主题教育月报"', "2023-09-25", "2024-01-31"), ("until", "end"))


# --- RecurrenceError: the reason, in English and in Chinese -----------------------------

FIRST, LAST = dt.date(2023, 9, 9), dt.date(2024, 1, 31)


@pytest.mark.parametrize(
    ("text", "facts"),
    [
        ("every month", ("FREQ=", "每周")),
        ("FREQ=HOURLY", ("FREQ=HOURLY",)),
        ("DTSTART:20230901\nRRULE:FREQ=DAILY", ("DTSTART",)),
        ("FREQ=DAILY;COUNT=0", ("COUNT=0", "1 到 1000")),
        ("FREQ=DAILY;BYMONTHDAY=0", ("BYMONTHDAY", "0")),
        ("FREQ=MONTHLY;BYDAY=0MO", ("BYDAY=0MO", "MO", "SU", "-1FR")),
        ("FREQ=MONTHLY;WKST=XX", ("WKST", "MO", "SU")),
        ("FREQ=DAILY;UNTIL=20230231", ("UNTIL=20230231", "20231231")),
        ("FREQ=DAILY;FREQ=WEEKLY", ("FREQ",)),
        ("FREQ=DAILY;COUNT=3;UNTIL=20231231", ("COUNT", "UNTIL")),
        ("FREQ=FORTNIGHTLY", ("'FORTNIGHTLY'", "WEEKLY")),
        ("FREQ=DAILY;BYEASTER=0", ("'BYEASTER'", "BYMONTHDAY")),
        ("FREQ=DAILY;", ("''",)),
        ("FREQ=DAILY" + ";BYMONTH=1" * 50, ("200",)),
    ],
)
def test_every_refused_rule_says_why_in_chinese(text: str, facts: tuple[str, ...]) -> None:
    with pytest.raises(RecurrenceError) as caught:
        occurrences(text, first=FIRST, last=LAST)
    assert CJK.search(caught.value.zh), caught.value.zh
    for fact in facts:
        assert fact in caught.value.zh, (fact, caught.value.zh)


def test_a_rule_without_freq_says_why_in_chinese() -> None:
    with pytest.raises(RecurrenceError, match="no FREQ") as caught:
        rule_parts("INTERVAL=2")
    assert "FREQ" in caught.value.zh
    assert CJK.search(caught.value.zh)


def test_too_many_occurrences_say_why_in_chinese() -> None:
    with pytest.raises(RecurrenceError, match="at most 1000") as caught:
        occurrences("daily", first=dt.date(2020, 1, 1), last=dt.date(2024, 1, 1))
    assert "1000" in caught.value.zh
    assert CJK.search(caught.value.zh)


def test_dateutils_own_words_reach_the_clerk_inside_a_chinese_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(**kwargs: Any) -> None:
        raise ValueError("BYWEEKNO is not supported here")

    monkeypatch.setattr("dateutil.rrule.rrule", refuse)
    with pytest.raises(RecurrenceError) as caught:
        occurrences("weekly", first=FIRST, last=LAST)
    assert str(caught.value) == "BYWEEKNO is not supported here"
    assert "BYWEEKNO is not supported here" in caught.value.zh
    assert CJK.search(caught.value.zh)


def test_the_english_reason_is_unchanged_and_the_error_survives_pickling() -> None:
    with pytest.raises(RecurrenceError) as caught:
        occurrences("FREQ=DAILY;FREQ=WEEKLY", first=FIRST, last=LAST)
    assert str(caught.value) == "FREQ is given twice"
    copy = pickle.loads(pickle.dumps(caught.value))
    assert (str(copy), copy.zh) == ("FREQ is given twice", caught.value.zh)


# --- no site is left behind ---------------------------------------------------------------

SRC = ROOT / "src" / "checklist"
RULE_FILES = [
    SRC / "rules" / f"{name}.py"
    for name in ("tasks", "unit", "people", "dates", "recurrence", "across")
]


def _calls(path: Path, name: str) -> list[ast.Call]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name
    ]


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
def test_every_finding_has_a_chinese_message_and_a_hint_when_the_english_has_one(
    path: Path,
) -> None:
    calls = _calls(path, "Finding")
    assert calls
    for call in calls:
        keys = {k.arg for k in call.keywords}
        assert "zh" in keys, f"{path.name}:{call.lineno}"
        assert ("hint" in keys) == ("zh_hint" in keys), f"{path.name}:{call.lineno}"


def test_every_recurrence_error_is_raised_with_a_chinese_reason() -> None:
    calls = _calls(Path(recur.__file__), "RecurrenceError")
    assert len(calls) > 10
    for call in calls:
        starred = any(isinstance(a, ast.Starred) for a in call.args)
        assert starred or len(call.args) == 2, f"recur.py:{call.lineno}"
