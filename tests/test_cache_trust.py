"""The cache is untrusted input: it never runs code, damage is a miss, and it notices every edit.

The command-level tests use only the CLI and cache_root(), so they run against any
version of the cache.
"""

from __future__ import annotations

import os
import pickle
import random
import shutil
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checklist.load.cache import cache_root
from conftest import VALID_UNIT, Result

COMMANDS = [
    ("status", "--all", "--format", "json"),
    ("rollup", "--by", "owner", "--format", "json"),
    ("remind", "--format", "json"),
    ("validate", "--format", "json"),
]
OLD = 1_600_000_000  # an mtime long past: the file is not "racily clean"


@pytest.fixture
def small(write_unit: Callable[..., Path], tmp_path: Path) -> Path:
    """A one-unit campaign whose file looks old enough to be cached."""
    unit = write_unit("erqi-test.toml", VALID_UNIT)
    os.utime(unit, (OLD, OLD))
    return tmp_path / "campaign"


def _stored() -> Path:
    (stored,) = [p for p in cache_root().iterdir() if not p.name.startswith(".")]
    return stored


def _same(cli: Callable[..., Result], args: tuple[str, ...]) -> None:
    afresh = cli(*args, "--no-cache")
    cached = cli(*args)
    assert (cached.code, cached.out) == (afresh.code, afresh.out), cached.err
    assert "Traceback" not in cached.err


# --- 17: nothing in the cache can run code -------------------------------------------


