"""Sectors and liaison groups: who covers a unit, what campaign.toml may say, and the warnings."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from checklist.errors import ConfigError
from checklist.groups import clashes, covering, lineage, top_groups, unit_groups
from checklist.load.campaign import load_campaign
from checklist.load.validate import validate
from checklist.model import Campaign, County, LiaisonGroup
from conftest import CAMPAIGN_TOML, REPO, VALID_UNIT, Result

G = LiaisonGroup


def _campaign(*groups: LiaisonGroup) -> Campaign:
    return Campaign(
        name="c",
        start=dt.date(2023, 9, 9),
        end=dt.date(2024, 1, 31),
        counties=(County("A", "甲区"), County("B", "乙区"), County("C", "丙区")),
        groups=groups,
    )


# A hand-worked forest: 一组 has two subgroups by county; 教育组 takes every school and one
# bureau; 企业组 every enterprise but may share them with 一组 (it says so).
FOREST = _campaign(
    G("一组", "甲", subgroups=("一组甲片", "一组乙片")),
    G("一组甲片", "乙", counties=("A",), sectors=("机关", "学校")),
    G("一组乙片", "丙", counties=("B",)),
    G("教育组", "丁", sectors=("学校",), units=("edu-bureau",)),
    G("企业组", "戊", sectors=("企业",), overlaps=("一组",)),
)


@pytest.mark.parametrize(
    ("county", "sector", "unit_id", "groups", "clash"),
    [
        # 甲区机关: 甲片 by county and sector, so 一组 above it.
        ("A", "机关", "u1", ("一组", "一组甲片"), []),
        # 甲区企业: 甲片 takes only 机关 and 学校; 企业组 by sector.
        ("A", "企业", "u2", ("企业组",), []),
        # 甲区学校: 甲片 and 教育组, neither above the other, nobody said so.
        ("A", "学校", "u3", ("一组", "一组甲片", "教育组"), [("一组", "教育组")]),
        # 甲区 without a sector: by its county alone, so 甲片 although it names sectors.
        ("A", None, "u7", ("一组", "一组甲片"), []),
        # 乙区 without a sector: 乙片 takes every unit of 乙区.
        ("B", None, "u4", ("一组", "一组乙片"), []),
        # 乙区企业: 乙片 and 企业组, but 企业组 names 一组 (乙片's parent) in overlaps.
        ("B", "企业", "u5", ("一组", "一组乙片", "企业组"), []),
        # 丙区机关: nobody; the bureau by id although its county matches nothing.
        ("C", "机关", "u6", (), []),
        ("C", "机关", "edu-bureau", ("教育组",), []),
    ],
)
def test_covering_by_hand(
    county: str, sector: str | None, unit_id: str, groups: tuple[str, ...], clash: list[Any]
) -> None:
    found = covering(FOREST, county=county, sector=sector, unit_id=unit_id)
    assert found == groups
    assert list(clashes(FOREST, found)) == clash


def test_subgroups_that_share_a_unit_clash_below_their_parent() -> None:
    campaign = _campaign(
        G("一组", "甲", subgroups=("x", "y")),
        G("x", "乙", counties=("A",)),
        G("y", "丙", sectors=("学校",)),
    )
    found = covering(campaign, county="A", sector="学校", unit_id="u")
    assert found == ("一组", "x", "y")
    assert list(clashes(campaign, found)) == [("x", "y")]  # not 一组 against either


def test_top_groups_and_lineage() -> None:
    assert [g.name for g in top_groups(FOREST)] == ["一组", "教育组", "企业组"]
    assert lineage(FOREST, "一组乙片") == ("一组乙片", "一组")
    assert lineage(FOREST, "教育组") == ("教育组",)


# --- the example campaign: the seed's six groups ------------------------------------------

ZZ = REPO / "examples" / "zhengzhou"
DISTRICTS_1 = {"410102", "410103", "410104", "410105", "410106", "410108"}
DISTRICTS_2 = {"410122", "410181", "410182", "410183", "410184", "410185"}
ZONES = {"4101ZD", "4101JK", "4101GX", "4101HK"}
BY_SECTOR = {"学校": "第四联络组", "医院": "第五联络组", "企业": "第六联络组"}
BUREAUS = {"sz-education-bureau": "第四联络组", "sz-health-commission": "第五联络组"}


def _expected(unit_id: str, county: str, sector: str | None) -> str:
    """The seed's structure, written out independently of [[groups]]."""
    if unit_id in BUREAUS:
        return BUREAUS[unit_id]
    if unit_id == "sz-sasac":
        return "第六联络组"
    if sector is not None:
        return BY_SECTOR[sector]  # only schools, hospitals and enterprises name theirs
    if county in DISTRICTS_1:
        return "第一联络组"
    if county in DISTRICTS_2:
        return "第二联络组"
    assert county in ZONES, unit_id
    return "第三联络组"


