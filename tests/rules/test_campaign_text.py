"""Text from campaign.toml follows the rules of unit text: checked when read, escaped when shown.

Every text field of campaign.toml is tried with every kind of hidden character (a
located config error, exit 2); text that is valid but hostile to an output format
(formulas, HTML, Markdown) is tried in every output format; and the renderers
are tried directly with what validation would refuse, in case text reaches them
another way.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import VALID_UNIT

FULL_CAMPAIGN = """\
[campaign]
name = "测试主题教育"
start = 2023-09-09
end = 2024-01-31
timezone = "Asia/Shanghai"
exclude = ["drafts/*"]

[[measures]]
key = "study"
name = "理论学习"

[[measures]]
key = "research"
name = "调查研究"

[[measures]]
key = "development"
name = "推动发展"

[[measures]]
key = "rectification"
name = "检视整改"

[[measures]]
key = "institutions"
name = "建章立制"

[[counties]]
code = "410103"
name = "二七区"

[remind]
lang = "zh"
channels = ["email"]
subject = "{campaign}: {name}"
escalation_subject = "{campaign}: {unit}"

[smtp]
host = "smtp.example.cn"
sender = "办公室 <office@example.cn>"
user = "office"
password_env = "SMTP_PASSWORD"
ca_file = "ca.pem"

