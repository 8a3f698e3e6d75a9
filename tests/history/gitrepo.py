"""Real git repositories in tmp folders: a campaign, its unit files, commits on set days."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

CAMPAIGN = """\
[campaign]
name = "测试主题教育"
start = 2023-09-09
end = 2024-01-31
timezone = "Asia/Shanghai"

[[counties]]
code = "410103"
name = "二七区"
expected_units = 3

[[counties]]
code = "410105"
name = "金水区"
"""


def unit_text(
    uid: str,
    *,
    county: str = "410103",
    level: str = "grassroots",
    tasks: str = "",
    name: str | None = None,
) -> str:
    """A valid unit file: five measures with owners, ``tasks`` appended as written."""
    return f"""\
[unit]
id = "{uid}"
name = "{name or uid + " 委员会"}"
county = "{county}"
level = "{level}"
contact = "王红"

[study]
owner = "张伟"
due = 2023-10-31

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
{tasks}"""


def task(title: str, due: str, *, measure: str = "study", extra: str = "") -> str:
    return f'\n[[{measure}.tasks]]\ntitle = "{title}"\ndue = {due}\n{extra}'


@dataclass
class Repo:
    root: Path

    def git(self, *args: str, when: str | None = None, author: str = "张三") -> str:
        env = {
            **os.environ,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": str(self.root.parent / "gitconfig"),
        }
        if when is not None:  # both dates: the committer's is the one history reads
            env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{when}T10:00:00+08:00"
        done = subprocess.run(
            ["git", "-c", f"user.name={author}", "-c", "user.email=a@example.cn", *args],
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    def write(self, path: str, text: str) -> Path:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        return target

    def unit(self, uid: str, county: str = "410103", **kwargs: str) -> Path:
        return self.write(f"units/{county}/{uid}.toml", unit_text(uid, county=county, **kwargs))

    def commit(self, when: str, message: str = "update", *, author: str = "张三") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message, when=when, author=author)
        return self.git("rev-parse", "HEAD").strip()
