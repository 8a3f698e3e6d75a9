"""campaign.toml's own checks speak Chinese to the office staff, and every rule has a summary.

Each problem campaign.py finds is triggered by a real campaign.toml and read back from
`checklist validate --lang zh --format json`: the message is Chinese, keeps the English
one's facts (the key, the value, the guess), points at the same place, and has a hint
exactly when the English has one. SARIF carries the Chinese summaries under --lang zh.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from checklist.rules.registry import RULES
from conftest import CAMPAIGN_TOML, VALID_UNIT, Result

REPO = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u4e00-\u9fff]")

SMTP = '[smtp]\nhost = "smtp.example.cn"\nsender = "office@example.cn"\n'
WEBHOOK = '[webhook]\nurl = "https://example.cn/hook"\n'

# (name, campaign.toml, the code, facts the Chinese message keeps, facts its hint keeps)
CASES: list[tuple[str, str, str, tuple[str, ...], tuple[str, ...]]] = [
    (
        "dates-reversed",
        CAMPAIGN_TOML.replace("start = 2023-09-09", "start = 2024-01-31").replace(
            "end = 2024-01-31", "end = 2023-09-09"
        ),
        "E213",
        ("2023-09-09", "2024-01-31", "结束"),
        ("start = 2023-09-09", "end = 2024-01-31"),
    ),
    (
        "unknown-zone",
        (REPO / "examples/invalid/E213-bad-config-value/campaign.toml").read_text("utf-8"),
        "E213",
        ('"Asia/Beijing"', "时区"),
        ('timezone = "Asia/Shanghai"',),
    ),
    (
        "no-measures",
        "measures = []\n" + CAMPAIGN_TOML,
        "E213",
        ("measures", "措施"),
        ("[[measures]]", "理论学习", "建章立制"),
    ),
    (
        "measure-key-unusable",
        CAMPAIGN_TOML + '[[measures]]\nkey = "Study"\nname = "理论学习"\n',
        "E213",
        ('"Study"', '"理论学习"', "key"),
        ("小写", "unit", "people", 'key = "study"'),
    ),
    (
        "measure-key-reserved",
        CAMPAIGN_TOML + '[[measures]]\nkey = "people"\nname = "调查研究"\n',
        "E213",
        ('"people"', '"调查研究"', "[people]"),
        ("unit", "people"),
    ),
    (
        "measure-key-twice",
        CAMPAIGN_TOML
        + '[[measures]]\nkey = "study"\nname = "理论学习"\n'
        + '[[measures]]\nkey = "study"\nname = "调查研究"\n',
        "E213",
        ('"study"', "第 1 个", "第 2 个", "[[measures]]", "key"),
        ("key", "一次"),
    ),
    (
        "no-counties",
        "counties = []\n" + CAMPAIGN_TOML.split("[[counties]]")[0],
        "E102",
        ("counties", "县"),
        ("[[counties]]", 'code = "410103"'),
    ),
    (
        "county-code-twice",
        CAMPAIGN_TOML.replace('code = "410105"', 'code = "410103"'),
        "E213",
        ('"410103"', "第 1 个", "第 2 个", "[[counties]]", "code"),
        ("code", "一次"),
    ),
    (
        "county-name-twice",
        CAMPAIGN_TOML.replace('name = "金水区"', 'name = "二七区"'),
        "E213",
        ('"二七区"', "第 1 个", "第 2 个", "name"),
        ("name", "一次"),
    ),
    (
        "expected-units-negative",
        CAMPAIGN_TOML + "expected_units = -3\n",
        "E213",
        ("expected_units", "-3", '"金水区"', "负数"),
        (),
    ),
    (
        "campaign-lang",
        CAMPAIGN_TOML.replace("[[counties]]", 'lang = "cn"\n\n[[counties]]', 1),
        "E213",
        ('lang = "cn"', '"zh"', '"en"', "中文"),
        ('lang = "zh"', 'lang = "en"'),
    ),
    (
        "smtp-security",
        CAMPAIGN_TOML + SMTP + 'security = "ssl"\n',
        "E213",
        ('security = "ssl"', '"starttls"', '"tls"', '"none"'),
        ('security = "tls"',),
    ),
    (
        "webhook-format",
        CAMPAIGN_TOML + WEBHOOK + 'format = "wechat"\n',
        "E213",
        ('format = "wechat"', '"wecom"', "企业微信", "钉钉"),
        ('format = "dingtalk"',),
    ),
    (
        "subject-unknown-field",
        CAMPAIGN_TOML + '[remind]\nsubject = "{campaign}:{who}"\n',
        "E213",
        ("subject", '"{who}"', "标题"),
        ("{campaign}", "{name}", "{overdue}", "{soon}", "{date}"),
    ),
    (
        "escalation-subject-unpaired",
        CAMPAIGN_TOML + '[remind]\nescalation_subject = "{unit 逾期"\n',
        "E213",
        ("escalation_subject", "成对", "{{"),
        ("{unit}", "{count}", "{days}"),
    ),
    (
        "subject-empty-braces",
        CAMPAIGN_TOML + '[remind]\nsubject = "{} 项逾期"\n',
        "E213",
        ("subject", "{}"),
        ("{campaign}",),
    ),
    (
        # Once an internal error (exit 3): str.format raised AttributeError.
        "subject-attribute",
        CAMPAIGN_TOML + '[remind]\nsubject = "{name.x}"\n',
        "E213",
        ("subject", "符号"),
        ("{name}",),
    ),
    (
        "unknown-channel",
        CAMPAIGN_TOML + '[remind]\nchannels = ["sms"]\n',
        "E213",
        ('"sms"', "发送方式"),
        ('"email"', '"webhook"', "邮件"),
    ),
    (
        "channel-without-table",
        CAMPAIGN_TOML + '[remind]\nchannels = ["email"]\n',
        "E213",
        ('"email"', "[smtp]"),
        ("[smtp]", "docs/format.md", "channels"),
    ),
    (
        "advance-days",
        CAMPAIGN_TOML + "[remind]\nadvance_days = [7, 400]\n",
        "E213",
        ("advance_days", "400", "366"),
        ("0", "7"),
    ),
    (
        "overdue-every",
        CAMPAIGN_TOML + "[remind]\noverdue_every = 0\n",
        "E213",
        ("overdue_every", "1", "0"),
        (),
    ),
    (
        "escalate-after",
        CAMPAIGN_TOML + "[remind]\nescalate_after = -2\n",
        "E213",
        ("escalate_after", "1", "-2"),
        (),
    ),
    (
        "smtp-timeout",
        CAMPAIGN_TOML + SMTP + "timeout = 0\n",
        "E213",
        ("[smtp]", "timeout", "600", "0"),
        (),
    ),
    (
        "webhook-timeout",
        CAMPAIGN_TOML + WEBHOOK + "timeout = 700\n",
        "E213",
        ("[webhook]", "timeout", "600", "700"),
        (),
    ),
    (
        "smtp-port",
        CAMPAIGN_TOML + SMTP + "port = 70000\n",
        "E213",
        ("port = 70000", "65535"),
        ("465", "587", "25"),
    ),
    (
        "webhook-both",
        CAMPAIGN_TOML + WEBHOOK + 'url_env = "HOOK_URL"\n',
        "E213",
        ("url", "url_env", "两个都写了"),
        ('url = "https://…"', "url_env"),
    ),
    (
        "webhook-neither",
        CAMPAIGN_TOML + '[webhook]\nformat = "wecom"\n',
        "E213",
        ("url", "url_env", "两个都没写"),
        ('url = "https://…"', "url_env"),
    ),
    (
        "webhook-not-http",
        CAMPAIGN_TOML + '[webhook]\nurl = "ftp://example.cn/hook"\n',
        "E213",
        ('"ftp://example.cn/hook"', "https://", "网址"),
        ("https://",),
    ),
]


def _problems(cli: Callable[..., Result], folder: Path, lang: str) -> list[dict[str, Any]]:
    result = cli("validate", folder, "--format", "json", "--lang", lang)
    assert result.code == 2, result.err
    return json.loads(result.out)["problems"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("text", "code", "facts", "hint_facts"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_each_campaign_problem_speaks_chinese_to_the_office(
    cli: Callable[..., Result],
    campaign_dir: Callable[..., Path],
    text: str,
    code: str,
    facts: tuple[str, ...],
    hint_facts: tuple[str, ...],
) -> None:
    folder = campaign_dir(text)
    english, chinese = _problems(cli, folder, "en"), _problems(cli, folder, "zh")
    assert [p["code"] for p in english] == [code], english  # only the problem meant
    (en,), (zh,) = english, chinese
    assert (zh["line"], zh["column"], zh["end_column"]) == (
        en["line"],
        en["column"],
        en["end_column"],
    )
    assert CJK.search(zh["message"]), zh["message"]
    assert zh["message"] != en["message"]
    for fact in facts:
        assert fact in zh["message"], (fact, zh["message"])
    assert (zh["hint"] is None) == (en["hint"] is None)
    assert bool(hint_facts) == (en["hint"] is not None)  # the table above says which have one
    if en["hint"] is not None:
        assert CJK.search(zh["hint"]), zh["hint"]
        for fact in hint_facts:
            assert fact in zh["hint"], (fact, zh["hint"])


def test_the_text_report_speaks_chinese_too(
    cli: Callable[..., Result], campaign_dir: Callable[..., Path]
) -> None:
    folder = campaign_dir(CAMPAIGN_TOML + "[remind]\nadvance_days = [400]\n")
    result = cli("validate", folder, "--lang", "zh")
    assert result.code == 2
    assert "提前提醒天数 advance_days 里写了 400" in result.err
    assert "怎么改:0 表示截止当天提醒" in result.err


def test_every_rule_has_a_chinese_summary() -> None:
    for code, rule in RULES.items():
        assert rule.zh_summary.strip(), code
        assert CJK.search(rule.zh_summary), code
        assert rule.zh_summary.endswith("。"), code  # one whole sentence


def _sarif_rules(cli: Callable[..., Result], *args: str | Path) -> dict[str, dict[str, Any]]:
    result = cli("validate", *args, "--format", "sarif")
    assert result.code == 0, result.err
    (run,) = json.loads(result.out)["runs"]
    return {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}


def test_sarif_in_chinese_carries_the_chinese_summaries(
    cli: Callable[..., Result], write_unit: Callable[..., Path]
) -> None:
    unit = write_unit("erqi-test.toml", VALID_UNIT)
    rules = _sarif_rules(cli, unit, "--lang", "zh")
    assert list(rules) == list(RULES)
    for code, rule in RULES.items():
        assert rules[code]["shortDescription"]["text"] == rule.zh_summary
        assert rules[code]["fullDescription"]["text"].startswith(rule.zh_summary)
        assert rules[code]["help"]["text"].startswith(rule.zh_summary)
    english = _sarif_rules(cli, unit, "--lang", "en")
    for code, rule in RULES.items():
        assert english[code]["shortDescription"]["text"] == rule.summary


def test_sarif_follows_the_campaigns_lang_when_the_locale_names_none(
    cli: Callable[..., Result],
    campaign_dir: Callable[..., Path],
    write_unit: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    campaign_dir(CAMPAIGN_TOML.replace("[[counties]]", 'lang = "zh"\n\n[[counties]]', 1))
    unit = write_unit("erqi-test.toml", VALID_UNIT)
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert _sarif_rules(cli, unit)["E213"]["shortDescription"]["text"] == RULES["E213"].zh_summary
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert _sarif_rules(cli, unit)["E213"]["shortDescription"]["text"] == RULES["E213"].summary


def test_the_rules_doc_gives_each_chinese_summary_and_says_how_to_get_chinese() -> None:
    doc = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    intro = doc.split("\n## ", 1)[0]
    for needle in ('lang = "zh"', "--lang zh", "LANG=zh_CN.UTF-8", "en_US.UTF-8", "C", "POSIX"):
        assert needle in intro, needle
    assert CJK.search(intro)
    for code, rule in RULES.items():
        section = doc.split(f"\n## {code} {rule.name}\n", 1)[1].split("\n## ", 1)[0]
        assert rule.summary in section, code
        assert rule.zh_summary in section, code
        assert section.index(rule.summary) < section.index(rule.zh_summary), code
