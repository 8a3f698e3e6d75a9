"""Files that change under the tool, and folders it cannot read, are reported, never fatal.

A file may vanish, turn binary or become a folder between discovery, checking,
cross-checking and rendering; a folder that cannot be read is an error naming it
(validate: a problem, exit 1; status, rollup, remind: an error on stderr, exit 1), never
a county silently counted as empty.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import checklist.load.discover
import checklist.load.validate
from conftest import VALID_UNIT

DUPLICATE = VALID_UNIT.replace('id = "erqi-test"', 'id = "dup"')
GOOD = VALID_UNIT.replace('id = "erqi-test"', 'id = "good"')
SECRET = "s3cr3t-CI-token-4242"


def _delete(path: Path, elsewhere: Path) -> None:
    path.unlink()


def _binary(path: Path, elsewhere: Path) -> None:
    path.write_bytes(b"\0\1\2" * 100)


def _not_utf8(path: Path, elsewhere: Path) -> None:
    path.write_bytes(DUPLICATE.encode("gbk"))


def _folder(path: Path, elsewhere: Path) -> None:
    path.unlink()
    path.mkdir()


def _too_large(path: Path, elsewhere: Path) -> None:
    path.write_bytes(b"#" * ((1 << 20) + 1))


def _link_outside(path: Path, elsewhere: Path) -> None:
    secret = elsewhere / "secret.toml"
    secret.write_text(f'[unit]\nid = "{SECRET}"\n', encoding="utf-8")
    path.unlink()
    path.symlink_to(secret)


def _no_permission(path: Path, elsewhere: Path) -> None:
    path.chmod(0)


CHANGES: dict[str, Callable[[Path, Path], None]] = {
    "deleted": _delete,
    "binary": _binary,
    "not-utf8": _not_utf8,
    "folder": _folder,
    "too-large": _too_large,
    "link-outside": _link_outside,
    "no-permission": _no_permission,
}


def _after(monkeypatch: pytest.MonkeyPatch, phase: str, change: Callable[[], None]) -> None:
    """Make ``change`` happen right after ``phase`` of a run, in process."""
    module, name = {
        "discovery": (checklist.load.discover, "find"),
        "checking": (checklist.load.validate, "cross_findings"),
        "cross-check": (checklist.load.validate, "_cross_checked"),
    }[phase]
    original = getattr(module, name)
    done = []

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if phase == "checking" and not done:  # before the cross-check uses the results
            change()
            done.append(True)
        result = original(*args, **kwargs)
        if phase != "checking" and not done:
            change()
            done.append(True)
        return result

    monkeypatch.setattr(module, name, wrapped)


@pytest.mark.parametrize("phase", ["discovery", "checking", "cross-check"])
@pytest.mark.parametrize("how", sorted(CHANGES))
@pytest.mark.parametrize("output", ["text", "json", "github"])
def test_a_file_that_changes_during_validate(
    cli, write_unit, monkeypatch, tmp_path, phase, how, output
):
    a = write_unit("a.toml", DUPLICATE)
    b = write_unit("b.toml", DUPLICATE)  # a and b share an id: the cross-check reads them
    write_unit("good.toml", GOOD)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    _after(monkeypatch, phase, lambda: CHANGES[how](b, elsewhere))
    result = cli("validate", "--no-cache", "-f", output, a.parent)
    assert "Traceback" not in result.err, result.err
    assert "internal error" not in result.err, result.err
    assert result.code == 1, result.err
    assert SECRET not in result.out + result.err
    assert "b.toml" in result.out + result.err
    if output == "json":
        found = {(Path(p["file"]).name, p["code"]) for p in json.loads(result.out)["problems"]}
        if how == "no-permission" and os.geteuid() == 0:  # root reads it all the same
            pass
        elif phase == "discovery":  # b changed before it was checked: it is b's problem
            assert {name for name, _ in found} == {"b.toml"}
        else:  # checked as it was: the duplicate stands, in both files
            assert {("a.toml", "E301"), ("b.toml", "E301")} <= found
        assert "good.toml" not in {name for name, _ in found}


@pytest.mark.parametrize("how", sorted(CHANGES))
@pytest.mark.parametrize("command", ["status", "rollup", "remind"])
def test_a_file_that_changes_during_a_report(cli, write_unit, monkeypatch, tmp_path, how, command):
    b = write_unit("b.toml", DUPLICATE)
    write_unit("good.toml", GOOD)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    _after(monkeypatch, "discovery", lambda: CHANGES[how](b, elsewhere))
    result = cli(command, "--no-cache", b.parent)
    assert "Traceback" not in result.err, result.err
    assert "internal error" not in result.err, result.err
    assert result.code == 0, result.err
    assert SECRET not in result.out + result.err


# --- folders that cannot be read ------------------------------------------------------


@pytest.fixture
def two_counties(write_unit) -> tuple[Path, Path]:
    """A campaign with a good unit in 410103 and one in 410105; returns both folders."""
    good = write_unit("good.toml", GOOD)
    other = good.parents[1] / "410105"
    other.mkdir()
    (other / "jinshui.toml").write_text(
        VALID_UNIT.replace('id = "erqi-test"', 'id = "jinshui"').replace(
            'county = "410103"', 'county = "410105"'
        ),
        encoding="utf-8",
    )
    return good.parent, other


def _deny(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Make os.scandir fail on ``folder`` as chmod 000 would (root reads anything)."""
    scandir = os.scandir

    def refusing(path: Any = ".") -> Any:
        if Path(path) == folder:
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)


