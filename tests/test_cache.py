"""The per-file cache: results are the same with and without it, and it notices every change."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from dataclasses import replace
from pathlib import Path

import pytest

from checklist.load.cache import cache_root
from checklist.load.campaign import load_campaign
from checklist.load.discover import discover
from checklist.load.store import Store
from checklist.load.validate import validate
from conftest import REPO

EXAMPLE = REPO / "examples" / "zhengzhou"


@pytest.fixture
def campaign_copy(tmp_path: Path) -> Path:
    """A copy of the example whose files look old enough to be cached."""
    target = tmp_path / "zhengzhou"
    shutil.copytree(EXAMPLE, target)
    old = time.time() - 3600
    for path in target.rglob("*.toml"):
        os.utime(path, (old, old))
    return target


def _run(cli, *args: str) -> tuple[int, str, str]:
    result = cli(*args)
    return result.code, result.out, result.err


@pytest.mark.parametrize(
    "command",
    [
        ("validate",),
        ("validate", "--format", "json"),
        ("status", "--all", "--format", "json"),
        ("rollup", "--by", "owner", "--format", "json"),
        ("remind", "--format", "json"),
    ],
)
def test_results_are_identical_with_and_without_the_cache(
    cli, campaign_copy: Path, command: tuple[str, ...]
) -> None:
    args = (*command, str(campaign_copy))
    afresh = _run(cli, *args, "--no-cache")
    filling = _run(cli, *args)
    warm = _run(cli, *args)
    assert afresh == filling == warm
    assert any(cache_root().iterdir())  # the cache was written
    assert afresh == _run(cli, *args, "--no-cache")


def test_no_cache_writes_nothing(cli, campaign_copy: Path) -> None:
    assert cli("validate", str(campaign_copy), "--no-cache").code == 0
    assert not cache_root().exists() or not any(cache_root().iterdir())


def test_a_changed_file_is_checked_again(cli, campaign_copy: Path) -> None:
    assert cli("validate", str(campaign_copy)).code == 0
    unit = campaign_copy / "units" / "410103" / "erqi-committee.toml"
    unit.write_text(
        unit.read_text(encoding="utf-8").replace("owner = ", "ownr = ", 1), encoding="utf-8"
    )
    result = cli("validate", str(campaign_copy))
    assert result.code == 1
    assert "E101" in result.out


def test_a_file_changed_in_the_same_second_is_never_trusted(campaign_copy: Path) -> None:
    campaign = load_campaign(campaign_copy / "campaign.toml")
    files = discover([campaign_copy], campaign)
    fresh = files[0]
    os.utime(fresh, None)  # modified just now: racily clean
    validate(files, campaign=campaign, today=campaign.start, cache=Store.open(campaign))
    stored = Store.open(campaign).paths()
    assert str(fresh.absolute()) not in stored
    assert str(files[1].absolute()) in stored


def test_a_corrupt_cache_is_ignored_and_rebuilt(cli, campaign_copy: Path) -> None:
    assert cli("validate", str(campaign_copy)).code == 0
    (stored,) = cache_root().iterdir()
    stored.write_bytes(b"not a database")
    result = cli("validate", str(campaign_copy))
    assert result.code == 0
    assert "57 files checked" in result.out
    assert stored.read_bytes() != b"not a database"


def test_a_changed_campaign_toml_invalidates_every_entry(cli, campaign_copy: Path) -> None:
    assert cli("validate", str(campaign_copy)).code == 0
    config = campaign_copy / "campaign.toml"
    # Renaming a county makes every unit of it point at a county that does not exist.
    config.write_text(
        config.read_text(encoding="utf-8").replace('"410103"', '"410199"'), encoding="utf-8"
    )
    result = cli("validate", str(campaign_copy))
    assert result.code == 1
    assert "E201" in result.out


def test_a_warm_run_reads_no_unchanged_file(
    cli, campaign_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = cli("status", str(campaign_copy), "--format", "json")

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("an unchanged file was checked again")

    monkeypatch.setattr("checklist.load.validate.check_file", refuse)
    warm = cli("status", str(campaign_copy), "--format", "json")
    assert (warm.code, warm.out) == (cold.code, cold.out)


def test_a_report_after_validate_builds_the_units_validate_skipped(
    cli, campaign_copy: Path
) -> None:
    assert cli("validate", str(campaign_copy)).code == 0  # caches problems only
    afresh = cli("rollup", str(campaign_copy), "--format", "json", "--no-cache")
    cached = cli("rollup", str(campaign_copy), "--format", "json")
    assert cached.out == afresh.out
    assert '"tasks": 873' in cached.out


def test_a_done_date_in_the_future_is_judged_on_each_day(cli, campaign_copy: Path) -> None:
    """The cache outlives a day; a result that depends on the day is never reused for another."""
    args = ("validate", str(campaign_copy), "--format", "json")
    early = cli(*args, "--as-of", "2023-11-01")  # done dates of November are in its future
    later = cli(*args, "--as-of", "2023-11-20")
    early_again = cli(*args, "--as-of", "2023-11-01")
    assert early.code == 1
    assert '"E207"' in early.out
    assert later.code == 0
    assert early_again.out == early.out
    assert later.out == cli(*args, "--as-of", "2023-11-20", "--no-cache").out


@pytest.mark.parametrize(
    "command",
    [("validate",), ("status",), ("rollup",), ("remind",), ("validate", "--format", "json")],
)
def test_every_command_that_uses_the_cache_forgets_deleted_files(
    cli, campaign_copy: Path, command: tuple[str, ...]
) -> None:
    """However it is reached, a run with the cache drops the entries of files now gone."""
    unit = campaign_copy / "units" / "410103" / "erqi-committee.toml"
    assert cli("status", str(campaign_copy)).code == 0
    campaign = load_campaign(campaign_copy / "campaign.toml")
    assert str(unit) in Store.open(campaign).paths()
    unit.unlink()  # every other file is unchanged: a warm run that reads nothing afresh
    cli(*command, str(campaign_copy))
    assert str(unit) not in Store.open(campaign).paths()


def test_the_fingerprint_covers_the_package_source(tmp_path: Path) -> None:
    """A copy of the same code shares a cache; one with another schema does not."""
    import checklist
    from checklist.load.cache import source_digest

    package = Path(checklist.__file__).parent
    same = tmp_path / "same" / "checklist"
    other = tmp_path / "other" / "checklist"
    for copy in (same, other):
        shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    schema = other / "load" / "schema.py"
    schema.write_text(schema.read_text(encoding="utf-8").replace('"owner"', '"ower"', 1))
    assert source_digest(same) == source_digest(package)
    assert source_digest(other) != source_digest(package)


def test_a_changed_schema_field_discards_the_warm_cache(
    campaign_copy: Path, tmp_path: Path
) -> None:
    """The code that built a cached result is the code that serves it, or it is built again.

    A copy of the package with the key "owner" renamed in the schema, run on a cache its
    original just filled: served from the cache, every file would still pass.
    """
    import subprocess
    import sys

    import checklist

    code = tmp_path / "code"
    shutil.copytree(
        Path(checklist.__file__).parent,
        code / "checklist",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    env = {**os.environ, "PYTHONPATH": str(code)}
    args = [sys.executable, "-m", "checklist", "validate", str(campaign_copy)]

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, env=env, capture_output=True, text=True, check=False)

    assert run().returncode == 0  # fills the cache
    assert run().returncode == 0  # served from it
    schema = code / "checklist" / "load" / "schema.py"
    text = schema.read_text(encoding="utf-8")
    changed = text.replace('Field(\n            "owner",', 'Field(\n            "responsible",', 1)
    assert changed != text
    schema.write_text(changed, encoding="utf-8")
    warm = run()
    assert warm.returncode == 1
    assert 'unknown key "owner"' in warm.stdout


def test_a_renamed_file_is_dropped_and_stored_under_its_new_name(cli, campaign_copy: Path) -> None:
    args = ("rollup", "--by", "owner", "--format", "json", str(campaign_copy))
    assert cli(*args).code == 0
    old = campaign_copy / "units" / "410103" / "erqi-committee.toml"
    new = old.with_name("erqi-renamed.toml")
    old.rename(new)
    campaign = load_campaign(campaign_copy / "campaign.toml")
    renamed = cli(*args)
    assert (renamed.code, renamed.out) == _run(cli, *args, "--no-cache")[:2]
    stored = Store.open(campaign).paths()
    assert str(old) not in stored
    assert str(new) in stored
    assert len(stored) == 57


def test_validate_warm_reads_only_stamps_and_problems(
    cli, campaign_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Validation never reads the unit and task rows, nor checks a file again."""
    cold = cli("validate", str(campaign_copy), "--format", "json")

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("read what validation does not need")

    monkeypatch.setattr("checklist.load.store.unit_rows_of", refuse)
    monkeypatch.setattr("checklist.load.store.unit_of", refuse)
    monkeypatch.setattr("checklist.load.validate.check_file", refuse)
    warm = cli("validate", str(campaign_copy), "--format", "json")
    assert (warm.code, warm.out) == (cold.code, cold.out)


