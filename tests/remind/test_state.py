"""The ledger: the state file, a state that cannot be written, and the journal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Result
from remind.night import (
    CJ,
    DAY,
    JINSHUI,
    KEYS,
    LQ,
    QUIET_DAY,
    WH,
    ZW,
    leftovers,
    recorded,
    smtp_table,
    state_of,
    webhook_table,
)
from remind.servers import Hook, SmtpServer

# --- 9: the state file ------------------------------------------------------------------


def test_the_state_file_is_written_atomically_in_the_campaign_folder(
    cli: Callable[..., Result],
    make_campaign: Callable[..., Path],
    smtp: SmtpServer,
    hook: Hook,
    tmp_path: Path,
) -> None:
    folder = make_campaign(smtp_table(smtp.port), webhook_table(hook.url))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.chdir(elsewhere)

    assert cli("remind", folder, "--send", "--lang", "zh").code == 1

    path = folder / ".checklist" / "remind-state.json"
    state = json.loads(path.read_text(encoding="utf-8"))
    assert state["version"] == 1
    expected = {f"{k}@email" for k in KEYS[1:]} | {f"{k}@webhook" for k in KEYS}
    assert set(state["delivered"]) == expected
    assert state["pending"] == {}
    assert not leftovers(path.parent)
    assert not (elsewhere / ".checklist").exists()


def test_state_option_puts_the_state_file_where_it_says(
    cli: Callable[..., Result], make_campaign: Callable[..., Path], hook: Hook, tmp_path: Path
) -> None:
    folder = make_campaign(webhook_table(hook.url))
    path = tmp_path / "var" / "state.json"

    assert cli("remind", folder, "--send", "--state", path, "--lang", "zh").code == 0

    state = json.loads(path.read_text(encoding="utf-8"))
    assert state["version"] == 1
    assert set(state["delivered"]) == {f"{k}@webhook" for k in KEYS}
    assert not leftovers(path.parent)
    assert not (folder / ".checklist" / "remind-state.json").exists()
    assert cli("remind", folder, "--send", "--state", path, "--lang", "zh").code == 0
    assert len(hook.posts) == 5


# --- item 8: a state that cannot be written ----------------------------------------------------


def remind_limited(folder: Path, file_size: int, *args: str) -> subprocess.CompletedProcess[str]:
    """Run remind --send with files limited to ``file_size`` bytes: a disk that is full."""
    code = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        f"resource.setrlimit(resource.RLIMIT_FSIZE, ({file_size}, {file_size}))\n"
        "from checklist.cli.app import run\n"
        "sys.exit(run(sys.argv[1:]))\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code, "remind", str(folder), "--send", "--lang", "zh", *args],
        env={**os.environ, "CHECKLIST_AS_OF": DAY},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_state_that_cannot_be_written_stops_the_run_before_anything_is_sent(
    cli: Callable[..., Result], make_campaign: Callable[..., Path], smtp: SmtpServer
) -> None:
    """Item 8: a full disk used to send the same first message on every run, then exit 3."""
    folder = make_campaign(smtp_table(smtp.port))
    smtp.handler.refuse_rcpt[LQ] = "451 4.3.0 try again later"
    assert cli("remind", folder, "--send", "--lang", "zh").code == 1  # 李强's stays pending
    before = state_of(folder)
    smtp.handler.refuse_rcpt.clear()
    size = (folder / ".checklist" / "remind-state.json").stat().st_size

    for _ in range(2):
        result = remind_limited(folder, size // 2, "--no-cache")
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert "remind-state.json" in result.stderr
        assert "什么也没发送" in result.stderr  # --lang zh: the error too
    assert len(smtp.received) == 3  # 李强's was not sent again and again
    assert state_of(folder) == before


def test_a_state_folder_that_is_a_file_is_exit_2_and_nothing_is_sent(
    cli: Callable[..., Result], make_campaign: Callable[..., Path], smtp: SmtpServer
) -> None:
    folder = make_campaign(smtp_table(smtp.port))
    (folder / ".checklist").write_text("", encoding="utf-8")

    result = cli("remind", folder, "--send", "--lang", "zh")

    assert result.code == 2, result.err
    assert ".checklist" in result.err
    assert "什么也没发送" in result.err  # --lang zh: the error too
    assert smtp.received == []


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/full"])
def test_a_journal_that_is_a_device_is_refused_and_nothing_is_sent(
    cli: Callable[..., Result], make_campaign: Callable[..., Path], smtp: SmtpServer, device: str
) -> None:
    folder = make_campaign(smtp_table(smtp.port))
    (folder / ".checklist").mkdir()
    (folder / ".checklist" / "remind-state.json.journal").symlink_to(device)

    result = cli("remind", folder, "--send", "--lang", "zh")

    assert result.code == 2, result.err
    assert "remind-state.json.journal 不是普通文件" in result.err
    assert smtp.received == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_state_folder_is_exit_2_and_nothing_is_sent(
    cli: Callable[..., Result], make_campaign: Callable[..., Path], smtp: SmtpServer
) -> None:
    folder = make_campaign(smtp_table(smtp.port))
    assert cli("remind", folder, "--send", "--lang", "zh", "--as-of", QUIET_DAY).code == 0
    (folder / ".checklist").chmod(0o555)
    try:
        result = cli("remind", folder, "--send", "--lang", "zh")
    finally:
        (folder / ".checklist").chmod(0o755)

    assert result.code == 2, result.err
    assert "什么也没发送" in result.err  # --lang zh: the error too
    assert smtp.received == []


def test_a_disk_that_fills_up_halfway_stops_sending_and_the_next_run_repeats_at_most_one(
    make_campaign: Callable[..., Path], smtp: SmtpServer, hook: Hook
) -> None:
    """Item 8: the state grows past the limit after a few messages: stop, lose nothing."""
    folder = make_campaign(smtp_table(smtp.port), webhook_table(hook.url))

    stopped = remind_limited(folder, 500, "--no-cache")

    assert stopped.returncode == 2, stopped.stderr
    assert "Traceback" not in stopped.stderr
    assert "已停止发送" in stopped.stderr
    sent_before = len(smtp.received) + len(hook.posts)
    assert 0 < sent_before < 9  # 4 mails and 5 posts in all

    again = remind_limited(folder, 10**7, "--no-cache")

    assert again.returncode == 1, again.stderr  # 刘洋 has no address
    mails = Counter(m.to for m in smtp.received)
    posts = Counter(p.body["key"] for p in hook.posts)
    assert set(mails) == {ZW, LQ, CJ, WH}
    assert set(posts) == set(KEYS)
    assert sum(mails.values()) + sum(posts.values()) <= 9 + 1


# --- item 11: a journal, not a rewrite per message -----------------------------------------------


def many_units(count: int) -> dict[str, str]:
    """``count`` units, each with one owner whose task is due on the report day."""
    return {
        f"410105/u{n:03}.toml": JINSHUI.replace("jinshui-school", f"u{n:03}")
        .replace("金水区测试学校党委", f"测试单位{n:03}")
        .replace("陈静 <cj@example.cn>", f"责任人{n:03} <o{n:03}@example.cn>")
        .replace("赵敏 <zm@example.cn>", f"联系人{n:03} <c{n:03}@example.cn>")
        for n in range(count)
    }


def test_kills_at_random_moments_repeat_at_most_one_message_per_kill(
    make_campaign: Callable[..., Path], smtp: SmtpServer, hook: Hook, tmp_path: Path
) -> None:
    """kill -9 while 30 mails and 30 posts go out, again and again: nothing lost, ≤1 extra each.

    (Item 11: the guarantee the journal must keep.)
    """
    import random

    folder = make_campaign(smtp_table(smtp.port), webhook_table(hook.url), units=many_units(30))
    smtp.handler.delay = 0.02
    chance = random.Random(9)
    command = [sys.executable, "-m", "checklist", "remind", str(folder), "--send", "--no-cache"]
    env = {**os.environ, "CHECKLIST_AS_OF": DAY}
    kills = 0
    for _ in range(12):  # start a run, kill it soon after its first delivery, again
        before = len(smtp.received) + len(hook.posts)
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        waited = time.monotonic() + 20
        while process.poll() is None and time.monotonic() < waited:
            if len(smtp.received) + len(hook.posts) > before:
                time.sleep(chance.uniform(0, 0.2))
                break
            time.sleep(0.005)
        if process.poll() is None:
            process.kill()
            kills += 1
        process.wait(10)
        if process.returncode == 0:
            break
    final = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=60, check=False
    )

    assert final.returncode == 0, final.stderr
    mails = Counter(m.to for m in smtp.received)
    posts = Counter(p.body["key"] for p in hook.posts)
    assert set(mails) == {f"o{n:03}@example.cn" for n in range(30)}
    assert len(posts) == 30
    extra = sum(mails.values()) + sum(posts.values()) - 60
    assert kills >= 3  # each kill came after a delivery, halfway through the night
    assert extra <= kills, (kills, mails, posts)
    assert recorded(folder).pending == {}
    assert not (folder / ".checklist" / "remind-state.json.journal").exists()


def test_the_journal_is_read_with_the_state_and_a_torn_last_line_is_ignored(
    cli: Callable[..., Result], make_campaign: Callable[..., Path], hook: Hook
) -> None:
    from checklist.remind.ledger import Ledger

    folder = make_campaign(webhook_table(hook.url))
    path = folder / ".checklist" / "remind-state.json"
    path.parent.mkdir()
    journal = path.with_name("remind-state.json.journal")
    done = {"delivered": f"{KEYS[1]}@webhook", "at": "2023-11-20T00:30:00+00:00"}
    journal.write_text(json.dumps(done) + '\n{"delivered": "torn', encoding="utf-8")

    assert list(Ledger.load(path).delivered) == [f"{KEYS[1]}@webhook"]
    result = cli("remind", folder, "--send", "--lang", "zh")

    assert result.code == 0, result.err
    assert sorted(p.body["key"] for p in hook.posts) == sorted(k for k in KEYS if k != KEYS[1])
    assert not journal.exists()
    assert set(state_of(folder)["delivered"]) == {f"{k}@webhook" for k in KEYS}


def test_a_damaged_journal_is_refused_and_nothing_is_sent(
    cli: Callable[..., Result], make_campaign: Callable[..., Path], hook: Hook
) -> None:
    folder = make_campaign(webhook_table(hook.url))
    journal = folder / ".checklist" / "remind-state.json.journal"
    journal.parent.mkdir()
    journal.write_text('["not", "a", "record"]\n{}\n', encoding="utf-8")

    result = cli("remind", folder, "--send", "--lang", "zh")

    assert result.code == 2
    assert "remind-state.json.journal" in result.err
    assert "第 1 行" in result.err
    assert hook.posts == []


# --- the lock ---------------------------------------------------------------------------------


def test_a_second_remind_on_the_same_state_is_refused_with_its_own_error_and_exit_2(
    tmp_path: Path,
) -> None:
    from checklist.errors import EXIT_USAGE, ConfigError, RemindBusyError
    from checklist.remind.ledger import locked

    path = tmp_path / "remind-state.json"
    with locked(path), pytest.raises(RemindBusyError) as busy, locked(path):
        pass

    assert str(busy.value) == f"another `checklist remind` is running (lock {path}.lock)"
    assert busy.value.exit_code == EXIT_USAGE
    assert not isinstance(busy.value, ConfigError)
    with locked(path):  # released: the next run goes ahead
        pass
