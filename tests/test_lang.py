"""One language setting: `[campaign] lang`, overridden by a locale that names a language,
and by --lang.

The example campaign says lang = "zh"; conftest gives every other test an English-speaking
session (LC_MESSAGES=en_US.UTF-8), so these tests set the locale they mean.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.cells import cell_len
from tests.conftest import REPO, Result

from checklist.i18n import Lang, choose_lang

EXAMPLE = REPO / "examples" / "zhengzhou"
CJK = re.compile(r"[\u4e00-\u9fff]")
LOCALES = ("LC_ALL", "LC_MESSAGES", "LANG")


def _locale(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    for name in LOCALES:
        monkeypatch.delenv(name, raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize(
    ("environment", "flag", "configured", "expected"),
    [
        ({}, None, None, Lang.EN),  # nothing says: English
        ({}, None, "zh", Lang.ZH),  # cron: no locale at all, the campaign's
        ({"LANG": "C.UTF-8"}, None, "zh", Lang.ZH),  # CI containers
        ({"LANG": "POSIX"}, None, "zh", Lang.ZH),
        ({"LC_ALL": "C"}, None, "zh", Lang.ZH),
        ({"LANG": "en_US.UTF-8"}, None, "zh", Lang.EN),  # a locale naming a language wins
        ({"LANG": "zh_CN.GBK"}, None, "en", Lang.ZH),
        ({"LANG": "zh_TW.UTF-8@stroke"}, None, None, Lang.ZH),
        ({"LANG": "zh_CN.UTF-8", "LC_MESSAGES": "en_GB.UTF-8"}, None, None, Lang.EN),
        ({"LC_MESSAGES": "en_GB.UTF-8", "LC_ALL": "zh_CN.UTF-8"}, None, None, Lang.ZH),
        ({"LANG": "zh_CN.UTF-8"}, "en", "zh", Lang.EN),  # --lang beats everything
        ({"LANG": "en_US.UTF-8"}, "zh", "en", Lang.ZH),
    ],
)
def test_choose_lang_flag_then_a_named_locale_then_the_campaign(
    monkeypatch: pytest.MonkeyPatch,
    environment: dict[str, str],
    flag: str | None,
    configured: str | None,
    expected: Lang,
) -> None:
    _locale(monkeypatch, **environment)
    assert choose_lang(flag, configured) is expected


def test_the_example_speaks_chinese_under_cron(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """cron runs with no LANG at all: every command speaks the campaign's language."""
    _locale(monkeypatch)
    status = cli("status", EXAMPLE)
    assert status.code == 0, status.err
    assert status.out.splitlines()[0].split()[:3] == ["区县", "单位", "措施"]
    assert status.out.splitlines()[-1].startswith("逾期 51 项")
    rollup = cli("rollup", EXAMPLE)
    assert "全市合计" in rollup.out
    valid = cli("validate", EXAMPLE)
    assert valid.out.splitlines()[-1] == "全部通过:检查了 57 个文件,没有发现问题。"
    remind = cli("remind", EXAMPLE)
    assert remind.code == 0, remind.err
    assert "收件人:" in remind.out
    assert "主题:【郑州市第二批主题教育】" in remind.out
    assert "To:" not in remind.out


@pytest.mark.parametrize(
    ("how", "environment"),
    [(("--lang", "en"), {}), ((), {"LANG": "en_US.UTF-8"})],
    ids=["flag", "locale"],
)
def test_lang_en_or_an_english_locale_overrides_the_campaign(
    cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
    how: tuple[str, ...],
    environment: dict[str, str],
) -> None:
    _locale(monkeypatch, **environment)
    status = cli("status", EXAMPLE, *how)
    assert status.out.splitlines()[0].split()[:3] == ["County", "Unit", "Measure"]
    valid = cli("validate", EXAMPLE, *how)
    assert valid.out.splitlines()[-1] == "All good: 57 files checked, no problems."


def test_validate_json_says_its_language(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    _locale(monkeypatch)
    assert json.loads(cli("validate", EXAMPLE, "-f", "json").out)["lang"] == "zh"
    assert json.loads(cli("validate", EXAMPLE, "-f", "json", "--lang", "en").out)["lang"] == "en"


def _broken_campaign(tmp_path: Path, lang: str) -> Path:
    folder = tmp_path / "campaign"
    (folder / "units").mkdir(parents=True)
    (folder / "campaign.toml").write_text(
        f'[campaign]\nname = "测试"\nstart = 2023-09-09\nend = 2023-01-31\nlang = "{lang}"\n'
        '[[counties]]\ncode = "410102"\nname = "中原区"\nexpected_units = "3"\n',
        encoding="utf-8",
    )
    return folder


def test_a_broken_campaign_toml_is_reported_in_its_own_language(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _locale(monkeypatch)
    folder = _broken_campaign(tmp_path, "zh")
    result = cli("validate", folder)
    assert result.code == 2
    assert "错误[E103]" in result.err
    assert "error[E103]" not in result.err
    assert result.err.splitlines()[-1].endswith("有问题(见上);改好之前,任何单位都无法检查和统计")
    english = cli("validate", folder, "--lang", "en")
    assert "error[E103]" in english.err
    as_json = cli("validate", folder, "--format", "json")
    assert json.loads(as_json.out)["lang"] == "zh"


def test_a_fitted_table_says_in_chinese_what_it_hid(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    _locale(monkeypatch)
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich draws its table, as on a terminal
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "80")
    lines = cli("status", EXAMPLE).out.splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    note = next(line for line in lines if line.startswith("为适应窗口宽度"))
    assert note == "为适应窗口宽度,隐藏了:措施、责任人。加 --wide 显示全部列。"
    header = next(line for line in lines if "区县" in line)
    assert "措施" not in header
    assert "责任人" not in header
