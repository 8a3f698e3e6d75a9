"""`remind --send` to a real HTTP server on loopback: generic JSON, WeCom and DingTalk robots."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Result
from remind.night import (
    EXPECTED,
    KEYS,
    NO_ADDRESS_SUBJECT,
    WH,
    ZW,
    state_of,
    timed,
    webhook_table,
)
from remind.servers import Hook

# --- 5: generic webhook -------------------------------------------------------------------


def test_webhook_generic_posts_each_message_as_json(
    cli: Callable[..., Result], make_campaign: Callable[..., Path], hook: Hook
) -> None:
    folder = make_campaign(webhook_table(hook.url))

    result = cli("remind", folder, "--send", "--lang", "zh")

    assert result.code == 0, result.err  # a webhook needs no address: 刘洋 gets his too
    assert result.out == result.err == ""
    assert len(hook.posts) == 5
    for post in hook.posts:
        assert post.path == "/hook"
        assert post.headers["Content-Type"].split(";")[0] == "application/json"
    posts = {post.body["key"]: post.body for post in hook.posts}
    assert sorted(posts) == sorted(KEYS)
    zhang = posts[KEYS[1]]
    assert zhang["subject"] == EXPECTED[ZW][0]
    assert zhang["body"] == EXPECTED[ZW][1]
    assert zhang["kind"] == "owner"
    assert zhang["recipient"] == {"name": "张伟", "address": ZW, "unit": "erqi-office"}
    assert zhang["cc"] == []
    (task,) = zhang["tasks"]
    assert {k: task[k] for k in ("title", "due", "state", "days_overdue")} == {
        "title": "读书班结业",
        "due": "2023-11-13",
        "state": "overdue",
        "days_overdue": 7,
    }
    (task,) = posts[KEYS[2]]["tasks"]
    assert {k: task[k] for k in ("title", "due", "state", "days_overdue")} == {
        "title": "专题调研报告",
        "due": "2023-11-23",
        "state": "due_soon",
        "days_overdue": None,
    }
    liu = posts[KEYS[0]]
    assert liu["recipient"] == {"name": "刘洋", "address": None, "unit": "erqi-office"}
    assert liu["subject"] == NO_ADDRESS_SUBJECT
    escalation = posts[KEYS[4]]
    assert escalation["kind"] == "escalation"
    assert escalation["recipient"]["address"] == WH
    assert [p["address"] for p in escalation["cc"]] == [ZW]
    assert escalation["subject"] == EXPECTED[WH][0]
    assert escalation["body"] == EXPECTED[WH][1]

    again = cli("remind", folder, "--send", "--lang", "zh")
    assert again.code == 0
    assert len(hook.posts) == 5


def test_webhook_500_fails_and_is_retried_on_the_next_run(
    cli: Callable[..., Result], make_campaign: Callable[..., Path], hook: Hook
) -> None:
    folder = make_campaign(webhook_table(hook.url))
    hook.behaviour = "500"

    failed = cli("remind", folder, "--send", "--lang", "zh")

    assert failed.code == 1
    assert "无法送达(5):" in failed.err
    assert "500" in failed.err
    assert state_of(folder)["delivered"] == {}
    assert len(state_of(folder)["pending"]) == 5

    hook.behaviour = "ok"
    retried = cli("remind", folder, "--send", "--lang", "zh")

    assert retried.code == 0, retried.err
    ok = [p.body["key"] for p in hook.posts if p.behaviour == "ok"]
    assert sorted(ok) == sorted(KEYS)
    assert state_of(folder)["pending"] == {}
    cli("remind", folder, "--send", "--lang", "zh")
    assert len([p for p in hook.posts if p.behaviour == "ok"]) == 5


def test_webhook_slower_than_its_timeout_fails_quickly_and_is_retried(
    cli: Callable[..., Result], make_campaign: Callable[..., Path], hook: Hook
) -> None:
    folder = make_campaign(webhook_table(hook.url, timeout=1))
    hook.behaviour = "slow"

    failed, seconds = timed(cli, "remind", folder, "--send", "--lang", "zh")

    assert failed.code == 1
    assert seconds < 15
    assert "无法送达(5):" in failed.err
    assert state_of(folder)["delivered"] == {}

    hook.behaviour = "ok"
    hook.wake.set()
    retried = cli("remind", folder, "--send", "--lang", "zh")

    assert retried.code == 0, retried.err
    ok = [p.body["key"] for p in hook.posts if p.behaviour == "ok"]
    assert sorted(ok) == sorted(KEYS)


# --- 6: robots ------------------------------------------------------------------------

HOSTILE = "**粗体** <b>x</b> [链接](http://evil)"


def assert_escaped(markdown: str) -> None:
    assert "<b>" not in markdown
    assert "</b>" not in markdown
    assert "**粗体**" not in markdown
    assert "\\*\\*粗体\\*\\*" in markdown
    assert "\\[链接\\](http://evil)" in markdown
    # Apart from the heading, no markdown or HTML character stands unescaped.
    assert not re.search(r"(?<!\\)[*_\[\]<>`|]", markdown), markdown


def test_wecom_robot_gets_markdown_with_text_from_files_escaped(
    cli: Callable[..., Result], make_campaign: Callable[..., Path], hook: Hook
) -> None:
    folder = make_campaign(webhook_table(hook.url, "wecom"), research_title=HOSTILE)

    result = cli("remind", folder, "--send", "--lang", "zh")

    assert result.code == 0, result.err
    assert len(hook.posts) == 5
    for post in hook.posts:
        assert post.headers["Content-Type"].split(";")[0] == "application/json"
        assert post.body.keys() == {"msgtype", "markdown"}
        assert post.body["msgtype"] == "markdown"
        assert post.body["markdown"].keys() == {"content"}
        assert len(post.body["markdown"]["content"].encode()) <= 4096
    contents = [post.body["markdown"]["content"] for post in hook.posts]
    (li,) = [c for c in contents if "李强同志" in c]
    assert li.startswith("### ")
    assert "截止 2023-11-23" in li
    assert_escaped(li)


def test_dingtalk_robot_gets_markdown_with_a_title_and_text_from_files_escaped(
    cli: Callable[..., Result], make_campaign: Callable[..., Path], hook: Hook
) -> None:
    folder = make_campaign(webhook_table(hook.url, "dingtalk"), research_title=HOSTILE)

    result = cli("remind", folder, "--send", "--lang", "zh")

    assert result.code == 0, result.err
    assert len(hook.posts) == 5
    for post in hook.posts:
        assert post.body.keys() == {"msgtype", "markdown"}
        assert post.body["msgtype"] == "markdown"
        assert post.body["markdown"].keys() == {"title", "text"}
    (li,) = [p.body["markdown"] for p in hook.posts if "李强同志" in p.body["markdown"]["text"]]
    assert li["title"] == "【测试主题教育】李强:逾期 0 项,即将到期 1 项(2023-11-20)"
    assert_escaped(li["text"])
    titles = sorted(p.body["markdown"]["title"] for p in hook.posts)
    assert titles == sorted([*(s for s, _ in EXPECTED.values()), NO_ADDRESS_SUBJECT])


@pytest.mark.parametrize("form", ["wecom", "dingtalk"])
def test_robot_errcode_counts_as_failed_and_is_retried(
    cli: Callable[..., Result], make_campaign: Callable[..., Path], hook: Hook, form: str
) -> None:
    folder = make_campaign(webhook_table(hook.url, form))
    hook.behaviour = "errcode"

    failed = cli("remind", folder, "--send", "--lang", "zh")

    assert failed.code == 1
    assert "无法送达(5):" in failed.err
    assert "invalid webhook url" in failed.err
    assert state_of(folder)["delivered"] == {}

    hook.behaviour = "ok"
    retried = cli("remind", folder, "--send", "--lang", "zh")
    assert retried.code == 0, retried.err
    assert len([p for p in hook.posts if p.behaviour == "ok"]) == 5
    cli("remind", folder, "--send", "--lang", "zh")
    assert len([p for p in hook.posts if p.behaviour == "ok"]) == 5


# --- item 9: redirects ----------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_webhook_redirect_is_never_followed_and_fails_naming_the_new_location(
    cli: Callable[..., Result], make_campaign: Callable[..., Path], hook: Hook, status: int
) -> None:
    folder = make_campaign(webhook_table(hook.url))
    hook.behaviour = f"redirect-{status}"

    result = cli("remind", folder, "--send", "--lang", "zh")

    assert result.code == 1, result.err
    assert [p.path for p in hook.posts] == ["/hook"] * 5  # no GET, nothing sent on
    assert f"HTTP {status}" in result.err
    assert hook.url.replace("/hook", "/moved") in result.err
    assert state_of(folder)["delivered"] == {}
    assert len(state_of(folder)["pending"]) == 5
