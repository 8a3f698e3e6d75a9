"""The shortcuts of a cold validate (issue 12) give what the long ways give.

Each shortcut stands beside the code it replaces: names as text beside pathlib, a wide
character class beside SCREEN, a count of dots beside the lines, a screen of the text
beside resolving working days everywhere, a memo of repeat rules beside expanding them,
results kept as they come beside results kept at the end. Speed is measured in
benchmarks/, not here.
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
import re
from collections.abc import Callable
from pathlib import Path, PurePath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checklist.load import check, dotted, validate
from checklist.load.cache import stamp, stamp_all, stat_all
from checklist.load.campaign import load_campaign
from checklist.load.check import check_unit
from checklist.load.source import display
from checklist.words import SCREEN, SCREEN_WIDE
from conftest import CAMPAIGN_TOML, VALID_UNIT

TODAY = dt.date(2023, 11, 20)

# Names as pathlib may rewrite them: doubled, dotted and trailing slashes, dot files.
NAMES = [
    "u.toml",
    "units/410103/u.toml",
    "./units/u.toml",
    "units//410103/u.toml",
    "units/./u.toml",
    "units/../u.toml",
    "units/410103/",
    "units/410103/.",
    "units/.hidden",
    "units/a.b.toml",
    "units/toml.",
    "units/..",
    "/u.toml",
    "//u.toml",
    "///x/u.toml",
]
PATHISH = st.text(alphabet="/.ab", min_size=1, max_size=14)


@pytest.mark.parametrize("name", NAMES)
def test_the_stem_is_pathlibs(name: str) -> None:
    assert check._stem(name) == PurePath(name).stem


@given(PATHISH)
def test_the_stem_is_pathlibs_for_any_name(name: str) -> None:
    assert check._stem(name) == PurePath(name).stem


def test_the_folders_are_pathlibs_from_any_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The memo of folders must not answer for another working folder or campaign."""
    (tmp_path / "campaign" / "units" / "410103").mkdir(parents=True)
    (tmp_path / "campaign" / "campaign.toml").write_text(CAMPAIGN_TOML, encoding="utf-8")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "campaign.toml").write_text(CAMPAIGN_TOML, encoding="utf-8")
    campaigns = [load_campaign(tmp_path / f / "campaign.toml") for f in ("campaign", "other")]
    absolute = [f"{tmp_path}/campaign/{name}" for name in NAMES if not name.startswith("/")]
    for folder in ("campaign", "campaign/units", "other", "."):
        monkeypatch.chdir(tmp_path / folder)
        for campaign in campaigns:
            for name in [*NAMES, *absolute]:
                assert check._folders(name, campaign) == check._folders_of(name, campaign), name


def test_a_file_in_a_county_folder_has_its_folders(tmp_path: Path) -> None:
    (tmp_path / "campaign.toml").write_text(CAMPAIGN_TOML, encoding="utf-8")
    campaign = load_campaign(tmp_path / "campaign.toml")
    name = f"{tmp_path}/units/410103/u.toml"
    assert check._folders(name, campaign) == ("units", "410103")
    assert check._folders("/elsewhere/410105/u.toml", campaign) == ("410105",)