[webhook]
url = "https://example.cn/hook"
format = "generic"
"""
TEXT_LINES = [
    n for n, line in enumerate(FULL_CAMPAIGN.splitlines(), 1) if re.search(r'= \[?"', line)
]
HIDDEN = {
    "escape": "\\u001b[31m",
    "bell": "\\u0007",
    "newline": "\\n",
    "rtl-override": "\\u202e",
    "zero-width-space": "\\u200b",
    "line-separator": "\\u2028",
    "tag": "\\U000E0041",
    "soft-hyphen": "\\u00ad",
}


def _inject(line: int, escape: str) -> str:
    lines = FULL_CAMPAIGN.splitlines()
    at = lines[line - 1].index('"') + 1
    lines[line - 1] = lines[line - 1][:at] + escape + lines[line - 1][at:]
    return "\n".join(lines) + "\n"


def test_the_full_campaign_is_valid(
    cli, campaign_dir: Callable[..., Path], write_unit: Callable[..., Path]
) -> None:
    folder = campaign_dir(FULL_CAMPAIGN)
    write_unit("erqi-test.toml", VALID_UNIT)
    assert cli("validate", folder).code == 0
    assert len(TEXT_LINES) == 26


@pytest.mark.parametrize("line", TEXT_LINES)
@pytest.mark.parametrize("kind", sorted(HIDDEN))
def test_hidden_characters_in_any_campaign_text_are_a_located_config_error(
    cli, campaign_dir: Callable[..., Path], write_unit: Callable[..., Path], line: int, kind: str
) -> None:
    folder = campaign_dir(_inject(line, HIDDEN[kind]))
    write_unit("erqi-test.toml", VALID_UNIT)
    for command in ("validate", "rollup"):  # every command loads the campaign the same way
        result = cli(command, folder)
        assert result.code == 2, (command, result)
        assert f"campaign.toml:{line}:" in result.err
        assert "error[E204]" in result.err
        assert "\x1b[31m" not in result.err + result.out
    report = cli("validate", folder, "--format", "json")
    assert report.code == 2
    assert '"code": "E204"' in report.out


# Valid text (no hidden characters) that means something to a spreadsheet, HTML or Markdown.
HOSTILE_NAMES = {
    "campaign": "<script>alert(1)</script>",
    "county": '=HYPERLINK(\\"http://x\\")',
    "measure": "@SUM(A1) <img src=x onerror=alert(1)> | **b**",
}


def _hostile_campaign() -> str:
    text = FULL_CAMPAIGN.replace('name = "测试主题教育"', f'name = "{HOSTILE_NAMES["campaign"]}"')
    text = text.replace('name = "二七区"', f'name = "{HOSTILE_NAMES["county"]}"')
    text = text.replace('name = "理论学习"', f'name = "{HOSTILE_NAMES["measure"]}"')
    return text.replace('channels = ["email"]\n', "")


@pytest.fixture
def hostile(campaign_dir: Callable[..., Path], write_unit: Callable[..., Path]) -> Path:
    folder = campaign_dir(_hostile_campaign())
    write_unit("erqi-test.toml", VALID_UNIT)
    return folder


@pytest.mark.parametrize(
    "command",
    [
        ("rollup", "--measures"),
        ("rollup", "--by", "measure"),
        ("status", "--all"),
    ],
)
def test_campaign_text_in_csv_never_computes(cli, hostile: Path, command: tuple[str, ...]) -> None:
    result = cli(*command, hostile, "--format", "csv")
    assert result.code == 0
    cells = [c for row in csv.reader(io.StringIO(result.out.lstrip("\ufeff"))) for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")], cells
    assert any(c.startswith(("'=HYPERLINK", "'@SUM")) for c in cells)


@pytest.mark.parametrize(
    "command",
    [
        ("rollup", "--measures"),
        ("rollup", "--by", "measure"),
        ("status", "--all"),
    ],
)
def test_campaign_text_in_markdown_is_text(cli, hostile: Path, command: tuple[str, ...]) -> None:
    result = cli(*command, hostile, "--format", "markdown")
    assert result.code == 0
    assert not re.search(r"(?<!\\)<(img|script)", result.out)
    header, rule = (
        result.out.split("\n")[2:4] if result.out.startswith("**") else (result.out.split("\n")[:2])
    )
    # No extra column from the "|" in a name: as many unescaped bars as the rule has.
    assert len(re.findall(r"(?<!\\)\|", header)) == rule.count("|")


def test_campaign_text_in_remind_is_plain(cli, hostile: Path) -> None:
    result = cli("remind", hostile, "--as-of", "2023-10-31")
    assert result.code == 0
    assert "<script>alert(1)</script>" in result.out  # plain text, shown as written


# --- the renderers, given what validation refuses ---------------------------------

ESCAPES = "\x1b]0;pwned\x07\x1b[2J\u202e\u2028"


def _hostile_rollup():  # type: ignore[no-untyped-def]
    from checklist.i18n import Lang
    from checklist.model import Campaign, County, MeasureDef
    from checklist.render.report import rollup_table
    from checklist.rollup import By, rollup

    campaign = Campaign(
        name=ESCAPES,
        start=dt.date(2023, 9, 9),
        end=dt.date(2024, 1, 31),
        counties=(County("410103", "=1+1" + ESCAPES),),
        measures=(MeasureDef("study", "=2+2<b>|" + ESCAPES),),
    )
    result = rollup([], [], campaign=campaign, by=By.COUNTY)
    return rollup_table(result, campaign, Lang.EN, measures=True, as_of=dt.date(2023, 11, 20))


@pytest.mark.parametrize("writer", ["terminal", "plain", "markdown", "csv"])
def test_no_renderer_passes_control_characters_through(
    writer: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from checklist.render import table as render

    monkeypatch.setenv("FORCE_COLOR", "1")  # rich's own table, as on a terminal
    monkeypatch.setenv("COLUMNS", "400")
    out = io.StringIO()
    {
        "terminal": render.write_terminal,
        "plain": render.write_plain,
        "markdown": render.write_markdown,
        "csv": render.write_csv,
    }[writer](_hostile_rollup(), out)
    text = out.getvalue()
    assert "\x07" not in text
    assert "\x1b]" not in text
    assert "\x1b[2J" not in text
    assert "\u202e" not in text
    assert "\u2028" not in text
    assert "pwned" in text
    if writer == "markdown":
        assert not re.search(r"(?<!\\)<b>", text)
    if writer == "csv":
        assert "'=2+2" in text
        assert "'=1+1" in text
