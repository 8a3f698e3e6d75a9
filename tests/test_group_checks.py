"""campaign.toml's groups checked: an unknown county (W410) and a contact's address (W411)
are warnings in campaign.toml, located and in both languages, that do not stop the campaign;
[bulletin] is checked like every campaign.toml table."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from checklist.errors import ConfigError
from checklist.load.campaign import load_campaign
from conftest import CAMPAIGN_TOML, VALID_UNIT, Result


def _groups(counties: str = '"410103"', contact: str = "赵建国 <zjg@example.cn>") -> str:
    return f'\n[[groups]]\nname = "一组"\ncontact = "{contact}"\ncounties = [{counties}]\n'


def _problems(cli: Callable[..., Result], folder: Path, *args: str) -> list[dict[str, object]]:
    result = cli("validate", folder, "--format", "json", *args)
    problems: list[dict[str, object]] = json.loads(result.out)["problems"]
    return problems


def test_an_unknown_county_is_named_with_the_known_ones(
    cli: Callable[..., Result], campaign_dir: Callable[..., Path], write_unit: Callable[..., Path]
) -> None:
    # 金水区 by name and 410103 by code are known; 410l03 (a letter l) and 999999 are not.
    folder = campaign_dir(CAMPAIGN_TOML + _groups('"410103", "金水区", "410l03", "999999"'))
    write_unit("a.toml", VALID_UNIT)

    result = cli("validate", folder, "--format", "json")

    assert result.code == 0  # a warning: the campaign loads and its unit is checked
    problems = json.loads(result.out)["problems"]
    listed = "410103 二七区, 410105 金水区"
    # counties = ["410103", "金水区", "410l03", "999999"] on line 18: 12 + 10 + 7 = 29 chars
    # before the first unknown, 10 more before the second.
    assert [(p["file"], p["line"], p["column"], p["code"]) for p in problems] == [
        (str(folder / "campaign.toml"), 18, 30, "W410"),
        (str(folder / "campaign.toml"), 18, 40, "W410"),
    ]
    first, second = problems
    assert first["message"] == (
        '[[groups]] #1 names the county "410l03", which [[counties]] does not list: '
        f"the group covers nothing there; the counties are {listed}"
    )
    assert first["hint"] == 'did you mean "410103"?'
    assert second["hint"] == "write one of the county codes (or names) above, or remove it"
    assert cli("validate", folder, "--strict").code == 1
    assert cli("rollup", folder, "--as-of", "2023-11-20").code == 0  # nothing else stops


def test_the_warning_in_chinese(
    cli: Callable[..., Result], campaign_dir: Callable[..., Path], write_unit: Callable[..., Path]
) -> None:
    folder = campaign_dir(CAMPAIGN_TOML + _groups('"999999"'))
    write_unit("a.toml", VALID_UNIT)

    (problem, uncovered) = _problems(cli, folder, "--lang", "zh")

    assert problem["message"] == (
        '第 1 个联络组的 counties 里写的 "999999" 不在 [[counties]] 名单里,'
        "这个组在那里管不到任何单位;名单里有:410103 二七区、410105 金水区"
    )
    assert problem["hint"] == "改成上面名单里的县(市、区)代码或名称,或者删掉它"
    assert uncovered["code"] == "W408"  # the unit its group no longer covers


@pytest.mark.parametrize(
    ("contact", "warned"),
    [
        ("赵建国", False),  # a name alone: no address to check
        ("赵建国 <zjg@example.cn>", False),
        ("zjg@example.cn", False),
        ("二组 <https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc>", False),
        ("二组 <http://10.0.0.5:8080/hook>", False),
        ("赵建国 <zjg@example>", True),  # no dot in the domain
        ("赵建国 zjg@example.cn", True),  # no angles around the address
        ("赵建国 <zjg@example.cn", True),  # an angle left open
        ("二组 <ftp://example.cn/hook>", True),  # no channel posts there
        ("二组 <https://>", True),  # no host
        ("二组 <https://exa mple.cn/hook>", True),
    ],
)
def test_a_group_contacts_address_is_an_email_or_a_webhook(
    campaign_dir: Callable[..., Path], contact: str, warned: bool
) -> None:
    campaign = load_campaign(
        campaign_dir(CAMPAIGN_TOML + _groups(contact=contact)) / "campaign.toml"
    )

    found = [(p.code, p.line, p.column) for p in campaign.warnings]

    assert found == ([("W411", 17, 11)] if warned else [])
    if warned:
        (problem,) = campaign.warnings
        assert problem.message == (
            f'the contact "{contact}" of [[groups]] #1 has no address its digest can go to: '
            "write an e-mail address or a webhook URL"
        )
        assert problem.message_zh.startswith(f'第 1 个联络组的联系人 "{contact}" 的地址不对')


def test_an_error_beside_the_warnings_stops_the_campaign_and_shows_both(
    campaign_dir: Callable[..., Path],
) -> None:
    text = CAMPAIGN_TOML.replace('timezone = "Asia/Shanghai"', 'timezone = "Asia/Beijing"')
    with pytest.raises(ConfigError) as caught:
        load_campaign(campaign_dir(text + _groups('"410199"')) / "campaign.toml")
    assert sorted(p.code for p in caught.value.problems) == ["E213", "W410"]


def test_the_hook_blames_the_commit_that_changes_campaign_toml(
    cli: Callable[..., Result], campaign_dir: Callable[..., Path], write_unit: Callable[..., Path]
) -> None:
    folder = campaign_dir(CAMPAIGN_TOML + _groups('"410199"'))
    unit = write_unit("a.toml", VALID_UNIT.replace('contact = "王红"', 'contact = "王红"'))

    changed = cli("validate", "--hook", "--strict", folder / "campaign.toml")
    untouched = cli("validate", "--hook", "--strict", unit)

    assert changed.code == 1
    assert "W410" in changed.out
    assert "W410" not in untouched.out  # another commit's: said on stderr as others' problems


@pytest.mark.parametrize("key", ["office", "title", "number"])
def test_a_blank_bulletin_value_stops_the_campaign(
    campaign_dir: Callable[..., Path], key: str
) -> None:
    text = CAMPAIGN_TOML + f'\n[bulletin]\n{key} = "  "\n'
    with pytest.raises(ConfigError) as caught:
        load_campaign(campaign_dir(text) / "campaign.toml")
    (problem,) = caught.value.problems
    assert (problem.code, problem.line, problem.message) == (
        "E213",
        16,
        f"[bulletin] {key} is empty",
    )
    assert problem.message_zh == f"[bulletin] 里的 {key} 是空的"


def test_bulletin_settings_load(campaign_dir: Callable[..., Path]) -> None:
    text = CAMPAIGN_TOML + '\n[bulletin]\noffice = "市委主题教育办"\nnumber = "郑主教办"\n'
    settings = load_campaign(campaign_dir(text) / "campaign.toml").bulletin
    assert (settings.office, settings.title, settings.number) == (
        "市委主题教育办",
        None,
        "郑主教办",
    )


def test_an_unknown_bulletin_key_is_refused(campaign_dir: Callable[..., Path]) -> None:
    with pytest.raises(ConfigError) as caught:
        load_campaign(
            campaign_dir(CAMPAIGN_TOML + '\n[bulletin]\noffise = "x"\n') / "campaign.toml"
        )
    assert [p.code for p in caught.value.problems] == ["E101"]
