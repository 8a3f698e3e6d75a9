"""Checking one unit file: one mistake gives one message, and a valid file gives a Unit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from checklist.load.campaign import load_campaign
from checklist.load.check import check_unit
from checklist.load.result import UnitResult
from checklist.model import Campaign, Level

REPO = Path(__file__).resolve().parents[2]
TODAY = dt.date(2023, 11, 20)

HEAD = """\
[unit]
name = "中共郑州市二七区委领导班子"
county = "410103"
level = "county"
contact = "王红"
"""
REST = """
[research]
owner = "李强"
due = 2023-11-30

[development]
owner = "王红"
due = 2023-12-31

[rectification]
owner = "赵敏"
due = 2023-12-15

[institutions]
owner = "王红"
due = 2024-01-15
"""


@pytest.fixture(scope="module")
def campaign() -> Campaign:
    return load_campaign(REPO / "examples" / "zhengzhou" / "campaign.toml")


def check(text: str, campaign: Campaign, name: str = "units/410103/erqi.toml") -> UnitResult:
    return check_unit(text.encode(), file=name, campaign=campaign, today=TODAY)


def codes(result: UnitResult) -> list[tuple[str, int]]:
    return [(p.code, p.line) for p in result.problems]


def test_a_valid_file_becomes_a_unit_with_inherited_owner_and_due(campaign: Campaign) -> None:
    text = (
        HEAD
        + """
[study]
owner = "张伟"
due = 2023-10-31

[[study.tasks]]
title = "中心组专题学习"

[[study.tasks]]
title = "读书班"
owner = "李强"
due = 2023-09-28
done = 2023-09-27
"""
        + REST
    )
    result = check(text, campaign)
    assert result.problems == ()
    unit = result.unit
    assert unit is not None
    assert (unit.id, unit.county, unit.level) == ("erqi", "410103", Level.COUNTY)
    first, second = unit.tasks[0], unit.tasks[1]
    assert (first.title, first.owner.name, first.due, first.done) == (
        "中心组专题学习",
        "张伟",
        dt.date(2023, 10, 31),
        (),
    )
    assert (second.owner.name, second.due, second.done) == (
        "李强",
        dt.date(2023, 9, 28),
        (dt.date(2023, 9, 27),),
    )
    assert (first.line, second.line) == (11, 14)
    research = unit.tasks[2]
    assert (research.measure, research.index, research.title) == ("research", 0, "调查研究")
    assert research.line == 20  # the [research] header


def test_a_typo_in_a_key_gives_one_message_not_a_cascade(campaign: Campaign) -> None:
    # Without care, 'ownr' would also make [study] and its task lack an owner.
    text = (
        HEAD + '\n[study]\nownr = "张伟"\ndue = 2023-10-31\n\n[[study.tasks]]\ntitle = "x"\n' + REST
    )
    result = check(text, campaign)
    assert codes(result) == [("E101", 8)]
    assert result.problems[0].hint == 'did you mean "owner"?'
    assert result.unit is None


def test_a_misspelt_measure_table_is_one_message(campaign: Campaign) -> None:
    text = (
        HEAD + REST.replace("[research]", "[reserch]") + '[study]\nowner = "a"\ndue = 2023-10-01\n'
    )
    assert codes(check(text, campaign)) == [("E101", 7)]


def test_a_wrongly_typed_due_is_not_also_missing(campaign: Campaign) -> None:
    text = HEAD + '\n[study]\nowner = "张伟"\ndue = "下周"\n\n[[study.tasks]]\ntitle = "x"\n' + REST
    result = check(text, campaign)
    assert codes(result) == [("E103", 9)]
    assert "must be a date" in result.problems[0].message


def test_a_task_without_owner_anywhere_points_at_its_header(campaign: Campaign) -> None:
    text = HEAD + '\n[study]\ndue = 2023-10-31\n\n[[study.tasks]]\ntitle = "学习"\n' + REST
    result = check(text, campaign)
    assert codes(result) == [("E102", 10)]
    assert (
        result.problems[0].message == 'task "学习" has no owner, and [study] gives none to inherit'
    )


def test_a_missing_measure_table_is_reported_at_the_top(campaign: Campaign) -> None:
    result = check(HEAD + REST, campaign)
    assert codes(result) == [("E102", 1)]
    assert "[study]" in result.problems[0].message


def test_the_same_name_in_two_units_is_two_people_unless_an_address_joins_them(
    campaign: Campaign,
) -> None:
    def unit(name: str, owner: str, people: str = "") -> UnitResult:
        text = HEAD + people + f'\n[study]\nowner = "{owner}"\ndue = 2023-10-31\n' + REST
        return check(text, campaign, name=f"units/410103/{name}.toml")

    a, b = unit("a", "张伟"), unit("b", "张伟")
    assert a.unit
    assert b.unit
    assert a.unit.tasks[0].owner.key != b.unit.tasks[0].owner.key
    c = unit("c", "张伟 <ZhangWei@example.cn>")
    d = unit("d", "张伟", people='\n[people]\n"张伟" = "zhangwei@example.cn"\n')
    assert c.unit
    assert d.unit
    assert c.unit.tasks[0].owner.key == d.unit.tasks[0].owner.key == "zhangwei@example.cn"


def test_repeating_done_dates_beyond_the_occurrences_are_an_error(campaign: Campaign) -> None:
    text = (
        HEAD
        + """
