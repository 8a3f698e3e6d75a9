"""remind with a [calendar]: quiet on rest days, said on the next working day, once.

Day by day across 2023's National Day week (29 Sep – 6 Oct off, Sat 7 and Sun 8 Oct
worked), sent to a webhook with the state file, each day run twice. What the plain
rule (advance days 7, 3, 1, 0; overdue on day 1 then every 3; escalation from day 7)
would say on each day is computed here on its own; each must arrive exactly once, on
that day if it is a working day, else on the next working day.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import Result
from remind.night import webhook_table
from remind.servers import Hook

D = dt.date
CAMPAIGN = """\
[campaign]
name = "测试主题教育"
start = 2023-09-09
end = 2024-01-31
timezone = "Asia/Shanghai"

[[counties]]
code = "410103"
name = "二七区"

[calendar]
country = "CN"
"""
UNIT = """\
[unit]
id = "erqi-office"
name = "二七区委办"
county = "410103"
level = "county"
contact = "王红"

[study]
owner = "张伟"
due = 2023-09-28

[research]
owner = "李强"
due = 2023-10-03

[development]
owner = "刘洋"
due = 2023-10-10

[rectification]
owner = "陈静"
due = 2023-12-20
done = 2023-09-20

[institutions]
owner = "王红"
due = 2024-01-31
done = 2023-09-20
"""
DUE = {"张伟": D(2023, 9, 28), "李强": D(2023, 10, 3), "刘洋": D(2023, 10, 10)}
FIRST, LAST = D(2023, 9, 23), D(2023, 10, 16)  # Saturday to Monday
# By hand, from the notice: 29 Sep – 6 Oct off; 7, 8 Oct worked; else Monday to Friday.
OFF = {D(2023, 9, 29) + dt.timedelta(days=i) for i in range(8)}
WORKED = {D(2023, 10, 7), D(2023, 10, 8)}


def _days() -> Iterator[dt.date]:
    day = FIRST
    while day <= LAST:
        yield day
        day += dt.timedelta(days=1)


def _working(day: dt.date) -> bool:
    return day in WORKED or (day.weekday() < 5 and day not in OFF)


def _said(day: dt.date) -> dt.date:
    while not _working(day):
        day += dt.timedelta(days=1)
    return day


def _owner_says(due: dt.date, day: dt.date) -> bool:
    if due >= day:
        return (due - day).days in (7, 3, 1, 0)
    late = (day - due).days
    return late >= 1 and (late - 1) % 3 == 0


def _escalates(day: dt.date) -> bool:
    lates = [(day - due).days for due in DUE.values()]
    return any(late >= 7 and (late - 7) % 3 == 0 for late in lates)


@pytest.fixture
def hook() -> Iterator[Hook]:
    server = Hook()
    yield server
    server.stop()


def test_the_national_day_week_day_by_day(
    tmp_path: Path, hook: Hook, cli: Callable[..., Result]
) -> None:
    folder = tmp_path / "campaign"
    (folder / "units" / "410103").mkdir(parents=True)
    (folder / "campaign.toml").write_text(CAMPAIGN + webhook_table(hook.url), encoding="utf-8")
    (folder / "units" / "410103" / "erqi-office.toml").write_text(UNIT, encoding="utf-8")

    got: set[tuple[str, dt.date]] = set()
    keys: Counter[str] = Counter()
    for day in _days():
        before = len(hook.posts)
        result = cli("remind", folder, "--send", "--as-of", day.isoformat())
        assert result.code == 0, (day, result)
        posts = hook.posts[before:]
        if not _working(day):
            assert posts == [], day  # quiet on a rest day
        for post in posts:
            keys[post.body["key"]] += 1
            who = post.body["recipient"]["name"]
            got.add((who if post.body["kind"] == "owner" else "escalation", day))
        again = cli("remind", folder, "--send", "--as-of", day.isoformat())
        assert again.code == 0
        assert len(hook.posts) == before + len(posts), day  # never twice

    owners = {(o, _said(day)) for day in _days() for o, due in DUE.items() if _owner_says(due, day)}
    expected = owners | {("escalation", _said(day)) for day in _days() if _escalates(day)}
    assert got == expected
    assert set(keys.values()) == {1}
    # Hand-checked for 张伟 (due Thu 28 Sep): 3, 1, 0 days before on 25, 27, 28 Sep; overdue
    # days 1, 4, 7 (29 Sep, 2 and 5 Oct, all off) said on Sat 7 Oct; 10 on Sun 8 Oct (worked);
    # 13 on 11 Oct; 16 on Sat 14 Oct, said Mon 16 Oct.
    zhang = sorted(day for who, day in got if who == "张伟")
    assert [d.strftime("%m-%d") for d in zhang] == [
        "09-25", "09-27", "09-28", "10-07", "10-08", "10-11", "10-16"
    ]  # fmt: skip
