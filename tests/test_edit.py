"""done, reopen and postpone, run as a user would, on copies of the Zhengzhou example.

An edit must change only the bytes it has to, validate, refuse cleanly (the file
untouched, a clear message, the documented exit code) and write atomically.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import json
import os
import pathlib
import re
import shutil
import stat
import subprocess
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "zhengzhou"
UNIT_FILES = sorted(p.relative_to(EXAMPLE) for p in EXAMPLE.glob("units/*/*.toml"))
MEASURES = ("study", "research", "development", "rectification", "institutions")
CAMPAIGN_END = dt.date(2024, 1, 31)
ON = "2023-11-20"  # the day of CHECKLIST_AS_OF (conftest)
ERQI = Path("units/410103/erqi-committee.toml")
LONE_LF = re.compile(rb"(?<!\r)\n")


# --- helpers ---------------------------------------------------------------------------


def copy_campaign(tmp_path: Path, *units: Path) -> Path:
    """A copy of examples/zhengzhou's campaign.toml and the given unit files; its folder."""
    root = tmp_path / "zhengzhou"
    root.mkdir()
    shutil.copy(EXAMPLE / "campaign.toml", root / "campaign.toml")
    for unit in units:
        (root / unit).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(EXAMPLE / unit, root / unit)
    return root


class Item(NamedTuple):
    measure: str
    spec: tuple[str, ...]  # the TASK argument: ("2",), or () for a measure without tasks
    table: dict[str, Any]  # the task (or the measure, when it has no tasks)
    measure_table: dict[str, Any]


def items(doc: dict[str, Any]) -> Iterator[Item]:
    """Every task of a unit file, in file order, as the commands number them."""
    for measure in MEASURES:
        table = doc[measure]
        tasks = table.get("tasks")
        if not tasks:
            yield Item(measure, (), table, table)
        for number, task in enumerate(tasks or [], 1):
            yield Item(measure, (str(number),), task, table)


def occurrence_count(item: Item) -> int:
    from checklist.recur import occurrences

    first = item.table.get("due", item.measure_table.get("due"))
    last = min(item.table.get("until", CAMPAIGN_END), CAMPAIGN_END)
    return len(occurrences(item.table["repeat"], first=first, last=last))


def is_open(item: Item) -> bool:
    if "repeat" in item.table:
        return len(item.table.get("done", [])) < occurrence_count(item)
    return "done" not in item.table


def first_open(unit: Path, *, repeating: bool) -> Item | None:
    doc = tomllib.loads((EXAMPLE / unit).read_text(encoding="utf-8"))
    for item in items(doc):
        if ("repeat" in item.table) == repeating and is_open(item):
            return item
    return None


def first_postponable(unit: Path) -> Item:
    """The first open, non-repeating, never postponed task due before the campaign's end."""
    doc = tomllib.loads((EXAMPLE / unit).read_text(encoding="utf-8"))
    for item in items(doc):
        due = item.table.get("due", item.measure_table.get("due"))
        if (
            is_open(item)
            and "repeat" not in item.table
            and "postponed_from" not in item.table
            and due < CAMPAIGN_END
        ):
            return item
    raise AssertionError(f"{unit} has no task to postpone")


class Hunk(NamedTuple):
    removed: list[str]
    added: list[str]
    above: str  # the unchanged line just above the change


def hunks(before: bytes, after: bytes) -> list[Hunk]:
    old = before.decode("utf-8").splitlines()
    new = after.decode("utf-8").splitlines()
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    return [
        Hunk(old[i1:i2], new[j1:j2], old[i1 - 1] if i1 else "")
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


def misplaced(changes: list[Hunk]) -> list[Hunk]:
    """Inserted lines that follow a blank line or a comment instead of the task's own keys.

    A comment right above a ``[[…tasks]]`` header introduces that task; a key appended
    to the previous task belongs above the blank line and the comment, not under them.
    """
    return [
        h
        for h in changes
        if not h.removed and (not h.above.strip() or h.above.lstrip().startswith("#"))
    ]


def done_tasks(path: Path) -> set[tuple[str, tuple[str, ...]]]:
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    return {(i.measure, i.spec) for i in items(doc) if "done" in i.table}


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (temporary files included) with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".*.tmp"))


def unit_name(unit: Path) -> str:
    return unit.with_suffix("").as_posix().removeprefix("units/")


# --- 1. byte-level round trips on every example file -----------------------------------


@pytest.mark.parametrize("unit", UNIT_FILES, ids=unit_name)
def test_done_adds_only_the_done_line_under_the_task(tmp_path: Path, cli, unit: Path) -> None:
    path = copy_campaign(tmp_path, unit) / unit
    before = path.read_bytes()
    item = first_open(unit, repeating=False)
    assert item is not None

    result = cli("done", path, item.measure, *item.spec, "--on", ON)

    assert result.code == 0, result.err
    changes = hunks(before, path.read_bytes())
    assert [(h.removed, h.added) for h in changes] == [([], [f"done = {ON}"])]
    assert not misplaced(changes), (
        f"done = {ON} was inserted under {changes[0].above!r}, away from the task's keys"
    )
    assert done_tasks(path) == done_tasks(EXAMPLE / unit) | {(item.measure, item.spec)}


@pytest.mark.parametrize("unit", UNIT_FILES, ids=unit_name)
def test_done_then_reopen_restores_every_byte(tmp_path: Path, cli, unit: Path) -> None:
    path = copy_campaign(tmp_path, unit) / unit
    before = path.read_bytes()
    item = first_open(unit, repeating=False)
    assert item is not None

    assert cli("done", path, item.measure, *item.spec, "--on", ON).code == 0
    assert path.read_bytes() != before
    result = cli("reopen", path, item.measure, *item.spec)

    assert result.code == 0, result.err
    assert path.read_bytes() == before


REPEATING = [u for u in UNIT_FILES if first_open(u, repeating=True) is not None]


def test_the_example_has_repeating_tasks_to_edit() -> None:
    assert len(REPEATING) >= 10


@pytest.mark.parametrize("unit", REPEATING, ids=unit_name)
def test_done_on_a_repeating_task_changes_only_its_done_list(
    tmp_path: Path, cli, unit: Path
) -> None:
    path = copy_campaign(tmp_path, unit) / unit
    before = path.read_bytes()
    item = first_open(unit, repeating=True)
    assert item is not None
    dates = list(item.table.get("done", []))

    result = cli("done", path, item.measure, *item.spec, "--on", ON)

    assert result.code == 0, result.err
    after = path.read_bytes()
    changes = hunks(before, after)
    assert len(changes) == 1, changes
    (change,) = changes
    # One line of the list changes (or one is added): a multi-line list keeps its layout.
    assert len(change.removed) <= 1
    assert len(change.added) == 1
    assert "2023-11-20" in change.added[0]
    expected = tomllib.loads(before.decode())
    measure = expected[item.measure]
    task = measure["tasks"][int(item.spec[0]) - 1] if item.spec else measure
    assert task.get("done", []) == dates
    task["done"] = [*dates, dt.date(2023, 11, 20)]
    assert tomllib.loads(after.decode()) == expected


@pytest.mark.parametrize("unit", REPEATING, ids=unit_name)
def test_done_then_reopen_on_a_repeating_task_restores_every_byte(
    tmp_path: Path, cli, unit: Path
) -> None:
    path = copy_campaign(tmp_path, unit) / unit
    before = path.read_bytes()
    item = first_open(unit, repeating=True)
    assert item is not None

    assert cli("done", path, item.measure, *item.spec, "--on", ON).code == 0
    result = cli("reopen", path, item.measure, *item.spec)

    assert result.code == 0, result.err
    assert path.read_bytes().decode() == before.decode()  # a readable diff on failure
    assert path.read_bytes() == before