[study]
owner = "张伟"
due = 2023-10-31

[[study.tasks]]
title = "每月考评问效"
due = 2023-12-25
repeat = "monthly"
done = [2023-11-01, 2023-11-02, 2023-11-03]
"""
        + REST
    )
    # Occurrences: 12-25 and 01-25, so two dates at most.
    assert codes(check(text, campaign)) == [("E211", 15)]


def test_a_file_in_another_countys_folder_is_a_warning_only(campaign: Campaign) -> None:
    text = HEAD + '\n[study]\nowner = "张伟"\ndue = 2023-10-31\n' + REST
    result = check(text, campaign, name=str(REPO / "examples/zhengzhou/units/410105/x.toml"))
    assert codes(result) == [("W405", 3)]
    assert result.unit is not None


def test_every_example_unit_is_valid_as_of_the_report_day(campaign: Campaign) -> None:
    files = sorted((REPO / "examples" / "zhengzhou" / "units").rglob("*.toml"))
    assert len(files) >= 51
    for path in files:
        result = check_unit(path.read_bytes(), file=str(path), campaign=campaign, today=TODAY)
        assert result.problems == (), path
        assert result.unit is not None
        assert {t.measure for t in result.unit.tasks} == {m.key for m in campaign.measures}


def test_the_quick_text_check_finds_what_the_full_walk_finds(campaign: Campaign) -> None:
    """check_text skips its character scan when a file cannot hold a hidden character."""
    from checklist.load.schema import unit_schema
    from checklist.load.shape import shape
    from checklist.load.source import parse
    from checklist.rules.context import Context, entries
    from checklist.rules.text import _empty_texts, _every_string, _maybe_hidden

    files = sorted((REPO / "examples").rglob("*.toml"))
    emptied = (
        HEAD.replace('contact = "王红"', 'contact = " "')
        + """
[study]
owner = ""
due = 2023-10-31

[[study.tasks]]
title = ""
postpone_reason = ""
"""
        + REST
    )
    texts = [emptied] + [p.read_text(encoding="utf-8", errors="replace") for p in files]
    compared = 0
    for text in texts:
        if _maybe_hidden(text):
            continue
        try:
            doc = parse(text)
        except Exception:  # files that do not parse have no strings to check
            continue
        clean = shape(doc, unit_schema(campaign.measures), [])
        ctx = Context(campaign, TODAY, "x", (), text, tuple(entries(clean, campaign)))
        full = sorted((f.code, f.path) for f in _every_string(clean))
        quick = sorted((f.code, f.path) for f in _empty_texts(clean, ctx))
        assert quick == full, text[:80]
        compared += 1
    assert compared > 50
    assert len(list(_every_string(shape(parse(emptied), unit_schema(campaign.measures), [])))) == 4


def test_a_measure_is_found_by_key_or_exact_name(campaign: Campaign) -> None:
    first = campaign.measures[0]
    assert campaign.measure(first.key) == first
    assert campaign.measure(first.name) == first
    assert campaign.measure(first.key.upper()) is None