def test_every_example_unit_belongs_to_its_expected_group() -> None:
    campaign = load_campaign(ZZ / "campaign.toml")
    files = sorted((ZZ / "units").rglob("*.toml"))
    report = validate(files, campaign=campaign, today=dt.date(2023, 11, 20))
    units = [r.unit for r in report.results if r.unit is not None]
    assert len(units) == 57
    assert len(top_groups(campaign)) == 6
    assert len(campaign.groups) == 8  # 第一联络组 in two 片
    for unit in units:
        tops = [g for g in unit_groups(campaign, unit) if g.startswith("第") and g.endswith("组")]
        assert tops == [_expected(unit.id, unit.county, unit.sector)], unit.id
    assert sum(u.sector is not None for u in units) == 14
    assert not [p for p in report.problems if p.code in ("W408", "W409")]


# --- campaign.toml: groups that cannot work stop the campaign ------------------------------

GROUPS = """
[[groups]]
name = "一组"
contact = "赵建国 <zjg@example.cn>"
counties = ["410103"]
"""


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('sectors = ["小学"]', 'names the sector "小学" in sectors, which does not exist'),
        ('subgroups = ["三组"]', 'names the group "三组" in subgroups, which does not exist'),
        ('overlaps = ["三组"]', 'names the group "三组" in overlaps, which does not exist'),
        (
            'subgroups = ["二组"]\n[[groups]]\nname = "二组"\ncontact = "x"\nsubgroups = ["二组"]',
            'the group "二组" is its own subgroup',
        ),
        ('name = "一组"', 'the group name "一组" is used twice'),
    ],
)
def test_groups_that_cannot_work_stop_the_campaign(
    campaign_dir: Callable[..., Path], extra: str, message: str
) -> None:
    text = (
        CAMPAIGN_TOML
        + GROUPS
        + '\n[[groups]]\ncontact = "钱"\n'
        + (extra if extra.startswith("name") else f'name = "二组"\n{extra}')
    )
    folder = campaign_dir(text)
    with pytest.raises(ConfigError) as caught:
        load_campaign(folder / "campaign.toml")
    assert message in " ".join(p.message for p in caught.value.problems)


def test_a_subgroup_has_one_parent(campaign_dir: Callable[..., Path]) -> None:
    text = (
        CAMPAIGN_TOML
        + GROUPS
        + (
            '[[groups]]\nname = "二组"\ncontact = "x"\nsubgroups = ["四组"]\n'
            '[[groups]]\nname = "三组"\ncontact = "x"\nsubgroups = ["四组"]\n'
            '[[groups]]\nname = "四组"\ncontact = "x"\n'
        )
    )
    with pytest.raises(ConfigError) as caught:
        load_campaign(campaign_dir(text) / "campaign.toml")
    (problem,) = caught.value.problems
    assert problem.message == 'the group "四组" is a subgroup of both "二组" and "三组"'


def test_a_county_no_longer_listed_covers_nothing(
    cli: Callable[..., Result], campaign_dir: Callable[..., Path], write_unit: Callable[..., Path]
) -> None:
    """Removing a county from [[counties]] must not stop the campaign (its units fail E201)."""
    folder = campaign_dir(CAMPAIGN_TOML + GROUPS.replace('"410103"', '"410199"'))
    assert load_campaign(folder / "campaign.toml").groups[0].counties == ("410199",)
    write_unit("a.toml", VALID_UNIT)
    assert _validate(cli, folder) == [
        (
            "W410",
            18,
            '[[groups]] #1 names the county "410199", which [[counties]] does not list: '
            "the group covers nothing there; the counties are 410103 二七区, 410105 金水区",
        ),
        ("W408", 3, "no liaison group covers this unit (county 二七区, sector none)"),
    ]


def test_groups_load_with_county_names_as_codes(campaign_dir: Callable[..., Path]) -> None:
    text = CAMPAIGN_TOML + GROUPS.replace('"410103"', '"金水区"')
    campaign = load_campaign(campaign_dir(text) / "campaign.toml")
    assert campaign.groups == (G("一组", "赵建国 <zjg@example.cn>", counties=("410105",)),)


# --- unit files: the sector, and the warnings ----------------------------------------------


def _unit(sector: str | None) -> str:
    line = f'sector = "{sector}"\n' if sector else ""
    return VALID_UNIT.replace('level = "grassroots"\n', f'level = "grassroots"\n{line}')


def _validate(cli: Callable[..., Result], folder: Path) -> list[tuple[str, int, str]]:
    result = cli("validate", folder, "--format", "json")
    return [(p["code"], p["line"], p["message"]) for p in json.loads(result.out)["problems"]]


def test_sector_is_one_of_the_campaigns(
    cli: Callable[..., Result], campaign_dir: Callable[..., Path], write_unit: Callable[..., Path]
) -> None:
    folder = campaign_dir(CAMPAIGN_TOML.replace("timezone", 'sectors = ["学校", "医院"]\ntimezone'))
    write_unit("a.toml", _unit("小学"))
    write_unit("b.toml", _unit("学校").replace("erqi-test", "b"))
    ((code, line, message),) = _validate(cli, folder)
    assert (code, line) == ("E214", 8)
    assert message == 'unknown sector "小学": campaign.toml lists 学校, 医院'


def test_uncovered_and_shared_units_are_warned_of(
    cli: Callable[..., Result], campaign_dir: Callable[..., Path], write_unit: Callable[..., Path]
) -> None:
    folder = campaign_dir(
        CAMPAIGN_TOML
        + GROUPS
        + '[[groups]]\nname = "四组"\ncontact = "x"\nsectors = ["学校"]\n'
        + '[[groups]]\nname = "六组"\ncontact = "x"\nsectors = ["企业"]\noverlaps = ["一组"]\n'
    )
    write_unit("school.toml", _unit("学校").replace("erqi-test", "school"))
    write_unit("firm.toml", _unit("企业").replace("erqi-test", "firm"))
    jinshui = _unit("机关").replace("erqi-test", "jinshui").replace('"410103"', '"410105"')
    (folder / "units" / "410105").mkdir()
    (folder / "units" / "410105" / "jinshui.toml").write_text(jinshui, encoding="utf-8")
    found = sorted(_validate(cli, folder))
    assert found == [
        ("W408", 3, 'no liaison group covers this unit (county 金水区, sector "机关")'),
        ("W409", 3, 'the liaison groups "一组" and "四组" both cover this unit'),
    ]


def test_without_groups_nothing_is_warned(
    cli: Callable[..., Result], campaign_dir: Callable[..., Path], write_unit: Callable[..., Path]
) -> None:
    folder = campaign_dir()
    write_unit("a.toml", _unit("企业"))
    assert _validate(cli, folder) == []
