"""postpone and import --update on a due given as ``due_workdays`` after ``from``.

Worked by hand (tests/test_due_workdays.py): with [calendar] country = "CN", 5 working days
after Thu 28 Sep 2023 is Wed 11 Oct 2023 (29 Sep – 6 Oct off, 7 and 8 Oct worked: 7, 8, 9,
10, 11 Oct). So the task's due is 11 Oct, the date postponed_from keeps, and the date a
ledger sheet may repeat without changing anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CAMPAIGN_TOML, Result
from ledger_books import book

Cli = Callable[..., Result]
CN = CAMPAIGN_TOML + '\n[calendar]\ncountry = "CN"\n'

UNIT = """\
# 二七区测试单位
[unit]
id = "410103-001"
name = "中共郑州市二七区测试委员会"
county = "410103"
level = "grassroots"
contact = "王红"

[study]                     # 理论学习
owner = "张伟"
due = 2023-10-31

# 节后五个工作日内报送
[[study.tasks]]
title = "报送学习情况"
due_workdays = 5    # 五个工作日
from = 2023-09-28   # 节前最后一个工作日
note = "报县委办"

[[study.tasks]]
title = "读书班结业"

[research]
owner = "李强"
due_workdays = 1
from = 2023-11-29

[development]
owner = "刘洋"
due = 2023-12-31

[rectification]
owner = "陈静"
due = 2023-12-20

[institutions]
owner = "王红"
due = 2024-01-31
"""


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "campaign.toml").write_text(CN, encoding="utf-8")
    path = tmp_path / "units" / "410103" / "410103-001.toml"
    path.parent.mkdir(parents=True)
    path.write_text(UNIT, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return path


def test_postpone_turns_the_pair_into_a_due_where_it_stood(here: Path, cli: Cli) -> None:
    result = cli("postpone", here, "study", "1", "--to", "2023-10-20", "--reason", "节后调整")
    assert result.code == 0, result
    assert here.read_text("utf-8") == UNIT.replace(
        "due_workdays = 5    # 五个工作日\nfrom = 2023-09-28   # 节前最后一个工作日\n"
        'note = "报县委办"\n',
        "due = 2023-10-20    # 五个工作日; 节前最后一个工作日\n"
        'note = "报县委办"\npostponed_from = 2023-10-11\npostpone_reason = "节后调整"\n',
    )
    assert cli("validate", here).code == 0


def test_postpone_a_measure_of_its_own(here: Path, cli: Cli) -> None:
    # 1 working day after Wed 29 Nov 2023 is Thu 30 Nov.
    result = cli("postpone", here, "research", "--to", "2023-12-08", "--reason", "延后")
    assert result.code == 0, result
    assert here.read_text("utf-8") == UNIT.replace(
        'owner = "李强"\ndue_workdays = 1\nfrom = 2023-11-29\n',
        'owner = "李强"\ndue = 2023-12-08\npostponed_from = 2023-11-30\npostpone_reason = "延后"\n',
    )


def test_postpone_reads_the_counted_date(here: Path, cli: Cli) -> None:
    # 11 Oct is the due date: moving it to 11 Oct is no postponement.
    result = cli("postpone", here, "study", "1", "--to", "2023-10-11", "--reason", "x")
    assert result.code != 0
    assert "not later than the due date 2023-10-11" in result.err
    assert here.read_text("utf-8") == UNIT


def _sheet(folder: Path, study_due: dt.date, research_due: dt.date) -> None:
    """The unit's ledger: the first study task and the research measure with these dues."""
    name = "中共郑州市二七区测试委员会"
    book(
        folder / "ledger.xlsx",
        [
            [name, "二七区", "基层", "王红", "理论学习", "报送学习情况", "张伟", study_due, "", ""],
            ["", "", "", "", "调查研究", "", "李强", research_due, "", ""],
        ],
    )


def test_import_update_with_the_counted_dates_changes_nothing(here: Path, cli: Cli) -> None:
    _sheet(here.parents[2], dt.date(2023, 10, 11), dt.date(2023, 11, 30))
    result = cli("import", "ledger.xlsx", "--update")
    assert result.code == 0, result
    assert "is unchanged" in result.out
    assert here.read_text("utf-8") == UNIT


def test_import_update_with_another_date_writes_a_plain_due(here: Path, cli: Cli) -> None:
    _sheet(here.parents[2], dt.date(2023, 10, 16), dt.date(2023, 11, 30))
    result = cli("import", "ledger.xlsx", "--update")
    assert result.code == 0, result
    assert "理论学习/报送学习情况: due 2023-10-11 → 2023-10-16" in result.out
    assert here.read_text("utf-8") == UNIT.replace(
        "due_workdays = 5    # 五个工作日\nfrom = 2023-09-28   # 节前最后一个工作日\n",
        "due = 2023-10-16    # 五个工作日; 节前最后一个工作日\n",
    )
    assert cli("validate", here).code == 0


def test_done_counts_the_occurrences_shift_leaves(here: Path, cli: Cli) -> None:
    # Daily from Thu 28 Sep to Mon 9 Oct 2023 with shift = "after": 28 Sep, 7, 8, 9 Oct
    # (tests/test_shift.py), so four done dates are all of them, not 4 of 12.
    text = UNIT.replace(
        "due_workdays = 5    # 五个工作日\nfrom = 2023-09-28   # 节前最后一个工作日\n",
        'due = 2023-09-28\nrepeat = "daily"\nuntil = 2023-10-09\nshift = "after"\n'
        "done = [2023-09-28, 2023-10-07, 2023-10-08]\n",
    )
    here.write_text(text, encoding="utf-8")
    result = cli("done", here, "study", "1", "--on", "2023-10-09")
    assert result.code == 0, result
    assert "occurrence 4 of 4" in result.out + result.err
    again = cli("done", here, "study", "1", "--on", "2023-10-10")
    assert again.code != 0
    assert "all 4 occurrences" in again.err


def test_done_on_a_repeating_task_counted_in_working_days(here: Path, cli: Cli) -> None:
    # Weekly from 11 Oct (5 working days after 28 Sep) to the campaign's end, 31 Jan 2024:
    # 11, 18, 25 Oct, ... 31 Jan, 17 Wednesdays. The first done date is occurrence 1 of 17.
    text = UNIT.replace('note = "报县委办"\n', 'note = "报县委办"\nrepeat = "weekly"\n')
    here.write_text(text, encoding="utf-8")
    result = cli("done", here, "study", "1", "--on", "2023-10-11")
    assert result.code == 0, result
    assert "occurrence 1 of 17" in result.out + result.err
    assert "due_workdays = 5    # 五个工作日\n" in here.read_text("utf-8")
