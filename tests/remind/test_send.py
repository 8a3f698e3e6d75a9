"""The delivery loop: one failure halfway, both channels, configuration errors, dry runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Result
from remind.night import (
    CJ,
    DAY,
    EXPECTED,
    KEYS,
    LQ,
    NEXT_DAY,
    NEXT_DAY_CJ_SUBJECT,
    QUIET_DAY,
    WH,
    ZW,
    leftovers,
    recorded,
    smtp_table,
    state_of,
    timed,
    webhook_table,
)
from remind.servers import Hook, SmtpServer, by_recipient

# --- 4: one failure halfway -------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "reply"),
    [
        ("rcpt", "451 4.3.0 Temporary failure, try again later"),
        ("rcpt", "550 5.1.1 Mailbox unavailable"),
        ("data", "451 4.3.0 Temporary failure, try again later"),
        ("data", "554 5.6.0 Message refused"),
        # smtplib closes the connection after a 421: the next message opens a new one.
        ("rcpt", "421 4.3.2 Service shutting down"),
        ("data", "421 4.3.2 Service shutting down"),
    ],
)
def test_a_message_refused_halfway_is_the_only_one_sent_next_time(
    cli: Callable[..., Result],
    make_campaign: Callable[..., Path],
    smtp: SmtpServer,
    where: str,
    reply: str,
) -> None:
    folder = make_campaign(smtp_table(smtp.port))
    refusals = smtp.handler.refuse_rcpt if where == "rcpt" else smtp.handler.refuse_data
    refusals[LQ] = reply  # 李强 is the second message with an address

    first = cli("remind", folder, "--send", "--lang", "zh")

    assert first.code == 1
    assert sorted(by_recipient(smtp.received)) == sorted([ZW, CJ, WH])
    assert "无法送达(2):" in first.err
    assert "李强" in first.err
    assert reply.split(maxsplit=1)[0] in first.err
    state = state_of(folder)
    assert sorted(state["delivered"]) == sorted(f"{k}@email" for k in KEYS[1:] if LQ not in k)
    assert list(state["pending"]) == [f"{KEYS[2]}@email"]

    refusals.clear()
    second = cli("remind", folder, "--send", "--lang", "zh")

    assert second.code == 1  # 刘洋 only
    assert "无法送达(1):" in second.err
    assert "李强" not in second.err
    mails = smtp.received[3:]
    assert [m.to for m in mails] == [LQ]
    assert mails[0].message["Subject"] == EXPECTED[LQ][0]
    assert mails[0].message.get_content() == EXPECTED[LQ][1]
    assert state_of(folder)["pending"] == {}


def test_a_message_the_server_refuses_does_not_hold_up_the_others_the_next_night(
    cli: Callable[..., Result],
    make_campaign: Callable[..., Path],
    smtp: SmtpServer,
) -> None:
    """A message refused at DATA (554, say for its content) must not fail everyone after it.

    It stays pending and is retried first on every run for 14 days; the others, and the
    next nights' messages, must still get through.
    """
    folder = make_campaign(smtp_table(smtp.port))
    smtp.handler.refuse_data[LQ] = "554 5.6.0 Message refused"
    cli("remind", folder, "--send", "--lang", "zh", "--as-of", DAY)

    result = cli("remind", folder, "--send", "--lang", "zh", "--as-of", NEXT_DAY)

    assert result.code == 1
    assert Counter(m.message["Subject"] for m in smtp.received) == Counter(
        [EXPECTED[ZW][0], EXPECTED[CJ][0], EXPECTED[WH][0], NEXT_DAY_CJ_SUBJECT]
    )
    assert list(state_of(folder)["pending"]) == [f"{KEYS[2]}@email"]


def test_a_connection_dropped_halfway_loses_nothing(
    cli: Callable[..., Result], make_campaign: Callable[..., Path], smtp: SmtpServer
) -> None:
    folder = make_campaign(smtp_table(smtp.port))
    smtp.handler.drop.add(LQ)

    first, seconds = timed(cli, "remind", folder, "--send", "--lang", "zh")

    assert first.code == 1
    assert seconds < 15
    before = {m.to for m in smtp.received}
    assert ZW in before
    assert LQ not in before
    smtp.handler.drop.clear()
    second = cli("remind", folder, "--send", "--lang", "zh")
    assert second.code == 1
    assert sorted(m.to for m in smtp.received) == sorted([ZW, LQ, CJ, WH])


def test_a_crash_halfway_repeats_at_most_the_message_in_flight(
    make_campaign: Callable[..., Path], smtp: SmtpServer, cli: Callable[..., Result]
) -> None:
    """Kill -9 the process while the server holds 李强's message unanswered."""
    folder = make_campaign(smtp_table(smtp.port))
    smtp.handler.hold = LQ
    env = {**os.environ, "CHECKLIST_AS_OF": DAY}
    process = subprocess.Popen(
        [sys.executable, "-m", "checklist", "remind", str(folder), "--send", "--lang", "zh"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert smtp.handler.held.wait(20), "the run never reached the second message"
    finally:
        process.kill()
        process.wait(10)
    smtp.handler.release.set()
    assert [m.to for m in smtp.received] == [ZW, LQ]  # 李强's arrived, but was never answered
    assert list(recorded(folder).delivered) == [f"{KEYS[1]}@email"]
    assert not leftovers(folder / ".checklist")

    smtp.handler.hold = None
    again = cli("remind", folder, "--send", "--lang", "zh")

    assert again.code == 1  # 刘洋 only
    assert [m.to for m in smtp.received[2:]] == [LQ, CJ, WH]  # 张伟 not again
    assert Counter(m.to for m in smtp.received) == {ZW: 1, LQ: 2, CJ: 1, WH: 1}


# --- both channels ----------------------------------------------------------------------


def test_each_channel_remembers_its_own_deliveries(
    cli: Callable[..., Result],
    make_campaign: Callable[..., Path],
    smtp_servers: Callable[..., SmtpServer],
    hook: Hook,
) -> None:
    down = smtp_servers()
    down.stop()
    folder = make_campaign(smtp_table(down.port), webhook_table(hook.url))

    first = cli("remind", folder, "--send", "--lang", "zh")

    assert first.code == 1
    assert len(hook.posts) == 5  # the webhook is not held up by the mail server
    up = smtp_servers(down.port)
    second = cli("remind", folder, "--send", "--lang", "zh")
    assert second.code == 1  # 刘洋 has no address
    assert sorted(m.to for m in up.received) == sorted([ZW, LQ, CJ, WH])
    assert len(hook.posts) == 5


def test_a_message_pending_on_two_channels_is_retried_once_on_each(
    cli: Callable[..., Result],
    make_campaign: Callable[..., Path],
    smtp_servers: Callable[..., SmtpServer],
    hook: Hook,
) -> None:
    down = smtp_servers()
    down.stop()
    folder = make_campaign(smtp_table(down.port), webhook_table(hook.url))
    hook.behaviour = "500"
    assert cli("remind", folder, "--send", "--lang", "zh", "--as-of", DAY).code == 1
    assert len(hook.posts) == 5

    # The next day, both are still failing: each pending message is tried once per channel.
    result = cli(
        "remind", folder, "--send", "--lang", "zh", "--as-of", NEXT_DAY, "--format", "json"
    )

    assert result.code == 1
    tried = Counter(p.body["key"] for p in hook.posts[5:])
    assert tried == Counter([*KEYS, f"{NEXT_DAY}/owner/erqi-office/刘洋", f"{NEXT_DAY}/owner/{CJ}"])
    failed = Counter((f["key"], f["channel"]) for f in json.loads(result.out)["failed"])
    assert all(n == 1 for n in failed.values()), failed

    # And once both work again, everything arrives once, and nothing counts as skipped.
    up = smtp_servers(down.port)
    hook.behaviour = "ok"
    done = cli("remind", folder, "--send", "--lang", "zh", "--as-of", NEXT_DAY, "--format", "json")
    document = json.loads(done.out)
    assert Counter(m.message["Subject"] for m in up.received) == Counter(
        [*(s for s, _ in EXPECTED.values()), NEXT_DAY_CJ_SUBJECT]
    )
    ok = Counter(p.body["key"] for p in hook.posts if p.behaviour == "ok")
    assert ok == Counter([*KEYS, f"{NEXT_DAY}/owner/erqi-office/刘洋", f"{NEXT_DAY}/owner/{CJ}"])
    assert document["skipped"] == 0


def test_a_message_pending_on_a_channel_no_longer_configured_does_not_stop_the_others(
    cli: Callable[..., Result],
    make_campaign: Callable[..., Path],
    smtp: SmtpServer,
    hook: Hook,
) -> None:
    folder = make_campaign(webhook_table(hook.url))
    hook.behaviour = "500"
    assert cli("remind", folder, "--send", "--lang", "zh", "--as-of", DAY).code == 1
    # The office gives up on the robot and switches to e-mail.
    make_campaign(smtp_table(smtp.port))

    result = cli("remind", folder, "--send", "--lang", "zh", "--as-of", NEXT_DAY)

    assert "internal error" not in result.err
    assert result.code == 1  # 刘洋 has no address
    assert [m.message["Subject"] for m in smtp.received] == [NEXT_DAY_CJ_SUBJECT]


# --- 7: configuration errors ------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "says"),
    [
        ("user-without-password", "CHECKLIST_SMTP_PASSWORD"),
        ("no-channel", "要用 --send 发送提醒"),  # --lang zh: the error too
        ("ftp-url", "ftp://x"),
        ("url-env-unset", "NOPE"),
        ("ca-file-missing", "ca_file"),
    ],
)
@pytest.mark.parametrize("dry_run", [False, True], ids=["send", "dry-run"])
def test_configuration_errors_exit_2_and_send_nothing(
    cli: Callable[..., Result],
    make_campaign: Callable[..., Path],
    smtp: SmtpServer,
    hook: Hook,
    case: str,
    says: str,
    dry_run: bool,
) -> None:
    tables = {
        "user-without-password": (smtp_table(smtp.port, 'user = "u"\n'), webhook_table(hook.url)),
        "no-channel": (),
        "ftp-url": (smtp_table(smtp.port), webhook_table("ftp://x")),
        "url-env-unset": (
            smtp_table(smtp.port),
            '\n[webhook]\nurl_env = "NOPE"\nformat = "generic"\ntimeout = 2\n',
        ),
        "ca-file-missing": (
            smtp_table(smtp.port, 'ca_file = "certs/nope.pem"\n'),
            webhook_table(hook.url),
        ),
    }[case]
    folder = make_campaign(*tables)

    result = cli("remind", folder, "--send", "--lang", "zh", *(["--dry-run"] if dry_run else []))

    assert result.code == 2, result.err
    assert says in result.err
    assert "Traceback" not in result.err
    assert smtp.received == []
    assert hook.posts == []
    assert not (folder / ".checklist" / "remind-state.json").exists()


def test_a_corrupt_state_file_is_refused_and_nothing_is_sent(
    cli: Callable[..., Result],
    make_campaign: Callable[..., Path],
    smtp: SmtpServer,
    hook: Hook,
    tmp_path: Path,
) -> None:
    folder = make_campaign(smtp_table(smtp.port), webhook_table(hook.url))
    state = tmp_path / "state.json"
    state.write_text("not json", encoding="utf-8")

    result = cli("remind", folder, "--send", "--lang", "zh", "--state", state)

    assert result.code == 2
    assert "把它挪走" in result.err  # --lang zh: the error too
    assert str(state) in result.err
    assert smtp.received == []
    assert hook.posts == []
    assert state.read_text(encoding="utf-8") == "not json"


# --- 8: printing instead of sending -------------------------------------------------------


def test_dry_run_prints_the_messages_and_sends_and_records_nothing(
    cli: Callable[..., Result],
    make_campaign: Callable[..., Path],
    smtp: SmtpServer,
    hook: Hook,
) -> None:
    folder = make_campaign(smtp_table(smtp.port), webhook_table(hook.url))

    result = cli("remind", folder, "--send", "--dry-run", "--lang", "zh")

    assert result.code == 1, result.err  # 刘洋 has no address, as --send would say
    assert "刘洋(erqi-office,无邮箱地址) [email]" in result.err
    assert smtp.received == []
    assert hook.posts == []
    assert not (folder / ".checklist").exists()
    assert "收件人:张伟 <zw@example.cn>" in result.out
    assert "收件人:刘洋(erqi-office,无邮箱地址)" in result.out
    assert "收件人:王红 <wh@example.cn>\n抄送:张伟 <zw@example.cn>\n" in result.out
    for subject, body in EXPECTED.values():
        assert f"主题:{subject}\n\n{body}" in result.out
    assert result.out.count("主题:") == 5
    english = cli("remind", folder, "--send", "--dry-run", "--lang", "en")
    assert "To: 刘洋 (erqi-office, no address)" in english.out
    assert "刘洋 (erqi-office, no address) [email]" in english.err


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_dry_run_names_the_unreachable_owners_as_send_does(
    cli: Callable[..., Result],
    make_campaign: Callable[..., Path],
    smtp: SmtpServer,
    output_format: str,
) -> None:
    """The same "could not deliver" list on stderr and the same exit code 1, nothing sent."""
    folder = make_campaign(smtp_table(smtp.port))
    argv = ("remind", folder, "--send", "--lang", "zh", "--format", output_format)

    dry = cli(*argv, "--dry-run")

    assert smtp.received == []
    assert not (folder / ".checklist").exists()
    real = cli(*argv)
    assert len(smtp.received) == 4  # everyone with an address
    assert (dry.code, dry.err) == (real.code, real.err) == (1, dry.err)
    assert dry.err.count("无邮箱地址") == 1
    assert "刘洋(erqi-office,无邮箱地址) [email]" in dry.err
    if output_format == "json":  # machines get the list too, as after a real --send
        planned, sent = json.loads(dry.out), json.loads(real.out)
        liu = next(m["key"] for m in planned["messages"] if m["recipient"]["name"] == "刘洋")
        assert (
            planned["undeliverable"] == sent["undeliverable"] == [{"key": liu, "channel": "email"}]
        )
        assert (planned["sent"], planned["failed"]) == ([], [])
        assert len(sent["sent"]) == 4


def test_format_json_prints_the_planned_messages(
    cli: Callable[..., Result], make_campaign: Callable[..., Path]
) -> None:
    folder = make_campaign()

    result = cli("remind", folder, "--format", "json", "--lang", "zh")

    assert result.code == 0, result.err
    document = json.loads(result.out)
    assert document["schema_version"] == 1
    assert document["as_of"] == DAY
    messages = document["messages"]
    assert [m["key"] for m in messages] == KEYS
    for message in messages:
        assert {"key", "kind", "recipient", "cc", "subject", "body", "tasks"} <= message.keys()
    assert [m["kind"] for m in messages] == ["owner"] * 4 + ["escalation"]
    assert [m["recipient"]["name"] for m in messages] == ["刘洋", "张伟", "李强", "陈静", "王红"]
    assert messages[4]["cc"] == [{"name": "张伟", "address": ZW, "unit": "erqi-office"}]
    assert {m["recipient"]["address"]: (m["subject"], m["body"]) for m in messages[1:]} == EXPECTED
    assert not (folder / ".checklist").exists()


@pytest.mark.parametrize("send", [False, True], ids=["print", "send"])
def test_a_quiet_night_prints_nothing_and_exits_0(
    cli: Callable[..., Result],
    make_campaign: Callable[..., Path],
    smtp: SmtpServer,
    hook: Hook,
    send: bool,
) -> None:
    folder = make_campaign(smtp_table(smtp.port), webhook_table(hook.url))

    result = cli("remind", folder, "--as-of", QUIET_DAY, "--lang", "zh", *(["--send"] * send))

    assert result == (0, "", "")
    assert smtp.received == []
    assert hook.posts == []
