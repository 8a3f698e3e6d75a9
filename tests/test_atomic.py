"""write_atomic: whole or nothing, permissions kept, a link kept a link."""

from __future__ import annotations

from pathlib import Path

from checklist.atomic import write_atomic


def test_a_link_stays_a_link_and_its_target_is_written(tmp_path: Path) -> None:
    target = tmp_path / "real" / "state.json"
    target.parent.mkdir()
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    link = tmp_path / "state.json"
    link.symlink_to(Path("real") / "state.json")

    write_atomic(link, b"new")

    assert link.is_symlink()
    assert target.read_bytes() == b"new"
    assert target.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in target.parent.iterdir()] == ["state.json"]


def test_a_dangling_link_gets_its_target_created(tmp_path: Path) -> None:
    link = tmp_path / "state.json"
    link.symlink_to(tmp_path / "elsewhere.json")

    write_atomic(link, b"new")

    assert link.is_symlink()
    assert (tmp_path / "elsewhere.json").read_bytes() == b"new"
