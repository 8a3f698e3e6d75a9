"""`bulletin --send` to a real HTTP server on loopback: every part, in order, within the limit."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import REPO, Result
from remind.night import webhook_table
from remind.servers import Hook

ZZ = REPO / "examples" / "zhengzhou"
DAY = ("--as-of", "2023-11-20")


@pytest.fixture
def city(tmp_path: Path) -> Callable[[str], Path]:
    """The example campaign with ``table`` added to its campaign.toml."""

    def make(table: str) -> Path:
        folder = tmp_path / "zhengzhou"
        shutil.copytree(ZZ, folder)
        with (folder / "campaign.toml").open("a", encoding="utf-8") as config:
            config.write(table)
        return folder

    return make


def _printed(cli: Callable[..., Result], folder: Path, *args: str) -> list[str]:
    """The messages the same command prints without --send."""
    result = cli("bulletin", folder, *DAY, *args)
    assert result.code == 0, result.err
    return result.out.split("\n---\n\n")


def test_wecom_gets_every_part_in_order_within_the_limit(
    cli: Callable[..., Result], city: Callable[[str], Path], hook: Hook
) -> None:
    folder = city(webhook_table(hook.url, "wecom"))
    expected = _printed(cli, folder, "--lang", "zh", "--max-bytes", "1000")
    assert len(expected) >= 3

    result = cli("bulletin", folder, *DAY, "--lang", "zh", "--max-bytes", "1000", "--send")

    assert result.code == 0, result.err
    assert result.out == result.err == ""  # quiet, as cron likes it
    contents = [post.body["markdown"]["content"] for post in hook.posts]
    assert contents == expected
    assert all(post.body["msgtype"] == "markdown" for post in hook.posts)
    assert all(len(c.encode("utf-8")) <= 1000 for c in contents)
    assert [c.split("\n", 1)[0] for c in contents] == [
        f"(第 {n} 条,共 {len(expected)} 条)" for n in range(1, len(expected) + 1)
    ]
    assert contents[0].split("\n")[1].startswith("# ")  # the title opens the first part


def test_wecom_never_gets_more_than_4096_bytes(
    cli: Callable[..., Result], city: Callable[[str], Path], hook: Hook
) -> None:
    folder = city(webhook_table(hook.url, "wecom"))
    config = folder / "campaign.toml"
    long_name = "郑州市第二批主题教育" * 300  # 9,000 bytes: its title line alone is too long
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            'name = "郑州市第二批主题教育"', f'name = "{long_name}"'
        ),
        encoding="utf-8",
    )
    whole = _printed(cli, folder, "--lang", "zh", "--max-bytes", "100000")
    assert len("".join(whole).encode("utf-8")) > 9000  # else this test proves nothing

    result = cli("bulletin", folder, *DAY, "--lang", "zh", "--max-bytes", "100000", "--send")

    assert result.code == 0, result.err
    contents = [post.body["markdown"]["content"] for post in hook.posts]
    assert all(len(c.encode("utf-8")) <= 4096 for c in contents)
    assert contents == _printed(cli, folder, "--lang", "zh", "--max-bytes", "4096")
    assert len(contents) >= 2


def test_generic_and_dingtalk_carry_the_title(
    cli: Callable[..., Result], city: Callable[[str], Path], hook: Hook
) -> None:
    title = "郑州市第二批主题教育周通报(2023-11-14 至 2023-11-20)"
    folder = city(webhook_table(hook.url, "generic"))
    (message,) = _printed(cli, folder, "--lang", "zh", "--max-bytes", "100000")
    assert message.startswith(f"# {title}\n")

    assert cli("bulletin", folder, *DAY, "--lang", "zh", "--max-bytes", "20000", "--send").code == 0
    (post,) = hook.posts
    assert post.body == {
        "schema_version": 1,
        "kind": "bulletin",
        "subject": title,
        "markdown": message,
    }

    folder.joinpath("campaign.toml").write_text(
        (ZZ / "campaign.toml").read_text(encoding="utf-8") + webhook_table(hook.url, "dingtalk"),
        encoding="utf-8",
    )
    assert cli("bulletin", folder, *DAY, "--lang", "zh", "--max-bytes", "20000", "--send").code == 0
    assert hook.posts[1].body == {
        "msgtype": "markdown",
        "markdown": {"title": title, "text": message},
    }


@pytest.mark.parametrize(
    ("behaviour", "reason"),
    [
        ("500", "the webhook answered HTTP 500"),
        ("errcode", "the robot refused: invalid webhook url"),
        ("redirect-302", "a message is never sent on to another address"),
    ],
)
def test_a_failing_part_stops_the_rest_and_is_named(
    cli: Callable[..., Result],
    city: Callable[[str], Path],
    hook: Hook,
    behaviour: str,
    reason: str,
) -> None:
    folder = city(webhook_table(hook.url, "wecom"))
    expected = _printed(cli, folder, "--max-bytes", "1000")
    hook.behaviour, hook.fine_first = behaviour, 1

    result = cli("bulletin", folder, *DAY, "--max-bytes", "1000", "--send")

    assert result.code == 1
    assert result.out == ""
    assert f"Part 2 of {len(expected)} of the bulletin was not posted: " in result.err
    assert reason in result.err
    assert "1 part(s) before it were posted; the rest were not sent." in result.err
    assert [p.behaviour for p in hook.posts] == ["ok", behaviour]  # no GET after a redirect
    assert hook.posts[0].body["markdown"]["content"] == expected[0]


def test_an_unreachable_webhook_is_exit_1(
    cli: Callable[..., Result], city: Callable[[str], Path], hook: Hook
) -> None:
    url = hook.url
    hook.stop()
    folder = city(webhook_table(url, "wecom"))

    result = cli("bulletin", folder, *DAY, "--send", "--lang", "zh")

    assert result.code == 1
    assert "通报第 1 条" in result.err
    assert "the webhook cannot be reached" in result.err
    assert "Traceback" not in result.err


def test_no_webhook_is_exit_2_and_nothing_is_printed(cli: Callable[..., Result]) -> None:
    result = cli("bulletin", ZZ, *DAY, "--send")

    assert result.code == 2
    assert result.out == ""
    assert "has no [webhook] table" in result.err


def test_a_missing_url_variable_is_exit_2(
    cli: Callable[..., Result], city: Callable[[str], Path], hook: Hook
) -> None:
    folder = city('\n[webhook]\nurl_env = "NOPE"\nformat = "wecom"\n')

    result = cli("bulletin", folder, *DAY, "--send")

    assert result.code == 2
    assert "NOPE" in result.err
    assert hook.posts == []


def test_send_with_output_also_writes_the_file(
    cli: Callable[..., Result], city: Callable[[str], Path], hook: Hook, tmp_path: Path
) -> None:
    folder = city(webhook_table(hook.url, "wecom"))
    target = tmp_path / "bulletin.md"

    result = cli("bulletin", folder, *DAY, "--send", "-o", target)

    assert result.code == 0, result.err
    written = target.read_text(encoding="utf-8").split("\n---\n\n")
    assert [post.body["markdown"]["content"] for post in hook.posts] == written