def _assert_reported(cli, campaign: Path, folder: Path, *, counted: int = 1) -> None:
    checked = cli("validate", "-f", "json", "--no-cache", campaign)
    assert checked.code == 1, checked.err
    problems = json.loads(checked.out)["problems"]
    assert [(Path(p["file"]).name, p["code"]) for p in problems] == [(folder.name, "E001")]
    text = cli("validate", "--no-cache", campaign)
    assert text.code == 1
    assert "All good" not in text.out
    assert folder.name in text.out
    rollup = cli("rollup", "-f", "json", "--no-cache", campaign)
    assert rollup.code == 1
    assert folder.name in rollup.err
    assert "error" in rollup.err
    assert json.loads(rollup.out)["total"]["units"] == counted  # the others are still counted
    for command in ("status", "remind"):
        result = cli(command, "--no-cache", campaign)
        assert result.code == 1, (command, result.err)
        assert folder.name in result.err, command


def test_a_folder_that_cannot_be_listed(cli, two_counties, monkeypatch):
    _, denied = two_counties
    _deny(monkeypatch, denied)
    _assert_reported(cli, denied.parents[1], denied)


def test_the_folder_named_cannot_be_listed(cli, two_counties, monkeypatch):
    _, denied = two_counties
    _deny(monkeypatch, denied)
    result = cli("validate", "-f", "json", "--no-cache", denied)
    assert result.code == 1
    assert [p["code"] for p in json.loads(result.out)["problems"]] == ["E001"]
    assert "cannot read this folder" in json.loads(result.out)["problems"][0]["message"]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads any folder")
def test_a_folder_with_no_permission(cli, two_counties):
    _, denied = two_counties
    denied.chmod(0)
    try:
        _assert_reported(cli, denied.parents[1], denied)
    finally:
        denied.chmod(0o755)


def test_a_broken_link_to_a_folder(cli, two_counties, tmp_path):
    _, other = two_counties
    gone = tmp_path / "moved-away"
    link = other.parent / "410106"
    link.symlink_to(gone, target_is_directory=True)
    _assert_reported(cli, other.parents[1], link, counted=2)


def test_a_link_loop_between_folders(cli, two_counties):
    _, other = two_counties
    (other.parent / "loop-a").symlink_to("loop-b")
    (other.parent / "loop-b").symlink_to("loop-a")
    result = cli("validate", "-f", "json", "--no-cache", other.parents[1])
    assert result.code == 1
    names = {(Path(p["file"]).name, p["code"]) for p in json.loads(result.out)["problems"]}
    assert names == {("loop-a", "E001"), ("loop-b", "E001")}


def test_a_folder_linked_inside_the_campaign_is_counted_once(cli, two_counties):
    first, other = two_counties
    (first / "also-jinshui").symlink_to(other, target_is_directory=True)
    (other / "up").symlink_to(other.parent, target_is_directory=True)  # a loop
    result = cli("rollup", "-f", "json", "--no-cache", other.parents[1])
    assert result.code == 0, result.err
    assert json.loads(result.out)["total"]["units"] == 2
    assert cli("validate", "--no-cache", other.parents[1]).code == 0


def _deny_below(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Make everything below ``folder`` as unreachable as chmod 000 on it would."""
    for name in ("stat", "lstat", "open", "scandir"):
        original = getattr(os, name)

        def refusing(path: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            if isinstance(path, str | os.PathLike) and Path(path).is_relative_to(folder):
                raise PermissionError(13, "Permission denied", str(path))
            return _original(path, *args, **kwargs)

        monkeypatch.setattr(os, name, refusing)


def test_a_file_named_below_a_folder_that_cannot_be_entered(cli, two_counties, monkeypatch):
    first, denied = two_counties
    config = first.parents[1] / "campaign.toml"
    _deny_below(monkeypatch, denied)
    result = cli(
        "validate", "-f", "json", "--no-cache", "--config", config, denied / "jinshui.toml", first
    )
    assert result.code == 1, result.err
    problems = json.loads(result.out)["problems"]
    assert [(Path(p["file"]).name, p["code"]) for p in problems] == [("jinshui.toml", "E001")]
    assert "Permission denied" in problems[0]["message"]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads any folder")
def test_a_file_named_below_a_folder_with_no_permission(cli, two_counties):
    first, denied = two_counties
    config = first.parents[1] / "campaign.toml"
    denied.chmod(0)
    try:
        result = cli("validate", "-f", "json", "--config", config, denied / "jinshui.toml")
    finally:
        denied.chmod(0o755)
    assert result.code == 1, result.err
    assert [p["code"] for p in json.loads(result.out)["problems"]] == ["E001"]


def test_a_file_unreadable_for_a_moment_is_read_again_next_time(cli, write_unit, monkeypatch):
    """E001 (and E007, E008) say what happened to the file, not what it holds: not cached."""
    path = write_unit("a.toml", GOOD)
    os.utime(path, (1_700_000_000, 1_700_000_000))  # not just written: the cache takes it
    import checklist.load.source

    real_open = checklist.load.source._open

    def busy(target: Path, within: Path | None) -> int:
        if Path(target) == path:
            raise PermissionError(13, "Permission denied", str(target))
        return real_open(target, within)

    monkeypatch.setattr(checklist.load.source, "_open", busy)
    assert cli("validate", path.parent).code == 1
    monkeypatch.setattr(checklist.load.source, "_open", real_open)
    again = cli("validate", path.parent)
    assert again.code == 0, again.out


def test_campaign_toml_searched_from_below_a_folder_that_cannot_be_entered(
    cli, two_counties, monkeypatch
):
    """The search for campaign.toml names the folder it cannot look into: exit 2, no crash."""
    _first, denied = two_counties
    _deny_below(monkeypatch, denied)
    result = cli("validate", denied / "jinshui.toml")
    assert result.code == 2, result.err
    assert "permission denied" in result.err
    assert str(denied) in result.err
    assert "--config" in result.err
