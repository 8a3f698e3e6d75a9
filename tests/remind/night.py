"""`checklist remind --send` against real servers on loopback, started and stopped by each test.

An SMTP server (aiosmtpd) and an HTTP server (http.server) run on 127.0.0.1 on a
free port; nothing is mocked. The campaign below is small enough to work its
messages out by hand, from docs/semantics.md#reminders (advance days 7, 3, 1, 0;
overdue on day 1 then every 3 days; escalation from 7 days overdue on the same
cadence). On the report day, 2023-11-20:

- 刘洋 (erqi-office, no address): 商圈提质改造, due 2023-11-21 (in 1 day);
- 张伟 <zw@example.cn>: 读书班结业, due 2023-11-13 (7 days overdue);
- 李强 ([people] lq@example.cn): 专题调研报告, due 2023-11-23 (in 3 days);
- 陈静 <cj@example.cn>: 专题党课, due 2023-11-20 (today);
- 王红 <wh@example.cn>, erqi-office's contact: the escalation about 读书班结业,
  with 张伟 in Cc.

On the next day, 2023-11-21: 刘洋 (due today) and 陈静 (1 day overdue); 张伟's
task is 8 days overdue, off the cadence. On 2023-11-01 nothing is due or overdue.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conftest import Result

DAY = "2023-11-20"
NEXT_DAY = "2023-11-21"
QUIET_DAY = "2023-11-01"

ZW, LQ, CJ, WH = "zw@example.cn", "lq@example.cn", "cj@example.cn", "wh@example.cn"

# --- the campaign -----------------------------------------------------------------------

CAMPAIGN = """\
[campaign]
name = "测试主题教育"
start = 2023-09-09
end = 2024-01-31
timezone = "Asia/Shanghai"

[[counties]]
code = "410103"
name = "二七区"

[[counties]]
code = "410105"
name = "金水区"
"""

ERQI = """\
[unit]
id = "erqi-office"
name = "二七区测试办公室"
county = "410103"
level = "county"
contact = "王红 <wh@example.cn>"

[people]
"李强" = "lq@example.cn"

[study]
owner = "张伟 <zw@example.cn>"

[[study.tasks]]
title = "读书班结业"
due = 2023-11-13

[research]
owner = "李强"

[[research.tasks]]
title = "{research_title}"
due = 2023-11-23

[development]
owner = "刘洋"

[[development.tasks]]
title = "商圈提质改造"
due = 2023-11-21

[rectification]
owner = "王红"

[[rectification.tasks]]
title = "专项整治"
due = 2024-01-31

[institutions]
owner = "王红"

[[institutions.tasks]]
title = "月度考评制度"
due = 2023-10-31
done = 2023-10-30
"""

JINSHUI = """\
[unit]
id = "jinshui-school"
name = "金水区测试学校党委"
county = "410105"
level = "grassroots"
contact = "赵敏 <zm@example.cn>"

[study]
owner = "陈静 <cj@example.cn>"

[[study.tasks]]
title = "专题党课"
due = 2023-11-20

[research]
owner = "赵敏 <zm@example.cn>"
due = 2024-01-31

[[research.tasks]]
title = "调研成果转化"

[development]
owner = "赵敏 <zm@example.cn>"
due = 2024-01-31

[[development.tasks]]
title = "校园安全提升"

[rectification]
owner = "赵敏 <zm@example.cn>"
due = 2024-01-31

[[rectification.tasks]]
title = "食堂问题整改"

[institutions]
owner = "赵敏 <zm@example.cn>"
due = 2024-01-31

[[institutions.tasks]]
title = "家校沟通制度"
"""

SIGNATURE = "—— 测试主题教育(checklist 自动发送)"

# What each delivered e-mail says on 2023-11-20, worked out by hand: address -> (subject, body).
EXPECTED = {
    ZW: (
        "【测试主题教育】张伟:逾期 1 项,即将到期 0 项(2023-11-20)",
        "张伟同志:\n\n截至 2023-11-20,您负责的以下任务已逾期或即将到期:\n\n"
        "已逾期\n  - [逾期 7 天] 二七区测试办公室 · 理论学习 · 读书班结业 (截止 2023-11-13)\n\n"
        f"{SIGNATURE}\n",
    ),
    LQ: (
        "【测试主题教育】李强:逾期 0 项,即将到期 1 项(2023-11-20)",
        "李强同志:\n\n截至 2023-11-20,您负责的以下任务已逾期或即将到期:\n\n"
        "即将到期\n"
        "  - [3 天后到期] 二七区测试办公室 · 调查研究 · 专题调研报告 (截止 2023-11-23)\n\n"
        f"{SIGNATURE}\n",
    ),
    CJ: (
        "【测试主题教育】陈静:逾期 0 项,即将到期 1 项(2023-11-20)",
        "陈静同志:\n\n截至 2023-11-20,您负责的以下任务已逾期或即将到期:\n\n"
        "即将到期\n  - [今天到期] 金水区测试学校党委 · 理论学习 · 专题党课 (截止 2023-11-20)\n\n"
        f"{SIGNATURE}\n",
    ),
    WH: (
        "【测试主题教育】督办:二七区测试办公室 有 1 项任务逾期 7 天以上(2023-11-20)",
        "王红同志:\n\n截至 2023-11-20,二七区测试办公室 有 1 项任务逾期 7 天以上:\n\n"
        "  - [逾期 7 天] 二七区测试办公室 · 理论学习 · 读书班结业 (截止 2023-11-13)"
        " · 责任人: 张伟\n\n"
        f"{SIGNATURE}\n",
    ),
}
NO_ADDRESS_SUBJECT = "【测试主题教育】刘洋:逾期 0 项,即将到期 1 项(2023-11-20)"
NEXT_DAY_CJ_SUBJECT = "【测试主题教育】陈静:逾期 1 项,即将到期 0 项(2023-11-21)"

# The message keys of the night, in the order remind plans them.
KEYS = [
    f"{DAY}/owner/erqi-office/刘洋",
    f"{DAY}/owner/{ZW}",
    f"{DAY}/owner/{LQ}",
    f"{DAY}/owner/{CJ}",
    f"{DAY}/escalation/erqi-office/{WH}",
]


def smtp_table(port: int, extra: str = "") -> str:
    return (
        f'\n[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
        f'sender = "主题教育办 <office@example.cn>"\ntimeout = 5\n{extra}'
    )


def webhook_table(url: str, form: str = "generic", timeout: int = 2, extra: str = "") -> str:
    return f'\n[webhook]\nurl = "{url}"\nformat = "{form}"\ntimeout = {timeout}\n{extra}'


def state_of(folder: Path) -> dict[str, Any]:
    return json.loads((folder / ".checklist" / "remind-state.json").read_text(encoding="utf-8"))


def recorded(folder: Path) -> Any:
    """The state as the next run reads it: the state file and its journal."""
    from checklist.remind.ledger import Ledger

    return Ledger.load(folder / ".checklist" / "remind-state.json")


def leftovers(folder: Path) -> list[str]:
    """Temporary files an interrupted atomic write would leave behind."""
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


def timed(cli: Callable[..., Result], *args: str | Path) -> tuple[Result, float]:
    start = time.monotonic()
    result = cli(*args)
    return result, time.monotonic() - start
