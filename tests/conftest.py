"""Shared fixtures: a fixed day, a clean environment, a small campaign and the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest

REPO = Path(__file__).resolve().parents[1]
OLD = 1_600_000_000  # an mtime long past: the store keeps the file (not "racily clean")


def generate_city(root: Path, *, seed: int, units: int = 40) -> Path:
    """benchmarks/generate.py's campaign at ``root``: repeating tasks, postponements."""
    script = REPO / "benchmarks" / "generate.py"
    command = [sys.executable, str(script), "--units", str(units), "--seed", str(seed), str(root)]
    subprocess.run(command, check=True, capture_output=True)
    return root


def aged_copy(source: Path, target: Path) -> Path:
    """A copy of a campaign whose files were all last written long ago (OLD)."""
    shutil.copytree(source, target)
    for path in target.rglob("*.toml"):
        os.utime(path, (OLD, OLD))
    return target


@pytest.fixture(scope="module")
def generated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """generate_city's 40 units, made once a module, with the module's CITY_SEED."""
    seed = getattr(request.module, "CITY_SEED", 1)
    return generate_city(tmp_path_factory.mktemp("generated") / "city", seed=seed)


@pytest.fixture
def city(generated: Path, tmp_path: Path) -> Path:
    """A test's own copy of the module's generated campaign, written long ago."""
    return aged_copy(generated, tmp_path / "city")


def stored_index() -> Path:
    """The one index in the cache folder (a test's own: the environment sets it)."""
    from checklist.load.cache import cache_root

    (stored,) = [p for p in cache_root().iterdir() if p.suffix == ".sqlite"]
    return stored


def tamper_index(sql: str, *args: object) -> int:
    """Change the stored index behind checklist's back, as damage or another program
    would; how many rows changed."""
    import sqlite3

    conn = sqlite3.connect(stored_index())
    try:
        changed = conn.execute(sql, args).rowcount
        conn.commit()
    finally:
        conn.close()
    return changed


@pytest.fixture
def answered(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each run's scope was read from the index, in order."""
    from checklist import indexed

    found: list[bool] = []
    real = indexed.open_index

    def spy(*args: object, **kwargs: object) -> indexed.Index | None:
        index = real(*args, **kwargs)  # type: ignore[arg-type]
        found.append(index is not None)
        return index

    monkeypatch.setattr(indexed, "open_index", spy)
    return found


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many runs checked every row of the index against its checksum (no seal held)."""
    import sqlite3

    from checklist import indexed

    done: list[int] = []
    real = indexed._damaged

    def spy(conn: sqlite3.Connection) -> list[int]:
        done.append(1)
        return real(conn)

    monkeypatch.setattr(indexed, "_damaged", spy)
    return done


CAMPAIGN_TOML = """\
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

VALID_UNIT = """\
# 二七区测试单位 五项重点措施清单

[unit]
id = "erqi-test"
name = "中共郑州市二七区测试委员会"
county = "410103"
level = "grassroots"
contact = "王红"

[people]
"王红" = "wanghong@example.cn"

[study]
owner = "张伟"
due = 2023-10-31

[[study.tasks]]
title = "理论学习中心组专题学习"
due = 2023-09-30
done = 2023-09-28

[[study.tasks]]
title = "读书班结业"

[research]
owner = "李强"
due = 2023-11-30

[development]
owner = "刘洋"
due = 2023-12-31
note = "“双节”期间客流保障"

[rectification]
owner = "陈静"
due = 2023-12-20

[institutions]
owner = "王红"
due = 2024-01-31

[[institutions.tasks]]
title = "主题教育月报"
due = 2023-09-25
repeat = "monthly"
done = [2023-09-25]
"""


class Result(NamedTuple):
    code: int
    out: str
    err: str


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    monkeypatch.setenv("CHECKLIST_AS_OF", "2023-11-20")
    # Each test gets its own, empty cache: no test sees another's, or the user's.
    monkeypatch.setenv("CHECKLIST_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    # The tests read as an English-speaking user's session, whatever the machine's locale:
    # a locale naming a language beats the example's [campaign] lang = "zh" (i18n.choose_lang).
    # Tests of the campaign's language set their own.
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.setenv("LC_MESSAGES", "en_US.UTF-8")
    for name in (
        "GITHUB_ACTIONS",
        "GITHUB_WORKSPACE",
        "CI_PROJECT_DIR",
        "NO_COLOR",
        "FORCE_COLOR",
        "TTY_COMPATIBLE",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def campaign_dir(tmp_path: Path) -> Callable[..., Path]:
    """make(text=CAMPAIGN_TOML) writes tmp_path/campaign/campaign.toml and returns the folder."""

    def make(text: str = CAMPAIGN_TOML) -> Path:
        folder = tmp_path / "campaign"
        folder.mkdir(exist_ok=True)
        (folder / "campaign.toml").write_text(text, encoding="utf-8")
        return folder

    return make


@pytest.fixture
def write_unit(tmp_path: Path, campaign_dir: Callable[..., Path]) -> Callable[..., Path]:
    """write(name, text) puts a unit file (str as UTF-8, or bytes) under units/410103/."""

    def write(name: str, text: str | bytes) -> Path:
        folder = tmp_path / "campaign"
        if not (folder / "campaign.toml").exists():
            campaign_dir()
        path = folder / "units" / "410103" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
        return path

    return write


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    from checklist.cli.app import run

    def invoke(*args: str | Path) -> Result:
        capsys.readouterr()
        code = run([str(arg) for arg in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke
