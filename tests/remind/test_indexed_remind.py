"""remind from the index, owner by owner (indexed_remind.py), says what the units' path says.

The night is planned from compact rows and its messages' entries made a few owners at a
time; each run here is held to a run with --no-cache (every unit built from its file,
plan.planned over every Item), text and JSON, on a generated campaign with liaison
groups, a [calendar] and owners with addresses, on days across the campaign: with the
units' and tasks' rows kept (a city's night), or either kind read again for each batch
(a province's), batches of one owner.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from checklist import indexed_remind
from conftest import OLD, Result, generate_city, tamper_index

DAYS = ("2023-10-16", "2023-11-18", "2023-11-20", "2023-12-11")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = generate_city(tmp_path_factory.mktemp("generated") / "city", seed=7, units=60)
    config = root / "campaign.toml"
    text = config.read_text("utf-8")
    codes = re.findall(r'^code = "(.*)"', text, re.MULTILINE)
    text = text.replace("escalate_after = 7\n", "escalate_after = 7\ngroup_after = 10\n")
    text += '\n[[groups]]\nname = "一组"\ncontact = "赵 <zhao@example.cn>"\n'
    text += f'counties = ["{codes[0]}", "{codes[1]}"]\n'
    text += f'\n[[groups]]\nname = "二组"\ncontact = "钱"\ncounties = ["{codes[2]}"]\n'
    text += "\n[calendar]\nholidays = [2023-11-17]\nworkdays = [2023-11-11]\n"
    config.write_text(text, "utf-8")
    return root


def _same(cli: Callable[..., Result], answered: list[bool], *args: str | Path) -> Result:
    """A warm run equals a run without the index, and the index answered it."""
    afresh = cli(*args, "--no-cache")
    before = len(answered)
    warm = cli(*args)
    assert answered[before:][-1:] == [True], args
    assert (warm.code, warm.out, warm.err) == (afresh.code, afresh.out, afresh.err), args
    return warm


@pytest.mark.parametrize(
    ("units", "once", "batch"),
    [(100_000, 20_000, 2_000), (100_000, 0, 1), (0, 20_000, 1), (0, 0, 1)],
    ids=["city", "units kept", "made once", "read"],
)
def test_remind_owner_by_owner_is_remind_from_the_units(
    cli,
    answered: list[bool],
    city: Path,
    monkeypatch: pytest.MonkeyPatch,
    units: int,
    once: int,
    batch: int,
) -> None:
    monkeypatch.setattr(indexed_remind, "KEEP_UNITS", units)
    monkeypatch.setattr(indexed_remind, "MAKE_ONCE", once)
    monkeypatch.setattr(indexed_remind, "BATCH", batch)
    assert cli("remind", city).code == 0  # fills the index
    kinds: set[str] = set()
    for day in DAYS:
        _same(cli, answered, "remind", city, "--as-of", day)
        warm = _same(cli, answered, "remind", city, "--as-of", day, "--format", "json")
        kinds |= {m["kind"] for m in json.loads(warm.out)["messages"]}
    _same(cli, answered, "remind", city, "--county", "410102", "--format", "json")
    assert kinds == {"owner", "escalation", "group"}  # every kind of message was compared


@pytest.mark.parametrize(
    "forgery",
    [
        "UPDATE units SET name = 'forged'",
        "UPDATE tasks SET title = 'forged'",
        "DELETE FROM tasks WHERE seq % 3 = 0",  # rows gone: not messages silently short
        "DELETE FROM units WHERE file % 2 = 0",
    ],
)
def test_a_damaged_row_is_found_before_any_message(
    cli, answered: list[bool], city: Path, forgery: str
) -> None:
    args = ("remind", city, "--format", "json")
    afresh = cli(*args, "--no-cache")
    assert cli(*args).code == 0
    tamper_index(forgery)
    damaged = cli(*args)
    assert (damaged.code, damaged.out) == (afresh.code, afresh.out)  # once, from the units
    assert "forged" not in damaged.out
    _same(cli, answered, *args)  # the rows written again: the index answers once more


UNIT = """\
[unit]
id = "{uid}"
name = "{uid} 支部"
county = "410103"
level = "grassroots"
contact = "王红"

[study]
owner = "{owner} <{address}>"
due = 2023-11-21

[research]
owner = "王红"
due = 2024-01-31

[development]
owner = "王红"
due = 2024-01-31

[rectification]
owner = "王红"
due = 2024-01-31

[institutions]
owner = "王红"
due = 2024-01-31
"""


def test_an_owners_key_is_pythons_lower_of_the_address(
    cli, answered: list[bool], campaign_dir: Callable[..., Path]
) -> None:
    """One person, their address written Ärger@ in one unit and ärger@ in another: one
    message (Person.key is str.lower(); SQLite's lower() would leave Ä as it is)."""
    folder = campaign_dir()
    for uid, owner, address in (
        ("b", "张伟", "ärger@example.cn"),
        ("a", "张三", "Ärger@example.cn"),
    ):
        path = folder / "units" / f"{uid}.toml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(UNIT.format(uid=uid, owner=owner, address=address), "utf-8")
        os.utime(path, (OLD, OLD))
    assert cli("remind", folder).code == 0  # fills the index
    warm = _same(cli, answered, "remind", folder, "--format", "json")
    (message,) = json.loads(warm.out)["messages"]
    # The first task found (files in order: a.toml, then b.toml) names the recipient.
    assert message["recipient"] == {"name": "张三", "address": "Ärger@example.cn", "unit": "a"}
    assert [t["unit"] for t in message["tasks"]] == ["a", "b"]


def _params(root: Path, day: str) -> dict[str, object]:
    """A remind command's parameters, as typer would hand them to open_scope."""
    keys = ("config", "lang", "county", "unit", "owner", "measure", "level", "group")
    params: dict[str, object] = dict.fromkeys(keys)
    params |= {"paths": [str(root)], "as_of": day, "follow_outside": False, "no_cache": False}
    return params


@pytest.mark.parametrize("day", DAYS)
def test_the_messages_entries_are_those_of_the_units(city: Path, day: str) -> None:
    """Not only the output: every Message, its entries (every field, postponed_from and
    postpone_reason among them, which the text and JSON do not all show) and the people
    copied, equal those plan.planned makes from the units' Items."""
    from checklist.cli.scope import open_scope
    from checklist.i18n import Lang
    from checklist.remind.plan import plan, silent_dues

    units = open_scope(_params(city, day))  # the units' path (and the index filled)
    campaign, as_of = units.campaign, units.as_of
    soon = max(campaign.remind.advance_days)
    expected = plan(units.items(soon=soon), campaign=campaign, as_of=as_of, lang=Lang.ZH)
    scope = open_scope(_params(city, day), indexed=True)
    assert scope.index is not None
    with scope.index as index:
        made = list(
            indexed_remind.planned(
                index,
                campaign=campaign,
                as_of=as_of,
                lang=Lang.ZH,
                filters=scope.filters,
                soon=soon,
                leave_out=silent_dues(campaign, as_of, soon),
            )
        )
    assert made == expected
    entries = [e for m in made for e in m.items]
    if day == "2023-11-18":  # a Saturday: a rest day of [calendar] is quiet
        assert entries == []
    else:
        assert any(m.cc for m in made)  # escalations copy owners
    if day >= "2023-11-20":  # the campaign's postponements are under way
        assert any(e.postponed_from and e.postpone_reason for e in entries)