class _Bomb:
    """Unpickling this runs a command: what a committed or planted pickle would do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return os.system, (f"touch {self.marker}",)


def test_a_planted_pickle_runs_no_code(cli, small: Path, tmp_path: Path) -> None:
    args = ("status", str(small), "--format", "json")
    assert cli(*args).code == 0
    marker = tmp_path / "pwned"
    bomb = pickle.dumps({"fingerprint": "x", "entries": _Bomb(marker)})
    stored = _stored()
    stored.write_bytes(bomb)
    _same(cli, args)
    assert not marker.exists()


def test_a_planted_pickle_with_a_valid_checksum_runs_no_code(cli, small: Path, tmp_path: Path):
    from checklist.load import cache

    assert cli("status", str(small)).code == 0
    marker = tmp_path / "pwned"
    payload = pickle.dumps({"fingerprint": "x", "entries": _Bomb(marker)})
    digest = cache.hashlib.blake2b(payload, digest_size=cache.DIGEST_SIZE).digest()
    _stored().write_bytes(cache.MAGIC + digest + payload)
    _same(cli, ("status", str(small), "--format", "json"))
    assert not marker.exists()


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("os", "system"),
        ("builtins", "eval"),
        ("builtins", "getattr"),
        ("subprocess", "Popen"),
        ("copyreg", "_reconstructor"),
        ("pickle", "loads"),
        ("checklist.cli.app", "run"),
        ("checklist.model", "Campaign"),
    ],
)
def test_the_cache_unpickler_builds_only_records(module: str, name: str) -> None:
    from checklist.load.cache import loads

    data = b"\x80\x04c" + f"{module}\n{name}\n".encode() + b"."
    with pytest.raises(pickle.UnpicklingError, match="not a cached record"):
        loads(data)


def test_the_cache_unpickler_builds_every_record_the_checks_make() -> None:
    import datetime as dt

    from checklist.load.cache import loads
    from checklist.load.campaign import load_campaign
    from checklist.load.discover import discover
    from checklist.load.validate import check_packed
    from conftest import REPO

    campaign = load_campaign(REPO / "examples" / "zhengzhou" / "campaign.toml")
    folders = [REPO / "examples" / "zhengzhou", REPO / "examples" / "invalid"]
    for path in discover(folders, campaign):
        result, blob = check_packed(
            path, campaign=campaign, today=dt.date(2023, 11, 20), build=True, follow_outside=True
        )
        assert loads(pickle.dumps(result, pickle.HIGHEST_PROTOCOL)) == result
        if blob is not None:
            assert loads(blob) == pickle.loads(blob)


def _refused(cli, small: Path, warning: str) -> None:
    """The command works as with --no-cache, says why in one line, and writes no cache."""
    args = ("status", str(small), "--format", "json")
    afresh = cli(*args, "--no-cache")
    result = cli(*args)
    assert (result.code, result.out) == (afresh.code, afresh.out)
    (line,) = [x for x in result.err.splitlines() if "cache" in x]
    assert line.startswith("checklist: warning: not using the cache: ")
    assert warning in line


def test_a_relative_cache_folder_is_refused(
    cli, small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(small)
    monkeypatch.setenv("CHECKLIST_CACHE_DIR", ".cache")
    _refused(cli, small, "relative path")
    assert not (small / ".cache").exists()


@pytest.mark.parametrize("where", ["campaign", "campaign/units/.cache", "repository"])
def test_a_cache_inside_the_campaign_or_its_repository_is_refused(
    cli, small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    (tmp_path / ".git").mkdir()  # tmp_path holds the campaign: a clone
    home = tmp_path if where == "repository" else tmp_path / where
    monkeypatch.delenv("CHECKLIST_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(home))
    _refused(cli, small, "the git repository" if where == "repository" else "campaign's folder")
    assert not (home / ".cache").exists()


def test_a_cache_folder_others_can_write_is_refused(cli, small: Path) -> None:
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o777)
    _refused(cli, small, "can be written by other users")


def test_a_cache_file_others_can_write_is_refused(cli, small: Path) -> None:
    assert cli("status", str(small)).code == 0
    _stored().chmod(0o666)
    _refused(cli, small, "can be written by other users")


def test_a_cache_of_another_user_is_refused(
    cli, small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("status", str(small)).code == 0
    monkeypatch.setattr(os, "getuid", lambda: cache_root().stat().st_uid + 1)
    _refused(cli, small, "belongs to another user")


def test_a_linked_cache_file_is_refused(cli, small: Path, tmp_path: Path) -> None:
    assert cli("status", str(small)).code == 0
    stored = _stored()
    elsewhere = tmp_path / "elsewhere.pickle"
    stored.rename(elsewhere)
    stored.symlink_to(elsewhere)
    _refused(cli, small, "is a symbolic link")


def test_the_cache_is_private(cli, small: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHECKLIST_CACHE_DIR", str(cache_root() / "new"))
    old = os.umask(0o002)
    try:
        assert cli("status", str(small)).code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(cache_root().stat().st_mode) == 0o700
    assert stat.S_IMODE(_stored().stat().st_mode) == 0o600
    assert cli("status", str(small)).err == ""  # and the next run trusts it


# --- 18: a damaged cache is a miss; every edit is noticed -----------------------------


def _corruptions(data: bytes) -> st.SearchStrategy[bytes]:
    size = len(data)

    def flip(at: int, bit: int) -> bytes:
        return data[:at] + bytes([data[at] ^ (1 << bit)]) + data[at + 1 :]

    return st.one_of(
        st.builds(flip, st.integers(0, size - 1), st.integers(0, 7)),
        st.builds(lambda n: data[:n], st.integers(0, size - 1)),
        st.builds(
            lambda a, n: data[:a] + bytes(n) + data[a + n :],
            st.integers(0, size),
            st.integers(1, 64),
        ),
        st.builds(bytes, st.integers(0, size)),
        st.binary(max_size=size),
        st.builds(lambda seed: random.Random(seed).randbytes(size), st.integers()),
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_a_damaged_cache_gives_what_no_cache_gives(
    cli, small: Path, command: tuple[str, ...]
) -> None:
    args = (*command, str(small))
    afresh = cli(*args, "--no-cache")
    assert cli(*args).out == afresh.out
    stored = _stored()
    good = stored.read_bytes()

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(damaged=_corruptions(good))
    def check(damaged: bytes) -> None:
        stored.write_bytes(damaged)
        result = cli(*args)
        assert (result.code, result.out) == (afresh.code, afresh.out), result.err
        assert "Traceback" not in result.err

    check()


def test_every_flipped_byte_makes_a_miss(cli, small: Path) -> None:
    """Every position, every bit pattern of one flip: the cache reads as empty, never as wrong."""
    from checklist.load.cache import Cache
    from checklist.load.campaign import load_campaign

    assert cli("status", str(small)).code == 0
    stored = _stored()
    good = stored.read_bytes()
    campaign = load_campaign(small / "campaign.toml")
    assert Cache.open(campaign).entries
    rng = random.Random(9)
    for at in range(len(good)):
        damaged = good[:at] + bytes([good[at] ^ rng.randrange(1, 256)]) + good[at + 1 :]
        stored.write_bytes(damaged)
        assert Cache.open(campaign).entries == {}, at


def _edit_keeping_size_and_mtime(path: Path) -> None:
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    edited = text.replace("done = 2023-09-28", "done = 2023-09-27")
    assert edited != text
    assert len(edited.encode()) == before.st_size
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # cp -p, touch -r


def test_a_same_size_edit_with_the_mtime_put_back_is_noticed(cli, small: Path) -> None:
    args = ("status", "--all", "--format", "json", str(small))
    assert '"done": "2023-09-28"' in cli(*args).out
    _edit_keeping_size_and_mtime(next(small.rglob("erqi-test.toml")))
    result = cli(*args)
    assert '"done": "2023-09-27"' in result.out
    assert result.out == cli(*args, "--no-cache").out


def test_a_copy_with_cp_p_is_noticed(cli, small: Path, tmp_path: Path) -> None:
    args = ("status", "--all", "--format", "json", str(small))
    unit = next(small.rglob("erqi-test.toml"))
    assert cli(*args).code == 0
    other = tmp_path / "other.toml"
    other.write_text(unit.read_text(encoding="utf-8").replace("09-28", "09-27"), encoding="utf-8")
    os.utime(other, (OLD, OLD))
    shutil.copy2(other, unit)  # cp -p: same size, same mtime, same inode
    assert cli(*args).out == cli(*args, "--no-cache").out


def test_a_chmod_is_noticed(cli, small: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    args = ("status", "--format", "json", str(small))
    assert cli(*args).code == 0
    unit = next(small.rglob("erqi-test.toml"))
    unit.chmod(0o600)
    checked = []
    from checklist.load import validate

    real = validate.check_file
    monkeypatch.setattr(validate, "check_file", lambda *a, **k: checked.append(a) or real(*a, **k))
    assert cli(*args).code == 0
    assert checked


def test_the_cache_forgets_deleted_files(cli, small: Path) -> None:
    from checklist.load.cache import Cache
    from checklist.load.campaign import load_campaign

    gone = small / "units" / "410103" / "gone.toml"
    gone.write_text(VALID_UNIT.replace("erqi-test", "erqi-gone"), encoding="utf-8")
    os.utime(gone, (OLD, OLD))
    assert cli("validate", str(small)).code == 0
    campaign = load_campaign(small / "campaign.toml")
    assert str(gone) in Cache.open(campaign).entries
    # A run over part of the campaign keeps what it did not look at, while it exists.
    assert cli("validate", str(small / "units" / "410103" / "erqi-test.toml")).code == 0
    assert str(gone) in Cache.open(campaign).entries
    gone.unlink()
    assert cli("validate", str(small / "units" / "410103" / "erqi-test.toml")).code == 0
    assert str(gone) not in Cache.open(campaign).entries


def test_a_folder_where_the_cache_file_goes_is_a_miss(cli, small: Path) -> None:
    assert cli("status", str(small)).code == 0
    stored = _stored()
    stored.unlink()
    stored.mkdir()
    _same(cli, ("status", str(small), "--format", "json"))


def test_no_home_folder_means_no_cache(cli, small: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHECKLIST_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("HOME", raising=False)

    def homeless(cls: type[Path]) -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", classmethod(homeless))
    _refused(cli, small, "no home folder")