@pytest.mark.parametrize("unit", UNIT_FILES, ids=unit_name)
def test_postpone_moves_due_and_adds_the_original_date_and_reason(
    tmp_path: Path, cli, unit: Path
) -> None:
    path = copy_campaign(tmp_path, unit) / unit
    before = path.read_bytes()
    item = first_postponable(unit)
    old = item.table.get("due", item.measure_table.get("due"))

    result = cli(
        "postpone", path, item.measure, *item.spec, "--to", "2024-01-31", "--reason", "经研究调整"
    )

    assert result.code == 0, result.err
    changes = hunks(before, path.read_bytes())
    removed = [line for h in changes for line in h.removed]
    added = [line for h in changes for line in h.added]
    # A task with its own due has that line changed; one that inherits it gets its own.
    assert removed == ([f"due = {old}"] if "due" in item.table else [])
    assert sorted(added) == sorted(
        ["due = 2024-01-31", f"postponed_from = {old}", 'postpone_reason = "经研究调整"']
    )
    assert not misplaced(changes), f"lines inserted away from the task's keys: {changes}"


# --- 2. line endings, byte-order mark, final newline -----------------------------------


def test_a_crlf_file_stays_crlf_after_every_edit(tmp_path: Path, cli) -> None:
    path = copy_campaign(tmp_path, ERQI) / ERQI
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))

    assert cli("done", path, "study", "3", "--on", ON).code == 0  # a line added
    assert cli("done", path, "institutions", "主题教育旬报", "--on", ON).code == 0  # a list
    assert (
        cli("postpone", path, "institutions", "2", "--to", "2024-01-10", "--reason", "调整").code
        == 0
    )

    data = path.read_bytes()
    assert LONE_LF.findall(data) == []
    assert b"done = 2023-11-20\r\n" in data
    assert b'postpone_reason = "\xe8\xb0\x83\xe6\x95\xb4"\r\n' in data


def test_a_crlf_file_round_trips(tmp_path: Path, cli) -> None:
    path = copy_campaign(tmp_path, ERQI) / ERQI
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    before = path.read_bytes()

    assert cli("done", path, "study", "3", "--on", ON).code == 0
    assert cli("reopen", path, "study", "3").code == 0

    assert path.read_bytes() == before


def test_a_byte_order_mark_is_kept(tmp_path: Path, cli) -> None:
    path = copy_campaign(tmp_path, ERQI) / ERQI
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    before = path.read_bytes()

    assert cli("done", path, "study", "3", "--on", ON).code == 0
    after = path.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf#")  # one mark, not two
    assert [(h.removed, h.added) for h in hunks(before[3:], after[3:])] == [([], [f"done = {ON}"])]

    assert cli("reopen", path, "study", "3").code == 0
    assert path.read_bytes() == before


def test_no_final_newline_stays_so_when_editing_inside_the_file(tmp_path: Path, cli) -> None:
    path = copy_campaign(tmp_path, ERQI) / ERQI
    path.write_bytes(path.read_bytes().rstrip(b"\n"))
    before = path.read_bytes()

    assert cli("done", path, "study", "3", "--on", ON).code == 0
    assert not path.read_bytes().endswith(b"\n")
    assert cli("reopen", path, "study", "3").code == 0
    assert path.read_bytes() == before


def test_no_final_newline_stays_so_when_the_last_value_changes(tmp_path: Path, cli) -> None:
    path = copy_campaign(tmp_path, ERQI) / ERQI  # it ends with 主题教育旬报's done list
    path.write_bytes(path.read_bytes().rstrip(b"\n"))

    assert cli("done", path, "institutions", "主题教育旬报", "--on", ON).code == 0

    after = path.read_bytes()
    assert after.endswith(b"]")  # still no final newline
    assert b"2023-11-20," in after.splitlines()[-2]  # the list kept its layout


def test_no_final_newline_stays_so_when_a_key_is_added_at_the_end(tmp_path: Path, cli) -> None:
    """The last task of the file is open: done appends its line at the very end."""
    unit = Path("units/410103/erqi-jianzhonglu-street.toml")
    path = copy_campaign(tmp_path, unit) / unit
    path.write_bytes(path.read_bytes().rstrip(b"\n"))
    before = path.read_bytes()

    assert cli("done", path, "institutions", "整理主题教育档案资料", "--on", ON).code == 0
    after = path.read_bytes()
    assert after.endswith(b"due = 2024-01-17\ndone = 2023-11-20"), after[-60:]

    assert cli("reopen", path, "institutions", "整理主题教育档案资料").code == 0
    assert path.read_bytes() == before, path.read_bytes()[-40:]


# --- 3. refusals leave the file as it was ----------------------------------------------

REFUSALS = {
    "--on not a day": (
        ["done", "erqi-committee", "study", "3", "--on", "someday"],
        2,
        ["cannot read 'someday' as a day"],
    ),
    "--on a day that does not exist": (
        ["done", "erqi-committee", "study", "3", "--on", "2023-02-30"],
        2,
        ["'2023-02-30'"],
    ),
    "done in the future": (
        ["done", "erqi-committee", "study", "3", "--on", "2099-01-01"],
        1,
        ["in the future", "nothing was written"],
    ),
    "unknown unit": (
        ["done", "erqi-comittee", "study", "3"],
        2,
        ["no unit 'erqi-comittee'", 'did you mean "erqi-committee"'],
    ),
    "unknown measure": (
        ["done", "erqi-committee", "stduy", "3"],
        2,
        ["no measure 'stduy'", 'did you mean "study"'],
    ),
    "unknown measure name": (
        ["done", "erqi-committee", "理论学", "3"],
        2,
        ["no measure '理论学'", 'did you mean "理论学习"'],
    ),
    "task number out of range": (
        ["done", "erqi-committee", "study", "9"],
        2,
        ["no task 9", "  1. 理论学习中心组", "  2. 学习成果交流", "  3. 赴焦裕禄"],
    ),
    "unknown task": (
        ["done", "erqi-committee", "study", "不存在的任务"],
        2,
        ["matches no task", "  1. 理论学习中心组", "  2. 学习成果交流", "  3. 赴焦裕禄"],
    ),
    "unknown task id, ids listed": (
        ["done", "erqi-committee", "research", "dy-03"],
        2,
        ["matches no task", "  1. 领题调研:二七商圈城市复兴  (id dy-01)", "(id dy-02)"],
    ),
    "ambiguous title part": (
        ["done", "erqi-committee", "study", "学习"],
        2,
        ["matches several tasks", "  1. 理论学习中心组", "  2. 学习成果交流", "  3. 赴焦裕禄"],
    ),
    "task omitted": (
        ["done", "erqi-committee", "study"],
        2,
        ["[study] has 3 tasks", "  1. 理论学习中心组", "  3. 赴焦裕禄"],
    ),
    "done twice": (
        ["done", "erqi-committee", "study", "1"],
        1,
        ["already done (2023-09-28)", "checklist reopen"],
    ),
    "reopen an open task": (
        ["reopen", "erqi-committee", "study", "3"],
        1,
        ["is not done"],
    ),
    "postpone to the due date": (
        ["postpone", "erqi-committee", "institutions", "1", "--to", "2023-11-20", "--reason", "x"],
        1,
        ["2023-11-20 is not later than the due date 2023-11-20"],
    ),
    "postpone to an earlier date": (
        ["postpone", "erqi-committee", "institutions", "1", "--to", "2023-11-01", "--reason", "x"],
        1,
        ["not later than the due date"],
    ),
    "postpone a repeating task": (
        ["postpone", "erqi-committee", "institutions", "4", "--to", "2023-12-01", "--reason", "x"],
        1,
        ["repeats"],
    ),
    "postpone a done task": (
        ["postpone", "erqi-committee", "study", "1", "--to", "2023-12-01", "--reason", "x"],
        1,
        ["already done"],
    ),
    "postpone beyond the campaign": (
        ["postpone", "erqi-committee", "institutions", "1", "--to", "2024-02-15", "--reason", "x"],
        1,
        ["after the campaign ends", "nothing was written"],
    ),
    "postpone without a reason": (
        ["postpone", "erqi-committee", "institutions", "1", "--to", "2023-12-01"],
        2,
        ["--reason"],
    ),
}