def test_a_write_that_fails_midway_leaves_the_old_rows_whole(
    campaign_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file's rows change in one transaction: all of the new result, or all of the old."""
    from checklist.load import rows
    from checklist.load.cache import stamp
    from checklist.load.validate import check_file

    campaign = load_campaign(campaign_copy / "campaign.toml")
    unit = campaign_copy / "units" / "410103" / "erqi-committee.toml"
    before = check_file(unit, campaign=campaign, today=dt.date(2023, 11, 20))
    assert before.unit is not None
    saved = Store.open(campaign)
    saved.put(str(unit), unit.stat(), before)
    saved.close()
    assert Store.open(campaign).load({str(unit): stamp(unit.stat())}, units=True)
    real = rows.unit_rows

    def half(file_id: int, built: object) -> object:
        head, tasks = real(file_id, built)  # type: ignore[arg-type]
        return head, [*tasks, ("no", "task")]  # fails after the file, unit and tasks rows

    monkeypatch.setattr(rows, "unit_rows", half)
    failing = Store.open(campaign)
    failing.put(str(unit), unit.stat(), replace(before, unit_id="changed"))
    failing.write()
    assert failing.conn is None  # gave up for the run
    monkeypatch.setattr(rows, "unit_rows", real)
    found = Store.open(campaign).load({str(unit): stamp(unit.stat())}, units=True)
    assert found == {str(unit): before}


def test_runs_at_once_share_the_index(campaign_copy: Path) -> None:
    """Four processes fill one index together; each prints what a run without it prints."""
    import subprocess
    import sys

    env = {**os.environ, "CHECKLIST_AS_OF": "2023-11-20", "NO_COLOR": "1"}
    args = [sys.executable, "-m", "checklist", "status", "--all", "--format", "json"]
    alone = subprocess.run(
        [*args, "--no-cache", str(campaign_copy)], env=env, capture_output=True, check=False
    )
    runs = [
        subprocess.Popen(
            [*args, str(campaign_copy)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(4)
    ]
    for run in runs:
        out, err = run.communicate(timeout=300)
        assert (run.returncode, out, err) == (alone.returncode, alone.stdout, b"")
    campaign = load_campaign(campaign_copy / "campaign.toml")
    assert len(Store.open(campaign).paths()) == 57


def test_a_store_another_run_holds_is_not_thrown_away(
    campaign_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite saying "locked" is another run at work, not damage: a run that finds the
    store held goes without it, and what the other run keeps is not removed under it."""
    import sqlite3

    from checklist.load import store as store_module

    campaign = load_campaign(campaign_copy / "campaign.toml")
    files = discover([campaign_copy], campaign)
    validate(files, campaign=campaign, today=dt.date(2023, 11, 20), cache=Store.open(campaign))
    kept = Store.open(campaign)
    path, stored = kept.path, kept.paths()
    kept.close()
    assert len(stored) == len(files)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")  # no reader gets in while it holds
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE meta SET value = value")
    monkeypatch.setattr(store_module, "BUSY_MS", 0)  # "locked" at once, not in 5 s
    try:
        blocked = Store.open(campaign)
        assert blocked.conn is None  # this run goes without
        assert blocked.load({}, units=False) == {}
        assert path.exists()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert Store.open(campaign).paths() == stored
