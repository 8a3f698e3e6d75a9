"""A warm `validate` of the same files recalls the last one (load/recall.py, CHECKED).

The recalled run reads only the files with problems from the store and makes no result
for the clean ones; it must print, in every format, what checking every file prints.
Anything that could make it wrong (an edited, added or deleted file, another write to
the store, a memo that does not parse, a report day before a done date, a problem that
depends on the day, a unit id used twice) goes the whole way.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checklist.load import recall
from checklist.load.campaign import load_campaign
from checklist.load.source import display
from checklist.load.store import Store
from checklist.load.validate import shown, shown_all
from conftest import OLD, VALID_UNIT, Result, tamper_index

CITY_SEED = 7
FORMATS = ["text", "json", "github", "gitlab", "sarif", "junit"]

# An error (a due day that is no date), and a warning (a hidden character in a title).
BROKEN = VALID_UNIT.replace('id = "erqi-test"', 'id = "erqi-broken"').replace(
    "due = 2023-11-30", 'due = "2023-13-01"'
)
WARNED = VALID_UNIT.replace('id = "erqi-test"', 'id = "erqi-warned"').replace(
    "读书班结业", "读书班\u200b结业"
)


@pytest.fixture
def recalled(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """For each validation that asked: whether the last one was recalled."""
    calls: list[bool] = []
    real = recall.checked

    def spy(*args: object, **kwargs: object) -> object:
        found = real(*args, **kwargs)  # type: ignore[arg-type]
        calls.append(found is not None)
        return found

    monkeypatch.setattr(recall, "checked", spy)
    return calls


def _planted(city: Path) -> Path:
    """The city with a file with an error and one with a warning, written long ago."""
    county = city / "units" / "410103"
    county.mkdir(parents=True, exist_ok=True)
    for name, text in (("erqi-broken.toml", BROKEN), ("erqi-warned.toml", WARNED)):
        (county / name).write_text(text, encoding="utf-8")
        os.utime(county / name, (OLD, OLD))
    return city


def _memo(city: Path) -> Path:
    store = Store.open(load_campaign(city / "campaign.toml"))
    store.close()
    return recall.memo_path(store.path, recall.CHECKED)


@pytest.mark.parametrize("output_format", FORMATS)
def test_a_recalled_validation_prints_what_checking_every_file_prints(
    cli: Callable[..., Result], recalled: list[bool], city: Path, output_format: str
) -> None:
    _planted(city)
    args = ("validate", str(city), "--format", output_format)
    fresh = cli(*args, "--no-cache")
    assert fresh.code == 1  # the error
    assert "erqi-broken" in fresh.out
    assert "erqi-warned" in fresh.out
    first, second, third = cli(*args), cli(*args), cli(*args)
    assert recalled == [False, False, True]  # checked and kept; read and remembered; recalled
    for run in (first, second, third):
        assert (run.code, run.out) == (fresh.code, fresh.out)


def test_a_clean_campaign_recalled_says_how_many_files(
    cli: Callable[..., Result], recalled: list[bool], city: Path
) -> None:
    cli("validate", str(city))
    cli("validate", str(city))
    again = cli("validate", str(city))
    assert recalled[-1] is True
    files = len(list((city / "units").rglob("*.toml")))
    assert again.code == 0
    assert f"{files} files checked" in again.out


def _warm(cli: Callable[..., Result], city: Path) -> Result:
    """A validation remembered: the next of the same files would recall it."""
    cli("validate", str(city))
    done = cli("validate", str(city))
    assert _memo(city).exists()
    return done


def _edited(city: Path) -> None:
    unit = next((city / "units").rglob("*.toml"))
    unit.write_text(unit.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    os.utime(unit, (OLD + 60, OLD + 60))


def _added(city: Path) -> None:
    (city / "units" / "410103").mkdir(parents=True, exist_ok=True)
    new = city / "units" / "410103" / "erqi-new.toml"
    new.write_text(VALID_UNIT.replace('id = "erqi-test"', 'id = "erqi-new"'), encoding="utf-8")
    os.utime(new, (OLD, OLD))


def _deleted(city: Path) -> None:
    next((city / "units").rglob("*.toml")).unlink()


def _store_written(city: Path) -> None:
    # Another program's write (here, damage a recall would print): the store's stamps
    # move, the memo no longer holds, and the checksums find the damage.
    assert tamper_index("UPDATE problems SET message = 'forged'") > 0


def _memo_garbled(city: Path) -> None:
    _memo(city).write_text("{not json", encoding="utf-8")


@pytest.mark.parametrize(
    "change", [_edited, _added, _deleted, _store_written, _memo_garbled], ids=lambda f: f.__name__
)
def test_anything_changed_goes_the_whole_way(
    cli: Callable[..., Result],
    recalled: list[bool],
    city: Path,
    change: Callable[[Path], None],
) -> None:
    _planted(city)
    _warm(cli, city)
    change(city)
    recalled.clear()
    after = cli("validate", str(city), "--format", "json")
    assert recalled == [False]
    fresh = cli("validate", str(city), "--format", "json", "--no-cache")
    assert (after.code, after.out) == (fresh.code, fresh.out)


def test_a_report_day_before_a_done_date_goes_the_whole_way(
    cli: Callable[..., Result], recalled: list[bool], city: Path
) -> None:
    """Remembered on the 20th November, the files hold done dates up to then: a report
    dated before them must say "done in the future" (E207), as checking them says."""
    _warm(cli, city)
    recalled.clear()
    early = ("validate", str(city), "--as-of", "2023-09-15", "--format", "json")
    before = cli(*early)
    assert recalled == [False]
    assert "E207" in before.out
    assert (before.code, before.out) == (cli(*early, "--no-cache").code, cli(*early).out)


def test_a_problem_of_the_day_is_never_remembered(
    cli: Callable[..., Result], recalled: list[bool], city: Path
) -> None:
    """A done date after the report day (E207) is checked again every run."""
    county = city / "units" / "410103"
    county.mkdir(parents=True, exist_ok=True)
    future = county / "erqi-future.toml"
    future.write_text(
        VALID_UNIT.replace('id = "erqi-test"', 'id = "erqi-future"').replace(
            "done = 2023-09-28", "done = 2023-12-28"
        ),
        encoding="utf-8",
    )
    os.utime(future, (OLD, OLD))
    runs = [cli("validate", str(city)) for _ in range(3)]
    assert recalled == [False, False, False]
    assert not _memo(city).exists()
    assert all(run.code == 1 and "E207" in run.out for run in runs)


def test_a_unit_id_used_twice_is_never_remembered(
    cli: Callable[..., Result], recalled: list[bool], city: Path
) -> None:
    """The check across files (E301) needs every file's unit id: no recall skips it."""
    county = city / "units" / "410103"
    county.mkdir(parents=True, exist_ok=True)
    for name in ("erqi-a.toml", "erqi-b.toml"):
        (county / name).write_text(VALID_UNIT, encoding="utf-8")  # both "erqi-test"
        os.utime(county / name, (OLD, OLD))
    runs = [cli("validate", str(city)) for _ in range(3)]
    assert recalled == [False, False, False]
    assert all(run.code == 1 and run.out.count("E301") >= 2 for run in runs)
    assert runs[2].out == runs[0].out


ABSOLUTE = st.lists(st.sampled_from(["a", "b", ".", "..", "", "x.toml"]), max_size=6).map(
    lambda parts: "/" + "/".join(parts)
)


@given(st.lists(ABSOLUTE, max_size=8))
def test_the_names_shown_at_once_are_those_shown_one_by_one(names: list[str]) -> None:
    assert shown_all(names) == tuple(map(shown, names))
    assert shown_all(names) == tuple(display(Path(name)) for name in names)