@pytest.mark.parametrize(("argv", "code", "messages"), REFUSALS.values(), ids=REFUSALS.keys())
def test_a_refused_edit_writes_nothing(
    tmp_path: Path,
    cli,
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    code: int,
    messages: list[str],
) -> None:
    root = copy_campaign(tmp_path, ERQI)
    monkeypatch.chdir(root)
    before = snapshot(root)

    result = cli(*argv)

    assert result.code == code, result.err
    assert result.err.startswith("checklist: error: ")
    for message in messages:
        assert message in result.err
    assert "Traceback" not in result.err
    assert result.out == ""
    assert snapshot(root) == before


def make_immutable(path: Path) -> bool:
    """chattr +i: the one thing that stops root from writing (ext4 and the like)."""
    chattr = shutil.which("chattr")
    if chattr is None:
        return False
    return subprocess.run([chattr, "+i", path], check=False, capture_output=True).returncode == 0


@pytest.fixture
def unwritable() -> Iterator[Callable[[Path, int], None]]:
    """make(path, mode) takes write access away from path, as its owner's OS would.

    chmod is enough for a normal user. Root ignores permission bits, so for root the
    immutable attribute stands in; the test is skipped if neither works.
    """
    modes: list[tuple[Path, int]] = []
    immutable: list[Path] = []

    def make(path: Path, mode: int) -> None:
        modes.append((path, stat.S_IMODE(path.stat().st_mode)))
        path.chmod(mode)
        if not os.access(path, os.W_OK):
            return
        if not make_immutable(path):
            pytest.skip("running as root without chattr +i: nothing can take write access away")
        immutable.append(path)

    yield make
    for path in immutable:
        subprocess.run(["chattr", "-i", path], check=True)
    for path, mode in modes:
        path.chmod(mode)


def test_a_read_only_file_is_not_replaced(tmp_path: Path, cli, unwritable) -> None:
    root = copy_campaign(tmp_path, ERQI)
    path = root / ERQI
    before = snapshot(root)
    unwritable(path, 0o444)

    result = cli("done", path, "study", "3", "--on", ON)

    assert result.code == 1, f"a read-only file was edited: {result.out}"
    assert f"{path} is read-only" in result.err
    assert snapshot(root) == before
    assert stat.S_IMODE(path.stat().st_mode) == 0o444


def test_a_read_only_folder_refuses_the_temporary_file(tmp_path: Path, cli, unwritable) -> None:
    root = copy_campaign(tmp_path, ERQI)
    path = root / ERQI
    before = snapshot(root)
    unwritable(path.parent, 0o555)

    result = cli("done", path, "study", "3", "--on", ON)

    assert result.code == 1, result.out
    assert f"cannot write {path}" in result.err
    assert "the file is unchanged" in result.err
    assert "Traceback" not in result.err
    assert snapshot(root) == before