@pytest.mark.parametrize("working", ["/", "cwd", "cwd/units", "elsewhere"])
def test_a_name_is_shown_as_display_shows_it(
    working: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cwd = tmp_path / "cwd"
    for folder in ("cwd/units", "elsewhere"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir("/" if working == "/" else tmp_path / working)
    names = [f"{cwd}/{name}" for name in NAMES] + [str(cwd), f"{cwd}x/u.toml", "/u.toml"]
    for name in names:
        assert validate.shown(name) == display(Path(name)), name
    # The fast way's own answers, worked by hand.
    if working == "cwd":
        assert validate.shown(f"{cwd}/units/410103/u.toml") == "units/410103/u.toml"
        assert validate.shown(f"{cwd}x/u.toml") == f"{cwd}x/u.toml"


def test_the_wide_screen_finds_what_screen_finds_and_every_wide_character() -> None:
    narrow = "".join(map(chr, range(0x10000)))
    assert SCREEN_WIDE.findall(narrow) == SCREEN.findall(narrow)
    wide = "".join(map(chr, range(0x10000, 0x110000)))
    assert len(SCREEN_WIDE.findall(wide)) == len(wide)


def _dotted_by_lines(text: str) -> bool:
    return any(line.count(".") >= dotted.MAX_KEY_PARTS for line in text.split("\n"))


@pytest.mark.parametrize(
    ("text", "dotted_line"),
    [
        ("a.b.c.d.e.f.g.h.i.j.k = 1", True),  # ten dots on one line
        ("a.b.c.d.e.f.g.h.i.j = 1", False),  # nine
        ("a.b.c.d.e\n.f.g.h.i.j.k", False),  # ten, across two lines
        ("x\n..........\ny", True),
        ("..........", True),
        (".........\n", False),
    ],
)
def test_a_dotted_line_is_counted_by_its_dots(text: str, dotted_line: bool) -> None:
    assert dotted._dotted_line(text) is dotted_line
    assert _dotted_by_lines(text) is dotted_line


@settings(max_examples=300)
@given(st.text(alphabet=".\na\r", max_size=60))
def test_a_dotted_line_is_found_as_the_lines_find_it(text: str) -> None:
    assert dotted._dotted_line(text) is _dotted_by_lines(text)


def _checked(campaign_dir: Callable[..., Path], unit: str, campaign: str = CAMPAIGN_TOML):  # type: ignore[no-untyped-def]
    loaded = load_campaign(campaign_dir(campaign) / "campaign.toml")
    return check_unit(unit.encode(), file="u.toml", campaign=loaded, today=TODAY)


def _study(due: str) -> str:
    text = VALID_UNIT.replace("due = 2023-09-30\ndone = 2023-09-28\n", due)
    assert text != VALID_UNIT
    return text


def test_working_days_in_escaped_keys_are_counted(campaign_dir: Callable[..., Path]) -> None:
    """Neither key is in the text as typed; an escape spells both. Thu 28 Sep 2023 plus 5
    working days, Monday to Friday: Fri 29, Mon 2, Tue 3, Wed 4, Thu 5 October."""
    escaped = _checked(
        campaign_dir, _study('"due\\u005fworkdays" = 5\n"fr\\u006fm" = 2023-09-28\n')
    )
    plain = _checked(campaign_dir, _study("due_workdays = 5\nfrom = 2023-09-28\n"))
    assert escaped.problems == plain.problems == ()
    assert escaped.unit == plain.unit
    assert escaped.unit is not None
    assert escaped.unit.tasks[0].due == dt.date(2023, 10, 5)


def test_a_mistyped_working_day_count_still_stands_for_the_due_date(
    campaign_dir: Callable[..., Path],
) -> None:
    """ "due_workday" is a typo for due_workdays (E101 says so); the task then has no usable
    due, but no second finding calls it missing: one mistake, one message."""
    result = _checked(campaign_dir, _study("due_workday = 5\nfrom = 2023-09-28\n"))
    assert [(p.code, p.line) for p in result.problems] == [("E101", 19)]
    assert 'did you mean "due_workdays"' in (result.problems[0].hint or "")


WEEKLY = """\
[unit]
name = "u"
county = "410103"
level = "grassroots"
contact = "王红"

[study]
owner = "张伟"

[[study.tasks]]
title = "周报"
due = 2023-10-06
repeat = "weekly"
done = [2023-10-06, 2023-10-13, 2023-10-20, 2023-10-27, 2023-11-03]
"""


def test_repeat_rules_expanded_once_still_answer_for_each_campaign(
    campaign_dir: Callable[..., Path],
) -> None:
    """Weekly from Fri 6 Oct: up to Fri 27 Oct that is 6, 13, 20, 27 Oct, four times, so
    five done dates are one too many (E211); up to 3 Nov it is five, and they fit. The
    memo of expansions must give each campaign its own answer, in any order."""
    short = CAMPAIGN_TOML.replace("end = 2024-01-31", "end = 2023-10-27")
    long = CAMPAIGN_TOML.replace("end = 2024-01-31", "end = 2023-11-03")
    results = [_checked(campaign_dir, WEEKLY, text) for text in (short, long, short)]
    codes = [[p.code for p in r.problems if p.code in ("E211", "W403")] for r in results]
    assert codes == [["E211"], [], ["E211"]]
    # A worker unpickles its own copy of the campaign for each chunk of files.
    loaded = load_campaign(campaign_dir(short) / "campaign.toml")
    copy = pickle.loads(pickle.dumps(loaded))
    assert copy == loaded
    assert copy is not loaded
    again = check_unit(WEEKLY.encode(), file="u.toml", campaign=copy, today=TODAY)
    assert again.problems == results[0].problems
    message = next(p.message for p in results[0].problems if p.code == "E211")
    assert message == '5 done dates, but task "周报" occurs only 4 times up to 2023-10-27'


def test_a_broken_repeat_rule_is_said_each_time(campaign_dir: Callable[..., Path]) -> None:
    broken = WEEKLY.replace('repeat = "weekly"', 'repeat = "FREQ=SOMETIMES"')
    first, second = (_checked(campaign_dir, broken) for _ in range(2))
    assert first.problems == second.problems
    [said] = [p for p in first.problems if p.code == "E205"]
    assert said.message.startswith('repeat = "FREQ=SOMETIMES" is not a rule')


def _campaign_of(files: int, write_unit: Callable[..., Path]) -> list[str]:
    names = []
    for i in range(files):
        text = VALID_UNIT.replace('id = "erqi-test"', f'id = "u{i}"')
        if i % 5 == 1:
            text = text.replace("owner = ", "ownr = ", 1)  # E101, and a guess
        if i % 7 == 2:
            text = text.replace("done = 2023-09-28", "done = 2024-09-28")  # E207: of the day
        if i % 11 == 3:
            text = "[unit\n"  # E005
        names.append(str(write_unit(f"u{i:02d}.toml", text)))
    names.append(names[0].replace("u00.toml", "gone.toml"))  # E001: not there
    return names


def test_files_checked_on_every_core_are_what_one_core_finds(
    write_unit: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The results streamed from workers, kept as they come, are those of checking one file
    after another; and the store keeps them as the run at the end did (a warm run agrees)."""
    from checklist.load.cache import stamp
    from checklist.load.store import Store

    names = _campaign_of(30, write_unit)
    campaign = load_campaign(tmp_path / "campaign" / "campaign.toml")
    os.utime(tmp_path / "campaign" / "units" / "410103", (1_600_000_000, 1_600_000_000))
    for name in names[:-1]:
        os.utime(name, (1_600_000_000, 1_600_000_000))  # not "changed just now": kept

    def run(*, cache: bool) -> validate.Report:
        store = Store.open(campaign) if cache else None
        return validate.validate(names, campaign=campaign, today=TODAY, cache=store, units=False)

    alone = run(cache=False)
    monkeypatch.setattr(validate, "PARALLEL_MIN", 2)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    cold = run(cache=True)
    assert cold == alone
    codes = {p.code for p in alone.problems}
    assert {"E001", "E005", "E101", "E207"} <= codes
    assert len(alone.results) == len(names)
    assert re.search(r"u01\.toml$", alone.results[1].file)
    # Every file that was there is kept, with what checking it found; the missing one not.
    stamps = {name: stamp(Path(name).stat()) for name in names[:-1]}
    kept = Store.open(campaign).load(stamps, units=False)
    assert sorted(kept) == sorted(names[:-1])
    for name, result in zip(names, alone.results, strict=False):
        if name in kept:
            assert kept[name].problems == result.problems, name


def test_files_stated_folder_by_folder_are_stated_as_by_path(tmp_path: Path) -> None:
    """cache.stat_all (and stamp_all) opens each folder once; what it finds is what os.stat finds,
    for files, links, what is missing, folders, and names in folders that are not."""
    folder, other = tmp_path / "units", tmp_path / "other"
    folder.mkdir()
    other.mkdir()
    (folder / "a.toml").write_text("a", encoding="utf-8")
    (other / "b.toml").write_text("bb", encoding="utf-8")
    (folder / "link.toml").symlink_to(other / "b.toml")
    (folder / "broken.toml").symlink_to(tmp_path / "nowhere.toml")
    (folder / "file-as-folder").write_text("", encoding="utf-8")
    names = [
        folder / "a.toml",
        folder / "gone.toml",
        folder / "link.toml",
        folder / "broken.toml",
        other / "b.toml",
        folder / "a.toml",  # a folder met again, after another
        tmp_path / "missing" / "c.toml",
        folder / "file-as-folder" / "d.toml",
        folder,
    ]
    keys = [*map(str, names), "relative.toml", "/"]

    def by_path(key: str) -> tuple[int, ...] | None:
        try:
            return stamp(os.stat(key))  # noqa: PTH116
        except OSError:
            return None

    found = [None if s is None else stamp(s) for s in stat_all(keys)]
    assert found == [by_path(key) for key in keys]
    assert stamp_all(keys) == found
    assert found[0] is not None
    assert found[1] is None
    assert found[2] == by_path(str(other / "b.toml"))
