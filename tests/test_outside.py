"""Nothing from outside the campaign folder is ever printed: links out are refused unread.

A unit file linked to /proc/self/environ, or to any file elsewhere, must not put a
byte of it in any output of any command; --follow-outside reads such files, and even
then a binary file (a NUL byte) is never quoted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import VALID_UNIT

SECRET = "s3cr3t-CI-token-4242"
GOOD = VALID_UNIT.replace('id = "erqi-test"', 'id = "good"')

# What a secret file can look like: TOML that parses, text that does not, a NUL-separated
# environment, a line that only the caret display would quote.
SECRET_FILES = {
    "toml": f'[unit]\nname = "{SECRET}"\n'.encode(),
    "text": f"TOKEN={SECRET}\n".encode(),
    "environ": f"HOME=/root\0TOKEN={SECRET}\0PATH=/bin\0".encode(),
    "toml-error": f'[unit]\nname = "{SECRET}\n'.encode(),
}

COMMANDS = [
    ("validate",),
    ("validate", "-f", "json"),
    ("validate", "-f", "github"),
    ("status", "--all"),
    ("status", "--all", "-f", "json"),
    ("status", "--all", "-f", "csv"),
    ("rollup", "--by", "unit"),
    ("rollup", "-f", "markdown"),
    ("remind",),
    ("remind", "-f", "json"),
]


def _everything(cli, *paths: Path, extra: tuple[str, ...] = ()) -> list[tuple[str, int, str]]:
    outputs = []
    for command in COMMANDS:
        result = cli(*command, "--no-cache", *extra, *paths)
        assert "Traceback" not in result.err, result.err
        assert "internal error" not in result.err, result.err
        outputs.append((" ".join(command), result.code, result.out + result.err))
    return outputs


@pytest.fixture
def outside(tmp_path: Path):
    def make(kind: str) -> Path:
        secret = tmp_path / "elsewhere" / f"{kind}.toml"
        secret.parent.mkdir(exist_ok=True)
        secret.write_bytes(SECRET_FILES[kind])
        return secret

    return make


@pytest.mark.parametrize("kind", sorted(SECRET_FILES))
def test_a_unit_linked_outside_is_refused_unread(cli, write_unit, outside, kind):
    write_unit("good.toml", GOOD)
    link = write_unit("placeholder.toml", "")
    link.unlink()
    link.symlink_to(outside(kind))
    for command, code, output in _everything(cli, link.parents[2]):
        assert SECRET not in output, command
        assert code == 1, (command, output)
        assert "placeholder.toml" in output, command
    problems = json.loads(cli("validate", "-f", "json", link.parents[2]).out)["problems"]
    assert [(Path(p["file"]).name, p["code"]) for p in problems] == [("placeholder.toml", "E007")]
    assert "--follow-outside" in problems[0]["hint"]


def test_a_folder_linked_outside_is_refused_unread(cli, write_unit, outside, tmp_path):
    write_unit("good.toml", GOOD)
    outside("text")
    folder = write_unit("good.toml", GOOD).parent / "more"
    folder.symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    for command, code, output in _everything(cli, folder.parents[2]):
        assert SECRET not in output, command
        assert code == 1, (command, output)
        assert "more" in output, command
    # Named on the command line, it is refused just the same.
    named = cli("validate", "-f", "json", "--no-cache", folder)
    assert named.code == 1
    assert [p["code"] for p in json.loads(named.out)["problems"]] == ["E007"]


def test_follow_outside_reads_them(cli, write_unit, tmp_path):
    write_unit("good.toml", GOOD)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "other.toml").write_text(
        VALID_UNIT.replace('id = "erqi-test"', 'id = "other"'), encoding="utf-8"
    )
    link = write_unit("good.toml", GOOD).parent / "other"
    link.symlink_to(elsewhere, target_is_directory=True)
    refused = cli("rollup", "-f", "json", "--no-cache", link.parents[2])
    assert refused.code == 1
    assert "other" in refused.err
    assert "outside the campaign folder" in refused.err
    assert json.loads(refused.out)["total"]["units"] == 1
    followed = cli("rollup", "-f", "json", "--no-cache", "--follow-outside", link.parents[2])
    assert followed.code == 0, followed.err
    assert json.loads(followed.out)["total"]["units"] == 2


def test_a_followed_run_leaves_nothing_in_the_cache_for_the_next(cli, write_unit, tmp_path):
    """What --follow-outside read must not be served from the cache to a run without it."""
    write_unit("good.toml", GOOD)
    secret = tmp_path / "elsewhere" / "secret.toml"
    secret.parent.mkdir()
    secret.write_text(
        VALID_UNIT.replace('id = "erqi-test"', 'id = "other"').replace("张伟", SECRET),
        encoding="utf-8",
    )
    link = write_unit("good.toml", GOOD).parent / "secret.toml"
    link.symlink_to(secret)
    for path in (secret, link.parent / "good.toml"):
        os.utime(path, (1_600_000_000, 1_600_000_000))  # old enough to be cached
    followed = cli("status", "--all", "-f", "json", "--follow-outside", link.parents[2])
    assert SECRET in followed.out
    for _ in range(2):  # the second run would be served from a cache the first wrote
        refused = cli("status", "--all", "-f", "json", link.parents[2])
        assert refused.code == 1
        assert SECRET not in refused.out + refused.err
        assert "outside the campaign folder" in refused.err


def test_follow_outside_never_quotes_a_binary_file(cli, write_unit, outside):
    write_unit("good.toml", GOOD)
    link = write_unit("placeholder.toml", "")
    link.unlink()
    link.symlink_to(outside("environ"))
    for command, _, output in _everything(cli, link.parents[2], extra=("--follow-outside",)):
        assert SECRET not in output, command
    problems = json.loads(cli("validate", "-f", "json", "--follow-outside", link).out)["problems"]
    assert [(p["code"], p["message"]) for p in problems] == [
        ("E002", "the file is binary, not text")
    ]


def test_a_nul_byte_makes_any_file_binary(cli, write_unit):
    # Valid UTF-8 with a NUL in the middle, as /proc/self/environ is.
    path = write_unit("nul.toml", VALID_UNIT.replace("理论学习", f"{SECRET}\0", 1))
    for command, code, output in _everything(cli, path):
        assert SECRET not in output, command
        assert code == (1 if command.startswith("validate") else 0), command


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="no /proc here")
@pytest.mark.parametrize("what", ["unit", "campaign.toml"])
def test_proc_self_environ_never_reaches_the_output(campaign_dir, what):
    """The reported attack, in a child process whose environment holds the secret."""
    folder = campaign_dir()
    units = folder / "units"
    units.mkdir()
    (units / "good.toml").write_text(GOOD, encoding="utf-8")
    target = units / "environ.toml" if what == "unit" else folder / "campaign.toml"
    target.unlink(missing_ok=True)
    target.symlink_to("/proc/self/environ")
    env = {**os.environ, "CI_SECRET": SECRET}
    for command in COMMANDS:
        done = subprocess.run(
            [sys.executable, "-m", "checklist", *command, "--no-cache", str(folder)],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
            cwd=folder,
            check=False,
        )
        output = done.stdout + done.stderr
        assert SECRET not in output, (command, output)
        assert done.returncode in (1, 2), (command, output)
        assert "Traceback" not in output


@pytest.mark.parametrize("kind", sorted(SECRET_FILES))
def test_campaign_toml_linked_outside_is_never_quoted(cli, campaign_dir, outside, kind):
    folder = campaign_dir()
    (folder / "good.toml").write_text(GOOD, encoding="utf-8")
    config = folder / "campaign.toml"
    config.unlink()
    config.symlink_to(outside(kind))
    for command, code, output in _everything(cli, folder):
        assert SECRET not in output, (command, output)
        assert code == 2, (command, output)


def test_a_folder_holding_the_campaign_is_walked(cli, write_unit, tmp_path, monkeypatch):
    write_unit("good.toml", GOOD)
    stray = tmp_path / "notes" / "stray.toml"
    stray.parent.mkdir()
    stray.write_text(f'token = "{SECRET}"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = cli("validate", "-f", "json", "--no-cache", "--config", "campaign/campaign.toml", ".")
    assert result.code == 1
    assert SECRET not in result.out
    problems = json.loads(result.out)["problems"]
    assert [(p["file"], p["code"]) for p in problems] == [("notes/stray.toml", "E007")]
    units = cli("rollup", "-f", "json", "--no-cache", "--config", "campaign/campaign.toml", ".")
    assert json.loads(units.out)["total"]["units"] == 1