def test_a_file_changed_on_disk_meanwhile_is_not_overwritten(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import checklist.edit

    path = copy_campaign(tmp_path, ERQI) / ERQI
    theirs = path.read_bytes().replace(b'contact = "\xe7\x8e\x8b\xe7\xba\xa2"', b'contact = "X"')
    assert theirs != path.read_bytes()
    real_read = checklist.edit.read

    def read_then_a_colleague_saves(file: Path) -> bytes:
        data = real_read(file)
        if not calls:  # right after checklist has read the file, someone else saves it
            path.write_bytes(theirs)
        calls.append(file)
        return data

    calls: list[Path] = []
    monkeypatch.setattr(checklist.edit, "read", read_then_a_colleague_saves)

    result = cli("done", path, "study", "3", "--on", ON)

    assert result.code == 1
    assert "changed while checklist was editing it" in result.err
    assert "nothing was written" in result.err
    assert path.read_bytes() == theirs
    assert len(calls) == 2  # read to edit, read again before writing
    assert temporaries(path.parent) == []


def test_apply_refuses_when_the_file_changed_after_the_edit_was_computed(tmp_path: Path) -> None:
    from checklist.edit import apply, mark_done
    from checklist.errors import EditError
    from checklist.load.campaign import load_campaign

    root = copy_campaign(tmp_path, ERQI)
    path = root / ERQI
    campaign = load_campaign(root / "campaign.toml")
    day = dt.date(2023, 11, 20)

    edit = mark_done(path, campaign=campaign, measure="study", task="3", on=day)
    theirs = path.read_bytes() + b"# saved by someone else\n"
    path.write_bytes(theirs)

    with pytest.raises(EditError, match="changed while checklist was editing it"):
        apply(edit, campaign=campaign, today=day)
    assert path.read_bytes() == theirs


# --- 4. a crash during the write leaves the original -----------------------------------


@pytest.mark.parametrize(
    ("crash", "code", "message"),
    [
        (OSError(5, "Input/output error"), 1, "Input/output error; the file is unchanged"),
        (KeyboardInterrupt(), 130, ""),  # Ctrl-C: typer exits 130 without a word
    ],
    ids=["oserror", "interrupt"],
)
def test_a_crash_at_the_rename_leaves_the_original(
    tmp_path: Path,
    cli,
    monkeypatch: pytest.MonkeyPatch,
    crash: BaseException,
    code: int,
    message: str,
) -> None:
    root = copy_campaign(tmp_path, ERQI)
    path = root / ERQI
    before = snapshot(root)
    renamed: list[Path] = []

    def crash_instead(self: Path, target: Any) -> Path:
        renamed.append(self)
        raise crash

    monkeypatch.setattr(pathlib.Path, "replace", crash_instead)

    result = cli("done", path, "study", "3", "--on", ON)

    assert renamed, "the write never reached the rename"
    assert renamed[0].parent == path.parent  # the temporary file sits beside the file
    assert result.code == code
    assert message in result.err
    assert "Traceback" not in result.err
    assert snapshot(root) == before
    assert temporaries(root) == []


def test_write_atomic_keeps_the_permissions_of_the_file(tmp_path: Path) -> None:
    from checklist.atomic import write_atomic

    path = tmp_path / "unit.toml"
    path.write_bytes(b"old\n")
    path.chmod(0o640)

    write_atomic(path, b"new\n")

    assert path.read_bytes() == b"new\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["unit.toml"]


def test_write_atomic_gives_a_new_file_the_usual_permissions(tmp_path: Path) -> None:
    from checklist.atomic import write_atomic

    umask = os.umask(0o022)
    try:
        write_atomic(tmp_path / "new" / "unit.toml", b"x\n")
    finally:
        os.umask(umask)

    assert stat.S_IMODE((tmp_path / "new" / "unit.toml").stat().st_mode) == 0o644  # not 0o600


def test_write_atomic_syncs_before_it_renames(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from checklist.atomic import write_atomic

    steps: list[str] = []
    real_fsync, real_replace = os.fsync, pathlib.Path.replace

    def fsync(fd: int) -> None:
        steps.append("fsync")
        real_fsync(fd)

    def replace(self: Path, target: Any) -> Path:
        steps.append(f"rename {self.name} -> {Path(target).name}")
        return real_replace(self, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(pathlib.Path, "replace", replace)
    path = tmp_path / "unit.toml"
    path.write_bytes(b"old\n")

    write_atomic(path, b"new\n")

    assert steps[0] == "fsync"
    assert re.fullmatch(r"rename \.unit\.toml\..+\.tmp -> unit\.toml", steps[-1])
    assert path.read_bytes() == b"new\n"


# --- 5. naming units, measures and tasks -----------------------------------------------


@pytest.mark.parametrize(
    ("unit", "measure", "task", "expected"),
    [
        (ERQI, "research", "2", ("research", ("2",))),
        (ERQI, "research", "dy-02", ("research", ("2",))),
        (ERQI, "study", "焦裕禄", ("study", ("3",))),
        (ERQI, "理论学习", "3", ("study", ("3",))),
        (ERQI, "检视整改", "回头看", ("rectification", ("3",))),
        (
            Path("units/4101ZD/zhengdong-working-committee.toml"),
            "development",
            "d2",
            ("development", ("2",)),
        ),
        (
            Path("units/410184/xinzheng-peiligang-village.toml"),
            "development",
            None,
            ("development", ()),
        ),
    ],
    ids=[
        "index",
        "id",
        "title-part",
        "measure-name",
        "name-and-title",
        "id-d2",
        "no-tasks",
    ],
)
def test_done_marks_exactly_the_named_task(
    tmp_path: Path, cli, unit: Path, measure: str, task: str | None, expected: tuple
) -> None:
    path = copy_campaign(tmp_path, unit) / unit
    already = done_tasks(path)
    assert expected not in already

    result = cli("done", path, measure, *([task] if task else []), "--on", ON)

    assert result.code == 0, result.err
    assert done_tasks(path) == already | {expected}
    assert result.out.startswith(f"{path}: ")
    assert f"done on {ON}" in result.out


def test_a_task_id_is_not_its_position(tmp_path: Path, cli) -> None:
    # research task 1 has the id "r2", task 2 the id "r1"; both are done
    unit = Path("units/4101ZD/zhengdong-working-committee.toml")
    path = copy_campaign(tmp_path, unit) / unit
    assert {("research", ("1",)), ("research", ("2",))} <= done_tasks(path)

    result = cli("reopen", path, "research", "r1")

    assert result.code == 0, result.err
    assert "领题调研:一流大学郑州研究院建设: open again" in result.out
    assert ("research", ("1",)) in done_tasks(path)
    assert ("research", ("2",)) not in done_tasks(path)


@pytest.mark.parametrize("how", ["id", "relative path", "absolute path", "id with --config"])
def test_a_unit_is_named_by_id_or_by_file(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    root = copy_campaign(tmp_path, ERQI, Path("units/410103/erqi-government.toml"))
    if how == "id":
        monkeypatch.chdir(root / "units")  # anywhere inside the campaign
        argv = ["erqi-committee"]
    elif how == "relative path":
        monkeypatch.chdir(root)
        argv = [str(ERQI)]
    elif how == "absolute path":
        monkeypatch.chdir(tmp_path)
        argv = [str(root / ERQI)]
    else:
        monkeypatch.chdir(tmp_path)  # outside the campaign
        argv = ["erqi-committee", "--config", str(root / "campaign.toml")]
    other = (root / "units/410103/erqi-government.toml").read_bytes()

    result = cli("done", argv[0], "study", "3", "--on", ON, *argv[1:])

    assert result.code == 0, result.err
    assert ("study", ("3",)) in done_tasks(root / ERQI)
    assert (root / "units/410103/erqi-government.toml").read_bytes() == other


def test_a_measure_without_tasks_refuses_a_task(tmp_path: Path, cli) -> None:
    unit = Path("units/410184/xinzheng-peiligang-village.toml")
    path = copy_campaign(tmp_path, unit) / unit
    before = path.read_bytes()

    result = cli("done", path, "development", "1", "--on", ON)

    assert result.code == 2
    assert "[development] has no tasks; leave out TASK" in result.err
    assert path.read_bytes() == before


# --- 6. repeating tasks ----------------------------------------------------------------


def occurrences_of(cli, path: Path, title: str) -> dict[int, tuple[str | None, str]]:
    """occurrence number -> (done, state), from status --all --format json."""
    result = cli("status", path, "--all", "--format", "json")
    assert result.code == 0, result.err
    return {
        t["occurrence"]: (t["done"], t["state"])
        for t in json.loads(result.out)["tasks"]
        if t["title"] == title
    }


def done_list(path: Path) -> list[dt.date]:
    return tomllib.loads(path.read_text(encoding="utf-8"))["institutions"]["tasks"][0]["done"]


def test_done_marks_the_next_occurrence_until_all_are_done(tmp_path: Path, cli, write_unit) -> None:
    from conftest import VALID_UNIT  # 主题教育月报: monthly from 2023-09-25, 5 occurrences

    path = write_unit("erqi-test.toml", VALID_UNIT)
    title = "主题教育月报"
    assert occurrences_of(cli, path, title)[2] == (None, "overdue")  # due 2023-10-25

    result = cli("done", path, "institutions", "月报", "--on", "2023-10-27")
    assert result.code == 0, result.err
    assert "occurrence 2 of 5 done on 2023-10-27" in result.out
    assert done_list(path) == [dt.date(2023, 9, 25), dt.date(2023, 10, 27)]
    assert occurrences_of(cli, path, title)[2] == ("2023-10-27", "done_late")
    assert occurrences_of(cli, path, title)[3][1] in {"open", "due_soon"}  # due 2023-11-25

    assert cli("done", path, "institutions", "1", "--on", "2023-11-20").code == 0
    assert occurrences_of(cli, path, title)[3] == ("2023-11-20", "done")
    assert done_list(path)[-1] == dt.date(2023, 11, 20)

    for _ in range(2):  # occurrences 4 and 5, done early
        assert cli("done", path, "institutions", "1", "--on", "2023-11-20").code == 0
    assert len(done_list(path)) == 5
    full = path.read_bytes()

    result = cli("done", path, "institutions", "1", "--on", "2023-11-20")
    assert result.code == 1
    assert "all 5 occurrences of '主题教育月报' are done already" in result.err
    assert path.read_bytes() == full


def test_reopen_removes_the_last_date_of_a_repeating_task(tmp_path: Path, cli, write_unit) -> None:
    from conftest import VALID_UNIT

    path = write_unit("erqi-test.toml", VALID_UNIT)
    assert cli("done", path, "institutions", "1", "--on", "2023-10-27").code == 0
    assert occurrences_of(cli, path, "主题教育月报")[2] == ("2023-10-27", "done_late")

    result = cli("reopen", path, "institutions", "1")

    assert result.code == 0, result.err
    assert "occurrence 2 open again" in result.out
    assert done_list(path) == [dt.date(2023, 9, 25)]
    assert occurrences_of(cli, path, "主题教育月报")[2] == (None, "overdue")
    assert path.read_text(encoding="utf-8") == VALID_UNIT


def test_reopen_of_the_only_done_occurrence_removes_the_key(
    tmp_path: Path, cli, write_unit
) -> None:
    from conftest import VALID_UNIT

    path = write_unit("erqi-test.toml", VALID_UNIT)

    assert cli("reopen", path, "institutions", "1").code == 0

    assert "done" not in tomllib.loads(path.read_text(encoding="utf-8"))["institutions"]["tasks"][0]
    assert cli("validate", path).code == 0
    assert occurrences_of(cli, path, "主题教育月报")[1] == (None, "overdue")


# --- 7. --dry-run ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "minus", "plus"),
    [
        (["done", "erqi-committee", "study", "3", "--on", ON], [], [f"+done = {ON}"]),
        (["reopen", "erqi-committee", "study", "1"], ["-done = 2023-09-28"], []),
        (
            [
                "postpone",
                "erqi-committee",
                "institutions",
                "1",
                "--to",
                "2023-12-01",
                "--reason",
                "调整",
            ],
            ["-due = 2023-11-20"],
            ["+due = 2023-12-01", "+postponed_from = 2023-11-20", '+postpone_reason = "调整"'],
        ),
    ],
    ids=["done", "reopen", "postpone"],
)
def test_dry_run_prints_the_diff_and_writes_nothing(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch, argv: list[str], minus, plus
) -> None:
    root = copy_campaign(tmp_path, ERQI)
    monkeypatch.chdir(root)
    before = snapshot(root)

    result = cli(*argv, "--dry-run")

    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[:2] == [f"--- a/{ERQI}", f"+++ b/{ERQI}"]
    assert lines[2].startswith("@@ ")
    changed = [line for line in lines[2:] if line[:1] in "+-"]
    for line in minus + plus:
        assert any(c.startswith(line) for c in changed), (line, changed)
    assert len(changed) == len(minus) + len(plus), changed
    assert snapshot(root) == before


def test_dry_run_of_an_invalid_edit_still_refuses(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_campaign(tmp_path, ERQI)
    monkeypatch.chdir(root)
    before = snapshot(root)

    result = cli("done", "erqi-committee", "study", "1", "--dry-run")

    assert result.code == 1
    assert "already done" in result.err
    assert snapshot(root) == before


# --- 6. edits at the same time: none is lost (issue 9, item 12) -------------------------

WORKERS, ROUNDS = 3, 20


def unit_with_open_tasks(count: int) -> str:
    """conftest's valid unit, with ``count`` open study tasks (numbers 2 to count + 1)."""
    from conftest import VALID_UNIT

    tasks = "".join(f'[[study.tasks]]\ntitle = "任务{n}"\n\n' for n in range(count))
    return VALID_UNIT.replace('[[study.tasks]]\ntitle = "读书班结业"\n\n', tasks)


def _race(barrier: Any, results: Any, files: list[str], worker: int) -> None:
    """One process: in each round, mark its own task of that round's file done."""
    import contextlib
    import io

    from checklist.cli.app import run

    for number, path in enumerate(files):
        out, err = io.StringIO(), io.StringIO()
        barrier.wait(timeout=60)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = run(["done", path, "study", str(worker + 2), "--on", ON])
        results.put((number, worker, code, out.getvalue(), err.getvalue()))


def test_edits_at_the_same_time_are_never_lost(write_unit) -> None:
    """Real processes, started together on one file per round: each either writes its
    edit or says the file is busy (exit 2); none says done and loses its edit."""
    import multiprocessing

    files = [str(write_unit(f"race{n}.toml", unit_with_open_tasks(WORKERS))) for n in range(ROUNDS)]
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(WORKERS), context.Queue()
    workers = [
        context.Process(target=_race, args=(barrier, results, files, w)) for w in range(WORKERS)
    ]
    for process in workers:
        process.start()
    outcomes = [results.get(timeout=120) for _ in range(WORKERS * ROUNDS)]
    for process in workers:
        process.join(timeout=20)
        assert process.exitcode == 0

    lost, busy, other = [], 0, []
    for number, worker, code, out, err in outcomes:
        path = Path(files[number])
        tasks = tomllib.loads(path.read_text(encoding="utf-8"))["study"]["tasks"]
        if code == 0:
            assert out.endswith(f"任务{worker}: done on {ON}\n"), out
            if "done" not in tasks[worker + 1]:
                lost.append((path.name, worker))
        elif code == 2 and err == (
            f"checklist: error: {path} is busy: another checklist command is editing it; "
            "try again\n"
        ):
            busy += 1
            assert "done" not in tasks[worker + 1]
        else:
            other.append((code, err))
    print(f"{len(outcomes)} edits in {ROUNDS} rounds: {busy} found the file busy")
    assert not lost, f"{len(lost)} of {len(outcomes)} edits said done and were lost: {lost}"
    assert not other, other
    assert not list(Path(files[0]).parent.glob(".*")), "lock or temporary files were left"


def test_a_held_lock_means_busy_and_nothing_is_written(tmp_path: Path, cli) -> None:
    from checklist.atomic import locked

    root = copy_campaign(tmp_path, ERQI)
    path = root / ERQI
    before = snapshot(root)

    with locked(path):
        result = cli("done", path, "study", "3", "--on", ON)
        dry = cli("done", path, "study", "3", "--on", ON, "--dry-run")

    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f"checklist: error: {path} is busy: another checklist command is editing it; try again\n"
    )
    assert dry.code == 2
    assert snapshot(root) == before
    assert cli("done", path, "study", "3", "--on", ON).code == 0  # released: it goes through
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_a_lock_file_left_by_a_killed_edit_does_not_block(tmp_path: Path, cli) -> None:
    from checklist.atomic import lock_path

    root = copy_campaign(tmp_path, ERQI)
    path = root / ERQI
    lock_path(path).write_bytes(b"")  # its process is gone, and with it the lock

    result = cli("done", path, "study", "3", "--on", ON)

    assert result.code == 0, result.err
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


# --- 7. links, the size limit, dry runs, leftovers (issue 9, item 14) -------------------


def test_an_edit_through_a_link_edits_the_target_and_keeps_the_link(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_campaign(tmp_path, ERQI)
    target = root / "shared" / "erqi.toml"
    target.parent.mkdir()
    (root / ERQI).replace(target)
    target.chmod(0o640)
    (root / ERQI).symlink_to(Path("../../shared/erqi.toml"))
    monkeypatch.chdir(root)
    before = target.read_bytes()

    result = cli("done", ERQI, "study", "3", "--on", ON)

    assert result.code == 0, result.err
    assert result.out == f"{ERQI}: 赴焦裕禄干部学院开展现场研学: done on {ON}\n"
    assert (root / ERQI).is_symlink()
    assert (root / ERQI).readlink() == Path("../../shared/erqi.toml")
    assert [(h.removed, h.added) for h in hunks(before, target.read_bytes())] == [
        ([], [f"done = {ON}"])
    ]
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in target.parent.iterdir()) == ["erqi.toml"]
    assert sorted(p.name for p in (root / ERQI).parent.iterdir()) == [ERQI.name]


def near_the_limit(path: Path, room: int) -> None:
    """Pad ``path`` with a comment so that only ``room`` bytes are left below 1 MiB."""
    from checklist.load.source import MAX_BYTES

    data = path.read_bytes()
    padding = MAX_BYTES - room - len(data) - len(b"#\n")
    path.write_bytes(data + b"#" + b"x" * padding + b"\n")
    assert len(path.read_bytes()) == MAX_BYTES - room


@pytest.mark.parametrize("room", [0, 5, 16])
def test_an_edit_never_grows_a_file_past_the_size_limit(tmp_path: Path, cli, room: int) -> None:
    root = copy_campaign(tmp_path, ERQI)
    path = root / ERQI
    near_the_limit(path, room)  # "done = 2023-11-20\n" needs 18 bytes
    before = snapshot(root)

    for dry_run in ([], ["--dry-run"]):
        result = cli("done", path, "study", "3", "--on", ON, *dry_run)

        assert (result.code, result.out) == (1, "")
        assert f"the edit would make {path} larger than 1024 KiB" in result.err
        assert snapshot(root) == before


def test_an_edit_that_fits_under_the_size_limit_is_made(tmp_path: Path, cli) -> None:
    root = copy_campaign(tmp_path, ERQI)
    path = root / ERQI
    near_the_limit(path, 18)

    assert cli("done", path, "study", "3", "--on", ON).code == 0
    assert len(path.read_bytes()) == 1 << 20


def _read_only_file(path: Path, unwritable: Any) -> None:
    unwritable(path, 0o444)


def _read_only_folder(path: Path, unwritable: Any) -> None:
    unwritable(path.parent, 0o555)


def _too_big(path: Path, unwritable: Any) -> None:
    near_the_limit(path, 0)


def _invalid_result(path: Path, unwritable: Any) -> None:
    """The file is fine; the edit (done on a day after the campaign) would break it."""


@pytest.mark.parametrize(
    ("spoil", "on", "message"),
    [
        (_read_only_file, ON, "is read-only"),
        (_read_only_folder, ON, "cannot write"),
        (_too_big, ON, "larger than 1024 KiB"),
        (_invalid_result, "2099-01-01", "would leave"),
    ],
    ids=["read-only-file", "read-only-folder", "too-big", "invalid-result"],
)
def test_a_dry_run_refuses_what_the_real_run_refuses(
    tmp_path: Path, cli, unwritable, spoil: Callable[[Path, Any], None], on: str, message: str
) -> None:
    root = copy_campaign(tmp_path, ERQI)
    path = root / ERQI
    spoil(path, unwritable)
    before = snapshot(root)

    real = cli("done", path, "study", "3", "--on", on)
    dry = cli("done", path, "study", "3", "--on", on, "--dry-run")

    assert real.code == 1, real.out
    assert message in real.err
    assert (dry.code, dry.out) == (real.code, "")  # no diff of an edit that cannot be made
    assert dry.err == real.err.replace(
        "checklist: error: ", "checklist: error: --dry-run: the real run would refuse this edit: "
    )
    assert snapshot(root) == before


LEFTOVERS = {  # what a killed edit (or a killed checklist new) leaves beside the units
    ".erqi-committee.toml.a1b2c3d4.tmp": b'[unit]\nid = "erqi-comm',  # cut short
    ".erqi-committee.toml.zz_9zz_9.tmp": b"\x00\xff binary",
    ".erqi-committee.toml.lock": b"",
    ".erqi-government.toml.q1w2e3r4.tmp": b'[unit]\nid = "erqi-committee"\n',  # a duplicate id
}


def test_leftover_temporary_files_are_never_units_and_are_cleaned_up(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    government = Path("units/410103/erqi-government.toml")
    root = copy_campaign(tmp_path, ERQI, government)
    monkeypatch.chdir(root)
    clean = {
        command: cli(*command)
        for command in (("validate",), ("validate", "units/410103"), ("status", "--all"))
    }
    folder = root / ERQI.parent
    for name, data in LEFTOVERS.items():
        (folder / name).write_bytes(data)
    (folder / ".erqi-committee.toml.dir12345.tmp").mkdir()  # not a file of ours: kept

    for command, result in clean.items():
        assert cli(*command) == result, command  # the leftovers change nothing

    result = cli("done", "erqi-committee", "study", "3", "--on", ON)

    assert result.code == 0, result.err
    assert sorted(p.name for p in folder.iterdir()) == [
        ".erqi-committee.toml.dir12345.tmp",
        ".erqi-government.toml.q1w2e3r4.tmp",  # another file's: only its own edit removes it
        ERQI.name,
        government.name,
    ]
    item = first_open(government, repeating=False)
    assert item is not None
    assert cli("done", "erqi-government", item.measure, *item.spec, "--on", ON).code == 0
    assert sorted(p.name for p in folder.iterdir()) == [
        ".erqi-committee.toml.dir12345.tmp",
        ERQI.name,
        government.name,
    ]


# --- 8. every layout keeps its bytes (issue 9, item 13) ---------------------------------

LAYOUT_CAMPAIGN = """\
[campaign]
name = "布局测试"
start = 2023-09-09
end = 2024-01-31
timezone = "Asia/Shanghai"

[[counties]]
code = "410103"
name = "二七区"
"""
UNIT_HEAD = """\
# 布局测试单位 五项重点措施清单
[unit]
id = "layout"
name = "布局测试单位"
county = "410103"
level = "grassroots"
contact = "王红"
"""
STANDARD = (
    UNIT_HEAD
    + """
[study]
owner = "张伟"
due = 2023-10-31

[[study.tasks]]
title = "甲"
due = 2023-10-20

[[study.tasks]]
title = "乙"
due = 2023-09-25
repeat = "monthly"
done = [2023-09-25]

[research]
owner = "李强"
due = 2023-11-30

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
)


def _commented(text: str) -> str:
    """A comment after every line and a comment line under every header."""
    out = []
    for number, line in enumerate(text.splitlines()):
        if not line.strip() or line.startswith("#"):
            out.append(line)
            continue
        out.append(f"{line}  # note {number}")
        if line.startswith("["):
            out.append(f"# under {line}")
    return "\n".join(out) + "\n# the end\n"


INLINE_TABLES = STANDARD.replace(UNIT_HEAD, "").replace(
    '[research]\nowner = "李强"\ndue = 2023-11-30\n\n'
    '[development]\nowner = "刘洋"\ndue = 2023-12-31\n\n'
    '[rectification]\nowner = "陈静"\ndue = 2023-12-20\n\n',
    "",
)
INLINE_TABLES = (
    'research = { owner = "李强", due = 2023-11-30 }\n'
    'development = {owner = "刘洋",   due = 2023-12-31 }\n'
    'rectification = { owner = "陈静" , due = 2023-12-20}  # inline\n\n' + UNIT_HEAD + INLINE_TABLES
)
INLINE_TASKS = STANDARD.replace(
    '[[study.tasks]]\ntitle = "甲"\ndue = 2023-10-20\n\n'
    '[[study.tasks]]\ntitle = "乙"\ndue = 2023-09-25\nrepeat = "monthly"\ndone = [2023-09-25]\n',
    'tasks = [\n  { title = "甲", due = 2023-10-20 },  # first\n'
    '  {title = "乙",due = 2023-09-25,  repeat = "monthly", done = [2023-09-25]},\n]\n',
)
DOTTED = (
    'research.owner = "李强"\nresearch.due = 2023-11-30\n'
    'development.owner = "刘洋"  # dotted\ndevelopment . due = 2023-12-31\n\n'
    + STANDARD.replace('[research]\nowner = "李强"\ndue = 2023-11-30\n\n', "")
    .replace(UNIT_HEAD, "")
    .replace('[development]\nowner = "刘洋"\ndue = 2023-12-31\n\n', "")
)
DOTTED = DOTTED.replace("\n[study]", UNIT_HEAD + "\n[study]", 1)
QUOTED = (
    STANDARD.replace("[study]", '[ "study" ]')
    .replace("[[study.tasks]]", "[[ study . 'tasks' ]]")
    .replace('title = "甲"', "'title' = '甲'")
    .replace("due = 2023-10-20", '"due"=2023-10-20')
    .replace("[research]", "['research']")
    .replace('owner = "李强"', '"owner" = "李强"')
)
STRINGS = STANDARD.replace(
    "due = 2023-10-20\n",
    "due = 2023-10-20\nnote = '''\ndone = 2020-01-01\n[[study.tasks]]\n'''\n",
).replace(
    '[research]\nowner = "李强"\ndue = 2023-11-30\n',
    '[research]\nowner = "李强"\ndue = 2023-11-30\nnote = """多行\\\n  说明 # not a comment"""\n',
)
WHITESPACE = (
    STANDARD.replace(
        'title = "甲"\ndue = 2023-10-20', '\ttitle\t=\t"甲"   \n    due   =   2023-10-20\t'
    )
    .replace("\n\n[research]", "\n  \n\t\n[research]")
    .replace('owner = "李强"', 'owner="李强"')
)
MULTILINE_ARRAY = STANDARD.replace(
    "done = [2023-09-25]", "done = [\n    2023-09-25,  # the first\n]"
)
SCALAR_DONE = STANDARD.replace("done = [2023-09-25]", "done = 2023-09-25")
KEY_ORDER = STANDARD.replace(
    '[[study.tasks]]\ntitle = "甲"\ndue = 2023-10-20\n',
    '[[study.tasks]]\ndue = 2023-10-20\ntitle = "甲"\n',
).replace(
    '[research]\nowner = "李强"\ndue = 2023-11-30', '[research]\ndue = 2023-11-30\nowner = "李强"'
)
TABLE_AFTER_TASKS = STANDARD.replace('[study]\nowner = "张伟"\ndue = 2023-10-31\n\n', "").replace(
    "[research]", '[study]\nowner = "张伟"\ndue = 2023-10-31\n\n[research]'
)

ALL_INLINE = (
    'study = { owner = "张伟", due = 2023-10-31, tasks = [ { title = "甲", due = 2023-10-20 }, '
    '{ title = "乙", due = 2023-09-25, repeat = "monthly", done = [ 2023-09-25 ] } ] }\n'
    'research = {owner="李强",due=2023-11-30}\n'
    'development = { owner = "刘洋", due = 2023-12-31 }  # 推动发展\n'
    'rectification = { owner = "陈静", due = 2023-12-20 }\n'
    'institutions = { owner = "王红", due = 2024-01-31 }\n' + UNIT_HEAD
)

BASES = {
    "standard": STANDARD,
    "comments": _commented(STANDARD),
    "inline-tables": INLINE_TABLES,
    "inline-tasks": INLINE_TASKS,
    "all-inline": ALL_INLINE,
    "dotted-keys": DOTTED,
    "quoted-keys": QUOTED,
    "strings": STRINGS,
    "whitespace": WHITESPACE,
    "multi-line-array": MULTILINE_ARRAY,
    "scalar-done": SCALAR_DONE,
    "key-order": KEY_ORDER,
    "table-after-tasks": TABLE_AFTER_TASKS,
}


def _crlf(data: bytes) -> bytes:
    return data.replace(b"\n", b"\r\n")


def _mixed(data: bytes) -> bytes:
    lines = data.split(b"\n")
    return (
        b"".join(
            line + (b"\r\n" if number % 3 == 1 else b"\n") for number, line in enumerate(lines[:-1])
        )
        + lines[-1]
    )


ENDINGS: dict[str, Callable[[bytes], bytes]] = {
    "lf": lambda data: data,
    "crlf": _crlf,
    "mixed": _mixed,
    "bom": lambda data: b"\xef\xbb\xbf" + data,
    "no-final-newline": lambda data: data.rstrip(b"\n"),
    "crlf-no-final-newline": lambda data: _crlf(data).rstrip(b"\r\n"),
}
LAYOUTS = {
    f"{base}-{ending}": change(text.encode("utf-8"))
    for base, text in BASES.items()
    for ending, change in ENDINGS.items()
}


class Op(NamedTuple):
    argv: tuple[str, ...]
    measure: str
    task: int | None  # index in the measure's tasks; None: the measure itself
    keys: tuple[str, ...]  # the keys the edit may touch


DAY = dt.date(2023, 11, 20)
OPS = {
    "done": Op(("done", "study", "甲", "--on", ON), "study", 0, ("done",)),
    "done-repeating": Op(("done", "study", "乙", "--on", ON), "study", 1, ("done",)),
    "done-measure": Op(("done", "research", "--on", ON), "research", None, ("done",)),
    "postpone": Op(
        ("postpone", "study", "甲", "--to", "2023-12-01", "--reason", "调整"),
        "study",
        0,
        ("due", "postponed_from", "postpone_reason"),
    ),
    "postpone-measure": Op(
        ("postpone", "research", "--to", "2023-12-20", "--reason", "调整"),
        "research",
        None,
        ("due", "postponed_from", "postpone_reason"),
    ),
}


def expected(before: dict[str, Any], op: str) -> dict[str, Any]:
    """What the edit means: the document before it, with the one change made."""
    doc = copy.deepcopy(before)
    spec = OPS[op]
    item = doc[spec.measure] if spec.task is None else doc[spec.measure]["tasks"][spec.task]
    if op.startswith("done") and "repeat" in item:
        item["done"] = [
            *([item["done"]] if isinstance(item["done"], dt.date) else item["done"]),
            DAY,
        ]
    elif op.startswith("done"):
        item["done"] = DAY
    else:
        old = item.get("due", doc[spec.measure].get("due"))
        item |= {
            "due": dt.date.fromisoformat(spec.argv[-3]),
            "postponed_from": old,
            "postpone_reason": "调整",
        }
    return doc


def lines(data: bytes) -> list[bytes]:
    """Lines with their endings, as a byte-level diff sees them."""
    return data.splitlines(keepends=True)


@pytest.fixture
def layout_unit(tmp_path: Path) -> Callable[[bytes], Path]:
    def make(data: bytes) -> Path:
        root = tmp_path / "layouts"
        (root / "units" / "410103").mkdir(parents=True, exist_ok=True)
        (root / "campaign.toml").write_text(LAYOUT_CAMPAIGN, encoding="utf-8")
        path = root / "units" / "410103" / "layout.toml"
        path.write_bytes(data)
        return path

    return make


def test_every_layout_is_a_valid_unit(layout_unit, cli) -> None:
    for name, data in LAYOUTS.items():
        path = layout_unit(data)
        result = cli("validate", path)
        assert result.code == 0, (name, result.out)


@pytest.mark.parametrize("op", OPS, ids=OPS)
@pytest.mark.parametrize("layout", LAYOUTS, ids=LAYOUTS)
def test_an_edit_changes_only_the_bytes_it_must(layout_unit, cli, layout: str, op: str) -> None:
    before = LAYOUTS[layout]
    path = layout_unit(before)
    spec = OPS[op]

    result = cli(spec.argv[0], path, *spec.argv[1:])

    assert result.code == 0, result.err
    after = path.read_bytes()
    assert tomllib.loads(after.decode("utf-8-sig")) == expected(
        tomllib.loads(before.decode("utf-8-sig")), op
    )
    old, new = lines(before), lines(after)
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    changes = [c for c in matcher.get_opcodes() if c[0] != "equal"]
    assert 1 <= len(changes) <= 2, changes  # the changed value, the keys added after the last
    words = [key.encode() for key in spec.keys] + [ON.encode(), spec.argv[-3].encode()]
    for _, i1, i2, j1, j2 in changes:
        removed, added = old[i1:i2], new[j1:j2]
        # Every line taken away held a key the edit changes (or the inline table holding it)...
        for line in removed:
            assert any(word in line for word in words) or b"{" in line, line
        # ... every line put in holds one, with the line ending of the lines around it ...
        for line in added:
            assert any(word in line for word in words), line
        neighbours = old[max(i1 - 1, 0) : i2 + 1]
        endings = {n[len(n.rstrip(b"\r\n")) :] for n in neighbours} - {b""}
        for line in added:
            ending = line[len(line.rstrip(b"\r\n")) :]
            assert ending in endings | ({b""} if j2 == len(new) else set()), (line, endings)
        # ... a changed due date stays where it was, the new keys after it ...
        if removed and b"due" in removed[0] and b"{" not in removed[0]:
            assert b"due" in added[0], added
            assert b"postpone" not in added[0], added
        # ... and a line changed in place keeps the rest of what it held, byte for byte.
        if len(removed) == len(added) == 1:
            assert_only_inserted_or_value_changed(removed[0], added[0], words)
    bom = b"\xef\xbb\xbf"
    assert not misplaced(hunks(before.removeprefix(bom), after.removeprefix(bom))), changes


def assert_only_inserted_or_value_changed(old: bytes, new: bytes, words: list[bytes]) -> None:
    """Within one line, the old bytes are all still there, in order, or a date changed."""
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("delete", "replace"):  # only a date's digits may be replaced
            assert re.fullmatch(rb"[\d-]+", old[i1:i2]), (old, new)
            assert re.fullmatch(rb"[\d-]+", new[j1:j2]), (old, new)


REVERSIBLE = {
    "done": ("study", "甲"),
    "done-repeating": ("study", "乙"),
    "done-measure": ("research",),
}


@pytest.mark.parametrize("op", REVERSIBLE, ids=REVERSIBLE)
@pytest.mark.parametrize("layout", LAYOUTS, ids=LAYOUTS)
def test_done_then_reopen_gives_back_every_byte(layout_unit, cli, layout: str, op: str) -> None:
    before = LAYOUTS[layout]
    path = layout_unit(before)
    spec = OPS[op]

    assert cli(spec.argv[0], path, *spec.argv[1:]).code == 0
    result = cli("reopen", path, *REVERSIBLE[op])

    assert result.code == 0, result.err
    if layout.startswith("scalar-done") and op == "done-repeating":
        # One date, then two: a list. Reopened, it stays a list of one, which means the
        # same; nothing in the file says it was a bare date before. From here on, done and
        # reopen give back every byte.
        assert path.read_bytes() == before.replace(b"done = 2023-09-25", b"done = [2023-09-25]")
        before = path.read_bytes()
        assert cli(spec.argv[0], path, *spec.argv[1:]).code == 0
        assert cli("reopen", path, *REVERSIBLE[op]).code == 0
    assert path.read_bytes() == before


LAYOUT_CHANGES: dict[str, Callable[[str], str]] = {  # what tomlkit might do to a line
    "space before =": lambda line: line.replace("=", " =", 1),
    "no space after =": lambda line: line.replace("= ", "=", 1),
    "trailing space": lambda line: line.replace("\n", " \n"),
    "crlf": lambda line: line.replace("\r\n", "\n").replace("\n", "\r\n"),
    "lf": lambda line: line.replace("\r\n", "\n"),
    "no space in {": lambda line: line.replace("{ ", "{"),
    "space after ,": lambda line: line.replace(",", ", ", 1),
}


@settings(max_examples=300, deadline=None)
@given(
    layout=st.sampled_from(sorted(LAYOUTS)),
    changes=st.lists(
        st.tuples(st.integers(0, 60), st.sampled_from(sorted(LAYOUT_CHANGES))), max_size=6
    ),
)
def test_splice_undoes_whatever_layout_tomlkit_changes_elsewhere(
    layout: str, changes: list[tuple[int, str]]
) -> None:
    """Whatever tomlkit does to other lines that does not change what they mean, the
    file gets only the edit."""
    import tomlkit

    from checklist.splice import splice

    before = LAYOUTS[layout].decode("utf-8-sig")
    doc = tomlkit.parse(before)
    doc["research"]["done"] = dt.date(2023, 11, 20)
    after = doc.as_string()
    lines = re.findall(r"[^\n]*\n|[^\n]+", after)
    meaning = tomllib.loads(after)
    for number, change in changes:
        if number >= len(lines) or "done" in lines[number]:
            continue
        trial = [*lines[:number], LAYOUT_CHANGES[change](lines[number]), *lines[number + 1 :]]
        try:
            if tomllib.loads("".join(trial)) == meaning:  # layout only: kept for the test
                lines = trial
        except tomllib.TOMLDecodeError:
            pass

    assert splice(before, "".join(lines)) == splice(before, after)


def test_an_edit_whose_layout_cannot_be_kept_is_refused(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import checklist.edit
    from checklist.splice import LayoutError

    root = copy_campaign(tmp_path, ERQI)
    path = root / ERQI
    before = snapshot(root)

    def cannot(before: str, after: str) -> str:
        raise LayoutError("the edit changes the layout of the lines around it")

    monkeypatch.setattr(checklist.edit, "splice", cannot)

    result = cli("done", path, "study", "3", "--on", ON)

    assert (result.code, result.out) == (1, "")
    assert result.err == (
        f"checklist: error: checklist cannot make this edit in {path} without changing lines "
        "it does not concern (tomlkit cannot keep this file's layout); nothing was written, "
        "make the change in an editor\n"
    )
    assert snapshot(root) == before


# --- 8. real kills at random moments of an edit ---------------------------------------


def test_an_edit_killed_at_any_moment_leaves_the_old_file_or_the_new(tmp_path: Path) -> None:
    """SIGKILL cannot be caught: the file must still be whole, before or after, and the
    next edit must go through (the lock released, the leftovers removed)."""
    import random
    import signal
    import sys
    import time

    root = copy_campaign(tmp_path, ERQI)
    path = root / ERQI
    before = path.read_bytes()
    command = [sys.executable, "-m", "checklist", "done", str(path), "study", "3", "--on", ON]
    started = time.monotonic()  # one whole run sets the window the kills fall in
    subprocess.run(command, capture_output=True, cwd=root, timeout=60, check=True)
    whole = time.monotonic() - started
    after = path.read_bytes()
    path.write_bytes(before)
    edited = 0
    chance = random.Random(9)
    for _ in range(25):
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=root
        )
        time.sleep(chance.uniform(0.0, whole * 1.3))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        now = path.read_bytes()
        if now != before:
            edited += 1
            assert now == after  # the whole edit, never part of one
            path.write_bytes(before)
    assert 0 < edited < 25, edited  # some kills came before the write, some after it
    # The next edit is not blocked by what the killed ones left, and cleans it up.
    done = subprocess.run(
        command, capture_output=True, text=True, cwd=root, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
